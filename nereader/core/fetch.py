"""The HTTP client: polite (in-flight cap, gap between starts), retrying, size-capped, same-host."""

from __future__ import annotations

import asyncio
import errno
import itertools
import random
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import httpx

from nereader.core.clock import utc_now
from nereader.core.errors import (
    FetchError,
    HTTPStatusError,
    NetworkError,
    NotFoundError,
    RedirectRefused,
    ResponseTooLarge,
    UsageError,
)
from nereader.core.settings import Settings
from nereader.core.text import cap_size, human_size
from nereader.core.urls import split

_RETRY_STATUS = {429, 500, 502, 503, 504}
_MAX_REDIRECTS = 5
_NO_RETRY = " (a retry will not help)"


class DeadlineExceeded(NetworkError):
    """A response took longer than the whole-request deadline (a server dribbling bytes)."""


class NetworkDown(NetworkError):
    """The network failed moments ago: the cache's turn, without asking the site."""


class ConnectFailed(NetworkError):
    """No connection at all: refused, a name that does not resolve, an unreachable network.
    These fail in milliseconds and are certain, unlike a timeout or a 503."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


_CONNECT_REASONS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ENETUNREACH: "network unreachable",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETDOWN: "network down",
}


def connect_reason(exc: BaseException) -> str:
    """Why a connection failed, in two or three words, from the OS error under httpx's."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            return "name not resolved"
        if isinstance(cause, OSError) and cause.errno in _CONNECT_REASONS:
            return _CONNECT_REASONS[cause.errno]
        cause = cause.__cause__ or cause.__context__
    return "cannot connect"


def transient_reason(exc: BaseException) -> str:
    """A retried network failure in a word or two, for the status line."""
    cause = exc.__cause__
    if isinstance(cause, httpx.TimeoutException):
        return "timeout"
    return "connection lost" if isinstance(cause, httpx.TransportError) else "network error"


def request_deadline(settings: Settings) -> float:
    """How long one request may take from start to last byte, whatever arrives meanwhile:
    the read timeout alone never fires while a server sends a byte every few seconds."""
    return settings.connect_timeout + 2 * settings.read_timeout


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class _Answer:
    """One HTTP exchange before redirects and retries are decided."""

    response: Response
    location: str | None
    retry_after: float | None

    @property
    def status(self) -> int:
        return self.response.status


@dataclass(slots=True)
class FetchStats:
    requests: int = 0
    bytes: int = 0
    retries: int = 0
    in_flight: int = 0
    max_in_flight: int = 0


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²".isdigit() is True too
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def validator(value: str | None) -> str | None:
    """An ``ETag`` / ``Last-Modified`` worth keeping and sending back: printable ASCII of a sane
    length (HTTP headers are ASCII; a server's "café" would fail every later request)."""
    if value and len(value) <= 512 and value.isascii() and value.isprintable():
        return value
    return None


def _valid(url: str) -> bool:
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError, ValueError):
        return False
    return True


class Fetcher:
    """One ``httpx.AsyncClient`` shared by everything that talks to the site."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        """``sleep`` and ``clock`` (monotonic seconds) are injectable, so tests can check the
        politeness gap exactly; ``on_change`` hears when requests start or end, or the
        network is found down."""
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._on_change = on_change or (lambda: None)
        self._host = split(settings.base_url).netloc.lower()
        self._client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(
                settings.read_timeout, connect=settings.connect_timeout, pool=None
            ),
            follow_redirects=False,
            transport=transport,
            limits=httpx.Limits(max_connections=max(1, settings.max_in_flight)),
        )
        self._slots = asyncio.Semaphore(max(1, settings.max_in_flight))
        self._gap_lock = asyncio.Lock()
        self._last_start = -1e9
        self._down_until = 0.0
        self._retrying: dict[int, str] = {}  # request number -> "retrying in 2s (timeout)"
        self._numbers = itertools.count()
        self.stats = FetchStats()

    async def aclose(self) -> None:
        await self._client.aclose()

    @property
    def network_down(self) -> bool:
        """True for a while after the network failed, so callers go to the cache at once."""
        return self._clock() < self._down_until

    @property
    def retrying(self) -> str:
        """What the newest request waiting to be retried waits for ("" when none is)."""
        return self._retrying[max(self._retrying)] if self._retrying else ""

    def _check_network(self) -> None:
        if self.network_down:
            raise NetworkDown("the network is down (recent connection failures); using the cache")

    def reset_network_state(self) -> None:
        self._down_until = 0.0
        self._on_change()

    async def get(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """GET with conditional headers; 304 comes back as a Response with status 304."""
        self._check_network()
        headers = {}
        if validator(etag):  # a copy cached by an older version may hold anything
            headers["If-None-Match"] = etag or ""
        if validator(last_modified):
            headers["If-Modified-Since"] = last_modified or ""
        attempt = 0
        number = next(self._numbers)
        while True:
            try:
                response = await self._get_following(url, headers)
            except (DeadlineExceeded, NetworkDown):
                # Too slow a server would only be waited for again; a network found down
                # meanwhile is the cache's turn.
                raise
            except ConnectFailed:
                # Refused, unresolved, unreachable: certain within milliseconds, so retrying
                # here only delays the cached copy. The network-down window (and `r`) is
                # the retry, at a pace a person notices.
                self._network_failed()
                raise
            except NetworkError as exc:
                if attempt >= self.settings.retries:
                    self._network_failed()
                    raise
                delay = self._backoff(attempt)
                why = transient_reason(exc)
            else:
                if response.status not in _RETRY_STATUS:
                    if response.status in {404, 410}:  # a definite "no such page"
                        raise NotFoundError(f"the site has no page {url} "
                                            f"(it answered {response.status})", response.status)
                    if response.status >= 400:
                        raise HTTPStatusError(
                            f"the site answered {response.status} for {url}", response.status
                        )
                    return response.response
                if attempt >= self.settings.retries:
                    raise HTTPStatusError(
                        f"the site answered {response.status} for {url} "
                        f"(after {attempt + 1} attempts)",
                        response.status,
                    )
                delay = self._backoff(attempt)
                hinted = response.retry_after
                if hinted is not None:
                    delay = min(max(hinted, delay), self.settings.retry_after_cap)
                why = f"HTTP {response.status}"
            attempt += 1
            self.stats.retries += 1
            self._retrying[number] = f"retrying in {max(1, round(delay))}s ({why})"
            self._on_change()
            try:
                await self._sleep(delay)
            finally:
                del self._retrying[number]
                self._on_change()

    def _network_failed(self) -> None:
        self._down_until = self._clock() + self.settings.network_down_for
        self._on_change()

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.settings.backoff_cap, self.settings.backoff_base * 2.0**attempt)
        return float(ceiling * random.uniform(0.5, 1.0))

    async def _get_following(self, url: str, headers: dict[str, str]) -> _Answer:
        for _ in range(_MAX_REDIRECTS + 1):
            raw = await self._one(url, headers)
            if raw.status not in {301, 302, 303, 307, 308} or not raw.location:
                return raw
            target = urljoin(url, raw.location)
            try:
                parts = split(target)
            except UsageError as exc:
                raise RedirectRefused(f"the site redirected to a malformed URL: {exc}") from exc
            if parts.netloc.lower() != self._host or parts.scheme not in {"http", "https"}:
                raise RedirectRefused(
                    f"refusing a redirect off the forum's host: {url} -> {target}"
                )
            url = target
        raise FetchError(f"too many redirects starting at {url}")

    async def _polite_start(self) -> None:
        async with self._gap_lock:
            wait = self._last_start + self.settings.min_gap - self._clock()
            if wait > 0:
                await self._sleep(wait)
            self._last_start = self._clock()

    async def _one(self, url: str, headers: dict[str, str]) -> _Answer:
        async with self._slots:
            await self._polite_start()
            self._check_network()  # it went down while this request waited its turn
            self.stats.requests += 1
            self.stats.in_flight += 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
            self._on_change()
            deadline = request_deadline(self.settings)
            try:
                async with asyncio.timeout(deadline):
                    return await self._stream(url, headers)
            except TimeoutError as exc:
                raise DeadlineExceeded(f"{url} did not arrive within {deadline:g} s (the "
                                       "server is sending too slowly); gave up") from exc
            except httpx.InvalidURL as exc:
                if _valid(url):  # the site's answer (a redirect to "javascript:") is at fault
                    raise RedirectRefused(f"the site redirected {url} to a URL nereader "
                                          f"cannot follow ({exc})") from exc
                raise UsageError(f"invalid URL {url}: {exc}") from exc
            except httpx.DecodingError as exc:  # says gzip, is not: the site's fault, not ours
                raise FetchError(f"the site's answer for {url} could not be decoded "
                                 f"({exc})") from exc
            except httpx.ConnectError as exc:
                reason = connect_reason(exc)
                raise ConnectFailed(f"cannot reach {self._host} ({reason}) fetching {url}",
                                    reason) from exc
            except (httpx.TransportError, httpx.StreamError) as exc:
                kind = type(exc).__name__
                raise NetworkError(f"network error fetching {url}: {kind} {exc}".strip()) from exc
            except (httpx.HTTPError, UnicodeError, ValueError) as exc:  # anything else httpx
                raise FetchError(f"could not fetch {url}: {type(exc).__name__} {exc}") from exc
            finally:
                self.stats.in_flight -= 1
                self._on_change()

    async def _stream(self, url: str, headers: dict[str, str]) -> _Answer:
        cap = self.settings.max_bytes
        async with self._client.stream("GET", url, headers=headers) as r:
            declared = r.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > cap:
                raise ResponseTooLarge(f"{url} is {human_size(int(declared))}, over the "
                                       f"{cap_size(cap)} cap: not read{_NO_RETRY}")
            chunks: list[bytes] = []
            size = 0
            async for chunk in r.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise ResponseTooLarge(f"{url} is over the {cap_size(cap)} cap: not "
                                           f"read{_NO_RETRY}")
                chunks.append(chunk)
            # A body shorter than the server announced was cut off in transit (the count is
            # of the bytes on the wire: a compressed body decodes to more).
            encoded = r.headers.get("Content-Encoding", "identity").strip().lower()
            got = size if encoded in ("", "identity") else r.num_bytes_downloaded or None
            if (r.status_code == 200 and declared.isdigit() and got is not None
                    and got < int(declared)):
                raise NetworkError(f"{url} was cut off: {human_size(got)} of the "
                                   f"{human_size(int(declared))} the server announced")
            self.stats.bytes += size
            response = Response(
                url=str(r.url),
                status=r.status_code,
                body=b"".join(chunks),
                etag=validator(r.headers.get("ETag")),
                last_modified=validator(r.headers.get("Last-Modified")),
                content_type=r.headers.get("Content-Type", ""),
                fetched_at=utc_now(),
            )
            return _Answer(response, r.headers.get("Location"),
                           retry_after_seconds(r.headers.get("Retry-After")))
