"""Followed listings: kept in the config file, checked against the site before they are saved,
counted for the home screen from the cache, refreshed or synced together in one polite queue.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable

from nereader.core import sync as syncing
from nereader.core.config import config_file, edit_top_level, read_layer
from nereader.core.errors import NereaderError
from nereader.core.library import Library
from nereader.core.models import (
    Bookmark,
    FollowedSync,
    ListingStatus,
    Thread,
    ThreadSummary,
)
from nereader.core.pages import Pages, Progress
from nereader.core.query import Context
from nereader.core.settings import ConfigError, follow_keys
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
    async def overview(self, errors: dict[str, str] | None = None) -> list[ListingStatus]:
        """One status per followed listing, from the cache alone (no request)."""
        refs = await self.refs()
        context = await self.library.context()
        marks = []
        for mark in await self.library.bookmarks():
            thread = await self.pages.cached_thread(mark.id)
            marks.append((mark, thread, _unseen(mark, thread)))
        return [await self._status(ref, context, marks, (errors or {}).get(ref.key))
                for ref in refs]

    async def _status(self, ref: ListingRef, context: Context,
                      marks: list[tuple[Bookmark, Thread | None, int]],
                      error: str | None) -> ListingStatus:
        url = self.pages.listing_url(ref)
        first = await self.pages.cached_listing(ref, 1)
        if first is None:
            return ListingStatus(ref.key, ref.key, url, error=error)
        rows: dict[int, ThreadSummary] = {r.id: r for r in first.value.rows}
        for n in range(2, min(first.value.total_pages, MAX_COUNTED_PAGES) + 1):
            page = await self.pages.cached_listing(ref, n)
            if page is None:
                break
            for row in page.value.rows:
                rows.setdefault(row.id, row)
        bookmarks_new = sum(1 for mark, thread, unseen in marks
                            if unseen and _belongs(ref, mark, thread, rows))
        return ListingStatus(
            ref.key, first.value.name or ref.key, url,
            unread=sum(1 for r in rows.values() if context.unread(r)),
            new_replies=sum(1 for r in rows.values() if context.new(r)),
            bookmarks_new=bookmarks_new, threads=len(rows), age_seconds=first.age_seconds,
            error=error)

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
            if not await self.pages.thread_fresh(mark.id):
                try:
                    result = await self.pages.thread(mark.id)
                    out.bookmarks_fetched += 1
                    if result.stale:
                        out.fail(f"bookmark {mark.id}: {result.warning}", result.failure or 3)
                except NereaderError as exc:
                    out.fail(f"bookmark {mark.id}: {exc}", exc.exit_code)
            if progress:
                progress("bookmarks", n, len(marks))
        return out


def _unseen(mark: Bookmark, thread: Thread | None) -> int:
    """Posts of a cached bookmarked thread not seen yet (none before the first look)."""
    if thread is None or not mark.seen_post_ids:
        return 0
    seen = set(mark.seen_post_ids)
    return sum(1 for p in thread.posts if p.id not in seen)


def _belongs(ref: ListingRef, mark: Bookmark, thread: Thread | None,
             rows: dict[int, ThreadSummary]) -> bool:
    if mark.id in rows or ref.kind.value not in _PER_TOPIC:
        return True
    if ref.kind.value == "tag":
        return ref.slug in mark.tags
    last = ref.slug.rsplit("/", 1)[-1]
    return thread is not None and any(
        t is not None and t.slug == last for t in (thread.topic, thread.subtopic))
