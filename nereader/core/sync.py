"""Sync: fill the cache for offline reading, politely, skipping what has not changed."""

from __future__ import annotations

import asyncio

from nereader.core.errors import NereaderError
from nereader.core.models import SyncSummary, ThreadSummary
from nereader.core.pages import Pages, Progress
from nereader.core.urls import ListingRef


async def sync(pages: Pages, ref: ListingRef, count: int | None = None, threads: bool = True,
               sort: str | None = None, order: str | None = None,
               progress: Progress | None = None) -> SyncSummary:
    """Fetch a listing's pages and (with ``threads``) every listed thread. Fresh pages and
    unchanged threads are skipped, so an interrupted sync resumes where it stopped."""
    summary = SyncSummary()
    before = pages.loader.bytes_fetched
    listing = await pages.listing_pages(ref, count, sort, order, progress=progress)
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
                if await _unchanged(pages, row):
                    summary.threads_skipped += 1
                else:
                    result = await pages.thread(row.id)
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
    summary.bytes = pages.loader.bytes_fetched - before
    return summary


async def _unchanged(pages: Pages, row: ThreadSummary) -> bool:
    """A cached thread needs no refetch when fresh, or when the listing shows no new reply."""
    age = await pages.thread_age(row.id)
    if age is None:
        return False
    if age <= pages.settings.freshness.thread:
        return True
    cached = await pages.cached_thread(row.id)
    return (cached is not None and cached.stats.replies is not None
            and cached.stats.replies == row.replies)
