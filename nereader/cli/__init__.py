"""The command line: route to a command or to the app, and turn every failure into one line.

One module per command group (``listing``, ``reading``, ``topics``, ``library``,
``following``, ``inbox``, ``doctor``, ``config``, ``completion``); each registers its
subcommands. Global options (``--offline``, ``--base-url URL`` ...) work before or after the
command.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import os
import sys
from collections.abc import Sequence

from nereader import __version__
from nereader.cli import (
    app,
    completion,
    config,
    doctor,
    following,
    inbox,
    library,
    listing,
    reading,
    topics,
)
from nereader.cli.app import cmd_app, is_thread_url
from nereader.cli.common import (
    GLOBAL_FLAGS,
    GLOBAL_VALUES,
    Parser,
    add_globals,
    debug_wanted,
    given_flags,
    network_next_step,
    next_command,
    with_flags,
)
from nereader.core.errors import (
    NereaderError,
    NetworkError,
    OfflineError,
    StorageError,
    UsageError,
)
from nereader.core.text import one_line
from nereader.core.urls import DEFAULT_TAG, parse_listing_ref, redact

GROUPS = (listing, reading, topics, library, following, inbox, doctor, config, app,
          completion)
EXIT_CODES = """exit codes:
  0  success (a stale cached copy is served with a warning on stderr)
  1  an unexpected error (rerun with --debug and report it)
  2  usage: a bad option, argument, filter or setting
  3  network failure, or offline and the page is not cached (a retry may help)
  4  the page's layout changed, the site showed a bot check, or a page was over the
     8 MB cap (retrying will not help)
  5  local storage failed: the cache, bookmarks, state or config files
  6  not found: the site has no such listing, thread or page (retrying will not help)
a sync that kept what it could exits with the code of what failed (of several kinds, the
first of 5 4 3 6 1), never 0 when anything failed"""


def build_parser() -> Parser:
    """The commands' parser (``nereader COMMAND ...``)."""
    common = Parser(add_help=False)
    add_globals(common, suppress=True)
    parser = Parser(prog="nereader", formatter_class=argparse.RawDescriptionHelpFormatter,
                    description="A terminal reader for the Apple Developer Forums.",
                    epilog=EXIT_CODES)
    add_globals(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"nereader {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for group in GROUPS:
        group.register(sub, common)
    parser.set_defaults(root_parser=parser)  # completion describes the commands from it
    return parser


def commands(parser: Parser) -> dict[str, str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {a.dest: a.help or "" for a in action._choices_actions}
    return {}


def build_app_parser(known: dict[str, str]) -> Parser:
    """The app's parser (``nereader [LISTING]``); its help lists the commands too."""
    listed = "\n".join(f"  {name:<11} {text}" for name, text in known.items())
    parser = Parser(
        prog="nereader", formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="nereader [options] [LISTING]\n       nereader COMMAND [options] ...",
        description="A terminal reader for the Apple Developer Forums. Without a command it "
        "opens the app on LISTING.",
        epilog=f"commands (nereader COMMAND --help):\n{listed}\n\n{EXIT_CODES}")
    parser.add_argument("target", nargs="?", metavar="LISTING",
                        help=f"a tag slug (default {DEFAULT_TAG}), topics/TOPIC[/SUB], "
                        "allposts (every thread), a listing URL, or a thread URL (opens that "
                        "thread); tags/NAME opens a tag named like a command")
    add_globals(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"nereader {__version__}")
    return parser


def first_word(argv: Sequence[str]) -> str | None:
    """The first argument that is not an option or an option's value."""
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--":
            return argv[i + 1] if i + 1 < len(argv) else None
        if arg.startswith("-") and arg != "-":
            skip = arg in GLOBAL_VALUES
            continue
        return arg
    return None


def _check_target(word: str, known: dict[str, str], flags: Sequence[str] = ()) -> None:
    """A word that is no command must be a listing or a thread's URL; a near miss of a command
    is an error."""
    if is_thread_url(word):
        return
    import difflib

    close = difflib.get_close_matches(word, known, n=1, cutoff=0.75)
    if close and "/" not in word and "." not in word:
        raise UsageError(f"unknown command {word!r}; did you mean {close[0]!r}? "
                         f"(to open a tag of that name: "
                         f"{next_command(f'tags/{word}', flags)})")
    try:
        parse_listing_ref(word)
    except UsageError:
        raise UsageError(f"{word!r} is neither a command ({', '.join(known)}) nor a tag, "
                         "topic, listing or thread URL; see nereader --help") from None


def _streams() -> None:
    """Text the terminal's encoding cannot show (a C locale, latin-1) comes out as ``?``, not as
    a crash; a closed standard output is an error, not output silently lost."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    if sys.stdout is None:
        raise UsageError("standard output is closed; nothing could be printed")


def _drop_stdout() -> None:
    """After a failed write (a closed pipe, a full disk) nothing more goes to standard output,
    and Python's flush at exit does not complain again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _unrecognised(parser: Parser, command: str, extra: list[str]) -> str:
    """Words a command does not take, the option meant when one is near, and its help."""
    import difflib

    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    known = [o for a in sub.choices[command]._actions for o in a.option_strings]
    close = [m for word in extra if word.startswith("-")
             for m in difflib.get_close_matches(word.split("=")[0], known, n=1, cutoff=0.6)]
    hint = f"; did you mean {close[0]}?" if close else ""
    return (f"unrecognized arguments: {' '.join(extra)}{hint} "
            f"(see 'nereader {command} --help')")


def _check_after_dashes(args: list[str], command: str) -> None:
    """After ``--`` every word is an argument (a QUERY that starts with "-"), as argparse
    has it; a global option there is a word, not an option, and that is said plainly."""
    if "--" not in args:
        return
    after = args[args.index("--") + 1:]
    stray = [a for a in after if a in GLOBAL_FLAGS or a.split("=")[0] in GLOBAL_VALUES]
    if stray:
        raise UsageError(f"{stray[0]} after `--` is not an option: everything after `--` is "
                         f"an argument; put options before it (nereader {command} {stray[0]} "
                         "-- ...)")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = debug_wanted(args)
    # Loading the app (Textual, the settings, the service) makes a great many objects that
    # live as long as the process: the collector would walk them again and again before the
    # first paint. It runs again when a command runs, or (``ui.app.run_app``) once what
    # start-up made is set aside.
    gc.disable()
    try:
        _streams()
        return _main(args, debug)
    except NereaderError as exc:
        _error(exc, args)
        return exc.exit_code
    finally:
        gc.enable()


def _main(args: list[str], debug: bool) -> int:
    try:
        parser = build_parser()
        known = commands(parser)
        word = first_word(args)
        if word in known:
            _check_after_dashes(args, word)
            parsed, extra = parser.parse_known_args(args)
            if extra:
                raise UsageError(_unrecognised(parser, word, extra))
            gc.enable()
            code: int = parsed.func(parsed)
            sys.stdout.flush()  # a write that fails (a full disk) fails here, inside the net
            return code
        if word is not None:
            _check_target(word, known, given_flags(args))
        return cmd_app(build_app_parser(known).parse_args(args))
    except NereaderError as exc:
        if debug:
            _traceback()
        _error(exc, args)
        return exc.exit_code
    except SystemExit as exc:  # --help and --version finish this way
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print("nereader: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _drop_stdout()
        return 0
    except OSError as exc:
        # The core turns its own file errors into StorageError: a bare one is the output's.
        if exc.errno not in _OUTPUT_ERRORS:
            return _internal(exc, debug)
        _drop_stdout()
        print(f"nereader: error: cannot write the output: {exc.strerror or exc}",
              file=sys.stderr)
        return StorageError.exit_code
    except Exception as exc:
        return _internal(exc, debug)


def _error(exc: NereaderError, argv: list[str]) -> None:
    """The one line of an error; a command it suggests carries the flags the user gave. The
    site out of reach says what to try next."""
    message = with_flags(str(exc), given_flags(argv))
    if isinstance(exc, NetworkError) and not isinstance(exc, OfflineError):
        message += network_next_step(argv)
    print(f"nereader: error: {one_line(redact(message))}", file=sys.stderr)


_OUTPUT_ERRORS = {errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG}


def _internal(exc: Exception, debug: bool) -> int:
    """A bug: one line, unless asked for the traceback."""
    if debug:
        _traceback()
    print(f"nereader: internal error: {type(exc).__name__}: {exc} "
          "(rerun with --debug for the traceback, and please report it)", file=sys.stderr)
    return 1


def _traceback() -> None:
    import traceback  # only for --debug

    traceback.print_exc()
