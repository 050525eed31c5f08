"""Fetcher, cache and service against the local forum: every fault switch, politeness, offline."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from nereader.core.errors import (
    ChallengeError,
    HTTPStatusError,
    LayoutChangedError,
    NetworkError,
    OfflineError,
    RedirectRefused,
    ResponseTooLarge,
)
from nereader.core.fetch import Fetcher, retry_after_seconds
from nereader.core.models import Activity, ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum.server import ForumServer
from nereader.localforum.site import Faults, Site
from tests.net.conftest import make_settings

TAG = ListingRef(ListingKind.TAG, "networkextension")


async def test_listing_then_cache_then_304(service: ForumService, site: Site) -> None:
    first = await service.listing(TAG)
    assert first.source == "network" and len(first.value.rows) == 20
    again = await service.listing(TAG)
    assert again.source == "cache" and site.counters.requests == 1
    refreshed = await service.listing(TAG, refresh=True)
    assert refreshed.source == "revalidated"
    assert site.counters.conditional == 1 and site.counters.not_modified == 1
    assert refreshed.fetched_at > first.fetched_at


async def test_stale_entry_is_revalidated(settings: Settings, site: Site) -> None:
    # A negative lifetime: stale the instant it is stored, with no wait for the clock to move.
    svc = ForumService(settings.with_(freshness=type(settings.freshness)(listing=-1.0)))
    try:
        await svc.listing(TAG)
        result = await svc.listing(TAG)
        assert result.source == "revalidated" and site.counters.not_modified == 1
    finally:
        await svc.aclose()


async def test_thread_reads_every_reply_page(service: ForumService, site: Site) -> None:
    result = await service.thread(821372)
    assert len(result.value.posts) == 37 and result.value.total_pages == 2
    assert "/forums/thread/821372?page=2" in site.counters.paths


async def test_5xx_is_retried_then_succeeds(service: ForumService, site: Site) -> None:
    site.faults = Faults(status=503, times=2)
    result = await service.listing(TAG)
    assert result.source == "network" and site.counters.requests == 3


async def test_5xx_forever_without_cache_fails(service: ForumService, site: Site) -> None:
    site.faults = Faults(status=500)
    with pytest.raises(HTTPStatusError) as info:
        await service.listing(TAG)
    assert info.value.status == 500 and site.counters.requests == 4  # 1 + 3 retries


async def test_404_is_not_retried(service: ForumService, site: Site) -> None:
    with pytest.raises(HTTPStatusError) as info:
        await service.thread(999999)
    assert info.value.status == 404 and site.counters.requests == 1


@pytest.mark.parametrize(
    "fault",
    [Faults(status=500), Faults(status=503), Faults(reset=True), Faults(truncate=True),
     Faults(challenge=True), Faults(status=429, retry_after="0")],
    ids=["500", "503", "reset", "truncated", "challenge", "429"],
)
async def test_every_fault_serves_the_cached_copy(
    service: ForumService, site: Site, fault: Faults
) -> None:
    good = await service.thread(828388)
    site.faults = fault
    result = await service.thread(828388, refresh=True)
    assert result.stale and result.warning
    assert result.value.posts == good.value.posts
    # the good copy is still in the cache, unharmed
    site.faults = Faults()
    service.set_offline(True)
    offline = await service.thread(828388)
    assert offline.value.posts == good.value.posts


async def test_bot_check_without_cache_is_reported(service: ForumService, site: Site) -> None:
    with pytest.raises(ChallengeError):
        await service.thread(777001)
    service.set_offline(True)
    with pytest.raises(OfflineError):  # nothing was stored
        await service.thread(777001)


async def test_layout_change_never_replaces_good_copy(service: ForumService, site: Site) -> None:
    await service.listing(TAG)
    page = site.routes["/forums/tags/networkextension"].body
    site.replace_body("/forums/tags/networkextension", page.replace(b"article-entry", b"x-row")
                      .replace(b"<article", b"<div").replace(b"</article>", b"</div>"))
    result = await service.listing(TAG, refresh=True)
    assert result.stale and "layout changed" in (result.warning or "")
    assert len(result.value.rows) == 20
    await service.cache_clear()
    site.replace_body("/forums/tags/rssFeed/networkextension", b"<html>no feed</html>")
    with pytest.raises(LayoutChangedError, match="its RSS feed could not stand in"):
        await service.listing(TAG)  # no good copy, and the feed cannot stand in either


async def test_retry_after_is_honoured(settings: Settings, site: Site) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    fetcher = Fetcher(settings, sleep=sleep)
    try:
        site.faults = Faults(status=429, retry_after="1", times=1)
        response = await fetcher.get(settings.base_url + "/forums/tags/networkextension")
        assert response.status == 200 and slept == [1.0]
        when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
        site.faults = Faults(status=503, retry_after=when, times=1)
        slept.clear()
        await fetcher.get(settings.base_url + "/forums/tags/networkextension")
        assert slept == [settings.retry_after_cap]  # 30 s asked, capped at 2 s
    finally:
        await fetcher.aclose()


def test_retry_after_parsing() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(later, now.timestamp()) == 90.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


async def test_reset_marks_network_down_and_falls_back_fast(
    settings: Settings, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fast: while the network is down, nothing is asked of the site, nothing waits to be
    retried and nothing sleeps (each would be time a user waits for the cached copy)."""
    events: list[object] = []
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(delay: float, result: object = None) -> object:
        if delay > 0:
            slept.append(delay)
        return await real_sleep(delay, result)

    service = ForumService(settings, events=events.append)
    try:
        await service.listing(TAG)
        site.faults = Faults(reset=True)
        with pytest.raises(NetworkError):
            await service.thread(828388)
        requests, connections = site.counters.requests, site.counters.connections
        assert service.activity().network_down
        events.clear()
        monkeypatch.setattr(asyncio, "sleep", sleep)
        stale = await service.listing(TAG, refresh=True)
        assert stale.stale and "network down" in (stale.warning or "")
        with pytest.raises(OfflineError, match="network down"):
            await service.thread(707294)
        monkeypatch.undo()
    finally:
        await service.aclose()
    assert (site.counters.requests, site.counters.connections) == (requests, connections)
    assert slept == []
    assert not [e for e in events if isinstance(e, Activity) and (e.retrying or e.in_flight)]


async def test_oversized_body_is_refused(service: ForumService, site: Site) -> None:
    small = service.settings.with_(max_bytes=50_000)
    for chunked in (False, True):
        svc = ForumService(small)
        site.faults = Faults(oversize=200_000, oversize_chunked=chunked)
        with pytest.raises(ResponseTooLarge):
            await svc.listing(TAG)
        await svc.aclose()


async def test_off_host_redirect_is_refused(service: ForumService, site: Site) -> None:
    site.faults = Faults(redirect_to="http://evil.example/forums/tags/networkextension", times=1)
    with pytest.raises(RedirectRefused, match="off the forum's host"):
        await service.listing(TAG)


async def test_same_host_redirect_is_followed(service: ForumService, site: Site) -> None:
    # A redirect to the page asked for (another spelling of it) is followed; one to another
    # page is refused by the parser (tests/unit/test_parse_hostile.py).
    site.faults = Faults(redirect_to="/forums/tags/networkextension?page=2&sortOrder=DESC",
                         times=1)
    result = await service.listing(TAG, 2)
    assert result.value.page == 2 and not result.stale
    assert site.counters.requests == 2


async def test_offline_opens_no_connection(settings: Settings, site: Site) -> None:
    svc = ForumService(settings.with_(offline=True))
    try:
        with pytest.raises(OfflineError, match="nereader sync networkextension"):
            await svc.listing(TAG)
        with pytest.raises(OfflineError, match="nereader show 828388"):
            await svc.thread(828388)
    finally:
        await svc.aclose()
    assert site.counters.connections == 0 and site.counters.requests == 0


async def test_offline_serves_cache_with_age(service: ForumService, site: Site) -> None:
    await service.thread(821372)
    service.set_offline(True)
    result = await service.thread(821372, refresh=True)
    assert result.source in {"cache", "stale"} and len(result.value.posts) == 37


async def test_in_flight_limit(tmp_path: Path) -> None:
    site = Site.synthetic(threads=40, pages=2, max_replies=0)
    site.faults = Faults(delay=0.15)
    with ForumServer(site) as srv:
        svc = ForumService(make_settings(srv.base_url, tmp_path / "c"))
        try:
            ids = [600000 + i * 7 for i in range(8)]
            await asyncio.gather(*(svc.thread(i) for i in ids))
        finally:
            await svc.aclose()
    assert site.counters.max_in_flight == 2  # concurrency is used, and capped


async def test_gap_between_request_starts_is_exact() -> None:
    """A fake clock and sleep: the politeness gap is checked to the tick, not with jitter."""
    now = [100.0]
    starts: list[float] = []

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    def answer(request: httpx.Request) -> httpx.Response:
        starts.append(now[0])
        return httpx.Response(200, text="<html></html>")

    settings = Settings(base_url="http://forum.test", min_gap=0.25)
    fetcher = Fetcher(settings, transport=httpx.MockTransport(answer), sleep=sleep,
                      clock=lambda: now[0])
    try:
        await asyncio.gather(*(fetcher.get(f"http://forum.test/forums/thread/{i}")
                               for i in range(5)))
    finally:
        await fetcher.aclose()
    assert starts == [100.0, 100.25, 100.5, 100.75, 101.0]


async def test_sync_fills_cache_resumes_and_sees_new_replies(tmp_path: Path) -> None:
    site = Site.synthetic(threads=30, pages=3, max_replies=25)
    with ForumServer(site) as srv:
        settings = make_settings(srv.base_url, tmp_path / "c")
        svc = ForumService(settings)
        try:
            ref = ListingRef(ListingKind.TAG, "synthetic")
            first = await svc.sync(ref)
            assert (first.listing_pages, first.threads, first.failures) == (3, 30, [])
            assert first.thread_pages > 30 and first.bytes > 0
            second = await svc.sync(ref)
            assert second.threads == 0 and second.threads_skipped == 30 and second.bytes == 0
        finally:
            await svc.aclose()
        # later, nothing changed: stale entries with unchanged reply counts are skipped
        stale = settings.with_(freshness=type(settings.freshness)(listing=0, thread=0))
        svc = ForumService(stale)
        try:
            third = await svc.sync(ref)
            assert third.threads == 0 and third.threads_skipped == 30
            # a new reply on one thread: the listing shows it, and only that thread is fetched
            body = site.routes["/forums/tags/synthetic"].body.decode()
            start = body.index('value="600000"')
            end = body.index("</article>", start)
            row = body[start:end]
            bumped = re.sub(r'(class="stat replies">(?:<span class="stat-label">Replies</span>'
                            r'<span class="stat-value">)?)(\d+)',
                            lambda m: m.group(1) + str(int(m.group(2)) + 1), row)
            site.replace_body("/forums/tags/synthetic", body.replace(row, bumped).encode())
            fourth = await svc.sync(ref)
            assert fourth.threads == 1 and fourth.threads_skipped == 29
        finally:
            await svc.aclose()
    svc = ForumService(settings.with_(offline=True))
    try:
        thread = await svc.thread(600000)
        assert thread.value.posts[0].kind.value == "question"
    finally:
        await svc.aclose()


def test_base_url_must_be_http(tmp_path: Path) -> None:
    from nereader.core.errors import UsageError
    from nereader.core.settings import from_environment

    for bad in ("file:///etc/passwd", "gopher://x", "javascript:alert(1)"):
        with pytest.raises(UsageError):
            from_environment({}, base_url=bad)
    assert from_environment({"NEREADER_BASE_URL": "http://127.0.0.1:9/"}).base_url == (
        "http://127.0.0.1:9"
    )


async def test_server_survives_parallel_clients(server: ForumServer, tmp_path: Path) -> None:
    services = [ForumService(make_settings(server.base_url, tmp_path / f"c{i}")) for i in range(3)]
    try:
        results = await asyncio.gather(*(s.thread(821372) for s in services))
        assert all(len(r.value.posts) == 37 for r in results)
    finally:
        for s in services:
            await s.aclose()


async def test_absurd_reply_page_count_is_capped_by_the_reply_count(
        service: ForumService, site: Site) -> None:
    body = site.routes["/forums/thread/821372"].body.replace(
        b'data-total-pages="2"', b'data-total-pages="50000"')
    site.replace_body("/forums/thread/821372", body)
    seen: list[tuple[str, int, int]] = []
    result = await service.thread(821372, progress=lambda *step: seen.append(step))
    assert site.counters.requests == 2  # 36 replies fill 2 pages: not 49,999 requests
    assert len(result.value.posts) == 37 and result.value.total_pages == 2
    assert result.warning is not None and "50000 reply pages" in result.warning
    assert seen == [("pages", 1, 2), ("pages", 2, 2)]


async def test_cached_reads_use_the_stored_model(service: ForumService,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from nereader.core import parse  # pages.py imports the parsers when it first parses

    first = await service.listing(TAG)

    def no_parsing(*args: object) -> None:
        raise AssertionError("a cached page with a stored model was parsed again")

    monkeypatch.setattr(parse, "parse_listing", no_parsing)
    again = await service.listing(TAG)
    assert again.source == "cache" and again.value == first.value
    cached = await service.cached_listing(TAG)
    assert cached is not None and cached.value == first.value


async def test_a_body_shorter_than_its_content_length_is_cut_off() -> None:
    """The server announced more than it sent: the page was cut in transit (a network
    failure, retried), never handed on as whole; a body of the announced length is read."""
    sent: list[bytes] = []

    async def sleep(seconds: float) -> None:
        return None

    def answer(request: httpx.Request) -> httpx.Response:
        body = b"<html><body>whole</body></html>"
        if request.url.path.endswith("/1"):
            sent.append(body[:12])
            return httpx.Response(200, headers={"Content-Length": str(len(body))},
                                  content=body[:12])
        return httpx.Response(200, headers={"Content-Length": str(len(body))}, content=body)

    for path, cut in (("/forums/thread/2", False), ("/forums/thread/1", True)):
        fetcher = Fetcher(Settings(base_url="http://forum.test"),
                          transport=httpx.MockTransport(answer), sleep=sleep)
        try:
            if cut:
                with pytest.raises(NetworkError, match=r"cut off: 12 bytes of the 31 bytes"):
                    await fetcher.get("http://forum.test" + path)
            else:
                assert (await fetcher.get("http://forum.test" + path)).body.endswith(b"</html>")
        finally:
            await fetcher.aclose()
    assert sent
