"""Opening the full-screen app: only on a terminal, on the home screen of followed listings,
on a listing, or (offline) on the library."""

from __future__ import annotations

import argparse
import sys

from nereader.cli.common import build_service, resolve_settings
from nereader.core.errors import UsageError
from nereader.core.urls import parse_listing_ref


def cmd_app(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the app needs a terminal on stdin and stdout; in scripts and pipes "
                         "use the commands, e.g. `nereader list --json` (see nereader --help)")
    # A bad config file does not keep the app from starting: it runs on the other settings
    # and says what is wrong with the file.
    resolved = resolve_settings(args, lenient=True)
    settings = resolved.settings
    ref, _page, sort, order = parse_listing_ref(args.target or settings.default_listing)
    home = args.target is None and bool(settings.following)
    from nereader.ui.app import run_app  # Textual loads only when the app runs

    return run_app(build_service(args, settings=settings), ref, sort, order, demo=args.demo,
                   home=home, config_error=resolved.file_error)
