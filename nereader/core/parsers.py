"""The page parsers as the loader calls them, loaded with the first page that needs parsing."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from types import ModuleType

from nereader.core.errors import ParseError
from nereader.core.models import Feed, ListingPage, SearchResults, Thread, TopicTree
from nereader.core.urls import ListingRef


# The parsers (selectolax) load with the first page that needs parsing: a cached page comes
# with its stored model, so the first paint of a cached listing never needs them.
def _parse() -> ModuleType:
    return importlib.import_module("nereader.core.parse")


def listing(body: bytes, url: str, fetched_at: datetime) -> ListingPage:
    return _parse().parse_listing(body, url, fetched_at)  # type: ignore[no-any-return]


def thread(body: bytes, url: str, fetched_at: datetime) -> Thread:
    return _parse().parse_thread(body, url, fetched_at)  # type: ignore[no-any-return]


def merge(pages: list[Thread]) -> Thread:
    return _parse().merge_thread_pages(pages)  # type: ignore[no-any-return]


def thread_of(thread_id: int) -> Callable[[bytes, str, datetime], Thread]:
    """The thread parser for one thread: a page of another thread (a redirect, a mix-up on
    the site) is an error, served stale if a good copy exists, and never stored as this one."""

    def parse(body: bytes, url: str, fetched_at: datetime) -> Thread:
        found = thread(body, url, fetched_at)
        if found.id != thread_id:
            raise ParseError(f"the site served thread {found.id} when thread {thread_id} "
                             "was asked for")
        return found

    return parse


def feed(body: bytes, url: str, fetched_at: datetime) -> Feed:
    return _parse().parse_feed(body, url)  # type: ignore[no-any-return]


def feed_listing(value: Feed, ref: ListingRef, url: str, fetched_at: datetime,
                 failure: ParseError) -> ListingPage:
    return _parse().feed_listing(value, ref, url, fetched_at, failure)  # type: ignore[no-any-return]


def search(body: bytes, url: str, fetched_at: datetime) -> SearchResults:
    return _parse().parse_search(body, url, fetched_at)  # type: ignore[no-any-return]


def topics(body: bytes, url: str, fetched_at: datetime) -> TopicTree:
    return _parse().parse_topics(body, url, fetched_at)  # type: ignore[no-any-return]
