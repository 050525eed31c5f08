"""Tag, topic and subtopic listing pages: one copy of the rows, defensively read."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from nereader.core.errors import LayoutChangedError, ParseError, UsageError
from nereader.core.models import ListingKind, ListingPage, ThreadSummary
from nereader.core.parse.common import (
    Index,
    attr,
    check_complete,
    classify_tags,
    distinct,
    first,
    load_html,
    main_of,
    now_utc,
    pagination,
    raise_if_not_content,
    text_of,
    thread_links,
)
from nereader.core.text import parse_activity, parse_count
from nereader.core.urls import (
    ListingRef,
    absolute,
    base_of,
    parse_listing_ref,
    thread_id_from_href,
    thread_url,
)

Node = Any
PAGE_SIZE = 20
_POSTS = re.compile(r"([0-9][0-9,.]*\s*[kKmM]?)\s+(?:Posts?|Threads?|Results?)\b")
_STAT_LABEL = re.compile(r"^(?:replies|reply|boosts?|votes?|views?|activity)\s*", re.IGNORECASE)


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
    count_node = first(main, ".post-count", ".posts-count", ".result-count")
    count_match = _POSTS.search(text_of(count_node) or text_of(main)[:5000])
    total_posts = parse_count(count_match.group(1)) if count_match else None

    rows, candidates = _rows(main, base, now)
    current, total_pages = pagination(main)
    page = current or page_from_url
    if total_pages is None:
        total_pages = max(1, math.ceil(total_posts / PAGE_SIZE)) if total_posts else max(page, 1)

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

    feed = absolute(
        attr(first(main, "a[href*='/rssFeed/']"), "href")
        or attr(first(tree.root, "link[type='application/rss+xml']"), "href"),
        base,
    )
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
        rows=tuple(rows),
    )


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


def _row_elements(main: Node) -> list[Node]:
    """One copy of the rows: the site renders them twice (desktop and mobile views)."""
    for wrapper in main.css(".content-list-wrapper.desktop-view, .content-list-wrapper"):
        rows = wrapper.css(".article-entry")
        if rows:
            return list(rows)
    rows = main.css(".article-entry")
    if not rows:
        rows = [a for a in main.css("article") if thread_links(a)]
    if not rows:
        rows = [li for li in main.css("li") if len(thread_links(li)) == 1 and li.css_first("p")]
    return distinct(rows)


def _rows(main: Node, base: str, now: datetime) -> tuple[list[ThreadSummary], int]:
    elements = _row_elements(main)
    rows: list[ThreadSummary] = []
    seen: set[int] = set()
    for el in elements:
        row = _row(el, base, now)
        if row is not None and row.id not in seen:
            seen.add(row.id)
            rows.append(row)
    return rows, len(elements)


def _stat(idx: Index, *names: str) -> str:
    """A stat cell's text, without the label the mobile copy adds ("Replies 2")."""
    node = idx.cls(*names)
    if node is None:
        return ""
    # Wrappers are new objects on each access: compare with `next`, never with `is`.
    single = node.child is None or node.child.next is None
    value = None if single else node.css_first(".stat-value, .value")
    text = text_of(value) if value is not None else text_of(node)
    if value is None:
        label = text_of(node.css_first(".stat-label, .label"))
        if label and text.startswith(label):
            text = text[len(label):].strip()
    return _STAT_LABEL.sub("", text).strip()


def _row(el: Node, base: str, now: datetime) -> ThreadSummary | None:
    idx = Index(el)
    link = idx.by_action.get("post-title") or idx.cls("article-title-link")
    href = attr(link, "href")
    thread_id = thread_id_from_href(href)
    if thread_id is None:
        links = thread_links(el)
        if links:
            link, href = links[0], attr(links[0], "href")
            thread_id = thread_id_from_href(href)
    if thread_id is None:
        value = attr(el, "value") or attr(el, "data-id") or ""
        thread_id = int(value) if value.isdigit() and len(value) < 13 else None
    if link is None:
        return None
    underline = link.css_first("span.underline") if link.child is not None else None
    title = text_of(underline) or text_of(link) or attr(link, "title") or ""
    if thread_id is None or not title:
        return None
    views_text = _stat(idx, "views")
    activity_text = _stat(idx, "timestamp", "activity", "last-activity")
    if not activity_text:
        activity_text = text_of(el.css_first("time"))
    topic, subtopic, tags = classify_tags(idx.cls("article-tags", "tags") or el)
    icons = el.css(".action-icons") if "action-icons" in idx.by_class else []
    flags = " ".join(f"{attr(n, 'class') or ''} {attr(n, 'title') or ''}" for n in icons).lower()
    excerpt = idx.cls("excerpt", "article-excerpt") or el.css_first("p")
    return ThreadSummary(
        id=thread_id,
        title=title,
        url=absolute(href, base) or thread_url(thread_id, base=base),
        excerpt=text_of(excerpt),
        replies=parse_count(_stat(idx, "replies")) or 0,
        boosts=parse_count(_stat(idx, "votes", "boosts")) or 0,
        views=parse_count(views_text) or 0,
        views_text=views_text,
        activity_text=activity_text,
        activity_at=parse_activity(activity_text, now),
        topic=topic,
        subtopic=subtopic,
        tags=tags,
        answered="answered" in flags or idx.cls("answered", "solved") is not None,
        apple_recommended="recommended" in flags or idx.cls("apple-recommended") is not None,
    )
