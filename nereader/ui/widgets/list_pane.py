"""The list pane: the filter bar over the thread list, with the marks and the filter applied.

It does no I/O: the screen hands it rows and the context (bookmarks, read state, index facts)
and hears back through ``Counted`` how many rows are loaded and shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import LoadingIndicator

from nereader.core.marks import row_marks
from nereader.core.models import ThreadSummary
from nereader.core.query import Context, Query
from nereader.ui.widgets.filter_bar import FilterBar, FilterInput
from nereader.ui.widgets.thread_list import ThreadList


class ListPane(Vertical):
    class Counted(Message):
        """The rows loaded and shown (after the filter), and the list's own sort."""

        def __init__(self, loaded: int, shown: int, sort: str | None, reverse: bool) -> None:
            super().__init__()
            self.loaded, self.shown, self.sort, self.reverse = loaded, shown, sort, reverse

    def __init__(self, context: Context, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.query_text = Query.parse("")
        self.last_visit: datetime | None = None

    def compose(self) -> ComposeResult:
        yield FilterBar(id="filterbar")
        yield ThreadList(id="threads", marks=self.row_marks)
        yield LoadingIndicator(id="loading")

    @property
    def threads(self) -> ThreadList:
        return self.query_one(ThreadList)

    @property
    def filter_input(self) -> FilterInput:
        return self.query_one(FilterInput)

    def row_marks(self, row: ThreadSummary) -> str:
        # From the context (loaded by the screen's workers): rendering never touches the disk.
        return row_marks(row, self.context, self.last_visit)

    def set_loading(self, loading: bool) -> None:
        self.query_one("#loading").display = loading

    # -- rows ------------------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[ThreadSummary], keep_cursor: bool = True) -> None:
        self.threads.set_rows(list(rows), keep_cursor)
        self._count()

    def add_rows(self, rows: Iterable[ThreadSummary]) -> None:
        """Append rows not already listed (a thread can move between pages while paging)."""
        current = list(self.threads.rows)
        seen = {r.id for r in current}
        for row in rows:
            if row.id not in seen:
                seen.add(row.id)
                current.append(row)
        self.set_rows(current)

    def set_context(self, context: Context) -> None:
        self.context = context
        if not self.query_text.empty:
            self.apply(self.query_text)
        self.threads.refresh()  # the marks come from the context

    # -- filtering -------------------------------------------------------------------------------
    @on(FilterBar.Applied)
    def _applied(self, event: FilterBar.Applied) -> None:
        event.stop()
        self.apply(event.query)

    def apply(self, query: Query) -> None:
        self.query_text = query
        if query.empty:
            self.threads.set_filter(None)
        else:
            self.threads.set_filter(query.predicate(self.context) if query.groups else None,
                                    query.sort)
        self._count()

    def set_filter_text(self, text: str) -> None:
        box = self.filter_input
        box.value = text
        box.remember(text)

    def clear_filter(self) -> None:
        self.filter_input.value = ""

    @on(ThreadList.SortChanged)
    def _sorted(self, event: ThreadList.SortChanged) -> None:
        event.stop()
        self._count()

    def _count(self) -> None:
        threads = self.threads
        self.query_one(FilterBar).show_count(len(threads.view), len(threads.rows),
                                             not self.query_text.empty)
        self.post_message(self.Counted(len(threads.rows), len(threads.view), threads.sort_key,
                                       threads.sort_reverse))
