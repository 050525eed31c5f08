"""The whole forum: all-posts and search URLs, the local forum's search, topics and all posts,
answerId links, and a listing's total that is unknown rather than 0."""

from __future__ import annotations

import json

import pytest

from nereader.core.errors import UsageError
from nereader.core.models import HitKind, ListingKind
from nereader.core.parse import parse_listing, parse_search, parse_thread, parse_topics
from nereader.core.urls import (
    ALL_POSTS,
    canonical,
    feed_url,
    listing_url,
    parse_listing_ref,
    parse_search_ref,
    reply_url,
    search_url,
    thread_page_one,
    url_kind,
)
from nereader.localforum import Site
from tests.conftest import FETCHED_AT, FIXTURES, fixture_text

BASE = "https://developer.apple.com"
ALL = BASE + "/forums/allPosts?sortBy=activity&sortOrder=DESC&contentFilterBy=questions"
TAG_URL = BASE + "/forums/tags/networkextension"


@pytest.mark.parametrize("text", [
    "allposts", "allPosts", "/forums/allPosts", BASE + "/forums/allPosts",
    BASE + "/forums/allPosts?sortBy=activity&sortOrder=desc&contentFilterBy=questions",
    "developer.apple.com/forums/allposts/"])
def test_allposts_is_a_listing(text: str) -> None:
    ref, page, _sort, _order = parse_listing_ref(text)
    assert ref == ALL_POSTS and ref.kind is ListingKind.ALLPOSTS and page == 1
    assert ref.key == "allposts" and parse_listing_ref(ref.key)[0] == ref


def test_allposts_urls() -> None:
    assert listing_url(ALL_POSTS) == ALL
    assert listing_url(ALL_POSTS, 3, "replies", "asc") == (
        BASE + "/forums/allPosts?page=3&sortBy=replies&sortOrder=ASC&contentFilterBy=questions")
    # "last updated" is the site's "activity" here: the default and the explicit sort agree
    assert listing_url(ALL_POSTS, 1, "lastUpdated", "desc") == ALL
    ref, page, sort, order = parse_listing_ref(ALL + "&page=2")
    assert listing_url(ref, page, sort, order) == ALL.replace("?", "?page=2&")
    assert parse_listing_ref("tags/allposts")[0].kind is ListingKind.TAG  # a tag of that name
    assert url_kind(ALL) == "listing"
    with pytest.raises(UsageError):
        feed_url(ALL_POSTS)


def test_search_and_topics_urls() -> None:
    url = search_url("  half   close ", 2)
    assert url == BASE + "/forums/search?q=half%20close&sortBy=relevance&page=2"
    assert parse_search_ref(url) == ("half close", 2)
    assert parse_search_ref(BASE + "/forums/search?q=x&sortBy=relevance") == ("x", 1)
    assert parse_search_ref(TAG_URL) is None
    assert url_kind(url) == "search" and url_kind(BASE + "/forums/topics") == "topics"
    assert url_kind(BASE + "/forums/topics/code-signing") == "listing"
    with pytest.raises(UsageError):
        search_url("   ")


def test_answer_links_are_their_own_cache_entries() -> None:
    url = reply_url(821372, 821392022)
    assert url == BASE + "/forums/thread/821372?answerId=821392022"
    # the site answers with the page that holds the reply, not page 1
    assert canonical(url) != canonical(BASE + "/forums/thread/821372")
    assert thread_page_one(canonical(url)) is None
    assert thread_page_one(BASE + "/forums/thread/821372") is not None


# -- a listing's total: read from its header, unknown when absent -----------------------------
def test_a_page_without_n_posts_has_an_unknown_total() -> None:
    html = fixture_text("tag-networkextension-p1.html").replace("201 Posts", "")
    listing = parse_listing(html, TAG_URL, FETCHED_AT)
    assert listing.total_posts is None and listing.total_pages == 11  # from the pagination


def test_the_rows_text_is_never_taken_for_the_total() -> None:
    html = fixture_text("tag-networkextension-p1.html").replace("201 Posts", "").replace(
        "We learned the future", "I read 3 posts. We learned the future")
    assert parse_listing(html, TAG_URL, FETCHED_AT).total_posts is None


def test_a_next_link_means_more_pages_whatever_the_count() -> None:
    html = fixture_text("tag-networkextension-p1.html").replace("201 Posts", "")
    start = html.index('<nav class="pagination"')
    end = html.index("</nav>", start)
    html = html[:start] + '<nav><a class="next-page" href="?page=2">Next</a>' + html[end:]
    listing = parse_listing(html, TAG_URL, FETCHED_AT)
    assert (listing.total_posts, listing.page, listing.total_pages) == (None, 1, 2)


# -- the local forum's forum-wide pages --------------------------------------------------------
@pytest.fixture(scope="module")
def demo() -> Site:
    return Site.bundled()


def page(site: Site, target: str) -> bytes:
    answer = site.answer(target, {})
    assert answer.status == 200, target
    return answer.body


def test_answer_links_serve_the_page_that_holds_the_reply() -> None:
    site = Site.from_directory(FIXTURES)
    on_two = parse_thread(page(site, "/forums/thread/821372?answerId=821400022"))
    assert on_two.page == 2 and any(p.id == 821400022 for p in on_two.posts)
    on_one = parse_thread(page(site, "/forums/thread/821372?answerId=821380022"))
    assert on_one.page == 1
    unknown = parse_thread(page(site, "/forums/thread/821372?answerId=1"))
    assert unknown.page == 1  # as the site does: the thread's first page


def test_synthetic_search_pages_add_up(demo: Site) -> None:
    first = parse_search(page(demo, "/forums/search?q=tunnel&sortBy=relevance"),
                         BASE + "/forums/search?q=tunnel&sortBy=relevance", FETCHED_AT)
    assert first.total_results and first.total_results > 10 and first.total_pages > 1
    assert first.query == "tunnel" and len(first.hits) == 10
    hits = list(first.hits)
    for n in range(2, first.total_pages + 1):
        more = parse_search(page(demo, f"/forums/search?q=tunnel&sortBy=relevance&page={n}"),
                            None, FETCHED_AT)
        assert more.page == n
        hits += more.hits
    assert len(hits) == first.total_results
    assert {h.kind for h in hits} == {HitKind.THREAD, HitKind.REPLY}
    assert all("tunnel" in (h.title + h.excerpt).lower() for h in hits)
    # every reply hit points at a reply its thread's pages really hold
    reply = next(h for h in hits if h.kind is HitKind.REPLY)
    held = parse_thread(page(demo, f"/forums/thread/{reply.thread_id}?answerId={reply.reply_id}"))
    assert any(p.id == reply.reply_id for p in held.posts)


def test_synthetic_search_with_no_hits(demo: Site) -> None:
    empty = parse_search(page(demo, "/forums/search?q=qqqzzz&sortBy=relevance"), None)
    assert (empty.hits, empty.total_results, empty.total_pages) == ((), 0, 1)


def test_all_posts_pages_and_sorts(demo: Site) -> None:
    head = parse_listing(page(demo, "/forums/allPosts?sortBy=activity&sortOrder=desc"
                                    "&contentFilterBy=questions"), ALL, FETCHED_AT)
    assert head.kind is ListingKind.ALLPOSTS and head.total_posts and head.total_posts > 201
    assert head.total_pages == -(-head.total_posts // 20) and len(head.rows) == 20
    last = parse_listing(page(demo, f"/forums/allPosts?page={head.total_pages}"), None, FETCHED_AT)
    assert len(last.rows) == head.total_posts - 20 * (head.total_pages - 1)
    by_replies = parse_listing(page(demo, "/forums/allPosts?sortBy=replies&sortOrder=DESC"
                                          "&contentFilterBy=questions"), None, FETCHED_AT)
    counts = [r.replies for r in by_replies.rows]
    assert counts == sorted(counts, reverse=True) and counts[0] == 85


def test_topic_and_subtopic_listings(demo: Site) -> None:
    tree = parse_topics(page(demo, "/forums/topics"), BASE + "/forums/topics")
    for topic in tree.topics:
        ref = parse_listing_ref(topic.url)[0]
        listing = parse_listing(page(demo, ref.path), topic.url, FETCHED_AT)
        assert listing.kind is ListingKind.TOPIC and listing.name == topic.title
        assert listing.total_posts is None and listing.rows  # topic pages show no count
        for sub in topic.children:
            sub_ref = parse_listing_ref(sub.url)[0]
            sub_page = parse_listing(page(demo, sub_ref.path), sub.url, FETCHED_AT)
            assert sub_page.kind is ListingKind.SUBTOPIC and sub_page.total_posts
    made = parse_listing(page(demo, "/forums/topics/code-signing/code-signing-general?page=2"),
                         None, FETCHED_AT)
    assert made.page == 2 and made.rows
    thread = parse_thread(page(demo, f"/forums/thread/{made.rows[0].id}"))  # made on request
    assert thread.title == made.rows[0].title
    assert len([p for p in thread.posts if p.kind.value == "answer"]) == made.rows[0].replies


# -- the command line ---------------------------------------------------------------------------
def test_commands_and_targets(capsys: pytest.CaptureFixture[str]) -> None:
    from nereader.cli import _check_target, build_parser, commands, main

    known = commands(build_parser())
    assert "topics" in known and "site" in known["search"]
    _check_target("allposts", known)  # opens the app on every thread of the forum
    _check_target("topics/code-signing", known)
    assert main(["parse", str(FIXTURES / "search-nefilterdataprovider-p1.html")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_results"] == 9 and data["hits"][2]["kind"] == "reply"
    assert main(["parse", str(FIXTURES / "topics.html")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["topics"][0]["title"] == "App & System Services"
