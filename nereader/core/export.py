"""Plain renderings of models for people and files: thread Markdown, JSON shapes for scripts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from nereader.core.models import (
    Bookmark,
    InboxItem,
    Post,
    PostKind,
    Thread,
    ThreadSummary,
    to_jsonable,
)
from nereader.core.text import activity_of, escape_markdown, site_count, squash
from nereader.core.urls import web_url


def md_text(text: str) -> str:
    """Text the site (or a user) wrote, as inert Markdown on one line: no link, image, HTML
    or emphasis it might spell can take effect, and no line break can end a list item."""
    return escape_markdown(squash(text))


def md_link(url: str | None) -> str:
    """An autolink for a web link; anything else is shown as code, never as a link."""
    safe = web_url(url)
    if safe is not None:
        return "<" + safe.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E") + ">"
    shown = squash(url or "").replace("`", "'")
    return f"`{shown}`" if shown else ""


def summary_json(row: ThreadSummary) -> dict[str, Any]:
    """The object ``nereader list --json`` prints for one row. A count the row does not have
    (``source`` "feed": the listing's RSS feed stood in for its page) is null, never 0."""
    return {
        "id": row.id,
        "title": row.title,
        "url": row.url,
        "excerpt": row.excerpt,
        "replies": row.replies,
        "boosts": row.boosts,
        "views": row.views,
        "views_text": row.views_text,
        "activity": row.activity_text,
        "activity_at": row.activity_at.isoformat() if row.activity_at else None,
        "answered": row.answered,
        "apple_recommended": row.apple_recommended,
        "tags": to_jsonable(row.tags),
        "topic": to_jsonable(row.topic),
        "subtopic": to_jsonable(row.subtopic),
        "author": row.author,
        "source": row.source.value,
    }


def inbox_json(item: InboxItem, names: Mapping[str, str]) -> dict[str, Any]:
    """The object ``nereader inbox --json`` prints for one thread: its row as ``list --json``
    has it, the listing it is in (``listings`` too when it is in several; ``"bookmarks"``
    for a bookmark in no followed listing), and what is new in it."""
    listings = [{"key": key, "name": names.get(key, key)} for key in item.listings]
    out = {**summary_json(item.row), "listing": item.listings[0] if item.listings
           else "bookmarks"}
    if len(listings) > 1:
        out["listings"] = listings
    return {**out, "listing_name": listings[0]["name"] if listings else "Bookmarks",
            "unread": item.unread, "new_replies": item.new_replies,
            "new_posts": item.new_posts, "bookmarked": item.bookmarked}


def thread_row(thread: Thread) -> ThreadSummary:
    """A whole thread as a list row (the bookmarks view, the library): its numbers, its
    last activity and the start of its question as the excerpt, written as a listing's row
    writes them ("3.3k" views; activity "4d" before the fetch, or "Mar ’26")."""
    last = max((p.created_at for p in thread.posts if p.created_at), default=None)
    activity = ("" if last is None else activity_of(last, thread.fetched_at)
                if thread.fetched_at is not None else f"{last:%b} ’{last.year % 100:02d}")
    question = thread.question
    text = " ".join((question.body_markdown if question else "").split())[:300]
    return ThreadSummary(
        id=thread.id, title=thread.title, url=thread.url, excerpt=text,
        replies=(None if thread.degraded else thread.stats.replies
                 if thread.stats.replies is not None else len(thread.posts) - 1),
        boosts=thread.stats.boosts, views=thread.stats.views,
        views_text=("" if thread.stats.views is None
                    else thread.stats.views_text or site_count(thread.stats.views)),
        activity_text=activity, activity_at=last,
        topic=thread.topic, subtopic=thread.subtopic, tags=thread.tags,
        answered=thread.accepted_answer_id is not None,
        apple_recommended=any(p.apple_recommended for p in thread.posts),
    )


def cut_warning(thread: Thread) -> str | None:
    """What a thread cut at the reply-page cap says (None when it was read whole)."""
    if not thread.pages_not_read:
        return None
    believed = thread.total_pages + thread.pages_not_read
    replies = f" ({thread.stats.replies:,} replies)" if thread.stats.replies else ""
    return (f"thread {thread.id} is cut: it has {believed:,} reply pages{replies}, and "
            f"nereader reads the first {thread.total_pages:,} and no more")


def post_json(post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "kind": post.kind.value,
        "parent_id": post.parent_id,
        "author": post.author.name,
        "author_url": post.author.url,
        "apple_staff": post.apple_staff,
        "role": post.role,
        "created_at": post.created_at.isoformat() if post.created_at else None,
        "accepted": post.accepted,
        "apple_recommended": post.apple_recommended,
        "boosts": post.boosts,
        "body_markdown": post.body_markdown,
    }


def thread_json(thread: Thread) -> dict[str, Any]:
    """The object ``nereader show --json`` prints; ``structure`` "text-only" says the page's
    post structure was not recognised and its text stands in, as one post."""
    return {
        "id": thread.id,
        "title": thread.title,
        "url": thread.url,
        "structure": thread.structure.value,
        "tags": to_jsonable(thread.tags),
        "topic": to_jsonable(thread.topic),
        "subtopic": to_jsonable(thread.subtopic),
        "locked": thread.locked,
        "stats": to_jsonable(thread.stats),
        "total_pages": thread.total_pages,
        "pages_not_read": thread.pages_not_read,  # > 0: cut at the reply-page cap
        # Why the thread is not whole (null when it is): cut at the reply-page cap, or read
        # short of the site's page count because its pages repeat or stop.
        "cut": thread.cut or cut_warning(thread),
        "accepted_answer_id": thread.accepted_answer_id,
        "fetched_at": thread.fetched_at.isoformat() if thread.fetched_at else None,
        "posts": [post_json(p) for p in thread.posts],
    }


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "date unknown"


def post_heading(post: Post, number: int) -> str:
    """One line that says who wrote a post and what the forum says about it."""
    label = {PostKind.QUESTION: "Question", PostKind.ANSWER: f"Reply {number}",
             PostKind.COMMENT: "Comment"}[post.kind]
    parts = [f"{label} by {md_text(post.author.name)}"]
    if post.apple_staff:
        parts.append(f"Apple staff ({md_text(post.role)})" if post.role else "Apple staff")
    elif post.role:
        parts.append(md_text(post.role))
    parts.append(_date(post.created_at))
    if post.accepted:
        parts.append("✓ Accepted answer")
    if post.apple_recommended:
        parts.append("★ Apple recommended")
    return " · ".join(parts)


_YAML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
                 "\x1b": "\\e", "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P",
                 "\ufeff": "\\uFEFF"}
_YAML_UNSAFE = re.compile(r'[\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]')


def _yaml_char(m: re.Match[str]) -> str:
    ch = m.group(0)
    return _YAML_ESCAPES.get(ch) or f"\\x{ord(ch):02x}"


def _yaml_value(value: Any) -> str:
    """A YAML flow value: strings double-quoted with every line break and control character
    escaped, so nothing a note holds (CR, NEL, ESC ...) can end the front matter."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    return '"' + _YAML_UNSAFE.sub(_yaml_char, str(value)) + '"'


def thread_markdown(thread: Thread, front_matter: dict[str, Any] | None = None) -> str:
    """A whole thread as one Markdown document (for ``show --markdown`` and exports)."""
    lines: list[str] = []
    if front_matter is not None:
        lines.append("---")
        lines += [f"{k}: {_yaml_value(v)}" for k, v in front_matter.items()]
        lines += ["---", ""]
    lines.append(f"# {md_text(thread.title) or '(untitled)'}")
    lines.append("")
    meta = [md_link(thread.url)] if thread.url else []
    if thread.tags:
        meta.append("Tags: " + ", ".join(md_text(t.name) for t in thread.tags))
    counts = thread.stats.counts()
    if counts:
        meta.append(", ".join(counts))
    lines.append(" · ".join(meta))
    if thread.locked:
        lines += ["", "> 🔒 This thread has been locked by a moderator."]
    if thread.degraded:  # one post of the page's text: no authors, dates or replies to name
        lines += ["", f"> {md_text(thread.notice or 'the page was not read as posts')}.", ""]
        lines.append("\n\n".join(p.body_markdown for p in thread.posts) or "*(no text)*")
        return "\n".join(lines).rstrip() + "\n"
    number = 0
    for post in thread.posts:
        if post.kind is PostKind.ANSWER:
            number += 1
        level = "###" if post.kind is PostKind.COMMENT else "##"
        lines += ["", f"{level} {post_heading(post, number)}", ""]
        lines.append(post.body_markdown or "*(empty post)*")
    return "\n".join(lines).rstrip() + "\n"


def _body(post: Post) -> Any:
    """A post body's HTML as a selectolax node (the parser loads on first use, not at start)."""
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(f"<div>{post.body_html}</div>").css_first("div")


def post_links(post: Post) -> list[tuple[str, str]]:
    """The web links of a post body: (text, absolute http(s) URL), in order, each URL once.
    Nothing else is returned, whatever an old cached body holds."""
    node = _body(post)
    links: list[tuple[str, str]] = []
    seen: set[str] = set()
    for a in node.css("a[href]") if node is not None else []:
        href = web_url((a.attributes.get("href") or "").strip())
        if href and href not in seen:
            seen.add(href)
            links.append((squash(a.text(deep=True)) or href, href))
    return links


def plain_text(post: Post) -> str:
    """A post's visible text on one line (for search and snippets)."""
    node = _body(post)
    return " ".join(node.text(deep=True, separator=" ").split()) if node is not None else ""


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:60].strip("-") or "thread"


def markdown_export(marks: list[tuple[Bookmark, Thread | None]]) -> dict[str, str]:
    """The files of a Markdown export: one per bookmarked thread (front matter and every
    post), plus an ``index.md`` listing them all; file name -> text."""
    files: dict[str, str] = {}
    lines = ["# Bookmarks", ""]
    for mark, thread in marks:
        name = f"{mark.id}-{_slug(mark.title)}.md"
        labels = " ".join(md_text(f"#{label}") for label in mark.labels)
        note = f" — {md_text(mark.note)}" if squash(mark.note) else ""
        if thread is None:
            lines.append(f"- {md_text(mark.title) or mark.id} {md_link(mark.url)} "
                         f"(not available offline) {labels}".rstrip() + note)
            continue
        front = {
            "id": thread.id, "title": thread.title, "url": thread.url,
            "tags": [t.slug for t in thread.tags],
            "fetched_at": thread.fetched_at.isoformat() if thread.fetched_at else None,
            "accepted_answer_id": thread.accepted_answer_id,
            "note": mark.note, "labels": list(mark.labels),
        }
        files[name] = thread_markdown(thread, front_matter=front)
        lines.append(f"- [{md_text(thread.title) or thread.id}]({name}) {labels}".rstrip()
                     + note)
    files["index.md"] = "\n".join(lines) + "\n"
    return files
