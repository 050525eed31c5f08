"""The user's marks, for the main screen: bookmark a thread (b, again: remove), its note and
#labels (e), and mark every listed thread read (M). Each change runs in a worker, then the
screen's context (what the row marks and the filter read) is refreshed. What cannot be undone
(marking many threads read, a bookmark's note and #labels) is asked about first."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from textual.app import App
from textual.notifications import SeverityLevel
from textual.worker import Worker

from nereader.core.errors import NereaderError
from nereader.core.models import Bookmark, ThreadSummary
from nereader.core.query import Context
from nereader.core.service import ForumService
from nereader.core.text import plural
from nereader.ui.screens.listing import ListLoader
from nereader.ui.state import ListState

if TYPE_CHECKING:  # the reader loads after the first paint (see panes.py)
    from nereader.ui.widgets.thread_view import ThreadView


class Host(Protocol):
    """What the marks need of their screen (``MainScreen``): what the marks read, the thread
    read, the list to reload in the bookmarks view, workers and notifications."""

    context: Context
    state: ListState
    loader: ListLoader

    @property
    def app(self) -> App[Any]: ...

    @property
    def view(self) -> ThreadView | None: ...

    async def refresh_context(self) -> None: ...

    def run_worker(self, work: Coroutine[Any, Any, None], name: str | None = "",
                   group: str = "default") -> Worker[None]: ...

    def problem(self, exc: NereaderError, title: str) -> None: ...

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               markup: bool = True) -> None: ...


class Marks:
    def __init__(self, screen: Host, service: ForumService) -> None:
        self.screen = screen
        self.service = service

    def toggle(self, thread_id: int, row: ThreadSummary | None) -> None:
        self.screen.run_worker(self._toggle(thread_id, row), group="bookmark")

    def _ask(self, question: str, then: Callable[[], Coroutine[Any, Any, None]],
              group: str) -> None:
        from nereader.ui.screens.dialogs import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.screen.run_worker(then(), group=group)

        self.screen.app.push_screen(ConfirmScreen(question), answered)

    async def _toggle(self, thread_id: int, row: ThreadSummary | None) -> None:
        screen = self.screen
        try:
            if thread_id in screen.context.bookmarked:
                lost = kept_with(await self.service.get_bookmark(thread_id))
                if lost:  # a bare bookmark goes at once: b brings it back
                    self._ask(f"Remove the bookmark and its {lost}?",
                              lambda: self._remove(thread_id), "bookmark")
                else:
                    await self._remove(thread_id)
                return
            mark, warning = await self.service.bookmark(thread_id, row=row)
            screen.notify(warning or f"Bookmarked, and kept for offline reading: "
                          f"{mark.title}", title="Bookmarked" if warning else "",
                          severity="warning" if warning else "information", markup=False)
        except NereaderError as exc:
            screen.problem(exc, "Bookmark")
        await self.changed()

    async def _remove(self, thread_id: int) -> None:
        try:
            await self.service.unbookmark(thread_id)
            self.screen.notify("Bookmark removed.")
        except NereaderError as exc:
            self.screen.problem(exc, "Bookmark")
        await self.changed()

    async def changed(self) -> None:
        from nereader.ui.screens.reading import show_bookmark

        await self.screen.refresh_context()
        view = self.screen.view
        if view is not None:  # the thread read shows its bookmark (mark, note, #labels)
            await show_bookmark(view, self.service, self.screen.problem)
        if self.screen.state.bookmarks:
            self.screen.loader.first()

    def edit(self, thread_id: int) -> None:
        from nereader.ui.screens.library import NoteScreen

        def saved(changed: bool | None) -> None:
            if changed:
                self.screen.run_worker(self.changed(), group="bookmark")

        self.screen.app.push_screen(NoteScreen(self.service, thread_id), saved)

    def mark_read(self, rows: list[ThreadSummary]) -> None:
        if not rows:
            self.screen.notify("No threads listed to mark read.")
            return

        async def mark() -> None:
            try:
                await self.service.mark_all_read(rows)
            except NereaderError as exc:
                self.screen.problem(exc, "Local data")
                return
            await self.screen.refresh_context()
            self.screen.notify(f"Marked {plural(len(rows), 'thread')} read.")

        self._ask(f"Mark {plural(len(rows), 'thread')} read? (There is no undo.)", mark,
                  "state")


def kept_with(mark: Bookmark | None) -> str:
    """What removing ``mark`` would throw away besides the bookmark: "note", "#labels
    (#a #b)", both, or nothing."""
    if mark is None:
        return ""
    parts = ["note"] if mark.note.strip() else []
    if mark.labels:
        parts.append(f"#labels ({' '.join('#' + label for label in mark.labels)})")
    return " and ".join(parts)
