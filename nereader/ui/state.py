"""What the main screen shows, as one value: the status line and the banner render it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from nereader.core.models import Activity
from nereader.core.text import plural
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
    back: str = ""  # the way back from here ("esc: back to the list"), said before the rest
    progress: str = ""  # "page 3 of 11" while pages load
    retry_at: float | None = None  # monotonic time of the next automatic try after an outage

    @property
    def title(self) -> str:
        return "Bookmarks" if self.bookmarks else self.name or self.ref.key


def mode_text(activity: Activity, stale: bool, demo: bool = False) -> str:
    """offline, network down, or online (demo, for the bundled forum), and a stale copy."""
    if activity.offline:
        return "offline"
    if activity.network_down:
        return "network down"
    mode = "demo" if demo else "online"
    return f"{mode} (stale copy)" if stale else mode


def status_parts(state: ListState, activity: Activity) -> tuple[str, str]:
    """The status line as (what is listed, how to read it): the second part is never cut."""
    if state.bookmarks:
        loaded = plural(state.rows_loaded, "bookmark")
        if state.rows_shown != state.rows_loaded:
            loaded = f"{state.rows_shown} of {loaded} shown"
        left = [state.title, loaded]
    else:
        sort = state.sort or "site order"
        total = state.total_posts if state.total_posts is not None else "?"
        shown = f"{state.rows_shown} shown · " if state.rows_shown != state.rows_loaded else ""
        pages = (f"{plural(state.pages_loaded, 'page')} of {state.total_pages}"
                 if state.total_pages else "…")
        left = [state.title, f"sort {sort}",
                f"{shown}{state.rows_loaded} of {total} loaded ({pages})"]
    if state.list_sort:
        left.append(f"list by {state.list_sort} {'▼' if state.list_reverse else '▲'}")
    right = [state.progress] if state.progress else []
    if activity.in_flight:
        right.append(f"{activity.in_flight} in flight")
    if activity.retrying:
        right.append(activity.retrying)
    right.append(mode_text(activity, bool(state.stale_note), state.demo))
    if state.back:
        right.append(state.back)
    return " · ".join(left), " · ".join(right)


def banner_text(state: ListState, activity: Activity, now: float | None = None) -> str:
    """The one-line banner; ``now`` (monotonic) counts down to the next automatic try."""
    if activity.offline:
        return "OFFLINE: reading the cache only (ctrl+o goes online)" + (
            f" · {state.stale_note}" if state.stale_note else "")
    if activity.network_down:
        retry = ""
        if state.retry_at is not None and now is not None:
            seconds = max(0, math.ceil(state.retry_at - now))
            retry = f" · next try in {seconds}s" if seconds else " · trying again now"
        return f"NETWORK DOWN: reading the cache{retry} · r retries now"
    return f"STALE: {state.stale_note} · r refreshes" if state.stale_note else ""
