"""Serving a cached listing, and syncing a synthetic 10-page, 200-thread tag from the local forum.

Target: a cached listing in 5 ms or less. Run: ``python bench/bench_service.py [--skip-polite]``
(the polite sync keeps the default 0.5 s gap between request starts, so it takes ~2 minutes).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nereader.core.cache import PageCache
from nereader.core.models import ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum import Site, SiteTransport
from nereader.localforum.server import ForumServer


async def cached_listing() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        svc = ForumService(Settings(cache_dir=Path(tmp), min_gap=0),
                           transport=SiteTransport(Site.bundled(fill=False)))
        ref = ListingRef(ListingKind.TAG, "networkextension")
        await svc.listing(ref)
        samples = []
        for _ in range(200):
            start = time.perf_counter()
            result = await svc.listing(ref)
            samples.append(time.perf_counter() - start)
            assert result.source == "cache"
        # The same page after a 304 (its stored model dropped): cache read + a full parse.
        url = "https://developer.apple.com/forums/tags/networkextension"
        pages = PageCache(Path(tmp))  # the same store, opened beside the service
        reparsed = []
        for _ in range(200):
            await asyncio.to_thread(pages.touch, url, result.fetched_at)
            start = time.perf_counter()
            await svc.listing(ref)
            reparsed.append(time.perf_counter() - start)
        await svc.aclose()
        pages.close()
    for label, runs in (("cache read + stored parse result", samples),
                        ("cache read + parse (model dropped by a 304)", reparsed)):
        print(f"cached tag listing, 20 rows, {label}: median "
              f"{statistics.median(runs) * 1000:.2f} ms, p90 "
              f"{sorted(runs)[int(len(runs) * 0.9)] * 1000:.2f} ms over {len(runs)} runs")


async def sync(gap: float) -> None:
    site = Site.synthetic(threads=200, pages=10, max_replies=30)
    with ForumServer(site) as srv, tempfile.TemporaryDirectory() as tmp:
        svc = ForumService(Settings(base_url=srv.base_url, cache_dir=Path(tmp), min_gap=gap))
        start = time.perf_counter()
        summary = await svc.sync(ListingRef(ListingKind.TAG, "synthetic"))
        wall = time.perf_counter() - start
        await svc.aclose()
    requests = site.counters.requests
    print(f"sync 10 pages / 200 threads, gap {gap:.1f} s: {requests} requests in {wall:.1f} s = "
          f"{requests / wall:.1f} req/s, {summary.bytes / 2**20:.1f} MiB, "
          f"max {site.counters.max_in_flight} in flight, {len(summary.failures)} failures")


async def main() -> None:
    await cached_listing()
    await sync(0.0)
    if "--skip-polite" not in sys.argv:
        await sync(0.5)


if __name__ == "__main__":
    asyncio.run(main())
