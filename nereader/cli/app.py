"""Opening the full-screen app: only on a terminal, on the home screen of followed listings,
on a listing, on a thread, or (offline) on the library. ``nereader thread ID`` and
``nereader URL`` (a thread's) open it on that thread, its tag's list behind it."""

from __future__ import annotations

import argparse
import sys

from nereader.cli.common import build_service, given_flags, resolve_settings, with_flags
from nereader.core.errors import UsageError
from nereader.core.urls import parse_listing_ref, parse_thread_ref, url_kind


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("thread", parents=[common], help="open the app on a thread",
                       description="Open the app on a thread (an id or any forum thread URL), "
                       "with its tag's list behind it.")
    p.add_argument("thread", metavar="THREAD", help="thread id or any forum thread URL")
    p.set_defaults(func=cmd_thread)


def is_thread_url(word: str) -> bool:
    """Whether a word given in place of a listing is a thread's URL (which opens that thread)."""
    if url_kind(word) != "thread":
        return False
    try:
        parse_thread_ref(word)
    except UsageError:
        return False
    return True


def cmd_thread(args: argparse.Namespace) -> int:
    parse_thread_ref(args.thread)  # a bad id: a usage error first
    return _start(args, args.thread)


def cmd_app(args: argparse.Namespace) -> int:
    target = args.target
    return _start(args, target if target and is_thread_url(target) else None)


def _start(args: argparse.Namespace, text: str | None) -> int:
    if not (sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the app needs a terminal on stdin and stdout; in scripts and pipes "
                         "use the commands, e.g. `nereader list --json` (see nereader --help)")
    # A bad config file does not keep the app from starting: it runs on the other settings
    # and says what is wrong with the file.
    resolved = resolve_settings(args, lenient=True)
    settings = resolved.settings
    thread = parse_thread_ref(text, settings.base_url) if text else None
    listing = None if thread else getattr(args, "target", None)
    # On a thread, the default listing shows only until the thread names its own tag.
    ref, _page, sort, order = parse_listing_ref(listing or settings.default_listing,
                                                settings.base_url)
    home = listing is None and thread is None and bool(settings.following)
    from nereader.ui.app import run_app  # Textual loads only when the app runs

    service = build_service(args, settings=settings)
    service.open_cache()  # now, before the app's event loop runs (see open_cache)
    flags = given_flags(args)  # a command the app suggests reaches the same forum and folders
    return run_app(service, ref, sort, order, demo=args.demo, home=home,
                   config_error=resolved.file_error, thread=thread,
                   hint=lambda text: with_flags(text, flags))
