"""The list pane: a virtualised thread list that renders only the visible lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from nereader.core.models import ThreadSummary
from nereader.core.query import SORT_FIELDS, haystack
from nereader.core.text import clean

Marker = Callable[[ThreadSummary], str]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int  # 0: takes the remaining width


COLUMNS = (
    Column("marks", "", 5),
    Column("title", "Title", 0),
    Column("replies", "Replies", 8),
    Column("boosts", "Boosts", 7),
    Column("views", "Views", 7),
    Column("activity", "Active", 8),
)
SORT_CYCLE = ("activity", "replies", "boosts", "views", "title")


def default_marks(row: ThreadSummary) -> str:
    """✓ answered, ★ Apple recommended (the screen adds bookmarks and read state)."""
    return ("✓" if row.answered else " ") + ("★" if row.apple_recommended else " ") + "  "


class ThreadList(ScrollView, can_focus=True):
    """Threads as rows; filtering and sorting only change which indices are shown."""

    HELP = """
## Threads

✓ answered · ★ Apple recommended · ⚑ bookmarked · • unread and active since
your last visit (· older) · ↑ new replies since you read it.

`enter` reads a thread; reaching the end loads the next page, `A` loads them
all. `s` sorts the loaded rows by the next column, `S` reverses. `/` filters
(see its help), `f` applies a saved filter, `ctrl+f` searches every cached
thread, `t` switches tag. `b` bookmarks (again: removes), `e` edits its note
and labels, `v` shows the bookmarks, `M` marks all read, `L` opens the offline
library.
"""

    COMPONENT_CLASSES = {
        "thread-list--header",
        "thread-list--cursor",
        "thread-list--answered",
        "thread-list--dim",
        "thread-list--new",
    }
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.pageup"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="list.pagedown"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        Binding("enter", "select", "Open", id="list.open", tooltip="Read the thread"),
        Binding("s", "cycle_sort", "Sort", id="list.sort", tooltip="Sort by the next column"),
        Binding("S", "reverse_sort", "Reverse", show=False, id="list.reverse",
                tooltip="Reverse the sort order"),
        Binding("b", "bookmark", "Bookmark", id="list.bookmark",
                tooltip="Bookmark the thread (again: remove the bookmark)"),
    ]

    class BookmarkRequested(Message):
        def __init__(self, row: ThreadSummary) -> None:
            super().__init__()
            self.row = row

    cursor: reactive[int] = reactive(0, always_update=True)

    class Selected(Message):
        def __init__(self, row: ThreadSummary) -> None:
            super().__init__()
            self.row = row

    class NearEnd(Message):
        """The cursor is close to the last loaded row: time to load the next page."""

    class SortChanged(Message):
        def __init__(self, key: str | None, reverse: bool) -> None:
            super().__init__()
            self.key = key
            self.reverse = reverse

    def __init__(self, *, marks: Marker = default_marks, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[ThreadSummary] = []
        self.view: list[int] = []
        self._hay: list[str] = []
        self._predicate: Callable[[ThreadSummary, str], bool] | None = None
        self._query_sort: list[tuple[str, bool]] = []
        self.sort_key: str | None = None
        self.sort_reverse = True
        self.marks = marks

    # -- data ----------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[ThreadSummary], keep_cursor: bool = True) -> None:
        current = self.current
        self.rows = list(rows)
        self._hay = [haystack(r) for r in self.rows]
        self._rebuild(current if keep_cursor else None)

    def set_filter(self, predicate: Callable[[ThreadSummary, str], bool] | None,
                   sort: list[tuple[str, bool]] | None = None) -> None:
        """Show only rows passing ``predicate(row, haystack)`` (None shows all), in the
        query's own sort order when it has one."""
        self._predicate = predicate
        self._query_sort = sort or []
        self._rebuild(self.current)

    def _rebuild(self, keep: ThreadSummary | None) -> None:
        rows, hay, pred = self.rows, self._hay, self._predicate
        view = [i for i in range(len(rows)) if pred(rows[i], hay[i])] if pred else list(
            range(len(rows)))
        if self._query_sort:
            for field, reverse in reversed(self._query_sort):
                get = SORT_FIELDS[field]
                view.sort(key=lambda i: get(rows[i]), reverse=reverse)  # type: ignore[arg-type,return-value]
        elif self.sort_key is not None:
            key = SORT_FIELDS[self.sort_key]
            view.sort(key=lambda i: key(rows[i]), reverse=self.sort_reverse)  # type: ignore[arg-type,return-value]
        self.view = view
        self.virtual_size = Size(self.size.width, len(view) + 1)
        cursor = 0
        if keep is not None:
            cursor = next((n for n, i in enumerate(view) if self.rows[i].id == keep.id), 0)
        self.cursor = min(cursor, max(0, len(view) - 1))
        self.refresh()

    @property
    def current(self) -> ThreadSummary | None:
        if 0 <= self.cursor < len(self.view):
            return self.rows[self.view[self.cursor]]
        return None

    @property
    def shown(self) -> list[ThreadSummary]:
        return [self.rows[i] for i in self.view]

    # -- rendering -----------------------------------------------------------------------------
    def _widths(self, width: int) -> list[int]:
        """Column widths; a narrow list gives up boosts, then views, before the title."""
        hidden = {"boosts"} if width < 70 else set()
        if width < 58:
            hidden.add("views")
        fixed = sum(c.width for c in COLUMNS if c.key not in hidden)
        return [0 if c.key in hidden else c.width or max(10, width - fixed) for c in COLUMNS]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            return self._header(width, base)
        scroll_y = self.scroll_offset.y
        position = scroll_y + y - 1
        if position >= len(self.view):
            return Strip.blank(width, base)
        row = self.rows[self.view[position]]
        style = base
        if position == self.cursor:
            style = base + self.get_component_rich_style("thread-list--cursor")
        cells = self._cells(row)
        segments = []
        for (text, extra), w in zip(cells, self._widths(width), strict=True):
            if w:
                cell_style = style + extra if extra else style
                segments.append(Segment(set_cell_size(text, w - 1) + " ", cell_style))
        return Strip(segments, width).crop(0, width)

    def _header(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("thread-list--header")
        segments = []
        for column, w in zip(COLUMNS, self._widths(width), strict=True):
            if not w:
                continue
            title = column.title
            if column.key == self.sort_key:
                title += " ▼" if self.sort_reverse else " ▲"
            text = set_cell_size(title, w - 1) if column.key in {"marks", "title"} else (
                title.rjust(w - 1) if cell_len(title) < w else set_cell_size(title, w - 1)
            )
            segments.append(Segment(text + " ", style))
        return Strip(segments, width).crop(0, width)

    def _cells(self, row: ThreadSummary) -> list[tuple[str, Style | None]]:
        answered = self.get_component_rich_style("thread-list--answered")
        dim = self.get_component_rich_style("thread-list--dim")
        new = self.get_component_rich_style("thread-list--new")
        marks = self.marks(row)
        return [
            (marks, answered if row.answered else new if marks[3:4] in {"•", "↑"} else None),
            (clean(row.title), None),
            (str(row.replies).rjust(7), None if row.replies else dim),
            (str(row.boosts).rjust(6), None if row.boosts else dim),
            ((row.views_text or str(row.views)).rjust(6), None),
            (clean(row.activity_text).rjust(7), dim),
        ]

    # -- cursor --------------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_visible()
        self.refresh()

    def _move(self, position: int) -> None:
        """Cursor moves the user makes; only these may load the next page (a refilter that
        leaves the cursor near the end must not fetch pages while someone types)."""
        self.cursor = max(0, min(position, len(self.view) - 1))
        if self.view and self.cursor >= len(self.view) - 3:
            self.post_message(self.NearEnd())

    def _scroll_cursor_visible(self) -> None:
        region = Region(0, self.cursor + 1, max(1, self.size.width), 1)
        self.scroll_to_region(region, animate=False, spacing=None, top=False, immediate=True)
        if self.cursor == 0:
            self.scroll_to(y=0, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.view) + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_page_up(self) -> None:
        self._move(self.cursor - max(1, self.size.height - 2))

    def action_page_down(self) -> None:
        self._move(self.cursor + max(1, self.size.height - 2))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.view) - 1)

    def action_bookmark(self) -> None:
        if self.current is not None:
            self.post_message(self.BookmarkRequested(self.current))

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    def action_cycle_sort(self) -> None:
        if self.sort_key is None:
            self.sort_key = SORT_CYCLE[0]
        else:
            i = SORT_CYCLE.index(self.sort_key)
            self.sort_key = SORT_CYCLE[i + 1] if i + 1 < len(SORT_CYCLE) else None
        self.sort_reverse = self.sort_key != "title"
        self._rebuild(self.current)
        self.post_message(self.SortChanged(self.sort_key, self.sort_reverse))

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        if self.sort_key is None:
            self.sort_key = SORT_CYCLE[0]
        self._rebuild(self.current)
        self.post_message(self.SortChanged(self.sort_key, self.sort_reverse))

    def sort_by(self, key: str | None, reverse: bool = True) -> None:
        self.sort_key, self.sort_reverse = key, reverse
        self._rebuild(self.current)
        self.post_message(self.SortChanged(self.sort_key, self.sort_reverse))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            self.action_cycle_sort()
            return
        position = self.scroll_offset.y + offset.y - 1
        if 0 <= position < len(self.view):
            self._move(position)
            self.action_select()
