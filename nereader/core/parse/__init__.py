"""Parsers from page text to models, one module per page kind, and kind detection."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from nereader.core.errors import ParseError
from nereader.core.models import Feed, ListingPage, SearchResults, Thread, TopicTree
from nereader.core.parse.challenge import raise_if_not_content
from nereader.core.parse.common import attr, load_html
from nereader.core.parse.feed import feed_listing, parse_feed
from nereader.core.parse.guard import decode
from nereader.core.parse.listing import parse_listing
from nereader.core.parse.search import parse_search
from nereader.core.parse.thread import merge_thread_pages, parse_thread
from nereader.core.parse.topics import parse_topics
from nereader.core.urls import url_kind

__all__ = [
    "Page",
    "PageKind",
    "detect_kind",
    "feed_listing",
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


# The markers the DOM checks below look for, found in the tags themselves: when exactly one
# kind's markers appear (and no canonical link or other kind's marker), the page is parsed
# once, by its parser, not twice.
_THREAD_TAG = re.compile(
    r"""<[a-z][^<>]*?(?:\bdata-post-type\s*=|\bclass\s*=\s*["']?[^"'<>]*?"""
    r"""\b(?:thread-container|content-post)\b)""", re.IGNORECASE)
_LISTING_TAG = re.compile(
    r"""<[a-z][^<>]*?\bclass\s*=\s*["']?[^"'<>]*?\b(?:article-entry|tag-header|post-count)\b""",
    re.IGNORECASE)
_OTHER_KINDS = ("topics-data", "forums-topics-page", "topic-cards", "forums-search-page",
                "search-header", "reply-title")
_CANONICAL = re.compile(r"""<link\b[^<>]*\brel\s*=\s*["']?canonical\b[^<>]*>""", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*["']?([^"'\s<>]+)""", re.IGNORECASE)


def _marked(text: str, tag: re.Pattern[str], words: tuple[str, ...]) -> bool:
    """Whether a marker appears in a tag (the plain search first: most pages lack most)."""
    return any(w in text for w in words) and tag.search(text) is not None


def _quick_kind(text: str) -> PageKind | None:
    """The kind of a page whose markup leaves no doubt, without building its DOM."""
    link = _CANONICAL.search(text) if "canonical" in text else None
    href = _HREF.search(link.group(0)) if link else None
    kind = url_kind(href.group(1)) if href else None
    if kind is not None:
        return PageKind(kind)
    if any(w in text for w in _OTHER_KINDS):
        return None
    thread = _marked(text, _THREAD_TAG, ("data-post-type", "thread-container", "content-post"))
    listing = _marked(text, _LISTING_TAG, ("article-entry", "tag-header", "post-count"))
    if thread != listing:
        return PageKind.THREAD if thread else PageKind.LISTING
    return None


def _feed_like(content: str | bytes, url: str | None) -> bool:
    """Whether the content is to be read as a feed (its errors then say "feed"): by URL, or
    by its XML start."""
    if url and url_kind(url) == "feed":
        return True
    if isinstance(content, bytes):
        return content[:512].lstrip().lower().startswith((b"<?xml", b"<rss"))
    return content[:512].lstrip().lower().startswith(("<?xml", "<rss"))


def detect_kind(content: str | bytes, url: str | None = None) -> PageKind:
    """Which parser a page wants: by URL when given, else by its markup."""
    text = decode(content, feed=_feed_like(content, url))
    kind = url_kind(url) if url else None
    if kind is not None:
        return PageKind(kind)
    head = text.lstrip()[:512].lower()
    if head.startswith("<?xml") or head.startswith("<rss"):
        return PageKind.FEED
    quick = _quick_kind(text)
    if quick is not None:
        return quick
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
    text = decode(content, feed=_feed_like(content, url))  # once: the parsers take it as it is
    kind = detect_kind(text, url)
    if kind is PageKind.FEED:
        return parse_feed(text, url)
    if kind is PageKind.THREAD:
        return parse_thread(text, url, fetched_at)
    if kind is PageKind.SEARCH:
        return parse_search(text, url, fetched_at)
    if kind is PageKind.TOPICS:
        return parse_topics(text, url, fetched_at)
    return parse_listing(text, url, fetched_at)
