"""Opening the full-screen app: only on a terminal, on a listing (or the library offline)."""

from __future__ import annotations

import argparse
import sys

from nereader.cli.common import build_service
from nereader.core.errors import UsageError
from nereader.core.urls import DEFAULT_TAG, parse_listing_ref


def cmd_app(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the app needs a terminal on stdin and stdout; in scripts and pipes "
                         "use the commands, e.g. `nereader list --json` (see nereader --help)")
    ref, _page, sort, order = parse_listing_ref(args.target or DEFAULT_TAG)
    from nereader.ui.app import run_app  # Textual loads only when the app runs

    return run_app(build_service(args), ref, sort, order, demo=args.demo)
