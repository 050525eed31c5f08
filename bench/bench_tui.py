"""Start-up to first paint of a cached 200-row list (headless, a fresh process), and
keystroke-to-refiltered list on 10,000 rows. Targets: 0.8 s and 16 ms (median).

Run: ``python bench/bench_tui.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHILD = r"""
import sys, time
from pathlib import Path
from nereader.core.models import ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.ui.app import NereaderApp
from nereader.ui.widgets.thread_list import ThreadList

class Bench(NereaderApp):
    def on_ready(self):
        self.set_interval(0.002, self._check)
    done = False
    def _check(self):
        threads = self.query_one(ThreadList)
        if threads.rows and not self.done:
            self.done = True
            self.call_after_refresh(self._done, len(threads.rows))
    def _done(self, n):
        print(f"{time.time()} {n}", flush=True)
        self.exit()

cache = Path(sys.argv[1])
service = ForumService(Settings(cache_dir=cache, data_dir=cache / "data", offline=True))
Bench(service, ListingRef(ListingKind.TAG, "synthetic")).run(headless=True)
"""


async def prepare(cache: Path) -> None:
    from nereader.core.models import ListingKind
    from nereader.core.service import ForumService
    from nereader.core.settings import Settings
    from nereader.core.urls import ListingRef
    from nereader.localforum import Site, SiteTransport

    site = Site.synthetic(threads=200, pages=1, max_replies=3)
    svc = ForumService(Settings(cache_dir=cache, min_gap=0), transport=SiteTransport(site))
    page = await svc.listing(ListingRef(ListingKind.TAG, "synthetic"))
    assert len(page.value.rows) == 200
    await svc.aclose()


def first_paint(runs: int = 7) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        asyncio.run(prepare(cache))
        times = []
        for _ in range(runs):
            start = time.time()
            done = subprocess.run([sys.executable, "-c", CHILD, str(cache)], capture_output=True,
                                  text=True, timeout=60, env={**os.environ, "TEXTUAL": ""})
            stamp, rows = done.stdout.split()
            times.append(float(stamp) - start)
            assert int(rows) == 200, done.stderr
    print(f"process start to first paint of a cached 200-row list: median "
          f"{statistics.median(times):.3f} s (min {min(times):.3f}, max {max(times):.3f}, "
          f"{runs} runs)")


def synthetic_rows(n: int):  # type: ignore[no-untyped-def]
    import random

    from nereader.core.models import Tag, ThreadSummary

    rng = random.Random(1)
    words = [
        "packet", "tunnel", "filter", "dns", "proxy", "relay", "vpn", "entitlement", "neagent",
        "crash", "sleep", "wifi", "hotspot", "url", "content", "provider", "extension", "macos",
        "ios", "route", "socket", "flow",
    ]
    now = datetime(2026, 6, 12, tzinfo=UTC)
    return [
        ThreadSummary(
            id=i, title=" ".join(rng.choices(words, k=8)).capitalize(),
            url=f"https://developer.apple.com/forums/thread/{i}",
            excerpt=" ".join(rng.choices(words, k=40)), replies=rng.randrange(50),
            boosts=rng.randrange(5), views=rng.randrange(10_000), views_text="1k",
            activity_text="3d", activity_at=now - timedelta(hours=rng.randrange(5000)),
            tags=(Tag("Network Extension", "networkextension"),),
        )
        for i in range(n)
    ]


async def refilter() -> None:
    from nereader.core.query import Context, Query, QueryError
    from nereader.screenshots import demo_app, settle
    from nereader.ui.widgets.list_pane import ListPane
    from nereader.ui.widgets.thread_list import ThreadList

    with tempfile.TemporaryDirectory() as tmp:
        app = demo_app(Path(tmp))
        async with app.run_test(size=(150, 45)) as pilot:
            await settle(pilot)
            pane, threads = app.query_one(ListPane), app.query_one(ThreadList)
            pane.set_rows(synthetic_rows(10_000))
            pane.context = Context()
            query = "packet tunnel -sleep replies:>5"
            samples = []
            for _ in range(20):
                for end in range(1, len(query) + 1):
                    start = time.perf_counter()
                    with contextlib.suppress(QueryError):  # as the filter bar: half-typed keeps
                        pane.apply(Query.parse(query[:end]))
                    for y in range(threads.size.height):  # paint what is visible
                        threads.render_line(y)
                    samples.append(time.perf_counter() - start)
            shown = len(threads.view)
    print(f"parse the query + refilter 10,000 rows + paint the visible lines: median "
          f"{statistics.median(samples) * 1000:.2f} ms, p90 "
          f"{sorted(samples)[int(len(samples) * 0.9)] * 1000:.2f} ms "
          f"({len(samples)} keystrokes; final query matched {shown})")


if __name__ == "__main__":
    first_paint()
    asyncio.run(refilter())
