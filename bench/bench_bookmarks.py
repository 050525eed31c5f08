"""20,000 bookmarks, each thread pinned in the cache: the bookmarks view, the library, the
filter context, and the CLI's `bookmarks add` and `bookmarks list`.

Target: under 200 ms each (the CLI's figures are whole runs, interpreter start included;
`python -c pass` is printed beside them). Run: ``python bench/bench_bookmarks.py [N]
[--keep DIR]``. Building the data takes minutes (every thread is stored with its parse
result and indexed, as the app leaves a thread it has read); ``--keep DIR`` builds it in DIR
once and copies it from there on later runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nereader.core.cache import CachedPage, PageCache
from nereader.core.models import Author, Post, PostKind, Tag, Thread, ThreadStats
from nereader.core.search import SearchIndex
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import thread_url

NOW = datetime(2026, 6, 12, 12, 0, tzinfo=UTC)


def thread(thread_id: int) -> Thread:
    posts = [Post(thread_id, PostKind.QUESTION, Author("asker"), f"<p>Question {thread_id}</p>",
                  f"Question {thread_id}: the tunnel stops after sleep.",
                  created_at=NOW - timedelta(days=thread_id % 300))]
    posts += [Post(thread_id * 100 + n, PostKind.ANSWER, Author(f"user{n}"), "<p>Reply</p>",
                   f"Reply {n} with some words about packet tunnels.",
                   created_at=NOW - timedelta(days=thread_id % 300, hours=-n))
              for n in range(1, 6)]
    return Thread(thread_id, f"Packet tunnel question number {thread_id}",
                  thread_url(thread_id), tuple(posts), tags=(Tag("Network Extension",
                                                                 "networkextension"),),
                  stats=ThreadStats(replies=5, boosts=1, views=1200), fetched_at=NOW)


def build(root: Path, count: int) -> None:
    """bookmarks.json with ``count`` bookmarks, each thread's page pinned with its model,
    and the search index over them."""
    cache = PageCache(root / "cache")
    index = SearchIndex(root / "data" / "search.sqlite3")
    marks = []
    threads = []
    for n in range(count):
        thread_id = 100000 + n
        page = thread(thread_id)
        threads.append(page)
        cache.pin(page.url)
        cache.put(CachedPage(page.url, 200, b"<html></html>", None, None, NOW, "thread", page))
        marks.append({"id": thread_id, "title": page.title, "url": page.url,
                      "tags": ["networkextension"], "note": "look at this" if n % 7 == 0 else "",
                      "labels": ["todo"] if n % 5 == 0 else [], "added_at": NOW.isoformat(),
                      "checked_at": NOW.isoformat(), "replies_seen": 5,
                      "seen_post_ids": [p.id for p in page.posts]})
    for start in range(0, len(threads), 500):
        index.index_threads(threads[start:start + 500])
    cache.close()
    index.close()
    (root / "data" / "bookmarks.json").write_text(json.dumps(
        {"version": 1, "bookmarks": marks}, indent=2) + "\n")


async def timed(label: str, call: Callable[[], Awaitable[Any]], runs: int = 5) -> None:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    print(f"{label}: first {samples[0] * 1000:.0f} ms, median "
          f"{statistics.median(samples) * 1000:.0f} ms over {runs} runs")


def cli(label: str, root: Path, *args: str, runs: int = 3) -> None:
    command = [sys.executable, "-m", "nereader", *args, "--offline", "--cache-dir",
               str(root / "cache"), "--data-dir", str(root / "data")]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        samples.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{label} failed: {done.stderr}")
    print(f"{label}: median {statistics.median(samples) * 1000:.0f} ms over {runs} runs")


def main(count: int, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "home"
        start = time.perf_counter()
        if keep is not None and (keep / "data" / "bookmarks.json").is_file():
            shutil.copytree(keep, root)
        else:
            build(root, count)
            print(f"built {count:,} bookmarks in {time.perf_counter() - start:.0f} s")
            if keep is not None:
                shutil.copytree(root, keep, dirs_exist_ok=True)
        asyncio.run(service_calls(Settings(cache_dir=root / "cache", data_dir=root / "data",
                                           offline=True)))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        print(f"python -c pass: {(time.perf_counter() - start) * 1000:.0f} ms")
        (root / "empty").mkdir()
        cli("CLI bookmarks list with no bookmarks (the start of any command)", root / "empty",
            "bookmarks", "list")
        cli("CLI bookmarks list", root, "bookmarks", "list")
        cli("CLI bookmarks add (a thread already bookmarked: note only)", root, "bookmarks",
            "add", "100007", "--note", "again")


async def service_calls(settings: Settings) -> None:
    calls: dict[str, Callable[[ForumService], Awaitable[Any]]] = {
        "bookmark_rows": ForumService.bookmark_rows,
        # The library screen (L) asks for the latest 300 bookmarks (an option list measures
        # every option); the whole library is measured too.
        "library(300)": lambda service: service.library(300),
        "library": lambda service: service.library(),
        "query_context": lambda service: service.query_context(),
        "bookmarks": ForumService.bookmarks}
    for name, call in calls.items():
        async def fresh(call: Callable[[ForumService], Awaitable[Any]] = call) -> Any:
            async with _New(settings) as other:
                return await call(other)

        await timed(f"service {name} (a new service each run)", fresh)
        async with _New(settings) as service:
            async def again(call: Callable[[ForumService], Awaitable[Any]] = call,
                            service: ForumService = service) -> Any:
                return await call(service)

            await timed(f"service {name} (one service, again and again)", again)


class _New:
    """A service opened and closed around one call (as a CLI command has it)."""

    def __init__(self, settings: Settings) -> None:
        self.service = ForumService(settings)

    async def __aenter__(self) -> ForumService:
        return self.service

    async def __aexit__(self, *exc: object) -> None:
        await self.service.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="build the data here once, reuse it after")
    options = parser.parse_args()
    main(options.count, options.keep)
