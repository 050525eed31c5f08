"""`nereader show` on a terminal: the thread rendered (Rich Markdown, highlighted code, staff
and accepted marks) through $PAGER; piped or with --markdown it is Markdown, --json as ever."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nereader.cli import pager

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(pager.shutil, "get_terminal_size", lambda fallback=(0, 0): (
        __import__("os").terminal_size((100, 40))))


def test_on_a_terminal_the_thread_is_rendered_and_paged(demo_cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    paged = tmp_path / "paged.txt"
    on_a_terminal(monkeypatch)
    monkeypatch.setenv("PAGER", f"sh -c 'cat > {paged}; echo $LESS >> {paged}'")
    monkeypatch.delenv("LESS", raising=False)
    code, out, err = demo_cli("show", "828388")
    assert code == 0 and out == "" and err == ""  # all of it went to the pager
    text = paged.read_text(encoding="utf-8")
    plain = ANSI.sub("", text)
    assert "\x1b[" in text  # styled: bold headers, highlighted code
    assert plain.splitlines()[0].startswith("NEFilterDataProvider activation on consumer iOS")
    assert "Reply 2  DTS Engineer   Apple · DTS Engineer    ✓ Accepted answer" in plain
    assert "    ↳ Comment  " in plain  # a comment sits under its reply, indented
    assert "let manager = NEURLFilterManager.shared" in plain
    assert "```" not in plain and "## Reply" not in plain  # rendered, not Markdown
    assert plain.rstrip().endswith("FRX")  # less quits on one screen, keeps its colours


def test_piped_or_asked_for_markdown_or_json_nothing_changes(demo_cli,  # type: ignore[no-untyped-def]
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGER", "false")  # never run: nothing is paged
    code, piped, _ = demo_cli("show", "828388")
    assert code == 0 and piped.startswith("# NEFilterDataProvider") and "\x1b[" not in piped
    on_a_terminal(monkeypatch)
    assert demo_cli("show", "828388", "--markdown")[1] == piped
    code, out, _ = demo_cli("show", "828388", "--json")
    assert code == 0 and json.loads(out)["id"] == 828388


def test_without_a_pager_the_rendering_is_printed(demo_cli,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    on_a_terminal(monkeypatch)
    monkeypatch.setenv("PAGER", "no-such-pager-anywhere -R")
    code, out, err = demo_cli("show", "828388")
    assert code == 0 and "Accepted answer" in ANSI.sub("", out)
    assert "could not run the pager 'no-such-pager-anywhere'" in err and "$PAGER" in err
    monkeypatch.setenv("PAGER", "")  # set empty (or cat): printed as it is, no warning
    code, out, err = demo_cli("show", "828388")
    assert code == 0 and "Accepted answer" in ANSI.sub("", out) and err == ""


@pytest.mark.parametrize(("env", "argv"), [
    ({}, ["less", "-R"]), ({"PAGER": "most"}, ["most"]), ({"PAGER": "cat"}, None),
    ({"PAGER": "/bin/cat -v"}, None), ({"PAGER": ""}, None), ({"PAGER": "'less"}, None),
])
def test_which_pager(env: dict[str, str], argv: list[str] | None) -> None:
    assert pager.pager_command(env) == argv


def test_showing_markdown_loads_no_rich(tmp_path: Path) -> None:
    code = ("import sys; from nereader.cli import main; "
            "main(['show', '828388', '--markdown', '--demo', '--cache-dir', sys.argv[1], "
            "'--data-dir', sys.argv[1]]); "
            "print([m for m in sys.modules if m.split('.')[0] == 'rich'], file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stderr.strip().endswith("[]"), done.stderr
