"""``nereader URL`` (a thread's, in any form urls.py knows) and ``nereader thread ID`` open the
app on that thread; anything else keeps its old meaning."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from nereader.cli import main
from nereader.core.urls import ThreadRef


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Pretend to be on a terminal and record how the app would be started."""
    import nereader.ui.app as app_module

    calls: list[dict[str, Any]] = []

    def run_app(service: object, ref: object, sort: object, order: object,
                demo: bool = False, thread: ThreadRef | None = None, **rest: object) -> int:
        calls.append({"ref": ref, "thread": thread, "demo": demo, **rest})
        return 0

    monkeypatch.setattr(app_module, "run_app", run_app)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    return calls


@pytest.mark.parametrize(("args", "thread"), [
    (["thread", "828388"], ThreadRef(828388)),
    (["thread", "https://developer.apple.com/forums/thread/828388?answerId=828389022#828389022"],
     ThreadRef(828388, 1, 828389022)),
    (["https://developer.apple.com/forums/thread/821372?page=2"], ThreadRef(821372, 2)),
    (["developer.apple.com/forums/thread/821372/kernel-panics"], ThreadRef(821372)),
    (["--demo", "https://forums.developer.apple.com/thread/707294"], ThreadRef(707294)),
    (["networkextension"], None),
])
def test_thread_urls_and_the_thread_command_open_the_app_on_it(
        started: list[dict[str, Any]], args: list[str], thread: ThreadRef | None,
        tmp_path: Any) -> None:
    assert main([*args, "--cache-dir", str(tmp_path), "--data-dir", str(tmp_path)]) == 0
    assert started[-1]["thread"] == thread
    assert started[-1]["ref"].key == "networkextension"  # until the thread names its tag
    assert not started[-1].get("home")


def test_a_bad_thread_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["thread", "not-a-thread"]) == 2
    assert "not a thread id or forum thread URL" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["thread", "828388"],
                                  ["https://developer.apple.com/forums/thread/828388"]])
def test_without_a_terminal_it_says_so(args: list[str],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2  # pytest's stdin and stdout are not terminals
    err = capsys.readouterr().err
    assert "needs a terminal" in err and err.count("\n") == 1
