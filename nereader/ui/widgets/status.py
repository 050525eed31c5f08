"""The status line and the banner: they watch the main screen's state and redraw themselves."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from nereader.core.models import Activity
from nereader.core.urls import DEFAULT_TAG, parse_listing_ref
from nereader.ui.state import ListState, banner_text, status_text

_IDLE = Activity(0, False, False)
_START = ListState(parse_listing_ref(DEFAULT_TAG)[0])


class StatusLine(Widget):
    """Listing, sort, rows loaded of total, the mode and the requests in flight."""

    state: reactive[ListState] = reactive(_START, always_update=True)
    activity: reactive[Activity] = reactive(_IDLE)

    def render(self) -> Text:
        return Text(status_text(self.state, self.activity), no_wrap=True, overflow="ellipsis")


class Banner(Widget):
    """One line that says when the list is offline, the network is down or a copy is stale."""

    state: reactive[ListState] = reactive(_START, always_update=True)
    activity: reactive[Activity] = reactive(_IDLE)

    def render(self) -> Text:
        return Text(banner_text(self.state, self.activity), no_wrap=True, overflow="ellipsis")

    def watch_state(self) -> None:
        self.display = bool(banner_text(self.state, self.activity))

    def watch_activity(self) -> None:
        self.display = bool(banner_text(self.state, self.activity))
