"""The forum's pages as models: listings, whole threads, feeds, and the search index over them."""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from nereader.core import parsers
from nereader.core.clock import utc_now
from nereader.core.errors import (
    ChallengeError,
    DamagedError,
    ErrorPageError,
    FetchError,
    LayoutChangedError,
    ListingNotFound,
    NereaderError,
    NotFoundError,
    OfflineError,
    ParseError,
    PastTheEnd,
    StorageError,
    UsageError,
)
from nereader.core.export import cut_warning
from nereader.core.images import checked_image
from nereader.core.loader import Emit, Loader
from nereader.core.models import (
    SOURCE_RANK,
    CacheInfo,
    Feed,
    ListingKind,
    ListingPage,
    Notice,
    SearchHit,
    SearchResults,
    Sourced,
    Thread,
    ThreadSummary,
    TopicTree,
)
from nereader.core.settings import Settings
from nereader.core.text import age_text, plural
from nereader.core.urls import (
    ALLPOSTS,
    ListingRef,
    feed_url,
    listing_url,
    near_listings,
    parse_listing_ref,
    reply_url,
    same_host,
    search_url,
    thread_page_one,
    thread_url,
    topic_names,
    topics_url,
    url_kind,
)

if TYPE_CHECKING:
    from nereader.core.search import SearchIndex

Progress = Callable[[str, int, int], None]
MAX_REPLY_PAGES = 1000
MAX_LISTING_PAGES = 5000
TOPICS_TTL = 86400.0  # the topic tree changes rarely: a day, or the listings' TTL if longer
REPLIES_PER_PAGE = 20
READ_AHEAD = 8  # reply pages asked for ahead of the one read (the fetcher paces them)
UNCOUNTED_PAGES = 25  # a thread that shows no reply count: this many pages at most
IMAGE_TTL = 30 * 86400.0  # an image at one URL does not change: a month before asking again


def thread_pages(first: Thread) -> int:
    """How many reply pages a thread has, as far as its first page can be believed: what the
    pagination claims, but never more than the thread's reply count can fill (a garbled or
    hostile page may claim a thousand)."""
    replies, claimed = first.stats.replies, first.total_pages
    if replies is None:
        return max(1, min(claimed, UNCOUNTED_PAGES))
    filled = max(1, -(-replies // REPLIES_PER_PAGE))
    # A count a little behind the pages is normal (a page of slack); far behind, the count
    # is believed.
    return max(1, claimed if claimed <= filled + 1 else filled)


def reply_pages(first: Thread) -> int:
    """How many reply pages to read: the thread's (``thread_pages``), at most
    ``MAX_REPLY_PAGES``; a longer thread is cut there and says so (``pages_not_read``)."""
    return min(thread_pages(first), MAX_REPLY_PAGES)


def adds_posts(seen: set[int], page: Thread) -> bool:
    """Whether a reply page holds a post the pages before it did not (adding them to
    ``seen``): a page that does not is no page of the thread (a site repeating itself)."""
    fresh = {post.id for post in page.posts} - seen
    seen |= fresh
    return bool(fresh)


REPEATS = "holds no post the pages before it did not (the site repeats a page)"


def ended_reason(page: int, claimed: int, why: str) -> str:
    """Why a thread ends at ``page - 1``, naming the count the site claimed (not the capped
    one read up to)."""
    return (f"reply page {page} {why}; its count of {claimed:,} pages is not believed, and "
            f"the thread ends at page {page - 1}")


def _cut(merged: Thread, believed: int) -> tuple[Thread, str | None]:
    """A merged thread with the pages read as its pages, and what was left unread (a thread
    longer than ``MAX_REPLY_PAGES``) in ``pages_not_read`` and a warning."""
    read = min(believed, MAX_REPLY_PAGES)
    left = believed - read
    if merged.total_pages != read or merged.pages_not_read != left:
        merged = replace(merged, total_pages=read, pages_not_read=left)
    return merged, cut_warning(merged)


class Pages:
    """Listings, threads and feeds through the loader; every thread read is indexed."""

    def __init__(self, settings: Settings, loader: Loader, emit: Emit) -> None:
        self.settings = settings
        self.loader = loader
        self._emit = emit
        self._index: SearchIndex | None = None  # opened on first use
        self._index_warned = False

    @property
    def index(self) -> SearchIndex:
        """The full-text index of cached threads (opened on first use)."""
        if self._index is None:
            from nereader.core.search import SearchIndex

            self._index = SearchIndex(self.settings.data_dir / "search.sqlite3")
        return self._index

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    # -- listings ------------------------------------------------------------------------------
    def listing_url(self, ref: ListingRef, page: int = 1, sort: str | None = None,
                    order: str | None = None) -> str:
        return listing_url(ref, page, sort, order, self.settings.base_url)

    async def listing(self, ref: ListingRef, page: int = 1, sort: str | None = None,
                      order: str | None = None, refresh: bool = False) -> Sourced[ListingPage]:
        pages = f" --pages {page}" if page > 1 else ""
        asked = utc_now()
        try:
            return await self.loader.load(
                self.listing_url(ref, page, sort, order), "listing", parsers.listing,
                self.settings.freshness.listing, refresh,
                hint=f"nereader sync {ref.key}{pages} --no-threads")
        except PastTheEnd as exc:  # the page said so itself: another page, or none
            last = exc.total or 1
            raise PastTheEnd(f"{ref.key} has no page {page}: it has {plural(last, 'page')}",
                             exc.total) from exc
        except NotFoundError as exc:
            raise await self._listing_missing(ref, page, sort, order, asked) from exc
        except ErrorPageError as exc:  # the site's own "not found" page
            if exc.status != 404:
                raise
            raise await self._listing_missing(ref, page, sort, order, asked) from exc
        except (LayoutChangedError, ChallengeError) as exc:
            # No good copy in the cache either (the loader serves one, marked stale, first).
            if page != 1 or ref.kind is ListingKind.ALLPOSTS:
                raise  # the feed holds the latest threads only: page 1's; all posts has none
            return await self._feed_instead(ref, sort, refresh, exc)

    async def _feed_instead(self, ref: ListingRef, sort: str | None, refresh: bool,
                            failure: ParseError) -> Sourced[ListingPage]:
        """The listing's RSS feed standing in for its first page, which could not be read (a
        changed layout, a bot check): its latest threads, their counts unknown. The page
        built from it is never stored as the listing's; the next load tries the page again."""
        try:
            feed = await self.feed(ref, refresh)
            page = parsers.feed_listing(feed.value, ref, feed_url(ref, self.settings.base_url),
                                        feed.fetched_at, failure)
        except NereaderError as exc:
            raise type(failure)(f"{failure}; its RSS feed could not stand in: {exc}") from exc
        if not page.rows:
            raise type(failure)(f"{failure}; its RSS feed has no thread to show instead")
        if sort is not None and page.notice:
            page = replace(page, notice=f"{page.notice}; in the feed's order (newest first), "
                                        f"not by {sort}")
        return Sourced(page, feed.source, feed.fetched_at, feed.warning)

    async def _listing_missing(self, ref: ListingRef, page: int, sort: str | None,
                               order: str | None, asked: datetime) -> NotFoundError:
        """A 404 for a listing page: no such listing (with the listings it may have been meant
        for), or a page past its end. Page 1 says how many pages there are now: a copy as new
        as the 404 (a listing's page count changes all the time: threads move and are
        deleted), else the site's, else the cache's, said as such."""
        if page == 1:
            return await self.no_such_listing(ref)
        try:
            first = await self.cached_listing(ref, 1, sort, order)
            if first is None or first.fetched_at < asked:
                first = await self.listing(ref, 1, sort, order, refresh=True)
        except NotFoundError:
            return await self.no_such_listing(ref)
        except NereaderError:
            return PastTheEnd(f"{ref.key} has no page {page} (the site answered 404)", None)
        total = first.value.total_pages
        if first.stale:
            return PastTheEnd(f"{ref.key} has no page {page} (the site answered 404; the "
                              f"copy of page 1 cached {age_text(first.age_seconds)} ago "
                              f"shows {plural(total, 'page')})", None)
        if page <= total:
            return PastTheEnd(f"the site answered 404 for page {page} of {ref.key}, though "
                              f"its page 1 shows {plural(total, 'page')}: the listing is "
                              "changing; try again", total)
        return PastTheEnd(f"{ref.key} has no page {page}: it has {plural(total, 'page')}",
                          total)

    async def listing_page(self, ref: ListingRef, page: int, sort: str | None = None,
                           order: str | None = None, refresh: bool = False
                           ) -> Sourced[ListingPage] | None:
        """A listing page, or None when it is past the listing's end as the site now has it
        (the end moved since the page count was read)."""
        try:
            return await self.listing(ref, page, sort, order, refresh)
        except PastTheEnd as exc:
            if exc.total is not None and page > exc.total:
                return None
            raise

    async def no_such_listing(self, ref: ListingRef) -> ListingNotFound:
        """The error for a listing the site does not have, worded the same wherever it is
        met (``list``, ``follow``, the app), naming the known listings near it."""
        try:
            known = await self.known_listings()
        except NereaderError:  # no cache to ask: the error alone
            known = {}
        near = tuple((key, known[key]) for key in near_listings(ref.key, known))
        said = " or ".join(key if name == key else f"{key} ({name})" for key, name in near)
        hint = (f"did you mean {said}? `nereader topics` lists the topics" if near
                else "check the slug, or see `nereader topics`")
        return ListingNotFound(f"no such listing {ref.key!r} on the site (it answered 404); "
                               f"{hint}", ref.key, near)

    async def known_listings(self) -> dict[str, str]:
        """Every listing known here, by key, with its name: the followed ones, every listing
        in the cache, the topic tree (as cached: nothing is fetched)."""
        names = {key: key for key in self.settings.following}
        names[ALLPOSTS] = "All posts"
        for ref, listing, _age in await self.cached_listings():
            names[ref.key] = listing.name or ref.key
        names.update(await self.topic_names())
        return names

    async def topic_names(self) -> dict[str, str]:
        """The cached topic tree's listings with their names ("Networking (App & System
        Services)"); none when it is not cached."""
        ttl = max(TOPICS_TTL, self.settings.freshness.listing)
        tree = await self.loader.peek(topics_url(self.settings.base_url), parsers.topics, ttl)
        return topic_names(tree.value.topics) if tree is not None else {}

    async def listing_names(self, keys: list[str]) -> dict[str, str]:
        """Names for listings as people say them, from the cache alone: a topic's from the
        topic tree, a tag's from its cached page; a listing not cached keeps its key."""
        topics = await self.topic_names()
        names: dict[str, str] = {}
        for key in keys:
            if key in topics or key == ALLPOSTS:
                names[key] = topics.get(key, "All posts")
                continue
            try:
                cached = await self.cached_listing(parse_listing_ref(key)[0])
            except NereaderError:
                cached = None
            names[key] = cached.value.name if cached is not None and cached.value.name else key
        return names

    async def cached_listing(self, ref: ListingRef, page: int = 1, sort: str | None = None,
                             order: str | None = None) -> Sourced[ListingPage] | None:
        """A listing page from the cache alone, however old (for an instant first paint)."""
        return await self.loader.peek(self.listing_url(ref, page, sort, order), parsers.listing,
                                      self.settings.freshness.listing)

    async def listing_pages(self, ref: ListingRef, pages: int | None = 1,
                            sort: str | None = None, order: str | None = None,
                            refresh: bool = False, start: int = 1,
                            progress: Progress | None = None) -> list[Sourced[ListingPage]]:
        """Pages ``start`` .. ``start + pages - 1`` (``pages=None``: to the last page)."""
        first = await self.listing(ref, start, sort, order, refresh)
        claimed = first.value.total_pages
        last = claimed if pages is None else min(claimed, start + pages - 1)
        if last - start >= MAX_LISTING_PAGES:
            raise LayoutChangedError(f"{ref.key} claims {claimed} pages; ask for fewer "
                                     "with --pages")
        total, done = last - start + 1, 1
        if progress:
            progress("listing", done, total)

        async def one(n: int) -> Sourced[ListingPage] | None:
            nonlocal done
            result = await self.listing_page(ref, n, sort, order, refresh)
            done += 1
            if progress:
                progress("listing", done, total)
            return result

        rest = [r for r in await asyncio.gather(*(one(n) for n in range(start + 1, last + 1)))
                if r is not None]  # the pages past an end that moved in the meantime
        self.say_repeats([first, *rest], ref)
        return [first, *rest]

    def say_repeats(self, pages: list[Sourced[ListingPage]], ref: ListingRef) -> None:
        """Say so when a page holds only rows of the pages before it (another page's content,
        served with no page number to catch it by)."""
        seen: set[int] = set()
        for part in pages:
            if (ids := {row.id for row in part.value.rows}) and ids <= seen:
                self._emit(Notice(f"page {part.value.page} of {ref.key} repeats rows of the "
                                  "pages before it (the site may have served another page)",
                                  "Listing"))
            seen |= ids

    async def cached_listings(self) -> list[tuple[ListingRef, ListingPage, float]]:
        """The first page of every listing in the cache (site order), with its age."""
        found = []
        for url in sorted(await self.loader.run(self.loader.cache.urls)):
            if url_kind(url) != "listing":  # (thousands of threads are no listing)
                continue
            try:
                ref, page, sort, _order = parse_listing_ref(url)
            except UsageError:
                continue
            if page != 1 or sort is not None or "/rssFeed/" in url:
                continue
            cached = await self.loader.peek(url, parsers.listing, self.settings.freshness.listing)
            if cached is not None:
                found.append((ref, cached.value, cached.age_seconds))
        return found

    async def feed(self, ref: ListingRef, refresh: bool = False) -> Sourced[Feed]:
        return await self.loader.load(feed_url(ref, self.settings.base_url), "feed", parsers.feed,
                                      self.settings.freshness.feed, refresh)

    # -- threads -------------------------------------------------------------------------------
    def thread_url(self, thread_id: int, page: int = 1) -> str:
        return thread_url(thread_id, page, self.settings.base_url)

    async def thread_page(self, thread_id: int, page: int = 1, refresh: bool = False
                          ) -> Sourced[Thread]:
        try:
            result = await self.loader.load(self.thread_url(thread_id, page), "thread",
                                            parsers.thread_of(thread_id),
                                            self.settings.freshness.thread, refresh,
                                            hint=f"nereader show {thread_id}")
        except NotFoundError as exc:
            where = f" (page {page})" if page > 1 else ""
            raise NotFoundError(f"no such thread {thread_id} on the site{where}: it answered "
                                "404; check the id or URL") from exc
        if result.value.id != thread_id:  # a copy stored before this was checked
            raise ParseError(f"the cached page for thread {thread_id} holds thread "
                             f"{result.value.id}; `nereader show {thread_id} --refresh` "
                             "fetches it again")
        return result

    async def thread(self, thread_id: int, refresh: bool = False,
                     progress: Progress | None = None) -> Sourced[Thread]:
        """A whole thread: the question and every reply page, merged (and indexed)."""
        first = await self.thread_page(thread_id, 1, refresh)
        total = reply_pages(first.value)
        parts, ended = await self._reply_pages(thread_id, [first], range(2, total + 1),
                                               refresh, progress, total)
        return await self._merged(parts, thread_pages(first.value), ended)

    async def _reply_pages(self, thread_id: int, known: list[Sourced[Thread]],
                           numbers: range | list[int], refresh: bool,
                           progress: Progress | None, total: int
                           ) -> tuple[list[Sourced[Thread]], str | None]:
        """``known`` and the reply pages ``numbers`` after them, read in order a few ahead
        (the fetcher keeps it polite). The page count is one page's word: a page that holds
        no post the pages before it did not (a site repeating itself), or that is past the
        thread's end, ends the thread there, and that is said, rather than fetching up to
        ``MAX_REPLY_PAGES`` of the same; then why it ended is returned with the pages."""
        parts = list(known)
        ended: str | None = None
        seen = {post.id for part in parts for post in part.value.posts}
        todo = iter(numbers)
        ahead: list[tuple[int, asyncio.Task[Sourced[Thread]]]] = []
        if progress:
            progress("pages", len(parts), total)

        def fill() -> None:
            while len(ahead) < READ_AHEAD and (n := next(todo, None)) is not None:
                ahead.append((n, asyncio.ensure_future(self.thread_page(thread_id, n, refresh))))

        fill()
        try:
            while ahead:
                n, task = ahead.pop(0)
                try:
                    result = await task
                except PastTheEnd:
                    ended = self._ended(thread_id, n, parts, "is past the thread's end")
                    break
                if not adds_posts(seen, result.value):
                    ended = self._ended(thread_id, n, parts, REPEATS)
                    break
                parts.append(result)
                if progress:
                    progress("pages", len(parts), total)
                fill()
        finally:
            for _, task in ahead:  # read ahead past the end: not wanted
                task.cancel()
            await asyncio.gather(*(task for _, task in ahead), return_exceptions=True)
        return parts, ended

    def _ended(self, thread_id: int, page: int, parts: list[Sourced[Thread]], why: str) -> str:
        """Say that the thread ends before its count; the reason is returned for the thread
        to carry."""
        reason = ended_reason(page, max(p.value.total_pages for p in parts), why)
        self._emit(Notice(f"thread {thread_id}: {reason}", "Thread"))
        return reason

    async def _merged(self, parts: list[Sourced[Thread]], believed: int,
                      ended: str | None = None) -> Sourced[Thread]:
        """Pages of one thread as one (indexed), as stale as its stalest page; ``believed``
        is how many pages it has (fewer than claimed when the reply count says so), of which
        at most ``MAX_REPLY_PAGES`` were read (fewer: the thread ended before its count)."""
        merged = parsers.merge([p.value for p in parts])
        worst = max(parts, key=lambda p: SOURCE_RANK[p.source])
        warnings = sorted({p.warning for p in parts if p.warning})
        claimed = max(p.value.total_pages for p in parts)
        if believed < claimed:
            warnings.append(f"thread {merged.id} claims {claimed} reply pages but its reply "
                            f"count ({merged.stats.replies}) fills at most {believed}; read "
                            "those")
        last = max(p.value.page for p in parts)
        if last < min(believed, MAX_REPLY_PAGES):
            believed = last  # it ended there (``_reply_pages``)
        merged, cut = _cut(merged, believed)
        warnings += [cut] if cut else []
        if ended is not None and merged.cut != ended:
            merged = replace(merged, cut=ended)
        await self._index_thread(merged)
        return Sourced(merged, worst.source, min(p.fetched_at for p in parts),
                       "; ".join(warnings) or None, worst.failure)

    async def reply_page(self, thread_id: int, reply_id: int, refresh: bool = False
                         ) -> Sourced[Thread]:
        """The reply page that holds ``reply_id`` (the site's ``?answerId=`` link)."""
        return await self.loader.load(reply_url(thread_id, reply_id, self.settings.base_url),
                                      "thread", parsers.thread_of(thread_id),
                                      self.settings.freshness.thread, refresh,
                                      hint=f"nereader show {thread_id}")

    async def thread_at(self, thread_id: int, reply_id: int | None, refresh: bool = False
                        ) -> Sourced[Thread]:
        """A whole thread, opened at one reply. A cached copy that holds the reply is read as
        usual; otherwise the page that holds it is fetched (``?answerId=``) and the other
        pages are read around it (revalidated when the cached copy was missing the reply)."""
        if reply_id is None or reply_id == thread_id:
            return await self.thread(thread_id, refresh)
        cached = await self.cached_thread(thread_id)
        if cached is not None and not refresh and any(p.id == reply_id for p in cached.posts):
            return await self.thread(thread_id)
        try:
            held = await self.reply_page(thread_id, reply_id, refresh)
        except FetchError:
            if cached is None:
                raise
            self._emit(Notice(f"reply {reply_id} is not in the cached copy of thread "
                              f"{thread_id}, and the page that holds it could not be fetched",
                              "Search"))
            return await self.thread(thread_id)
        page = held.value
        total = max(reply_pages(page), page.page)
        again = refresh or cached is not None  # the cached copy is older than the reply
        parts, ended = await self._reply_pages(
            thread_id, [held], [n for n in range(1, total + 1) if n != page.page], again, None,
            total)
        parts.sort(key=lambda p: p.value.page)
        result = await self._merged(parts, max(thread_pages(page), page.page), ended)
        if all(p.id != reply_id for p in result.value.posts):
            self._emit(Notice(f"reply {reply_id} is no longer in thread {thread_id}; showing "
                              "the thread", "Search"))
        return result

    async def thread_rows(self, ids: list[int]
                          ) -> tuple[dict[int, tuple[ThreadSummary, datetime | None]],
                                     set[int]]:
        """The list rows the index keeps of these threads, with their fetch times, for the
        ones whose first page is in the cache (a row outlives a cleared cache); and which of
        the threads have their first page in the cache."""
        urls = {thread_id: self.thread_url(thread_id) for thread_id in ids}
        present = await self.loader.run(self.loader.cache.present, list(urls.values()))
        cached = {thread_id for thread_id, url in urls.items() if url in present}
        found = await self.loader.run(self.index.rows, sorted(cached))
        return found, cached

    async def thread_fetched(self, ids: list[int]) -> dict[int, datetime | None]:
        """When the index's copy of each of these threads was fetched, for the ones whose
        first page is in the cache."""
        found = await self.loader.run(self.index.fetched, ids)
        urls = {thread_id: self.thread_url(thread_id) for thread_id in found}
        cached = await self.loader.run(self.loader.cache.present, list(urls.values()))
        return {thread_id: when for thread_id, when in found.items()
                if urls[thread_id] in cached}

    async def state(self) -> tuple[object, ...]:
        """What changes whenever the index or the cache does (by this process or another)."""
        return (await self.loader.run(self.index.version),
                await self.loader.run(self.loader.cache.version))

    async def index_thread(self, thread: Thread) -> None:
        await self._index_thread(thread)

    async def _index_thread(self, thread: Thread) -> None:
        """Keep the search index in step; a broken index never stops anyone reading, and
        says so once."""
        try:
            await self.loader.run(self.index.index_thread, thread)
        except StorageError as exc:
            if not self._index_warned:
                self._index_warned = True
                # The index's errors carry the `--rebuild` hint where rebuilding helps.
                self._emit(Notice(str(exc), "Search index"))

    async def cached_thread(self, thread_id: int) -> Thread | None:
        """A whole thread from the cache alone; None unless every page is cached."""
        ttl = self.settings.freshness.thread
        first = await self.loader.peek(self.thread_url(thread_id), parsers.thread, ttl)
        if first is None:
            return None
        if first.value.id != thread_id:
            return None
        pages = [first.value]
        seen = {post.id for post in first.value.posts}
        total = reply_pages(first.value)
        for n in range(2, total + 1):
            page = await self.loader.peek(self.thread_url(thread_id, n), parsers.thread, ttl)
            if page is None or page.value.id != thread_id:
                return None
            if not adds_posts(seen, page.value):  # it ends there (_reply_pages)
                return replace(_cut(parsers.merge(pages), n - 1)[0],
                               cut=ended_reason(n, first.value.total_pages, REPEATS))
            pages.append(page.value)
        return _cut(parsers.merge(pages), thread_pages(first.value))[0]

    # -- many cached pages read in one worker thread (Loader.stored; NeedsParse passes up) ------
    def listing_now(self, ref: ListingRef, page: int = 1) -> Sourced[ListingPage] | None:
        """``cached_listing`` in the calling thread, the stored model only."""
        return self.loader.stored(self.listing_url(ref, page), self.settings.freshness.listing)

    def thread_now(self, thread_id: int) -> Thread | None:
        """``cached_thread`` in the calling thread, the stored models only."""
        ttl = self.settings.freshness.thread
        first = self.loader.stored(self.thread_url(thread_id), ttl)
        if first is None or first.value.id != thread_id:
            return None
        pages: list[Thread] = [first.value]
        seen = {post.id for post in first.value.posts}
        total = reply_pages(first.value)
        cut: str | None = None
        for n in range(2, total + 1):
            page = self.loader.stored(self.thread_url(thread_id, n), ttl)
            if page is None or page.value.id != thread_id:
                return None
            if not adds_posts(seen, page.value):
                total = n - 1  # it ends there (``_reply_pages``)
                cut = ended_reason(n, first.value.total_pages, REPEATS)
                break
            pages.append(page.value)
        merged = parsers.merge(pages) if len(pages) > 1 else pages[0]
        if total != merged.total_pages or cut != merged.cut:
            merged = replace(merged, total_pages=total, cut=cut)
        return merged

    async def thread_age(self, thread_id: int) -> float | None:
        return await self.loader.age(self.thread_url(thread_id))

    async def thread_fresh(self, thread_id: int) -> bool:
        """Whether the thread's first page may be used without asking the site."""
        return await self.loader.fresh(self.thread_url(thread_id),
                                       self.settings.freshness.thread)

    async def pin_thread(self, thread_id: int, total_pages: int = 1) -> None:
        for n in range(1, total_pages + 1):
            await self.loader.run(self.loader.cache.pin, self.thread_url(thread_id, n))

    async def unpin_thread(self, thread_id: int) -> None:
        cached = await self.cached_thread(thread_id)
        for n in range(1, (cached.total_pages if cached else 1) + 1):
            await self.loader.run(self.loader.cache.unpin, self.thread_url(thread_id, n))

    async def cached_thread_ids(self) -> list[int]:
        urls = await self.loader.run(self.loader.cache.urls)
        return sorted({ref.id for url in urls if (ref := thread_page_one(url)) is not None})

    # -- images of posts -----------------------------------------------------------------------
    async def image(self, url: str, refresh: bool = False) -> Sourced[bytes]:
        """An image of a post through the loader (the polite fetcher, its size cap, the cache,
        stale-if-error), from the forum's own host only: nereader asks no other server."""
        if not same_host(url, self.settings.base_url):
            raise UsageError(f"{url} is not on the forum's host; nereader fetches images from "
                             "the forum only (o opens it in the browser)")
        try:
            return await self.loader.load(url, "image", checked_image, IMAGE_TTL, refresh)
        except OfflineError as exc:
            raise OfflineError("the site cannot be reached and this image is not in the cache "
                               "(an image shows offline once it has been seen online)",
                               url) from exc

    # -- the whole forum: the site's search, the topic tree -----------------------------------
    async def site_search(self, query: str, page: int = 1, refresh: bool = False
                          ) -> Sourced[SearchResults]:
        """One page of the site's own search, cached like a listing page."""
        url = search_url(query, page, self.settings.base_url)
        more = f" --page {page}" if page > 1 else ""
        return await self.loader.load(url, "search", parsers.search,
                                      self.settings.freshness.listing, refresh,
                                      hint=f"nereader search --site "
                                      f"{shlex.quote(' '.join(query.split()))}{more}")

    async def topics(self, refresh: bool = False) -> Sourced[TopicTree]:
        """The forum's topics and subtopics."""
        ttl = max(TOPICS_TTL, self.settings.freshness.listing)
        return await self.loader.load(topics_url(self.settings.base_url), "topics", parsers.topics,
                                      ttl, refresh, hint="nereader topics")

    # -- search and the cache ------------------------------------------------------------------
    async def search(self, text: str, limit: int = 50, strict: bool = False
                     ) -> list[SearchHit]:
        return await self.loader.run(self.index.search, text, limit, strict)

    async def facts(self) -> dict[int, tuple[str | None, bool]]:
        return await self.loader.run(self.index.facts)

    async def rebuild_index(self, progress: Progress | None = None) -> tuple[int, int]:
        """Index every thread the cache holds in full, from scratch, beside the index in use,
        and swap it in at the end (see ``search``); returns (threads, posts). An index too
        damaged for that is rebuilt as a new file and moved into place."""
        from nereader.core import search

        ids = await self.cached_thread_ids()
        try:
            build = await self.loader.run(self.index.rebuild)
        except DamagedError:  # (a full disk, a busy index, a rebuild running: raised as is)
            build = None
        if build is not None:
            try:
                await self._fill(ids, build.add, progress)
                await self.loader.run(build.finish)
            except DamagedError:
                build.abandon()
                build = None
            except BaseException:
                build.abandon()
                raise
        if build is None:
            path = self.settings.data_dir / "search.sqlite3"
            self.close()
            fresh, guard = await self.loader.run(search.rebuild_beside, path)
            try:
                await self._fill(ids, fresh.index_threads, progress)
            except BaseException:
                guard.close()
                raise
            await self.loader.run(search.move_into_place, fresh, path, guard)
        self.close()
        return await self.loader.run(self.index.stats)

    async def _fill(self, ids: list[int], add: Callable[[list[Thread]], None],
                    progress: Progress | None) -> None:
        """Index the cached threads, a hundred to a transaction."""
        batch: list[Thread] = []
        for n, thread_id in enumerate(ids, 1):
            thread = await self.cached_thread(thread_id)
            if thread is not None:
                batch.append(thread)
            if len(batch) >= 100 or n == len(ids):
                await self.loader.run(add, batch)
                batch = []
            if progress:
                progress("index", n, len(ids))

    async def cache_info(self) -> CacheInfo:
        return await self.loader.run(self.loader.cache.info)

    async def cache_clear(self, include_pinned: bool = False) -> int | None:
        """Clear the cache; returns how many pages went. A cache that cannot be cleared in
        place (damaged, or a full disk) has its unpinned store removed whole; the pinned one
        goes only when it cannot be read at all. Either way a working cache is left, and
        what was done is said; None for the count then (a damaged store's cannot be read)."""
        try:
            return await self.loader.run(self.loader.cache.clear, include_pinned)
        except StorageError as failure:
            exc = failure.__cause__ or failure  # what failed, without the advice to clear
            removed, count = await self.loader.run(self.loader.repair_cache, include_pinned)
            await self.loader.run(lambda: self.loader.cache)  # it opens again, or says why
            if "pinned-v2" in removed and not include_pinned:
                self._emit(Notice(f"the pinned pages could not be read ({exc}) and were "
                                  "removed; `nereader bookmarks check` fetches the bookmarks "
                                  "again", "Cache"))
            elif removed:
                self._emit(Notice(f"the cache could not be cleared in place ({exc}); removed "
                                  "its files instead (pinned pages kept)" if not include_pinned
                                  else f"the cache could not be cleared in place ({exc}); "
                                  "removed its files instead", "Cache"))
            return count
