"""Bounded waits (issue 19): a lock held by another nereader process, stopped or slow, is
waited for a few seconds at most, and the message names that process; a call stuck on a lock
never holds up quitting. The holder is a real second process; the wait is made short."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from nereader.cli import main
from nereader.core import store
from nereader.core.bookmarks import BookmarkStore
from nereader.core.errors import StorageError
from nereader.core.loader import Loader
from nereader.core.settings import Settings

HOLD = """
import sys
from pathlib import Path
from nereader.core.store import file_lock
sys.argv = ["nereader", "bookmarks", "add"]
with file_lock(Path(sys.argv_path)):
    print("held", flush=True)
    sys.stdin.read()
"""


@contextlib.contextmanager
def held(lock: Path) -> Iterator[subprocess.Popen[str]]:
    """Another nereader process holding ``lock`` (as `bookmarks add` holds bookmarks.json's)
    until it is told to let go."""
    code = HOLD.replace("sys.argv_path", repr(str(lock)))
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "held\n"
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGCONT)
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)


@pytest.fixture(autouse=True)
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "LOCK_WAIT", 0.2)


def test_a_held_lock_is_waited_for_a_while_then_named(tmp_path: Path) -> None:
    marks = BookmarkStore(tmp_path)
    with held(marks.file.lock_path) as holder:
        with pytest.raises(StorageError) as caught:
            marks.all()
        said = str(caught.value)
        assert said.startswith("bookmarks.json is held by another nereader process "
                               f"(pid {holder.pid}, `nereader bookmarks add`)")
        assert "for over 0.2 s; try again when it is done" in said
        os.kill(holder.pid, signal.SIGSTOP)  # a stopped process holds it as long as it likes
        with pytest.raises(StorageError, match=f"pid {holder.pid}, .*, stopped\\)"):
            marks.all()
    assert marks.all() == []  # let go: it reads


def test_bookmarks_list_says_who_holds_the_lock_and_exits(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    data = tmp_path / "d"
    with held(data / "bookmarks.json.lock"):
        code = main(["bookmarks", "list", "--data-dir", str(data), "--cache-dir",
                     str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 5 and err.count("\n") == 1 and "is held by another nereader process" in err


def test_a_lock_let_go_is_no_longer_named(tmp_path: Path) -> None:
    marks = BookmarkStore(tmp_path)
    with held(marks.file.lock_path):
        pass
    assert marks.file.lock_path.read_text() == ""  # nobody holds it now
    assert store.lock_holder(marks.file.lock_path) == "another nereader process"


def test_quitting_never_waits_for_a_call_stuck_on_a_lock(tmp_path: Path) -> None:
    """The app quitting cancels its workers; asyncio.run then returns although the blocking
    call under one of them has not (it is on the loader's daemon threads)."""
    release = threading.Event()
    started = threading.Event()

    def stuck() -> None:
        started.set()
        release.wait()

    async def app() -> None:
        loader = Loader(Settings(cache_dir=tmp_path / "c", data_dir=tmp_path / "d",
                                 offline=True), lambda event: None)
        worker = asyncio.ensure_future(loader.run(stuck))
        await asyncio.get_running_loop().run_in_executor(None, started.wait)
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        await loader.aclose()

    returned = threading.Event()
    quitting = threading.Thread(target=lambda: (asyncio.run(app()), returned.set()))
    quitting.start()
    try:  # (the bound only keeps a regression from hanging the suite)
        assert returned.wait(60), "asyncio.run waited for the stuck call"
    finally:
        release.set()
        quitting.join()
