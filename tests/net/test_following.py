"""follow / unfollow / following / check / sync of everything / config, against the local forum."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import tomllib
from pathlib import Path

import pytest

from nereader.core.service import ForumService
from nereader.localforum.render import Row, listing_page
from nereader.localforum.server import ForumServer
from nereader.localforum.site import Faults, Site
from tests.net.conftest import make_settings
from tests.net.test_bookmarks_service import add_reply


@pytest.fixture
def config_file() -> Path:
    return Path(os.environ["NEREADER_CONFIG_DIR"]) / "config.toml"


def followed(config_file: Path) -> list[str]:
    return tomllib.loads(config_file.read_text())["follow"]  # type: ignore[no-any-return]


def test_follow_is_checked_against_the_site_then_saved(cli, site: Site, config_file: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("follow", "networkextension",
                         "https://developer.apple.com/forums/tags/wi-fi-aware?page=2")
    assert code == 0 and err == ""
    assert "following networkextension (Network Extension)" in out
    assert "following wi-fi-aware (Wi-Fi Aware)" in out
    assert followed(config_file) == ["networkextension", "wi-fi-aware"]
    assert "already following networkextension" in cli("follow", "networkextension")[1]
    # A listing the site does not have: nothing is saved, one line, exit 2.
    code, out, err = cli("follow", "nosuchtag", "networkextension")
    assert code == 6 and out == "" and err.count("\n") == 1
    assert "no such listing 'nosuchtag' on the site (it answered 404)" in err
    assert followed(config_file) == ["networkextension", "wi-fi-aware"]
    # Offline, the cache decides: a cached listing can be followed, an uncached one cannot.
    site.faults = Faults(reset=True)
    assert cli("unfollow", "wi-fi-aware")[0] == 0
    assert cli("follow", "wi-fi-aware", "--offline")[0] == 0
    code, _, err = cli("follow", "topics/app-and-system-services", "--offline")
    assert code == 3 and "not in the cache" in err
    code, out, err = cli("unfollow", "networkextension", "ios")
    assert code == 0 and "unfollowed networkextension" in out and "not following ios" in err
    assert followed(config_file) == ["wi-fi-aware"]


def test_following_counts_from_the_cache(cli, server: ForumServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("following")
    assert code == 0 and "following nothing" in out
    cli("follow", "networkextension")

    async def read_one() -> None:  # as the app does: opening a thread marks it read
        service = ForumService(make_settings(
            server.base_url, tmp_path / "c", data_dir=Path(os.environ["NEREADER_DATA_DIR"]),
            config_dir=Path(os.environ["NEREADER_CONFIG_DIR"])))
        await service.open_thread(828388)
        await service.aclose()

    asyncio.run(read_one())
    code, out, _ = cli("following", "--json", "--offline")
    rows = json.loads(out)
    assert code == 0 and rows[0]["key"] == "networkextension"
    assert rows[0]["unread"] == 19 and rows[0]["threads"] == 20
    assert rows[0]["new_replies"] == 0 and rows[0]["age_seconds"] < 60
    code, out, _ = cli("following")
    assert "Network Extension (networkextension)" in out and "   19 " in out


def _page_one_with_news(site: Site) -> None:
    """Page 1 of the tag now: a brand-new thread on top, and more replies on 828388."""
    rows = [Row(900001, "A brand new question", "Just asked.", 0, 0, "1", "1m",
                tags=[("Network Extension", "networkextension")]),
            Row(828388, "NEFilterDataProvider activation", "Bumped.", 10, 0, "420", "2m",
                tags=[("Network Extension", "networkextension")])]
    site.replace_body("/forums/tags/networkextension", listing_page(
        "networkextension", "Network Extension", "Customize networking.", 203, 1, 11, rows))


def test_check_reports_news_between_two_checks(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    assert cli("check")[0] == 2  # following nothing
    cli("follow", "networkextension")
    code, out, _ = cli("check", "--exit-code")
    assert code == 0 and "first check" in out and "no news" in out
    code, out, _ = cli("check", "--exit-code")
    assert code == 0 and "Network Extension (networkextension): no news" in out
    conditional = site.counters.not_modified
    assert conditional >= 1  # the unchanged page cost a 304
    _page_one_with_news(site)
    code, out, _ = cli("check", "--exit-code")
    assert code == 1
    assert "1 new thread, 1 with new replies" in out
    assert "900001  A brand new question" in out and "+2 replies" in out
    code, out, _ = cli("check", "--json", "--exit-code")
    report = json.loads(out)
    assert code == 0 and report["news"] is False  # told once: the next check is quiet
    assert report["listings"][0]["first_check"] is False


def test_check_reports_bookmarks_without_marking_them_seen(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    cli("follow", "networkextension")
    assert cli("bookmarks", "add", "828388")[0] == 0
    assert "no news" in cli("check")[1]
    add_reply(site)
    code, out, _ = cli("check", "--json", "--exit-code")
    report = json.loads(out)
    assert code == 1 and [b["id"] for b in report["bookmarks"]] == [828388]
    assert "no news" in cli("check")[1]
    # The reader has still not seen the reply: the bookmark check and the app still say so.
    code, out, _ = cli("bookmarks", "check")
    assert code == 0 and "+1 new reply" in out


def test_check_notifies_through_notify_send(cli, site: Site, tmp_path: Path,  # type: ignore[no-untyped-def]
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cli("follow", "networkextension")
    cli("check")
    _page_one_with_news(site)
    # No notifier on PATH: said once, ever, and the report is still printed.
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, out, err = cli("check", "--notify")
    assert code == 0 and "1 new thread" in out and "no notify-send or osascript" in err
    site.replace_body("/forums/tags/networkextension",
                      site.routes["/forums/tags/networkextension"].body.replace(b"900001", b"900002"))
    code, out, err = cli("check", "--notify")
    assert "A brand new question" in out and "notify-send" not in err
    # With notify-send: it is called with the news.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "notified.txt"
    fake = bin_dir / "notify-send"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir))
    site.replace_body("/forums/tags/networkextension",
                      site.routes["/forums/tags/networkextension"].body.replace(b"900002", b"900003"))
    code, _, err = cli("check", "--notify", "--exit-code")
    assert code == 1 and err == ""
    sent = log.read_text()
    assert "nereader: 1 new thread" in sent and "new  A brand new question" in sent


def test_sync_with_no_listing_syncs_everything_followed(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    cli("follow", "networkextension", "wi-fi-aware")
    cli("bookmarks", "add", "821372")
    code, out, err = cli("sync", "--pages", "1", "--json")
    summary = json.loads(out)
    assert list(summary["listings"]) == ["networkextension", "wi-fi-aware"]
    # The fixture forum has pages for a few of the listed threads only: every other one is
    # a 404, said with its listing, and the sync exits as "not found" does (never 0).
    missing = summary["listings"]["networkextension"]["failures"]
    assert code == 6 == summary["exit_code"] and missing and all("404" in m for m in missing)
    assert f"failed: networkextension: {missing[0]}" in err
    assert summary["listings"]["networkextension"]["listing_pages"] == 1
    assert summary["listings"]["wi-fi-aware"]["threads"] == 0
    assert summary["bookmarks"] == 1 and summary["bookmarks_fetched"] == 0  # fresh already
    assert (summary["bookmarks_fresh"], summary["bookmarks_failed"]) == (1, 0)
    code, out, _ = cli("sync", "--pages", "1", "--no-threads")
    assert code == 0 and "synced networkextension: 1 listing page (1 already fresh)" in out
    assert "synced wi-fi-aware" in out and "total: 2 listings" in out
    # Naming a listing syncs that one, as before.
    code, out, _ = cli("sync", "wi-fi-aware", "--no-threads")
    assert code == 0 and out.startswith("synced wi-fi-aware")


def test_the_sync_summary_counts_bookmarks_fetched_fresh_and_failed_apart(cli) -> None:  # type: ignore[no-untyped-def]
    cli("follow", "networkextension")
    assert cli("bookmarks", "add", "828388")[0] == 0  # fetched now: fresh at the sync
    assert cli("bookmarks", "add", "821372", "--offline")[0] == 0  # not cached: fetched
    assert cli("bookmarks", "add", "999999", "--offline")[0] == 0  # the site has no such one
    code, out, err = cli("sync", "--pages", "1", "--no-threads")
    assert code == 6 and "bookmarks: 3 (1 fetched, 1 already fresh, 1 failed)" in out
    assert "failed: bookmark 999999" in err
    code, out, _ = cli("sync", "--pages", "1", "--no-threads", "--json")
    summary = json.loads(out)
    assert [summary[k] for k in ("bookmarks", "bookmarks_fetched", "bookmarks_fresh",
                                 "bookmarks_failed")] == [3, 0, 2, 1]


def test_config_path_show_and_edit(cli, config_file: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = cli("config", "path")
    assert code == 0 and out.splitlines()[0].split()[:3] == ["config", "file", str(config_file)]
    # The demo keeps what it follows out of the real config file (the theme is shared).
    demo = cli("config", "path", "--demo")[1].splitlines()
    assert demo[1].split()[:3] == ["demo", "config", str(config_file.parent / "demo" /
                                                       "config.toml")]
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "\\n[freshness]\\nlisting = 60\\n" >> "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    code, out, err = cli("config", "edit")
    # The template already has a [freshness] table: the editor made the file invalid.
    assert code == 2 and "line" in err and "freshness" in err
    config_file.write_text('theme = "nord"\n[freshness]\nlisting = 60\n')
    monkeypatch.setenv("NEREADER_RETRIES", "2")
    code, out, _ = cli("config", "show", "--json")
    shown = json.loads(out)["settings"]
    assert code == 0
    assert shown["freshness.listing"] == {"value": 60.0, "origin": "file", "where": "line 3"}
    assert shown["politeness.retries"]["origin"] == "environment"
    assert shown["base_url"]["origin"] == "flag" and shown["theme"]["value"] == "nord"
    assert shown["freshness.thread"] == {"value": 1800.0, "origin": "default", "where": ""}
    code, out, _ = cli("config", "show")
    assert "freshness.listing" in out and "file (line 3)" in out
    assert "environment (NEREADER_RETRIES)" in out and "flag (--base-url)" in out


def test_a_bad_config_file_fails_commands_with_its_line(cli, config_file: Path) -> None:  # type: ignore[no-untyped-def]
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text('follow = ["networkextension"]\n[politeness]\nretries = 1e9\n')
    code, out, err = cli("list")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "config.toml line 3: politeness.retries must be a whole number from 0 to 10" in err
    code, out, err = cli("config", "show")
    assert code == 2 and "has an error, left out" in out and "line 3" in err
