"""The site's search results: listing rows that are threads or replies ("Reply to ...")."""

from __future__ import annotations

import math
import re
from datetime import datetime

from nereader.core.errors import LayoutChangedError, ParseError
from nereader.core.models import HitKind, SearchResults, SiteHit
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
    text_of,
    thread_links,
)
from nereader.core.parse.listing import header_count
from nereader.core.parse.rows import Row, read_rows
from nereader.core.urls import base_of, parse_search_ref

PAGE_SIZE = 20
# The "N results" count, and where it is looked for first.
RESULT_COUNT = re.compile(r"(?<![\w.,])([0-9][0-9,.]*\s*[kKmM]?)\s+(?:search\s+)?results?\b",
                      re.IGNORECASE)
_NOTHING = re.compile(r"\bno (?:results|matches|posts)\b|\bnothing (?:was )?found\b|"
                      r"\bdid not match\b|\bdidn.t match\b", re.IGNORECASE)
_SEARCH_MARKERS = ".forums-search-page, .search-header, .search-results, .search-title"
RESULT_COUNT_AT = (".post-count", ".result-count", ".results-count", ".search-results-count")


def parse_search(content: str | bytes, url: str | None = None,
                 fetched_at: datetime | None = None) -> SearchResults:
    """Parse a page of search results.

    "0 results" (or the site's "no results" wording) is an empty result; a page that claims
    results but shows no readable rows, or whose rows lack their numbers, is a changed layout.
    """
    text, tree = load_html(content)
    if tree.css_first(_SEARCH_MARKERS) is None:
        # Not on a page that shows itself as search results: the query echoed in its heading
        # ("captcha", "not found") would otherwise read as a bot check or an error page.
        raise_if_not_content(tree, "search results")
    check_complete(text)
    now = now_utc(fetched_at)
    main = main_of(tree)
    query, page_from_url = _identify(tree, url)
    if not query:
        box = first(main, "form.forums-search input[name=q]", "input[name=q]",
                    "input[type=search]")
        query = " ".join((attr(box, "value") or "").split())

    rows, candidates = read_rows(main, base_of(url), now, "search")
    total = header_count(main, RESULT_COUNT, RESULT_COUNT_AT)
    current, total_pages = pagination(main)
    found = parse_search_ref(url) if url else None
    check_page(found[1] if found else None, current, total_pages, f"the search {query!r}")
    page = current or page_from_url
    if total_pages is None:
        total_pages = max(1, math.ceil(total / PAGE_SIZE)) if total else max(page, 1)
    if first(main, "a.next-page", "a[rel=next]") is not None:
        total_pages = max(total_pages, page + 1)

    if not rows:
        if candidates:
            raise LayoutChangedError(
                f"search layout changed: {candidates} result element(s) but none had a "
                "readable thread link and title ([data-action='post-title'])")
        links = thread_links(main)
        if links:
            raise LayoutChangedError(
                f"search layout changed: {len(links)} thread link(s) on the page but no "
                "article.article-entry results")
        if total and page <= total_pages:
            raise LayoutChangedError(
                f"search layout changed: the page says {total} results but shows none")
        if total is None and not _NOTHING.search(text_of(main)[:5000]):
            raise ParseError("not a search results page: no results count, no 'no results' "
                             "note and no result rows")
        total = total or 0
    return SearchResults(
        query=query,
        total_results=total,
        page=page,
        total_pages=max(total_pages, page),
        fetched_at=now,
        hits=tuple(_hit(r) for r in rows),
    )


def _identify(tree: object, url: str | None) -> tuple[str, int]:
    """The query and page: from the URL asked for, else the page's canonical link."""
    canonical = attr(tree.css_first("link[rel=canonical]"), "href")  # type: ignore[attr-defined]
    for source in (url, canonical):
        found = parse_search_ref(source) if source else None
        if found is not None:
            return found
    return "", 1


def _hit(row: Row) -> SiteHit:
    return SiteHit(
        kind=HitKind.REPLY if row.reply_id is not None else HitKind.THREAD,
        thread_id=row.thread_id,
        reply_id=row.reply_id,
        title=row.title,
        url=row.url,
        excerpt=row.excerpt,
        replies=row.replies,
        boosts=row.boosts,
        views=row.views,
        views_text=row.views_text,
        activity_text=row.activity_text,
        activity_at=row.activity_at,
        answered=row.answered,
        apple_recommended=row.apple_recommended,
        tags=tuple(t.slug for t in row.tags),
    )
