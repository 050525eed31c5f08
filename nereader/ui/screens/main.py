"""The main screen: filter bar, list pane, detail pane, banner and status line.

It holds the list's state in one place (``state``, ``activity``: reactives the status line and
banner are bound to), routes what the widgets ask for, and does every load in a worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import partial

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar

from nereader.core.clock import Clock
from nereader.core.errors import NereaderError
from nereader.core.models import Activity, ListingPage, Sourced, ThreadSummary
from nereader.core.query import Context
from nereader.core.service import ForumService
from nereader.core.text import age_text, plural
from nereader.core.urls import SORTS, ListingRef, ThreadRef, parse_listing_ref
from nereader.ui.screens.library import NoteScreen
from nereader.ui.screens.reading import listing_for, open_into, show_bookmark
from nereader.ui.state import ListState
from nereader.ui.widgets.list_pane import ListPane
from nereader.ui.widgets.status import Banner, StatusLine
from nereader.ui.widgets.thread_list import ThreadList
from nereader.ui.widgets.thread_pane import ThreadPane
from nereader.ui.widgets.thread_view import ThreadView

NARROW = 110
SORT_TITLES = {"newest": "Newest", "oldest": "Oldest", "lastUpdated": "Last updated",
               "replies": "Most replies", "boosts": "Most boosts", "views": "Most views"}


class MainScreen(Screen[None]):
    AUTO_FOCUS = "#threads"
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="main.filter", tooltip="Filter the list"),
        Binding("r", "refresh", "Refresh", id="main.refresh",
                tooltip="Reload the list (or the thread being read), revalidating the cache"),
        Binding("A", "load_all", "Load all", id="main.load_all", tooltip="Load every page"),
        Binding("tab", "switch_pane", "Pane", show=False, id="main.switch_pane",
                tooltip="Move between list and detail"),
        Binding("v", "toggle_bookmarks", "Bookmarks", id="main.bookmarks",
                tooltip="Show the bookmarks in the list (again: back to the listing)"),
        Binding("e", "edit_bookmark", "Note", show=False, id="main.edit_bookmark",
                tooltip="Edit the bookmark's note and #labels"),
        Binding("M", "mark_all_read", "Mark read", show=False, id="main.mark_all_read",
                tooltip="Mark every listed thread read"),
    ]

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
        self.listing: ListingPage | None = None
        self.context = Context(now=clock())
        self.loading_more = False

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Banner(id="banner").data_bind(MainScreen.state, MainScreen.activity)
        with Horizontal(id="panes"):
            yield ListPane(self.context, id="list-pane")
            yield ThreadPane(id="detail-pane")
        with Horizontal(id="statusline"):
            yield StatusLine(id="status").data_bind(MainScreen.state, MainScreen.activity)
            yield ProgressBar(id="progress", show_eta=False, show_percentage=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        self.watch(self.app, "activity", self._activity, init=False)
        if self.start_thread is not None:  # the list follows, once the thread names its tag
            self.open_thread(self.start_thread.id, self.start_thread.answer_id, list_after=True)
        else:
            self.load_first()
        self.load_local_state()

    def _activity(self, activity: Activity) -> None:
        self.activity = activity

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")

    @property
    def pane(self) -> ListPane:
        return self.query_one(ListPane)

    @property
    def threads(self) -> ThreadList:
        return self.query_one(ThreadList)

    @property
    def view(self) -> ThreadView:
        return self.query_one(ThreadView)

    @on(ListPane.Counted)
    def _counted(self, event: ListPane.Counted) -> None:
        self.state = replace(self.state, rows_loaded=event.loaded, rows_shown=event.shown,
                             list_sort=event.sort, list_reverse=event.reverse)

    def _problem(self, exc: NereaderError, title: str) -> None:
        self.notify(str(exc), title=title, severity="error", markup=False, timeout=8)

    # -- local state -----------------------------------------------------------------------------
    @work(group="local-state")
    async def load_local_state(self) -> None:
        try:
            self.pane.filter_input.history = await self.service.filter_history()
        except NereaderError as exc:
            self._problem(exc, "Local data")
        await self.refresh_context()

    async def refresh_context(self) -> None:
        """Bookmarks, read state and facts from the index, for the marks and the filter."""
        try:
            self.context = await self.service.query_context(self.clock())
        except NereaderError as exc:
            self._problem(exc, "Local data")
        self.pane.set_context(self.context)

    # -- loading the list ----------------------------------------------------------------------
    def load_first(self, refresh: bool = False) -> None:
        self.run_worker(self._load_first(refresh), group="list", exclusive=True)

    async def _load_first(self, refresh: bool) -> None:
        state = self.state
        if state.bookmarks:
            await self._load_bookmarks()
            return
        if not refresh:
            try:
                self.pane.last_visit = await self.service.visit_tag(state.ref)
                cached = await self.service.cached_listing(state.ref, 1, state.sort, state.order)
            except NereaderError as exc:
                self._problem(exc, "Cache")
                cached = None
            if cached is not None:
                self._show_first(cached)  # the first paint comes from the cache at once
        self.pane.set_loading(not self.threads.rows)
        try:
            result = await self.service.listing(state.ref, 1, state.sort, state.order, refresh)
        except NereaderError as exc:
            self._problem(exc, "Could not load the list")
            if not self.threads.rows and self.view.thread is None:
                self.view.show_message(f"Nothing to show: {exc}", error="list")
            return
        finally:
            self.pane.set_loading(False)
        self._show_first(result)

    def _show_first(self, result: Sourced[ListingPage]) -> None:
        self.listing = listing = result.value
        self.state = replace(self.state, name=listing.name, total_posts=listing.total_posts,
                             total_pages=listing.total_pages, pages_loaded=1,
                             stale_note=_stale_note(result))
        self.pane.set_rows(listing.rows)
        self.view.clear_error(only="list")

    def _append(self, pages: list[Sourced[ListingPage]]) -> None:
        if not pages:
            return
        self.state = replace(self.state, stale_note=_stale_note(pages[-1]),
                             pages_loaded=max([self.state.pages_loaded,
                                               *(p.value.page for p in pages)]))
        self.pane.add_rows(r for page in pages for r in page.value.rows)

    @property
    def more_pages(self) -> bool:
        return (not self.state.bookmarks
                and self.state.pages_loaded < self.state.total_pages)

    @on(ThreadList.NearEnd)
    def load_next(self) -> None:
        if self.more_pages and not self.loading_more:
            self.loading_more = True
            self.run_worker(self._load_pages(self.state.pages_loaded + 1, 1), group="more",
                            exclusive=True)

    def action_load_all(self) -> None:
        if not self.more_pages:
            self.notify("Every page is loaded.")
            return
        self.loading_more = True
        self.run_worker(self._load_pages(self.state.pages_loaded + 1, None), group="more",
                        exclusive=True)

    async def _load_pages(self, start: int, count: int | None) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.display = count is None
        bar.update(total=None, progress=0)

        def progress(_phase: str, done: int, total: int) -> None:
            bar.update(total=total, progress=done)

        state = self.state
        try:
            pages = await self.service.listing_pages(state.ref, count, state.sort, state.order,
                                                     start=start, progress=progress)
            self._append(pages)
        except NereaderError as exc:
            self._problem(exc, "Could not load more")
        finally:
            self.loading_more = False
            bar.display = False

    def action_refresh(self) -> None:
        """Refresh what has focus: the thread being read, or the list."""
        self.service.retry_network()  # a manual refresh tries the site at once
        view = self.view
        if view.has_focus and view.thread_id is not None:  # the thread read, or failed
            self.open_thread(view.thread_id, refresh=True)
        else:
            self.load_first(refresh=True)
        self.notify("Refreshing…", timeout=2)

    def reload(self, ref: ListingRef | None = None, sort: str | None = None,
               order: str | None = None) -> None:
        """Open another listing, or the same one in another site sort."""
        self.listing = None
        self.state = ListState(ref or self.state.ref, sort, order, demo=self.state.demo)
        self.pane.set_rows([], keep_cursor=False)
        self.pane.clear_filter()
        self.view.clear_error()
        self.load_first()

    # -- what the app routes here: another listing, a thread, a filter -------------------------
    def open_listing(self, ref: ListingRef) -> None:
        self.state = replace(self.state, bookmarks=False)
        self.reload(ref)

    def system_commands(self) -> Iterable[SystemCommand]:
        """The screen's entries in the command palette (beside every key binding)."""
        for sort in SORTS:
            yield SystemCommand(f"Site sort: {SORT_TITLES[sort]}",
                                "Reload the listing in this order from the site",
                                partial(self.reload, None, sort, "DESC"))
        yield SystemCommand("Site sort: default", "The site's own order",
                            partial(self.reload, None, None, None))

    # -- reading ---------------------------------------------------------------------------------
    @on(ThreadList.Selected)
    def open_selected(self, event: ThreadList.Selected) -> None:
        self.open_thread(event.row.id)

    def open_thread(self, thread_id: int, focus_post: int | None = None,
                    refresh: bool = False, list_after: bool = False) -> None:
        """Read a thread, at ``focus_post`` (any post or comment id) if given; ``list_after``:
        then open its tag's list (starting the app on a thread)."""
        self.set_class(True, "-reading")
        self.view.focus()
        self.run_worker(self._open(thread_id, focus_post, refresh, list_after), group="detail",
                        exclusive=True)

    async def _open(self, thread_id: int, focus_post: int | None, refresh: bool,
                    list_after: bool = False) -> None:
        thread = await open_into(self.view, self.service, self.clock(), thread_id, focus_post,
                                 refresh, self._problem, self.notify)
        if list_after:  # started on a thread: its tag's list goes behind it
            ref = listing_for(thread) if thread is not None else None
            if ref is not None and ref != self.state.ref:
                self.open_listing(ref)
            else:
                self.load_first()
        if thread is not None:
            await self.refresh_context()

    @on(ThreadView.Back)
    def back_to_list(self) -> None:
        self.set_class(False, "-reading")
        self.threads.focus()

    def action_switch_pane(self) -> None:
        if self.threads.has_focus:
            self.set_class(True, "-reading")
            self.view.focus()
        else:
            self.back_to_list()

    # -- filtering -------------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.pane.filter_input.focus()

    @on(Input.Submitted, "#filter")
    def filter_done(self, event: Input.Submitted) -> None:
        self.run_worker(self._remember_query(event.value), group="history")
        self.threads.focus()

    async def _remember_query(self, query: str) -> None:
        try:
            await self.service.add_filter_history(query)
        except NereaderError as exc:
            self._problem(exc, "Local data")

    def key_escape(self) -> None:
        if self.pane.filter_input.has_focus:
            self.pane.clear_filter()
            self.threads.focus()

    def apply_filter(self, query: str) -> None:
        self.pane.set_filter_text(query)
        self.back_to_list()

    # -- bookmarks, read state and the library -------------------------------------------------
    def on_thread_list_bookmark_requested(self, event: ThreadList.BookmarkRequested) -> None:
        self.run_worker(self._toggle_bookmark(event.row.id, event.row), group="bookmark")

    def on_thread_view_bookmark_requested(self, event: ThreadView.BookmarkRequested) -> None:
        self.run_worker(self._toggle_bookmark(event.thread_id, None), group="bookmark")

    async def _toggle_bookmark(self, thread_id: int, row: ThreadSummary | None) -> None:
        try:
            if thread_id in self.context.bookmarked:
                await self.service.unbookmark(thread_id)
                self.notify("Bookmark removed.")
            else:
                mark, warning = await self.service.bookmark(thread_id, row=row)
                self.notify(warning or f"Bookmarked, and kept for offline reading: {mark.title}",
                            title="Bookmarked" if warning else "",
                            severity="warning" if warning else "information", markup=False)
        except NereaderError as exc:
            self._problem(exc, "Bookmark")
        await self._bookmarks_changed()

    async def _bookmarks_changed(self) -> None:
        await self.refresh_context()
        await show_bookmark(self.view, self.service, self._problem)
        if self.state.bookmarks:
            await self._load_bookmarks()

    def action_edit_bookmark(self) -> None:
        view, current = self.view, self.threads.current
        thread_id = (view.thread.id if view.has_focus and view.thread else
                     current.id if current else None)
        if thread_id is None:
            return

        def saved(changed: bool | None) -> None:
            if changed:
                self.run_worker(self._bookmarks_changed(), group="bookmark")

        self.app.push_screen(NoteScreen(self.service, thread_id), saved)

    def action_toggle_bookmarks(self) -> None:
        self.view.clear_error()
        self.state = replace(self.state, bookmarks=not self.state.bookmarks)
        self.pane.set_rows([], keep_cursor=False)
        self.load_first()

    async def _load_bookmarks(self) -> None:
        try:
            rows = await self.service.bookmark_rows()
        except NereaderError as exc:
            self._problem(exc, "Bookmarks")
            return
        self.state = replace(self.state, pages_loaded=0, total_pages=0, total_posts=len(rows),
                             stale_note="")
        self.pane.set_rows(rows)
        if not rows:
            self.notify("No bookmarks yet: press b on a thread.")

    def action_mark_all_read(self) -> None:
        rows = self.threads.shown

        async def mark() -> None:
            try:
                await self.service.mark_all_read(rows)
            except NereaderError as exc:
                self._problem(exc, "Local data")
                return
            await self.refresh_context()
            self.notify(f"Marked {plural(len(rows), 'thread')} read.")

        self.run_worker(mark(), group="state")


def _stale_note(result: Sourced[ListingPage]) -> str:
    if not result.stale:
        return ""
    return result.warning or f"cached {age_text(result.age_seconds)} ago"
