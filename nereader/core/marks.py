"""The marks a thread row carries, as glyphs: one definition for the list, the CLI and exports;
and the one rule of which posts of a thread are new since it was last read."""

from __future__ import annotations

from datetime import datetime

from nereader.core.models import LastRead, SinceLastRead, Thread, ThreadSummary
from nereader.core.query import Context

ANSWERED = "✓"
RECOMMENDED = "★"
BOOKMARKED = "⚑"
UNREAD_RECENT = "•"  # unread, and active since the last visit to the listing
UNREAD_OLDER = "·"
NEW_REPLIES = "↑"
UNKNOWN = "?"  # a row from the RSS feed: the feed does not say whether it was answered
LEGEND = (f"{ANSWERED} answered · {RECOMMENDED} Apple recommended · {BOOKMARKED} bookmarked · "
          f"{UNREAD_RECENT} unread and active since your last visit ({UNREAD_OLDER} older) · "
          f"{NEW_REPLIES} new replies since you read it · {UNKNOWN} not known (RSS feed)")


def answer_marks(row: ThreadSummary) -> str:
    """Two cells: answered, Apple recommended (unknown for a row read from the feed)."""
    if not row.marks_known:
        return UNKNOWN + " "
    return (ANSWERED if row.answered else " ") + (RECOMMENDED if row.apple_recommended else " ")


def row_marks(row: ThreadSummary, context: Context, last_visit: datetime | None = None) -> str:
    """Four cells: answered, recommended, bookmarked, and read state."""
    if context.new(row):
        fresh = NEW_REPLIES
    elif context.unread(row):
        recent = last_visit is None or row.activity_at is None or row.activity_at > last_visit
        fresh = UNREAD_RECENT if recent else UNREAD_OLDER
    else:
        fresh = " "
    return (answer_marks(row) + (BOOKMARKED if row.id in context.bookmarked else " ") + fresh)


def unseen_posts(thread: Thread, last: LastRead | None) -> SinceLastRead:
    """The posts of ``thread`` that are new since it was last read: for a bookmark, those not
    among the posts it had seen (exact); otherwise those written after the newest post seen
    then (or, for a reading recorded before that was kept, after the reading itself). A
    thread never read, or read as a page's text (no posts to tell apart), has none."""
    if last is None or thread.degraded:
        return SinceLastRead()
    if last.seen is not None:
        seen = last.seen
        return SinceLastRead(tuple(p.id for p in thread.posts if p.id not in seen), last.at)
    cut = last.through or last.at
    if cut is None:
        return SinceLastRead(since=last.at)
    return SinceLastRead(tuple(p.id for p in thread.posts
                               if p.created_at is not None and p.created_at > cut), last.at)
