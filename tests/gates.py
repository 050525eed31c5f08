"""Deterministic waits: a transport that holds requests until the test lets each one go, and a
bounded wait on a condition that fails saying what never happened.

Each timeout here is a safety net against a hang, never the thing a test asserts: a test waits
for the event it means (a request arrived, the rows grew), not for a number of seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from textual.pilot import Pilot

from nereader.core.models import ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum import Site, SiteTransport
from nereader.screenshots import FROZEN_NOW
from nereader.ui.app import NereaderApp

HANG = 30.0  # seconds before a wait gives up: far past any event a test waits for


async def until(condition: Callable[[], bool], what: str,
                pilot: Pilot[None] | None = None) -> None:
    """Return once ``condition()`` holds; with a pilot, the app has handled its messages
    before each look. Fails with ``what`` if it never holds."""
    try:
        async with asyncio.timeout(HANG):
            while not condition():
                if pilot is not None:
                    await pilot.pause()
                else:
                    await asyncio.sleep(0.005)
    except TimeoutError:
        raise AssertionError(f"never happened (waited {HANG:g} s): {what}") from None


def page_of(target: str) -> int:
    """The page number a listing request asks for (no ``page=`` is page 1)."""
    pages = parse_qs(urlsplit(target).query).get("page", ["1"])
    return int(pages[0])


class HeldTransport(SiteTransport):
    """The local forum in-process; while ``hold`` is a path prefix, each request under it waits
    until the test calls ``release`` for it, so the test sees every state in between."""

    def __init__(self, site: Site, hold: str | None = None) -> None:
        super().__init__(site)
        self.hold = hold
        self.waiting: dict[str, asyncio.Event] = {}  # held request targets -> their release
        self._arrived = asyncio.Condition()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode("ascii")
        if self.hold is not None and urlsplit(target).path.startswith(self.hold):
            gate = asyncio.Event()
            async with self._arrived:
                self.waiting[target] = gate
                self._arrived.notify_all()
            await gate.wait()
        return await super().handle_async_request(request)

    async def arrival(self, match: Callable[[str], bool], what: str) -> str:
        """Wait until a request that ``match``es is held; its target."""

        def found() -> str | None:
            return next((t for t in self.waiting if match(t)), None)

        try:
            async with asyncio.timeout(HANG), self._arrived:
                await self._arrived.wait_for(lambda: found() is not None)
        except TimeoutError:
            raise AssertionError(f"no request for {what} arrived within {HANG:g} s "
                                 f"(held: {sorted(self.waiting)})") from None
        target = found()
        assert target is not None
        return target

    def release(self, target: str) -> None:
        self.waiting.pop(target).set()

    def release_all(self) -> None:
        """Stop holding, and let every held request go."""
        self.hold = None
        for target in list(self.waiting):
            self.release(target)


async def pages_let_go(transport: HeldTransport, first: int, last: int) -> AsyncIterator[int]:
    """Let the held requests for listing pages ``first``..``last`` go one at a time, the lowest
    page held first (pages asked for together reach the site in any order); after each, the
    last page of the unbroken run from ``first`` let go so far (``first - 1`` while page
    ``first`` still waits): the pages whose rows can be shown."""

    def ours(target: str) -> bool:
        return first <= page_of(target) <= last

    gone: set[int] = set()
    shown = first - 1
    while len(gone) < last - first + 1:
        await transport.arrival(ours, f"a page of {first}-{last}")
        target = min((t for t in transport.waiting if ours(t)), key=page_of)
        transport.release(target)
        gone.add(page_of(target))
        while shown + 1 in gone:
            shown += 1
        yield shown


def demo_app_on(cache_dir: Path, transport: httpx.AsyncBaseTransport) -> NereaderApp:
    """``nereader.screenshots.demo_app`` (same settings, frozen clock) on ``transport``."""
    settings = Settings(cache_dir=cache_dir / "cache", data_dir=cache_dir / "data",
                        config_dir=cache_dir / "config", min_gap=0.0)
    service = ForumService(settings, transport=transport)
    return NereaderApp(service, ListingRef(ListingKind.TAG, "networkextension"), demo=True,
                       clock=lambda: FROZEN_NOW)
