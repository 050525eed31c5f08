"""`nereader list` and `nereader sync`: a listing as a table or JSON; filling the cache."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from nereader.cli.common import (
    ProgressBar,
    build_settings,
    emit_json,
    report_source,
    run,
    table,
    warn,
    whole_number,
)
from nereader.cli.following import report_sync, sync_all, sync_line, sync_stopped
from nereader.core.errors import UsageError
from nereader.core.export import summary_json
from nereader.core.models import RowSource, ThreadSummary
from nereader.core.service import ForumService
from nereader.core.text import plural
from nereader.core.urls import (
    DEFAULT_TAG,
    SORTS,
    ListingRef,
    normalise_order,
    normalise_sort,
    parse_listing_ref,
)

if TYPE_CHECKING:
    from nereader.core.query import Query


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("list", parents=[common], help="list a tag's threads",
                       description="List a tag's (or topic's) threads as a table or JSON; "
                       "`nereader list allposts` lists every thread of the forum.")
    _listing_options(p)
    pages = p.add_mutually_exclusive_group()
    pages.add_argument("--page", type=whole_number, help="start at this page (default 1)")
    pages.add_argument("--all", action="store_true", help="every page of the tag")
    p.add_argument("--pages", type=whole_number, help="this many pages from the start page")
    p.add_argument("--filter", metavar="QUERY",
                   help="filter the rows, e.g. 'is:unanswered replies:>2 activity:<7d'")
    p.add_argument("--json", action="store_true", help="a JSON array for scripts")
    p.add_argument("--refresh", action="store_true", help="revalidate even fresh cached pages")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("sync", parents=[common], help="fill the cache for offline reading",
                       description="Fetch a tag's pages and threads into the cache; fresh "
                       "pages and unchanged threads are skipped, so a rerun resumes. With no "
                       "LISTING and listings followed: every followed listing and every "
                       "bookmarked thread, in one polite queue.")
    _listing_options(p)
    p.add_argument("--pages", type=whole_number, help="listing pages to sync (default: all)")
    p.add_argument("--threads", action=argparse.BooleanOptionalAction, default=True,
                   help="also fetch every listed thread (default yes)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_sync, page=None)


def _listing_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("tag", nargs="?", metavar="LISTING",
                   help="tag slug, topics/PATH, allposts or a listing URL (default: the "
                   f"config's default_listing, {DEFAULT_TAG})")
    p.add_argument("--sort", help=f"one of {', '.join(SORTS)}")
    p.add_argument("--order", help="asc or desc")


def listing_args(args: argparse.Namespace) -> tuple[ListingRef, int, str | None, str | None]:
    settings = build_settings(args)
    # An empty LISTING ("") is a mistake (an unset variable), never the default listing.
    given = args.tag if args.tag is not None else settings.default_listing
    ref, page, sort, order = parse_listing_ref(given, settings.base_url)
    sort = normalise_sort(args.sort) if args.sort else sort
    order = normalise_order(args.order) if args.order else order
    if args.page is not None and args.page < 1:
        raise UsageError("--page must be at least 1")
    return ref, args.page or page, sort, order


def parse_query(text: str) -> Query:
    from nereader.core.query import Query, QueryError

    try:
        return Query.parse(text)
    except QueryError as exc:
        raise UsageError(exc.one_line(text)) from exc


def cmd_list(args: argparse.Namespace) -> int:
    ref, page, sort, order = listing_args(args)
    query = parse_query(args.filter) if args.filter else None
    if args.pages is not None and args.pages < 1:
        raise UsageError("--pages must be at least 1")
    if args.all and args.pages is not None:
        raise UsageError("--pages and --all do not go together: --all lists every page, "
                         "--pages N that many from --page (see 'nereader list --help')")
    pages: int | None = None if args.all else (args.pages or 1)

    async def body(service: ForumService) -> int:
        results = await service.listing_pages(
            ref, pages, sort, order, refresh=args.refresh, start=page,
            progress=ProgressBar() if pages != 1 else None)
        for r in results:
            report_source(r, args)
            if r.value.notice:  # the RSS feed stood in for a page that could not be read
                warn(f"{r.value.notice}; `nereader doctor {ref.key}` says what changed", args)
        rows: list[ThreadSummary] = []
        seen: set[int] = set()
        for r in results:
            for row in r.value.rows:
                if row.id not in seen:
                    seen.add(row.id)
                    rows.append(row)
        if query is not None:
            if caveat := query.caveat(rows):
                warn(caveat, args)
            rows = query.apply(rows, await service.query_context())
        if args.json:
            emit_json([summary_json(row) for row in rows])
            return 0
        head, last = results[0].value, results[-1].value.page
        span = f"page {head.page}" if last == head.page else f"pages {head.page}-{last}"
        span = ("its RSS feed (counts unknown)" if head.source is RowSource.FEED
                else f"{span} of {head.total_pages}")
        posts = "? posts" if head.total_posts is None else plural(head.total_posts, "post")
        print(f"{head.name or ref.key} · {span} · {plural(len(rows), 'thread')} · {posts}")
        print(table(rows) if rows else "(no threads)")
        return 0

    return run(args, body)


def cmd_sync(args: argparse.Namespace) -> int:
    if args.pages is not None and args.pages < 1:
        raise UsageError("--pages must be at least 1")
    if args.tag is None and build_settings(args).following:

        async def everything(service: ForumService) -> int:
            if service.offline:
                raise UsageError("sync needs the network; drop --offline / NEREADER_OFFLINE")
            return await sync_all(service, args)

        return run(args, everything)
    ref, _page, sort, order = listing_args(args)

    async def body(service: ForumService) -> int:
        if service.offline:
            raise UsageError("sync needs the network; drop --offline / NEREADER_OFFLINE")
        summary = await service.sync(ref, args.pages, threads=args.threads, sort=sort,
                                     order=order, progress=ProgressBar())
        if args.json:
            emit_json(summary)
        else:
            print(sync_line(ref.key, summary))
        report_sync(summary, args)
        if summary.stopped:
            raise sync_stopped(summary.stopped, summary.threads)
        return summary.exit_code

    return run(args, body)
