"""Filter 10,000 synthetic threads with a four-term compound query (target 10 ms median),
full-text queries over 2,000 cached threads (target 50 ms median), and the index build rate.

Run: ``python bench/bench_query.py``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_tui import synthetic_rows
from nereader.core.models import ListingKind
from nereader.core.parse import merge_thread_pages, parse_thread
from nereader.core.query import Context, Query, haystack
from nereader.core.search import SearchIndex
from nereader.core.urls import ListingRef
from nereader.localforum import Site

QUERY = 'tunnel -sleep replies:>5 activity:<30d'
SEARCHES = ["includeAllNetworks", "sysdiagnose bug", '"same thing"', "neagent OR entitlement",
            "tunnel -airdrop", "proto*"]


def filtering() -> None:
    rows = synthetic_rows(10_000)
    hays = [haystack(r) for r in rows]
    query = Query.parse(QUERY)
    ctx = Context(now=max(r.activity_at for r in rows if r.activity_at))
    samples = []
    for _ in range(50):
        start = time.perf_counter()
        result = query.apply(rows, ctx, hays)
        samples.append(time.perf_counter() - start)
    start = time.perf_counter()
    [haystack(r) for r in rows]
    prep = time.perf_counter() - start
    print(f"filter 10,000 threads with {QUERY!r}: median {statistics.median(samples) * 1000:.2f} "
          f"ms ({len(result)} match; haystacks built once in {prep * 1000:.0f} ms)")


def full_text() -> None:
    site = Site.synthetic(slug="bench", threads=2000, pages=100, max_replies=12)
    ref = ListingRef(ListingKind.TAG, "bench")
    threads = []
    for path, route in site.routes.items():
        if path.startswith("/forums/thread/") and "page=" not in path:
            pages = [parse_thread(route.body)]
            n = 2
            while f"{path}?page={n}" in site.routes:
                pages.append(parse_thread(site.routes[f"{path}?page={n}"].body))
                n += 1
            threads.append(merge_thread_pages(pages))
    assert ref and len(threads) == 2000
    with tempfile.TemporaryDirectory() as tmp:
        index = SearchIndex(Path(tmp) / "search.sqlite3")
        start = time.perf_counter()
        for thread in threads:
            index.index_thread(thread)
        build = time.perf_counter() - start
        n_threads, n_posts = index.stats()
        samples = []
        for _ in range(10):
            for text in SEARCHES:
                start = time.perf_counter()
                index.search(text, 50)
                samples.append(time.perf_counter() - start)
        index.close()
    print(f"index build: {n_threads} threads / {n_posts} posts in {build:.2f} s = "
          f"{n_threads / build:.0f} threads/s ({n_posts / build:.0f} posts/s)")
    print(f"full-text query over {n_threads} cached threads: median "
          f"{statistics.median(samples) * 1000:.2f} ms, max {max(samples) * 1000:.2f} ms "
          f"({len(samples)} queries of {len(SEARCHES)} kinds)")


if __name__ == "__main__":
    filtering()
    full_text()
