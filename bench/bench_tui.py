"""First paint of a cached tag in tmux against a bare Textual DataTable app showing the same
rows (target: within 1.5x, median), and keystroke-to-refiltered list on 10,000 rows (16 ms).

Run: ``python bench/bench_tui.py [--runs N] [--rows N]`` (needs tmux). Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._tmux import Tmux  # noqa: E402

BASE = "http://127.0.0.1:9"  # nothing listens: the cached page is fresh, so none is asked


async def prepare(cache: Path, rows: int) -> list[list[str]]:
    """Cache the first page of a synthetic tag; returns its rows as the DataTable shows them."""
    from nereader.core.models import ListingKind
    from nereader.core.service import ForumService
    from nereader.core.settings import Settings
    from nereader.core.urls import ListingRef
    from nereader.localforum import Site, SiteTransport

    site = Site.synthetic(threads=rows * 10, pages=10, max_replies=3)
    # The app keeps a local forum's pages apart (cache/local-9); older versions did not.
    for folder in (cache / "cache", cache / "cache" / "local-9"):
        svc = ForumService(Settings(cache_dir=folder, data_dir=cache / "data", base_url=BASE,
                                    min_gap=0), transport=SiteTransport(site))
        page = await svc.listing(ListingRef(ListingKind.TAG, "synthetic"))
        await svc.aclose()
    return [[r.title, str(r.replies), str(r.boosts), r.views_text, r.activity_text]
            for r in page.value.rows]


def paint_time(command: list[str], marker: str, env: dict[str, str] | None = None) -> float:
    tmux = Tmux(command, 160, 45, env)
    try:
        started = tmux.start()
        seen = tmux.wait(lambda screen: marker in screen, timeout=30, colours=False)
        return seen - started
    finally:
        tmux.stop()


def first_paint(runs: int, rows: int, code: str | None = None) -> None:
    """``code``: another checkout's ``nereader`` package folder's parent, to measure it with
    this environment (e.g. an export of main, for a before/after)."""
    env = {"PYTHONPATH": code} if code else None
    python = sys.executable
    nereader = str(Path(python).with_name("nereader"))
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        table = asyncio.run(prepare(folder, rows))
        (folder / "rows.json").write_text(json.dumps(table), encoding="utf-8")
        marker = table[0][0]
        ours_cmd = [nereader, "synthetic", "--base-url", BASE, "--cache-dir",
                    str(folder / "cache"), "--data-dir", str(folder / "data")]
        bare_cmd = [python, str(ROOT / "bench" / "bare_datatable.py"), str(folder / "rows.json")]
        ours, bare = [], []
        paint_time(bare_cmd, marker)  # warm the disk caches for both
        paint_time(ours_cmd, marker, env)
        for _ in range(runs):  # interleaved, so a busy moment hits both alike
            bare.append(paint_time(bare_cmd, marker))
            ours.append(paint_time(ours_cmd, marker, env))
    med_ours, med_bare = statistics.median(ours), statistics.median(bare)
    print(f"first paint of a cached {rows}-row tag in tmux (160x45), median of {runs}"
          f"{' (code from ' + code + ')' if code else ''}:")
    print(f"  bare Textual DataTable app: {med_bare:.3f} s (min {min(bare):.3f}, "
          f"max {max(bare):.3f})")
    print(f"  nereader:                   {med_ours:.3f} s (min {min(ours):.3f}, "
          f"max {max(ours):.3f})")
    print(f"  ratio: {med_ours / med_bare:.2f}x (target 1.5x)")


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
    from nereader.ui.screens.main import MainScreen
    from nereader.ui.widgets.thread_list import ThreadList

    with tempfile.TemporaryDirectory() as tmp:
        app = demo_app(Path(tmp))
        async with app.run_test(size=(150, 45)) as pilot:
            await settle(pilot)
            screen, threads = app.screen, app.query_one(ThreadList)
            assert isinstance(screen, MainScreen)
            session = screen.session
            session.set_context(Context())
            session.batch(synthetic_rows(10_000))
            screen.show_rows()
            query = "packet tunnel -sleep replies:>5"
            samples = []
            for _ in range(20):
                for end in range(1, len(query) + 1):
                    start = time.perf_counter()
                    with contextlib.suppress(QueryError):  # as the filter bar: half-typed keeps
                        session.filter(Query.parse(query[:end]), live=True)
                        screen.show_rows()
                    for y in range(threads.size.height):  # paint what is visible
                        threads.render_line(y)
                    samples.append(time.perf_counter() - start)
            shown = len(session.shown)
    print(f"parse the query + refilter 10,000 rows + paint the visible lines: median "
          f"{statistics.median(samples) * 1000:.2f} ms, p90 "
          f"{sorted(samples)[int(len(samples) * 0.9)] * 1000:.2f} ms "
          f"({len(samples)} keystrokes; final query matched {shown})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--skip-refilter", action="store_true")
    parser.add_argument("--code", help="run the app from this folder (PYTHONPATH), e.g. an "
                        "export of another branch")
    args = parser.parse_args()
    first_paint(args.runs, args.rows, args.code)
    if not args.skip_refilter:
        asyncio.run(refilter())
