"""What the main screen shows, as one value: its list session derives it, the status line and
the banner render it (``widgets/status.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from nereader.core.urls import ListingRef


@dataclass(frozen=True, slots=True)
class ListState:
    """The list pane's state: which listing, how it is sorted, how much of it is loaded."""

    ref: ListingRef
    sort: str | None = None  # the site's sort of the listing
    order: str | None = None
    name: str = ""  # the listing's display name, once loaded
    total_posts: int | None = None
    total_pages: int = 0
    pages_loaded: int = 0
    rows_loaded: int = 0
    rows_shown: int = 0
    list_sort: str | None = None  # the loaded rows sorted locally (s / S)
    list_reverse: bool = True
    bookmarks: bool = False  # the list shows the bookmarks instead of the listing
    batch: str = ""  # the list shows the inbox or a section (its title) instead
    stale_note: str = ""  # why the rows are an old copy, if they are
    demo: bool = False
    back: str = ""  # the way back from here ("esc: back to the list"), said before the rest
    progress: str = ""  # "page 3 of 11" while pages load
    retry_at: float | None = None  # monotonic time of the next automatic try after an outage
    feed_note: str = ""  # the rows are the listing's RSS feed, standing in for its page: why
    caveat: str = ""  # what the filter or the sort cannot judge (counts the rows do not have)
    trail: str = ""  # threads behind the one read, followed by their links ("← 2")

    @property
    def title(self) -> str:
        return "Bookmarks" if self.bookmarks else self.batch or self.name or self.ref.key
