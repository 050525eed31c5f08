"""The page cache: round trips, canonical keys, pinning under eviction pressure, clearing."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nereader.core.cache import CachedPage, PageCache

NOW = datetime(2026, 6, 12, tzinfo=UTC)


def page(url: str, body: bytes = b"<html></html>", when: datetime = NOW) -> CachedPage:
    return CachedPage(url, 200, body, '"e1"', "Fri, 12 Jun 2026 12:00:00 GMT", when, "thread")


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
    for i in range(3, 60):
        cache.put(page(f"https://developer.apple.com/forums/thread/{i}", os.urandom(50_000)))
    cache.cull()
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


def test_unreadable_entry_is_a_miss(tmp_path: Path) -> None:
    cache = PageCache(tmp_path)
    cache._pages.set("https://developer.apple.com/forums/thread/9", {"garbage": True})
    assert cache.get("https://developer.apple.com/forums/thread/9") is None


def test_parsed_model_is_kept_only_for_this_version(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from nereader.core import cache as cache_module
    from nereader.core.models import Tag

    cache = PageCache(tmp_path)
    url = "https://developer.apple.com/forums/thread/3"
    cache.put(replace(page(url), model=Tag("a", "b")))
    assert cache.get(url).model == Tag("a", "b")  # type: ignore[union-attr]
    touched = cache.touch(url, NOW + timedelta(hours=1))
    assert touched is not None and touched.model is None  # relative times would be stale
    cache.put(replace(page(url), model=Tag("a", "b")))
    monkeypatch.setattr(cache_module, "MODEL_TAG", "0.0.0/0")  # another nereader version
    assert cache.get(url).model is None  # type: ignore[union-attr]
