"""`nereader inbox`, its sections and the ids in the human output of `list`, `inbox`,
`bookmarks list` and `following`, on the in-process demo forum."""

from __future__ import annotations

import asyncio
import json
import os
import re
from pathlib import Path

import pytest

from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.localforum import Site, SiteTransport

NETWORKING = "topics/app-and-system-services/app-and-system-services-networking"


@pytest.fixture
def demo_config() -> Path:
    """The config file `--demo` reads (a demo folder of its own)."""
    folder = Path(os.environ["NEREADER_CONFIG_DIR"]) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "config.toml"


def read(tmp_path: Path, *ids: int) -> None:
    """Open threads as the app does (which marks them read), in the CLI's folders."""

    async def go() -> None:
        service = ForumService(Settings(cache_dir=tmp_path / "c", data_dir=tmp_path / "d",
                                        min_gap=0.0), transport=SiteTransport(Site.bundled()))
        for thread_id in ids:
            await service.open_thread(thread_id)
        await service.aclose()

    asyncio.run(go())


def test_the_inbox_names_each_threads_id_news_and_listing(demo_cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # the table fits the terminal: this one is 100 wide
    assert demo_cli("follow", "networkextension", NETWORKING)[0] == 0
    read(tmp_path, 828388)
    code, out, err = demo_cli("inbox")
    assert code == 0 and err == ""
    head, columns, first, *rest = out.splitlines()
    assert head == "Inbox · 19 threads: 19 unread, 0 with new replies"
    assert columns.split()[:3] == ["id", "new", "title"]
    assert re.match(r"^\s+829114  new\s+Local Push - app-push-provider\s+Network Extension \+1",
                    first)
    assert len(rest) == 18 and not any(line.split()[0] == "828388" for line in rest)
    assert demo_cli("show", first.split()[0])[0] == 0  # the id copies into show
    assert len(demo_cli("inbox", "--all")[1].splitlines()) == 22
    code, out, _ = demo_cli("inbox", "--filter", "is:answered")
    assert code == 0 and out.startswith("Inbox · 6 threads")
    code, _, err = demo_cli("inbox", "--filter", "is:answerd")
    assert code == 2 and "column 4" in err


def test_inbox_json_for_scripts(demo_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    demo_cli("follow", "networkextension", NETWORKING)
    demo_cli("bookmarks", "add", "828388")
    read(tmp_path, 821372)
    code, out, _ = demo_cli("inbox", "--json")
    items = json.loads(out)
    assert code == 0 and len(items) == 19 and 821372 not in [i["id"] for i in items]
    first = items[0]
    assert {k: first[k] for k in ("id", "listing", "listing_name", "unread", "new_replies",
                                  "new_posts", "bookmarked", "replies", "activity")} == {
        "id": 829114, "listing": "networkextension", "listing_name": "Network Extension",
        "unread": True, "new_replies": 0, "new_posts": 0, "bookmarked": False, "replies": 2,
        "activity": "4m"}
    assert first["listings"] == [{"key": "networkextension", "name": "Network Extension"},
                                 {"key": NETWORKING, "name": "Networking"}]
    marked = next(i for i in items if i["id"] == 828388)
    assert marked["bookmarked"] and marked["unread"]  # bookmarking is no reading
    assert len(json.loads(demo_cli("inbox", "--json", "--all")[1])) == 20


def test_sections_from_the_command_line(demo_cli, demo_config: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    flags = f"--demo --cache-dir {tmp_path / 'c'} --data-dir {tmp_path / 'd'}"
    demo_cli("follow", "networkextension")
    demo_config.write_text(demo_config.read_text() + (
        '\n[[sections]]\nname = "Busy answered"\nquery = "is:answered replies:>2"\n'))
    code, out, err = demo_cli("inbox", "--section", "busy answered")
    assert code == 0 and err == ""
    assert out.splitlines()[0] == ("Busy answered · is:answered replies:>2 over the inbox · "
                                   "3 threads: 3 unread, 0 with new replies")
    code, out, _ = demo_cli("following")
    assert out.splitlines()[:2] == [
        f"inbox: 20 threads (20 unread, 0 with new replies): nereader inbox {flags}",
        "section 'Busy answered' (is:answered replies:>2 over the inbox): 3 threads (3 "
        f"unread, 0 with new replies): nereader inbox --section 'Busy answered' {flags}"]
    code, out, err = demo_cli("inbox", "--section", "nope")
    assert (code, out) == (2, "") and err.count("\n") == 1 and "'Busy answered'" in err
    assert demo_cli("inbox", "--section", "busy answered", "--all")[0] == 2
    demo_config.write_text(demo_config.read_text() + (
        '\n[[sections]]\nname = "Broken"\nquery = "sort:views replies:>"\n'))
    code, out, err = demo_cli("inbox")
    assert code == 2 and out == "" and err.count("\n") == 1
    line = demo_config.read_text().splitlines().index('query = "sort:views replies:>"') + 1
    assert (f"config.toml line {line}: sections[2].query is not a filter query: bad filter at "
            "column 21:") in err


def test_list_and_bookmarks_print_ids(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = demo_cli("list")
    lines = out.splitlines()
    assert code == 0 and lines[1].split()[:2] == ["id", "title"]
    assert lines[2].split()[0] == "707294" and lines[3].split()[:2] == ["829114", "Local"]
    assert demo_cli("list", "--json")[1].lstrip().startswith("[")  # JSON as it was
    demo_cli("bookmarks", "add", "828388")
    assert demo_cli("bookmarks")[1].startswith("828388  NEFilterDataProvider")
