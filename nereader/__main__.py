"""Run nereader as ``python -m nereader``."""

from nereader.cli import main

raise SystemExit(main())
