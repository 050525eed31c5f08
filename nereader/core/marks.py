"""The marks a thread row carries, as glyphs: one definition for the list, the CLI and exports."""

from __future__ import annotations

from datetime import datetime

from nereader.core.models import ThreadSummary
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
