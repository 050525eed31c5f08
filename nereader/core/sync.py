"""Sync: fill the cache for offline reading, politely; a sync that was killed resumes exactly.

A sync keeps whatever it got: a listing page that fails (a 404, a 500, a page gone because
the listing shrank) costs that page only, and a thread that fails costs that thread only;
every failure is reported with the exit code of its kind. A page past the listing's end as
the site has it now (threads move and are deleted all the time) is the end, not a failure.

A thread counts as synced only when every one of its reply pages is in the cache, and that
is checked once the sync ends, so the summary counts what can really be read offline (a
small cache limit evicts as it goes). A sync writes its progress (the listing's rows and the
threads done) to ``sync/<key>.json`` in the cache folder as it goes, so a rerun after a kill
reads the listing from that record and the cache instead of the site, and fetches only the
pages still missing. A page that cannot be stored (a full disk) stops the sync: what was
written stays, the summary says what happened.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

from nereader.core.clock import iso_now
from nereader.core.errors import (
    LayoutChangedError,
    NereaderError,
    OfflineError,
    StorageError,
)
from nereader.core.export import cut_warning
from nereader.core.models import ListingPage, Sourced, SyncSummary, Tag, Thread, ThreadSummary
from nereader.core.pages import MAX_LISTING_PAGES, Pages, Progress
from nereader.core.store import atomic_write_text, load_json
from nereader.core.urls import ListingRef

WORKERS = 4  # threads in progress at once (the fetcher still keeps 2 requests in flight)
LOG_VERSION = 2


class SyncLog:
    """What an unfinished sync has done, on disk (one file per listing and options)."""

    def __init__(self, cache_dir: Path, ident: dict[str, Any]) -> None:
        digest = hashlib.sha1(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]
        self.path = cache_dir / "sync" / f"{digest}.json"
        self.ident = ident
        self.rows: list[ThreadSummary] = []
        self.done: set[int] = set()
        self.listing_pages = 0  # the listing's pages as its page 1 said
        self.read: set[int] = set()  # the listing pages read (a failed one is read again)
        self.started_at = iso_now()

    def load(self) -> bool:
        """Read the record of an interrupted sync; False when there is none (or it does not
        read: it only saves work, so it is then simply started afresh)."""
        try:
            data = load_json(self.path.read_text(encoding="utf-8-sig"))
            if data.get("version") != LOG_VERSION or data.get("ident") != self.ident:
                return False
            self.rows = [ThreadSummary(int(r[0]), str(r[1]), str(r[2]),
                                       replies=None if r[3] is None else int(r[3]),
                                       tags=tuple(Tag(str(n), str(s)) for n, s in r[4]))
                         for r in data["rows"]]
            self.done = {int(i) for i in data["done"]}
            self.listing_pages = int(data["listing_pages"])
            self.read = {int(n) for n in data["read"]}
            self.started_at = str(data["started_at"])
        except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            return False
        return 1 in self.read

    def reset(self) -> None:
        self.rows, self.done, self.listing_pages, self.read = [], set(), 0, set()

    def save(self) -> None:
        rows = [[r.id, r.title, r.url, r.replies, [list(t) for t in r.tags]] for r in self.rows]
        atomic_write_text(self.path, json.dumps({
            "version": LOG_VERSION, "ident": self.ident, "started_at": self.started_at,
            "listing_pages": self.listing_pages, "read": sorted(self.read), "rows": rows,
            "done": sorted(self.done)}) + "\n")

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


async def sync(pages: Pages, ref: ListingRef, count: int | None = None, threads: bool = True,
               sort: str | None = None, order: str | None = None,
               progress: Progress | None = None) -> SyncSummary:
    """Fetch a listing's pages and (with ``threads``) every listed thread. Fresh pages and
    unchanged, complete threads are skipped; an interrupted sync resumes where it stopped.
    Only a first listing page that cannot be read at all raises (nothing was fetched)."""
    return await _Run(pages, ref, count, sort, order, progress).go(threads)


class _Run:
    """One sync of one listing: its record, its summary, what it learnt of each thread."""

    def __init__(self, pages: Pages, ref: ListingRef, count: int | None, sort: str | None,
                 order: str | None, progress: Progress | None) -> None:
        self.pages, self.ref, self.count, self.sort, self.order = pages, ref, count, sort, order
        self.progress = progress
        self.summary = SyncSummary()
        self.log = SyncLog(pages.settings.cache_dir, {"listing": ref.key, "pages": count,
                                                      "threads": True, "sort": sort,
                                                      "order": order})
        self.reply_pages: dict[int, int] = {}  # thread id -> reply pages it reads

    async def go(self, threads: bool) -> SyncSummary:
        summary, loader, log = self.summary, self.pages.loader, self.log
        before = loader.bytes_fetched
        if await loader.run(log.load) and await self._listing_cached():
            summary.resumed = len(log.done)
            summary.listing_pages = summary.listing_fresh = len(log.read)
        else:
            log.reset()
        await self._listing()
        summary.listed = len(log.rows)
        left = 0
        if threads and log.rows:
            left = await self._threads()
            if summary.stopped is None:
                await self._verify()
        summary.bytes = loader.bytes_fetched - before
        if summary.stopped is None and not left:
            await loader.run(log.remove)
        return summary

    # -- the listing ---------------------------------------------------------------------------
    async def _listing_cached(self) -> bool:
        """Whether the listing pages the interrupted sync read are all still in the cache."""
        for n in sorted(self.log.read):
            url = self.pages.listing_url(self.ref, n, self.sort, self.order)
            if await self.pages.loader.age(url) is None:
                return False
        return True

    async def _listing(self) -> None:
        """Read the listing pages not read yet (all of them, unless resuming), each on its
        own: a page that fails is reported and the others are kept."""
        log, summary, ref = self.log, self.summary, self.ref
        got: dict[int, Sourced[ListingPage]] = {}
        if 1 not in log.read:
            first = await self.pages.listing(ref, 1, self.sort, self.order)  # raises: nothing
            log.listing_pages = first.value.total_pages
            got[1] = first
        last = log.listing_pages if self.count is None else min(log.listing_pages, self.count)
        if last > MAX_LISTING_PAGES:
            exc = LayoutChangedError(f"{ref.key} claims {log.listing_pages} pages; ask for "
                                     "fewer with --pages")
            summary.fail(f"{ref.key}: {exc}", exc.exit_code)
            last = 1
        wanted = [n for n in range(2, last + 1) if n not in log.read]
        total, done = len(wanted) + 1, 1
        if self.progress:
            self.progress("listing", done, total)

        async def one(n: int) -> None:
            nonlocal done
            try:
                result = await self.pages.listing_page(ref, n, self.sort, self.order)
            except NereaderError as exc:
                summary.fail(f"listing page {n}: {exc}", exc.exit_code)
            else:
                if result is not None:  # None: past the end as the site has it now
                    got[n] = result
            done += 1
            if self.progress:
                self.progress("listing", done, total)

        await asyncio.gather(*(one(n) for n in wanted))
        read = [got[n] for n in sorted(got)]
        self.pages.say_repeats(read, ref)
        known = {row.id for row in log.rows}
        for n in sorted(got):
            result = got[n]
            if result.stale:  # its rows are the cached copy's: used, and the failure said
                summary.fail(f"listing page {n}: {result.warning}", result.failure or 3)
            summary.listing_pages += 1
            summary.listing_fresh += result.source == "cache"
            if result.value.notice:  # the listing's RSS feed stood in for the page
                summary.notices.append(result.value.notice)
            log.read.add(n)
            for row in result.value.rows:
                if row.id not in known:
                    known.add(row.id)
                    log.rows.append(row)

    # -- the threads ---------------------------------------------------------------------------
    async def _threads(self) -> int:
        """Sync the listed threads; how many were left untried because the network went
        down (each would only fail at once, so the sync stops and the next one resumes)."""
        summary, log, loader = self.summary, self.log, self.pages.loader
        rows = log.rows
        queue: asyncio.Queue[ThreadSummary] = asyncio.Queue()
        for row in rows:
            queue.put_nowait(row)
        finished = 0
        try:
            await loader.run(log.save)  # the listing is known: a kill from here on resumes
        except StorageError as exc:
            summary.stop(str(exc))
            return 0

        def down() -> bool:
            return loader.activity().network_down

        async def worker() -> None:
            nonlocal finished
            while summary.stopped is None and not down():
                try:
                    row = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    if await self._one(row):
                        log.done.add(row.id)
                        await loader.run(log.save)
                except StorageError as exc:
                    summary.stop(str(exc))
                    return
                except NereaderError as exc:
                    summary.fail(f"thread {row.id}: {exc}", exc.exit_code)
                except Exception as exc:  # a bug in one thread never loses the whole summary
                    summary.fail(f"thread {row.id}: {type(exc).__name__}: {exc}", 1)
                finished += 1
                if self.progress:
                    self.progress("threads", finished, len(rows))

        await asyncio.gather(*(worker() for _ in range(min(WORKERS, len(rows)))))
        left = queue.qsize() if summary.stopped is None and down() else 0
        if left:
            summary.fail(f"the network is down: {left} more threads not tried; run the same "
                         "sync again to go on from here", OfflineError.exit_code)
        return left

    async def _one(self, row: ThreadSummary) -> bool:
        """Sync one thread; True when it was read whole (checked again at the end)."""
        pages, summary = self.pages, self.summary
        cached = await pages.cached_thread(row.id)
        if cached is not None:
            self._learn(cached)
            if row.id in self.log.done:
                return True  # the interrupted run finished it, and it is all there
            if await pages.thread_fresh(row.id) or (
                    cached.stats.replies is not None and cached.stats.replies == row.replies):
                summary.threads_skipped += 1
                return True
        # Incomplete: fresh pages come from the cache and only the missing ones are fetched.
        # Complete but the listing shows other replies: revalidate every page.
        result = await pages.thread(row.id, refresh=cached is not None)
        if pages.loader.store_failed is not None:
            raise pages.loader.store_failed
        summary.threads += 1
        summary.thread_pages += result.value.total_pages
        self._learn(result.value)
        if result.stale:
            summary.fail(f"thread {row.id}: {result.warning}", result.failure or 3)
            return False
        return True

    def _learn(self, thread: Thread) -> None:
        self.reply_pages[thread.id] = thread.total_pages
        note = cut_warning(thread)
        if note and note not in self.summary.cut:
            self.summary.cut.append(note)

    async def _verify(self) -> None:
        """Count the listed threads that can be read offline now, every reply page in the
        cache: the cache's size limit may have evicted pages since they were fetched."""
        summary, log, pages = self.summary, self.log, self.pages
        cache = pages.loader.cache
        known = {row.id: self.reply_pages[row.id] for row in log.rows
                 if row.id in self.reply_pages}

        def whole() -> set[int]:
            urls = {thread_id: [pages.thread_url(thread_id, n) for n in range(1, total + 1)]
                    for thread_id, total in known.items()}
            there = cache.present([url for group in urls.values() for url in group])
            return {thread_id for thread_id, group in urls.items()
                    if all(url in there for url in group)}

        try:
            readable = await pages.loader.run(whole)
            for row in log.rows:  # threads this run learnt nothing of (one failed at once)
                if row.id not in known and await pages.cached_thread(row.id) is not None:
                    readable.add(row.id)
        except StorageError as exc:
            summary.fail(f"could not check what reads offline: {exc}", exc.exit_code)
            return
        summary.offline = len(readable)
        lost = log.done - readable
        if lost:
            log.done -= lost
            limit = pages.settings.cache_size_limit / 2**20
            summary.fail(f"{len(lost)} of the threads synced are no longer whole in the cache: "
                         f"its size limit ({limit:g} MB) evicted pages of them; raise "
                         "NEREADER_CACHE_MB (cache.size_mb) to keep a whole sync (bookmarks "
                         "are never evicted)", StorageError.exit_code)
