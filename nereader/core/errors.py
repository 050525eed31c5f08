"""One error hierarchy for everything nereader can fail at."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class NereaderError(Exception):
    """Base class of every error nereader reports to a user."""

    exit_code = 1


class UsageError(NereaderError):
    """The user asked for something malformed (a bad URL, tag or option value)."""

    exit_code = 2


class EditConflict(UsageError):
    """What an edit started from changed underneath it (another process): nothing was saved."""


class FetchError(NereaderError):
    """A page could not be fetched from the site."""

    exit_code = 3


class OfflineError(FetchError):
    """Offline mode (or a dead network) and the page is not in the cache."""

    def __init__(self, message: str, url: str = "", reason: str = "offline") -> None:
        super().__init__(message)
        self.url = url
        self.reason = reason  # "offline" or "network down": what the way back is


class NetworkError(FetchError):
    """The network failed: connect error, timeout, reset or truncated body."""


class HTTPStatusError(FetchError):
    """The site answered with an error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class NotFoundError(HTTPStatusError):
    """The site has no such listing, thread or page (it answered 404): retrying will not help."""

    exit_code = 6

    def __init__(self, message: str, status: int = 404) -> None:
        super().__init__(message, status)


class ListingNotFound(NotFoundError):
    """The site has no such listing; ``near`` are listings it may have been meant for."""

    def __init__(self, message: str, key: str, near: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.key = key
        self.near = near  # (key, name) of each, nearest first


class ResponseTooLarge(FetchError):
    """A response body exceeded the size cap: the page itself is the problem (exit 4)."""

    # A FetchError, so a cached copy stands in as for any failed fetch; but the same page
    # comes back as large on every try, so it is no network failure a retry may mend.
    exit_code = 4


class RedirectRefused(FetchError):
    """The site redirected to another host, which nereader never follows."""


class ParseError(NereaderError):
    """A page could not be read as what it was expected to be."""

    exit_code = 4


class LayoutChangedError(ParseError):
    """The page has content but not in the layout nereader knows: the site changed."""


class ChallengeError(ParseError):
    """The site served an anti-bot check instead of the page."""


class NotAThreadError(ParseError):
    """A page asked for as a thread has no question section."""


class ErrorPageError(ParseError):
    """The site served its own error page (404 and the like)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


# Not found (exit 6: retrying will not help), and a ParseError too: the parser raises it for a
# page that says it is another (``parse.common.check_page``), and a parser raises no other kind.
class PastTheEnd(NotFoundError, ParseError):
    """A page past the last (a 404, or the last page served instead); ``total``: the pages."""

    def __init__(self, message: str, total: int | None) -> None:
        super().__init__(message)
        self.total = total


class StorageError(NereaderError):
    """Local state (the cache, bookmarks, state or config files, the index) failed on disk."""

    exit_code = 5


class DamagedError(StorageError):
    """A local store cannot be read as what it should be: only rebuilding it helps."""


# When several things failed (a sync's pages and threads), the exit code says the one that
# most needs the user: local storage, then the site's layout, then the network (a retry may
# help), then "not found", then anything unforeseen, then usage.
EXIT_PRECEDENCE = (5, 4, 3, 6, 1, 2)


def combined_exit(codes: Iterable[int]) -> int:
    """One exit code for several failures (0 when there were none)."""
    seen = set(codes) - {0}
    return next((c for c in EXIT_PRECEDENCE if c in seen), max(seen, default=0))


def storage_errors(
    what: str, hint: str = "", also: tuple[type[BaseException], ...] = ()
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function that touches local storage: an ``OSError`` or ``sqlite3.Error``
    (or one of ``also``) comes out as one ``StorageError`` saying what failed."""
    import sqlite3  # loaded by what stores in it: the error vocabulary alone does not need it

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            caught: tuple[type[BaseException], ...] = (OSError, sqlite3.Error, *also)
            try:
                return fn(*args, **kwargs)
            except caught as exc:
                detail = getattr(exc, "strerror", None) or exc
                raise StorageError(f"{what} failed: {detail}{hint}") from exc

        return run

    return wrap
