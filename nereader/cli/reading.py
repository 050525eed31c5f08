"""`nereader show`, `nereader search` and `nereader parse`: read threads, the index, a page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nereader.cli.common import ProgressBar, emit_json, report_source, run
from nereader.core.errors import UsageError
from nereader.core.export import thread_json, thread_markdown
from nereader.core.models import to_jsonable
from nereader.core.service import ForumService, parse_page
from nereader.core.text import clean, snippet_parts
from nereader.core.urls import parse_thread_ref, post_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("show", parents=[common], help="read a whole thread",
                       description="Print a whole thread (every reply page) as Markdown or JSON.")
    p.add_argument("thread", metavar="THREAD", help="thread id or any forum thread URL")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON for scripts")
    fmt.add_argument("--markdown", action="store_true", help="Markdown (the default output)")
    p.add_argument("--refresh", action="store_true", help="revalidate even fresh cached pages")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("search", parents=[common], help="full-text search of cached threads",
                       description="Search every cached thread (offline), best matches first.")
    p.add_argument("query", nargs="?", metavar="QUERY",
                   help='words, "phrases", OR, -word, prefix*')
    p.add_argument("--limit", type=int, default=20, help="at most this many hits (default 20)")
    p.add_argument("--rebuild", action="store_true", help="rebuild the index from the cache")
    p.add_argument("--json", action="store_true", help="a JSON array for scripts")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("parse", parents=[common], help="parse a saved page and print JSON",
                       description="Read a saved forum page (listing, thread or feed) and print "
                       "what nereader sees in it: attach this to a bug report.")
    p.add_argument("file", metavar="FILE", help="an HTML or RSS file, or - for standard input")
    p.add_argument("--url", help="the URL the page came from (helps detect its kind)")
    p.set_defaults(func=cmd_parse)


def cmd_show(args: argparse.Namespace) -> int:
    ref = parse_thread_ref(args.thread)

    async def body(service: ForumService) -> int:
        result = await service.thread(ref.id, refresh=args.refresh)
        report_source(result)
        if args.json:
            emit_json(thread_json(result.value))
        else:
            sys.stdout.write(thread_markdown(result.value))
        return 0

    return run(args, body)


def cmd_search(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")

    async def body(service: ForumService) -> int:
        if args.rebuild:
            threads, posts = await service.rebuild_index(ProgressBar())
            print(f"indexed {threads} cached threads ({posts} posts)", file=sys.stderr)
            if not args.query:
                return 0
        if not args.query:
            raise UsageError("search needs a QUERY (or --rebuild)")
        hits = await service.search(args.query, args.limit)
        if args.json:
            emit_json([{**to_jsonable(h), "snippet": "".join(
                f"[{t}]" if match else t for t, match in snippet_parts(h.snippet))}
                for h in hits])
            return 0
        if not hits:
            print("no matches in the cached threads (sync or open threads to index them)")
            return 0
        base = service.settings.base_url
        bold, plain = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("[", "]")
        for hit in hits:
            where = "question" if hit.kind == "question" else f"{hit.kind} by {hit.author}"
            snippet = "".join(f"{bold}{clean(t)}{plain}" if match else clean(t)
                              for t, match in snippet_parts(hit.snippet))
            url = post_url(hit.thread_id, None if hit.kind == "question" else hit.post_id, base)
            print(f"{hit.thread_id}  {clean(hit.title)}  ({clean(where)})\n    {snippet}\n"
                  f"    {url}")
        return 0

    return run(args, body, local_only=True)  # the index is local: never the network


def cmd_parse(args: argparse.Namespace) -> int:
    if args.file == "-":
        content = sys.stdin.buffer.read()
    else:
        try:
            content = Path(args.file).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    emit_json(parse_page(content, args.url))
    return 0
