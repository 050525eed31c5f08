"""The thread list: the list session's rows, virtualised (only the visible lines are drawn)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from nereader.core.models import ThreadSummary
from nereader.ui.bindings import bindings_of, help_intro
from nereader.ui.focus import forward_typeahead
from nereader.ui.list_session import ListSession
from nereader.ui.widgets import rows as draw


class ThreadList(ScrollView, can_focus=True):
    """The list session's shown rows, virtualised: it draws only the visible lines, from the
    session's rows and cursor.

    The list's own keys (moves, sorts) go to the session at once, in the key's own handler:
    Textual runs a screen's binding after the key has bubbled up through the queues, so a move
    sent as a message could still be on its way when a key typed after it (``e`` on the row
    moved to, ``v``) acted on the session. Whatever needs the screen (open, bookmark, the next
    page, the status line) is said in a message."""

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

    class Selected(Message):
        """Enter (or a click) on a row: read that thread."""

        def __init__(self, row: ThreadSummary) -> None:
            super().__init__()
            self.row = row

    class BookmarkRequested(Message):
        """b on a row: bookmark it (again: remove the bookmark)."""

        def __init__(self, row: ThreadSummary) -> None:
            super().__init__()
            self.row = row

    class NearEnd(Message):
        """The user moved the cursor close to the last loaded row: time for the next page."""

    class SortChanged(Message):
        """The user sorted the list (s, S, a click on the header): the status line says so."""

    def __init__(self, session: ListSession, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session  # what is drawn: its shown rows, its cursor, its sort
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

    def set_footer(self, text: str) -> None:
        """The line under the rows ("loading page 3 of 11…"), or none."""
        self.footer_text = text
        self._resize_virtual()
        self.refresh()

    # -- what the screen tells it ----------------------------------------------------------------
    def rows_changed(self) -> None:
        """The session's shown rows changed (loaded, filtered, sorted): the cursor in view, every
        visible line drawn again."""
        self._resize_virtual()
        self._scroll_cursor_visible()
        self.refresh()

    def cursor_moved(self, old: int) -> None:
        """The session's cursor moved from ``old``: scroll it into view; if nothing scrolled,
        only the two lines whose look changed are drawn again."""
        top = self.scroll_offset.y
        self._scroll_cursor_visible()
        if self.scroll_offset.y != top:
            self.refresh()
        else:
            self.refresh_line(old + 1)
            self.refresh_line(self.session.cursor + 1)

    # -- rendering -----------------------------------------------------------------------------
    def _resize_virtual(self) -> None:
        """As wide as the visible content, never wider (no horizontal scrollbar), as high as
        the rows (and the line under them)."""
        size = Size(self.scrollable_content_region.width, len(self.session.shown) + 1
                    + (1 if self.footer_text else 0))
        if size != self.virtual_size:
            self.virtual_size = size

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
        session = self.session
        width = self.scrollable_content_region.width
        base, look = self._looks()
        if y == 0:
            style = base + self.get_component_rich_style("thread-list--header")
            return Strip(draw.header(width, style, session.list_sort, session.list_reverse),
                         width)
        position = self.scroll_offset.y + y - 1
        if position >= len(session.shown):
            return self._note_line(position, width, base)
        row = session.row_at(position)
        style = base
        if position == session.cursor:
            style = base + self.get_component_rich_style("thread-list--cursor")
        marks, labels, new, where = session.decor(row)
        return Strip(draw.row(row, width, style, look, marks, labels, new, where),
                     width).crop(0, width)

    def _note_line(self, position: int, width: int, base: Style) -> Strip:
        """Past the rows: the line under them, or what an empty list says."""
        note = self.get_component_rich_style("thread-list--note", partial=True)
        shown = len(self.session.shown)
        text = ""
        if position == shown and self.footer_text:
            text = self.footer_text
        elif not shown and not self.footer_text and (empty := self.session.empty_note):
            # What an empty list says is wrapped, never cut: it names the key to press next.
            lines = textwrap.wrap(empty, max(10, width - 4), break_on_hyphens=False)
            text = lines[position - 1] if 1 <= position <= len(lines) else ""
        if not text:
            return Strip.blank(width, base)
        return Strip([Segment(draw.fit(f"  {text}", width), base + note)], width)

    # -- cursor --------------------------------------------------------------------------------
    def _scroll_cursor_visible(self) -> None:
        cursor = self.session.cursor
        region = Region(0, cursor + 1, max(1, self.size.width), 1)
        self.scroll_to_region(region, animate=False, spacing=None, top=False, immediate=True)
        if cursor == 0:
            self.scroll_to(y=0, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self._resize_virtual()

    def _move(self, by: int = 0, to: int | None = None) -> None:
        """Cursor moves the user makes; only these may load the next page (see
        ``ListSession.move``)."""
        old = self.session.cursor
        near_end = self.session.move(by, to)
        self.cursor_moved(old)
        if near_end:
            self.post_message(self.NearEnd())

    def action_cursor_up(self) -> None:
        self._move(by=-1)

    def action_cursor_down(self) -> None:
        self._move(by=1)

    def action_page_up(self) -> None:
        self._move(by=-max(1, self.size.height - 2))

    def action_page_down(self) -> None:
        self._move(by=max(1, self.size.height - 2))

    def action_first(self) -> None:
        self._move(to=0)

    def action_last(self) -> None:
        self._move(to=-1)

    def action_bookmark(self) -> None:
        if (row := self.session.current) is not None:
            self.post_message(self.BookmarkRequested(row))

    def action_select(self) -> None:
        if (row := self.session.current) is not None:
            self.post_message(self.Selected(row))

    def action_cycle_sort(self) -> None:
        self.session.next_sort()
        self.rows_changed()
        self.post_message(self.SortChanged())

    def action_reverse_sort(self) -> None:
        self.session.reverse_sort()
        self.rows_changed()
        self.post_message(self.SortChanged())

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            self.action_cycle_sort()
            return
        position = self.scroll_offset.y + offset.y - 1
        if 0 <= position < len(self.session.shown):
            self._move(to=position)
            self.action_select()
