"""The lines around post bodies: the thread's title block and each post's header."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.console import Console
from rich.style import Style
from rich.text import Text

from nereader.core.models import Bookmark, Post, PostKind, Thread
from nereader.core.text import clean, plural, relative_time
from nereader.ui.widgets.markdown_lines import Line


@dataclass(frozen=True, slots=True)
class Chrome:
    """The resolved theme styles of titles and headers."""

    title: Style
    meta: Style
    mark: Style
    label: Style
    header: Style
    staff: Style
    accepted: Style
    badge: Style
    new: Style
    locked: Style
    rule: Style


def _wrap(text: Text, width: int, console: Console) -> list[Line]:
    return [Line(line) for line in text.wrap(console, max(8, width), overflow="fold")]


def title_lines(thread: Thread, bookmark: Bookmark | None, width: int, console: Console,
                chrome: Chrome) -> list[Line]:
    """Title, the bookmark (mark, note, #labels), tags and counts, a lock, and a rule."""
    lines = _wrap(Text(clean(thread.title), style=chrome.title, end=""), width, console)
    if bookmark is not None:
        mark = Text("⚑ Bookmarked", style=chrome.mark, end="")
        if bookmark.labels:
            mark.append("  " + " ".join(f"#{clean(label)}" for label in bookmark.labels),
                        chrome.label)
        if bookmark.note:
            mark.append("  " + " ".join(clean(bookmark.note).split()), chrome.meta)
        lines += _wrap(mark, width, console)
    tags = ", ".join(clean(t.name) for t in thread.tags)
    s = thread.stats
    counts = [plural(v, one, many) for one, many, v in (
        ("reply", "replies", s.replies), ("boost", "boosts", s.boosts),
        ("view", "views", s.views), ("participant", "participants", s.participants))
        if v is not None]
    if thread.total_pages > 1:
        counts.append(f"{thread.total_pages} reply pages")
    meta = Text(tags, style=Style(italic=True), end="")
    if counts:
        meta.append(("  ·  " if tags else "") + " · ".join(counts), chrome.meta)
    if meta.plain:
        lines += _wrap(meta, width, console)
    if thread.locked:
        lines += _wrap(Text("🔒 This thread has been locked by a moderator.", style=chrome.locked,
                            end=""), width, console)
    lines.append(Line(Text("─" * width, style=chrome.rule, end="")))
    return lines


def header_lines(post: Post, number: int, new: bool, now: datetime, width: int,
                 console: Console, chrome: Chrome) -> list[Line]:
    """Who wrote a post, what the forum says of it, and when: two lines (a comment's: one)."""
    style = (chrome.accepted if post.accepted else chrome.staff if post.apple_staff
             else chrome.header)
    text = Text(end="")
    if new:
        text.append(" NEW ", chrome.new)
        text.append(" ")
    label = {PostKind.QUESTION: "Question", PostKind.ANSWER: f"Reply {number}",
             PostKind.COMMENT: "↳ Comment"}[post.kind]
    text.append(f"{label}  ", style + Style(bold=True))
    text.append(clean(post.author.name), style + Style(bold=True))
    if post.apple_staff:
        text.append("  ")
        text.append(f" Apple · {clean(post.role or 'Staff')} ", chrome.badge)
    elif post.role:
        text.append(f"  {clean(post.role)}", chrome.meta)
    if post.accepted:
        text.append("  ")
        text.append(" ✓ Accepted answer ", chrome.accepted + Style(reverse=True, bold=True))
    if post.apple_recommended:
        text.append("  ")
        text.append(" ★ Apple recommended ", chrome.badge)
    when = Text(style=chrome.meta, end="")
    if post.created_at:
        when.append(f"{relative_time(post.created_at, now)} · "
                    f"{post.created_at:%Y-%m-%d %H:%M} UTC")
    if post.boosts:
        when.append((" · " if when.plain else "") + plural(post.boosts, "boost"))
    if post.kind is PostKind.COMMENT and when.plain:
        text.append("  ·  ")
        text.append_text(when)
        return _wrap(text, width, console)
    return _wrap(text, width, console) + (_wrap(when, width, console) if when.plain else [])
