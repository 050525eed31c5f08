"""Command palette providers: switch tag by slug, URL or from the recent ones."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from nereader.core.errors import UsageError
from nereader.core.urls import parse_listing_ref

if TYPE_CHECKING:
    from nereader.ui.app import NereaderApp


class TagProvider(Provider):
    """Type a slug (or paste a listing URL) to open it; recent tags are offered first."""

    @property
    def nereader(self) -> NereaderApp:
        return cast("NereaderApp", self.app)

    async def discover(self) -> Hits:
        for key in self.nereader.recent_tags():
            yield DiscoveryHit(f"Tag: {key}", partial(self.nereader.switch_tag, key),
                               help="Recently opened")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for key in self.nereader.recent_tags():
            score = matcher.match(f"Tag: {key}")
            if score > 0:
                yield Hit(score, matcher.highlight(f"Tag: {key}"),
                          partial(self.nereader.switch_tag, key), help="Recently opened")
        text = query.strip()
        if not text:
            return
        try:
            ref = parse_listing_ref(text.removeprefix("Tag:").strip())[0]
        except UsageError:
            return
        yield Hit(1.0, f"Open tag: {ref.key}", partial(self.nereader.switch_tag, ref.key),
                  help="Open this tag (or topic) in the list")
