"""A dead server is said at once; only failures that may pass (timeouts, 5xx, 429) are retried."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from nereader.cli import main
from nereader.core.errors import HTTPStatusError, NetworkError
from nereader.core.fetch import ConnectFailed, Fetcher, connect_reason
from nereader.core.models import Activity, ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum.server import ForumServer
from nereader.localforum.site import Faults, Site
from nereader.ui.state import ListState
from nereader.ui.widgets.status import status_parts
from tests.net.conftest import make_settings

TAG = ListingRef(ListingKind.TAG, "networkextension")
LISTING = "/forums/tags/networkextension"


class FakeTime:
    """The fetcher's clock and sleep: every wait is recorded, none is waited."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self.notes: list[str] = []  # what the fetcher said it was retrying, during each wait
        self.fetcher: Fetcher | None = None

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if self.fetcher is not None:
            self.notes.append(self.fetcher.retrying)
        self.now += seconds


def fetcher_on(settings: Settings, time: FakeTime) -> Fetcher:
    fetcher = Fetcher(settings, sleep=time.sleep, clock=time.clock)
    time.fetcher = fetcher
    return fetcher


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound but not listening: connecting to it is refused, and nothing
    else can take it meanwhile."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


async def test_a_server_killed_after_a_good_answer_is_given_up_at_once(
        server: ForumServer, settings: Settings) -> None:
    """The reported case: a page loaded, the server killed, `r`. The kept-alive connection
    is dead and the port refuses: no backoff at all, and the network is marked down."""
    time = FakeTime()
    fetcher = fetcher_on(settings, time)
    try:
        first = await fetcher.get(server.base_url + LISTING)
        assert first.status == 200
        server.stop()
        with pytest.raises(ConnectFailed, match="connection refused") as caught:
            await fetcher.get(server.base_url + LISTING)
        assert caught.value.reason == "connection refused"
        assert time.slept == [] and fetcher.stats.retries == 0
        assert fetcher.network_down and fetcher.retrying == ""
        with pytest.raises(NetworkError, match="network is down"):  # the cache's turn now
            await fetcher.get(server.base_url + LISTING)
        assert fetcher.stats.requests == 2
        time.now += settings.network_down_for
        assert not fetcher.network_down  # the window passes: the site is asked again
    finally:
        await fetcher.aclose()


async def test_refused_serves_the_cached_copy_marked_network_down(
        server: ForumServer, settings: Settings) -> None:
    """Through the service: the stale copy, said to be stale because the network is down.
    A backoff of a minute would outlast the guard if a refused connect were retried."""
    service = ForumService(settings.with_(backoff_base=60.0, backoff_cap=60.0))
    try:
        await service.listing(TAG)
        server.stop()
        stale = await asyncio.wait_for(service.listing(TAG, refresh=True), timeout=10)
        assert stale.stale and "connection refused" in (stale.warning or "")
        assert service.activity().network_down
        again = await asyncio.wait_for(service.listing(TAG, refresh=True), timeout=10)
        assert again.stale and "network down" in (again.warning or "")
    finally:
        await service.aclose()


async def test_a_port_nobody_listens_on_fails_without_a_retry(closed_port: int,
                                                              tmp_path: Path) -> None:
    settings = make_settings(f"http://127.0.0.1:{closed_port}", tmp_path / "c")
    time = FakeTime()
    fetcher = fetcher_on(settings, time)
    try:
        with pytest.raises(ConnectFailed, match=rf"127\.0\.0\.1:{closed_port} \(connection "):
            await fetcher.get(f"http://127.0.0.1:{closed_port}{LISTING}")
    finally:
        await fetcher.aclose()
    assert time.slept == [] and fetcher.stats.requests == 1 and fetcher.network_down


def test_connect_reasons_come_from_the_os_error_underneath() -> None:
    def wrapped(cause: BaseException) -> BaseException:
        try:
            try:
                raise cause
            except OSError as exc:
                raise RuntimeError("All connection attempts failed") from exc
        except RuntimeError as outer:
            return outer

    assert connect_reason(wrapped(ConnectionRefusedError(111, "refused"))) == (
        "connection refused")
    assert connect_reason(wrapped(socket.gaierror(-2, "Name or service not known"))) == (
        "name not resolved")
    assert connect_reason(wrapped(OSError(101, "Network is unreachable"))) == (
        "network unreachable")
    assert connect_reason(RuntimeError("something else")) == "cannot connect"


async def test_a_reset_is_retried_and_the_wait_is_said(server: ForumServer, site: Site,
                                                       settings: Settings) -> None:
    """A dropped connection may pass: it keeps its backoff, and while it waits the fetcher
    says so (the status line shows it)."""
    time = FakeTime()
    fetcher = fetcher_on(settings, time)
    try:
        site.faults = Faults(reset=True, times=1)
        response = await fetcher.get(server.base_url + LISTING)
    finally:
        await fetcher.aclose()
    assert response.status == 200 and len(time.slept) == 1
    assert time.notes == ["retrying in 1s (connection lost)"]
    assert fetcher.retrying == "" and not fetcher.network_down


async def test_5xx_keeps_its_polite_backoff(server: ForumServer, site: Site,
                                            settings: Settings) -> None:
    settings = settings.with_(backoff_base=1.0, backoff_cap=8.0)
    time = FakeTime()
    fetcher = fetcher_on(settings, time)
    try:
        site.faults = Faults(status=503)
        with pytest.raises(HTTPStatusError, match="after 4 attempts"):
            await fetcher.get(server.base_url + LISTING)
    finally:
        await fetcher.aclose()
    assert len(time.slept) == settings.retries == 3
    for attempt, (slept, note) in enumerate(zip(time.slept, time.notes, strict=True)):
        ceiling = settings.backoff_base * 2**attempt
        assert ceiling / 2 <= slept <= ceiling  # jittered, never shorter than half
        assert note == f"retrying in {max(1, round(slept))}s (HTTP 503)"
    assert not fetcher.network_down  # the server answered: it is up


def test_the_status_line_says_a_request_is_waiting_to_retry() -> None:
    state = ListState(TAG)
    _left, right = status_parts(state, Activity(0, False, False, "retrying in 2s (timeout)"))
    assert right == "retrying in 2s (timeout) · online"


def test_cli_fails_at_once_with_exit_3_on_a_refused_connection(
        closed_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries are left at their default; a retried refusal would sleep, not fail the
    assertion, so the fetcher tests above are the oracle for "no retry"."""
    monkeypatch.delenv("NEREADER_RETRIES", raising=False)
    code = main(["list", "--base-url", f"http://127.0.0.1:{closed_port}",
                 "--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d")])
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith("nereader: error: cannot reach 127.0.0.1") and err.count("\n") == 1
    assert "connection refused" in err


async def test_sync_stops_when_the_network_goes_down_and_the_next_one_resumes(
        tmp_path: Path) -> None:
    """Every thread after the network went down would fail at once: the sync stops, says
    how many are left, and keeps its log so the next sync goes on from there."""
    site = Site.synthetic(threads=30, pages=2, max_replies=3)
    with ForumServer(site) as srv:
        settings = make_settings(srv.base_url, tmp_path / "c", retries=0)
        ref = ListingRef(ListingKind.TAG, "synthetic")
        svc = ForumService(settings)
        try:
            site.faults = Faults(reset=True, only_path="/forums/thread/")
            first = await svc.sync(ref)
        finally:
            await svc.aclose()
        thread_requests = [p for p in site.counters.paths if p.startswith("/forums/thread/")]
        assert first.listing_pages == 2 and first.threads == 0
        # Only the requests in flight when it went down reached the site (the fetcher's cap
        # is 2); those the other sync workers had queued found it down and never went out.
        assert 1 <= len(thread_requests) <= 2
        *tried, said = first.failures
        assert len(tried) == 4 and all(f.startswith("thread ") for f in tried)  # the workers
        assert said == ("the network is down: 26 more threads not tried; run the same sync "
                        "again to go on from here")
        site.faults = Faults()
        svc = ForumService(settings)
        try:
            second = await svc.sync(ref)
        finally:
            await svc.aclose()
        assert second.failures == [] and second.threads == 30 and second.listing_pages == 2


def test_doctor_without_the_network_says_which_thread_and_why(
        closed_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No blank where the thread's address goes: no thread was picked, and why; the pages
    after the first failure are "not in the cache", never "using the cache"."""
    monkeypatch.delenv("NEREADER_RETRIES", raising=False)
    folders = ["--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d")]
    code = main(["doctor", "--base-url", f"http://127.0.0.1:{closed_port}", *folders])
    out = capsys.readouterr().out
    assert code == 3
    lines = out.splitlines()
    at = lines.index("thread   not checked (no thread picked)")
    assert lines[at + 1] == (
        "    why: no thread to check: the thread checked is the listing's with the most "
        "replies (or its feed's newest), and neither the listing nor its feed could be read")
    assert not any(line.endswith("not checked ") for line in lines)
    assert "using the cache" not in out and "/forums/topics is not in the cache" in out
    assert "no page could be checked: is the network up?" in out
    # Offline with nothing cached: the command that checks the site, with the folders given.
    assert main(["doctor", "--offline", *folders]) == 3
    out = capsys.readouterr().out
    assert "thread   not checked (no thread picked)" in out
    assert ("no page could be checked: none is cached; run `nereader doctor networkextension "
            f"--cache-dir {tmp_path / 'c'} --data-dir {tmp_path / 'd'}` while online") in out


@pytest.mark.parametrize(("args", "demo"), [
    (["list"], "list"), (["show", "828388", "--json"], "show 828388 --json"),
    (["sync", "networkextension"], "sync networkextension"), (["topics"], "topics"),
    (["search", "--site", "kernel panic"], "search --site 'kernel panic'"),
    (["search", "--site", "--", "-vpn"], "search --site --demo -- -vpn"),
])
def test_the_site_out_of_reach_says_what_to_try_next(
        args: list[str], demo: str, closed_port: int, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """One line still: the network (or a proxy), the app on what is cached in the folders
    given, or the same command on the demo forum (not in those folders: they hold the site's
    pages)."""
    monkeypatch.delenv("NEREADER_RETRIES", raising=False)
    base = f"http://127.0.0.1:{closed_port}"
    folders = ["--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d")]
    code = main(["--base-url", base, *folders, *args])  # options first: before any `--`
    err = capsys.readouterr().err
    assert code == 3 and err.count("\n") == 1
    assert err.startswith("nereader: error: cannot reach 127.0.0.1")
    demo = demo if "--demo" in demo else f"{demo} --demo"
    assert err.endswith(
        "; is the network up (or a proxy needed: HTTPS_PROXY)? "
        f"`nereader --offline --base-url {base} --cache-dir {tmp_path / 'c'} --data-dir "
        f"{tmp_path / 'd'}` reads what is cached, `nereader {demo}` tries a made-up forum\n")


def test_a_bookmark_saved_while_the_site_is_out_of_reach_says_what_fetches_it(
        closed_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEREADER_RETRIES", raising=False)
    base = f"http://127.0.0.1:{closed_port}"
    folders = ["--base-url", base, "--cache-dir", str(tmp_path / "c"),
               "--data-dir", str(tmp_path / "d")]
    assert main(["bookmarks", "add", "828388", *folders]) == 0
    out, err = capsys.readouterr()
    assert out == "bookmarked 828388: Thread 828388\n" and err.count("\n") == 1
    assert err.startswith("nereader: warning: saved, but not yet available offline: cannot "
                          "reach 127.0.0.1")
    assert err.endswith(f"; `nereader bookmarks check {' '.join(folders)}` fetches it when "
                        "the site can be reached\n")
