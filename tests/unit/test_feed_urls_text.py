"""The RSS feed, the URL scheme, counts and relative times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nereader.core.errors import ParseError, UsageError
from nereader.core.models import ListingKind
from nereader.core.parse import PageKind, detect_kind, parse_feed
from nereader.core.text import clean, parse_activity, parse_count, site_count
from nereader.core.urls import (
    ListingRef,
    ThreadRef,
    canonical,
    feed_url,
    listing_url,
    normalise_base,
    parse_listing_ref,
    parse_thread_ref,
    thread_url,
    web_url,
)
from tests.conftest import FETCHED_AT, fixture_bytes, fixture_text

NOW = FETCHED_AT


def test_feed() -> None:
    feed = parse_feed(fixture_bytes("rss-networkextension.xml"))
    assert feed.title == "Network Extension | Apple Developer Forums"
    assert len(feed.items) == 20
    first = feed.items[0]
    assert (first.id, first.title, first.author) == (707294, "Network Extension Resources",
                                                     "DTS Engineer")
    assert first.published_at == datetime(2026, 6, 6, 15, 0, tzinfo=UTC)
    assert first.categories == ("Network Extension",)
    assert first.summary_markdown.startswith("General: Forums subtopic")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "<rss><channel>",
        "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'b'>]><rss><channel/></rss>",
        "<feed xmlns='http://www.w3.org/2005/Atom'></feed>",
    ],
)
def test_bad_feeds(bad: str) -> None:
    with pytest.raises(ParseError):
        parse_feed(bad)


@pytest.mark.parametrize(
    ("name", "url", "kind"),
    [
        ("tag-networkextension-p1.html", None, PageKind.LISTING),
        ("tag-empty.html", None, PageKind.LISTING),
        ("thread-828388.html", None, PageKind.THREAD),
        ("rss-networkextension.xml", None, PageKind.FEED),
        ("thread-707294.html", "https://developer.apple.com/forums/thread/707294", PageKind.THREAD),
    ],
)
def test_detect_kind(name: str, url: str | None, kind: PageKind) -> None:
    assert detect_kind(fixture_text(name), url) is kind


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("821372", ThreadRef(821372)),
        ("https://developer.apple.com/forums/thread/821372", ThreadRef(821372)),
        ("https://developer.apple.com/forums/thread/828388?answerId=828389022#828389022",
         ThreadRef(828388, 1, 828389022)),
        ("https://developer.apple.com/forums/thread/821372?page=2", ThreadRef(821372, 2)),
        ("https://forums.developer.apple.com/thread/12345", ThreadRef(12345)),
        ("https://forums.developer.apple.com/forums/thread/12345", ThreadRef(12345)),
        ("forums.developer.apple.com/thread/12345", ThreadRef(12345)),
        ("developer.apple.com/forums/thread/77/", ThreadRef(77)),
    ],
)
def test_thread_refs(text: str, ref: ThreadRef) -> None:
    assert parse_thread_ref(text) == ref


@pytest.mark.parametrize(
    "bad", ["", "abc", "https://developer.apple.com/forums/tags/x", "ftp://x/thread/1", "-5"]
)
def test_bad_thread_refs(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_thread_ref(bad)


def test_listing_refs_and_urls() -> None:
    tag = ListingRef(ListingKind.TAG, "networkextension")
    assert parse_listing_ref("networkextension") == (tag, 1, None, None)
    assert parse_listing_ref(
        "https://developer.apple.com/forums/tags/networkextension?page=3&sortBy=views&sortOrder=asc"
    ) == (tag, 3, "views", "ASC")
    sub, *_ = parse_listing_ref("/forums/topics/app-and-system-services/app-and-system-services-networking")
    assert sub.kind is ListingKind.SUBTOPIC
    assert listing_url(sub) == (
        "https://developer.apple.com/forums/topics/app-and-system-services/"
        "app-and-system-services-networking"
    )
    assert listing_url(tag) == "https://developer.apple.com/forums/tags/networkextension"
    assert listing_url(tag, 2, "replies", "asc") == (
        "https://developer.apple.com/forums/tags/networkextension?page=2&sortBy=replies&sortOrder=ASC"
    )
    assert listing_url(tag, 1, "activity") .endswith("?sortBy=lastUpdated&sortOrder=DESC")
    assert thread_url(5, 2, "http://127.0.0.1:8000") == "http://127.0.0.1:8000/forums/thread/5?page=2"
    assert feed_url(tag) == "https://developer.apple.com/forums/tags/rssFeed/networkextension"
    with pytest.raises(UsageError):
        listing_url(tag, 1, "hottest")
    with pytest.raises(UsageError):
        parse_listing_ref("https://developer.apple.com/account")


def test_canonical_and_base() -> None:
    assert canonical("https://Developer.apple.com/forums/tags/x?sortOrder=desc&page=1#top") == (
        "https://developer.apple.com/forums/tags/x?sortOrder=DESC"
    )
    assert normalise_base("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    for bad in ("file:///etc", "ftp://x", "developer.apple.com", "http://"):
        with pytest.raises(UsageError):
            normalise_base(bad)


@pytest.mark.parametrize(
    ("text", "value"),
    [("37", 37), ("3.3k", 3300), ("12k", 12000), ("1.2m", 1_200_000), ("8.4K", 8400),
     ("1,234", 1234), ("0", 0), ("", None), ("n/a", None), ("1.2.3k", None)],
)
def test_counts(text: str, value: int | None) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (37, "37"), (999, "999"), (1000, "1k"), (3300, "3.3k"), (3999, "3.9k"),
     (4000, "4k"), (8450, "8.4k"), (12_345, "12k"), (999_999, "999k"), (1_000_000, "1m"),
     (1_234_567, "1.2m"), (12_000_000, "12m")],
)
def test_counts_written_as_the_site_writes_them(value: int, text: str) -> None:
    """A bookmark's row reads like a listing's, and its text reads back near the value."""
    assert site_count(value) == text
    back = parse_count(text)
    assert back is not None and back <= value < back * 1.1 + 1


@pytest.mark.parametrize(
    ("text", "value"),
    [("4m", NOW - timedelta(minutes=4)), ("1h", NOW - timedelta(hours=1)),
     ("1d", NOW - timedelta(days=1)), ("3w", NOW - timedelta(weeks=3)),
     ("Mar ’26", datetime(2026, 3, 1, tzinfo=UTC)), ("Mar &#8217;26", datetime(2026, 3, 1, tzinfo=UTC)),
     ("Dec '24", datetime(2024, 12, 1, tzinfo=UTC)), ("just now", NOW), ("soon", None), ("", None),
     ("Feb ’99", datetime(2099, 2, 1, tzinfo=UTC)), ("Foo ’26", None)],
)
def test_activity(text: str, value: datetime | None) -> None:
    assert parse_activity(text, NOW) == value


def test_clean_removes_escapes_and_controls() -> None:
    dirty = "a\x1b[1;31mb\x1b[0m\x1b]8;;http://x\x07c\x1b]8;;\x07\x00d\x9b2Je\u202ef\tg\nh"
    assert clean(dirty) == "abcdef\tg\nh"


def test_post_url() -> None:
    from nereader.core.urls import base_of, post_url

    assert post_url(828388) == "https://developer.apple.com/forums/thread/828388"
    assert post_url(828388, 828388) == "https://developer.apple.com/forums/thread/828388"
    assert post_url(828388, 9, "http://127.0.0.1:8") == (
        "http://127.0.0.1:8/forums/thread/828388?answerId=9#9")
    assert base_of("http://127.0.0.1:8/forums/thread/1") == "http://127.0.0.1:8"
    assert base_of("not a url") == "https://developer.apple.com"


@pytest.mark.parametrize("url", [
    "JAVASCRIPT:alert(1)", "java\tscript:alert(1)", "java&#9;script:x", "file:///etc/passwd",
    "smb://host/share", "ssh://-oProxyCommand=x/", "x-man-page://ls", "data:text/html,<b>",
    "mailto:a@b.c", "//no-scheme.example/x", "http://user:secret@evil.example/", "https://",
    "http://[::1", "", None,
])
def test_only_web_links_pass(url: str | None) -> None:
    assert web_url(url) is None


def test_web_links_are_normalised() -> None:
    assert web_url("HTTPS://developer.apple.com/forums") == "https://developer.apple.com/forums"
    assert web_url(" https://a.example/x\u200b") == "https://a.example/x"


@pytest.mark.parametrize("bad", ["\x1b", "&#x1b;", "&#27;", "&#X1B;", "&#0;", "\x0c",
                                 "&#xFFFE;", "&#xD800;"])
def test_a_character_xml_forbids_costs_nothing_but_itself(bad: str) -> None:
    """One ESC in one item (raw or as a reference) made the whole feed "not well-formed",
    and with it the fallback of a listing that does not read."""
    text = fixture_text("rss-packet-tunnel-provider.xml").replace(
        "<title>NEPacketTunnelProvider stops", f"<title>NEPacketTunnel{bad}Provider stops", 1)
    feed = parse_feed(text)
    assert len(feed.items) == 12
    assert feed.items[0].title.startswith("NEPacketTunnelProvider stops")


def test_references_xml_allows_and_escaped_ones_stay_as_they_are() -> None:
    text = fixture_text("rss-packet-tunnel-provider.xml").replace(
        "<title>NEPacketTunnelProvider stops", "<title>&#233;&#x9;&amp;#x1b; stops", 1)
    assert parse_feed(text).items[0].title.startswith("é &#x1b; stops")


def test_sizes_read_as_people_say_them() -> None:
    from nereader.core.text import cap_size, human_size
    assert [human_size(n) for n in (1, 512, 4608, 9437184)] == [
        "1 byte", "512 bytes", "4.5 KiB", "9.0 MiB"]
    assert [cap_size(n) for n in (8388608, 65536, 1000)] == ["8 MiB", "64 KiB", "1000 bytes"]


def test_a_stray_nul_in_a_feed_is_dropped_as_xml_illegal() -> None:
    """A NUL is one more character XML forbids: dropped like the others, the feed reads."""
    whole = fixture_bytes("rss-networkextension.xml")
    at = whole.index(b"<item>") + len(b"<item>")
    stray = whole[:at] + b"\x00" + whole[at:]
    assert parse_feed(stray).items == parse_feed(whole).items
    assert parse_feed(stray.decode("utf-8")).items == parse_feed(whole).items


def test_binary_data_as_a_feed_says_not_a_feed() -> None:
    with pytest.raises(ParseError, match="feed is binary, not a feed"):
        parse_feed(b"<rss>" + b"\x00\x01\x02\x03" * 1000)


def test_a_feed_read_as_any_page_keeps_its_feed_errors() -> None:
    from nereader.core.parse import parse_page
    whole = fixture_bytes("rss-networkextension.xml")
    at = whole.index(b"<item>") + len(b"<item>")
    assert parse_page(whole[:at] + b"\x00" + whole[at:]) == parse_page(whole)
    with pytest.raises(ParseError, match="not a feed"):
        parse_page(b"<?xml version='1.0'?>" + b"\x00\x01" * 1000)
