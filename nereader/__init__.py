"""nereader: a terminal reader for the Apple Developer Forums."""

__version__ = "0.1.0"
