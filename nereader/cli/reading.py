"""`nereader show`, `nereader search` and `nereader parse`: read threads, search the cache or
the site, read a saved page."""

from __future__ import annotations

import argparse
import shlex
import sys

from nereader.cli.common import (
    ProgressBar,
    emit_json,
    given_flags,
    next_command,
    read_bounded,
    report_source,
    run,
    thread_ref,
    warn,
    whole_number,
)
from nereader.core.errors import PastTheEnd, UsageError
from nereader.core.export import cut_warning, thread_json, thread_markdown
from nereader.core.models import HitKind, SiteHit, to_jsonable
from nereader.core.service import MAX_PAGE_BYTES, ForumService, parse_page
from nereader.core.text import clean, plural, snippet_parts
from nereader.core.urls import post_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("show", parents=[common], help="read a whole thread",
                       description="Show a whole thread (every reply page): on a terminal "
                       "rendered and paged through $PAGER (less -R), piped as Markdown, or as "
                       "JSON.")
    p.add_argument("thread", metavar="THREAD", help="thread id or any forum thread URL")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON for scripts")
    fmt.add_argument("--markdown", action="store_true",
                     help="Markdown, even on a terminal (what a pipe gets)")
    p.add_argument("--refresh", action="store_true", help="revalidate even fresh cached pages")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("search", parents=[common],
                       help="search cached threads, or the site (--site)",
                       description="Search every cached thread (offline), best matches first; "
                       "with --site, the forum's own search (threads and replies, cached like "
                       "a listing).")
    p.add_argument("query", nargs="*", metavar="QUERY",
                   help='words, "phrases", OR, -word, prefix* (with --site: the site\'s words); '
                   "a first word that starts with - goes after -- (search --site -- -word)")
    p.add_argument("--site", action="store_true", help="search the site, not the cache")
    p.add_argument("--page", type=whole_number,
                   help="with --site: this page of results (default 1)")
    p.add_argument("--refresh", action="store_true",
                   help="with --site: ask the site even when the cached result is fresh")
    p.add_argument("--limit", type=whole_number, default=20,
                   help="at most this many hits (default 20; with --site: of the page's)")
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
    ref = thread_ref(args, args.thread)

    async def body(service: ForumService) -> int:
        counter = PageCounter()
        try:
            result = await service.thread(ref.id, refresh=args.refresh, progress=counter)
        finally:
            counter.clear()
        report_source(result, args)
        if cut := cut_warning(result.value):
            warn(cut, args)
        if result.value.notice:  # its text stands in for posts that could not be read
            warn(f"{result.value.notice}; `nereader doctor` says what changed", args)
        if args.json:
            emit_json(thread_json(result.value))
        elif args.markdown or not sys.stdout.isatty():
            sys.stdout.write(thread_markdown(result.value))
        else:
            from nereader.cli import pager  # Rich, only for a terminal

            problem = pager.show(result.value)
            if problem:
                warn(problem, args)
        return 0

    return run(args, body)


class PageCounter:
    """"reading the thread: page 37 of 1,000…" on stderr, one line written over as pages
    arrive, when stderr is a terminal and the thread has more than one page; cleared at the
    end, so what follows (a warning, the pager) starts on a clean line."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.shown = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled or total <= 1:
            return
        sys.stderr.write(f"\rreading the thread: page {done:,} of {total:,}…\x1b[K")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False


def cmd_search(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    args.query = " ".join(args.query)  # the words of the query, quoted or not
    if args.site:
        return site_search(args)
    if args.page is not None or args.refresh:
        raise UsageError("--page and --refresh go with --site (the site's search)")

    async def body(service: ForumService) -> int:
        if args.rebuild:
            threads, posts = await service.rebuild_index(ProgressBar())
            print(f"indexed {plural(threads, 'cached thread')} ({plural(posts, 'post')})",
                  file=sys.stderr)
            if not args.query:
                return 0
        if not args.query:
            raise UsageError("search needs a QUERY (or --rebuild)")
        hits = await service.search(args.query, args.limit, strict=True)
        if args.json:
            emit_json([{**to_jsonable(h), **snippet_json(h.snippet)} for h in hits])
            return 0
        if not hits:
            print("no matches in the cached threads (sync or open threads to index them)")
            return 0
        base = service.settings.base_url
        mark = bold if sys.stdout.isatty() else bracketed
        for hit in hits:
            where = "question" if hit.kind == "question" else f"{hit.kind} by {hit.author}"
            snippet = "".join(mark(clean(t), match) for t, match in snippet_parts(hit.snippet))
            url = post_url(hit.thread_id, None if hit.kind == "question" else hit.post_id, base)
            print(f"{hit.thread_id}  {clean(hit.title)}  ({clean(where)})\n    {snippet}\n"
                  f"    {url}")
        return 0

    return run(args, body, local_only=True)  # the index is local: never the network


def bold(text: str, match: bool) -> str:
    """A snippet's part on a terminal: a match in bold (the text has no escapes left)."""
    return f"\x1b[1m{text}\x1b[0m" if match else text


_ESCAPED = str.maketrans({"\\": "\\\\", "⟦": "\\⟦", "⟧": "\\⟧"})


def bracketed(text: str, match: bool) -> str:
    """A snippet's part in a pipe: a match between ⟦ and ⟧, and the text's own ⟦, ⟧ and
    \\ escaped with a backslash, so a match never reads as the site's brackets (it was
    ``[word]``, and a post's "[word]" looked the same)."""
    text = text.translate(_ESCAPED)
    return f"⟦{text}⟧" if match else text


def snippet_json(snippet: str) -> dict[str, object]:
    """A snippet for scripts: its text, and where each match is in it (``[start, end]``)."""
    text, matches = "", []
    for part, match in snippet_parts(snippet):
        if match:
            matches.append([len(text), len(text) + len(part)])
        text += part
    return {"snippet": text, "matches": matches}


def hit_json(hit: SiteHit) -> dict[str, object]:
    """The object ``nereader search --site --json`` prints for one hit."""
    return {
        "kind": hit.kind.value,
        "thread_id": hit.thread_id,
        "reply_id": hit.reply_id,
        "title": hit.title,
        "excerpt": hit.excerpt,
        "replies": hit.replies,
        "boosts": hit.boosts,
        "views": hit.views,
        "views_text": hit.views_text,
        "activity": hit.activity_text,
        "activity_at": hit.activity_at.isoformat() if hit.activity_at else None,
        "answered": hit.answered,
        "apple_recommended": hit.apple_recommended,
        "tags": list(hit.tags),
        "url": hit.url,
    }


def site_search(args: argparse.Namespace) -> int:
    """``search --site``: one page of the site's own search."""
    if args.rebuild:
        raise UsageError("--rebuild rebuilds the local index; it does not go with --site")
    query = " ".join((args.query or "").split())
    if not query:
        raise UsageError("search --site needs a QUERY")
    if args.page is not None and args.page < 1:
        raise UsageError("--page must be at least 1")

    async def body(service: ForumService) -> int:
        asked = args.page or 1
        past = (f"page {asked} of the site's results for {clean(query)!r} is past the last "
                "page ({})")
        try:
            result = await service.site_search(query, asked, refresh=args.refresh)
        except PastTheEnd as exc:  # the site served its last page (or its one) instead
            if exc.total is None:
                raise
            raise PastTheEnd(past.format(exc.total), exc.total) from exc
        report_source(result, args)
        found = result.value
        if not found.hits and found.page > 1:
            # An empty page past the end is "not found" (exit 6), as a listing's is: a
            # script paging on stops there. Page 1 says how many pages there are.
            last = (await service.site_search(query, 1)).value.total_pages
            raise PastTheEnd(past.format(last), last)
        hits = found.hits[:args.limit]
        if args.json:
            emit_json([hit_json(hit) for hit in hits])
            return 0
        if not found.hits:
            print(f"no results for {clean(query)!r} on the site")
            return 0
        total = "?" if found.total_results is None else found.total_results
        shown = f" · the first {len(hits)}" if len(hits) < len(found.hits) else ""
        print(f"{plural_results(total)} for {clean(query)!r} on the site · page {found.page} "
              f"of {found.total_pages}{shown}")
        for hit in hits:
            print(_hit_text(hit))
        if found.page < found.total_pages:
            words, page = shlex.quote(query), f"--page {found.page + 1}"
            more = (f"search --site {page} -- {words}" if query.startswith("-")
                    else f"search --site {words} {page}")
            print(f"more: {next_command(more, given_flags(args))}")
        return 0

    return run(args, body)


def plural_results(total: int | str) -> str:
    return plural(total, "result") if isinstance(total, int) else f"{total} results"


def _hit_text(hit: SiteHit) -> str:
    """Four lines a hit; a reply hit says so ("↳ Reply to", "reply N in")."""
    reply = hit.kind is HitKind.REPLY
    mark = f"reply {hit.reply_id} in the thread" if reply else "thread"
    facts = [mark, plural(hit.replies, "reply", "replies"), plural(hit.boosts, "boost"),
             clean(hit.views_text) + " views" if hit.views_text else plural(hit.views, "view"),
             clean(hit.activity_text)]
    if hit.answered:
        facts.append("answered")
    excerpt = clean(hit.excerpt)
    excerpt = excerpt if len(excerpt) <= 160 else excerpt[:159] + "…"
    title = ("↳ Reply to: " if reply else "") + clean(hit.title)
    return (f"{hit.thread_id}  {title}\n    {' · '.join(f for f in facts if f)}\n"
            f"    {excerpt}\n    {hit.url}")


def cmd_parse(args: argparse.Namespace) -> int:
    content = read_bounded(args.file, MAX_PAGE_BYTES, "a forum page")
    emit_json(parse_page(content, args.url))
    return 0
