"""The page cache on disk (diskcache): keyed by canonical URL, size-bounded, with pinning.

Pinned pages live in a second store that has no size limit, so eviction can never reach them.
"""

from __future__ import annotations

import pickle
import sqlite3
import threading
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import diskcache

from nereader import __version__
from nereader.core.errors import StorageError
from nereader.core.models import MODEL_SCHEMA
from nereader.core.urls import canonical


@dataclass(frozen=True, slots=True)
class CachedPage:
    url: str
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    fetched_at: datetime
    kind: str
    model: Any = None  # what the parser made of body at fetched_at (None: parse again)

    def age_seconds(self, now: datetime | None = None) -> float:
        return ((now or datetime.now(UTC)) - self.fetched_at).total_seconds()


@dataclass(frozen=True, slots=True)
class CacheInfo:
    directory: str
    pages: int
    pinned: int
    bytes: int
    pinned_bytes: int
    size_limit: int


class PageCache:
    """Pages as fetched (body compressed), with ETag / Last-Modified for revalidation."""

    def __init__(self, directory: Path, size_limit: int = 512 * 1024 * 1024) -> None:
        self.directory = directory
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._pages = diskcache.Cache(
                str(directory / "pages"),
                size_limit=size_limit,
                eviction_policy="least-recently-used",
                cull_limit=10,
            )
            self._pinned = diskcache.Cache(str(directory / "pinned"), eviction_policy="none")
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open the cache in {directory}: {exc}") from exc
        self.size_limit = size_limit
        self._lock = threading.Lock()

    def close(self) -> None:
        self._pages.close()
        self._pinned.close()

    # -- entries -------------------------------------------------------------------------------
    def get(self, url: str) -> CachedPage | None:
        key = canonical(url)
        raw = self._pinned.get(key)
        if raw is None:
            raw = self._pages.get(key)
        return _decode(raw) if raw is not None else None

    def put(self, page: CachedPage) -> None:
        """Store a page; into the pinned store when it is pinned, or a pin awaits it."""
        key = canonical(page.url)
        value = _encode(page)
        with self._lock:
            if key in self._pinned or ("pin-intent", key) in self._pinned:
                self._pinned.set(key, value)
                self._pinned.pop(("pin-intent", key), default=None)
            else:
                self._pages.set(key, value)

    def touch(self, url: str, fetched_at: datetime) -> CachedPage | None:
        """A 304 says the copy is still good: refresh its fetch time."""
        page = self.get(url)
        if page is None:
            return None
        # The parsed model goes: relative times in it ("4m") hang on the old fetch time.
        fresh = CachedPage(
            page.url, page.status, page.body, page.etag, page.last_modified, fetched_at, page.kind
        )
        self.put(fresh)
        return fresh

    def __contains__(self, url: str) -> bool:
        key = canonical(url)
        return key in self._pinned or key in self._pages

    # -- pinning -------------------------------------------------------------------------------
    def pin(self, url: str) -> bool:
        """Keep a page forever (until unpinned). Returns whether it is cached."""
        key = canonical(url)
        with self._lock:
            raw = self._pages.pop(key, default=None)
            if raw is not None:
                self._pinned.set(key, raw)
                return True
            if key in self._pinned:
                return True
            self._pinned.set(("pin-intent", key), True)
            return False

    def unpin(self, url: str) -> None:
        key = canonical(url)
        with self._lock:
            self._pinned.pop(("pin-intent", key), default=None)
            raw = self._pinned.pop(key, default=None)
            if raw is not None:
                self._pages.set(key, raw)

    def is_pinned(self, url: str) -> bool:
        key = canonical(url)
        return key in self._pinned or ("pin-intent", key) in self._pinned

    # -- housekeeping --------------------------------------------------------------------------
    def urls(self) -> list[str]:
        keys = [k for k in self._pinned.iterkeys() if isinstance(k, str)]
        return keys + [k for k in self._pages.iterkeys() if isinstance(k, str)]

    def info(self) -> CacheInfo:
        pinned_keys = [k for k in self._pinned.iterkeys() if isinstance(k, str)]
        return CacheInfo(
            directory=str(self.directory),
            pages=len(self._pages) + len(pinned_keys),
            pinned=len(pinned_keys),
            bytes=int(self._pages.volume()) + int(self._pinned.volume()),
            pinned_bytes=int(self._pinned.volume()),
            size_limit=self.size_limit,
        )

    def clear(self, include_pinned: bool = False) -> int:
        removed = int(self._pages.clear())
        if include_pinned:
            removed += int(self._pinned.clear())
        return removed

    def cull(self) -> int:
        return int(self._pages.cull())


# A stored model is used only by the nereader version (and model schema) that made it.
MODEL_TAG = f"{__version__}/{MODEL_SCHEMA}"


def _encode(page: CachedPage) -> dict[str, Any]:
    encoded = {
        "url": page.url,
        "status": page.status,
        "body": zlib.compress(page.body, 1),
        "etag": page.etag,
        "last_modified": page.last_modified,
        "fetched_at": page.fetched_at.timestamp(),
        "kind": page.kind,
    }
    if page.model is not None:
        encoded["model"] = pickle.dumps(page.model, protocol=pickle.HIGHEST_PROTOCOL)
        encoded["model_tag"] = MODEL_TAG
    return encoded


def _model(raw: dict[str, Any]) -> Any:
    if raw.get("model_tag") != MODEL_TAG or "model" not in raw:
        return None
    try:
        return pickle.loads(raw["model"])
    except Exception:  # an unreadable model just means parsing the body again
        return None


def _decode(raw: dict[str, Any]) -> CachedPage | None:
    try:
        return CachedPage(
            url=raw["url"],
            status=int(raw["status"]),
            body=zlib.decompress(raw["body"]),
            etag=raw.get("etag"),
            last_modified=raw.get("last_modified"),
            fetched_at=datetime.fromtimestamp(float(raw["fetched_at"]), tz=UTC),
            kind=str(raw.get("kind", "")),
            model=_model(raw),
        )
    except (KeyError, TypeError, ValueError, zlib.error):
        return None  # an unreadable entry is a miss, never a crash
