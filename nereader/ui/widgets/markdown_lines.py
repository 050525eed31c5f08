"""Markdown to terminal lines: markdown-it's tree to wrapped Rich text; code kept whole.

Prose is wrapped to the width it is given. Code lines are not: they keep their full length so
the view can scroll each block sideways (or fold them when the reader asks for wrapping). Links
are live only when ``urls.web_url`` allows them; any other link is shown as its text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from rich.box import SQUARE
from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.highlight import highlight
from textual.style import Style as VisualStyle

from nereader.core.urls import web_url
from nereader.ui.widgets.code import (
    NUMBERS_FROM,
    guess_language,
    highlighted_lines,
    label_of,
    language_of,
)

LineKind = Literal["prose", "code", "label", "fold"]
BULLETS = ("• ", "◦ ", "▪ ")
_PARSER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def parse(markdown: str) -> SyntaxTreeNode:
    return SyntaxTreeNode(_PARSER.parse(markdown))


def warm_up() -> None:
    """Load what the first post would (the parser's rules, the lexers): run in a thread."""
    for node in parse("*a* `b`\n\n```swift\nlet a = 1\n```\n").walk():
        if node.type == "fence":
            guess_language("#include <a.h>\nlet a = 1\n{}")
            highlight(node.content, language=language_of(node.info))  # no styles: no app here


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A code block as written (what copying gives), with its language if the post named it."""

    info: str
    code: str


def code_blocks(tree: SyntaxTreeNode) -> list[CodeBlock]:
    """Every code block of a parsed post, nested ones (in quotes, lists) included, in order."""
    return [CodeBlock(node.info.strip(), node.content.removesuffix("\n"))
            for node in tree.walk() if node.type in ("fence", "code_block")]


@dataclass(frozen=True, slots=True)
class Palette:
    """The resolved theme styles a post is drawn with."""

    text: Style
    link: Style
    code_inline: Style
    quote: Style
    heading: Style
    rule: Style
    code: VisualStyle  # the base of highlighted code (its background blends token colours)
    code_label: Style
    code_number: Style


@dataclass(slots=True)
class Line:
    """One line of a post. Prose lines are whole; a code line's ``text`` is the code alone, at
    full length, and its ``prefix`` (quote bars, line number) stays put while the code scrolls."""

    text: Text
    kind: LineKind = "prose"
    prefix: Text = field(default_factory=Text)
    block: int = 0  # the thread-wide number of the code block a code or label line belongs to


@dataclass(slots=True)
class Target:
    """What rendering needs besides the text: where it goes and what it collects."""

    console: Console
    palette: Palette
    wrap_code: bool
    link_index: Callable[[str], int]  # a safe URL -> its number (for the click action)
    next_block: int = 1  # the number the next code block gets


def render(tree: SyntaxTreeNode, width: int, target: Target) -> list[Line]:
    """A parsed post as lines at most ``width`` cells wide (code lines excepted)."""
    return _blocks(tree.children, max(8, width), target)


def _blank() -> Line:
    return Line(Text(end=""))


def _blocks(nodes: list[SyntaxTreeNode], width: int, target: Target,
            tight: bool = False) -> list[Line]:
    lines: list[Line] = []
    for node in nodes:
        block = _block(node, width, target, tight)
        if block and lines and not tight:
            lines.append(_blank())
        lines += block
    return lines


def _block(node: SyntaxTreeNode, width: int, target: Target, tight: bool) -> list[Line]:
    kind, palette = node.type, target.palette
    if kind == "paragraph":
        return _wrap(_inline(node, target), width, target)
    if kind == "heading":
        text = _inline(node, target)
        text.stylize(palette.heading)
        return _wrap(text, width, target)
    if kind in ("fence", "code_block"):
        return _code(node, width, target)
    if kind == "blockquote":
        bar = Text("▎ ", style=palette.quote, end="")
        return _prefixed(_blocks(node.children, width - 2, target), bar, bar)
    if kind in ("bullet_list", "ordered_list"):
        return _list(node, width, target)
    if kind == "hr":
        return [Line(Text("─" * width, style=palette.rule, end=""))]
    if kind == "table":
        return _table(node, width, target)
    if kind == "html_block":
        return _wrap(Text(node.content.rstrip("\n"), end=""), width, target)
    return _blocks(node.children, width, target, tight)


def _inline(node: SyntaxTreeNode, target: Target) -> Text:
    text = Text(style=target.palette.text, end="")
    for child in node.children:
        _inline_node(child, text, Style(), target)
    return text


def _inline_node(node: SyntaxTreeNode, text: Text, style: Style, target: Target) -> None:
    kind, palette = node.type, target.palette
    if kind in ("text", "html_inline"):
        text.append(node.content, style or None)
    elif kind == "softbreak":
        text.append(" ")
    elif kind == "hardbreak":
        text.append("\n")
    elif kind == "code_inline":
        text.append(node.content, style + palette.code_inline)
    elif kind in ("strong", "em", "s"):
        inner = {"strong": Style(bold=True), "em": Style(italic=True),
                 "s": Style(strike=True)}[kind]
        for child in node.children:
            _inline_node(child, text, style + inner, target)
    elif kind in ("link", "image"):
        href = str(node.attrs.get("href" if kind == "link" else "src") or "")
        url = web_url(href)
        if kind == "image":
            label = node.content or "image"
            text.append(f"[image: {label}]", style + _link(url, target) if url else style)
            return
        linked = style + _link(url, target) if url else style
        for child in node.children:
            _inline_node(child, text, linked, target)
    else:
        for child in node.children:
            _inline_node(child, text, style, target)


def _link(url: str, target: Target) -> Style:
    index = target.link_index(url)
    return target.palette.link + Style(link=url) + Style.from_meta(
        {"@click": f"open_link({index})"})


def _wrap(text: Text, width: int, target: Target) -> list[Line]:
    if not text.plain.strip():
        return []
    return [Line(line) for line in text.wrap(target.console, width, overflow="fold")]


def _prefixed(lines: list[Line], first: Text, rest: Text) -> list[Line]:
    out: list[Line] = []
    for i, line in enumerate(lines):
        lead = first if i == 0 else rest
        if line.kind == "prose":
            out.append(Line(Text.assemble(lead, line.text, end=""), "prose"))
        else:
            out.append(Line(line.text, line.kind, Text.assemble(lead, line.prefix, end=""),
                            line.block))
    return out


def _list(node: SyntaxTreeNode, width: int, target: Target) -> list[Line]:
    ordered = node.type == "ordered_list"
    depth = sum(1 for a in _ancestors(node) if a.type in ("bullet_list", "ordered_list"))
    start = int(node.attrs.get("start", 1) or 1) if ordered else 1
    items = [c for c in node.children if c.type == "list_item"]
    markers = ([f"{start + i}. " for i in range(len(items))] if ordered
               else [BULLETS[min(depth, len(BULLETS) - 1)]] * len(items))
    pad = max((cell_len(m) for m in markers), default=2)
    tight = all(p.hidden for item in items for p in item.children if p.type == "paragraph")
    lines: list[Line] = []
    for marker, item in zip(markers, items, strict=True):
        body = _blocks(item.children, width - pad, target, tight) or [_blank()]
        if lines and not tight:
            lines.append(_blank())
        first = Text(marker.rjust(pad) if ordered else marker.ljust(pad), end="")
        lines += _prefixed(body, first, Text(" " * pad, end=""))
    return lines


def _ancestors(node: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    out = []
    parent = node.parent
    while parent is not None:
        out.append(parent)
        parent = parent.parent
    return out


def _table(node: SyntaxTreeNode, width: int, target: Target) -> list[Line]:
    rows = [tr for tr in node.walk() if tr.type == "tr"]
    if not rows:
        return []
    table = Table(box=SQUARE, show_header=any(c.type == "th" for c in rows[0].children),
                  expand=False, padding=(0, 1), style=target.palette.rule)
    for cell in rows[0].children:
        table.add_column(_inline(cell, target) if cell.type == "th" else "")
    for tr in rows[1:] if table.show_header else rows:
        table.add_row(*(_inline(cell, target) for cell in tr.children))
    options = target.console.options.update(width=width, height=None)
    lines: list[Line] = []
    for segments in target.console.render_lines(table, options, pad=False):
        text = Text(end="")
        for segment in segments:
            text.append(segment.text, segment.style)
        lines.append(Line(text))
    return lines


def _code(node: SyntaxTreeNode, width: int, target: Target) -> list[Line]:
    number = target.next_block
    target.next_block += 1
    code = node.content.removesuffix("\n")
    named = language_of(node.info) if node.type == "fence" else None
    language = named or guess_language(code)
    palette = target.palette
    label = f" code {number}"
    if language:
        label += f" · {label_of(language)}" + ("" if named else " (guessed)")
    lines = [Line(Text(label + " ", style=palette.code_label, end=""), "label", block=number)]
    texts = highlighted_lines(code, language, palette.code)
    numbered = len(texts) >= NUMBERS_FROM
    digits = len(str(len(texts)))
    for n, text in enumerate(texts, 1):
        gutter = Text(f" {n:>{digits}} │ " if numbered else " ", style=palette.code_number,
                      end="")
        if not target.wrap_code:
            lines.append(Line(text, "code", gutter, number))
            continue
        room = max(4, width - gutter.cell_len)
        more = Text(" " * (digits + 2) + "┆ " if numbered else " ", style=palette.code_number,
                    end="")
        for i, piece in enumerate(_fold(text, room)):
            lines.append(Line(piece, "code", gutter if i == 0 else more, number))
    return lines


def _fold(text: Text, width: int) -> list[Text]:
    """Cut a line every ``width`` cells (code keeps its spaces, so no word wrapping)."""
    if text.cell_len <= width:
        return [text]
    cuts: list[int] = []
    cells = 0
    for i, char in enumerate(text.plain):
        size = cell_len(char)
        if cells + size > width:
            cuts.append(i)
            cells = 0
        cells += size
    return list(text.divide(cuts))
