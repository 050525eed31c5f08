"""Followed listings: kept in the config file, checked against the site before they are saved,
counted for the home screen from the cache, refreshed or synced together in one polite queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from nereader.core import sync as syncing
from nereader.core.config import config_file, edit_top_level, read_layer
from nereader.core.errors import NereaderError
from nereader.core.library import Library
from nereader.core.loader import NeedsParse
from nereader.core.models import (
    Bookmark,
    FollowedSync,
    ListingPage,
    ListingStatus,
    Sourced,
    Thread,
    ThreadSummary,
)
from nereader.core.pages import Pages, Progress
from nereader.core.query import Context
from nereader.core.settings import ConfigError, EntryError, follow_keys
from nereader.core.urls import ListingRef, parse_listing_ref

# The home screen's counts read at most this many cached pages of a listing (1,000 threads).
MAX_COUNTED_PAGES = 50
_PER_TOPIC = {"tag", "topic", "subtopic"}  # other kinds (all posts) hold every bookmark


class Following:
    """The followed listings and what the home screen, ``sync`` and ``refresh`` do with them."""

    def __init__(self, pages: Pages, library: Library) -> None:
        self.pages = pages
        self.library = library
        self.path = config_file(pages.settings.config_dir)

    # -- the list ------------------------------------------------------------------------------
    async def keys(self) -> list[str]:
        return await self.pages.loader.run(self._read)

    def _read(self) -> list[str]:
        layer = read_layer(self.path)
        raw = layer.values.get("follow", [])
        try:
            return list(follow_keys(raw))
        except EntryError as exc:  # an entry at its own line (follow[2])
            raise layer.blame(exc.at, raw, str(exc)) from None
        except ValueError as exc:
            raise layer.blame("follow", raw, str(exc)) from None

    async def refs(self) -> list[ListingRef]:
        return [parse_listing_ref(key)[0] for key in await self.keys()]

    async def follow(self, texts: Iterable[str]) -> list[tuple[str, str, bool]]:
        """Check every listing against the site (the cache when offline), then save them all
        at once. Returns (key, name, newly followed) for each."""
        base = self.pages.settings.base_url
        refs = list(dict.fromkeys(parse_listing_ref(text, base)[0] for text in texts))
        names = {ref.key: await self._check(ref) for ref in refs}
        before = await self.keys()
        await self._edit(lambda current: current + [k for k in names if k not in current])
        return [(key, name, key not in before) for key, name in names.items()]

    async def unfollow(self, texts: Iterable[str]) -> tuple[list[str], list[str]]:
        """Stop following; returns (removed, not followed)."""
        keys = list(dict.fromkeys(parse_listing_ref(text)[0].key for text in texts))
        before = await self.keys()
        await self._edit(lambda current: [k for k in current if k not in keys])
        return [k for k in keys if k in before], [k for k in keys if k not in before]

    async def _edit(self, change: Callable[[list[str]], list[str]]) -> None:
        def apply(raw: object) -> object:
            try:
                current = list(follow_keys(raw)) if raw is not None else []
            except ValueError as exc:
                raise ConfigError(f"{self.path}: follow {exc}; fix it first "
                                  "(nereader config edit)", "file") from None
            return change(current)

        await self.pages.loader.run(edit_top_level, self.path, "follow", apply)

    async def _check(self, ref: ListingRef) -> str:
        """The listing's name, once the site (or, offline, the cache) shows it exists; one it
        does not have is worded as ``list`` words it, with the listings it may mean."""
        result = await self.pages.listing(ref, 1)
        return result.value.name or ref.key

    # -- the home screen -----------------------------------------------------------------------
    async def snapshot(self, extra: Iterable[ListingRef] = ()) -> Snapshot:
        """What the cache and the user's state say of every followed listing (and of
        ``extra`` ones) and every bookmark, read once, with no request. The stored parse
        results are read in one worker thread (hundreds of pages: one hop off the event
        loop, not one each); a page an older parser stored goes the usual way, parsed again
        from its stored body."""
        refs = await self.refs()
        wanted = list(dict.fromkeys([*refs, *extra]))
        context = await self.library.context()
        bookmarks = await self.library.bookmarks()
        loader = self.pages.loader
        try:
            cached, threads = await loader.run(self._read_cache, wanted,
                                               [m.id for m in bookmarks])
        finally:
            loader.pass_on()
        for ref in wanted:
            if ref.key not in cached:
                cached[ref.key] = await self.cached_rows(ref)
        marks = []
        for mark in bookmarks:
            thread = (threads[mark.id] if mark.id in threads
                      else await self.pages.cached_thread(mark.id))
            marks.append((mark, thread, _unseen(mark, thread)))
        return Snapshot(refs, context, marks, cached,
                        {ref.key: self.pages.listing_url(ref) for ref in wanted})

    def _read_cache(self, refs: list[ListingRef], ids: list[int]) -> tuple[
            dict[str, tuple[Sourced[ListingPage] | None, dict[int, ThreadSummary]]],
            dict[int, Thread | None]]:
        """The listings' rows and the bookmarked threads, in the calling thread; what needs
        parsing again is left out, for the caller to read the usual way."""
        cached = {}
        threads = {}
        with _collector_paused():
            for ref in refs:
                with contextlib.suppress(NeedsParse):
                    cached[ref.key] = self._rows(self.pages.listing_now, ref)
            for thread_id in ids:
                with contextlib.suppress(NeedsParse):
                    threads[thread_id] = self.pages.thread_now(thread_id)
        return cached, threads

    async def cached_rows(self, ref: ListingRef
                          ) -> tuple[Sourced[ListingPage] | None, dict[int, ThreadSummary]]:
        """A listing's first cached page and the rows of its cached pages in order, each
        thread once (at most ``MAX_COUNTED_PAGES`` pages: a thousand threads)."""
        first = await self.pages.cached_listing(ref, 1)
        found = {1: first}
        for n in range(2, min(first.value.total_pages, MAX_COUNTED_PAGES) + 1 if first else 0):
            page = await self.pages.cached_listing(ref, n)
            if page is None:
                break
            found[n] = page
        return self._rows(lambda _ref, n: found.get(n), ref)

    @staticmethod
    def _rows(read: Callable[[ListingRef, int], Sourced[ListingPage] | None], ref: ListingRef
              ) -> tuple[Sourced[ListingPage] | None, dict[int, ThreadSummary]]:
        first = read(ref, 1)
        if first is None:
            return None, {}
        rows: dict[int, ThreadSummary] = {r.id: r for r in first.value.rows}
        for n in range(2, min(first.value.total_pages, MAX_COUNTED_PAGES) + 1):
            page = read(ref, n)
            if page is None:
                break
            for row in page.value.rows:
                rows.setdefault(row.id, row)
        return first, rows

    async def overview(self, errors: dict[str, str] | None = None) -> list[ListingStatus]:
        """One status per followed listing, from the cache alone (no request)."""
        return (await self.snapshot()).statuses(errors)

    async def refresh(self, force: bool = False,
                      progress: Progress | None = None) -> list[ListingStatus]:
        """Every followed listing's first page and every bookmarked thread, politely (stale
        ones only, or all of them revalidated with ``force``); then the overview."""
        refs = await self.refs()
        marks = await self.library.bookmarks()
        errors: dict[str, str] = {}
        total, done = len(refs) + len(marks), 0

        def step() -> None:
            nonlocal done
            done += 1
            if progress:
                progress("refresh", done, total)

        async def listing(ref: ListingRef) -> None:
            try:
                result = await self.pages.listing(ref, 1, refresh=force)
                if result.stale:
                    errors[ref.key] = result.warning or "stale"
            except NereaderError as exc:
                errors[ref.key] = str(exc)
            step()

        async def thread(mark: Bookmark) -> None:
            # A failure keeps the cached copy; reading the bookmark says why.
            with contextlib.suppress(NereaderError):
                await self.pages.thread(mark.id, refresh=force)
            step()

        await asyncio.gather(*(listing(r) for r in refs), *(thread(m) for m in marks))
        return await self.overview(errors)

    # -- one sync for everything ---------------------------------------------------------------
    async def sync(self, count: int | None = None, threads: bool = True,
                   progress: Progress | None = None) -> FollowedSync:
        """Sync every followed listing, one after the other through the one polite fetcher,
        then every bookmarked thread not fresh in the cache."""
        out = FollowedSync()
        for ref in await self.refs():
            def labelled(phase: str, done: int, total: int, key: str = ref.key) -> None:
                if progress:
                    progress(f"{key} {phase}", done, total)

            try:
                out.add(ref.key, await syncing.sync(self.pages, ref, count, threads,
                                                    progress=labelled))
            except NereaderError as exc:
                out.fail(f"{ref.key}: {exc}", exc.exit_code)
            if ref.key in out.listings and out.listings[ref.key].stopped:
                return out  # the cache cannot be written: going on would only fail again
        marks = await self.library.bookmarks()
        out.bookmarks = len(marks)
        for n, mark in enumerate(marks, 1):
            if await self.pages.thread_fresh(mark.id):
                out.bookmarks_fresh += 1
            else:
                try:
                    result = await self.pages.thread(mark.id)
                except NereaderError as exc:
                    out.bookmarks_failed += 1
                    out.fail(f"bookmark {mark.id}: {exc}", exc.exit_code)
                else:
                    if result.stale:  # the cached copy stood in: the fetch failed
                        out.bookmarks_failed += 1
                        out.fail(f"bookmark {mark.id}: {result.warning}", result.failure or 3)
                    else:
                        out.bookmarks_fetched += 1
            if progress:
                progress("bookmarks", n, len(marks))
        return out


@dataclass
class Snapshot:
    """The followed listings' cached rows, the bookmarks with their cached threads and what
    is unseen of them, and the read state: what the home screen's counts and the inbox are
    both made of, by one rule."""

    refs: list[ListingRef]  # the followed listings
    context: Context
    marks: list[tuple[Bookmark, Thread | None, int]]  # each bookmark, its thread, unseen posts
    cached: dict[str, tuple[Sourced[ListingPage] | None, dict[int, ThreadSummary]]]
    urls: dict[str, str]  # each listing's address

    def __post_init__(self) -> None:
        # Which followed listings a bookmark counts for, by its tags and its thread's topic.
        self._by_tag: dict[str, list[str]] = {}
        self._by_topic: dict[str, list[str]] = {}
        self._every: list[str] = []  # all posts: every bookmark is in it
        # The followed listings whose cached rows hold each thread.
        self.where: dict[int, list[str]] = {}
        for ref in self.refs:
            key = ref.key
            for thread_id in self.rows(ref):
                self.where.setdefault(thread_id, []).append(key)
            kind = ref.kind.value
            if kind == "tag":
                self._by_tag.setdefault(ref.slug, []).append(key)
            elif kind in _PER_TOPIC:
                self._by_topic.setdefault(ref.slug.rsplit("/", 1)[-1], []).append(key)
            else:
                self._every.append(key)

    def rows(self, ref: ListingRef) -> dict[int, ThreadSummary]:
        return self.cached.get(ref.key, (None, {}))[1]

    def listings_of(self, mark: Bookmark, thread: Thread | None) -> list[str]:
        """The followed listings a bookmark counts for: those whose cached rows hold it, and
        those of its tags and of its thread's topic (all posts holds every bookmark)."""
        keys = [*self.where.get(mark.id, ()), *self._every]
        for tag in mark.tags:
            keys += self._by_tag.get(tag, ())
        if thread is not None:
            for topic in (thread.topic, thread.subtopic):
                if topic is not None:
                    keys += self._by_topic.get(topic.slug, ())
        return list(dict.fromkeys(keys))

    def statuses(self, errors: dict[str, str] | None = None) -> list[ListingStatus]:
        counted: dict[str, int] = {}
        for mark, thread, unseen in self.marks:
            if unseen:
                for key in self.listings_of(mark, thread):
                    counted[key] = counted.get(key, 0) + 1
        return [self._status(ref, counted.get(ref.key, 0), (errors or {}).get(ref.key))
                for ref in self.refs]

    def _status(self, ref: ListingRef, bookmarks_new: int, error: str | None) -> ListingStatus:
        first, rows = self.cached.get(ref.key, (None, {}))
        url = self.urls.get(ref.key, "")
        if first is None:
            return ListingStatus(ref.key, ref.key, url, error=error)
        context = self.context
        return ListingStatus(
            ref.key, first.value.name or ref.key, url,
            unread=sum(1 for r in rows.values() if context.unread(r)),
            new_replies=sum(1 for r in rows.values() if context.new(r)),
            bookmarks_new=bookmarks_new, threads=len(rows), age_seconds=first.age_seconds,
            error=error)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused: thousands of models are decoded in a burst, none
    of them in a cycle, and the collector would only walk them again and again meanwhile."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _unseen(mark: Bookmark, thread: Thread | None) -> int:
    """Posts of a cached bookmarked thread not seen yet (none before the first look)."""
    if thread is None or not mark.seen_post_ids:
        return 0
    seen = set(mark.seen_post_ids)
    return sum(1 for p in thread.posts if p.id not in seen)

