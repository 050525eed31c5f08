"""Painting one screen line of a thread: the post's bar, the line, find matches, code crops."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from nereader.ui.widgets.markdown_lines import Line
from nereader.ui.widgets.thread_doc import COMMENT_INDENT, Item, ThreadDoc


@dataclass(frozen=True, slots=True)
class Brushes:
    """The resolved theme styles the painter uses."""

    base: Style
    bar: Style
    bar_current: Style
    bar_staff: Style
    bar_accepted: Style
    bar_new: Style
    code: Style
    clip: Style
    hint: Style
    match: Style
    match_current: Style


@dataclass(slots=True)
class View:
    """The view's state that painting depends on."""

    width: int
    current_item: int
    # code block -> (cells of its line-number column, cells of its widest line)
    block_info: Callable[[int], tuple[int, int]]
    offsets: dict[int, int] = field(default_factory=dict)  # code block -> first column shown
    # (item, line) -> find matches on it: (start, end, is the current match)
    marks: dict[tuple[int, int], list[tuple[int, int, bool]]] = field(default_factory=dict)


class Painter:
    def __init__(self, console: Console, brushes: Brushes) -> None:
        self.console = console
        self.brushes = brushes

    def strip(self, text: Text) -> Strip:
        """A text's segments with its own style under them (``Text.render`` drops it when the
        text has no spans)."""
        base = text.style if isinstance(text.style, Style) else self.console.get_style(text.style)
        return Strip(Segment.apply_style(text.render(self.console), base), text.cell_len)

    def bar_style(self, doc: ThreadDoc, index: int, view: View) -> Style:
        item, b = doc.items[index], self.brushes
        post = item.post
        if index == view.current_item:
            return b.bar_current
        if item.new:
            return b.bar_new
        if post is not None and post.accepted:
            return b.bar_accepted
        if post is not None and post.apple_staff:
            return b.bar_staff
        return b.bar

    def gutter(self, doc: ThreadDoc, index: int, n: int, view: View) -> list[Segment]:
        """The bar left of a post; a comment also carries its reply's bar, so it is seen to
        belong to it, and the gap above a reply is left bare."""
        item: Item = doc.items[index]
        if item.post is None:
            return []
        own = Segment("▌ ", self.bar_style(doc, index, view))
        if item.parent is None:
            return [Segment("  ")] if n == 0 else [own]
        outer = Segment("▌ ", self.bar_style(doc, item.parent, view))
        if n == 0:
            return [outer, Segment(" " * (COMMENT_INDENT + 2))]
        return [outer, Segment(" " * COMMENT_INDENT), own]

    def _marked(self, text: Text, marks: list[tuple[int, int, bool]]) -> Text:
        if not marks:
            return text
        text = text.copy()
        for start, end, current in marks:
            text.stylize(self.brushes.match_current if current else self.brushes.match,
                         start, end)
        return text

    def paint(self, doc: ThreadDoc, index: int, n: int, line: Line, view: View) -> Strip:
        segments = self.gutter(doc, index, n, view)
        used = sum(s.cell_length for s in segments)
        room = max(0, view.width - used)
        marks = view.marks.get((index, n), [])
        if line.kind in ("prose", "fold"):
            body = self.strip(self._marked(line.text, marks))
        elif line.kind == "label":
            body = self._label(line, room, view)
        else:
            body = self._code(line, room, view, marks)
        strip = Strip(segments + list(body), used + body.cell_length)
        return strip.adjust_cell_length(view.width).apply_style(self.brushes.base)

    def _label(self, line: Line, room: int, view: View) -> Strip:
        """"code N · language", and where the reader is when the block is wider than the pane."""
        parts = [*self.strip(line.prefix), *self.strip(line.text)]
        prefix_cells, widest = view.block_info(line.block)
        space = room - prefix_cells
        if widest > space > 0:
            first = view.offsets.get(line.block, 0)
            parts.append(Segment(f"  columns {first + 1}–{min(widest, first + space)} of "
                                 f"{widest} · ←/→ ", self.brushes.hint))
        return Strip(parts).crop(0, room)

    def _code(self, line: Line, room: int, view: View,
              marks: list[tuple[int, int, bool]]) -> Strip:
        b = self.brushes
        prefix = self.strip(line.prefix)
        space = max(1, room - prefix.cell_length)
        code = self.strip(self._marked(line.text, marks))
        first = view.offsets.get(line.block, 0)
        shown = code.crop(first, first + space).extend_cell_length(space, b.code)
        if code.cell_length > first + space:  # more to the right
            shown = Strip([*shown.crop(0, space - 1), Segment("›", b.clip)], space)
        if first > 0 and code.cell_length > first:  # more to the left
            shown = Strip([Segment("‹", b.clip), *shown.crop(1, space)], space)
        return Strip([*prefix, *shown], prefix.cell_length + space)

