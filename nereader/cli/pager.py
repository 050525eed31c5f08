"""`nereader show` on a terminal: the thread rendered as the app shows it (Rich Markdown,
highlighted code, Apple staff and accepted-answer marks) and handed to ``$PAGER``, as gh does.
Rich loads on this path only: piped, ``show`` prints Markdown and imports nothing of it."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from nereader.core.models import Post, PostKind, Thread
from nereader.core.text import clean, plural, squash

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

DEFAULT_PAGER = "less -R"
COMMENT_INDENT = 4


def render(thread: Thread, width: int, color: bool = True) -> str:
    """The thread as terminal text ``width`` columns wide (ANSI styles unless ``color`` is
    False): title, tags and counts, then each post under its header line."""
    import io

    from rich.console import Console

    console = Console(file=io.StringIO(), width=max(40, width), force_terminal=color,
                      highlight=False, emoji=False, markup=False, legacy_windows=False)
    _title(console, thread)
    number = 0
    for post in thread.posts:
        if post.kind is PostKind.ANSWER:
            number += 1
        _post(console, thread, post, number)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def _title(console: Console, thread: Thread) -> None:
    from rich.rule import Rule
    from rich.text import Text

    console.print(Text(squash(thread.title) or "(untitled)", style="bold"))
    counts = thread.stats.counts()
    meta = " · ".join(filter(None, [", ".join(squash(t.name) for t in thread.tags),
                                    " · ".join(counts)]))
    if meta:
        console.print(Text(meta, style="dim"))
    console.print(Text(thread.url, style="dim underline"))
    if thread.locked:
        console.print(Text("🔒 This thread has been locked by a moderator.", style="yellow"))
    if thread.degraded:
        console.print(Text(f" {squash(thread.notice or 'the page was read as text')} ",
                           style="bold reverse yellow"))
    console.print(Rule(style="dim"))


def _post(console: Console, thread: Thread, post: Post, number: int) -> None:
    from rich.markdown import Markdown
    from rich.padding import Padding
    from rich.text import Text

    indent = COMMENT_INDENT if post.kind is PostKind.COMMENT else 0
    console.print()
    if not thread.degraded:  # its one post is the page's text: no author, no date
        console.print(Padding(_header(post, number), (0, 0, 0, indent)))
    body = Markdown(clean(post.body_markdown) or "*(empty post)*", code_theme="monokai",
                    hyperlinks=False)
    console.print(Padding(body, (0, 0, 0, indent + 2)))
    for n, image in enumerate(post.images, 1):
        alt = f": {squash(image.alt)}" if image.alt.strip() else ""
        console.print(Padding(Text(f"▣ Image {n}{alt} · {image.url}", style="dim"),
                              (0, 0, 0, indent + 2)))


def _header(post: Post, number: int) -> Text:
    """Who wrote the post and what the forum says of it, marked as the app marks it."""
    from rich.text import Text

    style = ("bold green" if post.accepted else "bold blue" if post.apple_staff else "bold")
    label = {PostKind.QUESTION: "Question", PostKind.ANSWER: f"Reply {number}",
             PostKind.COMMENT: "↳ Comment"}[post.kind]
    text = Text(f"{label}  {squash(post.author.name)}", style=style)
    if post.apple_staff:
        text.append("  ")
        text.append(f" Apple · {squash(post.role or 'Staff')} ", "reverse blue")
    elif post.role:
        text.append(f"  {squash(post.role)}", "dim")
    if post.accepted:
        text.append("  ")
        text.append(" ✓ Accepted answer ", "bold reverse green")
    if post.apple_recommended:
        text.append("  ")
        text.append(" ★ Apple recommended ", "reverse blue")
    if post.created_at is not None:
        text.append(f"  · {post.created_at:%Y-%m-%d %H:%M} UTC", "dim")
    if post.boosts:
        text.append(f" · {plural(post.boosts, 'boost')}", "dim")
    return text


def pager_command(environ: Mapping[str, str] = os.environ) -> list[str] | None:
    """``$PAGER`` as a command (``less -R`` when unset); None when it is set empty or to
    ``cat``: the text is then written as it is."""
    spec = environ.get("PAGER")
    if spec is None:
        spec = DEFAULT_PAGER
    try:
        argv = shlex.split(spec)
    except ValueError:
        return None
    if not argv or Path(argv[0]).name == "cat":
        return None
    return argv


def page(text: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """Show ``text`` through the pager, or write it out when there is none; returns why it
    was written out instead (the pager could not run), else None."""
    argv = pager_command(environ)
    if argv is None:
        _write(text)
        return None
    env = dict(environ)
    env.setdefault("LESS", "FRX")  # as gh and git: one screen's worth is printed, not paged
    env.setdefault("LV", "-c")
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env)
    except OSError as exc:
        _write(text)
        return f"could not run the pager {argv[0]!r} ({exc.strerror or exc}); set $PAGER"
    # ctrl+c belongs to the pager (less stops a search with it), not to nereader.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # the reader quit before the end
            proc.stdin.write(text.encode(sys.stdout.encoding or "utf-8", "replace"))
            proc.stdin.close()
        proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    return None


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def show(thread: Thread) -> str | None:
    """``show`` on a terminal: the thread rendered at the terminal's width, paged."""
    width = shutil.get_terminal_size((100, 40)).columns
    return page(render(thread, width))  # Rich honours NO_COLOR
