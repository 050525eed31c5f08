"""The main screen: filter bar, list pane, detail pane, banner and status; it routes and loads."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Input, LoadingIndicator, ProgressBar, Static

from nereader.core.errors import NereaderError, StorageError
from nereader.core.models import ListingPage, ThreadSummary
from nereader.core.query import Context, Query
from nereader.core.service import ForumService, Sourced, describe_age
from nereader.core.urls import ListingRef
from nereader.ui.screens.bookmarks import BookmarkActions
from nereader.ui.widgets.filter_bar import FilterBar, FilterInput
from nereader.ui.widgets.thread_list import ThreadList
from nereader.ui.widgets.thread_view import ThreadView

NARROW = 110


class MainScreen(BookmarkActions, Screen[None]):
    AUTO_FOCUS = "#threads"
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="main.filter", tooltip="Filter the list"),
        Binding("r", "refresh", "Refresh", id="main.refresh",
                tooltip="Reload the list from the site (revalidating the cache)"),
        Binding("A", "load_all", "Load all", id="main.load_all", tooltip="Load every page"),
        Binding("tab", "switch_pane", "Pane", show=False, id="main.switch_pane",
                tooltip="Move between list and detail"),
        Binding("v", "toggle_bookmarks", "Bookmarks", id="main.bookmarks",
                tooltip="Show the bookmarks in the list (again: back to the tag)"),
        Binding("e", "edit_bookmark", "Note", show=False, id="main.edit_bookmark",
                tooltip="Edit the bookmark's note and #labels"),
        Binding("M", "mark_all_read", "Mark read", show=False, id="main.mark_all_read",
                tooltip="Mark every listed thread read"),
        Binding("L", "library", "Library", show=False, id="main.library",
                tooltip="What the cache holds: tags and bookmarks, with their age"),
    ]

    def __init__(self, service: ForumService, ref: ListingRef, sort: str | None,
                 order: str | None, clock: object) -> None:
        super().__init__()
        self.service = service
        self.ref = ref
        self.sort = sort
        self.order = order
        self.clock = clock
        self.listing: ListingPage | None = None
        self.rows: list[ThreadSummary] = []
        self.pages_loaded = 0
        self.state_note = ""
        self.loading_more = False
        self.query_text = Query.parse("")
        self.context = Context(now=self.now)
        self.showing_bookmarks = False
        self.last_visit: datetime | None = None

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="banner")
        with Horizontal(id="panes"):
            with Vertical(id="list-pane"):
                yield FilterBar(id="filterbar")
                yield ThreadList(id="threads")
                yield LoadingIndicator(id="loading")
            yield ThreadView(id="detail")
        with Horizontal(id="statusline"):
            yield Static(id="status")
            yield ProgressBar(id="progress", show_eta=False, show_percentage=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ThreadList).marks = self.row_marks
        self.query_one("#progress").display = False
        self.query_one(ThreadList).focus()
        self.set_interval(0.5, self.update_status)
        self.load_first()
        self.run_worker(self.refresh_context(), group="context", exclusive=True)
        self.run_worker(self._load_history(), group="history")
        if self.service.offline:
            self.action_library()  # offline: start from what the cache holds

    @property
    def now(self) -> datetime:
        return self.clock()  # type: ignore[operator,no-any-return]

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")

    # -- loading -------------------------------------------------------------------------------
    def load_first(self, refresh: bool = False) -> None:
        self.run_worker(self._load_first(refresh), group="list", exclusive=True)

    async def _load_first(self, refresh: bool) -> None:
        if self.showing_bookmarks:
            await self._load_bookmarks()
            return
        loading = self.query_one("#loading")
        if not refresh:
            self.last_visit = await self.service.visit_tag(self.ref)
        if not refresh:
            cached = await self.service.cached_listing(self.ref, 1, self.sort, self.order)
            if cached is not None:
                self._show_first(cached)  # the first paint comes from the cache at once
        loading.display = not self.rows
        try:
            result = await self.service.listing(self.ref, 1, self.sort, self.order, refresh)
        except NereaderError as exc:
            self.notify(str(exc), title="Could not load the list", severity="error",
                        markup=False, timeout=8)
            if not self.rows:
                await self.query_one(ThreadView).show_message(f"Nothing to show: {exc}")
            return
        finally:
            loading.display = False
        self._show_first(result)

    def _show_first(self, result: Sourced[ListingPage]) -> None:
        self.listing = result.value
        self.rows = list(result.value.rows)
        self.pages_loaded = 1
        self._note(result)
        self.query_one(ThreadList).set_rows(self.rows)
        self._count()
        self.update_status()

    def _note(self, result: Sourced[ListingPage]) -> None:
        if result.stale:
            self.state_note = result.warning or f"cached {describe_age(result.age_seconds)} ago"
        else:
            self.state_note = ""
        self.update_banner()

    def _append(self, pages: list[Sourced[ListingPage]]) -> None:
        seen = {r.id for r in self.rows}
        for result in pages:
            self._note(result)
            self.pages_loaded = max(self.pages_loaded, result.value.page)
            for row in result.value.rows:
                if row.id not in seen:
                    seen.add(row.id)
                    self.rows.append(row)
        self.query_one(ThreadList).set_rows(self.rows)
        self._count()
        self.update_status()

    @property
    def more_pages(self) -> bool:
        return self.listing is not None and self.pages_loaded < self.listing.total_pages

    def load_next(self) -> None:
        if self.more_pages and not self.loading_more:
            self.loading_more = True
            self.run_worker(self._load_pages(self.pages_loaded + 1, 1), group="more",
                            exclusive=True)

    def action_load_all(self) -> None:
        if not self.more_pages:
            self.notify("Every page is loaded.")
            return
        self.loading_more = True
        self.run_worker(self._load_pages(self.pages_loaded + 1, None), group="more",
                        exclusive=True)

    async def _load_pages(self, start: int, count: int | None) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.display = count is None
        bar.update(total=None, progress=0)

        def progress(_phase: str, done: int, total: int) -> None:
            bar.update(total=total, progress=done)

        try:
            pages = await self.service.listing_pages(self.ref, count, self.sort, self.order,
                                                     start=start, progress=progress)
            self._append(pages)
        except NereaderError as exc:
            self.notify(str(exc), title="Could not load more", severity="error", markup=False)
        finally:
            self.loading_more = False
            bar.display = False

    def action_refresh(self) -> None:
        """Refresh what has focus: the thread being read, or the list."""
        view = self.query_one(ThreadView)
        if view.has_focus and view.thread is not None:
            self.open_thread(view.thread.id, refresh=True)
        else:
            self.load_first(refresh=True)
        self.notify("Refreshing…", timeout=2)

    def reload(self, ref: ListingRef | None = None, sort: str | None = None,
               order: str | None = None) -> None:
        """Open another tag, or the same one with another site sort."""
        if ref is not None:
            self.ref = ref
        self.sort, self.order = sort, order
        self.rows, self.listing, self.pages_loaded = [], None, 0
        self.query_one(ThreadList).set_rows([], keep_cursor=False)
        self.query_one(FilterInput).value = ""
        self.load_first()

    # -- reading -------------------------------------------------------------------------------
    @on(ThreadList.Selected)
    def open_selected(self, event: ThreadList.Selected) -> None:
        self.open_thread(event.row.id)

    def open_thread(self, thread_id: int, focus_post: int | None = None,
                    refresh: bool = False) -> None:
        self.set_class(True, "-reading")
        view = self.query_one(ThreadView)
        view.focus()
        self.run_worker(self._open(thread_id, focus_post, refresh), group="detail",
                        exclusive=True)

    async def _open(self, thread_id: int, focus_post: int | None, refresh: bool) -> None:
        view = self.query_one(ThreadView)
        await view.show_message("Loading the thread and every reply page…")
        try:
            result, new = await self.service.open_thread(thread_id, refresh)
        except NereaderError as exc:
            await view.show_message(f"Could not open thread {thread_id}: {exc}")
            self.notify(str(exc), title="Could not open the thread", severity="error",
                        markup=False, timeout=8)
            return
        if result.stale:
            self.notify(result.warning or "showing a cached copy", title="Offline copy",
                        severity="warning", markup=False)
        if new:
            self.notify(f"+{len(new)} new repl{'y' if len(new) == 1 else 'ies'} since you last "
                        "looked", title=result.value.title, markup=False)
        await view.show_thread(result.value, self.now, focus_post, frozenset(new))
        await self.refresh_context()
        self.query_one(ThreadList).refresh()

    @on(ThreadList.NearEnd)
    def near_end(self) -> None:
        self.load_next()

    @on(ThreadList.SortChanged)
    def sort_changed(self) -> None:
        self.update_status()

    @on(ThreadView.Back)
    def back_to_list(self) -> None:
        self.set_class(False, "-reading")
        self.query_one(ThreadList).focus()

    def action_switch_pane(self) -> None:
        if self.query_one(ThreadList).has_focus:
            self.set_class(True, "-reading")
            self.query_one(ThreadView).focus()
        else:
            self.back_to_list()

    # -- filtering -----------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.query_one(FilterInput).focus()

    def set_filter_text(self, text: str) -> None:
        box = self.query_one(FilterInput)
        box.value = text
        box.remember(text)

    @on(FilterBar.Applied)
    def refilter(self, event: FilterBar.Applied) -> None:
        self.query_text = event.query
        apply_query(self.query_one(ThreadList), event.query, self.context)
        self._count()
        self.update_status()

    def _count(self) -> None:
        threads = self.query_one(ThreadList)
        self.query_one(FilterBar).show_count(len(threads.view), len(threads.rows),
                                             not self.query_text.empty)

    @on(Input.Submitted, "#filter")
    def filter_done(self, event: Input.Submitted) -> None:
        self.run_worker(self._remember_query(event.value), group="history")
        self.query_one(ThreadList).focus()

    @on(FilterInput.SaveRequested)
    def save_filter(self, event: FilterInput.SaveRequested) -> None:
        self.app.save_filter_prompt(event.query)  # type: ignore[attr-defined]

    def key_escape(self) -> None:
        box = self.query_one(FilterInput)
        if box.has_focus:
            box.value = ""
            self.query_one(ThreadList).focus()

    async def _load_history(self) -> None:
        self.query_one(FilterInput).history = await self.service.filter_history()

    async def _remember_query(self, query: str) -> None:
        try:
            await self.service.add_filter_history(query)
        except StorageError as exc:
            self.notify(str(exc), severity="warning", markup=False)

    async def refresh_context(self) -> None:
        """Facts from the index (staff replies, authors) for is:staff and author:."""
        self.context = await self.service.query_context()
        self.context.now = self.now
        for store in (self.service.bookmarks, self.service.read_state):
            while store.warnings:  # e.g. a corrupted file kept aside: say so, once
                self.notify(store.warnings.pop(0), title="Local data", severity="warning",
                            markup=False, timeout=12)
        self.query_one(ThreadList).refresh()  # the marks come from the context
        if not self.query_text.empty:
            apply_query(self.query_one(ThreadList), self.query_text, self.context)
            self._count()

    # -- status --------------------------------------------------------------------------------
    def update_banner(self) -> None:
        banner = self.query_one("#banner", Static)
        if self.service.offline:
            message = "OFFLINE: reading the cache only"
            if self.state_note:
                message += f" ({self.state_note})"
        elif self.service.network_down:
            message = "NETWORK DOWN: reading the cache; retrying later"
        elif self.state_note:
            message = f"STALE: {self.state_note}"
        else:
            message = ""
        banner.update(Text(message))
        banner.display = bool(message)

    def update_status(self) -> None:
        tl = self.query_one(ThreadList)
        listing = self.listing
        name = listing.name if listing and listing.name else self.ref.key
        if self.showing_bookmarks:
            name = "Bookmarks (v: back to the tag)"
        total = listing.total_posts if listing and listing.total_posts is not None else "?"
        sort = self.sort or "site default"
        if tl.sort_key:
            sort += f" · list by {tl.sort_key} {'▼' if tl.sort_reverse else '▲'}"
        shown = f"{len(tl.view)} shown · " if len(tl.view) != len(self.rows) else ""
        pages = f"p{self.pages_loaded}/{listing.total_pages}" if listing else "…"
        mode = "offline" if self.service.offline else (
            "network down" if self.service.network_down else "online")
        if self.state_note and not self.service.offline:
            mode = "stale"
        flight = self.service.in_flight
        parts = [name, f"sort {sort}", f"{shown}{len(self.rows)} of {total} loaded ({pages})",
                 mode]
        if getattr(self.app, "demo", False):
            parts.append("demo")
        if flight:
            parts.append(f"{flight} in flight")
        self.query_one("#status", Static).update(Text("  ·  ".join(parts)))
        self.update_banner()


def apply_query(threads: ThreadList, query: Query, context: Context) -> None:
    """Show the rows that match ``query`` (all rows for an empty one)."""
    if query.empty:
        threads.set_filter(None)
    else:
        threads.set_filter(query.predicate(context) if query.groups else None, query.sort)
