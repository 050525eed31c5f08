"""The page cache: round trips, canonical keys, pinning under eviction pressure, clearing."""

from __future__ import annotations

import os
import sqlite3
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import diskcache
import pytest

from nereader.core.cache import MODEL_TAG, CachedPage, PageCache, pack, unpack
from nereader.core.parse import parse_listing, parse_thread
from nereader.core.urls import canonical
from tests.conftest import fixture_bytes

NOW = datetime(2026, 6, 12, tzinfo=UTC)


def page(url: str, body: bytes = b"<html></html>", when: datetime = NOW,
         kind: str = "thread") -> CachedPage:
    return CachedPage(url, 200, body, '"e1"', "Fri, 12 Jun 2026 12:00:00 GMT", when, kind)


def test_round_trip_and_canonical_keys(tmp_path: Path) -> None:
    cache = PageCache(tmp_path)
    cache.put(page("https://developer.apple.com/forums/tags/x?sortOrder=desc&sortBy=views"))
    got = cache.get("https://developer.apple.com/forums/tags/x?sortBy=views&sortOrder=DESC#frag")
    assert got is not None and got.body == b"<html></html>" and got.etag == '"e1"'
    assert got.fetched_at == NOW
    touched = cache.touch(got.url, NOW + timedelta(hours=1))
    assert touched is not None and cache.get(got.url).fetched_at == NOW + timedelta(hours=1)  # type: ignore[union-attr]
    cache.close()
    reopened = PageCache(tmp_path)
    assert reopened.get(got.url) is not None  # survives a restart


def test_pinned_pages_survive_eviction(tmp_path: Path) -> None:
    cache = PageCache(tmp_path, size_limit=300_000)
    pinned = "https://developer.apple.com/forums/thread/1"
    cache.put(page(pinned, os.urandom(50_000)))
    assert cache.pin(pinned)
    early_unpinned = "https://developer.apple.com/forums/thread/2"
    cache.put(page(early_unpinned, os.urandom(50_000)))
    for i in range(3, 60):  # diskcache culls as it stores
        cache.put(page(f"https://developer.apple.com/forums/thread/{i}", os.urandom(50_000)))
    assert cache.get(pinned) is not None and cache.is_pinned(pinned)
    assert cache.get(early_unpinned) is None  # evicted: the size limit is real
    info = cache.info()
    assert info.pinned == 1 and info.bytes - info.pinned_bytes <= 300_000 + 60_000


def test_pin_before_cached_and_unpin(tmp_path: Path) -> None:
    cache = PageCache(tmp_path)
    url = "https://developer.apple.com/forums/thread/5?page=2"
    assert cache.pin(url) is False and cache.is_pinned(url)
    cache.put(page(url))
    assert cache.info().pinned == 1
    cache.unpin(url)
    assert not cache.is_pinned(url) and cache.get(url) is not None


def test_clear_keeps_pinned_unless_all(tmp_path: Path) -> None:
    cache = PageCache(tmp_path)
    for i in range(3):
        cache.put(page(f"https://developer.apple.com/forums/thread/{i}"))
    cache.pin("https://developer.apple.com/forums/thread/0")
    cache.clear()
    assert cache.get("https://developer.apple.com/forums/thread/0") is not None
    assert cache.get("https://developer.apple.com/forums/thread/1") is None
    cache.clear(include_pinned=True)
    assert cache.get("https://developer.apple.com/forums/thread/0") is None


def _rows(db: Path) -> list[tuple[object, int, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT key, raw, mode FROM Cache").fetchall()


def test_values_are_data_never_pickles(tmp_path: Path) -> None:
    cache = PageCache(tmp_path)
    url = "https://developer.apple.com/forums/tags/networkextension"
    listing = parse_listing(fixture_bytes("tag-networkextension-p1.html"), url, NOW)
    body = fixture_bytes("tag-networkextension-p1.html")
    cache.put(replace_model(page(url, body, kind="listing"), listing))
    cache.pin("https://developer.apple.com/forums/thread/77")  # a pin waiting for its page
    cache.close()
    rows = _rows(tmp_path / "pages-v2" / "cache.db") + _rows(tmp_path / "pinned-v2" / "cache.db")
    assert len(rows) == 2
    assert all(raw == 1 and mode != diskcache.core.MODE_PICKLE for _, raw, mode in rows)
    got = PageCache(tmp_path).get(url)
    assert got is not None and got.model == listing  # the parse result came back as data


def test_a_foreign_value_is_a_miss_and_never_unpickled(tmp_path: Path) -> None:
    cache = PageCache(tmp_path)
    url = "https://developer.apple.com/forums/thread/9"
    cache.put(page(url))
    cache.close()
    # Another program writes a pickle (which would run code when loaded) under the same key.
    foreign = diskcache.Cache(str(tmp_path / "pages-v2"))
    foreign.set(canonical(url), Exploit())
    foreign.set(canonical(url) + "?x=1", b"not a page")
    foreign.close()
    reopened = PageCache(tmp_path)
    assert reopened.get(url) is None and reopened.get(url + "?x=1") is None
    assert not (tmp_path / "pwned").exists()


def test_a_stored_model_says_which_parser_made_it(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A model of this schema made by another parser still reads (the loader parses its body
    again, and keeps it when the body no longer parses); one of another schema never reads."""
    from nereader.core import cache as cache_module

    cache = PageCache(tmp_path)
    url = "https://developer.apple.com/forums/thread/828388"
    body = fixture_bytes("thread-828388.html")
    thread = parse_thread(body, url, NOW)
    cache.put(replace_model(page(url, body), thread))
    got = cache.get(url)
    assert got is not None and got.model == thread and got.parsed_here
    touched = cache.touch(url, NOW + timedelta(hours=1))
    assert touched is not None and touched.model is None  # relative times would be stale
    cache.put(replace_model(page(url, body), thread))
    monkeypatch.setattr(cache_module, "MODEL_TAG", "9.9.9+p9/4")  # another nereader's parser
    got = cache.get(url)
    assert got is not None and got.model == thread and not got.parsed_here
    monkeypatch.setattr(cache_module, "MODEL_SCHEMA", 99)  # models of another shape
    got = cache.get(url)
    assert got is not None and got.model is None and got.body == body


def test_a_stored_model_of_the_wrong_shape_is_parsed_again() -> None:
    url = "https://developer.apple.com/forums/thread/828388"
    raw = pack(page(url, fixture_bytes("thread-828388.html")))
    # A model that is JSON but not a Thread: the page reads, its model does not.
    magic = raw.index(b"\n") + 1  # the magic line, the checksum of the rest, the header size
    (size,) = struct.unpack_from(">I", raw, magic + 4)
    head = raw[magic + 8 : magic + 8 + size]
    head = head.replace(b'"model_tag": null', f'"model_tag": "{MODEL_TAG}"'.encode())
    head = head.replace(b'"model_bytes": 0', b'"model_bytes": 7')
    rest = struct.pack(">I", len(head)) + head + b"[1,2,3]" + raw[magic + 8 + size :]
    got = unpack(raw[:magic] + struct.pack(">I", zlib.crc32(rest)) + rest)
    assert got is not None and got.model is None and b"828388" in got.body


class Exploit:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


def test_a_cache_of_nereader_0_1_is_migrated(tmp_path: Path) -> None:
    """0.1 pickled each page as a dict: the pages move over as data, their models and anything
    that is not plain data are dropped, and the old stores go."""
    url = "https://developer.apple.com/forums/thread/828388"
    body = fixture_bytes("thread-828388.html")
    old = diskcache.Cache(str(tmp_path / "pinned"))
    old.set(url, {"url": url, "status": 200, "body": zlib.compress(body), "etag": '"x"',
                  "last_modified": None, "fetched_at": NOW.timestamp(), "kind": "thread",
                  "model": b"\x80\x04junk", "model_tag": "0.1.0/1"})
    old.set(("pin-intent", url + "?page=2"), True)
    old.set(url + "?page=3", Exploit())
    old.close()
    cache = PageCache(tmp_path)
    got = cache.get(url)
    assert got is not None and got.body == body and got.etag == '"x"' and got.model is None
    assert cache.is_pinned(url) and cache.is_pinned(url + "?page=2")
    assert cache.get(url + "?page=3") is None and not (tmp_path / "pwned").exists()
    assert not (tmp_path / "pinned").exists()


def replace_model(entry: CachedPage, model: object) -> CachedPage:
    return entry.with_model(model)
