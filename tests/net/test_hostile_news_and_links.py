"""`check` against a news.json of the wrong shape, symlinked config and bookmarks files, and
notifications carrying markup, through the CLI and the local forum (hostile local files)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from nereader.localforum.site import Site
from tests.net.test_following import _page_one_with_news


def data_dir() -> Path:
    return Path(os.environ["NEREADER_DATA_DIR"])


def config_dir() -> Path:
    return Path(os.environ["NEREADER_CONFIG_DIR"])


NEWS_SHAPES = {
    "max_id text": ({"listings": {"networkextension": {"max_id": "x", "threads": {"1": 2}}}},
                    'max_id "x"'),
    "listings list": ({"listings": []}, '"listings" is a list, not an object'),
    "bookmarks number": ({"bookmarks": 5}, '"bookmarks" is a number, not an object'),
    "snapshot number": ({"listings": {"networkextension": 7}}, "is a number, not an object"),
    "threads list": ({"listings": {"networkextension": {"max_id": 1, "threads": [1]}}},
                     "not a map of id: reply count"),
    "reply count true": ({"listings": {"networkextension": {"max_id": 1,
                                                             "threads": {"1": True}}}},
                         "not a map of id: reply count"),
    "seen posts text": ({"bookmarks": {"828388": "all"}}, "not a list of post ids"),
    "said object": ({"said": {}}, '"said" is an object, not a list'),
}


@pytest.mark.parametrize("name", list(NEWS_SHAPES))
def test_check_sets_a_wrong_shaped_news_json_aside_and_carries_on(cli, name: str) -> None:  # type: ignore[no-untyped-def]
    shape, reason = NEWS_SHAPES[name]
    assert cli("follow", "networkextension")[0] == 0
    news = data_dir() / "news.json"
    news.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps({"version": 1, **shape})
    news.write_text(raw)
    code, out, err = cli("check")
    assert code == 0 and "first check" in out, (out, err)
    assert "news.json" in err and reason in err and "Traceback" not in err, err
    aside = list(data_dir().glob("news.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == raw  # set aside whole
    assert json.loads(news.read_text())["listings"]["networkextension"]["max_id"] > 0
    code, out, err = cli("check")  # the next run is an ordinary one
    assert code == 0 and "no news" in out and err == "", err


def test_followed_config_and_bookmarks_stay_symlinks(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dots = tmp_path / "dots"
    dots.mkdir()
    real_toml, real_marks = dots / "real.toml", dots / "bm.json"
    real_toml.write_text("# mine\ntheme = \"textual-dark\"\n")
    real_toml.chmod(0o644)
    real_marks.write_text('{"version": 1, "bookmarks": [{"id": 707294, "title": "Kept"}]}')
    real_marks.chmod(0o640)
    config_dir().mkdir(parents=True, exist_ok=True)
    data_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "config.toml").symlink_to(real_toml)
    (data_dir() / "bookmarks.json").symlink_to(os.path.relpath(real_marks, data_dir()))
    assert cli("follow", "networkextension")[0] == 0
    assert cli("bookmarks", "add", "828388")[0] == 0
    for link, target, mode in ((config_dir() / "config.toml", real_toml, 0o644),
                               (data_dir() / "bookmarks.json", real_marks, 0o640)):
        assert link.is_symlink() and link.resolve() == target
        assert stat.S_IMODE(target.stat().st_mode) == mode  # the user's mode is kept
    assert "# mine" in real_toml.read_text() and "networkextension" in real_toml.read_text()
    assert [b["id"] for b in json.loads(real_marks.read_text())["bookmarks"]] == [707294, 828388]
    assert not list(dots.glob(".*.tmp")) and not list(config_dir().glob(".*.tmp"))


def test_a_new_bookmarks_file_is_private(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("bookmarks", "add", "828388")[0] == 0
    assert stat.S_IMODE((data_dir() / "bookmarks.json").stat().st_mode) == 0o600


def test_notify_send_gets_the_titles_as_text_not_markup(cli, site: Site, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cli("follow", "networkextension")
    cli("check")
    _page_one_with_news(site)
    hostile = ('<a href="https://evil.example/login">Apple ID locked – click</a> '
               '<img src="file:///etc/passwd"> & <b>x')
    route = site.routes["/forums/tags/networkextension"]
    site.replace_body("/forums/tags/networkextension", route.body.replace(
        b"A brand new question", hostile.replace("&", "&amp;").replace("<", "&lt;").replace(
            ">", "&gt;").replace('"', "&quot;").encode()))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "notified.txt"
    fake = bin_dir / "notify-send"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir))
    code, out, err = cli("check", "--notify")
    assert code == 0 and err == "" and hostile in out  # the report itself is literal
    body = log.read_text().splitlines()[2:]
    assert any("&lt;a href=\"https://evil.example/login\"&gt;Apple ID" in line for line in body)
    assert "<" not in "".join(body) and "&amp; &lt;b&gt;x" in "".join(body)
