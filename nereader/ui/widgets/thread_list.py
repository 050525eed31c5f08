"""The list pane: a virtualised thread list that renders only the visible lines."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from nereader.core.models import ThreadSummary
from nereader.core.query import SORT_FIELDS, haystack
from nereader.ui.bindings import bindings_of, help_intro
from nereader.ui.focus import forward_typeahead
from nereader.ui.widgets import rows as draw
from nereader.ui.widgets.rows import SORT_CYCLE

# What a row carries besides its own fields: marks, the bookmark's labels, new replies.
Decor = Callable[[ThreadSummary], tuple[str, tuple[str, ...], int]]


def default_decor(row: ThreadSummary) -> tuple[str, tuple[str, ...], int]:
    """✓ answered, ★ Apple recommended (the pane adds bookmarks, labels and read state)."""
    return ("✓" if row.answered else " ") + ("★" if row.apple_recommended else " ") + "  ", (), 0


class ThreadList(ScrollView, can_focus=True):
    """Threads as rows; filtering and sorting only change which indices are shown."""

    HELP = help_intro("list")

    COMPONENT_CLASSES = {
        "thread-list--header",
        "thread-list--cursor",
        "thread-list--answered",
        "thread-list--dim",
        "thread-list--new",
        "thread-list--label",
        "thread-list--note",
    }
    BINDINGS = bindings_of("ThreadList")

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

    def __init__(self, *, decor: Decor = default_decor, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[ThreadSummary] = []
        self.view: list[int] = []
        self._hay: list[str] = []
        self._predicate: Callable[[ThreadSummary, str], bool] | None = None
        self._query_sort: list[tuple[str, bool]] = []
        self.sort_key: str | None = None
        self.sort_reverse = True
        self.decor = decor
        self.empty_text = ""  # what an empty list says, with the next useful key
        self.footer_text = ""  # a last line under the rows: "loading page 3…"
        self._row_looks: tuple[Style, draw.RowLook] | None = None

    # Set by the pane: focuses the filter within the key press, so "/kernel" typed at once
    # filters by "kernel" (a binding runs only after the keys typed behind it).
    open_filter: Callable[[], None] | None = None

    def key_slash(self, event: events.Key) -> None:
        if self.open_filter is not None:
            event.stop()
            self.open_filter()

    def on_key(self, event: events.Key) -> None:
        forward_typeahead(self, event)  # keys typed right after "/" belong to the filter

    def marks(self, row: ThreadSummary) -> str:
        return self.decor(row)[0]

    def set_notes(self, empty: str | None = None, footer: str | None = None) -> None:
        """Change what an empty list says, or the line under the rows."""
        if empty is not None:
            self.empty_text = empty
        if footer is not None:
            self.footer_text = footer
        self._resize_virtual()
        self.refresh()

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
        self._resize_virtual()
        cursor = 0
        if keep is not None:
            cursor = next((n for n, i in enumerate(view) if self.rows[i].id == keep.id), 0)
        self.cursor = min(cursor, max(0, len(view) - 1))
        self.refresh()

    def select_id(self, thread_id: int | None) -> None:
        """Put the cursor on a thread, if it is shown."""
        for n, i in enumerate(self.view):
            if self.rows[i].id == thread_id:
                self.cursor = n
                return

    @property
    def current(self) -> ThreadSummary | None:
        if 0 <= self.cursor < len(self.view):
            return self.rows[self.view[self.cursor]]
        return None

    @property
    def shown(self) -> list[ThreadSummary]:
        return [self.rows[i] for i in self.view]

    # -- rendering -----------------------------------------------------------------------------
    def _resize_virtual(self) -> None:
        """As wide as the visible content, never wider (no horizontal scrollbar), as high as
        the rows. Setting ``virtual_size`` lays out the whole screen (every post of a long
        thread beside the list): only do that when the scrollbar comes or goes."""
        size = Size(self.scrollable_content_region.width, len(self.view) + 1
                    + (1 if self.footer_text else 0))
        old = self.virtual_size
        if size == old:
            return
        room = self.size.height
        if size.width != old.width or (size.height > room) != (old.height > room) or not room:
            self.virtual_size = size
            return
        self.set_reactive(ThreadList.virtual_size, size)
        self._scroll_update(size)  # the scrollbar's window, and the scroll kept in range
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._row_looks = None

    def _looks(self) -> tuple[Style, draw.RowLook]:
        """The row style and the partial styles over it, worked out once per style change
        (not per line: a whole-screen paint draws every line)."""
        if self._row_looks is None:
            part = self.get_component_rich_style
            self._row_looks = (self.rich_style, draw.RowLook(
                answered=part("thread-list--answered", partial=True),
                dim=part("thread-list--dim", partial=True),
                new=part("thread-list--new", partial=True),
                label=part("thread-list--label", partial=True)))
        return self._row_looks

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base, look = self._looks()
        if y == 0:
            style = base + self.get_component_rich_style("thread-list--header")
            return Strip(draw.header(width, style, self.sort_key, self.sort_reverse), width)
        position = self.scroll_offset.y + y - 1
        if position >= len(self.view):
            return self._note_line(position, width, base)
        row = self.rows[self.view[position]]
        style = base
        if position == self.cursor:
            style = base + self.get_component_rich_style("thread-list--cursor")
        marks, labels, new = self.decor(row)
        return Strip(draw.row(row, width, style, look, marks, labels, new),
                     width).crop(0, width)

    def _note_line(self, position: int, width: int, base: Style) -> Strip:
        """Past the rows: the line under them, or what an empty list says."""
        note = self.get_component_rich_style("thread-list--note", partial=True)
        text = ""
        if position == len(self.view) and self.footer_text:
            text = self.footer_text
        elif not self.view and self.empty_text and not self.footer_text:
            # What an empty list says is wrapped, never cut: it names the key to press next.
            lines = textwrap.wrap(self.empty_text, max(10, width - 4), break_on_hyphens=False)
            text = lines[position - 1] if 1 <= position <= len(lines) else ""
        if not text:
            return Strip.blank(width, base)
        return Strip([Segment(draw.fit(f"  {text}", width), base + note)], width)

    # -- cursor --------------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_offset.y
        self._scroll_cursor_visible()
        if self.scroll_offset.y != top:
            self.refresh()
        else:  # only the two rows whose look changed
            self.refresh_line(old + 1)
            self.refresh_line(new + 1)

    # Only the cursor row shows the focus: repaint that line, not the whole list (Textual's
    # own handlers repaint all of it, and the terminal redraws half the screen per pane change).
    def _on_focus(self, event: events.Focus) -> None:
        self.has_focus = True
        self.refresh_line(self.cursor + 1)
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def _on_blur(self, event: events.Blur) -> None:
        self.has_focus = False
        self.refresh_line(self.cursor + 1)
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))

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
        self._resize_virtual()

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
