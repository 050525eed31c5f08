"""The page cache on disk (diskcache): keyed by canonical URL, size-bounded, with pinning.

Pinned pages live in a second store that has no size limit, so eviction can never reach them.
Values are data only, never pickles: a short JSON header, the parse result as JSON (see
``codec``) and the body, zlib-compressed. The stores run on a diskcache ``Disk`` that refuses
to pickle and never unpickles; a cache written by nereader 0.1 (pickled values) is migrated
once, read by an unpickler that refuses every class, and then removed.
"""

from __future__ import annotations

import contextlib
import io
import json
import pickle
import shutil
import sqlite3
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import diskcache

from nereader import __version__
from nereader.core import codec
from nereader.core.clock import utc_now
from nereader.core.errors import ParseError, StorageError, storage_errors
from nereader.core.models import MODEL_SCHEMA, PARSER_VERSION, CacheInfo
from nereader.core.store import folder_problem
from nereader.core.urls import canonical

P = ParamSpec("P")
R = TypeVar("R")
_MAGIC = b"nereader-page/3\n"  # then a CRC-32 of everything after it
_MAGIC_2 = b"nereader-page/2\n"  # the same, without the checksum (read, never written)
_INTENT = "pin-intent "  # a pin waiting for its page
# What made a stored model: the parser (nereader's version and PARSER_VERSION), then the
# model schema. A model of this schema made by another parser still reads, but is made again
# from the stored body on first use; one of another schema does not read at all.
MODEL_TAG = f"{__version__}+p{PARSER_VERSION}/{MODEL_SCHEMA}"
# Kinds whose body is their model (a post's image): nothing is stored beside the body.
RAW_KINDS = frozenset({"image"})


class CachedPage:
    """One cached response. The body is decompressed and the model decoded only when used."""

    __slots__ = ("_body", "_model", "_model_json", "_packed", "etag", "fetched_at", "kind",
                 "last_modified", "model_tag", "status", "url")

    def __init__(self, url: str, status: int, body: bytes | None, etag: str | None,
                 last_modified: str | None, fetched_at: datetime, kind: str,
                 model: Any = None, *, packed_body: bytes | None = None,
                 model_json: bytes | None = None, model_tag: str = MODEL_TAG) -> None:
        self.url, self.status, self.etag, self.last_modified = url, status, etag, last_modified
        self.fetched_at, self.kind = fetched_at, kind
        self._body: bytes | None = body
        self._packed: bytes | None = packed_body
        self._model = model
        self._model_json = model_json
        self.model_tag = model_tag  # what made the model (see MODEL_TAG)

    @property
    def body(self) -> bytes:
        if self._body is None:
            try:
                self._body = zlib.decompress(self._packed or b"")
            except zlib.error as exc:  # a damaged copy is no copy (the loader refetches)
                raise ParseError(f"the cached copy of {self.url} is damaged: {exc}") from exc
        return self._body

    @property
    def model(self) -> Any:
        """What the parser made of the body at ``fetched_at``; None: parse it again."""
        if self.kind in RAW_KINDS:
            with contextlib.suppress(ParseError):  # damaged: no copy (the loader refetches)
                return self.body
            return None
        if self._model is None and self._model_json is not None:
            data, self._model_json = self._model_json, None
            with contextlib.suppress(ValueError):
                self._model = codec.load(self.kind, data)
        return self._model

    @property
    def parsed_here(self) -> bool:
        """Whether this nereader's parser made the stored model (else: parse it again)."""
        return self.kind in RAW_KINDS or self.model_tag == MODEL_TAG

    def with_model(self, model: Any) -> CachedPage:
        return CachedPage(self.url, self.status, self._body, self.etag, self.last_modified,
                          self.fetched_at, self.kind, model, packed_body=self._packed)

    def age_seconds(self, now: datetime | None = None) -> float:
        return ((now or utc_now()) - self.fetched_at).total_seconds()


def _storage(what: str, writes: bool = False) -> Callable[[Callable[P, R]], Callable[P, R]]:
    hint = ("; is the disk full, or the cache folder read-only?" if writes
            else "; `nereader cache clear` repairs it")
    return storage_errors(f"the page cache: {what}", hint, (diskcache.Timeout,))


class DataDisk(diskcache.Disk):  # type: ignore[misc]
    """diskcache's Disk without pickle: keys are str, values bytes; a pickled row is a miss."""

    def put(self, key: Any) -> tuple[Any, bool]:
        if not isinstance(key, str):
            raise TypeError("cache keys are strings")
        return super().put(key)  # type: ignore[no-any-return]

    def get(self, key: Any, raw: bool) -> Any:
        return super().get(key, raw) if raw else None

    def store(self, value: Any, read: bool, key: Any = diskcache.UNKNOWN) -> Any:
        if read or not isinstance(value, bytes):
            raise TypeError("cache values are bytes")
        return super().store(value, read, key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode == diskcache.core.MODE_PICKLE:
            return None
        return super().fetch(mode, filename, value, read)


_STORES = ("pages-v2", "pinned-v2")
# A damaged database can also make diskcache fail while it reads its own settings rows.
_OPEN_ERRORS = (OSError, sqlite3.Error, diskcache.Timeout, ValueError, AttributeError,
                TypeError)


def _open(directory: Path, name: str, size_limit: int) -> diskcache.Cache:
    if name == "pinned-v2":
        return diskcache.Cache(str(directory / name), disk=DataDisk, eviction_policy="none")
    return diskcache.Cache(str(directory / name), size_limit=size_limit, disk=DataDisk,
                           eviction_policy="least-recently-used", cull_limit=10)


class PageCache:
    """Pages as fetched (body compressed), with ETag / Last-Modified for revalidation.

    A stored page that fails its checksum (or does not unpack) is dropped when read, and
    ``warnings`` says so; the loader passes that on and fetches the page again."""

    def __init__(self, directory: Path, size_limit: int = 512 * 1024 * 1024) -> None:
        self.directory = directory
        self.size_limit = size_limit
        self.warnings: list[str] = []
        self._lock = threading.Lock()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._pages = _open(directory, "pages-v2", size_limit)
            self._pinned = _open(directory, "pinned-v2", size_limit)
            self._pages.get("")  # a file that is not a database fails here, not later
            self._pinned.get("")
        except _OPEN_ERRORS as exc:
            folder = folder_problem(directory) if isinstance(exc, OSError) else None
            if folder:
                raise StorageError(f"cannot open the cache in {directory}: {folder}") from exc
            raise StorageError(f"cannot open the cache in {directory}: {exc}; `nereader cache "
                               "clear` repairs it") from exc
        _migrate_legacy(directory, self)

    @classmethod
    def repair(cls, directory: Path, size_limit: int, include_pinned: bool) -> list[str]:
        """Recreate the stores that cannot be opened (and the unpinned one, which a clear
        empties anyway); returns what was recreated. The pinned store goes only when it
        cannot be read at all, or with ``include_pinned``."""
        remade: list[str] = []
        for name in _STORES:
            path = directory / name
            if name == "pinned-v2" and not include_pinned:
                try:
                    store = _open(directory, name, size_limit)
                    store.get("")
                    store.close()
                    continue
                except _OPEN_ERRORS:
                    pass
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
                if path.exists():
                    raise StorageError(f"cannot remove the damaged cache store {path}; "
                                       "check the folder's permissions")
                remade.append(name)
        return remade

    def close(self) -> None:
        self._pages.close()
        self._pinned.close()

    # -- entries -------------------------------------------------------------------------------
    @_storage("read a page")
    def get(self, url: str) -> CachedPage | None:
        key = canonical(url)
        store, raw = self._pinned, self._pinned.get(key)
        if raw is None:
            store, raw = self._pages, self._pages.get(key)
        if not isinstance(raw, bytes):
            return None
        try:
            return unpack(raw)
        except DamagedPage as exc:
            self.warnings.append(f"the cached copy of {url} was damaged ({exc}); dropped it")
            with self._lock:
                store.pop(key, default=None)
                if store is self._pinned:
                    self._pinned.set(_INTENT + key, b"")  # still pinned: its next copy too
            return None

    @_storage("store a page", writes=True)
    def put(self, page: CachedPage) -> None:
        """Store a page; into the pinned store when it is pinned, or a pin awaits it."""
        key = canonical(page.url)
        value = pack(page)
        with self._lock:
            if key in self._pinned or _INTENT + key in self._pinned:
                self._pinned.set(key, value)
                self._pinned.pop(_INTENT + key, default=None)
            else:
                self._pages.set(key, value)

    def touch(self, url: str, fetched_at: datetime) -> CachedPage | None:
        """A 304 says the copy is still good: refresh its fetch time."""
        page = self.get(url)
        if page is None:
            return None
        # The parsed model goes: relative times in it ("4m") hang on the old fetch time.
        fresh = CachedPage(page.url, page.status, page.body, page.etag, page.last_modified,
                           fetched_at, page.kind)
        self.put(fresh)
        return fresh

    @_storage("look up a page")
    def __contains__(self, url: str) -> bool:
        key = canonical(url)
        return key in self._pinned or key in self._pages

    # -- pinning -------------------------------------------------------------------------------
    @_storage("pin a page", writes=True)
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
            self._pinned.set(_INTENT + key, b"")
            return False

    @_storage("unpin a page", writes=True)
    def unpin(self, url: str) -> None:
        key = canonical(url)
        with self._lock:
            self._pinned.pop(_INTENT + key, default=None)
            raw = self._pinned.pop(key, default=None)
            if raw is not None:
                self._pages.set(key, raw)

    @_storage("look up a pin")
    def is_pinned(self, url: str) -> bool:
        key = canonical(url)
        return key in self._pinned or _INTENT + key in self._pinned

    # -- housekeeping --------------------------------------------------------------------------
    @_storage("list its pages")
    def urls(self) -> list[str]:
        return [k for k in self._keys(self._pinned)] + [k for k in self._keys(self._pages)]

    @staticmethod
    def _keys(store: diskcache.Cache) -> Iterator[str]:
        return (k for k in store.iterkeys() if isinstance(k, str) and not k.startswith(_INTENT))

    @_storage("measure itself")
    def info(self) -> CacheInfo:
        pinned = sum(1 for _ in self._keys(self._pinned))
        return CacheInfo(
            directory=str(self.directory),
            pages=sum(1 for _ in self._keys(self._pages)) + pinned,
            pinned=pinned,
            bytes=int(self._pages.volume()) + int(self._pinned.volume()),
            pinned_bytes=int(self._pinned.volume()),
            size_limit=self.size_limit,
        )

    @_storage("clear itself", writes=True)
    def clear(self, include_pinned: bool = False) -> int:
        removed = int(self._pages.clear())
        if include_pinned:
            removed += int(self._pinned.clear())
        return removed


# -- the stored form -------------------------------------------------------------------------
def pack(page: CachedPage) -> bytes:
    """magic, header length, JSON header, model JSON, compressed body."""
    model = b""
    if page.model is not None and page.kind not in RAW_KINDS:
        with contextlib.suppress(TypeError):
            model = codec.dump(page.model)
    packed = page._packed if page._body is None and page._packed else zlib.compress(page.body, 1)
    header = json.dumps({
        "url": page.url, "status": page.status, "etag": page.etag,
        "last_modified": page.last_modified, "fetched_at": page.fetched_at.timestamp(),
        "kind": page.kind, "model_tag": page.model_tag if model else None,
        "model_bytes": len(model),
    }).encode()
    rest = struct.pack(">I", len(header)) + header + model + packed
    return _MAGIC + struct.pack(">I", zlib.crc32(rest)) + rest


class DamagedPage(ValueError):
    """A stored value that should be a page and is not (cut short, bytes changed)."""


def unpack(raw: bytes) -> CachedPage | None:
    """A stored page; None for an empty value (a pin waiting for its page); DamagedPage for
    anything else that is not a whole page (never a crash, never a half-read page)."""
    if not raw:
        return None
    if raw.startswith(_MAGIC):
        at = len(_MAGIC) + 4
        if len(raw) < at or struct.unpack_from(">I", raw, len(_MAGIC))[0] != zlib.crc32(
                memoryview(raw)[at:]):
            raise DamagedPage("checksum mismatch")
    elif raw.startswith(_MAGIC_2):
        at = len(_MAGIC_2)
    else:
        raise DamagedPage("not a stored page")
    try:
        start = at + 4
        (size,) = struct.unpack_from(">I", raw, at)
        head = json.loads(raw[start:start + size])
        model_bytes = int(head["model_bytes"])
        body_at = start + size + model_bytes
        if model_bytes < 0 or body_at > len(raw):
            raise DamagedPage("cut short")
        tag = _text(head.get("model_tag")) or ""
        same_shape = tag.rpartition("/")[2] == str(MODEL_SCHEMA)
        model_json = raw[start + size:body_at] if same_shape else None
        return CachedPage(
            url=str(head["url"]), status=int(head["status"]), body=None,
            etag=_text(head.get("etag")), last_modified=_text(head.get("last_modified")),
            fetched_at=datetime.fromtimestamp(float(head["fetched_at"]), tz=UTC),
            kind=str(head.get("kind", "")), packed_body=raw[body_at:],
            model_json=model_json or None, model_tag=tag,
        )
    except DamagedPage:
        raise
    except (ValueError, TypeError, KeyError, OverflowError, OSError, struct.error) as exc:
        raise DamagedPage(f"unreadable header: {type(exc).__name__}") from exc


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# -- nereader 0.1 caches (pickled values) ----------------------------------------------------
class _NoClasses(pickle.Unpickler):
    """Reads only plain data (dicts, lists, str, bytes, numbers): no class is ever loaded."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing {module}.{name}")


def _plain(data: bytes) -> Any:
    return _NoClasses(io.BytesIO(data)).load()


def _migrate_legacy(directory: Path, cache: PageCache) -> None:
    """Move pages from the 0.1 stores (``pages/``, ``pinned/``) into this cache, dropping
    their pickled models, then remove the old stores. Whatever cannot be read is dropped."""
    for name, pinned in (("pinned", True), ("pages", False)):
        old = directory / name
        if not (old / "cache.db").is_file():
            continue
        with contextlib.suppress(Exception):  # best effort: the old store goes either way
            _copy_legacy(old, cache, pinned)
        shutil.rmtree(old, ignore_errors=True)


def _copy_legacy(old: Path, cache: PageCache, pinned: bool) -> None:
    db = sqlite3.connect(f"file:{old / 'cache.db'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT key, raw, mode, filename, value FROM Cache").fetchall()
    finally:
        db.close()
    for key, raw, mode, filename, value in rows:
        with contextlib.suppress(Exception):
            key = key if raw else _plain(bytes(key))
            if mode != diskcache.core.MODE_PICKLE:
                continue
            data = bytes(value) if value is not None else (old / filename).read_bytes()
            if isinstance(key, tuple) and len(key) == 2 and key[0] == "pin-intent":
                cache.pin(str(key[1]))
                continue
            item = _plain(data)
            if not isinstance(key, str) or not isinstance(item, dict):
                continue
            page = CachedPage(str(item["url"]), int(item["status"]),
                              zlib.decompress(item["body"]), _text(item.get("etag")),
                              _text(item.get("last_modified")),
                              datetime.fromtimestamp(float(item["fetched_at"]), tz=UTC),
                              str(item.get("kind", "")))
            if pinned:
                cache.pin(page.url)
            cache.put(page)
