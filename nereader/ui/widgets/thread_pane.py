"""The detail pane: the thread view and, below it while finding, the find bar."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label

from nereader.core.text import plural
from nereader.ui.bindings import bindings_of
from nereader.ui.focus import focus_now
from nereader.ui.widgets.thread_find import FindStatus
from nereader.ui.widgets.thread_view import ThreadView


class FindInput(Input):
    """The find field: typing highlights, Enter jumps, esc gives up and goes back."""

    BINDINGS = bindings_of("FindInput")

    class Cancelled(Message):
        """esc in the find field."""

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())


class ThreadPane(Vertical):
    """Routes between the thread view and its find bar (neither knows the other)."""

    def compose(self) -> ComposeResult:
        yield ThreadView(id="detail")
        with Horizontal(id="find-bar"):
            yield Label("/", id="find-slash")
            yield FindInput(placeholder="find in the thread (a capital letter: match case)",
                            id="find", compact=True, select_on_focus=True)
            yield Label("", id="find-count", markup=False)  # it echoes the pattern

    def on_mount(self) -> None:
        self.query_one("#find-bar").display = False
        self.view.open_find = self.open_find

    @property
    def view(self) -> ThreadView:
        return self.query_one(ThreadView)

    @property
    def field(self) -> FindInput:
        return self.query_one(FindInput)

    @on(ThreadView.FindRequested)
    def open_find(self) -> None:
        self.query_one("#find-bar").display = True
        focus_now(self.field)
        if self.field.value:
            self.view.find.preview(self.field.value)

    @on(Input.Changed, "#find")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.field.has_focus:
            self.view.find.preview(event.value)

    @on(Input.Submitted, "#find")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        find = self.view.find
        if find.query and not find.matches:
            # As less says; the bar stays open (no find mode where n means neither a match
            # nor the next post): edit the pattern, or esc goes back.
            count = self.query_one("#find-count", Label)
            count.update(f"Pattern not found: {find.query}")
            count.set_class(True, "-none")
            return
        find.commit()
        self.view.focus()
        if not self.view.find.active:
            self.query_one("#find-bar").display = False

    @on(FindInput.Cancelled)
    def _cancelled(self) -> None:
        self.end_find(restore=True)

    def end_find(self, restore: bool) -> None:
        self.view.find.end(restore=restore)
        self.query_one("#find-bar").display = False
        self.view.focus()

    @on(FindStatus)
    def _status(self, event: FindStatus) -> None:
        count = self.query_one("#find-count", Label)
        if not event.query:
            count.update("")
        elif not event.count:
            count.update("no match")
        elif event.active:
            count.update(f"{event.index + 1} of {plural(event.count, 'match', 'matches')} · "
                         "n/N · esc ends")
        else:
            count.update(f"{plural(event.count, 'match', 'matches')} · Enter jumps")
        count.set_class(bool(event.query) and not event.count, "-none")
        if not event.active and not self.field.has_focus:
            self.query_one("#find-bar").display = False
