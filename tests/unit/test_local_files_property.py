"""Random mutations of every local file, fed to the program (issue 10). For each file the
oracle is the same: no traceback (only nereader's own errors, as one line), nothing the user
saved is lost (the file is kept as it was, aside or in place, and every entry survives the
next write), and a message names the problem whenever the file is not what it should be.

The files: bookmarks.json, state.json, filters.json, the cache's stored pages (and its
database), and the search index. Mutations are byte edits and structural JSON edits; text may
hold a lone surrogate (``\ud800``: valid JSON, not text), which is read as U+FFFD, said, and
written back so (issue: hostile local files)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nereader.cli import main
from nereader.core.errors import NereaderError, OfflineError, StorageError, UsageError
from nereader.core.models import ListingKind, Notice, ServiceEvent, ThreadSummary
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.text import check_label, clean
from nereader.core.urls import ListingRef, web_url
from nereader.localforum import Site
from nereader.localforum.transport import SiteTransport

TAG = ListingRef(ListingKind.TAG, "networkextension")
EXAMPLES = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SCALARS = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(alphabet=st.sampled_from(list("ab1 _-:/\\\"\n\x1b\x07\u202e\x85é\ud800")),
                     max_size=12))
JSON = st.recursive(SCALARS, lambda kids: st.lists(kids, max_size=3)
                    | st.dictionaries(st.sampled_from(["id", "title", "tags", "read", "at",
                                                       "x", "1"]), kids, max_size=3),
                    max_leaves=6)


# -- mutations ---------------------------------------------------------------------------------
def _slots(doc: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key) in a JSON document."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.append((doc, key))
            _slots(value, out)
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out.append((doc, i))
            _slots(value, out)
    return out


def mutate(data: st.DataObject, base: Any) -> bytes:
    """A mutated copy of ``base``: JSON edits (replace, delete, wrap) or byte edits."""
    doc = json.loads(json.dumps(base))
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        kind = data.draw(st.sampled_from(["replace", "delete", "wrap", "bytes"]), label="kind")
        slots = _slots(doc, [])
        if kind == "bytes" or not slots:
            break
        container, key = data.draw(st.sampled_from(slots), label="slot")
        if kind == "replace":
            container[key] = data.draw(JSON, label="value")
        elif kind == "delete":
            del container[key]
        else:
            container[key] = [container[key]] if data.draw(st.booleans()) else {"v": 1}
    # A lone surrogate has no UTF-8 form: such a document is written as JSON escapes.
    text = bytearray(json.dumps(doc, indent=2, ensure_ascii=surrogates(doc)).encode())
    if data.draw(st.booleans(), label="byte edits"):
        for _ in range(data.draw(st.integers(1, 3), label="byte count")):
            at = data.draw(st.integers(0, max(0, len(text) - 1)), label="at")
            cut = data.draw(st.integers(0, 8), label="cut")
            text[at:at + cut] = data.draw(st.binary(max_size=4), label="insert")
    return bytes(text)


def mended(doc: Any) -> Any:
    """The oracle's own mending: every surrogate code point a parsed document holds is a
    lone one (a valid pair parses as one character), and reads as U+FFFD."""
    if isinstance(doc, str):
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in doc)
    if isinstance(doc, list):
        return [mended(v) for v in doc]
    if isinstance(doc, dict):
        return {mended(k): mended(v) for k, v in doc.items()}
    return doc


def surrogates(doc: Any) -> bool:
    return mended(doc) != doc


def strict(raw: bytes) -> Any:
    """What the file holds as strict JSON (no NaN, not UTF-8 is no document): None if not."""
    def refuse(name: str) -> Any:
        raise ValueError(name)

    try:
        return json.loads(raw.decode("utf-8"), parse_constant=refuse)
    except (ValueError, RecursionError):
        return None


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def one_line_errors(code: int, err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    assert code in {0, 2, 3, 4, 5}, (code, err)
    errors = [line for line in err.splitlines() if line.startswith("nereader: error:")]
    assert len(errors) <= 1 and (code == 0) == (not errors), err


@contextlib.contextmanager
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


# -- bookmarks.json ----------------------------------------------------------------------------
BOOKMARKS = {"version": 1, "bookmarks": [
    {"id": 821372, "title": "Kernel panics", "url": "https://developer.apple.com/forums/thread/821372",
     "tags": ["networkextension"], "note": "look\nagain", "labels": ["kernel"],
     "added_at": "2026-06-01T10:00:00+00:00", "checked_at": None, "replies_seen": 36,
     "seen_post_ids": [821372, 1]},
    {"id": 707294, "title": "Resources", "url": "", "tags": [], "note": "", "labels": [],
     "added_at": "2026-06-02T10:00:00+00:00", "checked_at": "2026-06-03T10:00:00+00:00",
     "replies_seen": None, "seen_post_ids": []},
    {"id": 828388, "title": "URL filter", "note": "", "extra": {"kept": True}},
]}
_BOOKMARK_FIELDS = {
    "title": lambda v: isinstance(v, str), "note": lambda v: isinstance(v, str),
    "added_at": lambda v: isinstance(v, str), "checked_at": lambda v: isinstance(v, str),
    "url": lambda v: v == "" or (isinstance(v, str) and web_url(v) is not None),
    "tags": lambda v: isinstance(v, list) and all(isinstance(t, str) for t in v),
    "labels": lambda v: isinstance(v, list) and all(single_word(t) for t in v),
    "replies_seen": lambda v: type(v) is int and v >= 0,
    "seen_post_ids": lambda v: isinstance(v, list) and all(type(i) is int and i >= 0 for i in v),
}


def single_word(label: Any) -> bool:
    """A label as every way in takes one (issue 19): one word, ``#`` before it or not."""
    if not isinstance(label, str):
        return False
    try:
        check_label(clean(label))  # escapes are cleaned from what a file holds, as ever
    except UsageError:
        return False
    return True


def usable_id(entry: Any) -> int | None:
    ident = entry.get("id") if isinstance(entry, dict) else None
    return ident if type(ident) is int and 0 <= ident < 10**15 else None


def bookmarks_problems(doc: Any) -> bool:
    """Whether the document is anything but a sound bookmarks file (the oracle's own spec)."""
    if not isinstance(doc, dict):
        return True
    items = doc.get("bookmarks")
    if items is None:
        return False
    if not isinstance(items, list):
        return True
    ids = [usable_id(e) for e in items]
    if None in ids or len(set(ids)) != len(ids):
        return True
    return any(value is not None and not _BOOKMARK_FIELDS[key](value)
               for entry in items for key, value in entry.items() if key in _BOOKMARK_FIELDS)


@EXAMPLES
@given(st.data())
def test_mutated_bookmarks_json(data: st.DataObject) -> None:
    raw = mutate(data, BOOKMARKS)
    with folder() as root:
        path = root / "d" / "bookmarks.json"
        path.parent.mkdir()
        path.write_bytes(raw)
        dirs = ["--data-dir", str(root / "d"), "--cache-dir", str(root / "c"), "--offline"]
        code, out, err = cli("bookmarks", "list", "--json", *dirs)
        one_line_errors(code, err)
        doc = strict(raw)
        if bookmarks_problems(doc) or surrogates(doc):
            assert "bookmarks.json" in err, "a damaged bookmarks.json was not mentioned"
        else:
            assert "bookmarks.json" not in err, err
        code, _, err = cli("bookmarks", "add", "424242", "--note", "new", *dirs)
        one_line_errors(code, err)
        aside = list(path.parent.glob("bookmarks.json.corrupt-*"))
        if aside:  # set aside whole, byte for byte
            assert len(aside) == 1 and aside[0].read_bytes() == raw
            return
        assert code == 0 and isinstance(doc, dict)
        items = doc.get("bookmarks") or []
        listed = [b["id"] for b in json.loads(out)] if out else []
        firsts = list(dict.fromkeys(i for i in map(usable_id, items) if i is not None))
        assert listed == firsts  # every entry with a readable id is shown
        kept = json.loads(path.read_text(encoding="utf-8"))
        # every entry written back as it was (a lone surrogate as U+FFFD)
        assert kept["bookmarks"][:len(items)] == mended(items)
        assert kept["bookmarks"][-1]["id"] == 424242
        for key, value in doc.items():
            if key not in {"version", "bookmarks"}:
                assert kept[key] == mended(value)


# -- state.json --------------------------------------------------------------------------------
STATE = {"version": 1,
         "read": {"707294": {"at": "2026-06-01T10:00:00+00:00", "replies": 3},
                  "821372": {"at": "2026-06-02T10:00:00+00:00", "replies": 36}},
         "visits": {"networkextension": "2026-06-02T10:00:00+00:00"}}


def state_problems(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return True
    read, visits = doc.get("read"), doc.get("visits")
    if read is not None and (not isinstance(read, dict) or any(
            not k.isdigit() or not isinstance(v, dict) or type(v.get("replies")) is not int
            or not isinstance(v.get("at"), str) for k, v in read.items())):
        return True
    return visits is not None and (not isinstance(visits, dict) or any(
        not isinstance(v, str) for v in visits.values()))


@pytest.fixture(scope="module")
def demo_cache() -> Iterator[Path]:
    """A cache and index filled from the demo forum once; each example works on a copy."""
    with folder() as root:
        async def fill() -> None:
            service = ForumService(Settings(cache_dir=root / "c", data_dir=root / "d",
                                            config_dir=root / "f", min_gap=0.0),
                                   transport=SiteTransport(Site.bundled()))
            try:
                await service.listing(TAG)
                for thread in (828388, 821372):
                    await service.thread(thread)
            finally:
                await service.aclose()

        asyncio.run(fill())
        yield root


def copy_of(source: Path, target: Path) -> None:
    for name in ("c", "d"):
        shutil.copytree(source / name, target / name)


@EXAMPLES
@given(st.data())
def test_mutated_state_json(demo_cache: Path, data: st.DataObject) -> None:
    raw = mutate(data, STATE)
    with folder() as root:
        copy_of(demo_cache, root)
        path = root / "d" / "state.json"
        path.write_bytes(raw)
        settings_ = Settings(cache_dir=root / "c", data_dir=root / "d", config_dir=root / "f",
                             offline=True)
        said, doc = asyncio.run(_state_round(settings_)), strict(raw)
        if state_problems(doc) or surrogates(doc):
            assert any("state.json" in s for s in said), said
        aside = list(path.parent.glob("state.json.corrupt-*"))
        if aside:
            assert len(aside) == 1 and aside[0].read_bytes() == raw
            return
        assert isinstance(doc, dict)
        kept = json.loads(path.read_text(encoding="utf-8"))
        assert kept["read"]["999"]["replies"] == 1
        for key in ("read", "visits"):
            for name, value in (doc.get(key) or {}).items():
                if name not in {"999", TAG.key}:  # the two this round wrote
                    assert kept[key][name] == mended(value)  # nothing read is forgotten
        for key, value in doc.items():
            if key not in {"version", "read", "visits"}:
                assert kept[key] == mended(value)


async def _state_round(settings_: Settings) -> list[str]:
    said: list[str] = []

    def hear(event: ServiceEvent) -> None:
        if isinstance(event, Notice):
            said.append(event.message)

    service = ForumService(settings_, events=hear)
    try:
        rows = (await service.listing(TAG)).value.rows
        context = await service.query_context()
        [(context.unread(r), context.new(r)) for r in rows]
        await service.mark_all_read([ThreadSummary(999, "t", "u", replies=1)])
        await service.visit_tag(TAG)
    except NereaderError as exc:
        assert isinstance(exc, StorageError), exc
        said.append(str(exc))
    finally:
        await service.aclose()
    return said


# -- filters.json ------------------------------------------------------------------------------
FILTERS = {"unanswered": "is:unanswered replies:>2", "mine": "author:me", "staff": "is:staff"}


@EXAMPLES
@given(st.data())
def test_mutated_filters_json(data: st.DataObject) -> None:
    raw = mutate(data, FILTERS)
    with folder() as root:
        path = root / "f" / "filters.json"
        path.parent.mkdir()
        path.write_bytes(raw)
        said: list[str] = []
        settings_ = Settings(cache_dir=root / "c", data_dir=root / "d", config_dir=root / "f",
                             offline=True)
        doc = strict(raw)

        async def run() -> None:
            service = ForumService(settings_, events=lambda e: said.append(
                e.message) if isinstance(e, Notice) else None)
            try:
                try:
                    loaded = await service.saved_filters()
                except StorageError as exc:
                    said.append(str(exc))
                    assert not isinstance(doc, dict)
                else:
                    assert isinstance(doc, dict)
                    assert set(loaded) <= {" ".join(k.split()) for k in doc}
                try:
                    await service.save_filter("fresh", "tag:ios")
                except StorageError as exc:
                    said.append(str(exc))
            finally:
                await service.aclose()

        asyncio.run(run())
        if not isinstance(doc, dict) or any(not isinstance(v, str) for v in doc.values()) or (
                surrogates(doc)):
            assert any("filters.json" in s for s in said), said
        if not isinstance(doc, dict):
            assert path.read_bytes() == raw  # a hand-edited file is never overwritten
            return
        kept = json.loads(path.read_text(encoding="utf-8"))
        assert kept["fresh"] == "tag:ios"
        assert all(kept[k] == mended(v) for k, v in doc.items() if k != "fresh")


# -- the cache's stored pages and its database ----------------------------------------------
@EXAMPLES
@given(st.data())
def test_mutated_cache_values_and_database(demo_cache: Path, data: st.DataObject) -> None:
    with folder() as root:
        copy_of(demo_cache, root)
        db = root / "c" / "pages-v2" / "cache.db"
        whole_file = data.draw(st.booleans(), label="mutate the database file itself")
        with contextlib.closing(sqlite3.connect(db)) as conn:
            rows = conn.execute("SELECT rowid, value, filename FROM Cache").fetchall()
            rowid, value, filename = data.draw(st.sampled_from(rows), label="entry")
            stored = bytes(value) if value is not None else (db.parent / filename).read_bytes()
            changed = bytearray(stored)
            at = data.draw(st.integers(0, len(changed) - 1), label="at")
            changed[at:at + data.draw(st.integers(0, 64))] = data.draw(
                st.binary(min_size=1, max_size=8), label="bytes")
            if not whole_file and bytes(changed) != stored:
                if value is not None:
                    conn.execute("UPDATE Cache SET value = ? WHERE rowid = ?",
                                 (bytes(changed), rowid))
                    conn.commit()
                else:
                    (db.parent / filename).write_bytes(bytes(changed))
        if whole_file:
            blob = bytearray(db.read_bytes())
            at = data.draw(st.integers(0, len(blob) - 1), label="db at")
            blob[at:at + 256] = data.draw(st.binary(min_size=1, max_size=256))
            db.write_bytes(bytes(blob))
        said = asyncio.run(_read_back(root))
        if not whole_file and bytes(changed) != stored:
            assert any("damaged" in s for s in said), said


def _rows(result: Any) -> list[tuple[int, str, int]]:
    return [(r.id, r.title, r.replies) for r in result.value.rows]  # not times: "4m" ago


SITE = Site.bundled()


async def _read_back(root: Path) -> list[str]:
    """Read the listing and the threads again (online, from the demo forum): each must be
    exactly what it was, or a one-line storage error that `cache clear` then repairs."""
    said: list[str] = []
    site = SITE
    settings_ = Settings(cache_dir=root / "c", data_dir=root / "d", config_dir=root / "f",
                         min_gap=0.0)
    fresh = ForumService(settings_.with_(cache_dir=root / "pristine"),
                         transport=SiteTransport(site))
    service = ForumService(settings_, transport=SiteTransport(site),
                           events=lambda e: said.append(e.message)
                           if isinstance(e, Notice) else None)
    try:
        for attempt in range(2):
            try:
                assert _rows(await service.listing(TAG)) == _rows(await fresh.listing(TAG))
                for thread in (828388, 821372):
                    got = (await service.thread(thread)).value
                    assert got.posts == (await fresh.thread(thread)).value.posts
                break
            except StorageError as exc:
                assert "cache" in str(exc) and attempt == 0, exc
                said.append(str(exc))
                await service.cache_clear()
        offline = ForumService(settings_.with_(offline=True))
        try:
            await offline.thread(828388)
        except OfflineError:
            pass  # the damaged copy was dropped, and the refetch above is what it has
        finally:
            await offline.aclose()
    finally:
        await service.aclose()
        await fresh.aclose()
    return said


# -- the search index --------------------------------------------------------------------------
@EXAMPLES
@given(st.data())
def test_mutated_search_index(demo_cache: Path, data: st.DataObject) -> None:
    with folder() as root:
        copy_of(demo_cache, root)
        index = root / "d" / "search.sqlite3"
        blob = bytearray(index.read_bytes())
        for _ in range(data.draw(st.integers(1, 3), label="edits")):
            at = data.draw(st.integers(0, len(blob) - 1), label="at")
            blob[at:at + data.draw(st.integers(1, 512))] = data.draw(
                st.binary(min_size=1, max_size=64), label="bytes")
        if data.draw(st.booleans(), label="truncate"):
            blob = blob[: data.draw(st.integers(0, len(blob)), label="length")]
        index.write_bytes(bytes(blob))
        dirs = ["--data-dir", str(root / "d"), "--cache-dir", str(root / "c"), "--offline"]
        code, _, err = cli("search", "filter", "--json", *dirs)
        one_line_errors(code, err)
        if code:
            assert code == 5 and "search index" in err and "--rebuild" in err, err
        code, _, err = cli("search", "--rebuild", *dirs)
        one_line_errors(code, err)
        assert code == 0 and "indexed 2 cached threads" in err, err
        code, out, err = cli("search", "filter", "--json", *dirs)
        assert code == 0 and {h["thread_id"] for h in json.loads(out)} >= {828388}, err
