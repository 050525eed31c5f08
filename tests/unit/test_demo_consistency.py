"""The demo forum's made-up pages agree with the captured ones: order, answered flags, prose."""

from __future__ import annotations

import json
import re
from datetime import datetime
from itertools import pairwise

import pytest

from nereader.core.parse import parse_listing, parse_search, parse_thread
from nereader.localforum import Site
from nereader.localforum.ages import activity_text, hours_of
from nereader.localforum.forumwide import plain
from nereader.localforum.render import sentence
from tests.conftest import FETCHED_AT, FIXTURES

SITE_URL = "https://developer.apple.com"
TAG = "/forums/tags/networkextension"
PAGES = 11


@pytest.fixture(scope="module")
def demo() -> Site:
    return Site.bundled()


def _listing(site: Site, n: int):  # type: ignore[no-untyped-def]
    path = f"{TAG}?page={n}"
    return parse_listing(site.answer(path, {}).body, SITE_URL + path, FETCHED_AT)


def test_site_order_grows_older_page_after_page(demo: Site) -> None:
    """Read back by the parser (not by the forum's own reckoning): from the first unpinned
    row of page 1 to the last row of the last page, activity never gets more recent."""
    times: list[tuple[int, datetime]] = []
    for n in range(1, PAGES + 1):
        rows = _listing(demo, n).rows
        assert rows, f"page {n} is empty"
        times += [(n, r.activity_at) for r in rows if r.activity_at is not None]
    times = times[1:]  # page 1 opens with the pinned "Network Extension Resources" (Mar ’26)
    assert len(times) == 201 - 1
    for (page_a, a), (page_b, b) in pairwise(times):
        assert b <= a, f"page {page_b} has a row newer than one on page {page_a}"
    assert {n for n, _ in times} == set(range(1, PAGES + 1))


# Rows of captured fixture pages that disagree with their thread page; the local forum
# serves those files as they are (the real site can disagree with itself too).
FIXTURE_DISAGREES = {828388: "page 1 (real row) says unanswered; the fixture thread has an "
                             "accepted reply",
                     700001: "page 11 says answered with 0 replies"}


def test_a_rows_answered_mark_matches_its_thread(demo: Site) -> None:
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    disagree: set[int] = set()
    for n in range(1, PAGES + 1):
        for row in _listing(demo, n).rows:
            posts, page, total = [], 1, 1
            while page <= total:
                path = f"/forums/thread/{row.id}" + (f"?page={page}" if page > 1 else "")
                thread = parse_thread(demo.answer(path, {}).body, SITE_URL + path, FETCHED_AT)
                posts += thread.posts
                total, page = thread.total_pages, page + 1
            if any(p.accepted for p in posts) != row.answered:
                disagree.add(row.id)
    assert disagree == set(FIXTURE_DISAGREES)
    listed = {p for p in manifest if p.startswith(TAG)}
    assert len(listed) == 3  # the three captured listing pages hold every one of them


def test_made_up_prose_reads_as_sentences(demo: Site) -> None:
    excerpts = [r.excerpt for n in range(1, PAGES + 1) for r in _listing(demo, n).rows]
    path = "/forums/search?q=log+neagent"  # a made-up reply's words: "... log for neagent."
    found = parse_search(demo.answer(path, {}).body, SITE_URL + path, FETCHED_AT)
    assert found.hits, "the search for a word of the made-up replies finds some"
    excerpts += [h.excerpt for h in found.hits if h.excerpt]
    assert any("for neagent." in e for e in excerpts)
    for text in excerpts:  # " .mobileconfig" in a real post is no stray space
        assert not re.search(r"\?\.|\w [.,](\s|$)", text), text


def test_plain_text_keeps_inline_markup_in_its_words() -> None:
    assert plain("<p>Check the log for <code>neagent</code>.</p><ul><li>one</li><li>two"
                 "</li></ul><p>See <a href='/x'>the docs</a>, &amp; more</p>") == (
        "Check the log for neagent. one two See the docs, & more")
    assert sentence("needs an entitlement?") == "needs an entitlement?"
    assert sentence("leaks memory") == "leaks memory."


@pytest.mark.parametrize("text", ["4m", "1h", "23h", "1d", "6d", "1w", "8w", "Mar ’26",
                                  "Mar ’25"])
def test_activity_texts_round_trip(text: str) -> None:
    hours = hours_of(text)
    assert hours is not None and activity_text(hours) == text


def _thread_posts(site: Site, thread_id: int):  # type: ignore[no-untyped-def]
    posts, page, total = [], 1, 1
    while page <= total:
        path = f"/forums/thread/{thread_id}" + (f"?page={page}" if page > 1 else "")
        thread = parse_thread(site.answer(path, {}).body, SITE_URL + path, FETCHED_AT)
        posts += [p for p in thread.posts if p.id not in {q.id for q in posts}]
        total, page = thread.total_pages, page + 1
    return thread, posts  # each page repeats the question: once here


def _as_old(last: datetime, row) -> bool:  # type: ignore[no-untyped-def]
    """The last post is as old as the row's activity says ("2w" within a week, a month's
    name the month)."""
    text, at = row.activity_text, row.activity_at
    unit = {"m": 60, "h": 3600, "d": 86400, "w": 604800}.get(text[-1:])
    if unit is not None:
        return abs((at - last).total_seconds()) < unit
    return (last.year, last.month) == (at.year, at.month)


def test_made_up_pages_read_like_a_real_tag(demo: Site) -> None:
    """The tag's made-up pages: titles all different (no numbered stand-ins), counts and
    marks that vary, many authors, Apple staff answering, and threads that hold what their
    rows say (reply counts, answered, Apple recommended)."""
    rows = [r for n in range(3, PAGES) for r in _listing(demo, n).rows]
    assert len(rows) == 8 * 20
    titles = [r.title for r in rows]
    assert len(set(titles)) == len(titles)
    assert not any(re.search(r"\(#\d+\)|[Ss]ynthetic", t) for t in titles)
    assert len({t.split()[0] for t in titles}) > 15  # not one template over and over
    replies = [r.replies or 0 for r in rows]
    assert min(replies) == 0 and max(replies) > 20 and len(set(replies)) > 10
    assert 0.1 < sum(r.answered for r in rows) / len(rows) < 0.5
    assert any(r.apple_recommended for r in rows)
    assert len({r.views_text for r in rows}) > 60 and any(r.views_text.endswith("k") for r in rows)
    assert all(r.subtopic is not None and r.subtopic.name == "Networking" for r in rows)
    authors: set[str] = set()
    staffed = 0
    for row in rows[:60]:
        thread, posts = _thread_posts(demo, row.id)
        answers = [p for p in posts if p.kind.value == "answer"]
        assert thread.title == row.title and len(answers) == row.replies
        assert any(p.accepted for p in posts) == row.answered, row.title
        if row.apple_recommended:
            assert any(p.apple_recommended and p.apple_staff for p in posts), row.title
        authors |= {p.author for p in posts}
        staffed += any(p.apple_staff for p in posts)
        times = [p.created_at for p in posts if p.created_at]
        assert times == sorted(times) and _as_old(times[-1], row), row.title
    assert len(authors) > 20 and 10 < staffed < 60


def test_topic_pages_list_their_own_threads(demo: Site) -> None:
    """Each subtopic lists threads of its own (titled in its words, carrying it); the topic
    lists its subtopics' threads latest first; a thread opened from there is whole."""
    path = "/forums/topics/app-and-system-services/app-and-system-services-storekit"
    storekit = parse_listing(demo.answer(path, {}).body, SITE_URL + path, FETCHED_AT)
    assert storekit.rows and all(r.subtopic is not None and r.subtopic.name == "StoreKit"
                                 for r in storekit.rows)
    assert all(r.topic is not None and r.topic.name == "App & System Services"
               for r in storekit.rows)
    words = ("Transaction", "Product", "StoreKit", "subscription", "offer", "purchase",
             "sandbox", "AppTransaction", "server notification")
    assert sum(any(w.lower() in r.title.lower() for w in words) for r in storekit.rows) > 15
    row = next(r for r in storekit.rows if (r.replies or 0) > 1)
    thread, posts = _thread_posts(demo, row.id)
    assert thread.subtopic is not None and thread.subtopic.name == "StoreKit"
    assert len([p for p in posts if p.kind.value == "answer"]) == row.replies
    path = "/forums/topics/app-and-system-services"
    topic = parse_listing(demo.answer(path, {}).body, SITE_URL + path, FETCHED_AT)
    subs = {r.subtopic.name for r in topic.rows if r.subtopic is not None}
    assert len(subs) >= 3 and "Networking" in subs
    ages = [r.activity_at for r in topic.rows if r.activity_at is not None]
    assert ages == sorted(ages, reverse=True)


def test_the_demo_is_the_same_every_run() -> None:
    one, two = Site.bundled(), Site.bundled()
    for path in ("/forums/tags/networkextension?page=5", "/forums/thread/812360",
                 "/forums/topics/code-signing/code-signing-notarization?page=2"):
        assert one.answer(path, {}).body == two.answer(path, {}).body, path


def test_no_placeholder_rows_in_the_demo(demo: Site) -> None:
    """The fixture's page 2 holds numbered placeholders; the demo keeps their ids and ages
    and serves threads that read like the tag's own in their place."""
    fixture = parse_listing((FIXTURES / "tag-networkextension-p2.html").read_bytes(),
                            SITE_URL + TAG + "?page=2", FETCHED_AT)
    served = _listing(demo, 2)
    assert [r.id for r in served.rows] == [r.id for r in fixture.rows]
    assert [r.activity_text for r in served.rows] == [r.activity_text for r in fixture.rows]
    titles = [r.title for n in range(1, PAGES + 1) for r in _listing(demo, n).rows]
    assert not [t for t in titles if t.startswith("Synthetic thread")]
    assert len(set(titles)) == len(titles)
