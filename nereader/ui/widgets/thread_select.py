"""Selecting text in the thread with the mouse: what is selected is what is seen, without the
bars left of the posts."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.selection import Selection
from textual.strip import Strip

from nereader.ui.widgets.thread_doc import ThreadDoc


def highlight(strip: Strip, span: tuple[int, int], style: Style) -> Strip:
    """``strip`` with the characters ``span`` covers (end -1: to the end) drawn selected."""
    text = strip.text
    start, end = span
    end = len(text) if end == -1 else min(end, len(text))
    if start >= end:
        return strip
    cells = [0]
    for char in text:
        cells.append(cells[-1] + cell_len(char))
    before, middle, after = (strip.crop(0, cells[start]), strip.crop(cells[start], cells[end]),
                             strip.crop(cells[end]))
    chosen = Strip(Segment.apply_style(list(middle), post_style=style), middle.cell_length)
    return Strip.join([before, chosen, after])


def selected_text(doc: ThreadDoc, selection: Selection, painted: Callable[[int], Strip]) -> str:
    """The text of the lines a selection spans, as painted, less each post's bars."""
    doc.render_all()
    first = selection.start.y if selection.start is not None else 0
    last = selection.end.y if selection.end is not None else doc.height - 1
    out: list[str] = []
    for y in range(max(0, first), min(last, doc.height - 1) + 1):
        span = selection.get_span(y)
        if span is None:
            continue
        text = painted(y).text.rstrip()
        start, end = span
        piece = text[start:] if end == -1 else text[start:end]
        indent = doc.indent(doc.locate(y)[0])
        out.append(piece[max(0, indent - start):].rstrip())
    return "\n".join(out)
