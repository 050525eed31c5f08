"""Listing pages: table-driven over the fixtures, plus drift and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nereader.core.errors import (
    ChallengeError,
    ErrorPageError,
    LayoutChangedError,
    ParseError,
)
from nereader.core.models import ListingKind, Tag
from nereader.core.parse import parse_listing
from tests.conftest import FETCHED_AT, fixture_text

URL = "https://developer.apple.com/forums/tags/networkextension"


def test_page1_matches_expected_exactly(expected: dict) -> None:  # type: ignore[type-arg]
    page = parse_listing(fixture_text("tag-networkextension-p1.html"), URL, FETCHED_AT)
    got = [
        {
            "id": r.id,
            "title": r.title,
            "replies": r.replies,
            "boosts": r.boosts,
            "views": r.views_text,
            "activity": r.activity_text,
            "answered": r.answered,
        }
        for r in page.rows
    ]
    assert got == expected["rows_page1"]
    tag = expected["tag"]
    assert (page.slug, page.name, page.description) == (tag["slug"], tag["name"], tag["description"])
    assert (page.total_posts, page.total_pages, page.page) == (tag["posts"], tag["pages"], 1)
    assert page.kind is ListingKind.TAG
    assert page.feed_url == "https://developer.apple.com/forums/tags/rssFeed/networkextension"


def test_page1_row_details() -> None:
    page = parse_listing(fixture_text("tag-networkextension-p1.html"), URL, FETCHED_AT)
    first = page.rows[0]
    assert first.apple_recommended and not first.answered
    assert first.views == 3300 and first.views_text == "3.3k"
    assert first.activity_at == datetime(2026, 3, 1, tzinfo=UTC)
    assert first.topic == Tag("App & System Services", "app-and-system-services")
    assert first.subtopic == Tag("Networking", "app-and-system-services-networking")
    assert first.tags == (
        Tag("Network Extension", "networkextension"),
        Tag("iOS", "ios"),
        Tag("System Extensions", "system-extensions"),
    )
    assert first.url == "https://developer.apple.com/forums/thread/707294"
    assert first.excerpt.startswith("General: Forums subtopic: App & System Services > Networking")
    second = page.rows[1]
    assert second.activity_at == FETCHED_AT - timedelta(minutes=4)
    by_id = {r.id: r for r in page.rows}
    assert by_id[788921].views == 8400
    assert by_id[821372].views == 4000
    assert by_id[829051].activity_at == FETCHED_AT - timedelta(hours=1)


@pytest.mark.parametrize(
    ("name", "url", "page", "total", "rows", "first_id"),
    [
        ("tag-networkextension-p2.html", URL + "?page=2", 2, 11, 20, 826900),
        ("tag-networkextension-p11.html", URL + "?page=11", 11, 11, 1, 700001),
    ],
)
def test_other_pages(name: str, url: str, page: int, total: int, rows: int, first_id: int) -> None:
    listing = parse_listing(fixture_text(name), url, FETCHED_AT)
    assert (listing.page, listing.total_pages, len(listing.rows)) == (page, total, rows)
    assert listing.rows[0].id == first_id
    assert len({r.id for r in listing.rows}) == len(listing.rows)


def test_empty_tag_is_a_real_empty_listing() -> None:
    listing = parse_listing(fixture_text("tag-empty.html"), None, FETCHED_AT)
    assert listing.rows == ()
    assert (listing.slug, listing.name, listing.total_posts) == ("wi-fi-aware", "Wi-Fi Aware", 0)


def test_mobile_copy_alone_parses_with_labelled_numbers() -> None:
    html = fixture_text("tag-networkextension-p1.html")
    start = html.index('<div class="content-list-wrapper desktop-view">')
    end = html.index('<div class="content-list-wrapper mobile-view">')
    listing = parse_listing(html[:start] + html[end:], URL, FETCHED_AT)
    assert [r.views_text for r in listing.rows[:3]] == ["3.3k", "37", "24"]
    assert listing.rows[1].replies == 2 and listing.rows[1].activity_text == "4m"


PLAIN = """<html><body><main><h1>Plain</h1><span class="post-count">2 Posts</span>
<ul>
<li class="article-entry" value="11"><a href="/forums/thread/11">First</a><p>x</p>
  <span class="replies">3</span><span class="votes">1</span><span class="views">1.2k</span>
  <time>4m</time></li>
<li class="article-entry"><a data-action="post-title" href="/forums/thread/12?page=2">
  <span class="underline">Second</span></a>SECOND-STATS</li>
</ul></main></body></html>"""


def test_single_plain_list() -> None:
    stats = ('<div class="stats"><span class="stat">2 replies</span><span class="stat">'
             '0 boosts</span><span class="stat">37 views</span><span class="timestamp">'
             "1h</span></div>")
    html = PLAIN.replace("SECOND-STATS", stats)
    listing = parse_listing(html, "https://developer.apple.com/forums/tags/plain", FETCHED_AT)
    assert [(r.id, r.title) for r in listing.rows] == [(11, "First"), (12, "Second")]
    assert listing.rows[0].views == 1200 and listing.rows[0].replies == 3
    assert listing.rows[0].activity_text == "4m"
    assert (listing.rows[1].replies, listing.rows[1].boosts, listing.rows[1].views) == (2, 0, 37)


def test_a_row_without_stats_is_a_layout_change_not_zeros() -> None:
    with pytest.raises(LayoutChangedError, match=r"row 12 \('Second'\) has no readable replies"):
        parse_listing(PLAIN.replace("SECOND-STATS", ""),
                      "https://developer.apple.com/forums/tags/plain", FETCHED_AT)


def test_entity_apostrophe_in_activity() -> None:
    html = fixture_text("tag-networkextension-p1.html").replace("Mar ’26", "Mar &#8217;26")
    listing = parse_listing(html, URL, FETCHED_AT)
    assert listing.rows[0].activity_text == "Mar ’26"
    assert listing.rows[0].activity_at == datetime(2026, 3, 1, tzinfo=UTC)


def test_ids_come_from_hrefs_not_names() -> None:
    html = fixture_text("tag-networkextension-p1.html").replace(
        'value="829114"', 'value="not-a-number"'
    )
    listing = parse_listing(html, URL, FETCHED_AT)
    assert listing.rows[1].id == 829114


def test_layout_changed_rows_renamed() -> None:
    html = fixture_text("tag-networkextension-p1.html").replace("article-entry", "post-row")
    html = html.replace("<article", "<div").replace("</article>", "</div>")
    with pytest.raises(LayoutChangedError, match="thread link"):
        parse_listing(html, URL, FETCHED_AT)


def test_layout_changed_titles_missing() -> None:
    html = fixture_text("tag-networkextension-p1.html").replace("/forums/thread/", "/forums/t/")
    html = html.replace(' value="', ' data-x="')
    with pytest.raises(LayoutChangedError, match="20 row element"):
        parse_listing(html, URL, FETCHED_AT)


def test_count_says_posts_but_no_rows() -> None:
    html = fixture_text("tag-empty.html").replace("0 Posts", "57 Posts")
    with pytest.raises(LayoutChangedError, match="57 posts"):
        parse_listing(html, None, FETCHED_AT)


def test_missing_optional_fields_do_not_crash() -> None:
    html = fixture_text("tag-networkextension-p1.html")
    for cls in ("excerpt", "article-stats", "article-tags", "pagination", "post-count"):
        html = html.replace(f'class="{cls}', f'class="gone-{cls}')
    listing = parse_listing(html, URL, FETCHED_AT)
    assert len(listing.rows) == 20
    # stats are still found by their own classes when the wrapper is renamed
    assert listing.rows[0].views_text == "3.3k"
    # tags are still read from the row itself when their wrapper is renamed
    assert listing.rows[0].tags[0].slug == "networkextension"
    # the count is found in the text, and the page count derived from it (20 a page)
    assert listing.total_posts == 201 and listing.total_pages == 11


@pytest.mark.parametrize(
    ("name", "error"),
    [("challenge.html", ChallengeError), ("not-found.html", ErrorPageError)],
)
def test_non_content_pages(name: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_listing(fixture_text(name), URL, FETCHED_AT)


def test_truncated_listing_is_an_error() -> None:
    html = fixture_text("tag-networkextension-p1.html")
    with pytest.raises(ParseError, match="truncated"):
        parse_listing(html[: len(html) // 2], URL, FETCHED_AT)
