"""Through the loader: a bot check, a list filled in by JavaScript, or the wrong reply page never
replaces a good cached copy; a header charset that is no text encoding never crashes."""

from __future__ import annotations

import re

from nereader.core.models import ListingKind, Notice
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum.routes import Route
from nereader.localforum.server import ForumServer
from nereader.localforum.site import Faults, Site
from tests.conftest import fixture_bytes
from tests.unit.test_parse_hostile import CLOUDFLARE

TAG = ListingRef(ListingKind.TAG, "networkextension")
LISTING = "/forums/tags/networkextension"


async def test_a_bot_check_never_replaces_the_cached_listing(service: ForumService,
                                                             site: Site) -> None:
    good = await service.listing(TAG)
    assert len(good.value.rows) == 20
    site.add(LISTING, Route(CLOUDFLARE.encode(), 200))
    again = await service.listing(TAG, refresh=True)
    assert again.stale and "bot check" in (again.warning or "")
    assert len(again.value.rows) == 20
    cached = await service.cached_listing(TAG)
    assert cached is not None and len(cached.value.rows) == 20


async def test_a_list_filled_in_by_javascript_never_replaces_the_cached_listing(
        service: ForumService, site: Site) -> None:
    await service.listing(TAG)
    shell = re.sub(rb"<article\b.*?</article>", b"", fixture_bytes(
        "tag-networkextension-p1.html"), flags=re.DOTALL)
    shell = re.sub(rb'<span class="post-count">[^<]*</span>', b"", shell)
    site.add(LISTING, Route(shell, 200))
    again = await service.listing(TAG, refresh=True)
    assert again.stale and "layout changed" in (again.warning or "")
    assert len(again.value.rows) == 20


async def test_page_one_served_for_page_two_keeps_the_cached_page_two(
        service: ForumService, site: Site, server: ForumServer) -> None:
    whole = await service.thread(821372)
    assert len(whole.value.posts) == 37
    site.add("/forums/thread/821372?page=2", Route(fixture_bytes("thread-821372-p1.html")))
    again = await service.thread(821372, refresh=True)
    assert len(again.value.posts) == 37
    assert again.stale and "served page 1 of thread 821372 when page 2" in (again.warning or "")
    site.add("/forums/thread/821372?page=2", Route(fixture_bytes("thread-821372-p2.html")))
    # The site's 302 from ?page=2 to the thread's first page (the fault applies to the next
    # request of that path, which only page 2 makes here).
    site.faults = Faults(redirect_to=f"{server.base_url}/forums/thread/821372", times=1,
                         only_path="/forums/thread/821372")
    redirected = await service._pages.thread_page(821372, 2, refresh=True)
    assert site.counters.paths[-2:] == ["/forums/thread/821372?page=2", "/forums/thread/821372"]
    assert redirected.stale and "served page 1" in (redirected.warning or "")
    assert redirected.value.page == 2 and len(redirected.value.posts) == 17


async def test_a_header_charset_that_is_no_text_encoding_reads_as_utf8(
        service: ForumService, site: Site) -> None:
    site.add(LISTING, Route(fixture_bytes("tag-networkextension-p1.html"), 200,
                            "text/html; charset=idna"))
    page = await service.listing(TAG)
    assert len(page.value.rows) == 20 and not page.stale


async def test_a_later_page_that_only_repeats_rows_is_said(settings: Settings,
                                                          site: Site) -> None:
    """A page with no pagination to catch it by (here: page 1's rows with page 2's nav)."""
    p1, p2 = fixture_bytes("tag-networkextension-p1.html"), fixture_bytes(
        "tag-networkextension-p2.html")
    nav = re.compile(rb'<nav class="pagination".*?</nav>', re.DOTALL)
    nav2 = nav.search(p2)
    assert nav2 is not None
    site.add(f"{LISTING}?page=2", Route(nav.sub(lambda _: nav2.group(0), p1)))
    notices: list[object] = []
    svc = ForumService(settings, events=notices.append)
    try:
        pages = await svc.listing_pages(TAG, 2)
    finally:
        await svc.aclose()
    assert [p.value.page for p in pages] == [1, 2]
    said = [n for n in notices if isinstance(n, Notice)]
    assert any("page 2 of networkextension repeats rows" in n.message for n in said)
