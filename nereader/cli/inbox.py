"""`nereader inbox`: every followed listing's and bookmark's thread that is unread or has news
since it was read, one list, from the cache; a section of the home screen with ``--section``."""

from __future__ import annotations

import argparse
import shutil
from typing import TYPE_CHECKING

from nereader.cli.common import count_text, emit_json, fit, run, warn
from nereader.cli.listing import parse_query
from nereader.core.errors import UsageError
from nereader.core.service import ForumService
from nereader.core.text import clean, plural

if TYPE_CHECKING:
    from nereader.core.models import Inbox, InboxItem


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("inbox", parents=[common], help="every unread thread of the followed "
                       "listings and bookmarks, one list", description="One list of every "
                       "thread of the followed listings and the bookmarks that is unread, or "
                       "has new replies (a bookmark: new posts) since you read it, newest "
                       "activity first, each with the listing it is in. From the cache: "
                       "`nereader sync` (or r on the home screen) refreshes it.")
    p.add_argument("--all", action="store_true", help="read threads too")
    p.add_argument("--section", metavar="NAME",
                   help="the threads of a home-screen section ([[sections]] in the config "
                   "file) instead")
    p.add_argument("--filter", metavar="QUERY",
                   help="filter the threads, e.g. 'is:unanswered is:staff'")
    p.add_argument("--json", action="store_true", help="a JSON array for scripts")
    p.set_defaults(func=cmd_inbox)


def cmd_inbox(args: argparse.Namespace) -> int:
    query = parse_query(args.filter) if args.filter else None
    if args.section is not None and not args.section.strip():
        raise UsageError("--section needs a section's name (see `nereader following`)")
    if args.section and args.all:
        raise UsageError("--all is for the inbox; a section holds what its query matches")

    async def body(service: ForumService) -> int:
        if args.section:
            inbox = await service.section(args.section)
        else:
            if not await service.following() and not await service.bookmarks():
                warn("following nothing and no bookmarks: `nereader follow LISTING` adds a "
                     "listing to the inbox", args)
            inbox = await service.inbox(include_read=args.all)
        if inbox.note:
            warn(inbox.note, args)
        items = list(inbox.items)
        if query is not None:
            rows = [item.row for item in items]
            if caveat := query.caveat(rows):
                warn(caveat, args)
            kept = {row.id for row in query.apply(rows, await service.query_context())}
            items = [item for item in items if item.row.id in kept]
        if args.json:
            from nereader.core.export import inbox_json

            emit_json([inbox_json(item, inbox.names) for item in items])
            return 0
        print(headline(inbox, items))
        print(inbox_table(inbox, items) if items else "(nothing new)")
        return 0

    return run(args, body, local_only=True)


def headline(inbox: Inbox, items: list[InboxItem]) -> str:
    """What the list is, and what is new in it."""
    unread = sum(1 for i in items if i.unread)
    replies = sum(1 for i in items if i.new_replies)
    posts = sum(1 for i in items if i.new_posts)
    parts = [clean(inbox.title)]
    if inbox.query:
        where = clean(inbox.names.get(inbox.listing, inbox.listing)) if inbox.listing else "inbox"
        parts.append(f"{inbox.query} over the {where}" if where == "inbox"
                     else f"{inbox.query} over {where}")
    parts.append(f"{plural(len(items), 'thread')}: {unread} unread, {replies} with new replies"
                 + (f", {plural(posts, 'bookmark')} with new posts" if posts else ""))
    return " · ".join(parts)


def news(item: InboxItem) -> str:
    """What is new in a thread, in a few cells: "new" (never opened), "+3" (replies since it
    was read), "⚑+2" (posts of a bookmark not seen)."""
    if item.new_posts:
        return f"⚑+{item.new_posts}"
    if item.new_replies:
        return f"+{item.new_replies}"
    if item.unread:
        return "new"
    return "⚑" if item.bookmarked else ""


def inbox_table(inbox: Inbox, items: list[InboxItem]) -> str:
    from rich.cells import cell_len

    cols = shutil.get_terminal_size((100, 24)).columns
    place = min(24, max(len("listing"), *(cell_len(clean(inbox.where(i))) for i in items)))
    fixed = 9 + 2 + 5 + 2 + 2 + place + 2 + 7 + 1 + 7
    title_width = max(20, cols - fixed)
    out = [f"{'id':>9}  {'new':<5}  {'title':<{title_width}}  {'listing':<{place}}  "
           f"{'replies':>7} {'active':>7}"]
    for item in items:
        row = item.row
        title = fit(clean(row.title), title_width)
        listing = fit(clean(inbox.where(item)), place)
        out.append(f"{row.id:>9}  {news(item):<5}  {title}  {listing}  "
                   f"{count_text(row.replies):>7} {clean(row.activity_text):>7}")
    return "\n".join(out)
