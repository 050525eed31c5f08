"""Thread pages: the question, replies, comments under replies, and every marker of an answer."""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from nereader.core.errors import LayoutChangedError, NotAThreadError, ParseError, UsageError
from nereader.core.models import Author, Post, PostKind, Structure, Thread, ThreadStats
from nereader.core.parse.challenge import raise_if_not_content
from nereader.core.parse.common import (
    Index,
    attr,
    check_complete,
    check_page,
    classify_tags,
    distinct,
    first,
    load_html,
    main_of,
    now_utc,
    pagination,
    text_of,
)
from nereader.core.parse.markdown import images_of, to_markdown, to_safe_html
from nereader.core.parse.rows import count_of
from nereader.core.text import from_millis, parse_count, parse_int, parse_iso, squash
from nereader.core.urls import (
    absolute,
    answer_id_from_href,
    base_of,
    parse_thread_ref,
    thread_id_from_href,
    thread_url,
)

Node = Any
# The rules a thread page is read by (``nereader doctor`` checks pages against the same).
QUESTION = ("section.content-post.question", ".content-post.question",
            "[data-post-type=QUESTION]")
POST = ("section.content-post", ".content-post[data-post-id]", "[data-post-id][data-post-type]")
_TITLE_SUFFIX = re.compile(r"\s*\|\s*Apple Developer Forums\s*$", re.IGNORECASE)
# What is not a page's text: the site's navigation and furniture around it.
_CHROME = ("nav, footer, aside, script, style, noscript, template, form, button, svg, iframe, "
           "body > header, [role=navigation], [role=banner], [role=contentinfo], "
           "[role=search], [aria-hidden=true], [hidden]")
MIN_TEXT = 200  # characters: less is no thread's text
TEXT_ONLY_NOTICE = ("the thread page's structure was not recognised (no question section); "
                    "showing the page's text as one post")


def parse_thread(
    content: str | bytes, url: str | None = None, fetched_at: datetime | None = None
) -> Thread:
    """Parse one thread page (any reply page).

    Raises ChallengeError for a bot check, ErrorPageError for the site's error pages and
    NotAThreadError when a page has no question section.
    """
    text, tree = load_html(content)
    raise_if_not_content(tree, "a thread")
    check_complete(text)  # a page cut in half says so, not "not a thread page"
    main = main_of(tree)
    question = find_question(main)
    if question is None:
        fallback = _text_only(tree, main, url, fetched_at)
        if fallback is None:
            raise NotAThreadError(
                "not a thread page (or a bot check): no question section "
                f"({QUESTION[0]})"
            )
        return fallback
    base = base_of(url)
    container = first(main, ".thread-container", ".forums-thread-page") or main
    header = first(container, ".thread-header", "header") or container

    thread_id = _thread_id(tree, container, question, url)
    title = text_of(first(header, "h1[data-action='post-title']", ".thread-title", "h1"))
    if not title:
        og = attr(first(tree.root, "meta[property='og:title']"), "content") or text_of(
            tree.css_first("title")
        )
        title = _TITLE_SUFFIX.sub("", squash(og))
    topic, subtopic, tags = classify_tags(first(header, ".thread-tags") or header)
    answered_by = attr(first(header, ".answered-by a", "a.answered-by"), "href")
    accepted_id = answer_id_from_href(answered_by)

    posts = _posts(main, question, base)
    if accepted_id is not None:
        posts = [replace(p, accepted=True) if p.id == accepted_id else p for p in posts]
    elif any(p.accepted for p in posts):
        accepted_id = next(p.id for p in posts if p.accepted)

    current, total = pagination(container)
    page_from_url, asked = 1, None
    if url:
        with contextlib.suppress(UsageError):
            ref = parse_thread_ref(url)
            page_from_url = ref.page
            asked = ref.page if ref.answer_id is None else None  # ?answerId: any page holds it
    check_page(asked, current, total, f"thread {thread_id}")
    page = current or page_from_url
    locked_node = first(container, ".thread-locked-notice", ".locked-notice", ".thread-locked")
    locked = locked_node is not None or "this thread has been locked" in text_of(header).lower()
    return Thread(
        id=thread_id,
        title=title,
        url=thread_url(thread_id, base=base),
        posts=tuple(posts),
        topic=topic,
        subtopic=subtopic,
        tags=tags,
        locked=locked,
        stats=_stats(question),
        page=page,
        total_pages=max(total or 1, page),
        accepted_answer_id=accepted_id,
        fetched_at=now_utc(fetched_at),
    )


def find_question(main: Node) -> Node | None:
    """The question's section: the rule that tells a thread page (``QUESTION``, then any
    element whose declared post type is the question)."""
    found = first(main, *QUESTION)
    if found is None:
        found = next((n for n in main.css("[data-post-type]") if _kind(n) is PostKind.QUESTION),
                     None)
    return found


def post_nodes(main: Node, question: Node) -> list[Node]:
    """Every element the parser tries to read as a post (``POST``): the question first, then
    the rest in document order."""
    # One selector at a time (a selector group returns a node once per selector it matches);
    # when the markup mixes forms, the union is put back in document order.
    found = distinct(n for selector in POST for n in main.css(selector))
    if len(found) > len(main.css(POST[0])):
        order = {n.mem_id: i for i, n in enumerate(main.traverse())}
        found.sort(key=lambda n: order.get(n.mem_id, 0))
    nodes = [n for n in found if n.mem_id != question.mem_id]
    return [question] + [n for n in nodes if _kind(n) is not None or attr(n, "data-post-id")]


def _text_only(tree: Any, main: Node, url: str | None, fetched_at: datetime | None
               ) -> Thread | None:
    """A thread page whose post structure is not recognised, as one post of its main text
    (headings, paragraphs, code blocks, links), marked so; None for a page that is no
    thread's first page or holds too little text to be one."""
    if main.css_first(".article-entry") is not None:
        return None  # a listing's rows: a listing served for a thread is no thread
    ref = None
    if url:
        with contextlib.suppress(UsageError):
            ref = parse_thread_ref(url)
    if ref is not None and (ref.page != 1 or ref.answer_id is not None):
        return None  # only a thread's first page stands for the thread
    canonical = thread_id_from_href(attr(tree.css_first("link[rel=canonical]"), "href"))
    thread_id = canonical if canonical is not None else ref.id if ref is not None else None
    if thread_id is None:
        return None
    title = text_of(first(main, "h1"))
    if not title:
        og = attr(first(tree.root, "meta[property='og:title']"), "content") or text_of(
            tree.css_first("title"))
        title = _TITLE_SUFFIX.sub("", squash(og))
    chrome = main.css(_CHROME)
    ids = {n.mem_id for n in chrome}
    for node in chrome:  # outermost first: an element inside another goes with it
        if _post_ancestor(node, ids) is None:
            node.decompose()
    heading = main.css_first("h1")
    if heading is not None and text_of(heading) == title:
        heading.decompose()  # the title is the thread's, not the post's
    if len(squash(main.text(deep=True, separator=" "))) < MIN_TEXT:
        return None
    base = base_of(url)
    post = Post(id=thread_id, kind=PostKind.QUESTION, author=Author("(unknown)"),
                body_html=to_safe_html(main, base), body_markdown=to_markdown(main, base),
                images=images_of(main, base))
    return Thread(id=thread_id, title=title or f"Thread {thread_id}",
                  url=thread_url(thread_id, base=base), posts=(post,),
                  fetched_at=now_utc(fetched_at), structure=Structure.TEXT_ONLY,
                  notice=TEXT_ONLY_NOTICE)


def _thread_id(tree: Any, container: Node, question: Node, url: str | None) -> int:
    candidates = [
        attr(container, "data-thread-id"),
        attr(question, "data-post-id"),
        str(thread_id_from_href(attr(tree.css_first("link[rel=canonical]"), "href")) or ""),
        str(thread_id_from_href(url) or ""),
    ]
    for c in candidates:
        found = parse_int(c)
        if found is not None:
            return found
    raise LayoutChangedError("thread layout changed: no thread id (data-thread-id, canonical link)")


def _kind(node: Node) -> PostKind | None:
    declared = (attr(node, "data-post-type") or "").lower()
    classes = (attr(node, "class") or "").split()
    for kind in PostKind:
        if declared == kind.value or kind.value in classes:
            return kind
    if declared in {"reply", "response"}:
        return PostKind.ANSWER
    return None


def _post_ancestor(node: Node, posts: set[int]) -> Node | None:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in posts:
            return parent
        parent = parent.parent
    return None


def _posts(main: Node, question: Node, base: str) -> list[Post]:
    nodes = post_nodes(main, question)
    ids = {n.mem_id for n in nodes}
    id_of: dict[int, int] = {}
    out: list[Post] = []
    seen: set[int] = set()
    for node in nodes:
        post = _post(node, ids, id_of, base)
        if post is None or post.id in seen:
            continue
        seen.add(post.id)
        out.append(post)
    if not out or out[0].kind is not PostKind.QUESTION:
        raise ParseError("thread question could not be read (no post id)")
    return out


def _flag(node: Node, idx: Index, classes: tuple[str, ...], data: str) -> bool:
    own = set((attr(node, "class") or "").split())
    if (attr(node, data) or "").lower() == "true" or own.intersection(classes):
        return True
    marked = idx.by_attr.get(data)
    return any(c in idx.by_class for c in classes) or (
        marked is not None and (attr(marked, data) or "").lower() == "true"
    )


def _post(node: Node, ids: set[int], id_of: dict[int, int], base: str) -> Post | None:
    idx = Index(node, ids)
    post_id = parse_int(attr(node, "data-post-id") or attr(node, "id"), max_digits=15)
    if post_id is None:
        post_id = answer_id_from_href(attr(idx.cls("share-link"), "href"))
    if post_id is None or post_id >= 10**15:
        return None
    body = idx.by_action.get("content-post-body-content") or idx.cls(
        "content-post-body", "post-body"
    )
    if body is None:
        return None
    id_of[node.mem_id] = post_id
    parent = _post_ancestor(node, ids)
    parent_id = id_of.get(parent.mem_id) if parent is not None else None
    kind = _kind(node) or (PostKind.COMMENT if parent_id is not None else PostKind.ANSWER)
    if kind is PostKind.COMMENT and parent_id is None:
        kind = PostKind.ANSWER  # a comment whose reply we cannot see still deserves a place
    author_node = idx.by_action.get("author-name") or idx.cls("author-name")
    name = squash(attr(node, "data-authorname") or "") or text_of(author_node) or "(unknown)"
    profile = attr(node, "data-author-link") or attr(author_node, "href")
    staff_node = idx.by_attr.get("data-author-apple-employee")
    staff = any(
        (attr(n, "data-author-apple-employee") or "").lower() == "true"
        for n in (node, author_node, staff_node)
    )
    created = from_millis(attr(node, "data-timestamp"))
    if created is None:
        date = node.css_first("time[datetime]") or idx.cls("post-date")
        created = parse_iso(attr(date, "datetime") or attr(date, "title") or "")
    boosts_node = idx.by_attr.get("data-boosts")
    badge = idx.by_class.get("top-answer-badge")
    accepted = _flag(node, idx, ("accepted-answer", "accepted-answer-badge"), "data-solved") or (
        badge is not None and "solved" in (attr(badge, "class") or "").split()
    )
    return Post(
        id=post_id,
        kind=kind,
        parent_id=parent_id if kind is PostKind.COMMENT else None,
        author=Author(name, absolute(profile, base)),
        apple_staff=staff,
        role=text_of(idx.cls("author-role")) or None,
        created_at=created,
        accepted=accepted,
        apple_recommended=_flag(
            node, idx, ("apple-recommended-badge", "apple-recommended"), "data-recommended"
        ),
        boosts=parse_count(attr(boosts_node, "data-boosts")) or 0,
        body_html=to_safe_html(body, base),
        body_markdown=to_markdown(body, base),
        images=images_of(body, base),
    )


_STAT_NAMES = {"replies": "replies", "reply": "replies", "answers": "replies",
               "boosts": "boosts", "boost": "boosts", "votes": "boosts",
               "views": "views", "view": "views",
               "participants": "participants", "participant": "participants"}


def _stats(question: Node) -> ThreadStats:
    """The question's stats: each a label and a count ("Replies 36", "36 replies", "1.2k");
    a count that cannot be read is unknown (None), never 0."""
    values: dict[str, tuple[int, str]] = {}
    for info in question.css(".content-post-metadata .post-info, .post-info"):
        label = text_of(first(info, ".post-info-title", ".label"))
        whole = text_of(info)
        rest = whole[len(label):] if label and whole.startswith(label) else whole
        words = [w.strip(":").lower() for w in (label or whole).split()]
        name = next((_STAT_NAMES[w] for w in words if w in _STAT_NAMES), None)
        found = count_of(rest.strip())
        if name is not None and found is not None:
            values.setdefault(name, found)

    def value(name: str) -> int | None:
        return values[name][0] if name in values else None

    return ThreadStats(
        replies=value("replies"),
        boosts=value("boosts"),
        views=value("views"),
        participants=value("participants"),
        views_text=values["views"][1] if "views" in values else "",
    )


def merge_thread_pages(pages: list[Thread]) -> Thread:
    """One Thread over all its reply pages: posts in page order, each post once."""
    if not pages:
        raise ValueError("no pages to merge")
    ordered = sorted(pages, key=lambda t: t.page)
    head = ordered[0]
    if any(p.id != head.id for p in ordered):
        raise ParseError("reply pages belong to different threads")
    seen: set[int] = set()
    posts: list[Post] = []
    for page in ordered:
        for post in page.posts:
            if post.id not in seen:
                seen.add(post.id)
                posts.append(post)
    accepted = next((p.accepted_answer_id for p in ordered if p.accepted_answer_id), None)
    if accepted is not None:
        posts = [replace(p, accepted=True) if p.id == accepted else p for p in posts]
    return replace(
        head,
        posts=tuple(posts),
        page=1,
        total_pages=max(p.total_pages for p in ordered),
        accepted_answer_id=accepted,
        locked=any(p.locked for p in ordered),
        fetched_at=min((p.fetched_at for p in ordered if p.fetched_at), default=None),
    )
