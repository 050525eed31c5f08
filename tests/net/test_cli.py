"""The scriptable CLI against the local forum: output shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nereader.cli import main
from nereader.localforum.routes import Route
from nereader.localforum.server import ForumServer
from nereader.localforum.site import Faults, Site
from tests.conftest import FIXTURES, fixture_bytes


def test_list_json(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("list", "--json")
    assert code == 0 and err == ""
    rows = json.loads(out)
    assert len(rows) == 20
    required = {"id", "title", "url", "excerpt", "replies", "boosts", "views", "views_text",
                "activity", "activity_at", "answered", "apple_recommended", "tags"}
    assert required <= set(rows[0])
    assert rows[0]["views"] == 3300 and rows[0]["views_text"] == "3.3k"
    assert rows[0]["activity"] == "Mar ’26"
    assert rows[0]["tags"][0] == {"name": "Network Extension", "slug": "networkextension"}


def test_list_two_pages_table(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("list", "networkextension", "--pages", "2")
    assert code == 0
    assert "pages 1-2 of 11" in out and "40 threads" in out
    assert "Network Extension Resources" in out and "826900" in out


def test_a_page_of_a_one_page_listing_past_it_is_not_found(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    """A site that answers ?page=2 of a one-page listing with that one page (no pagination):
    past the last page (1), exit 6, not a changed layout (exit 4)."""
    single = fixture_bytes("tag-empty.html")
    site.add("/forums/tags/networkextension", Route(single))
    site.add("/forums/tags/networkextension?page=2", Route(single))
    code, out, err = cli("list", "--page", "2")
    assert (code, out) == (6, "")
    assert "networkextension has no page 2: it has 1 page" in err and err.count("\n") == 1
    assert cli("list")[0] == 0


def test_show_json_and_markdown(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("show", "https://developer.apple.com/forums/thread/828388?answerId=1#1",
                       "--json")
    data = json.loads(out)
    assert code == 0 and {"id", "title", "url", "tags", "locked", "posts"} <= set(data)
    post = data["posts"][2]
    assert {"id", "kind", "parent_id", "author", "apple_staff", "role", "created_at", "accepted",
            "apple_recommended", "body_markdown"} <= set(post)
    assert post["accepted"] and post["apple_staff"] and post["author"] == "DTS Engineer"
    assert data["posts"][3]["parent_id"] == post["id"]
    code, out, _ = cli("show", "821372", "--markdown")
    assert code == 0 and out.count("## Reply ") == 36


def test_offline_miss_is_exit_3_one_line(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("show", "828388", "--offline")
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "nereader show 828388" in err
    assert "Traceback" not in err


def test_stale_is_exit_0_with_warning(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    assert cli("show", "828388")[0] == 0
    site.faults = Faults(status=503)
    code, out, err = cli("show", "828388", "--refresh")
    assert code == 0 and "Accepted answer" in out
    assert err.startswith("nereader: warning:") and "503" in err


def test_bot_check_is_exit_4(cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("show", "777001")
    assert code == 4 and "bot check" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "args",
    [("list", "--sort", "hot"), ("list", "--order", "up"), ("show", "not-a-thread"),
     ("list", "--pages", "0"), ("list", "https://example.com/x/y"), ("frobnicate", "--bad")],
)
def test_usage_errors_are_exit_2(cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli(*args)
    assert code == 2 and err.startswith("nereader: error:") and err.count("\n") == 1


def test_sync_and_cache_commands(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("sync", "--pages", "1", "--json")
    summary = json.loads(out)
    assert summary["listing_pages"] == 1 and summary["listed"] == 20
    assert summary["threads"] + len(summary["failures"]) == 20
    # The fixture forum lacks most of the listed threads: each 404 is a failure, so the
    # sync exits 6 (not found), and what it got reads offline.
    assert code == 6 == summary["exit_code"] and summary["offline"] == summary["threads"] > 0
    code, out, _ = cli("cache", "info", "--json")
    info = json.loads(out)
    assert code == 0 and info["pages"] >= 4
    code, out, _ = cli("cache", "clear")
    assert code == 0 and "removed" in out
    assert json.loads(cli("cache", "info", "--json")[1])["pages"] == 0


def test_parse_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nereader", "parse", str(FIXTURES / "thread-707294.html")],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0
    data = json.loads(done.stdout)
    assert data["locked"] is True and data["posts"][0]["apple_recommended"] is True
    bad = subprocess.run(
        [sys.executable, "-m", "nereader", "parse", str(FIXTURES / "challenge.html")],
        capture_output=True, text=True, check=False,
    )
    assert bad.returncode == 4 and "bot check" in bad.stderr and "Traceback" not in bad.stderr
    debug = subprocess.run(
        [sys.executable, "-m", "nereader", "parse", "/nonexistent", "--debug"],
        capture_output=True, text=True, check=False,
    )
    assert debug.returncode == 2 and "Traceback" in debug.stderr


def test_list_filter_and_bad_filter(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("list", "--json", "--filter", "is:answered replies:>=3 sort:-replies")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows] == [788921, 828410, 827460]
    code, out, err = cli("list", "--filter", "replies:>lots")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "column 10" in err and "⟦lots⟧" in err


def test_search_is_local_and_rebuildable(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    assert cli("show", "828388")[0] == 0  # reading indexes the thread
    requests = site.counters.requests
    code, out, _ = cli("search", "sysdiagnose", "--json")
    hits = json.loads(out)
    assert code == 0 and hits[0]["thread_id"] == 828388
    start, end = hits[0]["matches"][0]
    assert hits[0]["snippet"][start:end].lower() == "sysdiagnose"
    assert site.counters.requests == requests  # the search never touched the site
    code, _, err = cli("search", "--rebuild")
    assert code == 0 and "indexed 1 cached thread (" in err
    code, out, _ = cli("search", "NEURLFilterManager")
    assert code == 0 and "828388" in out
    assert cli("search", "-only")[0] == 2


def test_a_local_forum_keeps_its_data_apart(server: ForumServer, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's local forum recipe: in the default folders (the user's own), a local
    forum's bookmarks and pages live apart; folders given are used as given."""
    monkeypatch.setenv("NEREADER_MIN_GAP", "0")
    for name in ("NEREADER_DATA_DIR", "NEREADER_CACHE_DIR"):
        monkeypatch.delenv(name)
    data = Path(os.environ["XDG_DATA_HOME"]) / "nereader"
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "nereader"
    port = server.base_url.rsplit(":", 1)[1]
    code = main(["bookmarks", "add", "828388", "--base-url", server.base_url])
    capsys.readouterr()
    assert code == 0 and (data / f"local-{port}" / "bookmarks.json").is_file()
    assert not (data / "bookmarks.json").exists()
    assert [p.name for p in cache.iterdir()] == [f"local-{port}"]
    given = tmp_path / "given"
    assert main(["bookmarks", "add", "828388", "--base-url", server.base_url,
                 "--data-dir", str(given)]) == 0
    assert (given / "bookmarks.json").is_file()
