"""When the site changes, against the local forum: the feed stands in for a redesigned listing,
a thread's text for posts it cannot read, a good cached copy is still preferred, and
`nereader doctor` says what changed (exit 4) or that all is well (exit 0)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nereader.core.errors import ChallengeError
from nereader.core.models import ListingKind, RowSource, Structure
from nereader.core.query import Query
from nereader.core.service import ForumService
from nereader.core.urls import ListingRef
from nereader.localforum.site import Faults, Site
from tests.conftest import fixture_bytes

REDESIGNED = ListingRef(ListingKind.TAG, "packet-tunnel-provider")
TAG = ListingRef(ListingKind.TAG, "networkextension")
NOTICE = "the tag page changed; showing its RSS feed: 12 latest threads, counts unknown"


@pytest.fixture
def site() -> Site:
    """The whole local forum: its site search and topic tree too (the doctor reads them)."""
    return Site.bundled()


# -- 1. listings ------------------------------------------------------------------------------
def test_list_of_a_redesigned_tag_shows_its_feed_with_one_warning(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("list", "packet-tunnel-provider")
    assert code == 0
    assert err.count("\n") == 1 and NOTICE in err and "nereader doctor" in err
    assert "its RSS feed (counts unknown) · 12 threads" in out
    row = next(line for line in out.splitlines() if "includeAllNetworks" in line)
    assert re.search(r" \? +\? +\? ", row) and " 0 " not in row


def test_list_json_of_a_redesigned_tag_has_null_counts(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("list", "packet-tunnel-provider", "--json")
    rows = json.loads(out)
    assert code == 0 and NOTICE in err and len(rows) == 12
    assert all(r["replies"] is None and r["boosts"] is None and r["views"] is None
               for r in rows)
    assert {r["source"] for r in rows} == {"feed"} and rows[0]["author"] == "tunnel_dev"
    code, out, _ = cli("list", "--json")
    assert {r["source"] for r in json.loads(out)} == {"page"}


def test_a_filter_on_unknown_counts_matches_none_and_says_so(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("list", "packet-tunnel-provider", "--filter", "replies:>3", "--json")
    assert code == 0 and json.loads(out) == []
    assert "replies unknown for any of the 12 threads" in err
    code, out, err = cli("list", "packet-tunnel-provider", "--filter", "airdrop sort:-views")
    assert code == 0 and "1 thread" in out and "sorting puts them last" in err


async def test_a_good_cached_copy_is_still_preferred_to_the_feed(service: ForumService,
                                                                 site: Site) -> None:
    await service.listing(TAG)
    site.replace_body("/forums/tags/networkextension",
                      fixture_bytes("tag-packet-tunnel-provider-redesigned.html"))
    result = await service.listing(TAG, refresh=True)
    assert result.stale and result.value.source is RowSource.PAGE
    assert len(result.value.rows) == 20 and result.value.rows[0].replies is not None
    await service.cache_clear()
    fallback = await service.listing(TAG)
    assert fallback.value.source is RowSource.FEED and len(fallback.value.rows) == 20
    assert fallback.value.notice and fallback.value.notice.startswith("the tag page changed")


async def test_a_bot_check_on_the_listing_falls_back_to_the_feed(service: ForumService,
                                                                 site: Site) -> None:
    site.faults = Faults(challenge=True, only_path="/forums/tags/networkextension")
    result = await service.listing(TAG)
    assert result.value.source is RowSource.FEED
    assert (result.value.notice or "").startswith(
        "the site showed a bot check instead of the tag page")
    with pytest.raises(ChallengeError):  # the feed holds page 1's threads, no later page's
        await service.listing(TAG, page=2)


async def test_a_sorted_listing_from_its_feed_says_the_order_is_the_feeds(
        service: ForumService) -> None:
    result = await service.listing(REDESIGNED, sort="replies")
    assert result.value.source is RowSource.FEED
    assert "in the feed's order (newest first), not by replies" in (result.value.notice or "")


async def test_read_state_and_bookmarks_work_on_a_feeds_rows(service: ForumService) -> None:
    rows = list((await service.listing(REDESIGNED)).value.rows)
    await service.bookmark(rows[0].id, row=rows[0])  # the one thread the forum serves
    await service.mark_all_read(rows[:3])
    ctx = await service.query_context()
    assert not ctx.unread(rows[1]) and ctx.unread(rows[5]) and not ctx.new(rows[1])
    assert ctx.new_replies(rows[1]) == 0 and rows[0].id in ctx.bookmarked
    marked = [r.id for r in Query.parse("is:bookmarked").apply(rows, ctx)]
    assert marked == [rows[0].id]


async def test_sync_of_a_redesigned_listing_syncs_the_feeds_threads(service: ForumService,
                                                                    site: Site) -> None:
    summary = await service.sync(REDESIGNED, threads=True)
    assert summary.listing_pages == 1 and summary.notices == [NOTICE]
    asked = {p.split("?")[0] for p in site.counters.paths if p.startswith("/forums/thread/")}
    assert asked == {f"/forums/thread/{n}" for n in range(830501, 830513)}
    assert summary.threads == 1 and len(summary.failures) == 11  # the only thread page served


# -- 2. threads -------------------------------------------------------------------------------
def test_show_of_a_thread_of_unknown_structure_is_its_text_marked(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("show", "830512", "--json")
    data = json.loads(out)
    assert code == 0 and data["structure"] == "text-only" and len(data["posts"]) == 1
    assert "structure was not recognised" in err and err.count("\n") == 1
    assert "func readLoop()" in data["posts"][0]["body_markdown"]


async def test_a_thread_page_read_only_as_text_never_replaces_a_good_copy(
        service: ForumService, site: Site) -> None:
    good = await service.thread(828388)
    redesigned = fixture_bytes("thread-830512-redesigned.html").replace(b"830512", b"828388")
    site.replace_body("/forums/thread/828388", redesigned)
    again = await service.thread(828388, refresh=True)
    assert again.stale and "structure was not recognised" in (again.warning or "")
    assert again.value.structure is Structure.POSTS
    assert len(again.value.posts) == len(good.value.posts)
    await service.cache_clear()
    text = await service.thread(828388)
    assert text.value.structure is Structure.TEXT_ONLY
    cached = await service.cached_thread(828388)  # stored: readable offline, and re-parsed
    assert cached is not None and cached.structure is Structure.TEXT_ONLY  # after a fix


# -- 3. doctor --------------------------------------------------------------------------------
def test_doctor_on_a_forum_that_reads_is_exit_0(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("doctor", "--json")
    data = json.loads(out)
    assert code == 0 and err == "" and data["ok"] and data["version"]
    assert [c["kind"] for c in data["checks"]] == ["listing", "thread", "feed", "search",
                                                  "topics"]
    assert all(c["ok"] and not c["problems"] for c in data["checks"])
    listing = data["checks"][0]
    assert listing["fields"]["rows"] == 20 and listing["fields"]["replies"] == 20
    thread = data["checks"][1]
    assert thread["url"].endswith("/forums/thread/788921")  # the most replies on the page
    # The counts of the thread's first page, as the demo forum makes it up.
    from nereader.core.parse import parse_thread

    page = parse_thread(site.routes["/forums/thread/788921"].body)
    staff = sum(1 for post in page.posts if post.apple_staff)
    assert thread["fields"]["posts"] == len(page.posts) > 20
    assert thread["fields"]["staff badges"] == staff > 0


def test_doctor_on_a_redesigned_tag_is_exit_4_with_a_report(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("doctor", "packet-tunnel-provider")
    assert code == 4 and err == ""
    assert "listing  BROKEN" in out and "thread   BROKEN" in out
    assert "stands in: its RSS feed (12 threads, counts unknown)" in out
    assert "stands in: the page's text as one post" in out
    assert "feed     ok" in out and "topics   ok" in out
    report = out.split("--- report: paste it into a bug report ---")[1]
    assert "listing BROKEN /forums/tags/packet-tunnel-provider" in report
    assert "thread_links=12" in report and "no question section" in report
    assert str(tmp_path) not in out and "127.0.0.1" not in report  # nothing of the user's
    code, out, _ = cli("doctor", "packet-tunnel-provider", "--json")
    checks = {c["kind"]: c for c in json.loads(out)["checks"]}
    assert code == 4 and not checks["listing"]["ok"] and checks["feed"]["ok"]
    assert checks["listing"]["problems"] == [
        "listing layout changed: 12 thread link(s) on the page but no article.article-entry rows"]


def test_doctor_offline_checks_the_cached_copies_and_says_so(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("doctor", "--offline")
    assert code == 3 and "offline: checking the cached copies" in out
    assert "not checked" in out
    cli("list")
    code, out, _ = cli("doctor", "--offline", "--json")
    checks = {c["kind"]: c for c in json.loads(out)["checks"]}
    assert checks["listing"]["ok"] and checks["listing"]["source"] in {"cache", "stale"}
    assert checks["topics"]["source"] == "not checked" and code == 3


def test_one_control_character_in_the_feed_keeps_the_fallback(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    from nereader.localforum.routes import Route

    feed = fixture_bytes("rss-packet-tunnel-provider.xml").replace(
        b"<title>includeAllNetworks", b"<title>include\x1bAll&#x1b;Networks", 1)
    site.add("/forums/tags/rssFeed/packet-tunnel-provider",
             Route(feed, content_type="application/rss+xml"))
    code, out, err = cli("list", "packet-tunnel-provider", "--json")
    rows = json.loads(out)
    assert code == 0 and NOTICE in err and len(rows) == 12
    assert rows[1]["title"] == "includeAllNetworks blocks AirDrop while the tunnel is up"
