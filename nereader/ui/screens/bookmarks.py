"""The main screen's bookmark, read-state and library actions (a mixin, to keep it short)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from nereader.core.errors import NereaderError
from nereader.core.models import ThreadSummary
from nereader.core.query import Context
from nereader.core.service import ForumService
from nereader.ui.widgets.thread_list import ThreadList
from nereader.ui.widgets.thread_view import ThreadView

if TYPE_CHECKING:
    from textual.screen import Screen

    _Base = Screen[None]
else:
    _Base = object


class BookmarkActions(_Base):
    """Bookmark toggling and notes, the bookmarks view, mark-all-read and the library.

    Handlers use Textual's naming convention (``on_<widget>_<message>``), which works from a
    mixin; the screen provides ``service``, ``context``, ``rows`` and the loading helpers.
    """

    service: ForumService
    context: Context
    rows: list[ThreadSummary]
    listing: Any
    pages_loaded: int
    showing_bookmarks: bool
    last_visit: datetime | None

    if TYPE_CHECKING:  # provided by MainScreen
        async def refresh_context(self) -> None: ...
        def load_first(self, refresh: bool = False) -> None: ...
        def open_thread(self, thread_id: int, focus_post: int | None = None,
                        refresh: bool = False) -> None: ...
        def update_status(self) -> None: ...
        def _count(self) -> None: ...

    def row_marks(self, row: ThreadSummary) -> str:
        # From the context (loaded in a worker): rendering never touches the disk.
        if self.context.new(row):
            fresh = "↑"
        elif self.context.unread(row):
            recent = (self.last_visit is None or row.activity_at is None
                      or row.activity_at > self.last_visit)
            fresh = "•" if recent else "·"
        else:
            fresh = " "
        return (("✓" if row.answered else " ") + ("★" if row.apple_recommended else " ")
                + ("⚑" if row.id in self.context.bookmarked else " ") + fresh)

    def on_thread_list_bookmark_requested(self, event: ThreadList.BookmarkRequested) -> None:
        self.run_worker(self._toggle_bookmark(event.row.id, event.row), group="bookmark")

    def on_thread_view_bookmark_requested(self, event: ThreadView.BookmarkRequested) -> None:
        self.run_worker(self._toggle_bookmark(event.thread_id, None), group="bookmark")

    async def _toggle_bookmark(self, thread_id: int, row: ThreadSummary | None) -> None:
        try:
            if thread_id in self.context.bookmarked:
                await self.service.unbookmark(thread_id)
                self.notify("Bookmark removed.")
            else:
                mark, warning = await self.service.bookmark(thread_id, row=row)
                if warning:
                    self.notify(warning, title="Bookmarked", severity="warning", markup=False)
                else:
                    self.notify(f"Bookmarked, and kept for offline reading: {mark.title}",
                                markup=False)
        except NereaderError as exc:
            self.notify(str(exc), severity="error", markup=False)
        await self.refresh_context()
        self.query_one(ThreadList).refresh()
        if self.showing_bookmarks:
            await self._load_bookmarks()

    def action_edit_bookmark(self) -> None:
        view = self.query_one(ThreadView)
        current = self.query_one(ThreadList).current
        thread_id = (view.thread.id if view.has_focus and view.thread else
                     current.id if current else None)
        if thread_id is not None:
            self.run_worker(self._edit_note(thread_id), group="bookmark")

    async def _edit_note(self, thread_id: int) -> None:
        from nereader.ui.screens.dialogs import NamePrompt

        try:
            mark = await self.service.get_bookmark(thread_id)
        except NereaderError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        labels = mark.labels if mark else ()
        initial = " ".join(filter(None, [mark.note if mark else "",
                                         *(f"#{label}" for label in labels)]))

        def done(text: str | None) -> None:
            if text is not None:
                self.run_worker(self._save_note(thread_id, text), group="bookmark")

        self.app.push_screen(NamePrompt("Note and #labels for the bookmark:", initial,
                                        value=initial), done)

    async def _save_note(self, thread_id: int, text: str) -> None:
        labels = tuple(w[1:] for w in text.split() if w.startswith("#") and len(w) > 1)
        note = " ".join(w for w in text.split() if not w.startswith("#"))
        try:
            _, warning = await self.service.set_bookmark_note(thread_id, note, labels)
        except NereaderError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(warning or f"Saved: {note or '(no note)'} "
                    f"{' '.join('#' + x for x in labels)}", markup=False)
        await self.refresh_context()
        self.query_one(ThreadList).refresh()
        if self.showing_bookmarks:
            await self._load_bookmarks()

    def action_toggle_bookmarks(self) -> None:
        self.showing_bookmarks = not self.showing_bookmarks
        self.query_one(ThreadList).set_rows([], keep_cursor=False)
        self.load_first()

    async def _load_bookmarks(self) -> None:
        rows = await self.service.bookmark_rows()
        self.rows = rows
        self.listing = None
        self.pages_loaded = 0
        self.query_one(ThreadList).set_rows(rows)
        self._count()
        self.update_status()
        if not rows:
            self.notify("No bookmarks yet: press b on a thread.")

    def action_mark_all_read(self) -> None:
        rows = self.query_one(ThreadList).shown

        async def mark() -> None:
            await self.service.mark_all_read(rows)
            self.query_one(ThreadList).refresh()
            self.notify(f"Marked {len(rows)} threads read.")

        self.run_worker(mark(), group="state")

    def action_library(self) -> None:
        self.run_worker(self._library(), group="library", exclusive=True)

    async def _library(self) -> None:
        from nereader.ui.screens.dialogs import LibraryScreen

        items = await self.service.library()

        def chosen(item: tuple[str, str] | None) -> None:
            if item is None:
                return
            kind, key = item
            if kind == "tag":
                self.showing_bookmarks = False
                self.app.switch_tag(key)  # type: ignore[attr-defined]
            else:
                self.open_thread(int(key))

        self.app.push_screen(LibraryScreen(items, self.service.offline), chosen)

