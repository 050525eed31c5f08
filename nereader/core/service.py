"""ForumService: fetch -> parse -> cache. The only thing the UI and the CLI call."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Generic, Literal, TypeVar

import httpx

from nereader.core.bookmarks import Bookmark, BookmarkStore, ReadState
from nereader.core.cache import CachedPage, CacheInfo, PageCache
from nereader.core.errors import (
    FetchError,
    LayoutChangedError,
    NereaderError,
    OfflineError,
    ParseError,
    StorageError,
    UsageError,
)
from nereader.core.fetch import Fetcher
from nereader.core.models import Feed, ListingPage, PostKind, Tag, Thread, ThreadSummary
from nereader.core.parse import merge_thread_pages, parse_feed, parse_listing, parse_thread
from nereader.core.query import Context
from nereader.core.search import SearchHit, SearchIndex
from nereader.core.settings import Settings
from nereader.core.store import FilterHistory, RecentTags, SavedFilters
from nereader.core.urls import (
    ListingRef,
    ThreadRef,
    feed_url,
    listing_url,
    parse_listing_ref,
    parse_thread_ref,
    thread_url,
)

T = TypeVar("T")
MAX_REPLY_PAGES = 1000
MAX_LISTING_PAGES = 5000
Source = Literal["network", "revalidated", "cache", "stale"]
Progress = Callable[[str, int, int], None]
_RANK: dict[str, int] = {"network": 0, "revalidated": 1, "cache": 2, "stale": 3}


def describe_age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T]):
    """A value and where it came from; stale values carry the reason and their age."""

    value: T
    source: Source
    fetched_at: datetime
    warning: str | None = None

    @property
    def stale(self) -> bool:
        return self.source == "stale"

    @property
    def age_seconds(self) -> float:
        return (datetime.now(UTC) - self.fetched_at).total_seconds()


@dataclass(frozen=True, slots=True)
class BookmarkChange:
    """What ``check_bookmarks`` found for one bookmark."""

    bookmark: Bookmark
    new_posts: tuple[int, ...] = ()
    total_replies: int | None = None
    error: str | None = None
    stale: bool = False


@dataclass(frozen=True, slots=True)
class LibraryItem:
    kind: Literal["tag", "bookmark"]
    key: str  # a listing key ("networkextension", "topics/...") or a thread id
    title: str
    age_seconds: float | None  # None: not in the cache
    detail: str = ""


@dataclass(slots=True)
class SyncSummary:
    listing_pages: int = 0
    listing_fresh: int = 0
    threads: int = 0
    threads_skipped: int = 0
    thread_pages: int = 0
    bytes: int = 0
    failures: list[str] = field(default_factory=list)


class ForumService:
    """Every page comes through here: from the cache when fresh, else politely from the site."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        cache: PageCache | None = None,
    ) -> None:
        self.settings = settings
        self.cache = cache or PageCache(settings.cache_dir, settings.cache_size_limit)
        self._transport = transport
        self._fetcher: Fetcher | None = None
        self._index: SearchIndex | None = None
        self.bookmarks = BookmarkStore(settings.data_dir)
        self.read_state = ReadState(settings.data_dir)
        self._recent = RecentTags(settings.data_dir)
        self._history = FilterHistory(settings.data_dir)
        self._saved = SavedFilters(settings.config_dir)
        self.offline = settings.offline

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def fetcher(self) -> Fetcher | None:
        """The HTTP client, created on first use and never in offline mode (no socket opens)."""
        if self.offline:
            return None
        if self._fetcher is None:
            self._fetcher = Fetcher(self.settings, transport=self._transport)
        return self._fetcher

    @property
    def in_flight(self) -> int:
        return self._fetcher.stats.in_flight if self._fetcher else 0

    @property
    def network_down(self) -> bool:
        return self._fetcher is not None and self._fetcher.network_down

    def set_offline(self, offline: bool) -> None:
        self.offline = offline
        if not offline and self._fetcher is not None:
            self._fetcher.reset_network_state()

    @property
    def index(self) -> SearchIndex:
        """The full-text index of cached threads (opened on first use)."""
        if self._index is None:
            self._index = SearchIndex(self.settings.data_dir / "search.sqlite3")
        return self._index

    async def aclose(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()
        if self._index is not None:
            self._index.close()
        self.cache.close()

    # -- the one fetch-parse-cache path --------------------------------------------------------
    async def _load(
        self,
        url: str,
        kind: str,
        parse: Callable[[bytes, str, datetime], T],
        ttl: float,
        refresh: bool = False,
        hint: str = "nereader sync",
    ) -> Sourced[T]:
        entry = await asyncio.to_thread(self.cache.get, url)

        async def from_cache(source: Source, warning: str | None = None) -> Sourced[T] | None:
            assert entry is not None
            if entry.model is not None:  # parsed when it was stored: no need to parse again
                return Sourced(entry.model, source, entry.fetched_at, warning)
            try:
                value = await asyncio.to_thread(parse, entry.body, url, entry.fetched_at)
            except ParseError:
                return None  # a copy this version cannot read is no copy at all
            await asyncio.to_thread(self.cache.put, replace(entry, model=value))
            return Sourced(value, source, entry.fetched_at, warning)

        if entry is not None and not refresh and entry.age_seconds() <= ttl:
            hit = await from_cache("cache")
            if hit is not None:
                return hit
        fetcher = self.fetcher
        if fetcher is None or fetcher.network_down:
            reason = "offline" if fetcher is None else "network down"
            if entry is not None:
                age = describe_age(entry.age_seconds())
                stale = await from_cache("stale", f"{reason}: showing the copy cached {age} ago")
                if stale is not None:
                    return stale
            raise OfflineError(
                f"{reason} and {url} is not in the cache; run `{hint}` while online to get it"
            )
        try:
            response = await fetcher.get(
                url,
                etag=entry.etag if entry else None,
                last_modified=entry.last_modified if entry else None,
            )
            if response.status == 304 and entry is not None:
                await asyncio.to_thread(self.cache.touch, url, response.fetched_at)
                entry = CachedPage(entry.url, entry.status, entry.body, entry.etag,
                                   entry.last_modified, response.fetched_at, entry.kind)
                hit = await from_cache("revalidated")
                if hit is not None:
                    return hit
                raise ParseError(f"the cached copy of {url} could not be read")
            value = await asyncio.to_thread(parse, response.body, url, response.fetched_at)
        except (FetchError, ParseError) as exc:
            # Stale-if-error: a failed refresh never costs the user a good cached copy.
            if entry is not None:
                age = describe_age(entry.age_seconds())
                stale = await from_cache("stale", f"{exc}; showing the copy cached {age} ago")
                if stale is not None:
                    return stale
            raise
        page = CachedPage(url, response.status, response.body, response.etag,
                          response.last_modified, response.fetched_at, kind, value)
        await asyncio.to_thread(self.cache.put, page)
        return Sourced(value, "network", response.fetched_at)

    # -- listings ------------------------------------------------------------------------------
    async def listing(
        self,
        ref: ListingRef,
        page: int = 1,
        sort: str | None = None,
        order: str | None = None,
        refresh: bool = False,
    ) -> Sourced[ListingPage]:
        url = listing_url(ref, page, sort, order, self.settings.base_url)
        pages = f" --pages {page}" if page > 1 else ""
        return await self._load(
            url, "listing", _parse_listing, self.settings.freshness.listing, refresh,
            hint=f"nereader sync {ref.key}{pages} --no-threads",
        )

    async def cached_listing(
        self, ref: ListingRef, page: int = 1, sort: str | None = None, order: str | None = None
    ) -> Sourced[ListingPage] | None:
        """A listing page from the cache alone, however old (for an instant first paint)."""
        url = listing_url(ref, page, sort, order, self.settings.base_url)
        entry = await asyncio.to_thread(self.cache.get, url)
        value = await asyncio.to_thread(_model_of, entry, _parse_listing, url)
        if entry is None or value is None:
            return None
        fresh = entry.age_seconds() <= self.settings.freshness.listing
        return Sourced(value, "cache" if fresh else "stale", entry.fetched_at,
                       None if fresh else f"cached {describe_age(entry.age_seconds())} ago")

    async def listing_pages(
        self,
        ref: ListingRef,
        pages: int | None = 1,
        sort: str | None = None,
        order: str | None = None,
        refresh: bool = False,
        start: int = 1,
        progress: Progress | None = None,
    ) -> list[Sourced[ListingPage]]:
        """Pages ``start`` .. ``start + pages - 1`` (``pages=None``: to the last page)."""
        first = await self.listing(ref, start, sort, order, refresh)
        last = first.value.total_pages if pages is None else min(
            first.value.total_pages, start + pages - 1
        )
        if last - start >= MAX_LISTING_PAGES:
            raise LayoutChangedError(
                f"{ref.key} claims {first.value.total_pages} pages; ask for fewer with --pages")
        results = [first]
        total = last - start + 1
        if progress:
            progress("listing", 1, total)
        done = 1

        async def one(n: int) -> Sourced[ListingPage]:
            nonlocal done
            result = await self.listing(ref, n, sort, order, refresh)
            done += 1
            if progress:
                progress("listing", done, total)
            return result

        results += await asyncio.gather(*(one(n) for n in range(start + 1, last + 1)))
        return results

    async def feed(self, ref: ListingRef, refresh: bool = False) -> Sourced[Feed]:
        url = feed_url(ref, self.settings.base_url)
        return await self._load(url, "feed", _parse_feed, self.settings.freshness.feed, refresh)

    # -- threads -------------------------------------------------------------------------------
    async def thread_page(self, thread_id: int, page: int = 1, refresh: bool = False
                          ) -> Sourced[Thread]:
        url = thread_url(thread_id, page, self.settings.base_url)
        return await self._load(url, "thread", _parse_thread, self.settings.freshness.thread,
                                refresh, hint=f"nereader show {thread_id}")

    async def thread(self, thread_id: int, refresh: bool = False) -> Sourced[Thread]:
        """A whole thread: the question and every reply page, merged."""
        first = await self.thread_page(thread_id, 1, refresh)
        if first.value.total_pages > MAX_REPLY_PAGES:  # 20 replies a page: 20,000 replies
            raise LayoutChangedError(
                f"thread {thread_id} claims {first.value.total_pages} reply pages; a garbled "
                f"pagination is more likely than that many, so nereader will not fetch them")
        rest = await asyncio.gather(
            *(self.thread_page(thread_id, n, refresh)
              for n in range(2, first.value.total_pages + 1))
        )
        parts = [first, *rest]
        merged = merge_thread_pages([p.value for p in parts])
        worst = max(parts, key=lambda p: _RANK[p.source])
        warnings = sorted({p.warning for p in parts if p.warning})
        await self._index_quietly(merged)
        return Sourced(merged, worst.source, min(p.fetched_at for p in parts),
                       "; ".join(warnings) or None)

    async def _index_quietly(self, thread: Thread) -> None:
        """Keep the search index in step; a broken index never stops anyone reading."""
        with contextlib.suppress(StorageError, sqlite3.Error):
            await asyncio.to_thread(self.index.index_thread, thread)

    async def cached_thread(self, thread_id: int) -> Thread | None:
        """A whole thread from the cache alone (no network); None unless every page is cached."""
        base = self.settings.base_url

        def load(page: int) -> Thread | None:
            url = thread_url(thread_id, page, base)
            return _model_of(self.cache.get(url), _parse_thread, url)

        first = await asyncio.to_thread(load, 1)
        if first is None:
            return None
        pages = [first]
        for n in range(2, first.total_pages + 1):
            page = await asyncio.to_thread(load, n)
            if page is None:
                return None
            pages.append(page)
        return merge_thread_pages(pages)

    # -- search --------------------------------------------------------------------------------
    async def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        return await asyncio.to_thread(self.index.search, text, limit)

    async def thread_facts(self) -> dict[int, tuple[str | None, bool]]:
        return await asyncio.to_thread(self.index.facts)

    async def query_context(self) -> Context:
        """What the filter language needs beyond the rows: facts from the index (and, with
        bookmarks, the user's state)."""
        try:
            facts = await self.thread_facts()
        except (StorageError, sqlite3.Error):
            facts = {}
        try:
            bookmarked = await asyncio.to_thread(self.bookmarks.ids)
            await asyncio.to_thread(self.read_state.snapshot)
        except StorageError:
            bookmarked = set()
        return Context(
            staff={i for i, (_, staff) in facts.items() if staff},
            authors={i: a for i, (a, _) in facts.items() if a},
            bookmarked=bookmarked,
            unread=self.read_state.is_unread,
            new=self.read_state.has_new_activity,
        )

    # -- bookmarks, read state, library --------------------------------------------------------
    async def bookmark(
        self,
        thread_id: int,
        note: str = "",
        labels: tuple[str, ...] = (),
        row: ThreadSummary | None = None,
    ) -> tuple[Bookmark, str | None]:
        """Save a bookmark at once, then pin the thread and fetch it if it is not cached, so
        it opens offline. Returns the bookmark and a warning when that did not happen."""
        cached = await self.cached_thread(thread_id)
        known = cached or row
        title = (cached.title if cached else row.title if row else "") or f"Thread {thread_id}"
        url = known.url if known else thread_url(thread_id, base=self.settings.base_url)
        tags = tuple(t.slug for t in known.tags) if known else ()
        saved = await asyncio.to_thread(
            self.bookmarks.add, Bookmark(thread_id, title, url, tags, note, labels))
        base = self.settings.base_url
        await asyncio.to_thread(self.cache.pin, thread_url(thread_id, 1, base))
        warning = None
        thread = cached
        if cached is None or not self.offline:
            try:
                thread = (await self.thread(thread_id)).value
            except NereaderError as exc:
                if cached is None:
                    warning = f"saved, but not yet available offline: {exc}"
        if thread is not None:
            if saved.seen_post_ids:  # bookmarked before: only make sure it stays pinned
                await self.pin_thread(thread_id, thread.total_pages)
            else:
                saved, _ = await self._saw(saved, thread)
        return saved, warning

    async def _saw(self, mark: Bookmark, thread: Thread) -> tuple[Bookmark, tuple[int, ...]]:
        """Record that every post of a bookmarked thread has been seen, and keep all its
        pages pinned. Returns the bookmark and the posts new since the last look (none on
        the first look)."""
        seen = set(mark.seen_post_ids)
        new = tuple(p.id for p in thread.posts if p.id not in seen) if seen else ()
        updated = await asyncio.to_thread(
            self.bookmarks.update, mark.id, title=thread.title, url=thread.url,
            tags=tuple(t.slug for t in thread.tags), checked_at=_iso_now(),
            replies_seen=len(thread.posts) - 1, seen_post_ids=tuple(p.id for p in thread.posts),
        )
        await self.pin_thread(mark.id, thread.total_pages)
        return updated or mark, new

    async def import_bookmarks(self, data: object) -> tuple[int, int]:
        """Merge an export; every bookmark is pinned (fetched by the next check or read)."""
        added, updated = await asyncio.to_thread(self.bookmarks.import_json, data)
        for mark in await asyncio.to_thread(self.bookmarks.all):
            cached = await self.cached_thread(mark.id)
            await self.pin_thread(mark.id, cached.total_pages if cached else 1)
        return added, updated

    async def unbookmark(self, thread_id: int) -> bool:
        removed = await asyncio.to_thread(self.bookmarks.remove, thread_id)
        cached = await self.cached_thread(thread_id)
        pages = cached.total_pages if cached else 1
        for n in range(1, pages + 1):
            await asyncio.to_thread(self.cache.unpin, thread_url(thread_id, n,
                                                                 self.settings.base_url))
        return removed

    async def check_bookmarks(self, progress: Progress | None = None) -> list[BookmarkChange]:
        """Refresh every bookmark politely and report new replies since the last look."""
        marks = await asyncio.to_thread(self.bookmarks.all)
        changes: list[BookmarkChange] = []
        for n, mark in enumerate(marks, 1):
            changes.append(await self._check(mark, refresh=True))
            if progress:
                progress("bookmarks", n, len(marks))
        return changes

    async def _check(self, mark: Bookmark, refresh: bool) -> BookmarkChange:
        try:
            result = await self.thread(mark.id, refresh=refresh)
        except NereaderError as exc:
            return BookmarkChange(mark, error=str(exc))
        thread = result.value
        updated, new = await self._saw(mark, thread)
        return BookmarkChange(updated, new, len(thread.posts) - 1,
                              result.warning if result.stale else None, result.stale)

    async def open_thread(self, thread_id: int, refresh: bool = False
                          ) -> tuple[Sourced[Thread], tuple[int, ...]]:
        """Read a thread as a person does: marks it read, and for a bookmark returns the ids
        of the posts that arrived since the bookmark was last looked at."""
        result = await self.thread(thread_id, refresh)
        thread = result.value
        new: tuple[int, ...] = ()
        with contextlib.suppress(StorageError):  # state trouble never stops reading
            mark = await asyncio.to_thread(self.bookmarks.get, thread_id)
            if mark is not None:
                _, new = await self._saw(mark, thread)
            # The page's own count can lag behind the posts it shows; trust the larger.
            answers = sum(1 for p in thread.posts if p.kind is PostKind.ANSWER)
            await asyncio.to_thread(self.read_state.mark_read, [
                (thread_id, max(thread.stats.replies or 0, answers))])
        return result, new

    async def get_bookmark(self, thread_id: int) -> Bookmark | None:
        return await asyncio.to_thread(self.bookmarks.get, thread_id)

    async def set_bookmark_note(self, thread_id: int, note: str, labels: tuple[str, ...]
                                ) -> tuple[Bookmark, str | None]:
        """Replace a bookmark's note and labels (bookmarking the thread first if needed)."""
        updated = await asyncio.to_thread(self.bookmarks.update, thread_id, note=note,
                                          labels=labels)
        if updated is not None:
            return updated, None
        return await self.bookmark(thread_id, note, labels)

    # -- small local state: recent tags, filter history, saved filters ---------------------------
    async def recent_tags(self) -> list[str]:
        return await asyncio.to_thread(self._recent.load)

    async def remember_tag(self, key: str) -> list[str]:
        return await asyncio.to_thread(self._recent.add, key)

    async def filter_history(self) -> list[str]:
        return await asyncio.to_thread(self._history.load)

    async def add_filter_history(self, query: str) -> list[str]:
        return await asyncio.to_thread(self._history.add, query)

    async def saved_filters(self) -> dict[str, str]:
        return await asyncio.to_thread(self._saved.load)

    async def save_filter(self, name: str, query: str) -> dict[str, str]:
        await asyncio.to_thread(self._saved.save, name, query)
        return await self.saved_filters()

    async def mark_all_read(self, rows: list[ThreadSummary]) -> None:
        await asyncio.to_thread(self.read_state.mark_read, [(r.id, r.replies) for r in rows])

    async def visit_tag(self, ref: ListingRef) -> datetime | None:
        """Record a visit to a tag; returns the previous one (to mark what is active since)."""
        try:
            previous = await asyncio.to_thread(self.read_state.visit, ref.key)
        except StorageError:
            return None
        return datetime.fromisoformat(previous) if previous else None

    async def bookmark_rows(self) -> list[ThreadSummary]:
        """Bookmarks as list rows, their numbers from the cached thread when there is one."""
        rows = []
        for mark in await asyncio.to_thread(self.bookmarks.all):
            thread = await self.cached_thread(mark.id)
            if thread is None:
                rows.append(ThreadSummary(mark.id, mark.title, mark.url, excerpt=mark.note,
                                          tags=tuple(Tag(t, t) for t in mark.tags)))
                continue
            last = max((p.created_at for p in thread.posts if p.created_at), default=None)
            question = thread.question
            rows.append(ThreadSummary(
                id=thread.id, title=thread.title, url=thread.url,
                excerpt=" ".join(filter(None, [mark.note, " ".join(
                    (question.body_markdown if question else "").split())[:300]])),
                replies=thread.stats.replies or len(thread.posts) - 1,
                boosts=thread.stats.boosts or 0, views=thread.stats.views or 0,
                views_text=str(thread.stats.views or ""),
                activity_text=f"{last:%b %d}" if last else "", activity_at=last,
                topic=thread.topic, subtopic=thread.subtopic, tags=thread.tags,
                answered=thread.accepted_answer_id is not None,
                apple_recommended=any(p.apple_recommended for p in thread.posts),
            ))
        return rows

    async def library(self) -> list[LibraryItem]:
        """What can be read offline: every cached listing and every bookmark, with ages."""
        items: list[LibraryItem] = []
        urls = await asyncio.to_thread(self.cache.urls)
        now = datetime.now(UTC)
        for url in sorted(urls):
            try:
                ref, page, sort, _order = parse_listing_ref(url)
            except UsageError:
                continue
            if page != 1 or sort is not None or "/rssFeed/" in url:
                continue
            entry = await asyncio.to_thread(self.cache.get, url)
            listing = await asyncio.to_thread(_model_of, entry, _parse_listing, url)
            if entry is None or listing is None:
                continue
            items.append(LibraryItem("tag", ref.key, listing.name or ref.key,
                                     (now - entry.fetched_at).total_seconds(),
                                     f"{listing.total_posts or 0} posts, "
                                     f"{listing.total_pages} pages"))
        for mark in await asyncio.to_thread(self.bookmarks.all):
            entry = await asyncio.to_thread(
                self.cache.get, thread_url(mark.id, 1, self.settings.base_url))
            age = (now - entry.fetched_at).total_seconds() if entry else None
            detail = ", ".join(mark.labels) + (f" · {mark.note}" if mark.note else "")
            items.append(LibraryItem("bookmark", str(mark.id), mark.title, age, detail))
        return items

    async def rebuild_index(self, progress: Progress | None = None) -> tuple[int, int]:
        """Index every thread the cache holds in full, from scratch. Returns (threads, posts)."""
        ids = sorted({ref.id for url in await asyncio.to_thread(self.cache.urls)
                      if (ref := _thread_page_one(url)) is not None})
        await asyncio.to_thread(self.index.clear)
        for n, thread_id in enumerate(ids, 1):
            thread = await self.cached_thread(thread_id)
            if thread is not None:
                await asyncio.to_thread(self.index.index_thread, thread)
            if progress:
                progress("index", n, len(ids))
        return await asyncio.to_thread(self.index.stats)

    # -- sync ----------------------------------------------------------------------------------
    async def sync(
        self,
        ref: ListingRef,
        pages: int | None = None,
        threads: bool = True,
        sort: str | None = None,
        order: str | None = None,
        progress: Progress | None = None,
    ) -> SyncSummary:
        """Fill the cache for offline reading. Fresh pages and unchanged threads are skipped,
        so an interrupted sync resumes where it stopped."""
        summary = SyncSummary()
        before = self._fetcher.stats.bytes if self._fetcher else 0
        listing = await self.listing_pages(ref, pages, sort, order, progress=progress)
        summary.listing_pages = len(listing)
        summary.listing_fresh = sum(1 for p in listing if p.source == "cache")
        rows: dict[int, ThreadSummary] = {}
        for result in listing:
            for row in result.value.rows:
                rows.setdefault(row.id, row)
        if threads:
            done = 0

            async def one(row: ThreadSummary) -> None:
                nonlocal done
                try:
                    if await self._thread_unchanged(row):
                        summary.threads_skipped += 1
                    else:
                        result = await self.thread(row.id)
                        summary.threads += 1
                        summary.thread_pages += result.value.total_pages
                        if result.stale:
                            summary.failures.append(f"thread {row.id}: {result.warning}")
                except NereaderError as exc:
                    summary.failures.append(f"thread {row.id}: {exc}")
                done += 1
                if progress:
                    progress("threads", done, len(rows))

            await asyncio.gather(*(one(r) for r in rows.values()))
        summary.bytes = (self._fetcher.stats.bytes if self._fetcher else 0) - before
        return summary

    async def _thread_unchanged(self, row: ThreadSummary) -> bool:
        """A cached thread needs no refetch when fresh, or when the listing shows no new reply."""
        url = thread_url(row.id, 1, self.settings.base_url)
        entry = await asyncio.to_thread(self.cache.get, url)
        if entry is None:
            return False
        if entry.age_seconds() <= self.settings.freshness.thread:
            return True
        cached = await self.cached_thread(row.id)
        return (cached is not None and cached.stats.replies is not None
                and cached.stats.replies == row.replies)

    # -- cache controls ------------------------------------------------------------------------
    async def cache_info(self) -> CacheInfo:
        return await asyncio.to_thread(self.cache.info)

    async def cache_clear(self, include_pinned: bool = False) -> int:
        return await asyncio.to_thread(self.cache.clear, include_pinned)

    async def pin_thread(self, thread_id: int, total_pages: int = 1) -> None:
        base = self.settings.base_url
        for n in range(1, total_pages + 1):
            await asyncio.to_thread(self.cache.pin, thread_url(thread_id, n, base))


def _model_of(entry: CachedPage | None, parse: Callable[[bytes, str, datetime], T],
              url: str) -> T | None:
    """What a cached page holds: the model stored with it, else a fresh parse of its body."""
    if entry is None:
        return None
    if entry.model is not None:
        return entry.model  # type: ignore[no-any-return]
    try:
        return parse(entry.body, url, entry.fetched_at)
    except ParseError:
        return None


def _iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _thread_page_one(url: str) -> ThreadRef | None:
    try:
        ref = parse_thread_ref(url)
    except UsageError:
        return None
    return ref if "page=" not in url else None


def _parse_listing(body: bytes, url: str, fetched_at: datetime) -> ListingPage:
    return parse_listing(body, url, fetched_at)


def _parse_thread(body: bytes, url: str, fetched_at: datetime) -> Thread:
    return parse_thread(body, url, fetched_at)


def _parse_feed(body: bytes, url: str, fetched_at: datetime) -> Feed:
    return parse_feed(body, url)
