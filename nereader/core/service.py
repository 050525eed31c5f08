"""ForumService: the one facade the UI and the CLI call. It holds the parts and delegates.

    loader   fetcher + page cache: the stale-if-error road every page takes
    pages    listings, whole threads, feeds, the search index
    library  bookmarks, read state, the offline library
    sync     filling the cache for offline reading
    store    small preference files: recent listings, filter history, saved filters
    following, news, config   followed listings, `check`'s news, the config file

What it returns are models (``core.models``); what it has to say besides its results (a file
set aside, a broken index, requests in flight) goes to the ``events`` callback as a
``Notice`` or an ``Activity``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

# Importing the facade costs next to nothing: the command line routes on it before it knows
# what it will run. The parts load when a service is built (the loader and the pages), or
# when first used (the library, followed listings, news, the HTTP client, the parsers).
if TYPE_CHECKING:
    import httpx

    from nereader.core.following import Following
    from nereader.core.inbox import Collector
    from nereader.core.library import Library
    from nereader.core.loader import Emit
    from nereader.core.models import (
        Activity,
        Bookmark,
        BookmarkChange,
        CacheInfo,
        ConfigEdit,
        ConfigSaved,
        DoctorReport,
        Feed,
        FollowedSync,
        HomeView,
        Inbox,
        LastRead,
        LibraryItem,
        ListingPage,
        ListingStatus,
        NewsReport,
        SearchHit,
        SearchResults,
        ServiceEvent,
        SinceLastRead,
        Sourced,
        SyncSummary,
        Thread,
        ThreadSummary,
        TopicTree,
    )
    from nereader.core.news import NewsState
    from nereader.core.pages import Progress
    from nereader.core.parse import Page
    from nereader.core.query import Context
    from nereader.core.settings import Layer, Resolved, Section, Settings
    from nereader.core.store import FilterHistory, RecentTags, SavedFilters
    from nereader.core.urls import ListingRef

P = ParamSpec("P")
R = TypeVar("R")


def _ignore(event: ServiceEvent) -> None:
    return None


MAX_PAGE_BYTES = 16 * 1024 * 1024  # what parse_page reads at most (parse.guard checks it too)


def parse_page(content: bytes, url: str | None = None) -> Page:
    """What nereader reads from a saved page, whatever its kind (the ``parse`` command)."""
    from nereader.core.parse import parse_page as _parse_page

    return _parse_page(content, url)


def load_settings(env: Mapping[str, str] | None, flags: Layer, *, lenient: bool = False,
                  polite_floor: bool = True, preferences: Path | None = None) -> Resolved:
    """Defaults, the config file, the environment, the flags; ``preferences``: the user's own
    config folder, whose theme and [keys] also apply to another forum's (see ``core.config``)."""
    from nereader.core import config as configuration

    return configuration.load_settings(env, flags, lenient=lenient, polite_floor=polite_floor,
                                       preferences=preferences)


def create_config(path: Path) -> bool:
    """Write the commented template to ``path`` unless a file is there; True if written."""
    from nereader.core import config as configuration

    return configuration.create(path)


def begin_config_edit(path: Path) -> ConfigEdit:
    """A copy of the config file beside it for an editor (the file stays free meanwhile)."""
    from nereader.core import config as configuration

    return configuration.begin_edit(path)


def finish_config_edit(edit: ConfigEdit) -> ConfigSaved:
    """Save the edited copy, with what nereader changed in the file meanwhile kept (a setting
    changed in both is a ConfigError, and the copy stays)."""
    from nereader.core import config as configuration

    return configuration.finish_edit(edit)


def discard_config_edit(edit: ConfigEdit) -> bool:
    """Remove the copy unless it holds an edit (True: removed)."""
    from nereader.core import config as configuration

    return configuration.discard_edit(edit)


class ForumService:
    """Every page comes through here: from the cache when fresh, else politely from the site."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None,
                 events: Emit | None = None) -> None:
        from nereader.core.loader import Loader
        from nereader.core.pages import Pages
        from nereader.core.store import FilterHistory, RecentTags, SavedFilters

        self.settings = settings
        self._emit: Emit = events or _ignore
        self._loader = Loader(settings, self._relay, transport)
        self._pages = Pages(settings, self._loader, self._relay)
        self._recent = RecentTags(settings.data_dir)
        self._history = FilterHistory(settings.data_dir)
        self._saved = SavedFilters(settings.preferences_dir)

    @cached_property
    def _library(self) -> Library:
        from nereader.core.library import Library

        return Library(self._pages, self._relay)

    @cached_property
    def _following(self) -> Following:
        from nereader.core.following import Following

        return Following(self._pages, self._library)

    @cached_property
    def _collector(self) -> Collector:
        from nereader.core.inbox import Collector

        return Collector(self._following)

    @cached_property
    def _news(self) -> NewsState:
        from nereader.core.news import NewsState

        return NewsState(self.settings.data_dir)

    def listen(self, events: Emit) -> None:
        """Send notices and activity to ``events`` from now on (the app, once it runs)."""
        self._emit = events

    def _relay(self, event: ServiceEvent) -> None:
        self._emit(event)

    async def aclose(self) -> None:
        await self._loader.aclose()
        self._pages.close()

    def open_cache(self) -> None:
        """Open the page cache at once, blocking: for a program about to start an event loop.
        Left to the first read, it opens in a worker thread, where each of the hundred and
        fifty SQL statements of an open waits for the interpreter lock while the loop is busy
        drawing the first screen. A cache that cannot be opened is left for that read to
        report."""
        self._loader.open_cache()

    # -- mode ----------------------------------------------------------------------------------
    @property
    def offline(self) -> bool:
        return self._loader.offline

    def set_offline(self, offline: bool) -> None:
        self._loader.set_offline(offline)

    def retry_network(self) -> None:
        self._loader.retry_network()

    def activity(self) -> Activity:
        return self._loader.activity()

    # -- listings and threads ------------------------------------------------------------------
    async def listing(self, ref: ListingRef, page: int = 1, sort: str | None = None,
                      order: str | None = None, refresh: bool = False) -> Sourced[ListingPage]:
        return await self._pages.listing(ref, page, sort, order, refresh)

    async def cached_listing(self, ref: ListingRef, page: int = 1, sort: str | None = None,
                             order: str | None = None) -> Sourced[ListingPage] | None:
        return await self._pages.cached_listing(ref, page, sort, order)

    async def listing_pages(self, ref: ListingRef, pages: int | None = 1,
                            sort: str | None = None, order: str | None = None,
                            refresh: bool = False, start: int = 1,
                            progress: Progress | None = None) -> list[Sourced[ListingPage]]:
        return await self._pages.listing_pages(ref, pages, sort, order, refresh, start, progress)

    async def feed(self, ref: ListingRef, refresh: bool = False) -> Sourced[Feed]:
        return await self._pages.feed(ref, refresh)

    async def thread(self, thread_id: int, refresh: bool = False,
                     progress: Progress | None = None) -> Sourced[Thread]:
        return await self._pages.thread(thread_id, refresh, progress)

    async def cached_thread(self, thread_id: int) -> Thread | None:
        return await self._pages.cached_thread(thread_id)

    async def open_thread(self, thread_id: int, refresh: bool = False, at: int | None = None
                          ) -> tuple[Sourced[Thread], SinceLastRead]:
        """Read a thread (at reply ``at``): marks it read, and says which posts are new since
        it was last read (``marks.unseen_posts``)."""
        return await self._library.open_thread(thread_id, refresh, at)

    async def last_read(self, thread_id: int) -> LastRead | None:
        """What is known of a thread's last reading, to mark its new posts in a copy shown
        before ``open_thread`` records this one (``marks.unseen_posts``)."""
        return await self._library.last_read(thread_id)

    async def image(self, url: str, refresh: bool = False) -> Sourced[bytes]:
        """An image of a post, through the page cache (politely, size-capped, and from the
        forum's own host only); offline, a cached copy."""
        return await self._pages.image(url, refresh)

    async def sync(self, ref: ListingRef, pages: int | None = None, threads: bool = True,
                   sort: str | None = None, order: str | None = None,
                   progress: Progress | None = None) -> SyncSummary:
        from nereader.core import sync as syncing

        return await syncing.sync(self._pages, ref, pages, threads, sort, order, progress)

    async def doctor(self, ref: ListingRef, refresh: bool = False,
                     progress: Progress | None = None) -> DoctorReport:
        """One page of each kind the app reads (the listing, one of its threads, its feed, a
        site search, the topic tree), checked against the page contract."""
        from nereader.core.doctor import diagnose

        return await diagnose(self._pages, ref, refresh, progress)

    # -- search --------------------------------------------------------------------------------
    async def search(self, text: str, limit: int = 50, strict: bool = False
                     ) -> list[SearchHit]:
        """The cached threads that match, best first; ``strict``: the query is finished (a
        command's), so an unclosed quote is an error, not a phrase still being typed."""
        return await self._pages.search(text, limit, strict)

    async def site_search(self, query: str, page: int = 1, refresh: bool = False
                          ) -> Sourced[SearchResults]:
        return await self._pages.site_search(query, page, refresh)

    async def topics(self, refresh: bool = False) -> Sourced[TopicTree]:
        return await self._pages.topics(refresh)

    async def listing_names(self, keys: list[str]) -> dict[str, str]:
        """Listings' names as people say them ("Network Extension", "Networking (App & System
        Services)"), from the cache alone; a listing not cached keeps its key."""
        return await self._pages.listing_names(keys)

    async def rebuild_index(self, progress: Progress | None = None) -> tuple[int, int]:
        return await self._pages.rebuild_index(progress)

    async def query_context(self, now: datetime | None = None) -> Context:
        return await self._library.context(now)

    # -- bookmarks and read state --------------------------------------------------------------
    async def bookmarks(self) -> list[Bookmark]:
        return await self._library.bookmarks()

    async def get_bookmark(self, thread_id: int) -> Bookmark | None:
        return await self._library.get(thread_id)

    async def bookmark(self, thread_id: int, note: str = "", labels: tuple[str, ...] = (),
                       row: ThreadSummary | None = None) -> tuple[Bookmark, str | None]:
        return await self._library.add(thread_id, note, labels, row)

    async def unbookmark(self, thread_id: int) -> bool:
        return await self._library.remove(thread_id)

    async def set_bookmark_note(self, thread_id: int, note: str, labels: tuple[str, ...]
                                ) -> tuple[Bookmark, str | None]:
        return await self._library.set_note(thread_id, note, labels)

    async def edit_bookmark_note(self, thread_id: int, before: Bookmark | None, note: str,
                                 labels: tuple[str, ...]) -> tuple[Bookmark, str | None]:
        """Save what the user changed since ``before`` (what the editor showed), merged with
        what changed meanwhile elsewhere; EditConflict when both changed the note."""
        return await self._library.edit_note(thread_id, before, note, labels)

    async def import_bookmarks(self, data: object) -> tuple[int, int]:
        return await self._library.import_json(data)

    async def export_bookmarks(self) -> dict[str, Any]:
        return await self._library.export_json()

    async def export_markdown(self, target: Path) -> tuple[int, list[str]]:
        return await self._library.export_markdown(target)

    async def check_bookmarks(self, progress: Progress | None = None) -> list[BookmarkChange]:
        return await self._library.check(progress)

    async def bookmark_rows(self) -> list[ThreadSummary]:
        return await self._library.rows()

    async def mark_all_read(self, rows: list[ThreadSummary]) -> None:
        await self._library.mark_read(rows)

    async def visit_tag(self, ref: ListingRef) -> datetime | None:
        return await self._library.visit(ref)

    async def library(self, bookmark_limit: int | None = None) -> list[LibraryItem]:
        """Cached listings and bookmarks (the latest first; at most ``bookmark_limit``, then
        a "more" item)."""
        return await self._library.items(bookmark_limit)

    # -- preferences: recent listings, filter history, saved filters ---------------------------
    async def _prefs(self, store: RecentTags | FilterHistory | SavedFilters,
                     fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """A preference file call off the loop; what the file had to say is passed on."""
        try:
            return await self._loader.run(fn, *args, **kwargs)
        finally:
            self._pass_on(store.warnings)

    async def recent_tags(self) -> list[str]:
        return await self._prefs(self._recent, self._recent.load)

    async def remember_tag(self, key: str) -> list[str]:
        return await self._prefs(self._recent, self._recent.add, key)

    async def filter_history(self) -> list[str]:
        return await self._prefs(self._history, self._history.load)

    async def add_filter_history(self, query: str) -> list[str]:
        return await self._prefs(self._history, self._history.add, query)

    async def saved_filters(self) -> dict[str, str]:
        return await self._prefs(self._saved, self._saved.load)

    async def save_filter(self, name: str, query: str) -> dict[str, str]:
        await self._prefs(self._saved, self._saved.save, name, query)
        return await self.saved_filters()

    # -- followed listings, news, saved preferences in the config file -------------------------
    async def following(self) -> list[str]:
        return await self._following.keys()

    async def follow(self, listings: Iterable[str]) -> list[tuple[str, str, bool]]:
        """Check each listing against the site (the cache offline), then save them all."""
        return await self._following.follow(listings)

    async def unfollow(self, listings: Iterable[str]) -> tuple[list[str], list[str]]:
        return await self._following.unfollow(listings)

    async def followed_overview(self) -> list[ListingStatus]:
        return await self._following.overview()

    async def refresh_followed(self, force: bool = False, progress: Progress | None = None
                               ) -> list[ListingStatus]:
        return await self._following.refresh(force, progress)

    # -- the inbox and the sections ------------------------------------------------------------
    async def inbox(self, include_read: bool = False) -> Inbox:
        """Every followed listing's and bookmark's thread that is unread or has news since it
        was read (``include_read``: all of them), newest activity first; from the cache."""
        return await self._collector.inbox(include_read)

    async def sections(self) -> list[Section]:
        """The home screen's sections, as the config file has them now."""
        return await self._collector.sections()

    async def section(self, name: str) -> Inbox:
        """The threads of the section called ``name``; a UsageError when there is none."""
        collector = self._collector
        return await collector.threads_of(await collector.section(name))

    async def section_threads(self, section: Section) -> Inbox:
        return await self._collector.threads_of(section)

    async def add_section(self, section: Section) -> Section:
        """Save a section in the config file, the rest of the file kept as it is."""
        return await self._collector.add_section(section)

    async def home_view(self, errors: dict[str, str] | None = None) -> HomeView:
        """The home screen's rows, from the cache: the inbox, the sections, the listings."""
        return await self._collector.home(errors)

    async def sync_followed(self, pages: int | None = None, threads: bool = True,
                            progress: Progress | None = None) -> FollowedSync:
        return await self._following.sync(pages, threads, progress)

    async def check_news(self, progress: Progress | None = None) -> NewsReport:
        from nereader.core.news import check as check_news

        try:
            return await check_news(self._pages, self._library, self._news,
                                    await self._following.refs(), progress)
        finally:
            self._pass_on(self._news.warnings)

    async def first_time(self, what: str) -> bool:
        """True only the first time ever (for things said once, like a missing notifier)."""
        try:
            return await self._loader.run(self._news.first_time, what)
        finally:
            self._pass_on(self._news.warnings)

    async def save_theme(self, name: str) -> None:
        """Into the user's own config file, whatever forum is read; a theme the demo's file
        kept from before the two were shared goes, or it would stand for the user's."""
        from nereader.core import config as configuration

        settings = self.settings
        await self._loader.run(configuration.edit_top_level, settings.preferences_file,
                               "theme", lambda _old: name)
        if settings.preferences_file != settings.config_file:
            await self._loader.run(configuration.edit_top_level, settings.config_file,
                                   "theme", lambda _old: None)

    def _pass_on(self, warnings: list[str]) -> None:
        from nereader.core.models import Notice

        while warnings:
            self._emit(Notice(warnings.pop(0), "Local data"))

    # -- the cache -----------------------------------------------------------------------------
    async def cache_info(self) -> CacheInfo:
        return await self._pages.cache_info()

    async def cache_clear(self, include_pinned: bool = False) -> int | None:
        """How many pages went; None when a damaged store was removed whole (its count
        could not be read)."""
        return await self._pages.cache_clear(include_pinned)
