"""The lines around post bodies: the thread's title block, each post's header, the images
listed under a post, and the line that stands for folded comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text

from nereader.core.models import Bookmark, Post, PostImage, PostKind, Thread
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
    banner: Style  # what the reader must know first (a page read as text)
    image: Style  # an image listed under its post (a click opens it)


@dataclass(frozen=True, slots=True)
class News:
    """How many posts are new since the thread was last read, and when that was."""

    count: int
    since: datetime | None
    now: datetime


def _wrap(text: Text, width: int, console: Console) -> list[Line]:
    return [Line(line) for line in text.wrap(console, max(8, width), overflow="fold")]


def _flow(pieces: list[tuple[str, str, Style]], width: int,
          console: Console) -> list[Line]:
    """Pieces (each after its separator, in its style) laid out in lines of ``width``, broken
    only between pieces: a count stays with its word ("85 replies"), a tag's name whole; the
    separator ending a line keeps its mark (" ·"). A piece wider than a line folds."""
    width = max(8, width)
    lines: list[Text] = []
    line = Text(end="")
    for sep, piece, style in pieces:
        if not line.plain:
            line.append(piece, style)
        elif line.cell_len + cell_len(sep) + cell_len(piece) <= width:
            line.append(sep + piece, style)  # one span: the separator is in the piece's style
        else:
            mark = sep.rstrip()
            if line.cell_len + cell_len(mark) <= width:
                line.append(mark, style)
            lines.append(line)
            line = Text(piece, style=style, end="")
    if line.plain:
        lines.append(line)
    return [wrapped for line in lines for wrapped in _wrap(line, width, console)]


TEXT_ONLY = ("⚠ The page's post structure was not recognised: its text is shown as one "
             "post, without authors, dates or replies. o opens it in the browser "
             "(`nereader doctor` says what changed).")


def title_lines(thread: Thread, bookmark: Bookmark | None, width: int, console: Console,
                chrome: Chrome, news: News | None = None,
                text_only: str = TEXT_ONLY) -> list[Line]:
    """Title, the bookmark (mark, note, #labels), tags and counts, a lock, what is new since
    the last reading, and a rule; a page read as text says so first (``text_only``, its
    command with the app's flags)."""
    lines: list[Line] = []
    if thread.degraded:
        lines += banner_lines(text_only, width, console, chrome)
        lines.append(Line(Text(end="")))
    lines += _wrap(Text(clean(thread.title), style=chrome.title, end=""), width, console)
    if bookmark is not None:
        mark = Text("⚑ Bookmarked", style=chrome.mark, end="")
        if bookmark.labels:
            mark.append("  " + " ".join(f"#{clean(label)}" for label in bookmark.labels),
                        chrome.label)
        if bookmark.note:
            mark.append("  " + " ".join(clean(bookmark.note).split()), chrome.meta)
        lines += _wrap(mark, width, console)
    counts = thread.stats.counts()  # views as the site rounded them ("8.4k"), as the list
    if thread.total_pages > 1:
        counts.append(f"{thread.total_pages} reply pages")
    italic = Style(italic=True)
    meta = [(", ", clean(t.name), italic) for t in thread.tags]
    meta += [("  ·  " if n == 0 else " · ", count, chrome.meta) for n, count in enumerate(counts)]
    lines += _flow(meta, width, console)
    if thread.locked:
        lines += _wrap(Text("🔒 This thread has been locked by a moderator.", style=chrome.locked,
                            end=""), width, console)
    if news is not None and news.count:
        text = Text(end="")
        text.append(f" {news.count} new ", chrome.new)
        if news.since is not None:
            text.append(f" since {day_text(news.since, news.now)}", chrome.meta)
        text.append(" · U jumps to the next", chrome.meta)
        lines += _wrap(text, width, console)
    lines.append(Line(Text("─" * width, style=chrome.rule, end="")))
    return lines


def banner_lines(message: str, width: int, console: Console, chrome: Chrome) -> list[Line]:
    """A message the reader must see first, as a solid block the width of the view."""
    lines = []
    for line in Text(message, end="").wrap(console, max(8, width - 2), overflow="fold"):
        text = Text(" ", style=chrome.banner, end="")
        text.append_text(line)
        text.append(" " * max(0, width - 1 - text.cell_len))
        lines.append(Line(text))
    return lines


def day_text(when: datetime, now: datetime) -> str:
    """A day as people say it: "14:02 UTC" today, "Dec 2" this year, "Dec 2, 2025" before."""
    if when.date() == now.date():
        return f"{when:%H:%M} UTC"
    day = f"{when:%b} {when.day}"
    return day if when.year == now.year else f"{day}, {when.year}"


def fold_line(count: int, new: int, index: int, chrome: Chrome) -> Line:
    """What stands under a reply for its folded comments: "▸ 2 comments" (a click unfolds)."""
    click = Style.from_meta({"@click": f"fold_at({index})"})
    text = Text(" " * 2, end="")
    text.append(f"▸ {plural(count, 'comment')}", chrome.meta + click)
    if new:
        text.append("  ")
        text.append(f" {new} new ", chrome.new + click)
    return Line(text, "fold")


def image_lines(post: Post, item: int, width: int, console: Console,
                chrome: Chrome) -> list[Line]:
    """The post's images under it, one a line: number, alt text and size (a click opens;
    ``item`` is the post's place in the thread, which the click names)."""
    if not post.images:
        return []
    lines = [Line(Text(end=""))]
    for number, image in enumerate(post.images, 1):
        click = Style.from_meta({"@click": f"images({item},{number - 1})"})
        text = Text("▣ ", style=chrome.meta, end="")
        text.append(image_label(image, number, len(post.images)), chrome.image + click)
        lines += _wrap(text, width, console)
    return lines


def image_label(image: PostImage, number: int, count: int, size: bool = True) -> str:
    """"Image 2 of 3: a diagram · 640×480" (the alt text, and the size when the page gives
    it and ``size`` asks for it)."""
    label = f"Image {number} of {count}" if count > 1 else "Image"
    alt = " ".join(clean(image.alt).split())
    if alt:
        label += f": {alt}"
    if size and image.width and image.height:
        label += f" · {image.width}×{image.height}"
    return label


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
