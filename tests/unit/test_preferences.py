"""The theme, [keys] and saved filters are the user's, whatever forum is read: the demo takes
them from the user's own config file, and keeps its followed listings, bookmarks and pages
apart. ``config path`` says which file holds what."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nereader.cli import main
from nereader.cli.common import resolve_settings
from nereader.core.service import ForumService
from nereader.localforum import demo_transport


def _config(root: Path) -> tuple[Path, Path]:
    """The user's config file and the demo's, under the test's config folder."""
    import os

    users = Path(os.environ["NEREADER_CONFIG_DIR"])
    users.mkdir(parents=True, exist_ok=True)
    (users / "demo").mkdir(exist_ok=True)
    return users / "config.toml", users / "demo" / "config.toml"


def _settings(*args: str):  # type: ignore[no-untyped-def]
    import argparse

    from nereader.cli import build_parser

    parsed, _ = build_parser().parse_known_args(["config", "show", *args])
    assert isinstance(parsed, argparse.Namespace)
    return resolve_settings(parsed)


def test_the_demo_takes_the_theme_and_keys_from_the_users_file(tmp_path: Path) -> None:
    users, demo = _config(tmp_path)
    users.write_text('theme = "nord"\nfollow = ["wi-fi-aware"]\n'
                     '[keys]\n"main.refresh" = "ctrl+r"\n"app.quit" = "q,ctrl+q"\n')
    demo.write_text('follow = ["networkextension"]\n[keys]\n"main.filter" = "ctrl+l"\n'
                    '"main.refresh" = "R"\n')
    resolved = _settings("--demo")
    settings = resolved.settings
    assert settings.theme == "nord"
    # The demo's own [keys] (saved there before the two were shared) still apply, the
    # user's file remapping over them id by id.
    assert settings.keymap == {"main.filter": "ctrl+l", "main.refresh": "ctrl+r",
                               "app.quit": "q,ctrl+q"}
    assert settings.following == ("networkextension",)  # the demo follows its own
    assert resolved.origins["theme"].where == f"{users} line 1"
    assert resolved.origins["keys.main.filter"].where == "line 3"
    live = _settings().settings
    assert live.theme == "nord" and live.following == ("wi-fi-aware",)
    assert live.keymap == {"main.refresh": "ctrl+r", "app.quit": "q,ctrl+q"}


def test_a_theme_the_demo_saved_before_keeps_working(tmp_path: Path) -> None:
    users, demo = _config(tmp_path)
    demo.write_text('theme = "dracula"\n')
    assert _settings("--demo").settings.theme == "dracula"  # the user's file has none
    users.write_text('theme = "nord"\n')
    assert _settings("--demo").settings.theme == "nord"  # the user's own comes first


async def test_a_theme_picked_in_the_demo_is_saved_as_the_users(tmp_path: Path) -> None:
    users, demo = _config(tmp_path)
    users.write_text('# mine\ntheme = "nord"\n')
    demo.write_text('follow = ["networkextension"]\ntheme = "dracula"\n')
    service = ForumService(_settings("--demo").settings.with_(
        cache_dir=tmp_path / "c", data_dir=tmp_path / "d"), transport=demo_transport())
    try:
        await service.save_theme("gruvbox")
        await service.save_filter("unanswered", "is:unanswered replies:0")
    finally:
        await service.aclose()
    assert users.read_text() == '# mine\ntheme = "gruvbox"\n'
    # The demo's old theme goes (it would stand for the user's); its follows stay.
    assert demo.read_text() == 'follow = ["networkextension"]\n'
    assert _settings().settings.theme == "gruvbox" == _settings("--demo").settings.theme
    saved = json.loads((users.parent / "filters.json").read_text())
    assert saved == {"unanswered": "is:unanswered replies:0"}


def test_a_bad_users_file_leaves_the_demo_on_its_own(tmp_path: Path) -> None:
    users, demo = _config(tmp_path)
    users.write_text('theme = 5\n')
    demo.write_text('follow = ["networkextension"]\n')
    import argparse

    from nereader.cli import build_parser

    parsed = build_parser().parse_known_args(["config", "show", "--demo"])[0]
    assert isinstance(parsed, argparse.Namespace)
    resolved = resolve_settings(parsed, lenient=True)
    assert resolved.settings.following == ("networkextension",)
    assert resolved.file_error is not None and f"{users} line 1: theme" in resolved.file_error


@pytest.mark.parametrize("bad", ["[politeness]\nmin_gap = -1\n", "[politeness]\nmin_gap = \"x\"\n",
                                 '[[sections]]\nname = "x"\nquery = "is:nope"\n'])
def test_a_bad_users_file_stops_the_demos_commands_as_it_stops_the_others(
        bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The demo reads the user's file (its theme, [keys], saved filters beside it): a setting
    in it that does not read stops the commands with the same one line, exit 2, as without
    --demo, even one the demo does not use; it was left out in silence. The app and
    `config show` start all the same and say what is wrong, and in which file."""
    users, demo = _config(tmp_path)
    users.write_text('theme = "nord"\n' + bad)
    data = ("--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d"))
    assert main(["bookmarks", "list", *data]) == 2
    live = capsys.readouterr().err
    assert main(["list", "--demo", *data]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == live and err.count("\n") == 1
    assert err.startswith(f"nereader: error: {users} line ")
    assert main(["config", "show", "--demo"]) == 2
    out, err = capsys.readouterr()
    assert f"config file: {demo} (not there (defaults))" in out
    assert f"theme and [keys] from: {users} (has an error, left out)" in out
    assert err.startswith(f"nereader: error: {users} line ") and "leave the file out" in err


def test_config_path_says_which_file_is_which(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    users, demo = _config(tmp_path)
    assert main(["config", "path", "--json"]) == 0
    live = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert live["config file"]["path"] == str(users)
    assert "followed listings" in live["config file"]["holds"]
    assert "demo config" not in live
    assert main(["config", "path", "--demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["config", "file", str(users)]
    assert "theme and [keys], shared with --demo and the live site" in lines[0]
    assert lines[1].split()[:3] == ["demo", "config", str(demo)]
    assert "the demo's settings and followed listings" in lines[1]
    assert any(line.startswith("saved filters") and str(users.parent / "filters.json") in line
               for line in lines)
    assert any(line.startswith("data folder") and "the demo's bookmarks" in line
               for line in lines)
