"""The page contract, checked (`nereader doctor`): one case per fixture page, and the proof that
the check runs the parsers' own rules (it fails exactly where the parser does, with its words)."""

from __future__ import annotations

import pytest

from nereader.core.errors import ParseError
from nereader.core.models import CheckKind
from nereader.core.parse import parse_listing
from nereader.core.parse.contract import check_page
from tests.conftest import FETCHED_AT, fixture_bytes, fixture_text

SITE = "https://developer.apple.com"
TAG = f"{SITE}/forums/tags/networkextension"


@pytest.mark.parametrize(
    ("kind", "name", "url", "found"),
    [
        ("listing", "tag-networkextension-p1.html", TAG,
         {"rows": 20, "row elements": 20, "replies": 20, "views": 20, "activity": 20,
          "excerpts": 20, "total posts": 201, "pagination": "page 1 of 11", "feed link": "yes"}),
        ("listing", "tag-empty.html", f"{SITE}/forums/tags/wi-fi-aware",
         {"rows": 0, "total posts": 0}),
        ("thread", "thread-821372-p1.html", f"{SITE}/forums/thread/821372",
         {"question section": "yes", "structure": "posts", "posts": 21, "replies": 20,
          "authors": 21, "dates": 21, "bodies": 21, "pagination": "page 1 of 2"}),
        ("thread", "thread-828388.html", f"{SITE}/forums/thread/828388",
         {"accepted": 1, "staff badges": 1, "stats": "replies, boosts, views, participants"}),
        ("feed", "rss-networkextension.xml", f"{SITE}/forums/tags/rssFeed/networkextension",
         {"items": 20, "thread links": 20, "dates": 20, "authors": 20}),
        ("search", "search-nefilterdataprovider-p1.html",
         f"{SITE}/forums/search?q=NEFilterDataProvider&sortBy=relevance",
         {"rows": 7, "replies": 7, "reply hits": 3, "total results": 9}),
        ("search", "search-empty.html", f"{SITE}/forums/search?q=zzzz&sortBy=relevance",
         {"rows": 0, "total results": 0}),
        ("topics", "topics.html", f"{SITE}/forums/topics",
         {"topics data": "script#topics-data", "topics": 5}),
    ],
)
def test_a_page_that_reads_passes_its_check(kind: CheckKind, name: str, url: str,
                                            found: dict[str, object]) -> None:
    check, model = check_page(kind, fixture_bytes(name), url, FETCHED_AT)
    assert check.ok and not check.problems and model is not None, check.problems
    assert {k: check.fields.get(k) for k in found} == found


def test_the_redesigned_listing_fails_with_the_parsers_own_words() -> None:
    body = fixture_bytes("tag-packet-tunnel-provider-redesigned.html")
    url = f"{SITE}/forums/tags/packet-tunnel-provider"
    with pytest.raises(ParseError) as raised:
        parse_listing(body, url, FETCHED_AT)
    check, model = check_page("listing", body, url, FETCHED_AT)
    assert not check.ok and model is None
    assert check.problems[0] == str(raised.value)
    assert check.fields["thread links"] == 12 and check.fields["rows"] == 0
    assert "replies" not in check.fields  # no row to count a field in


def test_the_redesigned_thread_fails_on_its_question_and_reads_as_text() -> None:
    check, model = check_page("thread", fixture_bytes("thread-830512-redesigned.html"),
                              f"{SITE}/forums/thread/830512", FETCHED_AT)
    assert not check.ok and getattr(model, "degraded", False)
    assert check.fields["question section"] == "no" and check.fields["structure"] == "text-only"
    assert any("no question section (section.content-post.question" in p
               for p in check.problems)


@pytest.mark.parametrize("field", ["views", "replies"])
def test_a_row_field_gone_is_the_same_finding_as_the_parsers(field: str) -> None:
    """The doctor counts with the parser's rules: drop one field from every copy of every row
    and the check names it, in the parser's words, and counts none of it."""
    html = fixture_text("tag-networkextension-p1.html").replace(
        f'class="stat {field}"', 'class="stat"').replace(
        f'<span class="stat-label">{field.title()}</span>', "")
    with pytest.raises(ParseError) as raised:
        parse_listing(html, TAG, FETCHED_AT)
    check, _ = check_page("listing", html.encode(), TAG, FETCHED_AT)
    assert check.problems[0] == str(raised.value) and check.fields[field] == 0
    assert check.fields["rows"] == 20 and not check.ok


def test_a_post_field_gone_from_every_post_is_a_problem() -> None:
    html = fixture_text("thread-707294.html").replace("data-timestamp=", "data-x=").replace(
        "post-date", "x-date")
    check, _ = check_page("thread", html.encode(), f"{SITE}/forums/thread/707294", FETCHED_AT)
    assert not check.ok and check.fields["dates"] == 0
    assert any("no post has its date" in p for p in check.problems)


def test_a_feed_without_thread_links_cannot_stand_in() -> None:
    xml = fixture_text("rss-networkextension.xml").replace("/forums/thread/", "/forums/t/")
    check, _ = check_page("feed", xml.encode(), f"{SITE}/forums/tags/rssFeed/x", FETCHED_AT)
    assert not check.ok and check.fields["thread links"] == 0


def test_garbage_is_a_finding_never_a_crash() -> None:
    for kind in ("listing", "thread", "feed", "search", "topics"):
        check, model = check_page(kind, b"\x00\x01 not a page", f"{SITE}/x", FETCHED_AT)  # type: ignore[arg-type]
        assert not check.ok and check.problems and model is None
