"""A command the CLI suggests runs against the same forum and folders as the one that
suggested it: it carries the flags the user gave (``--demo``, ``--base-url``, the folders, and
``--offline`` unless the command needs the network). Everything runs on the demo forum."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from nereader.cli import main
from nereader.cli.common import given_flags, next_command, with_flags


def test_next_command_keeps_the_flags_given() -> None:
    flags = given_flags(["list", "--demo", "--base-url=http://127.0.0.1:9", "--offline",
                         "--cache-dir", "/tmp/a b", "--json"])
    assert flags == ["--demo", "--base-url", "http://127.0.0.1:9", "--cache-dir",
                     shlex.quote("/tmp/a b"), "--offline"]
    assert next_command("show 12", flags) == (
        "nereader show 12 --demo --base-url http://127.0.0.1:9 --cache-dir '/tmp/a b' "
        "--offline")
    # A command that needs the network never carries --offline.
    for online in ("sync networkextension --no-threads", "bookmarks check", "check",
                   "show 12 --refresh"):
        assert "--offline" not in next_command(online, flags), online
        assert "--demo" in next_command(online, flags), online
    # After `--` every word is an argument: the flags go before it.
    assert next_command("search --site -- -vpn", ["--demo"]) == (
        "nereader search --site --demo -- -vpn")
    assert next_command("parse FILE", flags) == "nereader parse FILE"
    assert given_flags(["list"]) == [] and given_flags(["--base-url"]) == []
    message = "offline and x is not in the cache; run `nereader show 5` while online"
    assert with_flags(message, flags).endswith(
        "run `nereader show 5 --demo --base-url http://127.0.0.1:9 --cache-dir '/tmp/a b'` "
        "while online")
    assert with_flags("see `nereader topics`", ["--demo"]) == "see `nereader topics --demo`"
    assert with_flags("see `nereader topics`", []) == "see `nereader topics`"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_hints_in_errors_and_output_carry_the_flags(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    folders = ("--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d"))
    carried = f"--demo --cache-dir {tmp_path / 'c'} --data-dir {tmp_path / 'd'}"
    # A listing the site does not have: the topic tree to look in, on the same forum.
    code, _, err = _run(capsys, "list", "nosuchtag", "--demo", *folders)
    assert code == 6 and f"`nereader topics {carried}`" in err
    # Offline and not cached: the command that fetches it, online.
    code, _, err = _run(capsys, "show", "821372", "--offline", *folders)
    assert code == 3 and f"`nereader show 821372 --cache-dir {tmp_path / 'c'} --data-dir" in err
    assert "--offline`" not in err
    # A near miss of a command: the tag of that name, on the same forum.
    code, _, err = _run(capsys, "lsit", "--demo")
    assert code == 2 and "(to open a tag of that name: nereader tags/lsit --demo)" in err
    # Output that suggests the next command.
    code, out, _ = _run(capsys, "bookmarks", "--demo", *folders)
    assert code == 0 and f"no bookmarks yet: nereader bookmarks add THREAD {carried}" in out
    code, out, _ = _run(capsys, "search", "--site", "tunnel", "--demo", *folders)
    assert code == 0 and f"more: nereader search --site tunnel --page 2 {carried}" in out
    code, out, _ = _run(capsys, "following", "--demo", *folders)
    assert code == 0 and f"`nereader follow LISTING {carried}` adds one" in out


def test_pages_with_all_is_a_usage_error(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = demo_cli("list", "--all", "--pages", "2")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "--pages and --all do not go together" in err
    assert demo_cli("list", "--pages", "2")[0] == 0
