"""Never destroy to repair (issue 19): a full disk serves reads and refuses writes saying so,
and is never taken for damage; `cache clear` never touches the pinned store unless it cannot
be read, and counts exactly; a search index rebuild builds beside the live one, swaps it in
atomically, keeps what other processes indexed meanwhile, and a killed rebuild leaves the
old index whole. A full disk is a file size limit of one byte in a real subprocess (every
write that grows a file fails), or an error raised from the write path."""

from __future__ import annotations

import errno
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from nereader.core import search as search_module
from nereader.core.cache import CachedPage, PageCache, ReadOnlyStore
from nereader.core.errors import StorageError
from nereader.core.parse import parse_thread
from nereader.core.search import SearchIndex, move_into_place, rebuild_beside
from nereader.core.store import atomic_write_text
from tests.conftest import FETCHED_AT, fixture_text

NEREADER = [sys.executable, "-m", "nereader"]


def full_disk() -> None:
    """In the child: no file may grow (a write past the limit fails, EFBIG), as on a disk
    with no space left."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (1, 1))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


@pytest.fixture
def home(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A demo home with a bookmark (pinned), two threads read and a listing (not pinned)."""
    dirs = ["--demo", "--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d")]

    def run(*args: str, full: bool = False) -> tuple[int, str, str]:
        done = subprocess.run([*NEREADER, *args, *dirs], capture_output=True, text=True,
                              timeout=60, preexec_fn=full_disk if full else None)
        return done.returncode, done.stdout, done.stderr

    assert run("bookmarks", "add", "821372")[0] == 0
    assert run("show", "828388")[0] == 0
    assert run("show", "707294")[0] == 0
    assert run("list")[0] == 0
    return run


def test_a_full_disk_serves_reads_and_refuses_writes_saying_so(home) -> None:  # type: ignore[no-untyped-def]
    for reading in (("show", "821372", "--offline"), ("show", "828388", "--offline"),
                    ("bookmarks", "list"), ("search", "filter"), ("list", "--offline")):
        code, out, err = home(*reading, full=True)
        assert code == 0 and out and "Traceback" not in err, (reading, err)
        assert "cache clear" not in err and "--rebuild" not in err, (reading, err)
    code, out, err = home("cache", "info", full=True)
    assert code == 0 and "read-only: the page cache cannot store pages" in out, err
    code, out, err = home("show", "829114", full=True)  # online: shown, not kept, said once
    assert code == 0 and out.startswith("# ") and err.count("cannot store pages") == 1, err
    assert "is full" in err and "free some space" in err and "cache clear" not in err
    code, _, err = home("bookmarks", "add", "707294", full=True)
    assert code == 5 and "(nothing was changed)" in err, err
    assert err.strip().endswith("free some space and try again"), err
    assert "bookmarks.json" in err and "is full" in err
    listed = home("bookmarks", "list")[1]
    assert "821372" in listed and "707294" not in listed


def test_cache_clear_on_a_full_disk_keeps_the_pinned_store_and_counts_exactly(home) -> None:  # type: ignore[no-untyped-def]
    before = home("cache", "info", "--json")[1]
    pages = int(before.split('"pages": ')[1].split(",")[0])
    pinned = int(before.split('"pinned": ')[1].split(",")[0])
    assert pinned >= 2 and pages > pinned
    code, out, err = home("cache", "clear", full=True)
    assert code == 0 and f"removed {pages - pinned} cached pages" in out, (out, err)
    assert "pinned pages kept" in out and "could not be read" not in err
    # Space is freed: the bookmark still reads offline, the other threads are gone.
    assert home("show", "821372", "--offline")[0] == 0
    assert home("show", "828388", "--offline")[0] == 3
    code, out, _ = home("cache", "clear", "--all")
    assert code == 0 and f"removed {pinned} cached pages" in out


def test_clear_counts_the_pages_it_removes(tmp_path: Path) -> None:
    cache = PageCache(tmp_path)
    for n in range(7):
        cache.put(CachedPage(f"https://developer.apple.com/forums/thread/{n + 1}", 200, b"x",
                             None, None, FETCHED_AT, "thread"))
    cache.pin("https://developer.apple.com/forums/thread/1")
    cache.pin("https://developer.apple.com/forums/thread/99")  # a pin waiting for its page
    assert cache.clear() == 6 and cache.clear(include_pinned=True) == 1
    cache.close()


def test_the_read_only_store_reads_what_diskcache_wrote(tmp_path: Path) -> None:
    """On a full disk the stores are read straight from diskcache's table: the same pages,
    the small ones kept in the database and the large ones in files beside it."""
    cache = PageCache(tmp_path)
    small = CachedPage("https://developer.apple.com/forums/thread/1", 200, b"<p>hi</p>", "e1",
                       None, FETCHED_AT, "thread")
    large = CachedPage("https://developer.apple.com/forums/thread/2", 200,
                       bytes(range(256)) * 2000, None, None, FETCHED_AT, "thread")
    for page in (small, large):
        cache.put(page)
    cache.pin(large.url)
    info = cache.info()
    cache._degrade("the disk is full", OSError(errno.ENOSPC, "No space left on device"))
    assert cache.read_only is not None and "the disk is full" in cache.read_only
    for page in (small, large):
        got = cache.get(page.url)
        assert got is not None and got.body == page.body and got.etag == page.etag
    assert cache.is_pinned(large.url) and not cache.is_pinned(small.url)
    assert sorted(cache.urls()) == [small.url, large.url]
    assert (cache.info().pages, cache.info().pinned) == (info.pages, info.pinned) == (2, 1)
    with pytest.raises(StorageError, match="the disk is full"):
        cache.put(small)
    with pytest.raises(StorageError, match="the disk is full"):
        cache.clear()
    cache.close()
    store = ReadOnlyStore(tmp_path / "pinned-v2")
    assert list(store.iterkeys()) == [large.url] and store.get(small.url) is None
    store.close()


def test_a_write_refused_for_want_of_space_is_said_so(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.fsync", no_space)
    with pytest.raises(StorageError, match=r"nothing was changed.*is full .*free some space "
                                           r"and try again$"):
        atomic_write_text(tmp_path / "bookmarks.json", "{}")
    assert not (tmp_path / "bookmarks.json").exists()


# -- the search index ------------------------------------------------------------------------------
def thread(name: str):  # type: ignore[no-untyped-def]
    return parse_thread(fixture_text(name), None, FETCHED_AT)


def test_a_full_data_folder_never_advises_a_rebuild(home) -> None:  # type: ignore[no-untyped-def]
    code, _, err = home("show", "829114", full=True)
    assert code == 0 and "search index cannot be written" in err and "--rebuild" not in err
    code, _, err = home("search", "--rebuild", full=True)
    assert code == 5 and "search index cannot be written" in err, err
    code, out, _ = home("search", "filter")  # the index is as it was
    assert code == 0 and "828388" in out


def test_a_rebuild_swaps_in_atomically_and_keeps_what_others_indexed(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite3"
    ours, theirs = SearchIndex(path), SearchIndex(path)  # another process on the same file
    ours.index_thread(thread("thread-828388.html"))
    rebuild = ours.rebuild()
    rebuild.add([thread("thread-828388.html")])
    theirs.index_thread(thread("thread-707294.html"))  # a sync indexing meanwhile
    assert {h.thread_id for h in theirs.search("resources")} == {707294}
    rebuild.finish()
    assert {h.thread_id for h in theirs.search("resources")} == {707294}
    theirs.index_thread(thread("thread-821372-p1.html"))  # after the swap: the new tables
    fresh = SearchIndex(path)
    assert {h.thread_id for h in fresh.search("resources OR filter OR panic")} == {
        707294, 828388, 821372}
    assert fresh.stats()[0] == 3
    for index in (ours, theirs, fresh):
        index.close()


def test_a_killed_rebuild_leaves_the_old_index_whole(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite3"
    index = SearchIndex(path)
    index.index_thread(thread("thread-828388.html"))
    index.index_thread(thread("thread-707294.html"))
    rebuild = index.rebuild()
    rebuild.add([thread("thread-707294.html")])
    rebuild.abandon()  # killed here: nothing swapped
    index.close()
    again = SearchIndex(path)
    assert again.stats()[0] == 2 and [h.thread_id for h in again.search("resources")] == [707294]
    second = again.rebuild()  # the leftovers go, and a rebuild works
    second.add([thread("thread-828388.html")])
    second.finish()
    assert again.stats()[0] == 1
    again.close()


def test_one_rebuild_at_a_time(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "search.sqlite3")
    first = index.rebuild()
    with pytest.raises(StorageError, match="held by another nereader process"):
        index.rebuild()
    first.abandon()
    index.rebuild().abandon()
    index.close()


def test_a_writer_follows_an_index_moved_into_place(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite3"
    writer = SearchIndex(path)  # open before the rebuild, as the app is
    writer.index_thread(thread("thread-828388.html"))
    built, guard = rebuild_beside(path)
    built.index_thread(thread("thread-707294.html"))
    move_into_place(built, path, guard)
    writer.index_thread(thread("thread-821372-p1.html"))  # goes to the new file
    fresh = SearchIndex(path)
    assert {h.thread_id for h in fresh.search("resources OR panic")} == {707294, 821372}
    writer.close()
    fresh.close()


def test_only_a_damaged_index_is_called_damaged(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    index = SearchIndex(tmp_path / "search.sqlite3")
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = 13  # type: ignore[attr-defined]
    malformed = sqlite3.DatabaseError("database disk image is malformed")
    malformed.sqlite_errorcode = 11  # type: ignore[attr-defined]
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = 5  # type: ignore[attr-defined]
    monkeypatch.setattr(search_module, "disk_trouble", lambda folder: None)
    said = {name: str(index._problem("index a thread", exc))
            for name, exc in (("full", full), ("malformed", malformed), ("busy", busy))}
    assert "cannot be written" in said["full"] and "--rebuild" not in said["full"]
    assert "is damaged" in said["malformed"] and "--rebuild" in said["malformed"]
    assert "busy" in said["busy"] and "--rebuild" not in said["busy"]
    index.close()


def test_a_disk_full_before_the_index_was_ever_made_says_so(tmp_path: Path) -> None:
    """On a full disk the index file is made but empty (no tables yet): that is the full
    disk to tell, never "no such table: threads" with a rebuild to run."""
    dirs = ["--demo", "--cache-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d")]

    def run(*args: str) -> tuple[int, str, str]:
        done = subprocess.run([*NEREADER, *args, *dirs], capture_output=True, text=True,
                              timeout=60, preexec_fn=full_disk)
        return done.returncode, done.stdout, done.stderr

    code, out, err = run("show", "707294")
    assert code == 0 and out.startswith("# "), err
    assert "search index" in err and "cannot be made" in err and "is full" in err, err
    assert "no such table" not in err and "--rebuild" not in err, err
    code, _, err = run("search", "vpn")
    assert code == 5 and "cannot be made" in err and err.count("free some space") == 1, err
    assert "no such table" not in err and "--rebuild" not in err, err


@pytest.mark.parametrize("kind", ["full", "read-only"])
def test_each_storage_message_says_its_cause_once_and_the_step_that_helps(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """A read-only disk was told to "free some space", a full one to "free some space and
    try again; free some space". Each says its cause once, and ends with what helps."""
    import os
    from types import SimpleNamespace

    index = SearchIndex(tmp_path / "search.sqlite3")
    cache = PageCache(tmp_path / "c")
    code = errno.ENOSPC if kind == "full" else errno.EROFS

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr("os.fsync", refused)
    if kind == "read-only":
        monkeypatch.setattr("os.statvfs", lambda path: SimpleNamespace(f_flag=os.ST_RDONLY))
    with pytest.raises(StorageError) as written:
        atomic_write_text(tmp_path / "bookmarks.json", "{}")
    refusal = sqlite3.OperationalError("attempt to write a readonly database")
    said = [str(written.value), str(index._problem("index a thread", refusal)),
            str(cache.problem("store a page", refusal))]
    for message in said:
        if kind == "full":
            assert message.count("is full") == 1, message
            assert message.endswith("free some space and try again"), message
            assert message.count("free some space") == 1, message
        else:
            assert message.count("read-only file system") == 1, message
            assert message.endswith("remount it read-write, or choose another folder "
                                    "(--cache-dir, --data-dir)"), message
            assert "space" not in message, message
    index.close()
    cache.close()
