"""The whole forum over HTTP: site search, topics and all posts from the CLI and the service,
cached like listings, and a reply opened through the page that holds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nereader.cli import main
from nereader.core.models import HitKind
from nereader.core.service import ForumService
from nereader.localforum.server import ForumServer
from nereader.localforum.site import Faults, Site
from tests.net.conftest import make_settings

HIT_KEYS = {"kind", "thread_id", "reply_id", "title", "excerpt", "replies", "boosts", "views",
            "views_text", "activity", "answered", "url"}


@pytest.fixture
def site() -> Site:
    return Site.bundled()  # the fixture pages, plus search, topics and all posts


@pytest.fixture
def cli(server: ForumServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NEREADER_MIN_GAP", "0")
    monkeypatch.setenv("NEREADER_RETRIES", "1")

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--base-url", server.base_url, "--cache-dir", str(tmp_path / "c"),
                     "--data-dir", str(tmp_path / "d")])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_site_search_json(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("search", "--site", "NEFilterDataProvider", "--json")
    hits = json.loads(out)
    assert code == 0 and err == "" and len(hits) == 7
    assert all(set(h) >= HIT_KEYS for h in hits)
    reply = hits[2]
    assert (reply["kind"], reply["thread_id"], reply["reply_id"]) == ("reply", 828388, 828388022)
    assert reply["title"].startswith("NEFilterDataProvider activation")
    assert reply["url"].endswith("/forums/thread/828388?answerId=828388022#828388022")
    thread = hits[0]
    assert (thread["kind"], thread["reply_id"], thread["replies"], thread["views"],
            thread["views_text"], thread["activity"]) == ("thread", None, 8, 416, "416", "1d")
    code, out, _ = cli("search", "--site", "NEFilterDataProvider", "--page", "2", "--json")
    assert code == 0 and [h["thread_id"] for h in json.loads(out)] == [827377, 827377]


def test_site_search_text_marks_replies(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("search", "--site", "NEFilterDataProvider")
    assert code == 0 and out.startswith("9 results for 'NEFilterDataProvider' on the site")
    assert out.count("↳ Reply to:") == 3 and "reply 828388022 in the thread" in out
    assert "more: nereader search --site NEFilterDataProvider --page 2" in out


def test_no_results_is_an_empty_result(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("search", "--site", "zzqxj", "--json")
    assert (code, json.loads(out), err) == (0, [], "")
    code, out, _ = cli("search", "--site", "zzqxj")
    assert code == 0 and "no results" in out


def test_site_search_is_cached_and_replays_offline(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    first = cli("search", "--site", "sysdiagnose", "--json")
    requests = site.counters.requests
    assert cli("search", "--site", "sysdiagnose", "--json") == first  # fresh: no request
    assert site.counters.requests == requests
    assert cli("search", "--site", "sysdiagnose", "--json", "--offline")[:2] == first[:2]
    site.faults = Faults(status=503)
    code, out, err = cli("search", "--site", "sysdiagnose", "--json", "--refresh")
    assert code == 0 and out == first[1] and err.startswith("nereader: warning:")


def test_site_search_offline_miss_is_exit_3_one_line(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("search", "--site", "never asked", "--offline")
    assert code == 3 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "nereader search --site 'never asked'" in err
    assert site.counters.requests == 0


@pytest.mark.parametrize("args", [("search", "--site"), ("search", "x", "--page", "2"),
                                  ("search", "--site", "x", "--rebuild"),
                                  ("search", "--site", "x", "--page", "0")])
def test_site_search_usage(cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli(*args)
    assert code == 2 and err.count("\n") == 1


def test_topics(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("topics", "--json")
    tree = json.loads(out)
    assert code == 0 and [t["title"] for t in tree][:2] == ["App & System Services",
                                                             "Code Signing"]
    assert set(tree[0]) == {"title", "slug", "url", "description", "children"}
    child = tree[0]["children"][0]
    assert (child["title"], child["slug"], child["children"]) == (
        "Networking", "app-and-system-services-networking", [])
    code, out, _ = cli("topics")
    assert code == 0 and "App & System Services  (topics/app-and-system-services)" in out
    assert "  Networking  (topics/app-and-system-services/app-and-system-services-networking)" \
        in out
    # what it prints opens the listing
    code, out, _ = cli("list", "topics/code-signing/code-signing-general", "--json")
    assert code == 0 and len(json.loads(out)) == 20


def test_list_allposts(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("list", "allposts", "--pages", "2", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 40 and len({r["id"] for r in rows}) == 40
    assert site.counters.paths[0] == ("/forums/allPosts?sortBy=activity&sortOrder=DESC"
                                      "&contentFilterBy=questions")
    code, out, _ = cli("list", "allposts", "--sort", "replies", "--filter", "is:answered",
                       "--json")
    counts = [r["replies"] for r in json.loads(out)]
    assert code == 0 and counts == sorted(counts, reverse=True) and counts
    code, out, _ = cli("list", "https://developer.apple.com/forums/allPosts?page=2")
    assert code == 0 and "All Posts · page 2 of" in out


async def test_a_reply_hit_opens_through_the_page_that_holds_it(server: ForumServer,
                                                                 site: Site,
                                                                 tmp_path: Path) -> None:
    service = ForumService(make_settings(server.base_url, tmp_path / "cache"))
    try:
        found = (await service.site_search("sysdiagnose")).value
        hit = next(h for h in found.hits if h.kind is HitKind.REPLY and h.thread_id == 821372)
        result, _new = await service.open_thread(hit.thread_id, at=hit.reply_id)
        assert any(p.id == hit.reply_id for p in result.value.posts)
        assert len([p for p in result.value.posts if p.kind.value == "answer"]) == 36
        assert f"/forums/thread/821372?answerId={hit.reply_id}" in site.counters.paths
        # read again, the cached copy holds the reply: no request at all
        requests = site.counters.requests
        again, _ = await service.open_thread(hit.thread_id, at=hit.reply_id)
        assert again.value.posts == result.value.posts and site.counters.requests == requests
    finally:
        await service.aclose()


async def test_a_reply_the_cached_copy_lacks_is_fetched(server: ForumServer, site: Site,
                                                        tmp_path: Path) -> None:
    service = ForumService(make_settings(server.base_url, tmp_path / "cache"))
    try:
        await service.thread(821372)  # cached now, without the reply to come
        page = site.routes["/forums/thread/821372?page=2"].body.decode()
        new = page.replace('data-post-id="821407022"', 'data-post-id="821499022"').replace(
            'id="821407022"', 'id="821499022"')
        site.replace_body("/forums/thread/821372?page=2", new.encode())
        result, _ = await service.open_thread(821372, at=821499022)
        assert any(p.id == 821499022 for p in result.value.posts)
        assert "/forums/thread/821372?answerId=821499022" in site.counters.paths
    finally:
        await service.aclose()
