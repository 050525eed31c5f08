"""The headless core of nereader: no Textual or Rich imports anywhere below this package."""
