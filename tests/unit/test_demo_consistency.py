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
                     826900: "page 2 says answered with 0 replies",
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
    path = "/forums/search?q=neagent"
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
