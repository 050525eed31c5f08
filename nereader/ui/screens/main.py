"""The main screen: filter bar, list pane, detail pane, banner and status line.

The list is a ``ListSession`` the screen owns. The screen's workers load what it lists (the
first page from the cache at once, later pages in order as they arrive, every loaded page again
on a refresh, the bookmarks) and hand it over; the session decides what the list then is, and
the screen draws it: the thread list reads the session's rows and cursor (and moves and sorts
it at a key, see ``ThreadList``), and the status line and the banner are bound to ``state``
(derived from the session) and ``activity``. The user's marks (bookmark, note and #labels,
mark read) change in workers too. The thread pane is mounted just after the first paint (see
``Panes``).

Workers: ``list`` (first page, refresh, bookmarks) and ``more`` (paging), each exclusive, so a
newer load supersedes an older one; ``detail`` for the thread read.

The inbox and a section list what has news: a thread read there leaves them when the list has
the focus again (they are loaded again from the cache), and ``U`` reads the next one without
going back to the list.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import ActiveBinding
from textual.events import Resize
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, ProgressBar

from nereader.core.clock import Clock
from nereader.core.errors import NereaderError, NetworkError, NotFoundError, OfflineError
from nereader.core.models import Activity, Bookmark, ListingPage, Sourced, ThreadSummary
from nereader.core.query import Context
from nereader.core.service import ForumService
from nereader.core.text import plural
from nereader.core.urls import ListingRef, ThreadRef, listing_for, parse_listing_ref, thread_link
from nereader.ui.bindings import bindings_of
from nereader.ui.commands import literal, site_sorts
from nereader.ui.hints import hinted
from nereader.ui.list_session import Inbox, Listing, ListSession, Section
from nereader.ui.screens.pages_ahead import PagesAhead
from nereader.ui.state import ListState
from nereader.ui.trail import Place, Trail
from nereader.ui.widgets.filter_bar import FilterBar
from nereader.ui.widgets.keybar import KeyBar
from nereader.ui.widgets.list_pane import ListPane
from nereader.ui.widgets.panes import Panes
from nereader.ui.widgets.status import Banner, StatusLine, StatusRow
from nereader.ui.widgets.thread_list import ThreadList

if TYPE_CHECKING:
    from nereader.ui.widgets.thread_view import ThreadView

NARROW = 110

# The first page from the cache, asked for while the screen is being set up.
Prefetch = asyncio.Future[Sourced[ListingPage] | None]


class ListingShown(Message):
    """A listing loaded and was shown (so it is worth offering again as a recent one)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


class SectionRequested(Message):
    """Make a home-screen section of ``query`` over ``listing`` (None: over the inbox)."""

    def __init__(self, query: str, listing: str | None) -> None:
        super().__init__()
        self.query = query
        self.listing = listing


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
                 start_thread: ThreadRef | None = None,
                 folds: dict[int, frozenset[int]] | None = None) -> None:
        super().__init__()
        self.start_thread = start_thread
        self.trail = Trail()  # threads followed by their links, to go back to
        self.folds = {} if folds is None else folds  # the app's: kept while it runs
        self.service = service
        self.clock = clock
        self.session = ListSession(Listing(ref, sort, order), demo=demo,
                                   context=Context(now=clock()))
        self.set_reactive(MainScreen.state, self.session.state())
        self.set_reactive(MainScreen.activity, service.activity())
        # The first page from the cache is read while the screen is set up.
        self._prefetch: Prefetch | None = None if start_thread else asyncio.ensure_future(
            service.cached_listing(ref, 1, sort, order))
        self._retry: Timer | None = None  # the next automatic try after an outage
        self._ready = False

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Banner(id="banner").data_bind(MainScreen.state, MainScreen.activity)
        yield Panes(self.session, id="panes")
        with StatusRow(id="statusline"):
            yield StatusLine(id="status").data_bind(MainScreen.state, MainScreen.activity)
        yield KeyBar(id="keybar")

    def on_mount(self) -> None:
        self.watch(self.app, "activity", self._activity, init=False)
        # The way back depends on where the focus is (the find bar's field, say).
        self.watch(self, "focused", self._focus_moved, init=False)
        if self.start_thread is not None:  # the list follows, once the thread names its tag
            self.open_thread(self.start_thread.id, self.start_thread.answer_id, list_after=True)
        else:
            self.load_list()
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
        view = await self.query_one(Panes).ensure_view()
        view.folds = self.folds
        return view

    def toggle_help(self) -> None:
        """Show or hide the keys of the focused pane (mounted on first use)."""
        from nereader.ui.widgets.help import toggle_help

        toggle_help(self)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        # The way back comes first, so a narrow key bar never cuts off "esc Back".
        bindings = super().active_bindings
        first = {key: b for key, b in bindings.items() if key == "escape"}
        esc = first.get("escape")
        if esc is not None and esc.node is self and not self.filtering and (
                self.session.failed or self.session.news_list):
            first["escape"] = esc._replace(binding=replace(esc.binding, description="Back"))
        if self.session.news_list:  # reading the inbox is a loop: its key in view, early
            first |= {key: b._replace(binding=replace(b.binding, show=True))
                      for key, b in bindings.items() if b.binding.action == "next_unread"}
        return first | {key: b for key, b in bindings.items() if key not in first}

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")
        self._layout()

    def _layout(self, reading: bool | None = None) -> None:
        self.query_one(Panes).arrange_panes(self.size.width < NARROW, reading)
        self._show_state()

    @property
    def reading(self) -> bool:
        return self.query_one(Panes).reading

    @property
    def pane(self) -> ListPane:
        return self.query_one(ListPane)

    @property
    def threads(self) -> ThreadList:
        return self.pane.threads

    @property
    def view(self) -> ThreadView | None:
        return self.query_one(Panes).view

    @property
    def finding(self) -> bool:
        """The thread's find bar is open: being typed in, or its matches stepped through."""
        bars = self.query("#find-bar")
        return bool(bars) and bars.first().display

    def _focus_moved(self) -> None:
        if self.query(Panes) and self.query("#list-pane"):  # not while the screen is taken down
            self._show_state()

    def on_find_status(self) -> None:
        """A find began, moved or ended: the status line says what esc does now."""
        self._show_state()

    @property
    def filtering(self) -> bool:
        """A filter is on, or being typed."""
        return self.session.filtering or self.pane.typing

    # -- drawing the session ---------------------------------------------------------------------
    def show_rows(self) -> None:
        """The session's rows changed (loaded, filtered, sorted): into the list, the filter
        bar's count and the status line."""
        self.threads.rows_changed()
        self.pane.show_count()
        self._show_state()
        self.refresh_bindings()  # "esc Clear filter" comes and goes with the filter

    def _show_state(self) -> None:
        """The status line's and the banner's state, the way back said before anything is
        cut."""
        back = self.session.way_back(reading=self.reading, narrow=self.size.width < NARROW,
                                     typing=self.pane.typing, finding=self.finding)
        state = replace(self.session.state(back), trail=self.trail.depth)
        if state != self.state:
            self.state = state

    def _progress(self, text: str) -> None:
        self.session.progress = text
        self._show_state()

    def cancel_group(self, group: str) -> None:
        self.workers.cancel_group(self, group)

    def problem(self, exc: NereaderError, title: str) -> None:
        self.notify(str(exc), title=title, severity="error", markup=False, timeout=8)

    def clear_error(self) -> None:
        """The detail pane's error message (why a thread did not open) goes."""
        view = self.view
        if view is not None:
            view.clear_error()

    # -- local state -----------------------------------------------------------------------------
    @work(group="local-state")
    async def load_local_state(self) -> None:
        try:
            self.pane.filter_input.history = await self.service.filter_history()
        except NereaderError as exc:
            self.problem(exc, "Local data")
        await self.refresh_context()
        # The bookmarks as rows, read now (in the service's thread) so that the first v shows
        # them at once: with thousands of bookmarks reading them takes a noticeable moment.
        with contextlib.suppress(NereaderError):  # v says so, if it happens again
            await self.service.bookmark_rows()

    async def refresh_context(self) -> None:
        """Bookmarks, read state and facts from the index, for the marks and the filter."""
        try:
            self.session.set_context(await self.service.query_context(self.clock()))
        except NereaderError as exc:
            self.problem(exc, "Local data")
        if self.session.filtering:  # what the filter matches may have changed
            self.show_rows()
        else:
            self.threads.refresh()  # the marks come from the context

    # -- loading the list ------------------------------------------------------------------------
    def load_list(self, refresh: bool = False) -> None:
        """What the list shows, from the start: the listing's first page, or the bookmarks."""
        self.run_worker(self._load_list(refresh), group="list", exclusive=True)

    async def _load_list(self, refresh: bool) -> None:
        source = self.session.source
        if isinstance(source, Listing):
            await self._first_page(refresh)
        elif isinstance(source, Inbox | Section):
            await self._load_news(source, refresh)
        else:
            await self._load_bookmarks()

    async def _first_page(self, refresh: bool) -> None:
        session, pane = self.session, self.pane
        listing = session.listing
        cached = None
        unread: NereaderError | None = None  # the cache's copy could not be read
        if not refresh:
            prefetch, self._prefetch = self._prefetch, None
            try:
                cached = await (prefetch or self.service.cached_listing(
                    listing.ref, 1, listing.sort, listing.order))
            except NereaderError as exc:
                unread = exc  # said once the site's answer says whether the list says it
            if cached is not None:
                self._show_first_page(cached)  # the first paint comes from the cache at once
                # The rest waits for that paint: the last visit, the HTTP client and the
                # request to the site would only compete with it.
                await pane.wait_for_refresh()
            try:  # after the paint: the last visit marks what is new since
                session.last_visit = await self.service.visit_tag(listing.ref)
                self.threads.refresh()
            except NereaderError as exc:
                self.problem(exc, "Local data")
        pane.set_loading(not session.rows)
        try:
            result = await self.service.listing(listing.ref, 1, listing.sort, listing.order,
                                                refresh)
        except NereaderError as exc:
            self._failed(exc, "Could not load the list", await self._nothing_cached(exc))
            return
        finally:
            pane.set_loading(False)
            if unread is not None:  # after the list's own note: a toast says it only if it
                self.problem(unread, "Cache")  # is something else
        if not (cached is not None and result.source == "cache"
                and result.fetched_at == cached.fetched_at):  # the very copy already shown
            self._show_first_page(result)

    def _failed(self, exc: NereaderError, title: str, first_run: bool = False) -> None:
        """What the list was to show did not load. With no rows, the empty list says why,
        where the user looks, and nothing else does (a toast, the thread pane); over rows
        still shown, a toast does (a 404 the list itself answers: t, esc)."""
        why = self.session.failed_to_load(exc, first_run, said=hinted(self, str(exc)))
        if why is not None:
            self.show_rows()
        elif not isinstance(exc, NotFoundError):
            self.problem(exc, title)
        self.first_shown()  # after the note: what loads next and fails the same is not said

    async def _nothing_cached(self, exc: NereaderError) -> bool:
        """The site could not be had and the cache holds nothing at all (a first run
        without the network), so the empty list may suggest the demo."""
        if self.session.demo or not isinstance(exc, NetworkError | OfflineError):
            return False
        try:
            return (await self.service.cache_info()).pages == 0
        except NereaderError:
            return False

    def _show_first_page(self, result: Sourced[ListingPage]) -> None:
        if self.session.first_page(result):
            self.post_message(ListingShown(self.session.listing.ref.key))
        self.show_rows()
        self.first_shown()

    async def _load_bookmarks(self) -> None:
        try:
            rows = await self.service.bookmark_rows()
        except NereaderError as exc:
            self._failed(exc, "Bookmarks")
            return
        self.session.batch(rows)
        self.first_shown()
        self.show_rows()

    async def _load_news(self, source: Inbox | Section, refresh: bool) -> None:
        """The inbox or a section, from the cache; ``refresh`` (r): the followed listings and
        the bookmarks revalidated first, politely (offline: the cache as it is)."""
        service, session = self.service, self.session
        if refresh and not service.offline:
            bar = self.progress_bar(True)

            def progress(_phase: str, done: int, total: int) -> None:
                if bar is not None:
                    bar.update(total=total, progress=done)
                self._progress(f"refreshing {done} of {total}")

            try:
                await service.refresh_followed(True, progress)
            except NereaderError as exc:
                self.problem(exc, "Could not refresh")
            finally:
                self.progress_bar(False)
                self._progress("")
        try:
            found = await (service.inbox() if isinstance(source, Inbox)
                           else service.section(source.name))
        except NereaderError as exc:
            self._failed(exc, source.title(""))
            return
        if found.note:
            self.notify(found.note, title=source.title(""), markup=False)
        one = found.listing is not None  # a section of one listing: no need to name it
        session.batch([item.row for item in found.items], where={} if one else {
            item.row.id: found.where(item) for item in found.items},
            news={item.row.id: item.new_posts for item in found.items if item.new_posts})
        self.first_shown()
        self.show_rows()

    def show_news(self, section: str | None = None) -> None:
        """The inbox (or the section called ``section``) in the list, the listing waiting
        behind it as ``v`` leaves it."""
        self.cancel_group("more")
        self.clear_error()
        self.session.show_batch(Inbox() if section is None else Section(section))
        self.pane.clear_filter_text()
        self.session.clear_filter()
        self.pane.filter_bar.pending = False
        self.show_rows()
        self.load_list()
        self.back_to_list()

    def load_more(self, every: bool = False) -> None:
        """The next page (``every``: each one left), unless pages are loading already."""
        pages = self.session.pages_to_load(every)
        if pages is not None:
            self.run_worker(self._pages(pages, every), group="more", exclusive=True)

    async def _pages(self, numbers: range, every: bool) -> None:
        """Pages shown in order as they arrive, so the rows and the count grow page by page.
        Only a few are asked for ahead of the one awaited (see ``_ahead``)."""
        session, listing = self.session, self.session.listing
        total = session.loaded.total_pages
        threads = self.threads
        bar = self.progress_bar(every)
        if bar is not None:
            bar.update(total=numbers[-1], progress=numbers[0] - 1)
        pages = PagesAhead(lambda n: self.service.listing(listing.ref, n, listing.sort,
                                                          listing.order),
                           numbers, self._ahead)
        try:
            for n in pages.numbers:
                self._progress(f"page {n} of {total}" if every else "")
                threads.set_footer(f"loading page {n} of {total}…")
                try:
                    page = await pages.next()
                except NereaderError as exc:
                    self.problem(exc, f"Could not load page {n}")
                    break
                session.next_page(n, page)
                self.show_rows()
                if bar is not None:
                    bar.update(progress=n)
        finally:
            await pages.cancel()
            session.busy = False
            self.progress_bar(False)
            threads.set_footer("")
            self._progress("")

    @property
    def _ahead(self) -> int:
        """Pages asked for at once: the fetcher's cap on requests in flight, and one waiting
        for its turn."""
        return max(1, self.service.settings.max_in_flight) + 1

    def refresh_list(self) -> None:
        """Revalidate what the list shows, keeping rows, cursor, filter and sort."""
        self.cancel_group("more")
        pages = self.session.pages_to_refresh()
        if pages is None:
            self.load_list(refresh=True)
        else:
            self.run_worker(self._revalidate(pages), group="list", exclusive=True)

    async def _revalidate(self, numbers: range) -> None:
        session, listing = self.session, self.session.listing
        count = len(numbers)
        ahead = PagesAhead(lambda n: self.service.listing(listing.ref, n, listing.sort,
                                                          listing.order, True),
                           numbers, self._ahead)
        pages: list[Sourced[ListingPage]] = []
        try:
            for n in ahead.numbers:
                self._progress(f"refreshing page {n} of {count}" if count > 1 else "refreshing")
                pages.append(await ahead.next())
        except NereaderError as exc:
            self.problem(exc, "Could not refresh the list")
            return
        finally:
            await ahead.cancel()
            session.busy = False
            self._progress("")
        session.refreshed(pages)
        self.show_rows()

    # -- an outage, and the next automatic try -------------------------------------------------
    def _activity(self, activity: Activity) -> None:
        """Going online again (ctrl+o) refreshes what is shown, as r does: the list in place
        (so a stale note goes) and a thread that failed to open offline."""
        old, self.activity = self.activity, activity
        self._network(activity.network_down, old.network_down)
        if old.offline and not activity.offline:
            self.refresh_list()
            self.retry_failed_thread()

    def _network(self, down: bool, was_down: bool) -> None:
        """The network went down (the banner counts down to the next try, which refreshes the
        list by itself) or came back."""
        if down and not was_down:
            wait = self.service.settings.network_down_for
            self.session.retry_at = time.monotonic() + wait
            if self._retry is not None:
                self._retry.stop()
            self._retry = self.set_timer(wait + 0.5, self._auto_retry)
        elif not down and was_down:
            self.session.retry_at = None
        self._show_state()

    def _auto_retry(self) -> None:
        self._retry = None
        self.activity = self.service.activity()  # the outage window is over
        if not self.activity.network_down and isinstance(self.session.source, Listing):
            self.refresh_list()

    def retry_failed_thread(self) -> None:
        view = self.view
        if view is not None and view.error == "thread" and view.thread_id is not None:
            self.run_worker(self._open(view.thread_id, None, False), group="detail",
                            exclusive=True)

    # -- what the user asks of the list --------------------------------------------------------
    @on(ThreadList.NearEnd)
    def _near_end(self) -> None:
        self.load_more()

    @on(ThreadList.SortChanged)
    def _sorted(self) -> None:
        self._show_state()

    def action_load_all(self) -> None:
        if self.session.more_pages:
            self.load_more(every=True)
        else:
            activity = self.service.activity()
            self.notify(self.session.nothing_to_load(activity.offline, activity.network_down),
                        markup=False)

    def action_refresh(self) -> None:
        """Refresh what has focus: the thread being read, or every loaded page of the list."""
        self.service.retry_network()  # a manual refresh tries the site at once
        self.activity = self.service.activity()
        view = self.view
        if view is not None and view.has_focus and view.thread_id is not None:
            self.open_thread(view.thread_id, refresh=True)  # the thread read, or failed
        else:
            self.refresh_list()
        self.notify("Refreshing…", timeout=2)

    def reload(self, ref: ListingRef | None = None, sort: str | None = None,
               order: str | None = None) -> None:
        """Open another listing, or the same one in another site sort."""
        self.cancel_group("more")
        self.session.open(Listing(ref or self.session.listing.ref, sort, order))
        self.pane.clear_filter_text()
        self.pane.filter_bar.pending = False
        self.clear_error()
        self.show_rows()
        self.load_list()

    def open_listing(self, ref: ListingRef, show: bool = True) -> None:
        """Another listing; ``show``: in view (a narrow screen leaves the thread for it)."""
        self.reload(ref)
        if show:
            self.back_to_list()

    def go_back(self) -> bool:
        """Back to the listing shown before the one that did not load; False if none."""
        if not self.session.go_back():
            return False
        self.cancel_group("list")
        self.show_rows()
        return True

    def action_toggle_bookmarks(self) -> None:
        """The bookmarks in the list; again: back to the listing as it was."""
        session = self.session
        self.clear_error()
        if not session.bookmarks:
            self.cancel_group("more")
            session.show_bookmarks()
            self.load_list()
        else:
            self.cancel_group("list")
            if not session.back_to_listing():  # it had not loaded: load it now
                self.load_list()
        self.show_rows()
        self.back_to_list()

    def system_commands(self) -> Iterable[SystemCommand]:
        """The screen's entries in the command palette (beside every key binding): the site's
        sorts, and the filter on as a section of the home screen."""
        yield from site_sorts(partial(self.reload, None))
        source, query = self.session.source, self.session.query.text.strip()
        if query and isinstance(source, Listing | Inbox):
            listing = source.ref.key if isinstance(source, Listing) else None
            over = "the inbox" if listing is None else self.session.state().title
            yield SystemCommand("Add the filter to the home screen as a section",
                                literal(f"{query} over {over}, a row of the home screen (H)"),
                                lambda: self.post_message(SectionRequested(query, listing)))

    # -- reading ---------------------------------------------------------------------------------
    @on(ThreadList.Selected)
    def open_selected(self, event: ThreadList.Selected) -> None:
        self.open_thread(event.row.id)

    def open_thread(self, thread_id: int, focus_post: int | None = None,
                    refresh: bool = False, list_after: bool = False,
                    place: Place | None = None, follow: bool = False) -> None:
        """Read a thread, at ``focus_post`` (any post or comment id) or ``place`` if given;
        ``list_after``: then open its tag's list (starting the app on a thread). Opened any
        way but by a link or the trail (``follow``), or a refresh, a thread starts a new
        trail."""
        if not follow and not refresh:
            self.trail.clear()
        view = self.view
        if view is not None:
            view.focus(scroll_visible=False)
        self._layout(reading=True)
        self.session.read_here.add(thread_id)
        self.run_worker(self._open(thread_id, focus_post, refresh, list_after, place),
                        group="detail", exclusive=True)

    async def _open(self, thread_id: int, focus_post: int | None, refresh: bool,
                    list_after: bool = False, place: Place | None = None) -> None:
        from nereader.ui.screens.reading import open_into

        view = await self.ensure_view()
        if self.reading:
            view.focus(scroll_visible=False)
        thread = await open_into(view, self.service, self.clock(), thread_id, focus_post,
                                 refresh, self.problem, self.notify, place)
        if list_after:  # started on a thread: its tag's list goes behind it
            ref = listing_for(thread) if thread is not None else None
            if ref is not None and ref != self.session.listing.ref:
                self.open_listing(ref, show=False)
            else:
                self.load_list()
        if thread is not None:
            await self.refresh_context()

    def on_thread_view_back(self) -> None:
        self.back_to_list()

    # -- links, the trail, images ----------------------------------------------------------------
    def open_link(self, url: str) -> None:
        """A link from a post: a forum thread opens here (at its answer), the thread read
        kept on the trail to go back to; any other web link goes to the browser."""
        ref = thread_link(url, self.service.settings.base_url)
        if ref is None:
            self.app.open_url(url)  # the app says how it went
            return
        view = self.view
        self.trail.follow(view.place() if view is not None else None)
        self.open_thread(ref.id, ref.answer_id, follow=True)

    def on_thread_view_link_clicked(self, event: ThreadView.LinkClicked) -> None:
        self.open_link(event.url)

    def on_thread_view_trail_step(self, event: ThreadView.TrailStep) -> None:
        """⌫ back along the trail, shift+⌫ or ] forward again, each at the place left."""
        step = event.step
        view = self.view
        here = view.place() if view is not None else None
        target = self.trail.go_back(here) if step < 0 else self.trail.go_forward(here)
        if target is None:
            self.notify("No thread to go back to: ⌫ goes back along the links followed."
                        if step < 0 else "No thread to go forward to.", timeout=3)
            return
        self.open_thread(target.thread_id, place=target, follow=True)

    def on_thread_view_images_requested(self, event: ThreadView.ImagesRequested) -> None:
        from nereader.ui.screens.images import ImageScreen

        self.app.push_screen(ImageScreen(self.service, event.images, event.start, event.title))

    def back_to_list(self) -> None:
        # The panes are always in view: scrolling to the focused one would lay out every post.
        self.threads.focus(scroll_visible=False)
        self._layout(reading=False)
        if self.session.news_list and self.session.read_here:
            self.load_list()  # what was read leaves the inbox, the cursor on the next one

    def action_next_unread(self) -> None:
        """Read the next thread still to read below the one just read (or the cursor's),
        from the top again past the last: in the inbox, the loop read, next, read, next."""
        session, view = self.session, self.view
        reading = view is not None and view.has_focus and view.thread_id is not None
        position = session.next_unread(view.thread_id if reading and view is not None
                                       else None)
        if position is None:
            self.notify(f"Nothing left to read in {session.state().title}."
                        + (" H goes home." if session.news_list else ""), markup=False)
            return
        old = session.cursor
        session.move(to=position)
        self.threads.cursor_moved(old)
        row = session.current
        if row is not None:
            self.open_thread(row.id)

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

    @on(FilterBar.Applied)
    def _filtered(self, event: FilterBar.Applied) -> None:
        event.stop()
        # Typed faster than handled, a query may arrive after the box has moved on: it is
        # still the last good result, but what the box shows now decides "typing…" (as it
        # does for the last good query shown while the box's does not parse).
        query = event.query
        live = not event.fallback and query.text == self.pane.filter_input.value
        pending = self.session.filter(query, live)
        if live or not (query.text or event.fallback):
            self.pane.filter_bar.pending = pending
        self.show_rows()

    @on(Input.Submitted, "#filter")
    def filter_done(self, event: Input.Submitted) -> None:
        self.run_worker(self._remember_query(event.value), group="history")
        self.threads.focus(scroll_visible=False)

    async def _remember_query(self, query: str) -> None:
        try:
            await self.service.add_filter_history(query)
        except NereaderError as exc:
            self.problem(exc, "Local data")

    def clear_filter(self) -> None:
        self.pane.clear_filter_text()
        # At once, not when the input's Changed message arrives: the next key sees it cleared.
        self.session.clear_filter()
        self.pane.filter_bar.pending = False
        self.show_rows()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # esc: a filter to clear, a listing or home to go back to (else it passes on)
        if action == "escape":
            return self.pane.filter_input.has_focus or (
                (self.filtering or self.session.can_go_back or self.session.news_list)
                and not self.reading)
        return True

    async def action_escape(self) -> None:
        """esc clears the filter, from the filter bar or the list; with none, it goes back to
        the listing shown before one that failed, or from the inbox (a section) to the home
        screen it was opened from; else it passes on."""
        if self.pane.filter_input.has_focus:
            self.clear_filter()
            self.threads.focus(scroll_visible=False)
        elif self.filtering:
            self.clear_filter()
        elif self.session.failed and self.go_back():
            pass
        elif self.session.news_list:
            await self.app.run_action("home")
            return
        else:
            raise SkipAction()
        self._show_state()

    def apply_filter(self, query: str) -> None:
        self.pane.set_filter_text(query)
        self.back_to_list()

    # -- the user's marks ------------------------------------------------------------------------
    # Each change runs in a worker, then the context (what the row marks and the filter read) is
    # refreshed. What cannot be undone (marking many threads read, a bookmark's note and
    # #labels) is asked about first.
    def on_thread_list_bookmark_requested(self, event: ThreadList.BookmarkRequested) -> None:
        self.toggle_bookmark(event.row.id, event.row)

    def on_thread_view_bookmark_requested(self, event: Message) -> None:
        self.toggle_bookmark(event.thread_id, None)  # type: ignore[attr-defined]

    def toggle_bookmark(self, thread_id: int, row: ThreadSummary | None) -> None:
        """Bookmark a thread (and keep it for offline reading), or remove its bookmark."""
        self.run_worker(self._toggle_bookmark(thread_id, row), group="bookmark")

    def _ask(self, question: str, then: Callable[[], Coroutine[Any, Any, None]],
             group: str) -> None:
        from nereader.ui.screens.dialogs import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(then(), group=group)

        self.app.push_screen(ConfirmScreen(question), answered)

    async def _toggle_bookmark(self, thread_id: int, row: ThreadSummary | None) -> None:
        try:
            if thread_id in self.session.context.bookmarked:
                lost = kept_with(await self.service.get_bookmark(thread_id))
                if lost:  # a bare bookmark goes at once: b brings it back
                    self._ask(f"Remove the bookmark and its {lost}?",
                              lambda: self._unbookmark(thread_id), "bookmark")
                else:
                    await self._unbookmark(thread_id)
                return
            mark, warning = await self.service.bookmark(thread_id, row=row)
            self.notify(warning or f"Bookmarked, and kept for offline reading: {mark.title}",
                        title="Bookmarked" if warning else "",
                        severity="warning" if warning else "information", markup=False)
        except NereaderError as exc:
            self.problem(exc, "Bookmark")
        await self.marks_changed()

    async def _unbookmark(self, thread_id: int) -> None:
        try:
            await self.service.unbookmark(thread_id)
            self.notify("Bookmark removed.")
        except NereaderError as exc:
            self.problem(exc, "Bookmark")
        await self.marks_changed()

    async def marks_changed(self) -> None:
        """The marks and the filter read the new context; the thread read shows its bookmark
        (mark, note, #labels); the bookmarks view lists them again."""
        from nereader.ui.screens.reading import show_bookmark

        await self.refresh_context()
        view = self.view
        if view is not None:
            await show_bookmark(view, self.service, self.problem)
        if self.session.bookmarks:
            self.load_list()

    def action_edit_bookmark(self) -> None:
        from nereader.ui.screens.library import NoteScreen

        view, current = self.view, self.session.current
        reading = view.thread if view is not None and view.has_focus else None
        thread_id = reading.id if reading else current.id if current else None
        title = reading.title if reading else current.title if current else ""
        if thread_id is None:
            return

        def saved(changed: bool | None) -> None:
            if changed:
                self.run_worker(self.marks_changed(), group="bookmark")

        self.app.push_screen(NoteScreen(self.service, thread_id, title), saved)

    def action_mark_all_read(self) -> None:
        rows = self.session.shown_rows
        if not rows:
            self.notify("No threads listed to mark read.")
            return

        async def mark() -> None:
            try:
                await self.service.mark_all_read(rows)
            except NereaderError as exc:
                self.problem(exc, "Local data")
                return
            await self.refresh_context()
            if self.session.news_list:  # they leave the inbox
                self.load_list()
            self.notify(f"Marked {plural(len(rows), 'thread')} read.")

        self._ask(f"Mark {plural(len(rows), 'thread')} read? (There is no undo.)", mark,
                  "state")


def kept_with(mark: Bookmark | None) -> str:
    """What removing ``mark`` would throw away besides the bookmark: "note", "#labels
    (#a #b)", both, or nothing."""
    if mark is None:
        return ""
    parts = ["note"] if mark.note.strip() else []
    if mark.labels:
        parts.append(f"#labels ({' '.join('#' + label for label in mark.labels)})")
    return " and ".join(parts)
