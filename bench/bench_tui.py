"""First paint of a cached tag in tmux against a bare Textual DataTable app showing the same
rows (target: within 1.5x, median), and keystroke-to-refiltered list on 10,000 rows (16 ms).

First paint is measured two ways, the cached page stale in both so the app asks the site for
it behind the first paint: with the site reachable (the local forum over HTTP on 127.0.0.1,
which answers the refresh) and offline (nothing listens at the base URL: the refresh fails).
Runs alternate between the bare app and nereader, so a busy moment hits both alike.

Run: ``python bench/bench_tui.py [--runs N] [--rows N]`` (needs tmux). Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._tmux import Tmux  # noqa: E402
from nereader.localforum import Site  # noqa: E402

UNREACHABLE = "http://127.0.0.1:9"  # nothing listens: the refresh is refused at once


async def prepare(cache: Path, site: Site, base: str) -> list[list[str]]:
    """Cache the first page of the synthetic tag as read from ``base``; returns its rows as
    the DataTable shows them."""
    from nereader.core.models import ListingKind
    from nereader.core.service import ForumService
    from nereader.core.settings import Settings
    from nereader.core.urls import ListingRef
    from nereader.localforum import SiteTransport

    # The app keeps a local forum's pages apart (cache/local-PORT) unless given a folder;
    # older versions did not: both are filled, for --code.
    port = base.rsplit(":", 1)[1]
    for folder in (cache / "cache", cache / "cache" / f"local-{port}"):
        svc = ForumService(Settings(cache_dir=folder, data_dir=cache / "data", base_url=base,
                                    min_gap=0), transport=SiteTransport(site))
        page = await svc.listing(ListingRef(ListingKind.TAG, "synthetic"))
        await svc.aclose()
    return [[r.title, str(r.replies), str(r.boosts), r.views_text, r.activity_text]
            for r in page.value.rows]


def paint_time(command: list[str], marker: str, env: dict[str, str] | None = None,
               linger: float = 0.0) -> float:
    """Seconds from starting ``command`` to ``marker`` on the screen; the program then runs
    on for ``linger`` seconds (what it does after its first paint) before it is stopped."""
    tmux = Tmux(command, 160, 45, env)
    try:
        started = tmux.start()
        seen = tmux.wait(lambda screen: marker in screen, timeout=30, colours=False)
        time.sleep(linger)
        return seen - started
    finally:
        tmux.stop()


def from_prepared(prepared: Path, run: Path, command: list[str], marker: str,
                  env: dict[str, str], linger: float = 0.0) -> float:
    """``paint_time`` of a run that starts from the folders as prepared: a run stopped
    mid-refresh may leave a page half refreshed (revalidated, not yet parsed again)."""
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(prepared, run)
    return paint_time(command, marker, env, linger)


def spread(samples: list[float]) -> str:
    return (f"{statistics.median(samples):.3f} s (min {min(samples):.3f}, "
            f"max {max(samples):.3f})")


def first_paint(runs: int, rows: int, code: str | None = None) -> None:
    """``code``: another checkout's ``nereader`` package folder's parent, to measure it with
    this environment (e.g. an export of main, for a before/after)."""
    python = sys.executable
    nereader = str(Path(python).with_name("nereader"))
    site = Site.synthetic(threads=rows * 10, pages=10, max_replies=3)
    print(f"first paint of a cached {rows}-row tag in tmux (160x45), median of {runs} "
          f"alternating runs{' (code from ' + code + ')' if code else ''}:")
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp, \
            _server(site) as reachable:
        for mode, base in (("site reachable", reachable), ("offline", UNREACHABLE)):
            folder = Path(tmp) / mode.split()[0]
            table = asyncio.run(prepare(folder, site, base))
            (folder / "rows.json").write_text(json.dumps(table), encoding="utf-8")
            marker = table[0][0]
            # The cached page is stale (fresh for 0 s): the app asks the site for it again.
            run = folder.with_name(folder.name + "-run")
            env = {"NEREADER_FRESH_LISTING": "0", "NEREADER_CONFIG_DIR": str(run / "config")}
            if code:
                env["PYTHONPATH"] = code
            ours_cmd = [nereader, "synthetic", "--base-url", base, "--cache-dir",
                        str(run / "cache"), "--data-dir", str(run / "data")]
            bare_cmd = [python, str(ROOT / "bench" / "bare_datatable.py"),
                        str(folder / "rows.json")]
            # With the site reachable each run goes on for a moment after its first paint,
            # so that the refresh behind it is seen to reach the site (counted below).
            linger = 1.0 if base == reachable else 0.0
            asked_before = len(site.counters.paths)
            ours, bare = [], []
            paint_time(bare_cmd, marker)  # warm the disk caches (and bytecode) for both
            from_prepared(folder, run, ours_cmd, marker, env, linger)
            for _ in range(runs):  # interleaved, so a busy moment hits both alike
                bare.append(paint_time(bare_cmd, marker))
                ours.append(from_prepared(folder, run, ours_cmd, marker, env, linger))
            ratio = statistics.median(ours) / statistics.median(bare)
            print(f"  {mode}:")
            print(f"    bare Textual DataTable app: {spread(bare)}")
            print(f"    nereader:                   {spread(ours)}")
            print(f"    ratio: {ratio:.2f}x (target 1.5x)")
            if base == reachable:
                asked = len(site.counters.paths) - asked_before
                print(f"    (the site was asked for the page {asked} times in {runs + 1} runs: "
                      "the refresh behind the first paint)")
            sys.stdout.flush()


@contextlib.contextmanager
def _server(site: Site) -> Iterator[str]:
    """The local forum on a loopback port; yields its base URL."""
    from nereader.localforum.server import ForumServer

    with ForumServer(site) as server:
        yield server.base_url


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
