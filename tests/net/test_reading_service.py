"""Reading through the service against the local forum: posts new since the last reading of
any thread, and a post's images through the polite cache (same host, size cap, offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nereader.core.errors import OfflineError, ParseError, ResponseTooLarge, UsageError
from nereader.core.models import SinceLastRead
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.localforum.routes import Route
from nereader.localforum.server import ForumServer
from nereader.localforum.site import Site
from tests.net.test_bookmarks_service import add_reply

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
IMAGE = "/forums/content/attachment/panic.png"


async def test_any_thread_read_before_says_which_posts_are_new(service: ForumService,
                                                               site: Site) -> None:
    first, news = await service.open_thread(828388)
    assert news == SinceLastRead()  # never read: nothing claimed new
    last = await service.last_read(828388)
    newest = max(p.created_at for p in first.value.posts if p.created_at)
    assert last is not None and last.through == newest and last.seen is None
    add_reply(site)
    result, news = await service.open_thread(828388, refresh=True)
    assert news.posts == (828396022,) and news.since == last.at
    assert len(result.value.posts) == len(first.value.posts) + 1
    _, news = await service.open_thread(828388)
    assert news.posts == ()  # read now


async def test_an_image_comes_through_the_cache(service: ForumService, site: Site,
                                                server: ForumServer, settings: Settings,
                                                tmp_path: Path) -> None:
    site.add(IMAGE, Route(PNG, content_type="image/png"))
    url = server.base_url + IMAGE
    got = await service.image(url)
    assert got.value == PNG and got.source == "network"
    requests = site.counters.requests
    again = await service.image(url)
    assert again.value == PNG and again.source == "cache"
    assert site.counters.requests == requests  # a month fresh: the site is not asked again
    await service.aclose()
    offline = ForumService(settings.with_(offline=True))
    try:
        cached = await offline.image(url)
        assert cached.value == PNG  # offline, the image read online shows
        with pytest.raises(OfflineError, match="shows offline once it has been seen online"):
            await offline.image(server.base_url + "/forums/content/attachment/never.png")
    finally:
        await offline.aclose()


async def test_images_only_from_the_forum_and_only_images(service: ForumService, site: Site,
                                                           server: ForumServer,
                                                           settings: Settings) -> None:
    requests = site.counters.requests
    with pytest.raises(UsageError, match="not on the forum's host"):
        await service.image("https://images.example.com/panic.png")
    assert site.counters.requests == requests  # no other server is ever asked
    site.add("/forums/content/attachment/page.png", Route(b"<html><h1>Sign in</h1></html>"))
    with pytest.raises(ParseError, match="is not an image"):
        await service.image(server.base_url + "/forums/content/attachment/page.png")
    site.add(IMAGE, Route(PNG * 8, content_type="image/png"))
    small = ForumService(settings.with_(max_bytes=len(PNG)))
    try:
        with pytest.raises(ResponseTooLarge):
            await small.image(server.base_url + IMAGE)
    finally:
        await small.aclose()
