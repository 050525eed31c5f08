"""Parsers from page text to models, one module per page kind, and kind detection."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from nereader.core.errors import ParseError
from nereader.core.models import Feed, ListingPage, SearchResults, Thread, TopicTree
from nereader.core.parse.common import attr, decode, load_html, raise_if_not_content
from nereader.core.parse.feed import parse_feed
from nereader.core.parse.listing import parse_listing
from nereader.core.parse.search import parse_search
from nereader.core.parse.thread import merge_thread_pages, parse_thread
from nereader.core.parse.topics import parse_topics
from nereader.core.urls import url_kind

__all__ = [
    "Page",
    "PageKind",
    "detect_kind",
    "merge_thread_pages",
    "parse_feed",
    "parse_listing",
    "parse_page",
    "parse_search",
    "parse_thread",
    "parse_topics",
]

Page = ListingPage | Thread | Feed | SearchResults | TopicTree


class PageKind(StrEnum):
    LISTING = "listing"
    THREAD = "thread"
    FEED = "feed"
    SEARCH = "search"
    TOPICS = "topics"


def detect_kind(content: str | bytes, url: str | None = None) -> PageKind:
    """Which parser a page wants: by URL when given, else by its markup."""
    text = decode(content)
    kind = url_kind(url) if url else None
    if kind is not None:
        return PageKind(kind)
    head = text.lstrip()[:512].lower()
    if head.startswith("<?xml") or head.startswith("<rss"):
        return PageKind.FEED
    _, tree = load_html(text)
    canonical = attr(tree.css_first("link[rel=canonical]"), "href")
    kind = url_kind(canonical) if canonical else None
    if kind is not None:
        return PageKind(kind)
    if tree.css_first(".thread-container, section.content-post, [data-post-type]") is not None:
        return PageKind.THREAD
    if tree.css_first("script#topics-data, .forums-topics-page, .topic-cards") is not None:
        return PageKind.TOPICS
    if tree.css_first(".forums-search-page, .search-header, .reply-title") is not None:
        return PageKind.SEARCH
    if tree.css_first(".article-entry, .tag-header, .post-count") is not None:
        return PageKind.LISTING
    raise_if_not_content(tree, "a forum page")
    raise ParseError("cannot tell what kind of forum page this is (not a listing, thread or feed)")


def parse_page(
    content: str | bytes, url: str | None = None, fetched_at: datetime | None = None
) -> Page:
    kind = detect_kind(content, url)
    if kind is PageKind.FEED:
        return parse_feed(content, url)
    if kind is PageKind.THREAD:
        return parse_thread(content, url, fetched_at)
    if kind is PageKind.SEARCH:
        return parse_search(content, url, fetched_at)
    if kind is PageKind.TOPICS:
        return parse_topics(content, url, fetched_at)
    return parse_listing(content, url, fetched_at)
