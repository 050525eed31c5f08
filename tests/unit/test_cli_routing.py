"""Routing on the command line: global options anywhere, unknown commands, the app's guard,
help, completion scripts and exit codes. Everything runs on the in-process demo forum."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from nereader.cli import first_word, main


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def go(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return go


@pytest.mark.parametrize("order", ["before", "after", "split"])
def test_global_options_before_or_after_the_command(run, tmp_path: Path, order: str) -> None:  # type: ignore[no-untyped-def]
    cache = str(tmp_path / "c")
    args = {"before": ["--demo", "--cache-dir", cache, "list", "--json"],
            "after": ["list", "--json", "--demo", "--cache-dir", cache],
            "split": ["--cache-dir", cache, "list", "--demo", "--json"]}[order]
    code, out, err = run(*args)
    assert code == 0 and err == ""
    assert len(json.loads(out)) == 20
    assert (tmp_path / "c" / "pages-v2").is_dir()  # the cache folder given, used as given


def test_a_value_option_before_the_command_is_not_the_command(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("--base-url", "http://forum.test", "--cache-dir", str(tmp_path), "list",
                       "--offline")
    assert code == 3 and "http://forum.test/forums/tags/networkextension" in err
    assert first_word(["--base-url", "http://x", "--offline", "list"]) == "list"
    assert first_word(["--base-url=http://x", "show", "1"]) == "show"
    assert first_word(["--debug", "--", "list"]) == "list"


@pytest.mark.parametrize(("word", "hint"), [("lsit", "'list'"), ("bookmark", "'bookmarks'"),
                                            ("serach", "'search'")])
def test_a_misspelt_command_is_an_error_with_a_hint(run, word: str, hint: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(word)
    assert code == 2 and out == ""
    assert f"unknown command {word!r}; did you mean {hint}?" in err
    assert err.count("\n") == 1 and f"nereader tags/{word}" in err


def test_neither_command_nor_listing(run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("not a/tag?")
    assert code == 2 and "neither a command" in err


@pytest.mark.parametrize("args", [(), ("networkextension",), ("tags/list",), ("--demo",)])
def test_the_app_refuses_to_start_without_a_terminal(run, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(*args)  # pytest's stdin and stdout are not terminals
    assert code == 2 and out == ""
    assert "needs a terminal" in err and "nereader list" in err and err.count("\n") == 1


def test_help_shows_the_listing_argument_commands_and_exit_codes(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("--help")
    assert code == 0
    for text in ("LISTING", "nereader COMMAND", "list ", "bookmarks ", "completion ",
                 "exit codes", "5  local storage failed"):
        assert text in out, text
    code, out, _ = run("list", "--help")
    assert code == 0 and "--cache-dir" in out and "LISTING" in out


def test_storage_failure_is_exit_5(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, out, err = run("bookmarks", "list", "--data-dir", str(blocker / "data"))
    assert code == 5 and out == "" and err.startswith("nereader: error: ")
    assert err.count("\n") == 1


def completion(shell: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    assert main(["completion", shell]) == 0
    script = tmp_path / f"nereader.{shell}"
    script.write_text(capsys.readouterr().out)
    return script


def test_bash_completion_completes_commands_options_and_values(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    script = completion("bash", capsys, tmp_path)
    probe = (f"source {script}; "
             "COMP_WORDS=(nereader --cache-dir /tmp bo); COMP_CWORD=3; _nereader; "
             "echo \"${COMPREPLY[*]}\"; "
             "COMP_WORDS=(nereader list --so); COMP_CWORD=2; _nereader; echo \"${COMPREPLY[*]}\"; "
             "COMP_WORDS=(nereader list --sort r); COMP_CWORD=3; _nereader; "
             "echo \"${COMPREPLY[*]}\"")
    lines = subprocess.run(["bash", "-c", probe], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert lines == ["bookmarks", "--sort", "replies"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts(shell: str, capsys: pytest.CaptureFixture[str],
                              tmp_path: Path) -> None:
    script = completion(shell, capsys, tmp_path)
    text = script.read_text()
    for command in ("list", "sync", "show", "search", "bookmarks", "cache", "completion"):
        assert command in text
    if shutil.which(shell):  # a syntax check where the shell is installed
        subprocess.run([shell, "-n", str(script)], check=True)


def test_files_without_a_size_are_read_only_up_to_the_bound(capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    """/dev/zero has no size to check first: reading it all would never end."""
    from nereader.cli import main
    from nereader.core.parse.guard import MAX_PAGE_BYTES as PARSER_BOUND
    from nereader.core.service import MAX_PAGE_BYTES

    assert MAX_PAGE_BYTES == PARSER_BOUND
    assert main(["parse", "/dev/zero"]) == 2
    assert main(["bookmarks", "import", "/dev/zero"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "over 16 MiB; not a forum page" in err, err


def _nereader(args: list[str], tmp_path: Path, env: dict[str, str] | None = None,
              **kw: object) -> subprocess.CompletedProcess[bytes]:
    import os
    import sys
    dirs = ["--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d")]
    return subprocess.run([sys.executable, "-m", "nereader", *args, *dirs],
                          env={**os.environ, **(env or {})}, timeout=60,
                          **{"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kw})  # type: ignore[arg-type]


def test_output_on_a_terminal_that_is_not_utf8(tmp_path: Path) -> None:
    env = {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
    done = _nereader(["list", "--demo"], tmp_path, env)
    assert done.returncode == 0 and b"Network Extension ? page 1" in done.stdout, done.stderr
    done = _nereader(["list", "--demo", "--json"], tmp_path, env)
    assert done.returncode == 0 and b'"title": "Network Extension Resources"' in done.stdout
    assert done.stdout.isascii()  # exact JSON all the same: \u escapes


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_or_closed_output_is_one_line(tmp_path: Path) -> None:
    with Path("/dev/full").open("wb") as full:
        done = _nereader(["list", "--demo"], tmp_path, stdout=full)
    assert done.returncode == 5 and done.stderr.decode().count("\n") == 1, done.stderr
    assert b"cannot write the output" in done.stderr
    done = _nereader(["list", "--demo"], tmp_path, stdout=subprocess.DEVNULL,
                     stdin=subprocess.DEVNULL)
    assert done.returncode == 0
