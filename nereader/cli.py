"""Command line: argument parsing, building the service, running the app or one command."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sys
import traceback
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from nereader import __version__
from nereader.core.errors import NereaderError, UsageError
from nereader.core.export import summary_json, thread_json, thread_markdown
from nereader.core.models import ThreadSummary, to_jsonable
from nereader.core.query import Query, QueryError
from nereader.core.search import snippet_parts
from nereader.core.service import ForumService, Sourced, describe_age
from nereader.core.settings import Settings, from_environment
from nereader.core.urls import (
    DEFAULT_TAG,
    SORTS,
    ListingRef,
    normalise_order,
    normalise_sort,
    parse_listing_ref,
    parse_thread_ref,
    post_url,
)

COMMANDS = ("list", "show", "sync", "cache", "parse", "bookmarks", "search")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


# -- output helpers --------------------------------------------------------------------------
def emit_json(data: Any) -> None:
    json.dump(to_jsonable(data), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def warn(message: str) -> None:
    print(f"nereader: warning: {message}", file=sys.stderr)


def report_source(result: Sourced[Any]) -> None:
    if result.stale:
        warn(result.warning or f"showing a cached copy {describe_age(result.age_seconds)} old")


class ProgressBar:
    """A one-line progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{phase:8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ")
        sys.stderr.flush()
        if done >= total:
            sys.stderr.write("\n")


def _table(rows: list[ThreadSummary]) -> str:
    cols = shutil.get_terminal_size((100, 24)).columns
    numbers = f"{'replies':>7} {'boosts':>6} {'views':>6} {'active':>7}"
    title_width = max(20, cols - len(numbers) - 5)
    out = [f"{'':2} {'title':<{title_width}} {numbers}"]
    for r in rows:
        mark = ("✓" if r.answered else " ") + ("★" if r.apple_recommended else " ")
        title = r.title if len(r.title) <= title_width else r.title[: title_width - 1] + "…"
        out.append(
            f"{mark} {title:<{title_width}} {r.replies:>7} {r.boosts:>6} "
            f"{r.views_text or r.views:>6} {r.activity_text:>7}"
        )
    return "\n".join(out)


# -- service ---------------------------------------------------------------------------------
def build_settings(args: argparse.Namespace) -> Settings:
    settings = from_environment(
        base_url=getattr(args, "base_url", None),
        offline=getattr(args, "offline", False),
        cache_dir=getattr(args, "cache_dir", None),
        data_dir=getattr(args, "data_dir", None),
    )
    if getattr(args, "demo", False):
        # The demo never mixes its pages into the real cache or bookmarks.
        settings = settings.with_(
            cache_dir=settings.cache_dir / "demo", data_dir=settings.data_dir / "demo",
            min_gap=0.0,
        )
    return settings


def build_service(args: argparse.Namespace) -> ForumService:
    settings = build_settings(args)
    transport = None
    if getattr(args, "demo", False):
        from nereader.localforum import Site, SiteTransport

        transport = SiteTransport(Site.bundled())
    return ForumService(settings, transport=transport)


def run(args: argparse.Namespace, body: Callable[[ForumService], Awaitable[int]]) -> int:
    async def go() -> int:
        service = build_service(args)
        try:
            return await body(service)
        finally:
            await service.aclose()

    return asyncio.run(go())


def _listing_args(args: argparse.Namespace) -> tuple[ListingRef, int, str | None, str | None]:
    ref, page, sort, order = parse_listing_ref(args.tag or DEFAULT_TAG)
    sort = normalise_sort(args.sort) if args.sort else sort
    order = normalise_order(args.order) if args.order else order
    return ref, args.page or page, sort, order


# -- commands --------------------------------------------------------------------------------
def cmd_parse(args: argparse.Namespace) -> int:
    from nereader.core.parse import parse_page

    if args.file == "-":
        content = sys.stdin.buffer.read()
    else:
        try:
            content = Path(args.file).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    emit_json(parse_page(content, args.url))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    ref, page, sort, order = _listing_args(args)
    query = _query(args.filter) if args.filter else None
    pages: int | None = None if args.all else (args.pages or 1)
    if args.pages is not None and args.pages < 1:
        raise UsageError("--pages must be at least 1")

    async def body(service: ForumService) -> int:
        results = await service.listing_pages(
            ref, pages, sort, order, refresh=args.refresh, start=page,
            progress=ProgressBar() if pages != 1 else None,
        )
        for r in results:
            report_source(r)
        rows: list[ThreadSummary] = []
        seen: set[int] = set()
        for r in results:
            for row in r.value.rows:
                if row.id not in seen:
                    seen.add(row.id)
                    rows.append(row)
        if query is not None:
            rows = query.apply(rows, await service.query_context())
        if args.json:
            emit_json([summary_json(row) for row in rows])
            return 0
        head = results[0].value
        last = results[-1].value.page
        span = f"page {head.page}" if last == head.page else f"pages {head.page}-{last}"
        print(f"{head.name or ref.key} · {span} of {head.total_pages} · "
              f"{len(rows)} threads · {head.total_posts if head.total_posts is not None else '?'}"
              " posts")
        print(_table(rows) if rows else "(no threads)")
        return 0

    return run(args, body)


def _query(text: str) -> Query:
    try:
        return Query.parse(text)
    except QueryError as exc:
        end = exc.position + exc.length
        marked = f"{text[:exc.position]}⟦{text[exc.position:end]}⟧{text[end:]}"
        raise UsageError(f"bad filter at column {exc.position + 1}: {exc}: {marked}") from exc


def cmd_search(args: argparse.Namespace) -> int:
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
            snippet = "".join(f"{bold}{t}{plain}" if match else t
                              for t, match in snippet_parts(hit.snippet))
            url = post_url(hit.thread_id, None if hit.kind == "question" else hit.post_id, base)
            print(f"{hit.thread_id}  {hit.title}  ({where})\n    {snippet}\n    {url}")
        return 0

    args.offline = True  # the index is local: searching never needs the network
    return run(args, body)


def cmd_show(args: argparse.Namespace) -> int:
    ref = parse_thread_ref(args.thread)

    async def body(service: ForumService) -> int:
        result = await service.thread(ref.id, refresh=args.refresh)
        report_source(result)
        thread = result.value
        if args.json:
            emit_json(thread_json(thread))
        else:
            sys.stdout.write(thread_markdown(thread))
        return 0

    return run(args, body)


def cmd_sync(args: argparse.Namespace) -> int:
    ref, _page, sort, order = _listing_args(args)
    if args.pages is not None and args.pages < 1:
        raise UsageError("--pages must be at least 1")

    async def body(service: ForumService) -> int:
        if service.offline:
            raise UsageError("sync needs the network; drop --offline / NEREADER_OFFLINE")
        summary = await service.sync(ref, args.pages, threads=args.threads, sort=sort,
                                     order=order, progress=ProgressBar())
        if args.json:
            emit_json(summary)
        else:
            print(
                f"synced {ref.key}: {summary.listing_pages} listing pages "
                f"({summary.listing_fresh} already fresh), {summary.threads} threads fetched "
                f"({summary.thread_pages} pages), {summary.threads_skipped} unchanged, "
                f"{summary.bytes / 1024:.0f} KiB downloaded, {len(summary.failures)} failures"
            )
            for failure in summary.failures:
                print(f"  failed: {failure}", file=sys.stderr)
        return 3 if summary.failures and not (summary.threads or summary.threads_skipped) else 0

    return run(args, body)


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:60].strip("-") or "thread"


def cmd_bookmarks(args: argparse.Namespace) -> int:
    action = args.action or "list"
    if action in {"add", "remove"} and not args.target:
        raise UsageError(f"bookmarks {action} needs a thread id or URL")
    if action == "import" and not args.target:
        raise UsageError("bookmarks import needs a FILE")

    async def body(service: ForumService) -> int:
        store = service.bookmarks
        if action == "add":
            ref = parse_thread_ref(args.target)
            mark, warning = await service.bookmark(ref.id, args.note or "", tuple(args.label))
            if warning:
                warn(warning)
            if args.json:
                emit_json(mark.to_json())
            else:
                print(f"bookmarked {mark.id}: {mark.title}")
        elif action == "remove":
            ref = parse_thread_ref(args.target)
            if not await service.unbookmark(ref.id):
                raise UsageError(f"thread {ref.id} is not bookmarked")
            print(f"removed bookmark {ref.id}")
        elif action == "import":
            try:
                text = await asyncio.to_thread(Path(args.target).read_text, encoding="utf-8")
                data = json.loads(text)
            except (OSError, ValueError) as exc:
                raise UsageError(f"cannot read {args.target}: {exc}") from exc
            added, updated = await service.import_bookmarks(data)
            print(f"imported {added} new bookmarks, merged {updated}"
                  + ("; `nereader bookmarks check` fetches them for offline reading"
                     if added else ""))
        elif action == "export":
            if args.markdown:
                count = await _export_markdown(service, Path(args.markdown))
                print(f"wrote {count} threads and index.md to {args.markdown}")
            else:
                emit_json(await asyncio.to_thread(store.export_json))
        elif action == "check":
            changes = await service.check_bookmarks(ProgressBar())
            if args.json:
                emit_json([{"id": c.bookmark.id, "title": c.bookmark.title,
                            "new_posts": list(c.new_posts), "replies": c.total_replies,
                            "error": c.error, "stale": c.stale} for c in changes])
            for c in changes if not args.json else []:
                if c.error:
                    print(f"{c.bookmark.id}  {c.bookmark.title}: failed: {c.error}")
                elif c.new_posts:
                    print(f"{c.bookmark.id}  {c.bookmark.title}: +{len(c.new_posts)} new "
                          f"repl{'y' if len(c.new_posts) == 1 else 'ies'}")
                else:
                    print(f"{c.bookmark.id}  {c.bookmark.title}: no new replies"
                          + (" (offline copy)" if c.stale else ""))
            return 3 if changes and all(c.error for c in changes) else 0
        else:
            marks = await asyncio.to_thread(store.all)
            if args.json:
                emit_json([m.to_json() for m in marks])
            elif not marks:
                print("no bookmarks yet: nereader bookmarks add THREAD (or b in the app)")
            else:
                for m in marks:
                    extra = " ".join(f"#{label}" for label in m.labels)
                    note = f" — {m.note}" if m.note else ""
                    print(f"{m.id}  {m.title}  {extra}{note}".rstrip())
        for message in store.warnings:
            warn(message)
        return 0

    if action in {"list", "remove", "import"} or (action == "export" and not args.markdown):
        args.offline = True  # local state only: no socket
    return run(args, body)


async def _export_markdown(service: ForumService, target: Path) -> int:
    from nereader.core.store import atomic_write_text

    marks = await asyncio.to_thread(service.bookmarks.all)
    lines = ["# Bookmarks", ""]
    written = 0
    for mark in marks:
        thread = await service.cached_thread(mark.id)
        if thread is None and not service.offline:
            try:
                thread = (await service.thread(mark.id)).value
            except NereaderError as exc:
                warn(f"thread {mark.id} is not cached and could not be fetched: {exc}")
        name = f"{mark.id}-{_slug(mark.title)}.md"
        if thread is None:
            lines.append(f"- {mark.title} <{mark.url}> (not available offline)")
            continue
        front = {
            "id": thread.id, "title": thread.title, "url": thread.url,
            "tags": [t.slug for t in thread.tags],
            "fetched_at": thread.fetched_at.isoformat() if thread.fetched_at else None,
            "accepted_answer_id": thread.accepted_answer_id,
            "note": mark.note, "labels": list(mark.labels),
        }
        await asyncio.to_thread(atomic_write_text, target / name,
                                thread_markdown(thread, front_matter=front))
        labels = " ".join(f"#{label}" for label in mark.labels)
        lines.append(f"- [{thread.title}]({name}) {labels}".rstrip()
                     + (f" — {mark.note}" if mark.note else ""))
        written += 1
    await asyncio.to_thread(atomic_write_text, target / "index.md", "\n".join(lines) + "\n")
    return written


def cmd_cache(args: argparse.Namespace) -> int:
    async def body(service: ForumService) -> int:
        if args.action == "clear":
            removed = await service.cache_clear(include_pinned=args.all)
            kept = "" if args.all else " (pinned pages kept; --all removes them too)"
            print(f"removed {removed} cached pages{kept}")
            return 0
        info = await service.cache_info()
        if args.json:
            emit_json(info)
        else:
            print(f"cache: {info.directory}\n"
                  f"pages: {info.pages} ({info.pinned} pinned)\n"
                  f"size:  {info.bytes / 2**20:.1f} MiB of {info.size_limit / 2**20:.0f} MiB "
                  f"({info.pinned_bytes / 2**20:.1f} MiB pinned, never evicted)")
        return 0

    args.offline = True  # cache commands never need the network
    return run(args, body)


# -- parsers ---------------------------------------------------------------------------------
def _common() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument("--offline", action="store_true",
                        help="never touch the network; read only the cache (NEREADER_OFFLINE=1)")
    common.add_argument("--base-url", help="forum base URL, http(s) only (NEREADER_BASE_URL)")
    common.add_argument("--cache-dir", help="page cache folder (NEREADER_CACHE_DIR)")
    common.add_argument("--data-dir", help="bookmarks and state folder (NEREADER_DATA_DIR)")
    common.add_argument("--demo", action="store_true",
                        help="use the bundled fixture forum instead of the site (no network)")
    common.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    return common


def _listing_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("tag", nargs="?", help=f"tag slug or listing URL (default {DEFAULT_TAG})")
    p.add_argument("--sort", help=f"one of {', '.join(SORTS)}")
    p.add_argument("--order", help="asc or desc")


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(prog="nereader", description="A terminal reader for the Apple Developer "
                     "Forums. Without a command, opens the app on TAG.", parents=[common])
    parser.add_argument("--version", action="version", version=f"nereader {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("list", parents=[common], help="list a tag's threads")
    _listing_options(p)
    pages = p.add_mutually_exclusive_group()
    pages.add_argument("--page", type=int, help="start at this page (default 1)")
    pages.add_argument("--all", action="store_true", help="every page of the tag")
    p.add_argument("--pages", type=int, help="this many pages from the start page")
    p.add_argument("--filter", metavar="QUERY",
                   help="filter the rows, e.g. 'is:unanswered replies:>2 activity:<7d'")
    p.add_argument("--json", action="store_true", help="a JSON array for scripts")
    p.add_argument("--refresh", action="store_true", help="revalidate even fresh cached pages")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("search", parents=[common], help="full-text search of cached threads")
    p.add_argument("query", nargs="?", help='words, "phrases", OR, -word, prefix*')
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--rebuild", action="store_true", help="rebuild the index from the cache")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("show", parents=[common], help="read a whole thread")
    p.add_argument("thread", help="thread id or any forum thread URL")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON for scripts")
    fmt.add_argument("--markdown", action="store_true", help="Markdown (the default output)")
    p.add_argument("--refresh", action="store_true", help="revalidate even fresh cached pages")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("sync", parents=[common], help="fill the cache for offline reading")
    _listing_options(p)
    p.add_argument("--pages", type=int, help="listing pages to sync (default: all)")
    p.add_argument("--threads", action=argparse.BooleanOptionalAction, default=True,
                   help="also fetch every listed thread (default yes)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_sync, page=None)

    p = sub.add_parser("bookmarks", parents=[common],
                       help="list, add, remove, export, import or check bookmarks")
    p.add_argument("action", nargs="?",
                   choices=["list", "add", "remove", "export", "import", "check"])
    p.add_argument("target", nargs="?", help="thread id or URL (add, remove); FILE (import)")
    p.add_argument("--note", help="with add: a note")
    p.add_argument("--label", action="append", default=[], help="with add: a label (repeat)")
    p.add_argument("--markdown", metavar="DIR",
                   help="with export: one Markdown file per thread plus index.md")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bookmarks)

    p = sub.add_parser("cache", parents=[common], help="cache info or clear")
    p.add_argument("action", choices=["info", "clear"])
    p.add_argument("--all", action="store_true", help="with clear: remove pinned pages too")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cache)

    p = sub.add_parser("parse", parents=[common], help="parse a saved page and print JSON")
    p.add_argument("file", help="an HTML or RSS file, or - for standard input")
    p.add_argument("--url", help="the URL the page came from (helps detect its kind)")
    p.set_defaults(func=cmd_parse)
    return parser


def build_app_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nereader", parents=[_common()],
                     description="Open the nereader app on a tag. Commands: "
                     + ", ".join(COMMANDS) + " (nereader COMMAND --help).")
    parser.add_argument("--version", action="version", version=f"nereader {__version__}")
    parser.add_argument("tag", nargs="?", help=f"tag slug or listing URL (default {DEFAULT_TAG})")
    return parser


def cmd_app(args: argparse.Namespace) -> int:
    from nereader.ui.app import run_app

    ref, _page, sort, order = parse_listing_ref(args.tag or DEFAULT_TAG)
    return run_app(build_service(args), ref, sort, order, demo=args.demo)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list or os.environ.get("NEREADER_DEBUG") == "1"
    try:
        command = next((a for a in args_list if not a.startswith("-")), None)
        if command in COMMANDS or "-h" in args_list[:1] or "--help" in args_list[:1]:
            args = build_parser().parse_args(args_list)
            if args.command is None:
                build_parser().print_help()
                return 0
            result: int = args.func(args)
            return result
        return cmd_app(build_app_parser().parse_args(args_list))
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
