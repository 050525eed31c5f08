"""The list pane: the filter bar over the thread list, and the loading indicator.

It does no I/O and holds no list state: both widgets draw the screen's list session, and what
the user types or presses reaches the screen as the filter bar's and the list's messages.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import LoadingIndicator

from nereader.ui.focus import focus_now
from nereader.ui.list_session import ListSession
from nereader.ui.widgets.filter_bar import FilterBar, FilterInput
from nereader.ui.widgets.thread_list import ThreadList


class ListPane(Vertical):
    def __init__(self, session: ListSession, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session

    def compose(self) -> ComposeResult:
        yield FilterBar(id="filterbar")
        yield ThreadList(self.session, id="threads")

    def on_mount(self) -> None:
        self.threads.open_filter = lambda: focus_now(self.filter_input)

    @property
    def threads(self) -> ThreadList:
        return self.query_one(ThreadList)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    @property
    def filter_input(self) -> FilterInput:
        return self.query_one(FilterInput)

    @property
    def typing(self) -> bool:
        """The filter box holds text (a query that parses or not)."""
        return bool(self.filter_input.value.strip())

    def set_loading(self, loading: bool) -> None:
        """The loading indicator, there only while it is needed (it animates)."""
        found = self.query("#loading")
        if loading and not found:
            self.mount(LoadingIndicator(id="loading"))
        elif not loading and found:
            found.remove()

    def show_count(self) -> None:
        """The filter bar's count of rows shown, while a filter is on."""
        session = self.session
        self.filter_bar.show_count(len(session.shown), len(session.rows), session.filtering)

    def set_filter_text(self, text: str) -> None:
        """A query in the box (a saved filter): the bar parses it and says so."""
        box = self.filter_input
        box.put(text)
        box.remember(text)

    def clear_filter_text(self) -> None:
        self.filter_input.value = ""
