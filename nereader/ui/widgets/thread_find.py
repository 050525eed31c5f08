"""Find in a thread, as in less and vim: matches highlighted, Enter jumps, ``n``/``N`` move;
a match in folded comments unfolds them."""

from __future__ import annotations

from typing import Protocol

from rich.cells import cell_len
from textual.message import Message

from nereader.ui.widgets.thread_doc import Match, ThreadDoc


class FindStatus(Message):
    """Where a find stands, for the find bar: matches, the current one, whether n/N are its."""

    def __init__(self, query: str, count: int, index: int, active: bool) -> None:
        super().__init__()
        self.query = query
        self.count = count
        self.index = index
        self.active = active


class Reader(Protocol):
    """What finding needs of the reader it finds in (``ThreadView``)."""

    doc: ThreadDoc | None
    current: int
    wrap_code: bool

    @property
    def scroll_y(self) -> float: ...

    def scroll_to_line(self, y: int, index: int | None = None, top: bool = False) -> None: ...

    def reveal(self, item: int) -> None: ...

    def block_window(self, number: int) -> tuple[int, int]: ...

    def scroll_block(self, number: int, delta: int | None = None,
                     to: int | None = None) -> bool: ...

    def changed(self) -> None: ...

    def refresh_bindings(self) -> None: ...

    def post_message(self, message: Message) -> bool: ...

    def notify(self, message: str, *, timeout: float | None = None) -> None: ...


class ThreadFind:
    """The find state of one reader: the query, its matches, the current match, and the line
    the reader was at when the find began (matches count "below" from there)."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.query = ""
        self.matches: list[Match] = []
        self.index = -1
        self.active = False  # n/N move between matches (after Enter) until esc
        self.origin = 0  # the top line and the current post when the find began
        self.origin_post = 0
        self.marks: dict[tuple[int, int], list[tuple[int, int, bool]]] = {}

    def begin(self) -> None:
        """The find bar opened: matches below count from the top of the view."""
        self.origin = round(self.reader.scroll_y)
        self.origin_post = self.reader.current

    def preview(self, query: str) -> None:
        """As the reader types: highlight every match, show the first one below."""
        doc = self.reader.doc
        self.query = query
        self.matches = doc.find(query) if doc is not None else []
        self.index = self._first_below(self.origin)
        self._mark()
        if self.matches:
            self._show(preview=True)
        elif self.reader.doc is not None:
            self.reader.scroll_to_line(self.origin)
        self._status()

    def commit(self) -> None:
        """Enter: jump to the first match below, and let n/N move between matches."""
        if not self.matches:
            self.end(restore=False)
            return
        self.active = True
        self._show()
        self._status()
        self.reader.refresh_bindings()

    def step(self, delta: int) -> None:
        if not self.matches:
            return
        wrapped = not 0 <= self.index + delta < len(self.matches)
        self.index = (self.index + delta) % len(self.matches)
        self._mark()
        self._show()
        self._status()
        if wrapped:
            self.reader.notify("Search hit BOTTOM, continued at TOP" if delta > 0 else
                               "Search hit TOP, continued at BOTTOM", timeout=2)

    def end(self, restore: bool) -> None:
        """esc: no more highlights, n/p are post navigation again; ``restore`` goes back to
        where the find began (esc while typing)."""
        active, was = self.active, self.active or bool(self.query)
        self.query, self.matches, self.index, self.active, self.marks = "", [], -1, False, {}
        if not was:
            return
        if self.reader.doc is not None:
            self.reader.doc.find("")
            if restore:
                self.reader.scroll_to_line(self.origin, self.origin_post + 1, top=True)
        self.reader.changed()
        if active:  # the footer redraws its keys: only when n/N change hands
            self.reader.refresh_bindings()
        self._status()  # the find bar closes

    def refresh_matches(self) -> None:
        """The thread was laid out again (width, wrapping): find the same text again."""
        if self.query and self.reader.doc is not None:
            current = self.matches[self.index] if 0 <= self.index < len(self.matches) else None
            self.matches = self.reader.doc.find(self.query)
            self.index = self._first_below(0) if current is None else next(
                (i for i, m in enumerate(self.matches) if m.item >= current.item), 0)
            self._mark()

    # -- helpers ---------------------------------------------------------------------------------
    def _y(self, match: Match) -> int:
        doc = self.reader.doc
        assert doc is not None
        return doc.starts[match.item] + match.line

    def _first_below(self, y: int) -> int:
        if not self.matches:
            return -1
        return next((i for i, m in enumerate(self.matches) if self._y(m) >= y), 0)

    def _mark(self) -> None:
        self.marks = {}
        for i, m in enumerate(self.matches):
            self.marks.setdefault((m.item, m.line), []).append((m.start, m.end, i == self.index))
        self.reader.changed()

    def _show(self, preview: bool = False) -> None:
        """Bring the current match into view: its line, and (in a code block that scrolls
        sideways) its columns; its post becomes the current one, unless only previewed."""
        reader, doc = self.reader, self.reader.doc
        if doc is None or not 0 <= self.index < len(self.matches):
            return
        match = self.matches[self.index]
        reader.reveal(match.item)  # a match in folded comments unfolds them
        if preview:  # each keystroke looks from where the find began
            reader.scroll_to_line(self.origin, top=True)
        reader.scroll_to_line(self._y(match), None if preview else match.item)
        line = doc.line(match.item, match.line)
        if line is not None and line.kind == "code" and not reader.wrap_code:
            start = cell_len(line.text.plain[:match.start])
            end = start + cell_len(line.text.plain[match.start:match.end])
            first, space = reader.block_window(line.block)
            if start < first or end > first + space:
                reader.scroll_block(line.block, to=max(0, start - space // 3))

    def _status(self) -> None:
        self.reader.post_message(FindStatus(self.query, len(self.matches), self.index,
                                            self.active))
