"""The one road every page takes: the cache when fresh, else the site; failures serve the cache.

A response is parsed before it is stored, so an error page, a bot check or a changed layout
never replaces a good copy, and any failure (network, status, parse) serves the cached copy
marked stale with its age (stale-if-error). A parser that fails in a way nobody foresaw is a
failure to read that page (ParseError), never a crash. A page that cannot be stored (a full
disk) is still shown, and the failure is said and remembered (``store_failed``) so a sync stops.
"""

from __future__ import annotations

import asyncio
import codecs
import concurrent.futures
import contextlib
import functools
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from nereader.core.cache import CachedPage, PageCache
from nereader.core.errors import (
    ErrorPageError,
    FetchError,
    NotFoundError,
    OfflineError,
    ParseError,
    StorageError,
)
from nereader.core.models import Activity, Notice, ServiceEvent, Sourced
from nereader.core.settings import Settings
from nereader.core.text import age_text

if TYPE_CHECKING:  # the HTTP client loads with the first request, not at start
    import httpx

    from nereader.core.fetch import Fetcher

T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")
ParseFn = Callable[[bytes, str, datetime], T]
Emit = Callable[[ServiceEvent], None]


MODELS_KEPT = 4000  # decoded models kept (about 50 listings of 50 pages, and bookmarks)


class NeedsParse(Exception):
    """A cached page whose stored model this parser did not make (see ``Loader.stored``)."""


class Loader:
    """Owns the fetcher and the page cache; both open on first use (offline: no socket ever)."""

    def __init__(self, settings: Settings, emit: Emit,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.offline = settings.offline
        self._emit = emit
        self._transport = transport
        self._cache: PageCache | None = None
        self._cache_lock = threading.Lock()  # it opens in whichever thread needs it first
        self._fetcher: Fetcher | None = None
        self._opening: asyncio.Future[Fetcher] | None = None
        self._workers = Workers()
        self.store_failed: StorageError | None = None
        self._told: set[str] = set()
        # Models read from the cache, by page and fetch time: the inbox and the home screen
        # read hundreds of stored pages again each time they are drawn, and a page's stored
        # model only changes with a new fetch (or a new parser, whose tag is in the key).
        self._models: OrderedDict[tuple[str, datetime, str], Any] = OrderedDict()
        self._models_lock = threading.Lock()

    # -- the parts -----------------------------------------------------------------------------
    @property
    def cache(self) -> PageCache:
        """The page cache, opened on first use (a broken cache fails only what needs it)."""
        with self._cache_lock:
            if self._cache is None:
                self._cache = PageCache(self.settings.cache_dir, self.settings.cache_size_limit)
            return self._cache

    def open_cache(self) -> None:
        """Open the page cache now, if it opens (else its first use says why)."""
        with contextlib.suppress(StorageError):
            _ = self.cache

    def repair_cache(self, include_pinned: bool) -> tuple[list[str], int | None]:
        """Remove the cache stores a clear could not empty (see ``PageCache.repair``)."""
        with self._cache_lock:
            if self._cache is not None:
                self._cache.close()
                self._cache = None
        return PageCache.repair(self.settings.cache_dir, include_pinned)

    async def _get(self, url: str) -> CachedPage | None:
        """The cached copy of a page; a damaged one is dropped, and that is said. The first
        read opens the cache in its thread: opening reads (and may write) its database, which
        the event loop need not wait for."""
        try:
            return await self.run(lambda: self.cache.get(url))
        finally:
            cache = self._cache
            while cache is not None and cache.warnings:
                self._tell(cache.warnings.pop(0))

    async def _put(self, page: CachedPage) -> None:
        """Store a page; a failure is said once and remembered, and reading goes on."""
        try:
            await self.run(self.cache.put, page)
        except StorageError as exc:
            self._store_failure(exc)

    def _store_failure(self, exc: StorageError) -> None:
        if self.store_failed is None:
            # A read-only cache's reason says so already (and ends with what to do).
            cache = self._cache
            self._tell(str(exc) if cache is not None and cache.read_only
                       else f"{exc}; pages are shown but not kept")
        self.store_failed = exc

    def told(self, message: str) -> bool:
        """Whether the cache's notice ``message`` was said already."""
        return message in self._told

    def _tell(self, message: str) -> None:
        """A notice of the cache's, said once (a damaged cache says so when opened, and its
        first refused write would say it again)."""
        if message not in self._told:
            self._told.add(message)
            self._emit(Notice(message, "Cache"))

    async def _parse(self, parse: ParseFn[T], body: bytes, url: str, fetched_at: datetime
                     ) -> T:
        try:
            return await self.run(parse, body, url, fetched_at)
        except (ParseError, StorageError):
            raise
        except Exception as exc:  # RecursionError, a parser bug: that page cannot be read
            raise ParseError(f"nereader could not read {url} ({type(exc).__name__}: "
                             f"{exc}); please report it with `nereader parse`") from exc

    async def fetcher(self) -> Fetcher | None:
        """The HTTP client, created on first use and never in offline mode. It is made in a
        thread: loading httpx and building its TLS context take tens of milliseconds, which
        the event loop spends painting the cached copy meanwhile."""
        if self.offline:
            return None
        if self._fetcher is None:
            if self._opening is None:  # requests that start together share one client
                self._opening = asyncio.ensure_future(self.run(self._new_fetcher))
                self._opening.add_done_callback(self._opened)
            return await asyncio.shield(self._opening)
        return self._fetcher

    def _opened(self, opening: asyncio.Future[Fetcher]) -> None:
        """Kept even if the request that asked for it was cancelled meanwhile, so that
        ``aclose`` closes it; a failure is tried again by the next request."""
        if opening.cancelled() or opening.exception() is not None:
            self._opening = None
        else:
            self._fetcher = opening.result()

    def _new_fetcher(self) -> Fetcher:
        from nereader.core.fetch import Fetcher

        return Fetcher(self.settings, transport=self._transport,
                       on_change=self._activity_changed)

    def activity(self) -> Activity:
        fetcher = self._fetcher
        return Activity(fetcher.stats.in_flight if fetcher else 0, self.offline,
                        fetcher is not None and fetcher.network_down,
                        fetcher.retrying if fetcher else "")

    def _activity_changed(self) -> None:
        self._emit(self.activity())

    def set_offline(self, offline: bool) -> None:
        self.offline = offline
        if not offline and self._fetcher is not None:
            self._fetcher.reset_network_state()  # a manual "online" retries at once
        self._activity_changed()

    def retry_network(self) -> None:
        """Forget recent connection failures, so the next request tries the site again."""
        if self._fetcher is not None:
            self._fetcher.reset_network_state()

    @property
    def bytes_fetched(self) -> int:
        return self._fetcher.stats.bytes if self._fetcher else 0

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Blocking work (the cache, files) off the event loop, on the loader's own threads:
        a caller that gives up (the app quitting) never waits for it."""
        return await asyncio.wrap_future(self._workers.submit(fn, *args, **kwargs))

    async def aclose(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()
        if self._cache is not None:
            self._cache.close()
        self._workers.close()

    # -- loading -------------------------------------------------------------------------------
    async def load(self, url: str, kind: str, parse: ParseFn[T], ttl: float,
                   refresh: bool = False, hint: str = "nereader sync") -> Sourced[T]:
        """A parsed page: fresh from the cache, else from the site, else stale from the cache."""
        entry = await self._get(url)

        async def cached(source: str, warning: str | None = None, failure: int = 0
                         ) -> Sourced[T] | None:
            assert entry is not None
            value = await self._model(entry, parse)
            return None if value is None else Sourced(value, source, entry.fetched_at,  # type: ignore[arg-type]
                                                      warning, failure)

        def stale_note(reason: object) -> str:
            assert entry is not None
            return f"{reason}; showing the copy cached {age_text(entry.age_seconds())} ago"

        if entry is not None and not refresh and entry.fresh(ttl):
            hit = await cached("cache")
            if hit is not None:
                return hit
        fetcher = await self.fetcher()
        if fetcher is None or fetcher.network_down:
            reason = "offline" if fetcher is None else "network down"
            if entry is not None and (stale := await cached("stale", stale_note(reason),
                                                            OfflineError.exit_code)):
                return stale
            if entry is not None:
                raise OfflineError(f"{reason}, and the cached copy of {url} no longer reads "
                                   f"(stored by another nereader); run `{hint}` while online "
                                   "to get it again", url, reason)
            raise OfflineError(
                f"{reason} and {url} is not in the cache; run `{hint}` while online to get it",
                url, reason)
        try:
            response = await fetcher.get(url, etag=entry.etag if entry else None,
                                         last_modified=entry.last_modified if entry else None)
            if response.status == 304:
                if entry is None:
                    raise FetchError(f"the site answered 304 Not Modified for {url}, "
                                     "but there is no cached copy to reuse")
                try:
                    touched = await self.run(self.cache.touch, url, response.fetched_at)
                except StorageError as exc:  # the copy is good all the same: the site said so
                    self._store_failure(exc)
                    touched = None
                entry = touched or entry
                hit = await cached("revalidated")
                if hit is not None:
                    return hit
                raise ParseError(f"the cached copy of {url} could not be read")
            body = as_declared(response.body, response.content_type)
            value = await self._parse(parse, body, url, response.fetched_at)
            if entry is not None and _degraded(value):  # a stand-in never replaces a good copy
                good = await cached("stale", stale_note("the page's structure was not "
                                                        "recognised"), ParseError.exit_code)
                if good is not None and not _degraded(good.value):
                    return good
        except (FetchError, ParseError) as exc:
            if entry is not None and (stale := await cached("stale", stale_note(exc),
                                                            exc.exit_code)):
                return stale
            if isinstance(exc, ErrorPageError) and exc.status == 404:  # "not found", said as a page
                raise NotFoundError(f"the site has no page {url} (it served its "
                                    "\"not found\" page)") from exc
            raise
        page = CachedPage(url, response.status, body, response.etag,
                          response.last_modified, response.fetched_at, kind, value)
        await self._put(page)
        return Sourced(value, "network", response.fetched_at)

    async def peek(self, url: str, parse: ParseFn[T], ttl: float) -> Sourced[T] | None:
        """A page from the cache alone, however old (None when absent or unreadable)."""
        entry = await self._get(url)
        if entry is None:
            return None
        value = await self._model(entry, parse)
        if value is None:
            return None
        fresh = entry.fresh(ttl)
        return Sourced(value, "cache" if fresh else "stale", entry.fetched_at,
                       None if fresh else f"cached {age_text(entry.age_seconds())} ago")

    def stored(self, url: str, ttl: float) -> Sourced[Any] | None:
        """``peek`` in the calling thread, for many pages read in one worker thread: the model
        stored with the page (None: not cached). NeedsParse when this parser did not make it:
        ``peek`` parses it again and stores it. What the cache had to say waits for
        ``pass_on``."""
        entry = self.cache.get(url)
        if entry is None:
            return None
        stored = self._decoded(entry)
        if stored is None or not entry.parsed_here:
            raise NeedsParse(url)
        age = entry.age_seconds()
        fresh = age <= ttl
        return Sourced(stored, "cache" if fresh else "stale", entry.fetched_at,
                       None if fresh else f"cached {age_text(age)} ago")

    def _decoded(self, entry: CachedPage) -> Any:
        """The page's stored model, decoded once per fetch (see ``_models``)."""
        key = (entry.url, entry.fetched_at, entry.model_tag)
        with self._models_lock:
            found = self._models.get(key)
            if found is not None:
                self._models.move_to_end(key)
                return found
        model = entry.model
        if model is not None:
            with self._models_lock:
                self._models[key] = model
                while len(self._models) > MODELS_KEPT:
                    self._models.popitem(last=False)
        return model

    def pass_on(self) -> None:
        """What the cache had to say (a damaged copy dropped), as notices."""
        cache = self._cache
        while cache is not None and cache.warnings:
            self._emit(Notice(cache.warnings.pop(0), "Cache"))

    async def age(self, url: str) -> float | None:
        """How old the cached copy is (None: not cached), for showing."""
        entry = await self._get(url)
        return entry.age_seconds() if entry is not None else None

    async def fresh(self, url: str, ttl: float) -> bool:
        """Whether the cached copy may be used without asking the site."""
        entry = await self._get(url)
        return entry is not None and entry.fresh(ttl)

    async def _model(self, entry: CachedPage, parse: ParseFn[T]) -> T | None:
        """The model stored with a page. One this parser did not make (an older nereader's,
        none at all) is made again from the stored body, with no request, and stored back
        with the page's own fetch time and validators: a parser fix reaches cached pages at
        once. A body this parser cannot read keeps the older model while it still reads (the
        same schema), as does a stand-in (a page's text) for a whole older reading; with
        neither, the copy is no copy at all."""
        stored: T | None = self._decoded(entry)
        if stored is not None and entry.parsed_here:
            return stored
        try:
            value = await self._parse(parse, entry.body, entry.url, entry.fetched_at)
        except ParseError:
            return stored
        if stored is not None and _degraded(value) and not _degraded(stored):
            return stored
        await self._put(entry.with_model(value))
        return value


def _degraded(value: object) -> bool:
    """Whether a model is a stand-in for a page that could not be read (``Thread.degraded``)."""
    return bool(getattr(value, "degraded", False))


def as_declared(body: bytes, content_type: str) -> bytes:
    """The body re-encoded as UTF-8 behind a byte order mark when the HTTP header declares a
    charset the page itself does not: the BOM outranks any ``<meta charset>`` when the stored
    copy is parsed again, so the header's word is kept with the page."""
    if not content_type or "charset" not in content_type.lower():
        return body
    from email.message import Message  # only for a header that names a charset

    message = Message()
    message["content-type"] = content_type
    declared = message.get_param("charset")
    if not isinstance(declared, str) or body.startswith(codecs.BOM_UTF8):
        return body
    from nereader.core.parse.guard import charset, decode_bytes  # loads with the parsers

    wanted = charset(body, declared)
    if wanted == charset(body):
        return body  # the page says the same (or has a BOM): keep it as sent
    return codecs.BOM_UTF8 + decode_bytes(body, wanted).encode("utf-8")


class Workers:
    """Threads for blocking work. They are daemon threads, unlike those of asyncio's default
    executor (which ``asyncio.run`` and the interpreter join at exit): a call stuck on a
    lock or a slow disk never holds up quitting. Each call is bounded anyway (``LOCK_WAIT``);
    an interrupted write leaves the old file whole (every write is atomic)."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0
        self._closed = False

    def submit(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs
               ) -> concurrent.futures.Future[R]:
        future: concurrent.futures.Future[R] = concurrent.futures.Future()
        job = _Job(future, functools.partial(fn, *args, **kwargs))
        with self._lock:
            if self._closed:  # late work (a worker finishing after close): a thread of its own
                threading.Thread(target=job.run, name="nereader-io", daemon=True).start()
                return future
            self._queue.put(job)
            if self._idle == 0 and self._threads < self._size:
                self._threads += 1
                threading.Thread(target=self._work, name="nereader-io", daemon=True).start()
        return future

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            job = self._queue.get()
            with self._lock:
                self._idle -= 1
            if job is None:
                return
            job.run()

    def close(self) -> None:
        """Let the threads end once the work queued is done (none is waited for)."""
        with self._lock:
            self._closed = True
            count = self._threads
        for _ in range(count):
            self._queue.put(None)


@dataclass(slots=True)
class _Job:
    future: concurrent.futures.Future[Any]
    call: Callable[[], Any]

    def run(self) -> None:
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            self.future.set_result(self.call())
        except BaseException as exc:
            self.future.set_exception(exc)
