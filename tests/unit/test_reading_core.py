"""The core side of reading: which posts are new since the last reading (one rule), which
links are forum threads, a post's images (parsed, sniffed, cached as raw bytes), and the
trail of threads followed by their links."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from nereader.core.bookmarks import ReadState
from nereader.core.cache import CachedPage, PageCache, pack, unpack
from nereader.core.errors import ParseError
from nereader.core.images import checked_image, image_format
from nereader.core.marks import unseen_posts
from nereader.core.models import (
    Author,
    LastRead,
    Post,
    PostImage,
    PostKind,
    SinceLastRead,
    Structure,
    Thread,
)
from nereader.core.parse import parse_thread
from nereader.core.parse.markdown import images_of
from nereader.core.urls import ThreadRef, reply_form_url, same_host, thread_link
from nereader.ui.trail import Place, Trail
from tests.conftest import fixture_bytes

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def thread(*hours: int | None, structure: Structure = Structure.POSTS) -> Thread:
    """A thread whose posts were written ``hours`` after T0 (None: no date), ids 1, 2, ..."""
    posts = tuple(Post(n, PostKind.QUESTION if n == 1 else PostKind.ANSWER, Author("a"), "",
                       "x", created_at=None if h is None else T0 + timedelta(hours=h))
                  for n, h in enumerate(hours, 1))
    return Thread(1, "t", "https://developer.apple.com/forums/thread/1", posts,
                  structure=structure)


@pytest.mark.parametrize(("last", "posts", "since"), [
    (None, (), None),  # never read: nothing is "new", or everything would be
    (LastRead(at=T0 + timedelta(hours=9)), (), T0 + timedelta(hours=9)),
    (LastRead(at=T0 + timedelta(hours=2)), (3, 4), T0 + timedelta(hours=2)),  # an old entry
    # the newest post seen decides, not the wall clock of the reading (a stale copy read)
    (LastRead(at=T0 + timedelta(hours=9), through=T0 + timedelta(hours=1)), (3, 4),
     T0 + timedelta(hours=9)),
    # a bookmark knows the very posts it saw: exact, even for a post without a date
    (LastRead(at=T0, through=T0 + timedelta(hours=9), seen=frozenset({1, 3})), (2, 4, 5), T0),
], ids=["never", "nothing-new", "after-the-reading", "after-the-newest-seen", "bookmark"])
def test_which_posts_are_new(last: LastRead | None, posts: tuple[int, ...],
                             since: datetime | None) -> None:
    assert unseen_posts(thread(0, 1, 3, 5, None), last) == SinceLastRead(posts, since)


def test_a_page_read_as_text_has_no_new_posts() -> None:
    text_only = thread(0, structure=Structure.TEXT_ONLY)
    assert unseen_posts(text_only, LastRead(at=T0 - timedelta(days=1))) == SinceLastRead()


def test_read_state_keeps_the_newest_post_seen(tmp_path: Path) -> None:
    state = ReadState(tmp_path)
    assert state.last_read(7) == (None, None)
    state.mark_read([(7, 3)], through=T0)
    at, through = state.last_read(7)
    assert at is not None and at.tzinfo is not None and through == T0
    state.mark_read([(7, None)])  # marked read from the list: no posts seen to name
    assert state.last_read(7)[1] is None and state.entry(7) == {"at": state.entry(7)["at"],  # type: ignore[index]
                                                                "replies": 3}
    state.file.path.write_text('{"read": {"7": {"at": "2026-06-01T12:00:00", '
                               '"replies": 1, "through": 5}}}')
    fresh = ReadState(tmp_path)  # a time without a zone, a number: not nereader's; unknown
    assert fresh.last_read(7) == (None, None)


@pytest.mark.parametrize(("url", "ref"), [
    ("https://developer.apple.com/forums/thread/821372", ThreadRef(821372)),
    ("https://developer.apple.com/forums/thread/821372?answerId=821395022#821395022",
     ThreadRef(821372, 1, 821395022)),
    ("https://developer.apple.com/forums/thread/821372?page=2", ThreadRef(821372, 2)),
    ("https://forums.developer.apple.com/thread/707294", ThreadRef(707294)),
    ("https://developer.apple.com/forums/thread/707294/network-extension-resources",
     ThreadRef(707294)),
    ("http://127.0.0.1:8080/forums/thread/5", ThreadRef(5)),  # the forum's own host
    ("https://example.com/forums/thread/5", None),  # another forum's thread: the browser
    ("https://developer.apple.com/documentation/networkextension", None),
    ("https://developer.apple.com/forums/tags/networkextension", None),
    ("javascript:alert(1)//forums/thread/5", None),
    (None, None),
])
def test_which_links_are_forum_threads(url: str | None, ref: ThreadRef | None) -> None:
    assert thread_link(url, "http://127.0.0.1:8080") == ref


def test_the_forum_host_and_the_reply_form() -> None:
    base = "https://developer.apple.com"
    assert same_host("https://developer.apple.com/forums/content/a.png", base)
    assert not same_host("https://images.example.com/a.png", base)
    assert not same_host("file:///etc/passwd", base)
    assert reply_form_url(821372, 2, base) == f"{base}/forums/thread/821372?page=2"
    assert reply_form_url(707294, 1, base) == f"{base}/forums/thread/707294"


def images(html: str) -> tuple[PostImage, ...]:
    node = LexborHTMLParser(f"<div id='b'>{html}</div>").css_first("#b")
    return images_of(node, "https://developer.apple.com")


def test_a_post_keeps_its_images() -> None:
    found = images('<p><img src="/forums/content/a.png" alt=" a\n diagram " width="640" '
                   'height="480px"></p><img src="/forums/content/a.png" alt="again">'
                   '<img src="https://cdn.example.com/b.jpg" width="50%">'
                   '<img src="javascript:alert(1)" alt="x"><img alt="no source">'
                   '<img src="/c.gif" width="999999999" height="0">')
    assert found == (
        PostImage("https://developer.apple.com/forums/content/a.png", "a diagram", 640, 480),
        PostImage("https://cdn.example.com/b.jpg"),  # another host: listed, never fetched
        PostImage("https://developer.apple.com/c.gif"),  # no size a page could mean
    )
    assert len(images("".join(f'<img src="/i{n}.png">' for n in range(100)))) == 64


def test_the_parser_stores_images_with_the_post() -> None:
    page = fixture_bytes("thread-828388.html").replace(
        b"<p>Thanks for the detailed report.",
        b'<p><img src="/forums/content/attachment/log.png" alt="the log"></p>'
        b"<p>Thanks for the detailed report.", 1)
    parsed = parse_thread(page, "https://developer.apple.com/forums/thread/828388")
    with_image = [p for p in parsed.posts if p.images]
    assert [p.images for p in with_image] == [(PostImage(
        "https://developer.apple.com/forums/content/attachment/log.png", "the log"),)]


@pytest.mark.parametrize(("data", "kind"), [
    (PNG, "png"), (b"\xff\xd8\xff\xe0rest", "jpeg"), (b"GIF89a...", "gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"), (b"BM\x00\x00", "bmp"),
    (b"<!DOCTYPE html><title>Security verification</title>", None), (b"", None),
])
def test_what_a_body_is(data: bytes, kind: str | None) -> None:
    assert image_format(data) == kind


def test_an_error_page_is_never_taken_for_an_image() -> None:
    assert checked_image(PNG, "u", T0) is PNG
    with pytest.raises(ParseError, match="is not an image"):
        checked_image(b"<html>Not Found</html>", "https://developer.apple.com/a.png", T0)


def test_an_image_is_cached_as_its_bytes(tmp_path: Path) -> None:
    url = "https://developer.apple.com/forums/content/a.png"
    stored = pack(CachedPage(url, 200, PNG, None, None, T0, "image", PNG))
    assert b'"model_bytes": 0' in stored  # the body alone: no model beside it
    page = unpack(stored)
    assert page is not None and page.model == PNG and page.parsed_here
    cache = PageCache(tmp_path)
    cache.put(CachedPage(url, 200, PNG, '"e"', None, T0, "image", PNG))
    again = cache.get(url)
    assert again is not None and again.model == PNG and again.kind == "image"


def test_the_trail_goes_back_and_forward() -> None:
    trail = Trail()
    assert trail.depth == "" and trail.go_back(Place(1)) is None
    trail.follow(Place(1, 11))
    trail.follow(Place(2, 22))
    assert trail.depth == "← 2"
    assert trail.go_back(Place(3, 33)) == Place(2, 22)
    assert trail.depth == "← 1 → 1"
    assert trail.go_forward(Place(2, 23)) == Place(3, 33)
    assert trail.go_back(Place(3, 34)) == Place(2, 23)  # where the reader had moved to
    trail.follow(Place(2, 24))  # a new link: the way ahead is forgotten
    assert trail.depth == "← 2" and trail.go_forward(None) is None
    trail.follow(None)  # from no thread: nothing to come back to
    assert trail.depth == "← 2"
    trail.clear()
    assert trail.depth == "" and replace(Place(1), line=3).line == 3
