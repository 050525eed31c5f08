"""Plain renderings of models for people and files: thread Markdown, JSON shapes for scripts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nereader.core.models import Post, PostKind, Thread, ThreadSummary, to_jsonable


def summary_json(row: ThreadSummary) -> dict[str, Any]:
    """The object ``nereader list --json`` prints for one row."""
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
    }


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
    """The object ``nereader show --json`` prints."""
    return {
        "id": thread.id,
        "title": thread.title,
        "url": thread.url,
        "tags": to_jsonable(thread.tags),
        "topic": to_jsonable(thread.topic),
        "subtopic": to_jsonable(thread.subtopic),
        "locked": thread.locked,
        "stats": to_jsonable(thread.stats),
        "total_pages": thread.total_pages,
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
    parts = [f"{label} by {post.author.name}"]
    if post.apple_staff:
        parts.append(f"Apple staff ({post.role})" if post.role else "Apple staff")
    elif post.role:
        parts.append(post.role)
    parts.append(_date(post.created_at))
    if post.accepted:
        parts.append("✓ Accepted answer")
    if post.apple_recommended:
        parts.append("★ Apple recommended")
    return " · ".join(parts)


def _yaml_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def thread_markdown(thread: Thread, front_matter: dict[str, Any] | None = None) -> str:
    """A whole thread as one Markdown document (for ``show --markdown`` and exports)."""
    lines: list[str] = []
    if front_matter is not None:
        lines.append("---")
        lines += [f"{k}: {_yaml_value(v)}" for k, v in front_matter.items()]
        lines += ["---", ""]
    lines.append(f"# {thread.title}")
    lines.append("")
    meta = [f"<{thread.url}>"]
    if thread.tags:
        meta.append("Tags: " + ", ".join(t.name for t in thread.tags))
    s = thread.stats
    counts = [f"{v} {k}" for k, v in (("replies", s.replies), ("boosts", s.boosts),
                                       ("views", s.views), ("participants", s.participants))
              if v is not None]
    if counts:
        meta.append(", ".join(counts))
    lines.append(" · ".join(meta))
    if thread.locked:
        lines += ["", "> 🔒 This thread has been locked by a moderator."]
    number = 0
    for post in thread.posts:
        if post.kind is PostKind.ANSWER:
            number += 1
        level = "###" if post.kind is PostKind.COMMENT else "##"
        lines += ["", f"{level} {post_heading(post, number)}", ""]
        lines.append(post.body_markdown or "*(empty post)*")
    return "\n".join(lines).rstrip() + "\n"
