"""What the main screen shows, as one value: the status line and the banner render it."""

from __future__ import annotations

from dataclasses import dataclass

from nereader.core.models import Activity
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
    stale_note: str = ""  # why the rows are an old copy, if they are
    demo: bool = False

    @property
    def title(self) -> str:
        if self.bookmarks:
            return "Bookmarks (v: back to the listing)"
        return self.name or self.ref.key


def mode_text(activity: Activity, stale: bool) -> str:
    if activity.offline:
        return "offline"
    if activity.network_down:
        return "network down"
    return "stale" if stale else "online"


def status_text(state: ListState, activity: Activity) -> str:
    sort = state.sort or "site default"
    if state.list_sort:
        sort += f" · list by {state.list_sort} {'▼' if state.list_reverse else '▲'}"
    shown = f"{state.rows_shown} shown · " if state.rows_shown != state.rows_loaded else ""
    total = state.total_posts if state.total_posts is not None else "?"
    pages = f"p{state.pages_loaded}/{state.total_pages}" if state.total_pages else "…"
    parts = [state.title, f"sort {sort}",
             f"{shown}{state.rows_loaded} of {total} loaded ({pages})",
             mode_text(activity, bool(state.stale_note))]
    if state.demo:
        parts.append("demo")
    if activity.in_flight:
        parts.append(f"{activity.in_flight} in flight")
    return "  ·  ".join(parts)


def banner_text(state: ListState, activity: Activity) -> str:
    if activity.offline:
        return "OFFLINE: reading the cache only" + (
            f" ({state.stale_note})" if state.stale_note else "")
    if activity.network_down:
        return "NETWORK DOWN: reading the cache; retrying later"
    return f"STALE: {state.stale_note}" if state.stale_note else ""
