"""The main screen: filter bar, list pane, detail pane, banner and status line.

It holds the list's state in one place (``state``, ``activity``: reactives the status line and
banner are bound to), routes what the widgets ask for, and does every load in a worker (the
list's loads through ``ListLoader``). The thread pane is mounted just after the first paint
(see ``Panes``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import ActiveBinding
from textual.events import Resize
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, ProgressBar

from nereader.core.clock import Clock
from nereader.core.errors import NereaderError
from nereader.core.models import Activity
from nereader.core.query import Context
from nereader.core.service import ForumService
from nereader.core.urls import ListingRef, ThreadRef, listing_for, parse_listing_ref
from nereader.ui.bindings import bindings_of
from nereader.ui.screens.listing import ListLoader, prefetch
from nereader.ui.screens.marks import Marks
from nereader.ui.screens.site_sort import site_sorts
from nereader.ui.state import ListState
from nereader.ui.widgets.keybar import KeyBar
from nereader.ui.widgets.list_pane import ListPane
from nereader.ui.widgets.panes import Panes
from nereader.ui.widgets.status import Banner, StatusLine, StatusRow
from nereader.ui.widgets.thread_list import ThreadList

if TYPE_CHECKING:
    from nereader.ui.widgets.thread_view import ThreadView

NARROW = 110


class MainScreen(Screen[None]):
    AUTO_FOCUS = "#threads"
    BINDINGS = bindings_of("MainScreen")

    class Ready(Message):
        """The first rows (or why there are none) are on the screen: time for the rest."""

    state: reactive[ListState] = reactive(ListState(parse_listing_ref("networkextension")[0]),
                                          always_update=True)
    activity: reactive[Activity] = reactive(Activity(0, False, False))

    def __init__(self, service: ForumService, ref: ListingRef, sort: str | None,
                 order: str | None, *, clock: Clock, demo: bool = False,
                 start_thread: ThreadRef | None = None) -> None:
        super().__init__()
        self.start_thread = start_thread
        self.service = service
        self.clock = clock
        self.set_reactive(MainScreen.state, ListState(ref, sort, order, demo=demo))
        self.set_reactive(MainScreen.activity, service.activity())
        self.context = Context(now=clock())
        # The first page from the cache is read while the screen is set up.
        self.loader = ListLoader(self, service, None if start_thread else prefetch(
            service, ref, sort, order))
        self.marks = Marks(self, service)
        self._ready = False

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Banner(id="banner").data_bind(MainScreen.state, MainScreen.activity)
        yield Panes(self.context, id="panes")
        with StatusRow(id="statusline"):
            yield StatusLine(id="status").data_bind(MainScreen.state, MainScreen.activity)
        yield KeyBar(id="keybar")

    def on_mount(self) -> None:
        self.watch(self.app, "activity", self._activity, init=False)
        if self.start_thread is not None:  # the list follows, once the thread names its tag
            self.open_thread(self.start_thread.id, self.start_thread.answer_id, list_after=True)
        else:
            self.loader.first()
        self._layout()

    def progress_bar(self, show: bool) -> ProgressBar | None:
        return self.query_one(StatusRow).progress_bar(show)

    def first_shown(self) -> None:
        """The list has its first rows (or its error): once they are painted, load the local
        state (marks, history), the thread pane and the app's preferences, in that order."""
        if not self._ready:
            self._ready = True
            self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        self.load_local_state()
        self.set_timer(0.05, self._warm_up)
        self.post_message(self.Ready())

    async def _warm_up(self) -> None:
        """The thread pane, then what a key may open, so that no first press of enter, L,
        ctrl+f or ? waits for an import."""
        await self.ensure_view()
        for module in ("dialogs", "library", "search"):
            importlib.import_module(f"nereader.ui.screens.{module}")
        importlib.import_module("nereader.ui.widgets.help")

    async def ensure_view(self) -> ThreadView:
        return await self.query_one(Panes).ensure_view()

    def toggle_help(self) -> None:
        """Show or hide the keys of the focused pane (mounted on first use)."""
        from nereader.ui.widgets.help import KeysHelp

        found = self.query(KeysHelp)
        if not found:
            self.mount(KeysHelp(id="keys-help"))
        elif found.first().display:
            found.first().display = False
        else:
            found.first().show()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        # The way back comes first, so a narrow key bar never cuts off "esc Back".
        bindings = super().active_bindings
        first = {key: b for key, b in bindings.items() if key == "escape"}
        esc = first.get("escape")
        if esc is not None and esc.node is self and self.loader.failed and not self.pane.filtering:
            first["escape"] = esc._replace(binding=replace(esc.binding, description="Back"))
        return first | {key: b for key, b in bindings.items() if key != "escape"}

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")
        self._layout()

    def _layout(self, reading: bool | None = None) -> None:
        self.query_one(Panes).arrange_panes(self.size.width < NARROW, reading)
        self._update_back()

    @property
    def reading(self) -> bool:
        return self.query_one(Panes).reading

    def _update_back(self) -> None:
        """The way back, said in the status line before anything is cut."""
        narrow = self.size.width < NARROW
        previous = self.loader.previous
        back = ("esc: back to the list" if narrow and self.reading else
                "v: back to the listing" if self.state.bookmarks else
                "esc: clear the filter" if self.pane.filtering and not self.reading else
                f"esc: back to {previous.state.title}" if previous and self.loader.failed else "")
        if back != self.state.back:
            self.state = replace(self.state, back=back)

    @property
    def pane(self) -> ListPane:
        return self.query_one(ListPane)

    @property
    def threads(self) -> ThreadList:
        return self.pane.threads

    @property
    def view(self) -> ThreadView | None:
        return self.query_one(Panes).view

    @on(ListPane.Counted)
    def _counted(self, event: ListPane.Counted) -> None:
        self.state = replace(self.state, rows_loaded=event.loaded, rows_shown=event.shown,
                             list_sort=event.sort, list_reverse=event.reverse)
        self._update_back()
        self.refresh_bindings()  # "esc Clear filter" comes and goes with the filter

    def cancel_group(self, group: str) -> None:
        self.workers.cancel_group(self, group)

    def problem(self, exc: NereaderError, title: str) -> None:
        self.notify(str(exc), title=title, severity="error", markup=False, timeout=8)

    async def show_list_error(self, message: str) -> None:
        """Why the list is empty, in the detail pane (unless a thread is shown there)."""
        view = await self.ensure_view()
        if view.thread is None:
            view.show_message(message, error="list")

    def listing_failed(self) -> None:
        self._update_back()
        self.refresh_bindings()

    def clear_error(self, only: str | None = None) -> None:
        """The detail pane's error message goes (only the list's, if ``only="list"``)."""
        view = self.view
        if view is not None:
            view.clear_error(only=only)

    def _activity(self, activity: Activity) -> None:
        old, self.activity = self.activity, activity
        self.loader.activity_changed(old, activity)

    def retry_failed_thread(self) -> None:
        view = self.view
        if view is not None and view.error == "thread" and view.thread_id is not None:
            self.run_worker(self._open(view.thread_id, None, False), group="detail",
                            exclusive=True)

    # -- local state -----------------------------------------------------------------------------
    @work(group="local-state")
    async def load_local_state(self) -> None:
        try:
            self.pane.filter_input.history = await self.service.filter_history()
        except NereaderError as exc:
            self.problem(exc, "Local data")
        await self.refresh_context()

    async def refresh_context(self) -> None:
        """Bookmarks, read state and facts from the index, for the marks and the filter."""
        try:
            self.context = await self.service.query_context(self.clock())
        except NereaderError as exc:
            self.problem(exc, "Local data")
        self.pane.set_context(self.context)

    # -- the list ------------------------------------------------------------------------------
    @on(ThreadList.NearEnd)
    def load_next(self) -> None:
        self.loader.next_page()

    def action_load_all(self) -> None:
        if not self.loader.all_pages():
            self.notify("Every page is loaded.")

    def action_refresh(self) -> None:
        """Refresh what has focus: the thread being read, or every loaded page of the list."""
        self.service.retry_network()  # a manual refresh tries the site at once
        self.activity = self.service.activity()
        view = self.view
        if view is not None and view.has_focus and view.thread_id is not None:
            self.open_thread(view.thread_id, refresh=True)  # the thread read, or failed
        else:
            self.loader.refresh()
        self.notify("Refreshing…", timeout=2)

    def reload(self, ref: ListingRef | None = None, sort: str | None = None,
               order: str | None = None) -> None:
        """Open another listing, or the same one in another site sort."""
        self.loader.reset(keep=ref is not None and ref != self.state.ref)
        self.state = ListState(ref or self.state.ref, sort, order, demo=self.state.demo,
                               retry_at=self.state.retry_at)
        self.pane.set_empty_hint("")
        self.pane.set_rows([], keep_cursor=False)
        self.pane.clear_filter()
        self.clear_error()
        self.loader.first()

    def open_listing(self, ref: ListingRef, show: bool = True) -> None:
        """Another listing; ``show``: in view (a narrow screen leaves the thread for it)."""
        self.state = replace(self.state, bookmarks=False)
        self.reload(ref)
        if show:
            self.back_to_list()

    def system_commands(self) -> Iterable[SystemCommand]:
        """The screen's entries in the command palette (beside every key binding)."""
        return site_sorts(self.reload)

    # -- reading ---------------------------------------------------------------------------------
    @on(ThreadList.Selected)
    def open_selected(self, event: ThreadList.Selected) -> None:
        self.open_thread(event.row.id)

    def open_thread(self, thread_id: int, focus_post: int | None = None,
                    refresh: bool = False, list_after: bool = False) -> None:
        """Read a thread, at ``focus_post`` (any post or comment id) if given; ``list_after``:
        then open its tag's list (starting the app on a thread)."""
        view = self.view
        if view is not None:
            view.focus(scroll_visible=False)
        self._layout(reading=True)
        self.run_worker(self._open(thread_id, focus_post, refresh, list_after), group="detail",
                        exclusive=True)

    async def _open(self, thread_id: int, focus_post: int | None, refresh: bool,
                    list_after: bool = False) -> None:
        from nereader.ui.screens.reading import open_into

        view = await self.ensure_view()
        if self.reading:
            view.focus(scroll_visible=False)
        thread = await open_into(view, self.service, self.clock(), thread_id, focus_post,
                                 refresh, self.problem, self.notify)
        if list_after:  # started on a thread: its tag's list goes behind it
            ref = listing_for(thread) if thread is not None else None
            if ref is not None and ref != self.state.ref:
                self.open_listing(ref, show=False)
            else:
                self.loader.first()
        if thread is not None:
            await self.refresh_context()

    def on_thread_view_back(self) -> None:
        self.back_to_list()

    def back_to_list(self) -> None:
        # The panes are always in view: scrolling to the focused one would lay out every post.
        self.threads.focus(scroll_visible=False)
        self._layout(reading=False)

    def action_switch_pane(self) -> None:
        if self.threads.has_focus:
            view = self.view
            if view is not None:
                view.focus(scroll_visible=False)
            self._layout(reading=True)
        else:
            self.back_to_list()

    # -- filtering -------------------------------------------------------------------------------
    def action_filter(self) -> None:
        self._layout(reading=False)
        self.pane.filter_input.focus(scroll_visible=False)

    @on(Input.Submitted, "#filter")
    def filter_done(self, event: Input.Submitted) -> None:
        self.run_worker(self._remember_query(event.value), group="history")
        self.threads.focus(scroll_visible=False)

    async def _remember_query(self, query: str) -> None:
        try:
            await self.service.add_filter_history(query)
        except NereaderError as exc:
            self.problem(exc, "Local data")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "escape":  # a filter to clear, or a listing to go back to (else it passes on)
            return self.pane.filter_input.has_focus or (
                (self.pane.filtering or (self.loader.failed and self.loader.previous is not None))
                and not self.reading)
        return True

    def action_escape(self) -> None:
        """esc clears the filter, from the filter bar or the list; with none, it passes on."""
        pane = self.pane
        if pane.filter_input.has_focus:
            pane.clear_filter()
            self.threads.focus(scroll_visible=False)
        elif pane.filtering:
            pane.clear_filter()
        elif not (self.loader.failed and self.loader.go_back()):
            raise SkipAction()
        self._update_back()

    def apply_filter(self, query: str) -> None:
        self.pane.set_filter_text(query)
        self.back_to_list()

    # -- bookmarks and read state (the marks module does the work) ----------------------------
    def on_thread_list_bookmark_requested(self, event: ThreadList.BookmarkRequested) -> None:
        self.marks.toggle(event.row.id, event.row)

    def on_thread_view_bookmark_requested(self, event: Message) -> None:
        self.marks.toggle(event.thread_id, None)  # type: ignore[attr-defined]

    def action_edit_bookmark(self) -> None:
        view, current = self.view, self.threads.current
        thread_id = (view.thread.id if view is not None and view.has_focus and view.thread
                     else current.id if current else None)
        if thread_id is not None:
            self.marks.edit(thread_id)

    def action_toggle_bookmarks(self) -> None:
        self.loader.toggle_bookmarks()
        self.back_to_list()

    def action_mark_all_read(self) -> None:
        self.marks.mark_read(self.threads.shown)
