"""Tag, topic, subtopic and all-posts listing pages: one copy of the rows, defensively read."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from nereader.core.errors import LayoutChangedError, ParseError, UsageError
from nereader.core.models import ListingKind, ListingPage, ThreadSummary
from nereader.core.parse.challenge import raise_if_not_content
from nereader.core.parse.common import (
    attr,
    check_complete,
    check_page,
    first,
    load_html,
    main_of,
    now_utc,
    pagination,
    spaced_text_of,
    text_of,
    thread_links,
)
from nereader.core.parse.rows import Row, read_rows
from nereader.core.text import parse_count
from nereader.core.urls import ListingRef, absolute, base_of, parse_listing_ref

Node = Any
PAGE_SIZE = 20
# The "N Posts" count of a listing's header, and where it is looked for first.
POST_COUNT = re.compile(r"(?<![\w.,])([0-9][0-9,.]*\s*[kKmM]?)\s+(?:Posts?|Threads?)\b",
                        re.IGNORECASE)
POST_COUNT_AT = (".post-count", ".posts-count")
_NOTHING = re.compile(r"\bno (?:posts|threads|questions) (?:yet|found|to show)\b"
                      r"|\bthere are no (?:posts|threads|questions)\b", re.IGNORECASE)


def parse_listing(
    content: str | bytes, url: str | None = None, fetched_at: datetime | None = None
) -> ListingPage:
    """Parse a listing page.

    Raises LayoutChangedError when the page links to threads but no row can be read, and
    ParseError (or a ChallengeError / ErrorPageError) when it is not a listing at all.
    """
    text, tree = load_html(content)
    raise_if_not_content(tree, "a listing")
    check_complete(text)
    now = now_utc(fetched_at)
    base = base_of(url)
    main = main_of(tree)

    ref, page_from_url, sort, order = _identify(tree, url)
    header = first(main, ".tag-header", ".topic-header", "header", ".forums-tag-page")
    name = text_of(first(header or main, "h1", ".tag-title", ".topic-title"))
    description = text_of(first(header or main, ".tag-description", ".topic-description", "p"))
    if header is None and not name:
        name = text_of(first(main, "h1"))
    rows, candidates = read_rows(main, base, now, "listing")
    # "N Posts" is in the header; a page without it (topics may show none) has an unknown
    # total, never 0, and the rows' own text ("I read 3 posts") is never taken for it.
    total_posts = header_count(main, POST_COUNT, POST_COUNT_AT)
    current, total_pages = pagination(main)
    check_page(_asked(url), current, total_pages, f"listing {ref.key if ref else url}")
    page = current or page_from_url
    if total_pages is None:
        total_pages = max(1, math.ceil(total_posts / PAGE_SIZE)) if total_posts else max(page, 1)
    if first(main, "a.next-page", "a[rel=next]") is not None:
        total_pages = max(total_pages, page + 1)

    if not rows:
        links = thread_links(main)
        if candidates:
            raise LayoutChangedError(
                f"listing layout changed: {candidates} row element(s) found but none had a "
                "readable thread link and title ([data-action='post-title'] / a[href*='/thread/'])"
            )
        if links:
            raise LayoutChangedError(
                f"listing layout changed: {len(links)} thread link(s) on the page but no "
                "article.article-entry rows"
            )
        if total_posts and page <= total_pages:
            raise LayoutChangedError(
                f"listing layout changed: the page says {total_posts} posts but shows no rows"
            )
        if not name and total_posts is None:
            raise ParseError("not a listing page: no heading, post count or thread rows")
        if total_posts is None and not _NOTHING.search(text_of(main)[:20000]):
            # An empty listing says so ("0 Posts", "No posts"); rows that never arrived (a
            # page filled in by JavaScript, a new layout) must not read as "0 threads".
            raise LayoutChangedError(
                "listing layout changed: no rows, no thread links and no post count "
                "(expected article.article-entry rows or an \"N Posts\" count such as "
                "\"0 Posts\"); the list may now be filled in by JavaScript")

    feed = absolute(attr(feed_link(main, tree), "href"), base)
    return ListingPage(
        kind=ref.kind if ref else ListingKind.TAG,
        slug=ref.slug if ref else "",
        name=name,
        description=description,
        total_posts=total_posts,
        page=page,
        total_pages=max(total_pages, page),
        sort=sort,
        sort_order=order,
        feed_url=feed,
        fetched_at=now,
        rows=tuple(_summary(r) for r in rows),
    )


def feed_link(main: Node, tree: Any) -> Node | None:
    """The link to the listing's RSS feed ("RSS for tag"), else the page's feed link."""
    return first(main, "a[href*='/rssFeed/']") or first(
        tree.root, "link[type='application/rss+xml']")


def header_count(main: Node, pattern: re.Pattern[str], selectors: tuple[str, ...]) -> int | None:
    """A page's "N Posts" / "N results": from its count element, else from the text above the
    first row; None when the page does not say."""
    node = first(main, *selectors)
    match = pattern.search(text_of(node))
    if match is None:
        # The header as shown, then with every text apart: a count in a span right after a
        # link ("RSS for tag</a><span>201 Posts") is set apart by CSS, not by the markup.
        row = first(main, ".article-entry", "article")
        for read in (text_of, spaced_text_of):
            whole = read(main)
            head = read(row)[:80] if row is not None else ""
            cut = whole.find(head) if head else -1
            text = whole[:cut] if cut >= 0 else whole[:3000] if row is None else ""
            match = pattern.search(text)
            if match is not None:
                break
    return parse_count(match.group(1).strip()) if match else None


def _summary(row: Row) -> ThreadSummary:
    return ThreadSummary(
        id=row.thread_id,
        title=row.title,
        url=row.url,
        excerpt=row.excerpt,
        replies=row.replies,
        boosts=row.boosts,
        views=row.views,
        views_text=row.views_text,
        activity_text=row.activity_text,
        activity_at=row.activity_at,
        topic=row.topic,
        subtopic=row.subtopic,
        tags=row.tags,
        answered=row.answered,
        apple_recommended=row.apple_recommended,
    )


def _asked(url: str | None) -> int | None:
    """The page the URL asks for (None without a URL, or one that names no listing)."""
    if not url:
        return None
    try:
        return parse_listing_ref(url)[1]
    except UsageError:
        return None


def _identify(tree: Any, url: str | None) -> tuple[ListingRef | None, int, str | None, str | None]:
    """Which listing this is: from the URL asked for, else the canonical link, else the feed."""
    sources = [url, attr(tree.css_first("link[rel=canonical]"), "href")]
    feed = attr(tree.css_first("a[href*='/rssFeed/']"), "href")
    if feed:
        sources.append(feed.replace("/rssFeed/", "/"))
    for source in sources:
        if not source:
            continue
        try:
            ref, page, sort, order = parse_listing_ref(source)
        except UsageError:
            continue
        return ref, page, sort, order
    return None, 1, None, None
