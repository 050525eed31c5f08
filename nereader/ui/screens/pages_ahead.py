"""Listing pages as the main screen's workers load them: in order, a few asked for ahead of the
one awaited.

Asking for every page at once let them reach the fetcher in whatever order their cache lookups
(in threads) finished, so a page early in the list could be fetched last and hold back every
row after it; asked for a few at a time, they arrive in order, one after another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from nereader.core.models import ListingPage, Sourced


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
