"""The main screen's palette entries: the listing again, in one of the site's sorts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.app import SystemCommand

from nereader.core.urls import SORTS

SORT_TITLES = {"newest": "Newest", "oldest": "Oldest", "lastUpdated": "Last updated",
               "replies": "Most replies", "boosts": "Most boosts", "views": "Most views"}


def site_sorts(reload: Callable[[None, str | None, str | None], None]
               ) -> Iterator[SystemCommand]:
    """One entry per site sort (and the site's own order), each reloading the listing."""
    for sort in SORTS:
        yield SystemCommand(f"Site sort: {SORT_TITLES[sort]}",
                            "Reload the listing in this order from the site",
                            partial(reload, None, sort, "DESC"))
    yield SystemCommand("Site sort: default", "The site's own order",
                        partial(reload, None, None, None))
