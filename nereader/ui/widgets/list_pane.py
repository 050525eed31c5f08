"""The list pane: the filter bar over the thread list, with the marks and the filter applied.

It does no I/O: the screen hands it rows and the context (bookmarks, read state, index facts)
and hears back through ``Counted`` how many rows are loaded and shown.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import LoadingIndicator

from nereader.core.marks import row_marks
from nereader.core.models import ThreadSummary
from nereader.core.query import Context, Query, QueryError
from nereader.ui.focus import focus_now
from nereader.ui.widgets.filter_bar import FilterBar, FilterInput
from nereader.ui.widgets.thread_list import ThreadList

NO_MATCH = "No loaded thread matches the filter: esc clears it, A loads every page."


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
        self.empty_hint = ""  # what the list says when it has no rows at all

    def compose(self) -> ComposeResult:
        yield FilterBar(id="filterbar")
        yield ThreadList(id="threads", decor=self.decor)

    def on_mount(self) -> None:
        self.threads.open_filter = lambda: focus_now(self.filter_input)

    @property
    def threads(self) -> ThreadList:
        return self.query_one(ThreadList)

    @property
    def filter_input(self) -> FilterInput:
        return self.query_one(FilterInput)

    @property
    def filtering(self) -> bool:
        """A filter is active (or being typed)."""
        return not self.query_text.empty or bool(self.filter_input.value.strip())

    def decor(self, row: ThreadSummary) -> tuple[str, tuple[str, ...], int]:
        # From the context (loaded by the screen's workers): rendering never touches the disk.
        context = self.context
        marks = row_marks(row, context, self.last_visit)
        new = context.new_replies(row) if marks[3:4] == "↑" else 0
        return marks, context.labels.get(row.id, ()), new

    def set_loading(self, loading: bool) -> None:
        """The loading indicator, there only while it is needed (it animates)."""
        found = self.query("#loading")
        if loading and not found:
            self.mount(LoadingIndicator(id="loading"))
        elif not loading and found:
            found.remove()

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

    def set_empty_hint(self, text: str) -> None:
        """What an empty list says (an empty tag, no bookmarks yet), with the next key."""
        self.empty_hint = text
        self._count()

    def set_context(self, context: Context) -> None:
        self.context = context
        if not self.query_text.empty:
            self.apply(self.query_text)
        self.threads.refresh()  # the marks come from the context

    # -- filtering -------------------------------------------------------------------------------
    @on(FilterBar.Applied)
    def _applied(self, event: FilterBar.Applied) -> None:
        event.stop()
        # Typed faster than handled, a query may arrive after the box has moved on: it is
        # still the last good result, but what the box shows now decides "typing…".
        self.apply(event.query, live=event.query.text == self.filter_input.value)

    def apply(self, query: Query, live: bool = False) -> None:
        """Filter the rows. ``live``: typed just now, so a last word that may be the start of
        a qualifier ("vie" on the way to "views:") and matches nothing is left out for now."""
        self._set_filter(query)
        pending = False
        if live and query.qualifier_prefix and not self.threads.view and self.threads.rows:
            pending = True
            with contextlib.suppress(QueryError):  # "vpn OR vie": no better result to show
                self._set_filter(Query.parse(query.text.rstrip().rpartition(" ")[0]))
        if live or not query.text:
            self.query_one(FilterBar).pending = pending
        self._count()

    def _set_filter(self, query: Query) -> None:
        self.query_text = query
        if query.empty:
            self.threads.set_filter(None)
        else:
            self.threads.set_filter(query.predicate(self.context) if query.groups else None,
                                    query.sort)

    def set_filter_text(self, text: str) -> None:
        box = self.filter_input
        box.value = text
        box.remember(text)

    def clear_filter(self) -> None:
        self.filter_input.value = ""
        # At once, not when the input's Changed message arrives: the next key sees it cleared.
        self.apply(Query.parse(""))

    @on(ThreadList.SortChanged)
    def _sorted(self, event: ThreadList.SortChanged) -> None:
        event.stop()
        self._count()

    def _count(self) -> None:
        threads = self.threads
        active = not self.query_text.empty
        threads.set_notes(empty=NO_MATCH if active and threads.rows else self.empty_hint)
        self.query_one(FilterBar).show_count(len(threads.view), len(threads.rows), active)
        self.post_message(self.Counted(len(threads.rows), len(threads.view), threads.sort_key,
                                       threads.sort_reverse))
