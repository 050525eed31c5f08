"""The status line (and its progress bar) and the banner, bound to the main screen's state."""

from __future__ import annotations

import time

from rich.cells import cell_len
from rich.text import Text
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ProgressBar

from nereader.core.models import Activity
from nereader.core.urls import DEFAULT_TAG, parse_listing_ref
from nereader.ui.state import ListState, banner_text, status_parts
from nereader.ui.widgets.rows import fit

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
    """One line that says when the list is offline, the network is down (and when the next
    try is) or a copy is stale."""

    state: reactive[ListState] = reactive(_START, always_update=True)
    activity: reactive[Activity] = reactive(_IDLE)

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self._ticker: Timer | None = None

    def render(self) -> Text:
        return Text(banner_text(self.state, self.activity, time.monotonic()), no_wrap=True,
                    overflow="ellipsis")

    def watch_state(self) -> None:
        self._update()

    def watch_activity(self) -> None:
        self._update()

    def _update(self) -> None:
        self.display = bool(banner_text(self.state, self.activity))
        counting = self.activity.network_down and self.state.retry_at is not None
        if counting and self._ticker is None:
            self._ticker = self.set_interval(1.0, self.refresh)  # the countdown
        elif not counting and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
