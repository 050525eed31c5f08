"""When the site changes: a listing's RSS feed stands in for its page (counts unknown, never 0),
a thread page's text stands in for its posts, and everything downstream of a row (the filter,
sorting, marks, read state, news, JSON, the row drawn) treats an unknown count as unknown."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from rich.style import Style

from nereader.cli.common import table
from nereader.core.bookmarks import ReadState
from nereader.core.errors import ChallengeError, LayoutChangedError
from nereader.core.export import summary_json, thread_json, thread_markdown
from nereader.core.models import (
    ListingKind,
    ListingPage,
    RowSource,
    Structure,
)
from nereader.core.news import _compare
from nereader.core.parse import feed_listing, parse_feed, parse_listing, parse_thread
from nereader.core.query import SORT_FIELDS, Context, Query, sort_caveat, sort_key
from nereader.core.urls import ListingRef
from nereader.ui.widgets import rows as drawn
from tests.conftest import FETCHED_AT, fixture_bytes, fixture_text

SITE = "https://developer.apple.com"
REF = ListingRef(ListingKind.TAG, "packet-tunnel-provider")
FEED_URL = f"{SITE}/forums/tags/rssFeed/packet-tunnel-provider"
REDESIGNED = f"{SITE}/forums/tags/packet-tunnel-provider"
THREAD_URL = f"{SITE}/forums/thread/830512"


def feed_page(failure: Exception | None = None) -> ListingPage:
    feed = parse_feed(fixture_bytes("rss-packet-tunnel-provider.xml"), FEED_URL)
    return feed_listing(feed, REF, FEED_URL, FETCHED_AT,
                        failure or LayoutChangedError("listing layout changed"))


PAGE_ROWS = list(parse_listing(fixture_text("tag-networkextension-p1.html"),
                               f"{SITE}/forums/tags/networkextension", FETCHED_AT).rows)
FEED_ROWS = list(feed_page().rows)


# -- the fixtures are a redesign, not a renamed copy -------------------------------------------
def test_the_redesigned_listing_is_a_layout_change() -> None:
    with pytest.raises(LayoutChangedError, match="12 thread link"):
        parse_listing(fixture_bytes("tag-packet-tunnel-provider-redesigned.html"), REDESIGNED,
                      FETCHED_AT)


# -- 1. the feed stands in for the listing -----------------------------------------------------
def test_a_feeds_rows_have_titles_ids_authors_dates_and_no_counts() -> None:
    page = feed_page()
    assert page.source is RowSource.FEED and page.page == page.total_pages == 1
    assert page.total_posts is None and page.name == "Packet Tunnel Provider"
    assert page.notice == ("the tag page changed; showing its RSS feed: 12 latest threads, "
                           "counts unknown")
    first = page.rows[0]
    assert (first.id, first.author) == (830512, "tunnel_dev")
    assert first.title.startswith("NEPacketTunnelProvider stops reading packets")
    assert first.excerpt.startswith("Our provider keeps running") and "<" not in first.excerpt
    assert first.activity_at is not None and first.activity_text == "1h"
    assert all(r.replies is None and r.boosts is None and r.views is None for r in page.rows)
    assert all(r.source is RowSource.FEED and not r.marks_known for r in page.rows)
    assert [r.id for r in page.rows] == list(range(830512, 830500, -1))
    checked = feed_page(ChallengeError("bot check"))
    assert checked.notice is not None and checked.notice.startswith(
        "the site showed a bot check instead of the tag page")


def test_a_feed_row_in_json_has_null_counts_and_its_source() -> None:
    data = summary_json(FEED_ROWS[0])
    assert (data["replies"], data["boosts"], data["views"]) == (None, None, None)
    assert data["source"] == "feed" and data["author"] == "tunnel_dev"
    assert summary_json(PAGE_ROWS[0])["source"] == "page"
    assert json.loads(json.dumps(data))["replies"] is None


def test_unknown_counts_are_drawn_as_question_marks() -> None:
    look = drawn.RowLook(Style(), Style(dim=True), Style(bold=True), Style(italic=True))
    cells = "".join(s.text for s in drawn.row(FEED_ROWS[0], 100, Style(), look, "    "))
    assert cells.split()[-4:-1] == ["?", "?", "?"] and " 0 " not in cells
    printed = table(FEED_ROWS[:1]).splitlines()[1]
    assert printed.split()[-4:-1] == ["?", "?", "?"]


# -- the filter language and sorting over unknown counts ---------------------------------------
def test_a_number_term_never_matches_an_unknown_count_negated_or_not() -> None:
    rows = FEED_ROWS[:3] + PAGE_ROWS[:5]
    for query in ("replies:>3", "-replies:>3", "views:<1m", "boosts:0..5", "replies:>=0"):
        found = Query.parse(query).apply(rows)
        assert all(r.source is RowSource.PAGE for r in found), query
    assert len(Query.parse("replies:>=0").apply(rows)) == 5
    # The answered and recommended marks are unknown for a feed's row too.
    assert all(r.source is RowSource.PAGE
               for r in Query.parse("is:unanswered").apply(rows))
    # Words, tags, authors' feeds, bookmarks and read state work on them as on any row.
    ctx = Context(now=FETCHED_AT, bookmarked={830511}, unread=lambda r: r.id != 830510)
    assert [r.id for r in Query.parse("airdrop").apply(rows, ctx)] == [830511]
    assert [r.id for r in Query.parse("is:bookmarked").apply(rows, ctx)] == [830511]
    assert 830510 not in {r.id for r in Query.parse("is:unread").apply(rows, ctx)}
    assert len(Query.parse("tag:packet-tunnel-provider").apply(rows, ctx)) == 3


@pytest.mark.parametrize("query", ["sort:replies", "sort:-replies", "sort:views",
                                   "sort:-boosts"])
def test_sorting_by_an_unknown_count_puts_those_rows_last_either_way(query: str) -> None:
    rows = FEED_ROWS[:4] + PAGE_ROWS[:6]
    ordered = Query.parse(query).apply(rows)
    assert [r.source for r in ordered] == [RowSource.PAGE] * 6 + [RowSource.FEED] * 4
    assert Query.parse(query).caveat(rows) == (
        f"{query.split(':')[1].lstrip('-')} unknown for 4 of the 10 threads (read from the "
        "listing's RSS feed): sorting puts them last")


def test_the_caveat_says_when_every_row_is_unknown() -> None:
    query = Query.parse("replies:>3 vpn")
    assert query.apply(FEED_ROWS) == []
    assert query.caveat(FEED_ROWS) == ("replies unknown for any of the 12 threads (read from "
                                       "the listing's RSS feed): replies:>3 matches none of "
                                       "those")
    assert query.caveat(PAGE_ROWS) is None and Query.parse("vpn").caveat(FEED_ROWS) is None
    assert sort_caveat("views", FEED_ROWS) is not None
    assert sort_caveat("title", FEED_ROWS) is None


def test_every_sort_field_sorts_mixed_rows_without_comparing_none() -> None:
    rows = FEED_ROWS + PAGE_ROWS
    for field, get in SORT_FIELDS.items():  # what the list sorts with, either direction
        for reverse in (False, True):
            sorted(rows, key=get, reverse=reverse)  # type: ignore[arg-type,return-value]
            known = sorted(rows, key=sort_key(field, reverse), reverse=reverse)  # type: ignore[arg-type]
            if field in ("replies", "boosts", "views"):
                assert known[-1].source is RowSource.FEED and known[0].source is RowSource.PAGE


# -- read state and news over rows without counts ----------------------------------------------
def test_marking_a_feed_row_read_keeps_the_count_seen_before(tmp_path: Path) -> None:
    state = ReadState(tmp_path)
    state.mark_read([(830511, 4), (830510, None)])
    state.mark_read([(830511, None)])
    data = json.loads((tmp_path / "state.json").read_text())
    assert data["read"]["830511"]["replies"] == 4 and data["read"]["830510"]["replies"] is None
    again = ReadState(tmp_path)
    assert not again.is_unread(FEED_ROWS[2]) and not again.has_new_activity(FEED_ROWS[2])
    assert again.has_new_activity(replace(FEED_ROWS[1], replies=6, source=RowSource.PAGE))
    assert not again.has_new_activity(FEED_ROWS[1])  # unknown is not "new"
    assert not list(tmp_path.glob("*.corrupt-*")) and not again.file.warnings


def test_news_from_a_feed_tells_new_threads_only_and_keeps_the_counts() -> None:
    page = feed_page()
    last = {"at": "2026-06-11T00:00:00+00:00", "max_id": 830509,
            "threads": {"830509": 5, "830508": 1}}
    news, snapshot = _compare(REF, page, last)
    assert [i.id for i in news.new_threads] == [830512, 830511, 830510]
    assert all(i.replies is None for i in news.new_threads) and not news.new_replies
    assert news.notice == page.notice
    assert snapshot["threads"] == {"830509": 5, "830508": 1} and snapshot["max_id"] == 830512


# -- 2. a thread page's text stands in for its posts -------------------------------------------
def test_a_thread_page_of_unknown_structure_is_its_text_as_one_post() -> None:
    thread = parse_thread(fixture_bytes("thread-830512-redesigned.html"), THREAD_URL,
                          FETCHED_AT)
    assert thread.structure is Structure.TEXT_ONLY and thread.notice
    assert thread.title == ("NEPacketTunnelProvider stops reading packets after a Wi-Fi to "
                            "cellular handover")
    (post,) = thread.posts
    body = post.body_markdown
    assert "### What we do" in body and "```swift\nfunc readLoop()" in body
    assert "[NWPathMonitor](https://developer.apple.com/documentation/network/nwpathmonitor)" \
        in body
    assert "Reapplying the settings is the cause" in body  # the replies' text is there too
    for chrome in ("Privacy Policy", "Distribute", "Search the forums", "Forums ›"):
        assert chrome not in body
    assert thread_json(thread)["structure"] == "text-only"
    assert "structure was not recognised" in thread_markdown(thread)
    assert thread_json(parse_thread(fixture_bytes("thread-828388.html")))["structure"] == "posts"
