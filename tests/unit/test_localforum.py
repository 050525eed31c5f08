"""The local forum itself: the bundled copy matches the test fixtures; the demo opens no socket."""

from __future__ import annotations

import asyncio
import json
import socket
import zipfile
from pathlib import Path

import pytest

from nereader.core.models import ListingKind
from nereader.core.parse import parse_listing, parse_thread
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum import Site, SiteTransport
from tests.conftest import FIXTURES


def test_wheel_carries_the_fixture_forum(tmp_path: Path) -> None:
    """The demo's data is tests/fixtures/forums, put into the wheel at build time."""
    from hatchling.builders.wheel import WheelBuilder

    root = Path(__file__).resolve().parents[2]
    wheel = Path(next(iter(WheelBuilder(str(root)).build(directory=str(tmp_path),
                                                         versions=["standard"]))))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        manifest = json.loads((FIXTURES / "manifest.json").read_text())
        for spec in manifest.values():
            inside = f"nereader/localforum/data/{spec['file']}"
            assert inside in names
            assert archive.read(inside) == (FIXTURES / spec["file"]).read_bytes()
        assert "nereader/ui/styles/app.tcss" in names


def test_filled_demo_tag_is_whole() -> None:
    site = Site.bundled()
    for n in range(1, 12):
        key = "/forums/tags/networkextension" + (f"?page={n}" if n > 1 else "")
        listing = parse_listing(site.routes[key].body, "https://developer.apple.com" + key)
        assert listing.page == n and listing.rows
        for row in listing.rows:
            thread = parse_thread(site.routes[f"/forums/thread/{row.id}"].body)
            assert thread.id == row.id


def test_synthetic_site_dom_parses() -> None:
    site = Site.synthetic(threads=45, pages=3, max_replies=30)
    listing = parse_listing(site.routes["/forums/tags/synthetic?page=3"].body,
                            "https://developer.apple.com/forums/tags/synthetic?page=3")
    assert (listing.page, listing.total_pages, listing.total_posts) == (3, 3, 45)
    assert len({r.id for r in listing.rows}) == 15
    long = next(r for r in listing.rows if r.replies > 20)
    page2 = parse_thread(site.routes[f"/forums/thread/{long.id}?page=2"].body)
    assert page2.page == 2 and page2.total_pages == 2


def test_demo_transport_opens_no_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)

    async def go() -> int:
        svc = ForumService(Settings(cache_dir=tmp_path, min_gap=0),
                           transport=SiteTransport(Site.bundled()))
        try:
            pages = await svc.listing_pages(ListingRef(ListingKind.TAG, "networkextension"), None)
            thread = await svc.thread(821372)
            assert len(thread.value.posts) == 37
            return sum(len(p.value.rows) for p in pages)
        finally:
            await svc.aclose()

    assert asyncio.run(go()) == 201


def test_demo_data_matches_the_fixture_pages() -> None:
    """demo.json (what the local forum fills the demo from) is what the fixture pages say."""
    from tests.demo_data import render

    assert (FIXTURES / "demo.json").read_text(encoding="utf-8") == render(), (
        "the fixture listings changed: run python -m tests.demo_data")


@pytest.mark.parametrize(("sort", "order", "key", "descending"), [
    ("replies", "DESC", lambda r: r.replies, True),
    ("views", "ASC", lambda r: r.views, False),
    ("boosts", "DESC", lambda r: r.boosts, True),
    ("newest", "DESC", lambda r: r.id, True),
    ("oldest", "DESC", lambda r: r.id, False),
])
def test_site_sort_is_honoured(sort: str, order: str, key, descending: bool) -> None:  # type: ignore[no-untyped-def]
    site = Site.bundled()
    rows = []
    for page in range(1, 12):
        query = f"sortBy={sort}&sortOrder={order}" + (f"&page={page}" if page > 1 else "")
        answer = site.answer(f"/forums/tags/networkextension?{query}", {})
        listing = parse_listing(answer.body, f"https://developer.apple.com/forums/tags/"
                                             f"networkextension?{query}")
        assert answer.status == 200 and listing.page == page and listing.total_pages == 11
        rows += listing.rows
    assert len(rows) == 201 and len({r.id for r in rows}) == 201  # every thread, once
    values = [key(r) for r in rows]
    assert values == sorted(values, reverse=descending)


def test_site_order_and_unknown_sorts_fall_back() -> None:
    site = Site.bundled()
    plain = site.answer("/forums/tags/networkextension", {}).body
    by_activity = site.answer("/forums/tags/networkextension?sortBy=lastUpdated&sortOrder=DESC",
                              {}).body
    ids = [r.id for r in parse_listing(plain, "https://developer.apple.com/forums/tags/x").rows]
    assert ids == [r.id for r in parse_listing(by_activity,
                                               "https://developer.apple.com/forums/tags/x").rows]
    odd = site.answer("/forums/tags/networkextension?sortBy=shininess&sortOrder=DESC", {})
    assert odd.status == 200 and odd.body == plain  # like a mirror ignoring what it knows not


def test_the_demo_serves_its_forum_as_of_today(tmp_path: Path) -> None:
    """A made-up row "4m" old opens on a last post 4 minutes old, whatever the day the demo
    runs (the pages were made as of one day; the app reads relative ages against the clock)."""
    from datetime import UTC, datetime, timedelta

    from nereader.localforum.ages import NOW

    today = datetime.now(UTC)
    assert today - NOW > timedelta(days=30)  # else this would not tell moved from as made
    slack = {"m": timedelta(minutes=2), "h": timedelta(hours=1), "d": timedelta(days=1),
             "w": timedelta(weeks=1)}

    async def go() -> int:
        svc = ForumService(Settings(cache_dir=tmp_path, min_gap=0),
                           transport=SiteTransport(Site.bundled(), today=today))
        checked = 0
        try:
            rows = [r for n in (1, 2, 5) for r in (await svc.listing(
                ListingRef(ListingKind.TAG, "networkextension"), n)).value.rows]
            for row in rows:  # captured threads too: brought up to their captured rows
                thread = (await svc.thread(row.id)).value
                last = max(p.created_at for p in thread.posts if p.created_at)
                unit = row.activity_text[-1:]
                if unit in slack:  # a relative age: read against the fetch, as the app does
                    assert row.activity_at is not None
                    assert abs(last - row.activity_at) <= slack[unit] + timedelta(minutes=8), (
                        row.id, row.activity_text, last, row.activity_at)
                else:  # a month: the last post falls in it, today's months
                    assert row.activity_text.startswith(last.strftime("%b")), (
                        row.id, row.activity_text, last)
                checked += 1
        finally:
            await svc.aclose()
        return checked

    assert asyncio.run(go()) == 60


def test_a_moved_page_revalidates_only_on_its_own_day() -> None:
    """The same page moved by another day is another body: its ETag says so, so a copy
    cached on one day is not confirmed (304) on the next."""
    from datetime import timedelta

    import httpx

    from nereader.localforum.ages import NOW

    async def get(transport: SiteTransport, etag: str | None = None) -> httpx.Response:
        headers = {"If-None-Match": etag} if etag else {}
        request = httpx.Request("GET", "https://developer.apple.com/forums/thread/828388",
                                headers=headers)
        return await transport.handle_async_request(request)

    async def go() -> tuple[int, int, bool]:
        site = Site.bundled()
        monday = SiteTransport(site, today=NOW + timedelta(days=100))
        tuesday = SiteTransport(site, today=NOW + timedelta(days=101))
        first = await get(monday)
        again = await get(monday, first.headers["ETag"])
        next_day = await get(tuesday, first.headers["ETag"])
        return again.status_code, next_day.status_code, next_day.content != first.content

    assert asyncio.run(go()) == (304, 200, True)
