"""HTML for synthetic pages, in the same DOM as the site (see tests/fixtures/forums/README.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

_HEAD = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title} | Apple '
    'Developer Forums</title><link rel="canonical" href="https://developer.apple.com{path}">'
    "</head>\n<body class=\"forums\"><main id=\"main\" class=\"main\" role=\"main\">\n"
)
_FOOT = "</main></body></html>\n"


@dataclass
class Row:
    id: int
    title: str
    excerpt: str
    replies: int = 0
    boosts: int = 0
    views: str = "0"
    activity: str = "1d"
    answered: bool = False
    recommended: bool = False
    tags: list[tuple[str, str]] = field(default_factory=list)
    topic: tuple[str, str] | None = None  # (name, slug) of its topic
    subtopic: tuple[str, str] | None = None  # (name, slug) of its subtopic, under the topic


@dataclass
class Reply:
    id: int
    author: str
    body_html: str
    timestamp_ms: int
    staff: bool = False
    accepted: bool = False
    boosts: int = 0
    comments: list[Reply] = field(default_factory=list)
    recommended: bool = False  # marked Apple recommended
    role: str = ""  # the staff role shown by the name ("DTS Engineer")


def sentence(text: str) -> str:
    """A made-up clause ended as a sentence: a question keeps its mark ("?." never)."""
    text = text.rstrip()
    return text if text.endswith(("?", "!", ".")) else text + "."


def _stats(row: Row, labelled: bool) -> str:
    cells = [("replies", "Replies", str(row.replies)), ("votes", "Boosts", str(row.boosts)),
             ("views", "Views", row.views), ("timestamp", "Activity", row.activity)]
    if labelled:
        return "".join(
            f'<div class="stat {c}"><span class="stat-label">{label}</span>'
            f'<span class="stat-value">{escape(v)}</span></div>'
            for c, label, v in cells
        )
    return "".join(f'<div class="stat {c}">{escape(v)}</div>' for c, _, v in cells)


def _tags(row: Row) -> str:
    """The row's topic and subtopic links, then its tags, as the site's rows have them."""
    links = ""
    if row.topic is not None:
        links += (f'<a class="topic" href="/forums/topics/{escape(row.topic[1])}">'
                  f"{escape(row.topic[0])}</a>")
        if row.subtopic is not None:
            links += (f'<a class="subtopic" href="/forums/topics/{escape(row.topic[1])}/'
                      f'{escape(row.subtopic[1])}">{escape(row.subtopic[0])}</a>')
    return links + "".join(
        f'<a class="tag" href="/forums/tags/{escape(slug)}">{escape(name)}</a>'
        for name, slug in row.tags
    )


def _article(row: Row, labelled: bool) -> str:
    icons = ""
    if row.recommended:
        icons += '<span class="action-icons apple-recommended" title="Apple Recommended"></span>'
    if row.answered:
        icons += '<span class="action-icons answered" title="Answered"></span>'
    return (
        f'<article class="article-entry" value="{row.id}"><div class="article-title">{icons}'
        f'<a data-action="post-title" class="article-title-link" href="/forums/thread/{row.id}">'
        f'<span class="underline">{escape(row.title)}</span></a></div>'
        f'<p class="excerpt">{escape(row.excerpt)}</p>'
        f'<div class="article-tags">{_tags(row)}</div>'
        f'<div class="article-stats">{_stats(row, labelled)}</div></article>'
    )


def _pagination(base: str, page: int, total: int) -> str:
    if total <= 1:
        return ""
    links = "".join(
        f'<a href="{base}?page={n}"' + (' class="current" aria-current="page"' if n == page else "")
        + f">{n}</a>"
        for n in range(1, total + 1)
    )
    if page < total:
        links += f'<a class="next-page" href="{base}?page={page + 1}">Next</a>'
    return (f'<nav class="pagination" aria-label="Pagination" data-current-page="{page}" '
            f'data-total-pages="{total}">{links}</nav>')


def listing_page(slug: str, name: str, description: str, total_posts: int, page: int,
                 total_pages: int, rows: list[Row]) -> bytes:
    path = f"/forums/tags/{slug}"
    desktop = "".join(_article(r, False) for r in rows)
    mobile = "".join(_article(r, True) for r in rows)
    html = (
        _HEAD.format(title=escape(name), path=path)
        + '<div class="forums-tag-page"><section class="tag-header">'
        + f'<h1 class="tag-title">{escape(name)}</h1>'
        + f'<a class="rss-link" href="/forums/tags/rssFeed/{slug}">RSS for tag</a>'
        + f'<p class="tag-description">{escape(description)}</p></section>'
        + '<section class="posts"><div class="posts-toolbar"><span class="post-count">'
        + f"{total_posts} Posts</span></div>"
        + f'<div class="content-list-wrapper desktop-view">{desktop}</div>'
        + f'<div class="content-list-wrapper mobile-view">{mobile}</div>'
        + _pagination(path, page, total_pages)
        + "</section></div>"
        + _FOOT
    )
    return html.encode()


def _post(kind: str, post: Reply, thread_id: int) -> str:
    badge = '<div class="top-answer-badge solved">Accepted Answer</div>' if post.accepted else ""
    if post.recommended:
        badge += '<div class="apple-recommended-badge">Apple Recommended</div>'
    role = (f'<span class="author-role">{escape(post.role or "DTS Engineer")}</span>'
            if post.staff else "")
    comments = ""
    if post.comments:
        comments = '<div class="comments">' + "".join(
            _post("comment", c, thread_id) for c in post.comments
        ) + "</div>"
    author = escape(post.author)
    return (
        f'<section class="content-post {kind}" id="{post.id}" data-post-id="{post.id}" '
        f'data-post-type="{kind.upper()}" data-authorname="{author}" '
        f'data-author-link="/forums/profile/{author}" data-timestamp="{post.timestamp_ms}">'
        f'{badge}<div class="post-header"><a data-action="author-name" class="author-name" '
        f'data-author-apple-employee="{"true" if post.staff else "false"}" '
        f'href="/forums/profile/{author}">{author}</a>{role}</div>'
        f'<div class="content-post-body" data-action="content-post-body-content">'
        f"{post.body_html}</div>"
        f'<div class="post-actions"><button class="boost-button" data-boosts="{post.boosts}">'
        f"Boost</button></div>{comments}</section>"
    )


def thread_page(row: Row, question: Reply, replies: list[Reply], page: int, total_pages: int,
                participants: int) -> bytes:
    path = f"/forums/thread/{row.id}"
    meta = "".join(
        f'<div class="post-info"><span class="post-info-title">{label}</span> {value}</div>'
        for label, value in (("Replies", row.replies), ("Boosts", row.boosts),
                             ("Views", row.views), ("Participants", participants))
    )
    q = _post("question", question, row.id).replace(
        '<div class="post-actions">', f'<div class="content-post-metadata">{meta}</div>'
        '<div class="post-actions">', 1
    )
    html = (
        _HEAD.format(title=escape(row.title), path=path)
        + '<div class="forums-thread-page">'
        + f'<div class="thread-container" data-thread-id="{row.id}">'
        + '<div class="thread-header"><h1 data-action="post-title" class="thread-title">'
        + f'{escape(row.title)}</h1><div class="thread-tags">{_tags(row)}</div></div>'
        + q
        + '<div class="answers"><h2 class="answers-heading">Replies</h2>'
        + "".join(_post("answer", r, row.id) for r in replies)
        + "</div>"
        + _pagination(path, page, total_pages)
        + "</div></div>"
        + _FOOT
    )
    return html.encode()


# -- forum-wide pages: topic and all-posts listings, search results ----------------------------
@dataclass
class Hit:
    """A search result: a thread (``reply_id`` None) or one of its replies."""

    row: Row
    reply_id: int | None = None
    excerpt: str = ""


def _page_links(link: Callable[[int], str], page: int, total: int) -> str:
    if total <= 1:
        return ""
    links = "" if page <= 1 else (
        f'<a class="previous-page" href="{escape(link(page - 1))}">Previous</a>')
    links += "".join(
        f'<a href="{escape(link(n))}"' + (' class="current" aria-current="page"' if n == page
                                          else "") + f">{n}</a>"
        for n in range(1, total + 1)
    )
    if page < total:
        links += f'<a class="next-page" href="{escape(link(page + 1))}">Next</a>'
    return (f'<nav class="pagination" aria-label="Pagination" data-current-page="{page}" '
            f'data-total-pages="{total}">{links}</nav>')


def forum_listing_page(path: str, name: str, description: str, total_posts: int | None,
                       page: int, total_pages: int, rows: list[Row],
                       link: Callable[[int], str], topic: tuple[str, str] | None = None) -> bytes:
    """A topic, subtopic or all-posts listing; ``total_posts`` None shows no "N Posts" (as
    topic pages may)."""
    desktop = "".join(_article(r, False) for r in rows)
    mobile = "".join(_article(r, True) for r in rows)
    count = "" if total_posts is None else f'<span class="post-count">{total_posts} Posts</span>'
    crumb = ""
    if topic is not None:
        crumb = (f'<a class="topic" href="/forums/topics/{escape(topic[1])}">'
                 f"{escape(topic[0])}</a>")
    html = (
        _HEAD.format(title=escape(name), path=escape(path))
        + '<div class="forums-topic-page"><section class="topic-header">' + crumb
        + f'<h1 class="topic-title">{escape(name)}</h1>'
        + f'<p class="topic-description">{escape(description)}</p></section>'
        + f'<section class="posts"><div class="posts-toolbar">{count}</div>'
        + f'<div class="content-list-wrapper desktop-view">{desktop}</div>'
        + f'<div class="content-list-wrapper mobile-view">{mobile}</div>'
        + _page_links(link, page, total_pages)
        + "</section></div>"
        + _FOOT
    )
    return html.encode()


def _hit_article(hit: Hit, labelled: bool) -> str:
    row = hit.row
    if hit.reply_id is None:
        return _article(row, labelled)
    icons = '<span class="action-icons answered" title="Answered"></span>' if row.answered else ""
    return (
        f'<article class="article-entry" value="{hit.reply_id}"><div class="article-title">'
        f'{icons}<a data-action="post-title" class="article-title-link reply-title" '
        f'href="/forums/thread/{row.id}?answerId={hit.reply_id}#{hit.reply_id}">'
        f'<span class="reply-title">Reply to</span> <span class="reply-title">'
        f"{escape(row.title)}</span></a></div>"
        f'<p class="excerpt">{escape(hit.excerpt)}</p>'
        f'<div class="article-tags">{_tags(row)}</div>'
        f'<div class="article-stats">{_stats(row, labelled)}</div></article>'
    )


def search_page(query: str, total: int, page: int, total_pages: int, hits: list[Hit],
                link: Callable[[int], str]) -> bytes:
    """Search results as the site shows them: every hit in the desktop copy, the thread hits
    (labelled) in the mobile one, "N results"."""
    desktop = "".join(_hit_article(h, False) for h in hits)
    mobile = "".join(_hit_article(h, True) for h in hits if h.reply_id is None)
    html = (
        _HEAD.format(title=f"Search: {escape(query)}", path=escape(link(page)))
        + '<div class="forums-search-page"><section class="search-header">'
        + f'<h1 class="search-title">Search results for “{escape(query)}”</h1>'
        + '<form class="forums-search" action="/forums/search" method="get">'
        + f'<input type="search" name="q" value="{escape(query)}">'
        + '<button type="submit">Search</button></form>'
        + f'<div class="posts-toolbar"><span class="post-count">{total} results</span></div>'
        + '</section><section class="posts">'
        + f'<div class="content-list-wrapper desktop-view">{desktop}</div>'
        + f'<div class="content-list-wrapper mobile-view">{mobile}</div>'
        + _page_links(link, page, total_pages)
        + "</section></div>"
        + _FOOT
    )
    return html.encode()
