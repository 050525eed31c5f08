"""`config edit` works on a copy saved under the file's lock: a follow (or a theme picked in
the app) while the editor is open is kept, the same setting changed both ways is refused, and
the file's bytes (comments, CRLF, a byte order mark) come through."""

from __future__ import annotations

import stat
import sys
import threading
import tomllib
from pathlib import Path

import pytest

from nereader.cli import main
from nereader.core.config import begin_edit, edit_top_level, finish_edit
from nereader.core.settings import ConfigError
from nereader.core.store import atomic_write_text, file_lock

FILE = """\
# mine
follow = [
    "networkextension",  # work
]
theme = "nord"

[freshness]
# listing = 600
"""


def config(tmp_path: Path, text: str = FILE, crlf: bool = False, bom: bool = False) -> Path:
    path = tmp_path / "config.toml"
    text = ("\ufeff" if bom else "") + (text.replace("\n", "\r\n") if crlf else text)
    path.write_bytes(text.encode("utf-8"))
    return path


def read(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_bytes().decode("utf-8").removeprefix("\ufeff"))


@pytest.mark.parametrize(("crlf", "bom"), [(False, False), (True, True)])
def test_with_nothing_changed_meanwhile_the_copy_is_saved_byte_for_byte(
        tmp_path: Path, crlf: bool, bom: bool) -> None:
    path = config(tmp_path, crlf=crlf, bom=bom)
    edit = begin_edit(path)
    assert edit.copy.parent == path.parent and edit.copy.read_bytes() == path.read_bytes()
    mine = edit.copy.read_bytes().replace(b"# listing = 600", b"listing = 60  # quicker")
    edit.copy.write_bytes(mine)
    saved = finish_edit(edit)
    assert saved.changed and saved.kept == ()
    assert path.read_bytes() == mine and not edit.copy.exists()


def test_a_follow_while_the_editor_is_open_is_kept(tmp_path: Path) -> None:
    path = config(tmp_path, crlf=True)
    edit = begin_edit(path)
    edit_top_level(path, "follow", lambda old: [*old, "wi-fi-aware"])  # type: ignore[misc]
    edit.copy.write_bytes(edit.copy.read_bytes().replace(
        b"# listing = 600", b"listing = 60  # quicker"))
    saved = finish_edit(edit)
    assert saved.changed and saved.kept == ("follow",)
    text = path.read_bytes().decode("utf-8")
    assert read(path) == {"follow": ["networkextension", "wi-fi-aware"], "theme": "nord",
                          "freshness": {"listing": 60}}
    assert "listing = 60  # quicker\r\n" in text and '"networkextension",  # work\r\n' in text
    assert "\n" not in text.replace("\r\n", "")  # still CRLF throughout
    assert not edit.copy.exists()


def test_a_concurrent_edit_is_kept_by_the_apps_theme_save_too(tmp_path: Path) -> None:
    """The other way round: the app saves a theme after the edit is saved; and an edit that
    unfollows while the app saved a theme keeps both."""
    path = config(tmp_path)
    edit = begin_edit(path)
    edit_top_level(path, "theme", lambda old: "dracula")  # picked in the app meanwhile
    edit.copy.write_text(edit.copy.read_text().replace('    "networkextension",  # work\n', ""))
    assert finish_edit(edit).kept == ("theme",)
    edit_top_level(path, "theme", lambda old: "monokai")
    assert read(path) == {"follow": [], "theme": "monokai", "freshness": {}}


def test_the_same_setting_changed_both_ways_is_refused_and_the_copy_kept(tmp_path: Path) -> None:
    path = config(tmp_path)
    edit = begin_edit(path)
    edit_top_level(path, "theme", lambda old: "dracula")
    mine = edit.copy.read_text().replace('theme = "nord"', 'theme = "monokai"')
    edit.copy.write_text(mine)
    with pytest.raises(ConfigError) as caught:
        finish_edit(edit)
    message = str(caught.value)
    assert "theme changed while you edited it" in message and str(edit.copy) in message
    assert "\n" not in message and caught.value.exit_code == 2
    assert read(path)["theme"] == "dracula" and edit.copy.read_text() == mine


def test_the_same_change_made_both_ways_is_no_conflict(tmp_path: Path) -> None:
    path = config(tmp_path)
    edit = begin_edit(path)
    edit_top_level(path, "theme", lambda old: "dracula")
    edit.copy.write_text(edit.copy.read_text().replace('"nord"', '"dracula"  # mine'))
    assert finish_edit(edit).changed
    assert 'theme = "dracula"  # mine' in path.read_text()


def test_nothing_edited_leaves_the_file_as_it_is_now(tmp_path: Path) -> None:
    path = config(tmp_path)
    edit = begin_edit(path)
    edit_top_level(path, "follow", lambda old: [])
    now = path.read_bytes()
    assert not finish_edit(edit).changed
    assert path.read_bytes() == now and not edit.copy.exists()


def test_the_edit_is_saved_under_the_files_lock(tmp_path: Path) -> None:
    """A writer holding the lock (another nereader saving a follow) is waited for, and what
    it wrote is kept: the file is read again under the lock, not before it."""
    path = config(tmp_path)
    edit = begin_edit(path)
    edit.copy.write_text(edit.copy.read_text().replace("# listing = 600", "listing = 60"))
    saver = threading.Thread(target=finish_edit, args=(edit,))
    with file_lock(path.with_name(path.name + ".lock")):
        saver.start()  # it cannot read the file before the lock is let go
        atomic_write_text(path, FILE.replace('"nord"', '"dracula"'))
    saver.join()
    assert read(path) == {"follow": ["networkextension"], "theme": "dracula",
                          "freshness": {"listing": 60}}


def editor(tmp_path: Path, script: str) -> str:
    """An $EDITOR: a shell script run on the copy ($1)."""
    path = tmp_path / "editor.sh"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


FOLLOW_MEANWHILE = (f'"{sys.executable}" -c "from pathlib import Path; '
                    "from nereader.core.config import edit_top_level; "
                    "edit_top_level(Path('$CONFIG'), 'follow', lambda old: [*old, 'wi-fi-aware'])\"")


def test_config_edit_keeps_a_follow_made_while_the_editor_was_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = config(tmp_path)
    monkeypatch.setenv("NEREADER_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("CONFIG", str(path))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor(tmp_path, FOLLOW_MEANWHILE + "\n"
                                        'printf "[politeness]\\nretries = 2\\n" >> "$1"'))
    assert main(["config", "edit"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"{path}: OK"
    assert err.strip() == f"kept what changed in {path} while you edited it: follow"
    assert read(path) == {"follow": ["networkextension", "wi-fi-aware"], "theme": "nord",
                          "freshness": {}, "politeness": {"retries": 2}}
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".toml") == ["config.toml"]


def test_config_edit_refuses_a_setting_changed_both_ways_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = config(tmp_path)
    monkeypatch.setenv("NEREADER_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("CONFIG", str(path))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor(tmp_path, FOLLOW_MEANWHILE + "\n"
                                        "sed -i 's/\"networkextension\",/\"ios\",/' \"$1\""))
    assert main(["config", "edit"]) == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1 and "follow changed while you edited it" in err
    copy = next(p for p in tmp_path.iterdir() if p.name.endswith(".edit.toml"))
    assert str(copy) in err and '"ios",' in copy.read_text()
    assert read(path)["follow"] == ["networkextension", "wi-fi-aware"]


def test_an_editor_that_fails_saves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = config(tmp_path)
    monkeypatch.setenv("NEREADER_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor(tmp_path, "exit 1"))
    assert main(["config", "edit"]) == 2
    _, err = capsys.readouterr()
    assert "is unchanged" in err and err.count("\n") == 1
    assert path.read_text() == FILE
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".toml"] == ["config.toml"]


def test_a_copy_saved_in_another_encoding_is_not_written_over_the_file(tmp_path: Path) -> None:
    path = config(tmp_path)
    edit = begin_edit(path)
    edit.copy.write_bytes(FILE.replace("# mine", "# caf\xe9").encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        finish_edit(edit)
    assert str(caught.value).startswith(f"{edit.copy} line 1, column 6: byte 0xe9 is not UTF-8")
    assert str(caught.value).endswith(f"{path} is unchanged")
    assert path.read_text() == FILE and edit.copy.exists()


def test_a_copy_that_is_not_toml_is_not_merged_with_a_change_made_meanwhile(
        tmp_path: Path) -> None:
    path = config(tmp_path)
    edit = begin_edit(path)
    edit_top_level(path, "theme", lambda old: "dracula")
    edit.copy.write_text(FILE + "[freshness]\n")  # a table twice
    with pytest.raises(ConfigError) as caught:
        finish_edit(edit)
    message = str(caught.value)
    assert f"{edit.copy} line 9, column" in message and message.endswith(
        f"your edit is kept in {edit.copy}")
    assert read(path)["theme"] == "dracula" and edit.copy.exists()
