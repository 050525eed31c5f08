"""Listing pages as the list loader takes them: in order, a few asked for ahead of the one
awaited; merged without repeats; the note on a stale copy; a listing the site does not have.

Asking for every page at once let them reach the fetcher in whatever order their cache lookups
(in threads) finished, so a page early in the list could be fetched last and hold back every
row after it; asked for a few at a time, they arrive in order, one after another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from nereader.core.errors import NereaderError, NotFoundError
from nereader.core.models import ListingPage, Sourced, ThreadSummary
from nereader.core.text import age_text


class PagesAhead:
    """Pages loaded in order, at most ``window`` asked for at a time: each page awaited makes
    room for the next one to be asked for."""

    def __init__(self, load: Callable[[int], Coroutine[Any, Any, Sourced[ListingPage]]],
                 numbers: range, window: int) -> None:
        self.numbers = numbers
        self._load = load
        self._todo = iter(numbers)
        self._window = window
        self._tasks: list[asyncio.Future[Sourced[ListingPage]]] = []
        self._fill()

    def _fill(self) -> None:
        while len(self._tasks) < self._window:
            n = next(self._todo, None)
            if n is None:
                return
            self._tasks.append(asyncio.ensure_future(self._load(n)))

    async def next(self) -> Sourced[ListingPage]:
        """The next page in order (its error, if it failed)."""
        task = self._tasks.pop(0)
        try:
            return await task
        finally:
            self._fill()

    async def cancel(self) -> None:
        """Stop the loads still running; their errors were said or do not matter now."""
        waiting, self._tasks = self._tasks, []
        self._todo = iter(())
        for task in waiting:
            task.cancel()  # a finished one stays as it is
        await asyncio.gather(*waiting, return_exceptions=True)


def unique(rows: Iterable[ThreadSummary]) -> list[ThreadSummary]:
    """Rows in order, each thread once (a thread can move between pages)."""
    seen: set[int] = set()
    out = []
    for row in rows:
        if row.id not in seen:
            seen.add(row.id)
            out.append(row)
    return out


def not_found(exc: NereaderError) -> bool:
    """The site has no such page (a mistyped slug), told apart from a failure to reach it."""
    return isinstance(exc, NotFoundError)


def stale_note(result: Sourced[ListingPage]) -> str:
    if not result.stale:
        return ""
    return result.warning or f"cached {age_text(result.age_seconds)} ago"
