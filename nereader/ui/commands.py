"""Command palette providers: switch listing by slug, URL, or from the recent ones."""

from __future__ import annotations

from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from nereader.core.errors import UsageError
from nereader.core.urls import parse_listing_ref


@runtime_checkable
class ListingSwitcher(Protocol):
    """Something (the app) that can open a listing and knows the recent ones."""

    def recent_listings(self) -> list[str]: ...

    def open_listing(self, key: str) -> None: ...


class TagProvider(Provider):
    """Type a slug (or paste a listing URL) to open it; recent listings are offered first."""

    def _switcher(self) -> ListingSwitcher | None:
        app = self.app
        return app if isinstance(app, ListingSwitcher) else None

    async def discover(self) -> Hits:
        switcher = self._switcher()
        for key in switcher.recent_listings() if switcher else []:
            yield DiscoveryHit(f"Tag: {key}", partial(switcher.open_listing, key),  # type: ignore[union-attr]
                               help="Recently opened")

    async def search(self, query: str) -> Hits:
        switcher = self._switcher()
        if switcher is None:
            return
        matcher = self.matcher(query)
        for key in switcher.recent_listings():
            score = matcher.match(f"Tag: {key}")
            if score > 0:
                yield Hit(score, matcher.highlight(f"Tag: {key}"),
                          partial(switcher.open_listing, key), help="Recently opened")
        text = query.strip()
        if not text:
            return
        try:
            ref = parse_listing_ref(text.removeprefix("Tag:").strip())[0]
        except UsageError:
            return
        yield Hit(1.0, f"Open tag: {ref.key}", partial(switcher.open_listing, ref.key),
                  help="Open this tag (or topic) in the list")
