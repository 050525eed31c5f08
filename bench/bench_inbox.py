"""The inbox from the cache: 50 followed listings of 5 cached pages each (20 threads a page,
some threads in two listings), a few hundred bookmarks with cached threads, half the threads
read. Prints how long ``nereader inbox`` takes to compute it (target: well under 100 ms), the
home screen's rows, and a section over the inbox.

Run: ``python bench/bench_inbox.py [--listings N] [--pages N] [--bookmarks N]``. The cache is
filled with stored parse results directly (no HTML is parsed, here or by the inbox).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nereader.core.bookmarks import ReadState, bookmark_json
from nereader.core.cache import CachedPage, PageCache
from nereader.core.models import (
    Author,
    Bookmark,
    ListingKind,
    ListingPage,
    Post,
    PostKind,
    Tag,
    Thread,
    ThreadStats,
    ThreadSummary,
)
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef, listing_url, thread_url

NOW = datetime.now(UTC)


def row(thread_id: int, tag: str, n: int) -> ThreadSummary:
    return ThreadSummary(thread_id, f"Thread {thread_id} about {tag}", thread_url(thread_id),
                         excerpt="An excerpt of the question, a line or two of it " * 3,
                         replies=n % 13, boosts=n % 3, views=100 + n, views_text=str(100 + n),
                         activity_text=f"{n}m", activity_at=NOW - timedelta(minutes=n),
                         tags=(Tag(tag, tag),), answered=n % 4 == 0)


def thread(thread_id: int, posts: int) -> Thread:
    items = tuple(
        Post(thread_id if i == 0 else thread_id * 100 + i,
             PostKind.QUESTION if i == 0 else PostKind.ANSWER, Author(f"user{i}"),
             "<p>" + "Some text of the post. " * 20 + "</p>", "Some text of the post. " * 20,
             created_at=NOW - timedelta(hours=posts - i))
        for i in range(posts))
    return Thread(thread_id, f"Bookmarked thread {thread_id}", thread_url(thread_id), items,
                  tags=(Tag("bookmarked", "bookmarked"),), stats=ThreadStats(replies=posts - 1),
                  fetched_at=NOW)


def fill(root: Path, listings: int, pages: int, bookmarks: int) -> list[str]:
    cache = PageCache(root / "cache")
    keys = []
    for n in range(listings):
        slug = f"tag-{n}"
        keys.append(slug)
        ref = ListingRef(ListingKind.TAG, slug)
        for page in range(1, pages + 1):
            # Every fifth listing shares its threads with the one before it.
            base = (n - (n % 5 == 4)) * 1000 + page * 20
            rows = tuple(row(base + i, slug, page * 20 + i) for i in range(20))
            model = ListingPage(ListingKind.TAG, slug, slug.title(), "", pages * 20, page, pages,
                                None, None, None, NOW, rows)
            url = listing_url(ref, page)
            cache.put(CachedPage(url, 200, b"<html></html>", None, None, NOW, "listing", model))
    marks = []
    for n in range(bookmarks):
        thread_id = 900_000 + n
        posts = 5 + n % 20
        cache.put(CachedPage(thread_url(thread_id), 200, b"<html></html>", None, None, NOW,
                             "thread", thread(thread_id, posts)))
        cache.pin(thread_url(thread_id))  # as a bookmark's pages are
        seen = tuple(p.id for p in thread(thread_id, posts).posts[: posts - n % 3])
        marks.append(bookmark_json(Bookmark(thread_id, f"Bookmarked thread {thread_id}",
                                            thread_url(thread_id), ("bookmarked",),
                                            seen_post_ids=seen)))
    cache.close()
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "bookmarks.json").write_text(json.dumps({"version": 1, "bookmarks": marks}))
    read = ReadState(data)
    read.mark_read([(n * 1000 + p * 20 + i, (p * 20 + i) % 13 - (i % 2))
                    for n in range(listings) for p in range(1, pages + 1)
                    for i in range(0, 20, 2)])
    config = root / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(
        f"follow = {json.dumps(keys)}\n\n[[sections]]\nname = \"Answered\"\n"
        "query = \"is:answered sort:-replies\"\n")
    return keys


async def measure(root: Path, runs: int) -> None:
    settings = Settings(cache_dir=root / "cache", data_dir=root / "data",
                        config_dir=root / "config", offline=True)
    # CPU time beside the wall clock: on a busy machine the wall clock waits for the CPU.
    for label in ("first call in the process (modules load)", "first call of a fresh "
                  "service (nothing decoded yet: as `nereader inbox`)"):
        cold = ForumService(settings)
        start, cpu = time.perf_counter(), time.process_time()
        inbox = await cold.inbox()
        first, used = time.perf_counter() - start, time.process_time() - cpu
        await cold.aclose()
        print(f"inbox, {label}: {first * 1000:.1f} ms ({used * 1000:.1f} ms of CPU), "
              f"{len(inbox.items)} threads")
    service = ForumService(settings)
    for label, call in (("inbox", service.inbox), ("home screen rows", service.home_view),
                        ("section 'Answered'", lambda: service.section("Answered"))):
        samples, cpu_samples = [], []
        for _ in range(runs):
            start, cpu = time.perf_counter(), time.process_time()
            await call()  # type: ignore[operator]
            samples.append(time.perf_counter() - start)
            cpu_samples.append(time.process_time() - cpu)
        print(f"{label}: median {statistics.median(samples) * 1000:.1f} ms "
              f"({statistics.median(cpu_samples) * 1000:.1f} ms of CPU), p90 "
              f"{sorted(samples)[int(len(samples) * 0.9)] * 1000:.1f} ms over {runs} runs")
    await service.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listings", type=int, default=50)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--bookmarks", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        fill(root, args.listings, args.pages, args.bookmarks)
        print(f"{args.listings} followed listings x {args.pages} cached pages "
              f"({args.listings * args.pages * 20} rows), {args.bookmarks} bookmarks")
        asyncio.run(measure(root, args.runs))


if __name__ == "__main__":
    main()
