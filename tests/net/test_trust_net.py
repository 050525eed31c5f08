"""Faults across the network and the disk (issue 10): another thread's page, a server that
dribbles bytes, a 304 with nothing cached, a sync killed again and again, a full disk, a
garbage cache or index. Real servers on 127.0.0.1 and real subprocesses where it matters."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nereader.cli import main
from nereader.core.errors import FetchError, OfflineError, ParseError
from nereader.core.models import ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.sync import WORKERS
from nereader.core.urls import ListingRef
from nereader.localforum.server import ForumServer
from nereader.localforum.site import Answer, Site
from nereader.localforum.transport import SiteTransport
from tests.net.conftest import make_settings

NEREADER = [sys.executable, "-m", "nereader"]


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


# -- a page for another thread never replaces the one asked for ---------------------------------
@pytest.mark.parametrize("how", ["200 with the other page", "same-host redirect"])
async def test_a_page_of_another_thread_is_an_error_never_stored(
        how: str, service: ForumService, settings: Settings, site: Site,
        server: ForumServer) -> None:
    mark, _ = await service.bookmark(821372)
    title = mark.title
    if how.startswith("200"):
        site.add("/forums/thread/821372", site.routes["/forums/thread/828388"])
    else:
        site.faults.redirect_to = f"{server.base_url}/forums/thread/828388"
        site.faults.only_path = "/forums/thread/821372"
    again = await service.thread(821372, refresh=True)
    assert again.stale and "served thread 828388" in (again.warning or "")
    assert again.value.id == 821372 and again.value.title == title
    (change,) = await service.check_bookmarks()
    assert change.bookmark.title == title and change.bookmark.url.endswith("/821372")
    with pytest.raises(ParseError, match="thread 828388 when thread 707294"):
        site.add("/forums/thread/707294", site.routes["/forums/thread/828388"])
        site.faults.only_path = "/forums/thread/707294"
        await service.thread(707294)  # nothing cached: an error, not thread 828388
    offline = ForumService(settings.with_(offline=True))
    try:
        assert (await offline.thread(821372)).value.title == title
        with pytest.raises(OfflineError):
            await offline.thread(707294)
    finally:
        await offline.aclose()


# -- every request has an overall deadline --------------------------------------------------------
@contextlib.contextmanager
def dribbling_server(gap: float = 0.05, limit: float = 20.0) -> Iterator[str]:
    """A server that answers 200 and then sends one byte every ``gap`` seconds (slowloris);
    each connection ends when the client goes or after ``limit`` seconds."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                         b"Content-Length: 100000\r\n\r\n")
            ends = time.monotonic() + limit
            while not stop.is_set() and time.monotonic() < ends:
                try:
                    conn.sendall(b"<")
                except OSError:
                    return
                time.sleep(gap)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        listener.close()


async def test_a_server_dribbling_bytes_cannot_hold_a_request(tmp_path: Path,
                                                              site: Site) -> None:
    with dribbling_server() as base:
        # A byte every 0.05 s keeps a 0.5 s read timeout from ever firing: only the deadline
        # (0.25 + 2 x 0.5 s) can end the request.
        settings = make_settings(base, tmp_path / "c", connect_timeout=0.25, read_timeout=0.5,
                                 retries=3)
        svc = ForumService(settings)
        try:
            with pytest.raises(FetchError, match=r"did not arrive within 1\.25 s"):
                await asyncio.wait_for(svc.thread(821372), 30)  # the guard never fires
        finally:
            await svc.aclose()
    # With a good copy cached (fetched from the same address earlier), the copy is served.
    with dribbling_server() as base:
        settings = make_settings(base, tmp_path / "d", connect_timeout=0.25, read_timeout=0.5)
        warm = ForumService(settings, transport=SiteTransport(site))
        await warm.thread(828388)
        await warm.aclose()
        svc = ForumService(settings)
        try:
            result = await asyncio.wait_for(svc.thread(828388, refresh=True), 30)
            assert result.stale and "too slowly" in (result.warning or "")
        finally:
            await svc.aclose()


async def test_a_304_with_nothing_cached_says_so(tmp_path: Path) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(304))
    svc = ForumService(make_settings("https://developer.apple.com", tmp_path / "c"),
                       transport=transport)
    try:
        with pytest.raises(FetchError, match=r"304 Not Modified .* no cached copy"):
            await svc.thread(828388)
    finally:
        await svc.aclose()


# -- sync: killed again and again, then finished exactly ------------------------------------------
class Tripwire:
    """The site answers ``left`` more thread pages, then holds every request it gets (never
    answering it) and sets ``tripped``: the sync is killed mid-work at a point the test chose,
    however fast or slow the machine is."""

    def __init__(self, site: Site) -> None:
        self.answer = site.answer
        self.left = -1  # thread pages to answer before tripping; -1: never trips
        self.tripped = threading.Event()
        self.freed = threading.Event()
        self.lock = threading.Lock()
        site.answer = self._answer  # type: ignore[method-assign]

    def arm(self, left: int) -> None:
        self.left = left
        self.tripped.clear()
        self.freed.clear()

    def free(self) -> None:
        """Disarm; the held requests are dropped (their client is gone), never answered."""
        self.left = -1
        self.freed.set()

    def _answer(self, target: str, headers: dict[str, str]) -> Answer:
        with self.lock:
            if self.left == 0:
                self.tripped.set()
            elif self.left > 0 and "/thread/" in target:
                self.left -= 1
        if self.tripped.is_set() and not self.freed.is_set():
            self.freed.wait(120)
            return Answer(0, {}, b"", "reset")
        return self.answer(target, headers)


def test_a_killed_sync_resumes_exactly_and_every_thread_reads_offline(tmp_path: Path) -> None:
    site = Site.synthetic(threads=120, pages=6, max_replies=45)  # 200 thread pages
    wire = Tripwire(site)
    env = {**os.environ, "NEREADER_MIN_GAP": "0"}
    with ForumServer(site) as srv:
        args = [*NEREADER, "sync", "synthetic", "--base-url", srv.base_url,
                "--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d")]
        kills = 0
        for left in (30, 30, 30):  # each run reads 30 thread pages, then is killed waiting
            wire.arm(left)
            proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            for _ in range(1200):  # a safety net of 2 minutes; the wait is for the event
                if wire.tripped.wait(0.1):
                    break
                assert proc.poll() is None, f"the sync ended unkilled: {proc.communicate()[1]!r}"
            else:
                raise AssertionError("the sync never read its share of thread pages")
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            wire.free()
            kills += 1
        before = len(site.counters.paths)
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "0 failures" in done.stdout, done.stderr
        assert "resumed an interrupted sync" in done.stdout
        final = site.counters.paths[before:]
        again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        assert "0 threads fetched" in again.stdout and "120 unchanged" in again.stdout
    # Exactly the missing work: a page fetched by a killed run is not fetched again (but for
    # the few in flight at each kill), and the listing is read from the record.
    thread_paths = Counter(p for p in site.counters.paths[:before + len(final)]
                           if "/thread/" in p)
    twice = {p: n for p, n in thread_paths.items() if n > 1}
    assert sum(n - 1 for n in twice.values()) <= (2 + WORKERS) * kills, twice
    assert not [p for p in final if "/tags/" in p]
    svc = ForumService(Settings(base_url=srv.base_url, cache_dir=tmp_path / "c",
                                data_dir=tmp_path / "d", offline=True))

    async def read_all() -> None:
        try:
            ref = ListingRef(ListingKind.TAG, "synthetic")
            rows = [r for p in await svc.listing_pages(ref, None) for r in p.value.rows]
            assert len(rows) == 120
            for row in rows:
                thread = (await svc.thread(row.id)).value
                assert len(thread.posts) == row.replies + 1
        finally:
            await svc.aclose()

    asyncio.run(read_all())


def test_a_full_disk_stops_sync_with_its_summary_and_keeps_what_was_written(
        tmp_path: Path) -> None:
    site = Site.synthetic(threads=60, pages=3)
    env = {**os.environ, "NEREADER_MIN_GAP": "0"}

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails (EFBIG)

    with ForumServer(site) as srv:
        args = [*NEREADER, "sync", "synthetic", "--base-url", srv.base_url,
                "--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d")]
        full = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120,
                              preexec_fn=small_disk)
        assert full.returncode == 5, full.stderr
        assert full.stdout.startswith("synced synthetic:")  # the summary, then the error
        assert full.stderr.rstrip().split("\n")[-1].startswith("nereader: error: sync stopped")
        assert "Traceback" not in full.stderr and "disk full" in full.stderr
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "0 failures" in done.stdout, done.stderr


# -- a broken cache or index blocks only what needs it, and is repaired ---------------------------
def run_cli(*args: str) -> tuple[int, str, str]:
    """A command in its own process, as a user runs it (no connection outlives it)."""
    done = subprocess.run([*NEREADER, *args], capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


def test_a_garbage_cache_database_blocks_nothing(tmp_path: Path) -> None:
    dirs = ["--demo", "--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d")]
    assert run_cli("bookmarks", "add", "821372", *dirs)[0] == 0
    assert run_cli("show", "828388", *dirs)[0] == 0
    for store in ("pages-v2", "pinned-v2"):
        (tmp_path / "c" / store / "cache.db").write_bytes(b"garbage" * 100)
    # The site is read without the cache (said once, with the repair), the files left as
    # they are: only `cache clear` removes them.
    code, out, err = run_cli("show", "828388", *dirs)
    assert code == 0 and out.startswith("# ") and err.count("\n") == 1
    assert "is damaged" in err and "cache clear" in err and "bookmarked pages" not in err
    assert (tmp_path / "c" / "pinned-v2" / "cache.db").read_bytes() == b"garbage" * 100
    for local in (("bookmarks", "list"), ("bookmarks", "export"), ("search", "kernel"),
                  ("bookmarks", "add", "707294", "--offline")):
        code, _, err = run_cli(*local, *dirs)
        assert code == 0 and "Traceback" not in err, (local, err)
    code, _, err = run_cli("cache", "clear", *dirs)
    assert code == 0 and "pinned pages could not be read" in err
    assert run_cli("show", "828388", *dirs)[0] == 0
    assert run_cli("show", "821372", *dirs, "--offline")[0] == 3  # gone with its store
    assert run_cli("bookmarks", "check", *dirs)[0] == 0
    assert run_cli("show", "821372", *dirs, "--offline")[0] == 0  # and fetched again


def test_a_damaged_page_store_keeps_the_bookmarks_pages(tmp_path: Path) -> None:
    """Only the unpinned store is damaged: the bookmarks' pages still read offline, the rest
    is fetched and shown without being kept, and `cache clear` repairs it keeping them."""
    dirs = ["--demo", "--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d")]
    assert run_cli("bookmarks", "add", "821372", *dirs)[0] == 0
    assert run_cli("list", *dirs)[0] == 0
    (tmp_path / "c" / "pages-v2" / "cache.db").write_bytes(b"garbage" * 100)
    code, out, err = run_cli("show", "821372", "--offline", *dirs)
    assert code == 0 and out.startswith("# ") and "(bookmarked pages still read)" in err
    code, out, err = run_cli("list", "--json", *dirs)
    assert code == 0 and len(json.loads(out)) == 20 and err.count("is damaged") == 1, err
    code, out, _ = run_cli("cache", "info", *dirs)
    assert code == 0 and "is damaged" in out and "pages: 2 (2 pinned)" in out
    assert run_cli("list", "--offline", *dirs)[0] == 3  # nothing was kept
    code, out, err = run_cli("cache", "clear", *dirs)
    assert code == 0 and "pinned pages kept" in err
    # What the damaged store held cannot be counted: not "removed 0 cached pages".
    assert out.startswith("removed the damaged cache's files") and "0 cached" not in out, out
    assert run_cli("list", *dirs) == (0, run_cli("list", "--offline", *dirs)[1], "")
    assert run_cli("show", "821372", "--offline", *dirs)[0] == 0


def test_search_rebuild_recreates_a_corrupt_index(tmp_path: Path) -> None:
    dirs = ["--demo", "--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d")]
    assert cli("show", "828388", *dirs)[0] == 0
    index = tmp_path / "d" / "search.sqlite3"
    for extra in ("-wal", "-shm"):
        index.with_name(index.name + extra).unlink(missing_ok=True)
    index.write_bytes(b"not a database" * 300)
    code, _, err = cli("search", "filter", *dirs)
    assert code == 5 and "--rebuild" in err
    code, _, err = cli("search", "--rebuild", *dirs)
    assert code == 0 and "indexed 1 cached thread (" in err
    code, out, _ = cli("search", "filter", *dirs)
    assert code == 0 and "828388" in out


async def test_a_parser_failing_unforeseen_serves_the_cached_copy(
        service: ForumService, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deep recursion (or any parser bug) on a new page is a failure to read that page:
    the good copy is served, and sync goes on with the next thread."""
    from nereader.core import parse  # pages.py imports the parsers when it first parses

    good = await service.thread(828388)

    def broken(*args: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(parse, "parse_thread", broken)
    body = site.routes["/forums/thread/828388"].body
    site.replace_body("/forums/thread/828388", body.replace(b"</main>", b"<p></p></main>"))
    again = await service.thread(828388, refresh=True)  # a new page the parser chokes on
    assert again.stale and "RecursionError" in (again.warning or "")
    assert again.value.posts == good.value.posts
    with pytest.raises(ParseError, match="please report it"):
        await service.thread(821372)


# -- a hostile server's headers and bodies: a stale copy and one line, never a crash -------------
HOSTILE = {
    "Retry-After of a non-ASCII digit": lambda: httpx.Response(
        503, headers=[(b"Retry-After", "²".encode("latin-1"))], content=b"busy"),
    "an ETag that is not ASCII": lambda: httpx.Response(
        200, headers=[(b"ETag", '"café"'.encode())], content=b"<html>x</html>"),
    "gzip that is not gzip": lambda: httpx.Response(
        200, headers={"Content-Encoding": "gzip"}, content=b"plainly not compressed"),
    "a redirect to javascript:": lambda: httpx.Response(
        302, headers={"Location": "javascript:alert(1)"}),
}


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_a_hostile_answer_serves_the_good_copy_stale(name: str, tmp_path: Path) -> None:
    good = (Path(__file__).parents[1] / "fixtures/forums/tag-networkextension-p1.html").read_bytes()
    hostile = {"on": False}

    def answer(request: httpx.Request) -> httpx.Response:
        return HOSTILE[name]() if hostile["on"] else httpx.Response(200, content=good)

    settings = make_settings("https://developer.apple.com", tmp_path / "c", retries=1)
    svc = ForumService(settings, transport=httpx.MockTransport(answer))
    ref = ListingRef(ListingKind.TAG, "networkextension")
    try:
        first = await svc.listing(ref)
        hostile["on"] = True
        for _ in range(2):  # and again: nothing the hostile answer left behind breaks a retry
            again = await svc.listing(ref, refresh=True)
            assert again.stale and again.warning, name
            assert [r.id for r in again.value.rows] == [r.id for r in first.value.rows]
    finally:
        await svc.aclose()


def test_only_ascii_validators_are_kept_or_sent() -> None:
    """h11 encodes request headers as ASCII: a cached "café" ETag failed every later request."""
    from nereader.core.fetch import retry_after_seconds, validator

    assert validator('"café"') is None and validator("W/\"x\ny\"") is None
    assert validator("x" * 600) is None and validator(None) is None
    assert validator('W/"abc"') == 'W/"abc"'
    assert retry_after_seconds("²") is None and retry_after_seconds(" 7 ") == 7.0
