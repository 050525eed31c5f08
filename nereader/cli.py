"""Command line: argument parsing, building the service, running the app or one command."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from nereader import __version__
from nereader.core.errors import NereaderError, UsageError
from nereader.core.models import to_jsonable


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _emit_json(data: Any) -> None:
    json.dump(to_jsonable(data), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc


def cmd_parse(args: argparse.Namespace) -> int:
    from nereader.core.parse import parse_page

    content = _read_input(args.file)
    _emit_json(parse_page(content, args.url))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="nereader", description="A terminal reader for the Apple Developer Forums."
    )
    parser.add_argument("--version", action="version", version=f"nereader {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("parse", help="parse a saved page and print it as JSON (diagnostics)")
    p.add_argument("file", help="an HTML or RSS file, or - for standard input")
    p.add_argument("--url", help="the URL the page came from (helps detect its kind)")
    p.set_defaults(func=cmd_parse)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    try:
        args = build_parser().parse_args(args_list)
        if args.command is None:
            build_parser().print_help()
            return 0
        result: int = args.func(args)
        return result
    except NereaderError as exc:
        if debug:
            traceback.print_exc()
        print(f"nereader: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("nereader: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
