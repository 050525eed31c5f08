"""The status line (and its progress bar) and the banner, bound to the main screen's state: the
widgets and what they say."""

from __future__ import annotations

import math
import time

from rich.cells import cell_len
from rich.text import Text
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ProgressBar

from nereader.core.models import Activity
from nereader.core.text import plural
from nereader.core.urls import DEFAULT_TAG, parse_listing_ref
from nereader.ui.state import ListState
from nereader.ui.widgets.rows import fit


def mode_text(activity: Activity, stale: bool, demo: bool = False) -> str:
    """offline, network down, or online (demo, for the bundled forum), and a stale copy."""
    if activity.offline:
        return "offline"
    if activity.network_down:
        return "network down"
    mode = "demo" if demo else "online"
    return f"{mode} (stale copy)" if stale else mode


def status_parts(state: ListState, activity: Activity, width: int | None = None
                 ) -> tuple[str, str]:
    """The status line as (what is listed, how to read it): the second part is never cut.
    Given a ``width``, the first part fits in what the second leaves (see ``_fit_left``)."""
    right = [state.progress] if state.progress else []
    if activity.in_flight:
        right.append(f"{activity.in_flight} in flight")
    if activity.retrying:
        right.append(activity.retrying)
    right.append(mode_text(activity, bool(state.stale_note), state.demo))
    if state.trail:
        right.append(state.trail)
    if state.back:
        right.append(state.back)
    text = " · ".join(right)
    parts = _left_parts(state)
    if width is None:
        return " · ".join(p[0] for p in parts if p[0]), text
    return _fit_left(parts, width - cell_len(text) - 3), text


# Each part of the left side in the forms it may take, longest first ("" drops it), and the
# order in which they give way: the site's sort first, then the page count, the list's sort
# to its short form ("↓activity", never dropped), the counts to "80/201"; the title is cut
# last, with an ellipsis (a word, never a number).
_SHRINK = (1, 2, 1, 3, 2, 2)


def _left_parts(state: ListState) -> list[tuple[str, ...]]:
    if state.bookmarks or state.batch:
        loaded, shown = state.rows_loaded, state.rows_shown
        noun = "bookmark" if state.bookmarks else "thread"
        count: tuple[str, ...] = (plural(loaded, noun), str(loaded))
        if shown != loaded:
            count = (f"{shown} of {plural(loaded, noun)} shown", f"{shown}/{loaded} shown",
                     f"{shown}/{loaded}")
        parts: list[tuple[str, ...]] = [(state.title,), ("",), count]
    elif state.feed_note:  # the feed's latest threads, in the feed's order: no pages
        loaded, shown = state.rows_loaded, state.rows_shown
        count = (f"{plural(loaded, 'latest thread')}", str(loaded))
        if shown != loaded:
            count = (f"{shown} of {plural(loaded, 'latest thread')} shown", f"{shown}/{loaded}")
        parts = [(state.title,), ("from its RSS feed", "RSS feed", "feed"), count]
    else:
        sort = state.sort or "site order"
        site_sort = (f"sort {sort}", sort if state.sort else "", "")
        loaded, total = state.rows_loaded, state.total_posts
        known = total if total is not None else "?"
        of = f"{loaded} of {known} loaded"
        pages = (f" ({plural(state.pages_loaded, 'page')} of {state.total_pages})"
                 if state.total_pages else "")
        short = f"{loaded} rows" if loaded == total else f"{loaded}/{known}"
        if state.rows_shown != loaded:
            some = f"{state.rows_shown} shown · "
            count = (some + of + pages, some + of, some + short, f"{state.rows_shown}/{loaded}")
        else:
            count = (of + pages, of, short, short)
        parts = [(state.title,), site_sort, count]
    if state.list_sort:
        arrow, direction = ("▼", "↓") if state.list_reverse else ("▲", "↑")
        parts.append((f"list by {state.list_sort} {arrow}", f"{direction}{state.list_sort}"))
    return parts


def _fit_left(parts: list[tuple[str, ...]], room: int) -> str:
    """Whole parts in shorter forms until they fit in ``room``; then the title is cut."""
    choice = [0] * len(parts)

    def joined(title: str) -> str:
        rest = [p[c] for p, c in zip(parts[1:], choice[1:], strict=True) if p[c]]
        return " · ".join([title, *rest] if title else rest)

    for index in _SHRINK:
        if cell_len(joined(parts[0][0])) <= room:
            break
        if index < len(parts) and choice[index] + 1 < len(parts[index]):
            choice[index] += 1
    title = parts[0][0]
    over = cell_len(joined(title)) - room
    if over > 0:
        keep = cell_len(title) - over
        title = fit(title, keep) if keep >= 4 else ""
    for index in range(1, len(parts)):  # very narrow: whole parts go, the counts first
        if cell_len(joined(title)) <= room:
            break
        parts[index] = ("",)
        choice[index] = 0
    return joined(title)


def banner_text(state: ListState, activity: Activity, now: float | None = None) -> str:
    """The banner; ``now`` (monotonic) counts down to the next automatic try. After what the
    list's copy is (offline, network down, stale): the feed standing in for the listing's
    page, and what the filter or the sort cannot judge in its rows."""
    parts = []
    if activity.offline:
        parts.append("OFFLINE: reading the cache only (ctrl+o goes online)" + (
            f" · {state.stale_note}" if state.stale_note else ""))
    elif activity.network_down:
        retry = ""
        if state.retry_at is not None and now is not None:
            seconds = max(0, math.ceil(state.retry_at - now))
            retry = f" · next try in {seconds}s" if seconds else " · trying again now"
        parts.append(f"NETWORK DOWN: reading the cache{retry} · r retries now")
    elif state.stale_note:
        parts.append(f"STALE: {state.stale_note} · r refreshes")
    if state.feed_note and not state.bookmarks:
        parts.append(f"FEED: {state.feed_note}")
    if state.caveat:
        parts.append(state.caveat)
    if state.feed_note and not state.bookmarks and not activity.offline:
        parts.append("r tries the page again")
    return " · ".join(parts)


_IDLE = Activity(0, False, False)
_START = ListState(parse_listing_ref(DEFAULT_TAG)[0])


class StatusLine(Widget):
    """Listing, sort, rows loaded of total; then, never cut, progress, mode and the way back."""

    state: reactive[ListState] = reactive(_START, always_update=True)
    activity: reactive[Activity] = reactive(_IDLE)

    def render(self) -> Text:
        width = self.content_region.width or 80
        left, right = status_parts(self.state, self.activity, width)
        if width - cell_len(right) - 3 < 8:  # too narrow for both: the mode and the way back win
            return Text(fit(right, width), no_wrap=True)
        text = Text(fit(left, width - cell_len(right) - 3), no_wrap=True)  # right-aligned
        text.append(" · ", style="dim")
        text.append(right, style="bold")
        return text


class StatusRow(Horizontal):
    """The status line, and beside it a progress bar while every page loads."""

    def progress_bar(self, show: bool) -> ProgressBar | None:
        """The bar, mounted when asked for; ``show`` False removes it."""
        found = self.query("#progress")
        if show and not found:
            bar = ProgressBar(id="progress", show_eta=False, show_percentage=True)
            self.mount(bar)
            return bar
        if not show:
            found.remove()
            return None
        return found.first(ProgressBar)


class Banner(Widget):
    """A line (up to three when it must wrap) that says when the list is offline, the network
    is down (and when the next try is), a copy is stale, the RSS feed stands in for the
    listing's page, or the filter cannot judge some rows."""

    state: reactive[ListState] = reactive(_START, always_update=True)
    activity: reactive[Activity] = reactive(_IDLE)

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self._ticker: Timer | None = None
        self._lines = 0  # lines the text took when last laid out

    def render(self) -> Text:
        return Text(banner_text(self.state, self.activity, time.monotonic()),
                    overflow="ellipsis")

    def watch_state(self) -> None:
        self._update()

    def watch_activity(self) -> None:
        self._update()

    def on_resize(self) -> None:
        self._lines = self._count_lines(banner_text(self.state, self.activity))

    def _count_lines(self, text: str) -> int:
        width = self.content_size.width or self.size.width
        return len(Text(text).wrap(self.app.console, width)) if text and width else 0

    def _update(self) -> None:
        text = banner_text(self.state, self.activity)
        self.display = bool(text)
        # A layout only when the text takes another number of lines: the state changes with
        # every key typed in the filter, and a layout beside a long thread is not free.
        lines = self._count_lines(text)
        if lines != self._lines:
            self._lines = lines
            self.refresh(layout=True)
        counting = self.activity.network_down and self.state.retry_at is not None
        if counting and self._ticker is None:
            self._ticker = self.set_interval(1.0, self.refresh)  # the countdown
        elif not counting and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
