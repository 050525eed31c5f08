"""Sync: fill the cache for offline reading, politely; a sync that was killed resumes exactly.

A thread counts as synced only when every one of its reply pages is in the cache. A sync
writes its progress (the listing's rows and the threads done) to ``sync/<key>.json`` in the
cache folder as it goes, so a rerun after a kill reads the listing from that record and the
cache instead of the site, and fetches only the pages still missing. A page that cannot be
stored (a full disk) stops the sync: what was written stays, the summary says what happened.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

from nereader.core.clock import iso_now
from nereader.core.errors import NereaderError, StorageError
from nereader.core.models import SyncSummary, Tag, ThreadSummary
from nereader.core.pages import Pages, Progress
from nereader.core.store import atomic_write_text, load_json
from nereader.core.urls import ListingRef

WORKERS = 4  # threads in progress at once (the fetcher still keeps 2 requests in flight)
LOG_VERSION = 1


class SyncLog:
    """What an unfinished sync has done, on disk (one file per listing and options)."""

    def __init__(self, cache_dir: Path, ident: dict[str, Any]) -> None:
        digest = hashlib.sha1(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]
        self.path = cache_dir / "sync" / f"{digest}.json"
        self.ident = ident
        self.rows: list[ThreadSummary] = []
        self.done: set[int] = set()
        self.listing_pages = 0
        self.started_at = iso_now()

    def load(self) -> bool:
        """Read the record of an interrupted sync; False when there is none (or it does not
        read: it only saves work, so it is then simply started afresh)."""
        try:
            data = load_json(self.path.read_text(encoding="utf-8"))
            if data.get("version") != LOG_VERSION or data.get("ident") != self.ident:
                return False
            self.rows = [ThreadSummary(int(r[0]), str(r[1]), str(r[2]),
                                       replies=None if r[3] is None else int(r[3]),
                                       tags=tuple(Tag(str(n), str(s)) for n, s in r[4]))
                         for r in data["rows"]]
            self.done = {int(i) for i in data["done"]}
            self.listing_pages = int(data["listing_pages"])
            self.started_at = str(data["started_at"])
        except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            return False
        return True

    def save(self) -> None:
        rows = [[r.id, r.title, r.url, r.replies, [list(t) for t in r.tags]] for r in self.rows]
        atomic_write_text(self.path, json.dumps({
            "version": LOG_VERSION, "ident": self.ident, "started_at": self.started_at,
            "listing_pages": self.listing_pages, "rows": rows, "done": sorted(self.done)}) + "\n")

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


async def sync(pages: Pages, ref: ListingRef, count: int | None = None, threads: bool = True,
               sort: str | None = None, order: str | None = None,
               progress: Progress | None = None) -> SyncSummary:
    """Fetch a listing's pages and (with ``threads``) every listed thread. Fresh pages and
    unchanged, complete threads are skipped; an interrupted sync resumes where it stopped."""
    summary = SyncSummary()
    loader = pages.loader
    before = loader.bytes_fetched
    log = SyncLog(pages.settings.cache_dir, {"listing": ref.key, "pages": count,
                                              "threads": threads, "sort": sort, "order": order})
    resumed = await loader.run(log.load) and await _listing_cached(pages, ref, log, sort, order)
    if resumed:
        summary.resumed = len(log.done)
        summary.listing_pages = summary.listing_fresh = log.listing_pages
    else:
        listing = await pages.listing_pages(ref, count, sort, order, progress=progress)
        summary.listing_pages = len(listing)
        summary.listing_fresh = sum(1 for p in listing if p.source == "cache")
        summary.notices += [p.value.notice for p in listing if p.value.notice]
        seen: dict[int, ThreadSummary] = {}
        for result in listing:
            for row in result.value.rows:
                seen.setdefault(row.id, row)
        log.rows, log.done, log.listing_pages = list(seen.values()), set(), len(listing)
    left = await _threads(pages, log, summary, progress) if threads else 0
    summary.bytes = loader.bytes_fetched - before
    if summary.stopped is None and not left:
        await loader.run(log.remove)
    return summary


async def _listing_cached(pages: Pages, ref: ListingRef, log: SyncLog, sort: str | None,
                          order: str | None) -> bool:
    """Whether the listing pages the interrupted sync read are all still in the cache."""
    if log.listing_pages < 1:
        return False
    for n in range(1, log.listing_pages + 1):
        if await pages.loader.age(pages.listing_url(ref, n, sort, order)) is None:
            return False
    return True


async def _threads(pages: Pages, log: SyncLog, summary: SyncSummary,
                   progress: Progress | None) -> int:
    """Sync the listed threads; how many were left untried because the network went down
    (each would only fail at once, so the sync stops and the next one resumes)."""
    rows = log.rows
    queue: asyncio.Queue[ThreadSummary] = asyncio.Queue()
    for row in rows:
        queue.put_nowait(row)
    finished = 0
    try:
        await pages.loader.run(log.save)  # the listing is known: a kill from here on resumes
    except StorageError as exc:
        summary.stopped = str(exc)
        return 0

    def down() -> bool:
        return pages.loader.activity().network_down

    async def worker() -> None:
        nonlocal finished
        while summary.stopped is None and not down():
            try:
                row = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                if await _one(pages, row, log, summary):
                    log.done.add(row.id)
                    await pages.loader.run(log.save)
            except StorageError as exc:
                summary.stopped = str(exc)
                return
            except NereaderError as exc:
                summary.failures.append(f"thread {row.id}: {exc}")
            except Exception as exc:  # a bug in one thread never loses the whole summary
                summary.failures.append(f"thread {row.id}: {type(exc).__name__}: {exc}")
            finished += 1
            if progress:
                progress("threads", finished, len(rows))

    await asyncio.gather(*(worker() for _ in range(min(WORKERS, len(rows)))))
    left = queue.qsize() if summary.stopped is None and down() else 0
    if left:
        summary.failures.append(f"the network is down: {left} more threads not tried; "
                                "run the same sync again to go on from here")
    return left


async def _one(pages: Pages, row: ThreadSummary, log: SyncLog, summary: SyncSummary) -> bool:
    """Sync one thread; True when every one of its pages is in the cache afterwards."""
    cached = await pages.cached_thread(row.id)
    if cached is not None:
        if row.id in log.done:
            return True  # the interrupted run finished it, and it is all there
        age = await pages.thread_age(row.id)
        fresh = age is not None and age <= pages.settings.freshness.thread
        if fresh or (cached.stats.replies is not None and cached.stats.replies == row.replies):
            summary.threads_skipped += 1
            return True
    # Incomplete: fresh pages come from the cache and only the missing ones are fetched.
    # Complete but the listing shows other replies: revalidate every page.
    result = await pages.thread(row.id, refresh=cached is not None)
    if pages.loader.store_failed is not None:
        raise pages.loader.store_failed
    summary.threads += 1
    summary.thread_pages += result.value.total_pages
    if result.stale:
        summary.failures.append(f"thread {row.id}: {result.warning}")
        return False
    if await pages.cached_thread(row.id) is None:
        limit = pages.settings.cache_size_limit / 2**20
        summary.failures.append(f"thread {row.id}: fetched, but the cache's size limit "
                                f"({limit:g} MB) evicted some of its pages; raise "
                                "NEREADER_CACHE_MB to keep a whole sync")
        return False
    return True
