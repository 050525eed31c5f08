"""A command the CLI suggests runs against the same forum and folders as the one that
suggested it: it carries the flags the user gave (``--demo``, ``--base-url``, the folders, and
``--offline`` unless the command needs the network). Everything runs on the demo forum."""

from __future__ import annotations

import json
import os
import re
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


def _unflagged(text: str, carried: str, known: set[str]) -> list[str]:
    """Each command named in ``text`` (``nereader COMMAND ...``) whose rest of the line, up
    to the next command named, lacks the flags ``carried``; the doctor's title line
    ("nereader doctor · LISTING · ...") names no command to run."""
    missing = []
    for line in text.splitlines():
        starts = [m.start() for m in re.finditer(r"(?<![\w/-])nereader (\w+)", line)
                  if m.group(1) in known and not line[m.end():].startswith(" ·")]
        for at, end in zip(starts, [*starts[1:], len(line)], strict=False):
            if carried not in line[at:end]:
                missing.append(line[at:end])
    return missing


def test_every_command_the_cli_suggests_carries_the_flags_given(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Every path that names a command to run next, in output, warnings and errors: each
    command named keeps --demo and the folders given (a hint that dropped them would read
    the live site and the user's own folders)."""
    from nereader.cli import build_parser, commands

    known = set(commands(build_parser()))
    folders = ("--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d"))
    carried = f"--demo --cache-dir {tmp_path / 'c'} --data-dir {tmp_path / 'd'}"
    config = Path(os.environ["NEREADER_CONFIG_DIR"])
    (config / "demo").mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('[keys]\n"main.nosuch" = "ctrl+r"\n')
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"version": 1, "bookmarks": [
        {"id": 828388, "title": "t", "url": ""}]}))
    said: dict[tuple[str, ...], str] = {}

    def run(*args: str) -> None:
        main([*args, "--demo", *folders])
        out, err = capsys.readouterr()
        said[args] = out + err

    # Nothing followed, nothing bookmarked: the way to start.
    run("inbox")
    run("following")
    run("check")
    run("bookmarks")
    run("doctor", "--offline")  # nothing cached: what to run while online
    # Followed, with sections: the commands that list their threads.
    (config / "demo" / "config.toml").write_text(
        '[[sections]]\nname = "Staff replied"\nquery = "is:staff"\n\n'
        '[[sections]]\nname = "Drivers"\nquery = "panic"\n'
        'listing = "topics/app-and-system-services/app-and-system-services-drivers"\n')
    run("follow", "networkextension")
    run("following")
    run("inbox", "--section", "Drivers")  # its listing is not cached: what fills it
    # Output and warnings that name the next command.
    run("list", "nosuchtag")
    run("list", "packet-tunnel-provider")
    run("show", "830512")
    run("search", "--site", "tunnel")
    run("bookmarks", "import", str(export))
    run("config", "keys")
    expected = {
        ("inbox",): "`nereader follow LISTING",
        ("following",): "nereader inbox",
        ("check",): "`nereader follow LISTING",
        ("doctor", "--offline"): "`nereader doctor networkextension",
        ("inbox", "--section", "Drivers"): "`nereader sync topics/",
        ("list", "nosuchtag"): "`nereader topics",
        ("list", "packet-tunnel-provider"): "`nereader doctor packet-tunnel-provider",
        ("show", "830512"): "`nereader doctor",
        ("search", "--site", "tunnel"): "more: nereader search --site tunnel",
        ("bookmarks", "import", str(export)): "`nereader bookmarks check",
        ("config", "keys"): "`nereader config keys",
    }
    for args, hint in expected.items():
        assert hint in said[args], (args, said[args])
    assert "nereader inbox --section 'Staff replied'" in said[("following",)]
    for args, text in said.items():
        assert _unflagged(text, carried, known) == [], args
