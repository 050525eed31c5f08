"""What the list shows, loaded for the main screen: the first page (from the cache at once),
the next pages in order as they arrive, a refresh of every loaded page in place, and the
bookmarks view, which keeps the loaded listing to go back to.

Every load runs in one of the screen's workers: ``list`` (first page, refresh, bookmarks) and
``more`` (paging), each exclusive, so a newer request supersedes an older one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any, Protocol

from textual.message import Message
from textual.timer import Timer
from textual.widgets import ProgressBar
from textual.worker import Worker

from nereader.core.errors import NereaderError
from nereader.core.models import Activity, ListingPage, Sourced, ThreadSummary
from nereader.core.service import ForumService
from nereader.core.urls import ListingRef
from nereader.ui.screens.list_pages import PagesAhead, not_found, stale_note, unique
from nereader.ui.state import ListState
from nereader.ui.widgets.list_pane import ListPane

# The first page from the cache, asked for before the screen exists (see NereaderApp.on_load).
Prefetch = asyncio.Future[Sourced[ListingPage] | None]

EMPTY_TAG = "No threads here yet: t switches tag, r refreshes."
NO_BOOKMARKS = "No bookmarks yet: b on a thread bookmarks it; v goes back to the listing."
FAILED = "Nothing to show yet: r tries again, t switches tag, L opens the offline library."
NOT_FOUND = ("No listing '{key}' on the site (404): t switches listing, or check the slug with "
             "`nereader topics`.")


class ListingShown(Message):
    """A listing loaded and was shown (so it is worth offering again as a recent one)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


class Host(Protocol):
    """What the loader needs of the screen it loads for (``MainScreen``): its state, its list
    pane, its workers and timers, and where problems and progress show."""

    state: ListState
    activity: Activity

    @property
    def pane(self) -> ListPane: ...

    def cancel_group(self, group: str) -> None: ...

    def run_worker(self, work: Coroutine[Any, Any, None], name: str | None = "",
                   group: str = "default", description: str = "", exit_on_error: bool = True,
                   start: bool = True, exclusive: bool = False) -> Worker[None]: ...

    def set_timer(self, delay: float, callback: Callable[[], object] | None = None) -> Timer: ...

    def post_message(self, message: Message) -> bool: ...

    def problem(self, exc: NereaderError, title: str) -> None: ...

    def first_shown(self) -> None: ...

    async def show_list_error(self, message: str) -> None: ...

    def listing_failed(self) -> None: ...

    def retry_failed_thread(self) -> None: ...

    def clear_error(self, only: str | None = None) -> None: ...

    def progress_bar(self, show: bool) -> ProgressBar | None: ...


@dataclass(frozen=True, slots=True)
class _Kept:
    """The listing as it was (when the bookmarks view opened, or another listing was asked
    for), to go back to."""

    rows: list[ThreadSummary]
    state: ListState
    cursor: int | None

    @classmethod
    def of(cls, pane: ListPane, state: ListState) -> _Kept:
        current = pane.threads.current
        return cls(list(pane.threads.rows), state, current.id if current else None)


class ListLoader:
    """Loads rows into the screen's list pane and keeps the screen's ``state`` in step."""

    def __init__(self, screen: Host, service: ForumService,
                 prefetch: Prefetch | None = None) -> None:
        self.screen = screen
        self.service = service
        self._prefetch = prefetch
        self._retry: Timer | None = None
        self.busy = False  # pages are being loaded or refreshed: no paging meanwhile
        self._kept: _Kept | None = None
        # The listing shown before another was asked for, until that one loads: a mistyped
        # slug must not cost the list (esc goes back to it).
        self.previous: _Kept | None = None
        self.shown_once = False  # the listing has been shown (worth remembering as recent)
        self.failed = False  # the listing asked for did not load and nothing is shown

    @property
    def state(self) -> ListState:
        return self.screen.state

    @state.setter
    def state(self, value: ListState) -> None:
        self.screen.state = value

    # -- the first page ------------------------------------------------------------------------
    def first(self, refresh: bool = False) -> None:
        self.screen.run_worker(self._first(refresh), group="list", exclusive=True)

    async def _first(self, refresh: bool) -> None:
        pane, state = self.screen.pane, self.state
        if state.bookmarks:
            await self._bookmarks()
            return
        cached = None
        if not refresh:
            prefetch, self._prefetch = self._prefetch, None
            try:
                cached = await (prefetch or self.service.cached_listing(state.ref, 1, state.sort,
                                                                        state.order))
            except NereaderError as exc:
                self.screen.problem(exc, "Cache")
            if cached is not None:
                self._show_first(cached)  # the first paint comes from the cache at once
                # The rest waits for that paint: the last visit, the HTTP client and the
                # request to the site would only compete with it.
                await pane.wait_for_refresh()
            try:  # after the paint: the last visit marks what is new since
                pane.last_visit = await self.service.visit_tag(state.ref)
                pane.threads.refresh()
            except NereaderError as exc:
                self.screen.problem(exc, "Local data")
        pane.set_loading(not pane.threads.rows)
        try:
            result = await self.service.listing(state.ref, 1, state.sort, state.order, refresh)
        except NereaderError as exc:
            self.screen.first_shown()
            if not not_found(exc):
                self.screen.problem(exc, "Could not load the list")
            if not pane.threads.rows:
                hint = (NOT_FOUND.format(key=state.ref.key) if not_found(exc) else
                        f"{FAILED.rstrip('.')}; {exc}.")
                if self.previous is not None:
                    hint += f" esc goes back to {self.previous.state.title}."
                pane.set_empty_hint(hint)
                self.failed = True
                self.screen.listing_failed()
                await self.screen.show_list_error(hint)
            return
        finally:
            pane.set_loading(False)
        if not (cached is not None and result.source == "cache"
                and result.fetched_at == cached.fetched_at):  # the very copy already shown
            self._show_first(result)

    def _show_first(self, result: Sourced[ListingPage]) -> None:
        listing = result.value
        pane = self.screen.pane
        pane.set_empty_hint(EMPTY_TAG)
        loaded = self.state.pages_loaded
        self.state = replace(self.state, name=listing.name, total_posts=listing.total_posts,
                             total_pages=listing.total_pages, pages_loaded=max(1, loaded),
                             stale_note=stale_note(result))
        if loaded > 1:  # paged on while page 1 was on its way: page 1 first, then the rest
            pane.set_rows(unique([*listing.rows, *pane.threads.rows]))
        else:
            pane.set_rows(listing.rows)
        self.screen.clear_error(only="list")
        self.previous, self.failed = None, False  # this one loaded: no going back
        if not self.shown_once:
            self.shown_once = True
            self.screen.post_message(ListingShown(self.state.ref.key))
        self.screen.first_shown()

    # -- more pages ------------------------------------------------------------------------------
    @property
    def more_pages(self) -> bool:
        return not self.state.bookmarks and self.state.pages_loaded < self.state.total_pages

    def next_page(self) -> None:
        if self.more_pages and not self.busy:
            self.busy = True
            self.screen.run_worker(self._pages(self.state.pages_loaded + 1, 1), group="more",
                                   exclusive=True)

    def all_pages(self) -> bool:
        """Load every page left; False when there is none."""
        if not self.more_pages:
            return False
        if not self.busy:
            self.busy = True
            self.screen.run_worker(self._pages(self.state.pages_loaded + 1, None),
                                   group="more", exclusive=True)
        return True

    async def _pages(self, start: int, count: int | None) -> None:
        """Pages ``start``.. (``count`` None: to the last), shown in order as they arrive, so
        the rows and the count grow page by page. Only a few are asked for ahead of the one
        awaited (see ``_ahead``)."""
        state = self.state
        last = state.total_pages if count is None else min(state.total_pages,
                                                            start + count - 1)
        threads = self.screen.pane.threads
        bar = self.screen.progress_bar(count is None)
        if bar is not None:
            bar.update(total=last, progress=start - 1)
        pages = PagesAhead(lambda n: self.service.listing(state.ref, n, state.sort,
                                                          state.order),
                           range(start, last + 1), self._ahead)
        try:
            for n in pages.numbers:
                self._progress(f"page {n} of {state.total_pages}" if count is None else "")
                threads.set_notes(footer=f"loading page {n} of {state.total_pages}…")
                try:
                    page = await pages.next()
                except NereaderError as exc:
                    self.screen.problem(exc, f"Could not load page {n}")
                    break
                self.state = replace(self.state, pages_loaded=max(self.state.pages_loaded, n),
                                     stale_note=stale_note(page))
                self.screen.pane.add_rows(page.value.rows)
                if bar is not None:
                    bar.update(progress=n)
        finally:
            await pages.cancel()
            self.busy = False
            self.screen.progress_bar(False)
            threads.set_notes(footer="")
            self._progress("")

    @property
    def _ahead(self) -> int:
        """Pages asked for at once: the fetcher's cap on requests in flight, and one waiting
        for its turn (see ``ahead``)."""
        return max(1, self.service.settings.max_in_flight) + 1

    def _progress(self, text: str) -> None:
        if self.state.progress != text:
            self.state = replace(self.state, progress=text)

    # -- refresh in place ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Revalidate what the list shows, keeping rows, cursor, filter and sort."""
        if self.state.bookmarks:
            self.first()
        elif self.state.pages_loaded == 0:
            self.first(refresh=True)
        else:
            self.screen.cancel_group("more")
            self.busy = True
            self.screen.run_worker(self._revalidate(), group="list", exclusive=True)

    async def _revalidate(self) -> None:
        state = self.state
        count = max(1, state.pages_loaded)
        ahead = PagesAhead(lambda n: self.service.listing(state.ref, n, state.sort,
                                                          state.order, True),
                           range(1, count + 1), self._ahead)
        pages: list[Sourced[ListingPage]] = []
        try:
            for n in ahead.numbers:
                self._progress(f"refreshing page {n} of {count}" if count > 1 else "refreshing")
                pages.append(await ahead.next())
        except NereaderError as exc:
            self.screen.problem(exc, "Could not refresh the list")
            return
        finally:
            await ahead.cancel()
            self.busy = False
            self._progress("")
        first = pages[0].value
        worst = next((p for p in pages if p.stale), pages[0])
        self.state = replace(self.state, name=first.name, total_posts=first.total_posts,
                             total_pages=first.total_pages, pages_loaded=count,
                             stale_note=stale_note(worst))
        self.screen.pane.set_rows(unique(r for p in pages for r in p.value.rows))

    # -- the bookmarks view --------------------------------------------------------------------
    def toggle_bookmarks(self) -> None:
        screen = self.screen
        screen.clear_error()
        if not self.state.bookmarks:
            self._kept = _Kept.of(screen.pane, self.state)
            screen.cancel_group("more")
            self.busy = False
            self.state = replace(self.state, bookmarks=True)
            screen.pane.set_empty_hint("")
            screen.pane.set_rows([], keep_cursor=False)
            self.first()
            return
        kept, self._kept = self._kept, None
        screen.cancel_group("list")
        if kept is None:  # nothing was loaded before: load the listing now
            self.state = replace(self.state, bookmarks=False)
            screen.pane.set_rows([], keep_cursor=False)
            self.first()
            return
        self._restore(kept, self.state.back)

    def _restore(self, kept: _Kept, back: str) -> None:
        self.state = replace(kept.state, back=back, retry_at=self.state.retry_at, progress="")
        self.screen.pane.set_empty_hint(EMPTY_TAG)
        self.screen.pane.set_rows(kept.rows, keep_cursor=False)
        self.screen.pane.threads.select_id(kept.cursor)

    async def _bookmarks(self) -> None:
        try:
            rows = await self.service.bookmark_rows()
        except NereaderError as exc:
            self.screen.problem(exc, "Bookmarks")
            return
        self.state = replace(self.state, pages_loaded=0, total_pages=0, total_posts=len(rows),
                             stale_note="")
        self.screen.first_shown()
        self.screen.pane.set_empty_hint(NO_BOOKMARKS)
        self.screen.pane.set_rows(rows)

    # -- an outage, and the next automatic try -------------------------------------------------
    def activity_changed(self, old: Activity, new: Activity) -> None:
        """Going online again (ctrl+o) refreshes what is shown, as r does: the list in place
        (so a stale note goes) and a thread that failed to open offline."""
        self.network(new.network_down, old.network_down)
        if old.offline and not new.offline:
            self.refresh()
            self.screen.retry_failed_thread()

    def network(self, down: bool, was_down: bool) -> None:
        """The network went down (the banner counts down to the next try, which refreshes the
        list by itself) or came back."""
        if down and not was_down:
            wait = self.service.settings.network_down_for
            self.state = replace(self.state, retry_at=time.monotonic() + wait)
            if self._retry is not None:
                self._retry.stop()
            self._retry = self.screen.set_timer(wait + 0.5, self._auto_retry)
        elif not down and was_down:
            self.state = replace(self.state, retry_at=None)

    def _auto_retry(self) -> None:
        self._retry = None
        self.screen.activity = self.service.activity()  # the outage window is over
        if not self.screen.activity.network_down and not self.state.bookmarks:
            self.refresh()

    def reset(self, keep: bool = False) -> None:
        """Another listing: forget what this one kept; ``keep``: the listing shown now is the
        one to go back to while the other has not loaded (see ``previous``)."""
        if keep and self.state.pages_loaded and not self.state.bookmarks and not self.failed:
            self.previous = _Kept.of(self.screen.pane, self.state)
        elif not keep:
            self.previous = None
        self.failed = False
        self.screen.cancel_group("more")
        self.busy = False
        self._kept = None
        self.shown_once = False

    def go_back(self) -> bool:
        """Back to the listing shown before the one that did not load; False if none."""
        kept, self.previous = self.previous, None
        if kept is None:
            return False
        self.screen.cancel_group("list")
        self.screen.clear_error(only="list")
        self.shown_once, self.failed = True, False
        self._restore(kept, "")
        return True


def prefetch(service: ForumService, ref: ListingRef, sort: str | None, order: str | None
             ) -> Prefetch:
    """The first page from the cache, asked for while the screen is being set up."""
    return asyncio.ensure_future(service.cached_listing(ref, 1, sort, order))
