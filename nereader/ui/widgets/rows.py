"""How a thread row is drawn: column widths, cells and their styles, cutting with an ellipsis."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style

from nereader.core.models import ThreadSummary
from nereader.core.text import clean

ELLIPSIS = "…"
WHERE_FROM = 48  # a title cell narrower than this leaves out the thread's listing (80 columns)
UNKNOWN = "?"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int  # 0: takes the remaining width


COLUMNS = (
    Column("marks", "", 5),
    Column("title", "Title", 0),
    Column("replies", "Replies", 8),
    Column("boosts", "Boosts", 8),  # a cell more than its title: the arrow after Replies
    Column("views", "Views", 7),
    Column("activity", "Active", 8),
)


@dataclass(frozen=True, slots=True)
class RowLook:
    """The partial styles laid over a row's own style (so a cursor row keeps its background)."""

    answered: Style
    dim: Style
    new: Style
    label: Style


def fit(text: str, width: int) -> str:
    """Exactly ``width`` cells: padded, or cut with an ellipsis where it does not fit."""
    if width <= 0:
        return ""
    size = cell_len(text)
    if size <= width:
        return text + " " * (width - size)
    return set_cell_size(text, width - 1) + ELLIPSIS


def widths(width: int) -> list[int]:
    """Column widths; a narrow list gives up boosts, then views, before the title."""
    hidden = {"boosts"} if width < 70 else set()
    if width < 58:
        hidden.add("views")
    fixed = sum(c.width for c in COLUMNS if c.key not in hidden)
    return [0 if c.key in hidden else c.width or max(10, width - fixed) for c in COLUMNS]


def header(width: int, style: Style, sort_key: str | None, reverse: bool) -> list[Segment]:
    """The column titles, exactly ``width`` cells, each over its own column whatever the
    sort: a count's title ends where its numbers end, and the sorted column's arrow takes
    the blank cell after them ("Replies▼ Boosts"), so no title moves when the sort does
    (the title column's reads "Title ▼"). A column the list's edge cuts has no title; where
    its numbers fit but not the cell after them, the arrow stands in for its title."""
    arrow = "▼" if reverse else "▲"
    line = [" "] * width

    def put(start: int, text: str) -> None:
        line[start:start + cell_len(text)] = list(text)

    at = 0
    for column, w in zip(COLUMNS, widths(width), strict=True):
        start, at = at, at + w
        if not w or not column.title:
            continue
        title, sorted_ = column.title, column.key == sort_key
        if column.key == "title":
            for text in ([f"{title} {arrow}", arrow] if sorted_ else [title]):
                if cell_len(text) <= min(w - 1, width - start):
                    put(start, text)
                    break
            continue
        blank = start + w - 1  # the cell after the numbers (they end on the one before)
        if blank > width:
            continue
        if not sorted_:
            put(blank - cell_len(title), title)
        elif blank < width:
            put(blank - cell_len(title), title)
            put(blank, arrow)
        else:
            put(blank - 1, arrow)
    return [Segment("".join(line), style)]


def row(item: ThreadSummary, width: int, style: Style, look: RowLook, marks: str,
        labels: tuple[str, ...] = (), new_replies: int = 0, where: str = "") -> list[Segment]:
    """One row's segments, exactly ``width`` cells, every cell on the row's own background;
    ``where``: the listing the thread is in (the inbox), dim after its title."""
    segments: list[Segment] = []
    for column, w in zip(COLUMNS, widths(width), strict=True):
        if not w:
            continue
        key = column.key
        if key == "marks":
            fresh = marks[3:4] in {"•", "↑"}
            extra = look.answered if item.answered else look.new if fresh else None
            segments.append(Segment(fit(marks, w), style + extra if extra else style))
        elif key == "title":
            segments += _title(clean(item.title), labels, w, style, look, clean(where))
        elif key == "replies":
            replies = count_text(item.replies)
            if new_replies:  # "+3 12": three of the twelve replies arrived since it was read
                plus = f"+{new_replies} "
                segments.append(Segment(" " * max(0, w - 1 - len(plus) - len(replies)) + plus,
                                        style + look.new))
                segments.append(Segment(replies + " ", style))
            else:
                segments.append(Segment(replies.rjust(w - 1) + " ",
                                        style if item.replies else style + look.dim))
        elif key == "boosts":
            segments.append(Segment(count_text(item.boosts).rjust(w - 1) + " ",
                                    style if item.boosts else style + look.dim))
        elif key == "views":
            views = clean(item.views_text) or count_text(item.views)
            segments.append(Segment(_right(views, w - 1) + " ",
                                    style if item.views is not None else style + look.dim))
        else:
            segments.append(Segment(_right(clean(item.activity_text), w - 1) + " ",
                                    style + look.dim))
    return segments


def count_text(value: int | None) -> str:
    """A count as drawn: one the row does not have (read from a feed) is a dim "?", never 0."""
    return UNKNOWN if value is None else str(value)


def _right(text: str, width: int) -> str:
    return text.rjust(width) if cell_len(text) <= width else fit(text, width)


def _title(title: str, labels: tuple[str, ...], width: int, style: Style,
           look: RowLook, where: str = "") -> list[Segment]:
    """The title, then the bookmark's labels (each ``#label``) and, at the end of the cell,
    dim, the listing the thread is in; the title gives way first, but never below two
    thirds of the cell."""
    room = width - 1
    tags = " ".join(f"#{clean(label)}" for label in labels)
    if room < WHERE_FROM:  # a narrow list (a thread beside it) keeps its room for the title
        where = ""
    if not tags and not where:
        return [Segment(fit(title, room) + " ", style)]
    tail = cell_len(tags) + cell_len(where) + (1 if tags and where else 0)
    if cell_len(title) + 1 + tail <= room:
        tail_room = room - cell_len(title) - 1
    else:
        tail_room = min(tail, max(4, room // 3))
    where_room = min(cell_len(where), tail_room)
    tags_room = min(cell_len(tags), max(0, tail_room - where_room - (1 if where else 0)))
    gap = tail_room - tags_room - where_room
    out = [Segment(fit(title, room - tail_room - 1) + " ", style)]
    if tags_room:
        out.append(Segment(fit(tags, tags_room), style + look.label))
    out.append(Segment(" " * gap, style))
    if where_room:
        out.append(Segment(fit(where, where_room), style + look.dim))
    return [*out, Segment(" ", style)]
