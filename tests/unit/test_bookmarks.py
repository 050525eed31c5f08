"""Bookmarks and read state on disk: restarts, concurrent writers, kills, corruption, exports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from nereader.core.bookmarks import Bookmark, BookmarkStore, ReadState
from nereader.core.errors import UsageError
from nereader.core.models import ThreadSummary

WRITER = """
import sys
from pathlib import Path
from nereader.core.bookmarks import Bookmark, BookmarkStore
store = BookmarkStore(Path(sys.argv[1]))
start, count = int(sys.argv[2]), int(sys.argv[3])
for i in range(start, start + count):
    store.add(Bookmark(i, f"thread {i}", f"https://developer.apple.com/forums/thread/{i}",
                       note="x" * 2000))
    print(i, flush=True)
"""


def test_persistence_across_restarts(tmp_path: Path) -> None:
    store = BookmarkStore(tmp_path)
    store.add(Bookmark(1, "One", "https://x/1", ("ios",), "a note", ("todo",)))
    store.add(Bookmark(2, "Two", "https://x/2"))
    store.add(Bookmark(1, "", "", labels=("later",)))  # merge: labels add up, note stays
    again = BookmarkStore(tmp_path)
    first = again.get(1)
    assert first is not None and first.labels == ("todo", "later") and first.note == "a note"
    assert [b.id for b in again.all()] == [1, 2]
    assert again.remove(2) and not again.remove(2)
    data = json.loads((tmp_path / "bookmarks.json").read_text())
    assert data["version"] == 1 and data["bookmarks"][0]["title"] == "One"  # human-readable


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(start), "40"],
                         stdout=subprocess.DEVNULL)
        for start in (1000, 2000, 3000)
    ]
    for p in procs:
        assert p.wait(timeout=120) == 0
    ids = BookmarkStore(tmp_path).ids()
    assert ids == set(range(1000, 1040)) | set(range(2000, 2040)) | set(range(3000, 3040))


def test_writer_killed_mid_write_leaves_a_valid_file(tmp_path: Path) -> None:
    confirmed: set[int] = set()
    for round_ in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), str(round_ * 1000), "100000"],
            stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        for seen in range(5 + round_ * 3):  # each line: one more bookmark safely written
            line = proc.stdout.readline()
            assert line, f"the writer stopped after {seen} writes (exit {proc.wait()})"
            confirmed.add(int(line))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        store = BookmarkStore(tmp_path)
        ids = store.ids()  # parses: never a torn file
        assert confirmed <= ids
        assert store.warnings == []
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) <= 6  # a killed writer may leave its temp file, never a bad target


def test_corrupted_file_is_kept_aside_and_work_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.json"
    path.write_text('{"version": 1, "bookmarks": [{"id": 5, "title": "x"', encoding="utf-8")
    store = BookmarkStore(tmp_path)
    assert store.all() == []
    assert store.warnings and "kept it as bookmarks.json.corrupt-" in store.warnings[0]
    backups = list(tmp_path.glob("bookmarks.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text().startswith('{"version": 1')
    store.add(Bookmark(7, "Seven", "https://x/7"))
    assert BookmarkStore(tmp_path).ids() == {7}


def test_export_import_round_trip(tmp_path: Path) -> None:
    source = BookmarkStore(tmp_path / "a")
    source.add(Bookmark(1, "One", "https://x/1", ("ios",), "note one", ("a", "b")))
    source.add(Bookmark(2, "Two", "https://x/2", (), "", ("c",)))
    exported = json.loads(json.dumps(source.export_json()))
    target = BookmarkStore(tmp_path / "b")
    assert target.import_json(exported) == (2, 0)
    assert target.export_json() == source.export_json()
    assert target.import_json(exported) == (0, 2)  # importing again changes nothing
    assert target.export_json() == source.export_json()
    with pytest.raises(UsageError):
        target.import_json({"bookmarks": [{"title": "no id"}]})
    with pytest.raises(UsageError):
        target.import_json([1, 2])


def test_read_state(tmp_path: Path) -> None:
    state = ReadState(tmp_path)
    row = ThreadSummary(9, "t", "https://x/9", replies=3)
    assert state.is_unread(row) and not state.has_new_activity(row)
    state.mark_read([(9, 3)])
    assert not ReadState(tmp_path).is_unread(row)
    assert ReadState(tmp_path).has_new_activity(ThreadSummary(9, "t", "https://x/9", replies=5))
    assert state.visit("networkextension") is None
    assert state.visit("networkextension") is not None
