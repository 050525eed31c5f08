"""The list and the detail pane side by side, one at a time when the screen is narrow.

The thread pane is imported and mounted on first need (the screen asks just after its first
paint): the first screen shows only a placeholder in its place. Showing and hiding a pane sets
its display directly; a class on the screen would restyle every post of a long thread.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from nereader.ui.list_session import ListSession
from nereader.ui.widgets.list_pane import ListPane

if TYPE_CHECKING:
    from nereader.ui.widgets.thread_pane import ThreadPane
    from nereader.ui.widgets.thread_view import ThreadView

PLACEHOLDER = "Select a thread and press Enter to read it."


class Panes(Horizontal):
    def __init__(self, session: ListSession, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session  # the list pane's
        self.reading = False  # the thread pane is where the user is (the one shown if narrow)
        self.detail_used = False  # a thread has been opened: the detail pane earns its width
        self.narrow = False
        self._view_ready: asyncio.Task[ThreadPane] | None = None

    def compose(self) -> ComposeResult:
        # Wide until the screen is found narrow (or a thread is opened): set now, the class
        # costs nothing; set on mount, it would restyle the whole list before the first paint.
        yield ListPane(self.session, id="list-pane").set_class(True, "-wide", update=False)
        yield Static(Text(PLACEHOLDER), id="detail-placeholder")

    @property
    def list_pane(self) -> ListPane:
        return self.query_one(ListPane)

    @property
    def view(self) -> ThreadView | None:
        found = self.query("#detail")
        return found.first() if found else None  # type: ignore[return-value]

    async def ensure_view(self) -> ThreadView:
        """The thread view (in its pane, with the find bar), imported and mounted on first
        need."""
        if self._view_ready is None:
            self._view_ready = asyncio.ensure_future(self._mount_pane())
        return (await asyncio.shield(self._view_ready)).view

    async def _mount_pane(self) -> ThreadPane:
        from nereader.ui.widgets.thread_pane import ThreadPane

        pane = ThreadPane(id="detail-pane")
        placeholder = self.query("#detail-placeholder")
        await self.mount(pane, after=placeholder.first() if placeholder else None)
        await placeholder.remove()
        self.arrange_panes()
        return pane

    def arrange_panes(self, narrow: bool | None = None, reading: bool | None = None) -> None:
        """One pane at a time when narrow; the list takes more room while no thread is open."""
        if narrow is not None:
            self.narrow = narrow
        if reading is not None:
            self.reading = reading
            self.detail_used = self.detail_used or reading
        panes = self.query("#list-pane, #detail-pane, #detail-placeholder")
        lists = [w for w in panes if isinstance(w, ListPane)]
        details = [w for w in panes if not isinstance(w, ListPane)]
        if not lists or not details:  # the app is closing (its panes are going)
            return
        pane, detail = lists[0], details[-1]  # the thread pane, once it has replaced the other
        pane.display = not (self.narrow and self.reading)
        detail.display = not self.narrow or self.reading
        pane.set_class(not self.narrow and not self.detail_used, "-wide")
