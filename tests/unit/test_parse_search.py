"""The site's search results: table-driven over the fixtures, reply hits, empties and drift."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nereader.core.errors import ChallengeError, LayoutChangedError, ParseError
from nereader.core.models import HitKind, SearchResults
from nereader.core.parse import PageKind, detect_kind, parse_page, parse_search
from tests.conftest import FETCHED_AT, fixture_bytes, fixture_text

BASE = "https://developer.apple.com/forums/search?q=NEFilterDataProvider&sortBy=relevance"
T, R = HitKind.THREAD, HitKind.REPLY

# (kind, thread_id, reply_id, replies, boosts, views_text, activity, answered, title start)
PAGE1 = [
    (T, 828388, None, 8, 0, "416", "1d", False, "NEFilterDataProvider activation on consumer"),
    (T, 829051, None, 0, 2, "24", "1h", False, "NEURLFilter / SimpleURLFilter"),
    (R, 828388, 828388022, 8, 0, "416", "1d", True, "NEFilterDataProvider activation on consumer"),
    (T, 827402, None, 1, 1, "93", "6d", True, "VPN: Internet inaccessible"),
    (R, 829051, 829051012, 0, 2, "24", "1h", False, "NEURLFilter / SimpleURLFilter"),
    (T, 827640, None, 3, 0, "113", "6d", False, "Custom ethernet interface"),
    (R, 821372, 821372044, 36, 2, "4k", "4d", False, "Kernel panics on M5 devices"),
]
PAGE2 = [
    (T, 827377, None, 2, 3, "96", "6d", False, "Per app network extension filter"),
    (R, 827377, 827377008, 2, 3, "96", "6d", False, "Per app network extension filter"),
]


@pytest.mark.parametrize(
    ("name", "url", "rows", "page", "pages", "total"),
    [
        ("search-nefilterdataprovider-p1.html", BASE, PAGE1, 1, 2, 9),
        ("search-nefilterdataprovider-p2.html", BASE + "&page=2", PAGE2, 2, 2, 9),
        ("search-empty.html", "https://developer.apple.com/forums/search?q=zzqxj&sortBy=relevance",
         [], 1, 1, 0),
    ],
)
def test_fixture_pages(name: str, url: str, rows: list[tuple[object, ...]], page: int,
                       pages: int, total: int) -> None:
    for given_url in (url, None):  # the canonical link says what the page is without a URL
        found = parse_search(fixture_bytes(name), given_url, FETCHED_AT)
        assert (found.page, found.total_pages, found.total_results) == (page, pages, total)
        got = [(h.kind, h.thread_id, h.reply_id, h.replies, h.boosts, h.views_text,
                h.activity_text, h.answered, h.title[:len(str(w[-1]))])
               for h, w in zip(found.hits, rows, strict=True)]
        assert got == [tuple(w) for w in rows]
    assert detect_kind(fixture_bytes(name)) is PageKind.SEARCH
    assert isinstance(parse_page(fixture_bytes(name), url, FETCHED_AT), SearchResults)


def test_reply_hit_details() -> None:
    found = parse_search(fixture_text("search-nefilterdataprovider-p1.html"), BASE, FETCHED_AT)
    assert found.query == "NEFilterDataProvider"
    reply = found.hits[2]
    assert reply.kind is HitKind.REPLY and reply.post_id == 828388022
    assert not reply.title.lower().startswith("reply")
    assert reply.title == found.hits[0].title  # the thread's title, without "Reply to"
    assert reply.url == ("https://developer.apple.com/forums/thread/828388"
                         "?answerId=828388022#828388022")
    assert reply.excerpt.startswith("Content filters on iOS are only supported")
    assert reply.tags == ("networkextension", "system-extensions", "network")
    assert found.hits[0].post_id == 828388 and found.hits[0].reply_id is None
    assert found.hits[-1].views == 4000


def test_the_query_in_the_heading_is_not_a_bot_check_or_an_error_page() -> None:
    html = fixture_text("search-empty.html").replace("zzqxj", "captcha not found")
    found = parse_search(html, None, FETCHED_AT)
    assert found.hits == () and found.total_results == 0 and found.query == "captcha not found"


def test_a_challenge_served_for_a_search_is_reported() -> None:
    with pytest.raises(ChallengeError):
        parse_search(fixture_bytes("challenge.html"), BASE, FETCHED_AT)


def test_no_results_wording_without_a_count_is_empty() -> None:
    html = fixture_text("search-empty.html").replace(
        '<span class="post-count">0 results</span>', "<p>No results for your search.</p>")
    assert parse_search(html, None, FETCHED_AT).hits == ()


def test_a_count_without_rows_is_a_layout_change() -> None:
    html = fixture_text("search-empty.html").replace("0 results", "12 results")
    with pytest.raises(LayoutChangedError, match="12 results"):
        parse_search(html, None, FETCHED_AT)


def test_no_count_no_rows_no_wording_is_not_called_empty() -> None:
    html = fixture_text("search-empty.html").replace('<span class="post-count">0 results</span>',
                                                     "")
    with pytest.raises(ParseError):
        parse_search(html, None, FETCHED_AT)


def test_renamed_rows_are_a_layout_change() -> None:
    html = fixture_text("search-nefilterdataprovider-p1.html").replace("article-entry", "hit")
    html = html.replace("<article", "<div").replace("</article>", "</div>")
    with pytest.raises(LayoutChangedError, match="search layout changed"):
        parse_search(html, BASE, FETCHED_AT)


def test_a_reply_hit_that_names_no_reply_is_a_layout_change() -> None:
    html = fixture_text("search-nefilterdataprovider-p1.html")
    html = html.replace("?answerId=828388022#828388022", "").replace('value="828388022"', "")
    with pytest.raises(LayoutChangedError, match="names no reply"):
        parse_search(html, BASE, FETCHED_AT)


def test_a_thread_titled_reply_to_is_still_a_thread() -> None:
    html = fixture_text("search-nefilterdataprovider-p1.html").replace(
        '<span class="underline">VPN: Internet', '<span class="underline">Reply to VPN: Internet')
    hit = parse_search(html, BASE, FETCHED_AT).hits[3]
    assert (hit.kind, hit.thread_id, hit.title[:12]) == (HitKind.THREAD, 827402, "Reply to VPN")


def test_reply_hit_without_the_marker_spans() -> None:
    """Drift: the reply link as plain text "Reply to: <title>" with answerId in its href."""
    html = fixture_text("search-nefilterdataprovider-p1.html").replace(
        '<span class="reply-title">Reply to</span> <span class="reply-title">Kernel panics',
        "Reply to: “Kernel panics").replace("with network extension</span></a>",
                                            "with network extension”</a>", 1)
    html = html.replace('class="article-title-link reply-title" href="/forums/thread/821372',
                        'class="article-title-link" href="/forums/thread/821372')
    hit = parse_search(html, BASE, FETCHED_AT).hits[6]
    assert (hit.kind, hit.reply_id) == (HitKind.REPLY, 821372044)
    assert hit.title.startswith("Kernel panics on M5") and hit.title.endswith("extension")


PAGES = ["search-nefilterdataprovider-p1.html", "search-nefilterdataprovider-p2.html",
         "search-empty.html"]


@pytest.mark.parametrize("name", PAGES)
def test_a_truncated_page_is_refused_never_half_read(name: str) -> None:
    data = fixture_bytes(name)
    whole = parse_search(data, None, FETCHED_AT)
    for cut in range(0, len(data), max(1, len(data) // 40)):
        try:
            part = parse_search(data[:cut], None, FETCHED_AT)
        except ParseError:
            continue
        assert part == whole


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PAGES), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 300),
                                                  st.binary(max_size=30)), min_size=1, max_size=5))
def test_mutated_pages_raise_parse_error_only(name: str, edits: list[tuple[int, int, bytes]]
                                              ) -> None:
    data = bytearray(fixture_bytes(name))
    for at, length, insert in edits:
        at %= len(data)
        data[at:at + length] = insert
    try:
        parse_search(bytes(data), None, FETCHED_AT)
    except ParseError:
        pass
