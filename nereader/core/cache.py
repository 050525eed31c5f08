"""The page cache on disk (diskcache): keyed by canonical URL, size-bounded, with pinning.

Pinned pages live in a second store that has no size limit, so eviction can never reach them.
Values are data only, never pickles: a short JSON header, the parse result as JSON (see
``codec``) and the body, zlib-compressed. The stores run on a diskcache ``Disk`` that refuses
to pickle and never unpickles; a cache written by nereader 0.1 (pickled values) is migrated
once, read by an unpickler that refuses every class, and then removed.
"""

from __future__ import annotations

import contextlib
import functools
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
from typing import Any, Concatenate, ParamSpec, TypeVar

import diskcache

from nereader.core import codec
from nereader.core.clock import age_seconds, is_fresh
from nereader.core.codec import MODEL_TAG
from nereader.core.errors import ParseError, StorageError
from nereader.core.models import MODEL_SCHEMA, CacheInfo
from nereader.core.store import (
    LOCK_WAIT,
    disk_trouble,
    folder_problem,
    no_room,
    write_failed,
)
from nereader.core.urls import canonical

P = ParamSpec("P")
R = TypeVar("R")
_MAGIC = b"nereader-page/3\n"  # then a CRC-32 of everything after it
_MAGIC_2 = b"nereader-page/2\n"  # the same, without the checksum (read, never written)
_INTENT = "pin-intent "  # a pin waiting for its page
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
        return age_seconds(self.fetched_at, now)

    def fresh(self, ttl: float, now: datetime | None = None) -> bool:
        """Usable without asking the site (a fetch time ahead of the clock never is)."""
        return is_fresh(self.fetched_at, ttl, now)


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
_FAILURES = (OSError, sqlite3.Error, diskcache.Timeout)
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB (primary codes)


def _damage(exc: BaseException) -> bool:
    """Whether a failure says a store's file is damaged (not a database, malformed)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.DatabaseError) and (
        (isinstance(code, int) and code & 0xFF in _DAMAGED)
        or "not a database" in str(exc) or "malformed" in str(exc))
_WRITE_FAILED = {8, 10, 13}  # SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL (primary codes)


def _open(directory: Path, name: str, size_limit: int) -> diskcache.Cache:
    # The timeout bounds every wait on another process's write (a stopped one included).
    if name == "pinned-v2":
        return diskcache.Cache(str(directory / name), timeout=LOCK_WAIT, disk=DataDisk,
                               eviction_policy="none")
    return diskcache.Cache(str(directory / name), timeout=LOCK_WAIT, size_limit=size_limit,
                           disk=DataDisk, eviction_policy="least-recently-used", cull_limit=10)


class ReadOnlyStore:
    """A store read straight from its SQLite file without writing a byte, for a disk that is
    full or read-only: diskcache itself writes on open and on every read (the access times
    its eviction keeps). It reads diskcache's own table (``Cache``: ``key``, ``raw``,
    ``mode``, ``filename``, ``value``), as the 0.1 migration does; a test holds it to what
    diskcache wrote."""

    def __init__(self, directory: Path, live: bool = False, unread: bool = False) -> None:
        self.directory = directory
        self._db: sqlite3.Connection | None = None
        database = directory / "cache.db"
        if unread or not database.is_file():
            return  # nothing was ever stored there (or it is damaged): an empty store
        uri = database.resolve().as_uri()
        failure: Exception | None = None
        # Read-only first (the write-ahead log is read too); where even that needs a write
        # (its shared-memory file), as the file stands on disk, but never for a ``live``
        # store (one written meanwhile, whose changes must be seen).
        for mode in ("?mode=ro",) if live else ("?mode=ro", "?mode=ro&immutable=1"):
            try:
                db = sqlite3.connect(uri + mode, uri=True, check_same_thread=False)
                tables = db.execute("SELECT name FROM sqlite_master").fetchall()
                if ("Cache",) not in tables:  # a store being created when the disk filled
                    db.close()
                    return
                db.execute("SELECT count(*) FROM Cache").fetchone()
            except sqlite3.Error as exc:
                failure = exc
                continue
            self._db = db
            return
        raise sqlite3.DatabaseError(f"cannot read {database}: {failure}")

    def get(self, key: str, default: Any = None) -> Any:
        if self._db is None:
            return default
        row = self._db.execute("SELECT mode, filename, value FROM Cache WHERE key = ? AND "
                               "raw = 1", (key,)).fetchone()
        if row is None:
            return default
        mode, filename, value = row
        if mode == diskcache.core.MODE_RAW:
            return bytes(value)
        if mode == diskcache.core.MODE_BINARY and filename:
            try:
                return (self.directory / filename).read_bytes()
            except FileNotFoundError:
                return default
        return default  # text or a pickle: never a page of this cache

    def __contains__(self, key: object) -> bool:
        return self._db is not None and self._db.execute(
            "SELECT 1 FROM Cache WHERE key = ? AND raw = 1", (key,)).fetchone() is not None

    def iterkeys(self) -> Iterator[Any]:
        if self._db is None:
            return iter(())
        return (k for (k,) in self._db.execute("SELECT key FROM Cache WHERE raw = 1 "
                                                "ORDER BY rowid").fetchall())

    def present(self, keys: list[str]) -> set[str]:
        """Which of these keys the store holds, in a few queries (not one a key)."""
        if self._db is None:
            return set()
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            found.update(k for (k,) in self._db.execute(
                f"SELECT key FROM Cache WHERE raw = 1 AND key IN "
                f"({','.join('?' * len(chunk))})", chunk))
        return found

    def version(self) -> int:
        """A number that changes whenever another connection changes the store."""
        if self._db is None:
            return 0
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def volume(self) -> int:
        if self._db is None:
            return 0
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        size = self._db.execute("PRAGMA page_size").fetchone()[0]
        files = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM Cache").fetchone()[0]
        return int(pages) * int(size) + int(files)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def _stored_pages(directory: Path) -> int | None:
    """How many pages a store holds, read without writing; None when it cannot be read."""
    try:
        store = ReadOnlyStore(directory)
    except (sqlite3.Error, OSError):
        return None
    try:
        return sum(1 for _ in PageCache.keys_of(store))
    except (sqlite3.Error, OSError):
        return None
    finally:
        store.close()


Store = Any  # a diskcache.Cache, or a ReadOnlyStore when the disk cannot be written
C = TypeVar("C", bound="PageCache")


def _guarded(what: str, writes: bool = False
             ) -> Callable[[Callable[Concatenate[C, P], R]], Callable[Concatenate[C, P], R]]:
    """A cache operation whose failure is one StorageError saying which kind it is: the
    disk is full or read-only (the cache then goes on read-only: what is cached still
    reads, and a read that failed only for want of space is tried again), another process
    holds the cache too long, or the store itself is damaged (``cache clear`` repairs it)."""

    def wrap(fn: Callable[Concatenate[C, P], R]) -> Callable[Concatenate[C, P], R]:
        @functools.wraps(fn)
        def run(self: C, /, *args: P.args, **kwargs: P.kwargs) -> R:
            if writes and self.read_only:
                raise StorageError(self.read_only) from self._cause
            try:
                return fn(self, *args, **kwargs)
            except _FAILURES as exc:
                problem = self.problem(what, exc)
                if self.read_only and not writes:
                    try:
                        return fn(self, *args, **kwargs)
                    except _FAILURES as again:
                        raise self.problem(what, again) from again
                raise problem from exc

        return run

    return wrap


class PageCache:
    """Pages as fetched (body compressed), with ETag / Last-Modified for revalidation.

    A stored page that fails its checksum (or does not unpack) is dropped when read, and
    ``warnings`` says so; the loader passes that on and fetches the page again. On a disk
    that is full or read-only the cache is read-only (``read_only`` says why): cached pages
    read, and every write is refused with that reason, never taken for damage. A store
    that is damaged (not a database) is run without, as it is on disk: the pages of the
    other one read, every write is refused saying so (`nereader cache clear` repairs it),
    and nothing is removed until the user says so."""

    def __init__(self, directory: Path, size_limit: int = 512 * 1024 * 1024) -> None:
        self.directory = directory
        self.size_limit = size_limit
        self.warnings: list[str] = []
        self.read_only: str | None = None
        self._lock = threading.Lock()
        self._pages: Store = None
        self._pinned: Store = None
        self._readers: tuple[ReadOnlyStore, ReadOnlyStore] | None = None
        self._cause: BaseException | None = None  # of ``read_only``
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
            if isinstance(exc, diskcache.Timeout):
                raise self.problem("open", exc) from exc
            self._degrade(self._cannot_write(exc), exc)
        if self.read_only is None:
            _migrate_legacy(directory, self)

    def _degrade(self, trouble: str | None, cause: BaseException) -> None:
        """Go on read-only: the stores as they are on disk (one that cannot be read, as
        empty: it is damaged), every write refused. ``trouble``: why the disk cannot be
        written (None: it can, and ``cause`` is damage)."""
        for store in (self._pages, self._pinned, *(self._readers or ())):
            with contextlib.suppress(*_FAILURES, AttributeError):
                if store is not None:
                    store.close()
        self._readers = None
        stores: list[ReadOnlyStore] = []
        damaged: list[str] = []
        for name in _STORES:
            try:
                stores.append(ReadOnlyStore(self.directory / name))
            except (sqlite3.Error, OSError) as exc:
                damaged.append(name)
                stores.append(ReadOnlyStore(self.directory / name, unread=True))
                cause = exc if trouble is not None else cause
        self._pages, self._pinned = stores
        self._cause = cause
        if trouble is not None and not damaged:
            self.read_only = ("the page cache cannot store pages (cached pages still read; "
                              f"pages fetched are shown but not kept): {trouble}")
            return
        kept = "" if "pinned-v2" in damaged else " (bookmarked pages still read)"
        self.read_only = (f"the page cache in {self.directory} is damaged ({cause}); going "
                          f"without it: pages are shown but not kept{kept}; `nereader cache "
                          "clear` repairs it")
        if trouble is not None:
            self.read_only += f"; besides, {trouble}"
        self.warnings.append(self.read_only)

    def _cannot_write(self, exc: BaseException) -> str | None:
        """Why the cache cannot be written, when a failure says it cannot (None: the failure
        is something else, such as a damaged store)."""
        trouble = disk_trouble(self.directory) if self.directory.is_dir() else None
        if trouble is not None:
            return trouble
        if isinstance(exc, OSError):
            return no_room(exc, self.directory)
        # SQLite says "disk I/O error" for a write the file system refused (a full disk, a
        # file size limit) as much as for a failing disk: read-only is safe for either.
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _WRITE_FAILED:
            return write_failed(self.directory, exc)
        return None

    def problem(self, what: str, exc: BaseException) -> StorageError:
        """The StorageError for a failed cache operation, by kind (see ``_guarded``)."""
        if isinstance(exc, diskcache.Timeout) or "locked" in str(exc):
            return StorageError(f"the page cache is busy: another nereader process has held "
                                f"it for over {LOCK_WAIT:g} s (to {what}); try again when it "
                                "is done")
        if self.read_only is None and (trouble := self._cannot_write(exc)) is not None:
            self._degrade(trouble, exc)
        elif self.read_only is None and _damage(exc):
            self._degrade(None, exc)
        if self.read_only is not None:
            return StorageError(self.read_only)
        detail = getattr(exc, "strerror", None) or exc
        return StorageError(f"the page cache: {what} failed: {detail}; `nereader cache "
                            "clear` repairs it")

    @classmethod
    def repair(cls, directory: Path, include_pinned: bool) -> tuple[list[str], int | None]:
        """Remove what a clear must empty and could not: the unpinned store, whole (a clear
        empties it anyway, and removing its files frees space on a full disk), and the
        pinned store only with ``include_pinned`` or when it cannot be read at all (read
        without writing a byte: a full disk is no damage). Returns the stores removed and
        the pages they held (None: a removed store could not be read to count them)."""
        if directory.is_dir() and (trouble := disk_trouble(directory)) and (
                "read-only" in trouble or "cannot be written" in trouble):
            raise StorageError(f"cannot clear the cache: {trouble}")
        removed: list[str] = []
        count: int | None = 0
        for name in _STORES:
            path = directory / name
            if not path.exists():
                continue
            held = _stored_pages(path)
            if name == "pinned-v2" and not include_pinned and held is not None:
                continue
            shutil.rmtree(path, ignore_errors=True)
            if path.exists():
                raise StorageError(f"cannot remove the cache store {path}; check the "
                                   "folder's permissions")
            removed.append(name)
            count = None if held is None or count is None else count + held
        return removed, count

    def close(self) -> None:
        for store in (self._pages, self._pinned, *(self._readers or ())):
            with contextlib.suppress(*_FAILURES):
                store.close()
        self._readers = None

    # -- entries -------------------------------------------------------------------------------
    @_guarded("read a page")
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
            if self.read_only:
                return None  # dropped from what is read; the file changes once it can
            with self._lock:
                store.pop(key, default=None)
                if store is self._pinned:
                    self._pinned.set(_INTENT + key, b"")  # still pinned: its next copy too
            return None

    @_guarded("store a page", writes=True)
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

    @_guarded("look up a page")
    def __contains__(self, url: str) -> bool:
        key = canonical(url)
        return key in self._pinned or key in self._pages

    # -- pinning -------------------------------------------------------------------------------
    @_guarded("pin a page", writes=True)
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

    @_guarded("unpin a page", writes=True)
    def unpin(self, url: str) -> None:
        key = canonical(url)
        with self._lock:
            self._pinned.pop(_INTENT + key, default=None)
            raw = self._pinned.pop(key, default=None)
            if raw is not None:
                self._pages.set(key, raw)

    @_guarded("look up pages")
    def present(self, urls: list[str]) -> set[str]:
        """Which of these pages are cached (as given): read straight from the stores' files,
        a few queries for thousands of pages."""
        keys = {url: canonical(url) for url in urls}
        with self._lock:
            readers = self._bulk_readers()
            if readers is None:  # (the files cannot be read so): one key at a time
                return {url for url, key in keys.items()
                        if key in self._pinned or key in self._pages}
            found = readers[0].present(list(keys.values())) | readers[1].present(
                list(keys.values()))
        return {url for url, key in keys.items() if key in found}

    @_guarded("look at itself")
    def version(self) -> tuple[int, int] | None:
        """What changes whenever a page is stored or removed (by any process); None when
        that cannot be told."""
        with self._lock:
            readers = self._bulk_readers()
            return None if readers is None else (readers[0].version(), readers[1].version())

    def _bulk_readers(self) -> tuple[ReadOnlyStore, ReadOnlyStore] | None:
        """The stores' files read directly (the read-only stores themselves, when the cache
        is read-only)."""
        if self.read_only:
            return self._pages, self._pinned
        if self._readers is None:
            try:
                self._readers = (ReadOnlyStore(self.directory / "pages-v2", live=True),
                                 ReadOnlyStore(self.directory / "pinned-v2", live=True))
            except (sqlite3.Error, OSError):
                return None
        return self._readers

    @_guarded("look up a pin")
    def is_pinned(self, url: str) -> bool:
        key = canonical(url)
        return key in self._pinned or _INTENT + key in self._pinned

    # -- housekeeping --------------------------------------------------------------------------
    @_guarded("list its pages")
    def urls(self) -> list[str]:
        with self._lock:  # read from the files in one query each (not one a key)
            readers = self._bulk_readers()
            pages, pinned = readers or (self._pages, self._pinned)
            return [*self.keys_of(pinned), *self.keys_of(pages)]

    @staticmethod
    def keys_of(store: Store) -> Iterator[str]:
        """The pages' keys in a store (not the pins waiting for their page)."""
        return (k for k in store.iterkeys() if isinstance(k, str) and not k.startswith(_INTENT))

    @_guarded("measure itself")
    def info(self) -> CacheInfo:
        pinned = sum(1 for _ in self.keys_of(self._pinned))
        return CacheInfo(
            directory=str(self.directory),
            pages=sum(1 for _ in self.keys_of(self._pages)) + pinned,
            pinned=pinned,
            bytes=int(self._pages.volume()) + int(self._pinned.volume()),
            pinned_bytes=int(self._pinned.volume()),
            size_limit=self.size_limit,
            read_only=self.read_only,
        )

    @_guarded("clear itself", writes=True)
    def clear(self, include_pinned: bool = False) -> int:
        """Remove the unpinned pages (and with ``include_pinned`` the pinned ones too);
        returns how many pages went (the pins waiting for a page are not counted)."""
        stores = [self._pages, self._pinned] if include_pinned else [self._pages]
        removed = sum(1 for store in stores for _ in self.keys_of(store))
        for store in stores:
            store.clear()
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
