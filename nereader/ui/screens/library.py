"""The library (every cached listing and bookmark, with ages) and the bookmark note editor.

Both load and save through the service in their own workers; they dismiss with what the user
chose, and the main screen routes it.
"""

from __future__ import annotations

import contextlib

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from nereader.core.errors import EditConflict, NereaderError
from nereader.core.models import Bookmark, LibraryItem
from nereader.core.service import ForumService
from nereader.core.text import age_text, clean, split_note
from nereader.ui.bindings import bindings_of
from nereader.ui.hints import hinted

SHOWN_BOOKMARKS = 300  # an option list measures every option: the bookmarks view has them all


class LibraryScreen(ModalScreen[tuple[str, str] | None]):
    """What can be read offline; Enter opens a listing or a bookmark (the latest added
    first; past a few hundred, `v` shows them all)."""

    BINDINGS = bindings_of("LibraryScreen")

    def __init__(self, service: ForumService) -> None:
        super().__init__()
        self.service = service

    def compose(self) -> ComposeResult:
        menu = OptionList(Option(Text("Reading the cache…", style="dim"), disabled=True),
                          id="library")
        menu.border_title = ("Offline library" if self.service.offline else "Library") + (
            " — enter opens, esc or q closes")
        yield menu

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="library")
    async def load(self) -> None:
        menu = self.query_one(OptionList)
        try:
            items = await self.service.library(SHOWN_BOOKMARKS)
        except NereaderError as exc:
            menu.clear_options()
            menu.add_option(Option(Text(f"Cannot read the library: {hinted(self, str(exc))}"),
                                   disabled=True))
            return
        menu.clear_options()
        menu.add_options(_options(items))
        menu.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        kind, key, _ = (event.option.id or "::").split(":", 2)
        self.dismiss((kind, key))


class Hanging:
    """An entry's label wrapped to the width the list gives it: the first line indented under
    its heading, the lines it wraps onto further in, so they read as the same entry."""

    def __init__(self, text: Text, indent: int = 2, hang: int = 4) -> None:
        self.text, self.indent, self.hang = text, indent, hang

    def __str__(self) -> str:
        return self.text.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = self.text.wrap(console, max(1, options.max_width - self.hang), overflow="fold")
        out = Text(end="", no_wrap=True)
        for n, line in enumerate(lines):
            out.append(("\n" if n else "") + " " * (self.hang if n else self.indent))
            out.append_text(line)
        yield out


def _options(items: list[LibraryItem]) -> list[Option]:
    options: list[Option] = []
    tags = [i for i in items if i.kind == "tag"]
    marks = [i for i in items if i.kind != "tag"]
    for heading, group in (("Cached listings", tags), ("Bookmarks", marks)):
        options.append(Option(Text(heading, style="bold"), disabled=True))
        if not group:
            options.append(Option(Text("  (none)", style="dim"), disabled=True))
        for n, item in enumerate(group):
            if item.kind == "more":
                options.append(Option(Text(f"  … and {item.title}: v shows every bookmark "
                                           "in the list, with the filter", style="dim"),
                                      disabled=True))
                continue
            age = (f"cached {age_text(item.age_seconds)} ago" if item.age_seconds is not None
                   else "not available offline")
            label = Text(clean(item.title))
            label.append(f"  {age}", style="dim")
            if item.detail:
                label.append(f"  {clean(item.detail)}", style="italic")
            options.append(Option(Hanging(label), id=f"{item.kind}:{item.key}:{n}"))
    return options


class NoteInput(Input):
    """The note's field; its enter is named in the key bar (an Input's is not)."""

    BINDINGS = bindings_of("NoteInput")


class NoteScreen(ModalScreen[bool]):
    """Edit a bookmark's note and #labels; dismisses True once saved. On a thread that is not
    bookmarked it says that saving bookmarks it, before anything is typed.

    What is saved is what the user changed of the bookmark as shown, merged with what
    changed meanwhile elsewhere (a label added from the command line stays); when the note
    itself was changed elsewhere too, nothing is saved and the dialog says so (enter again
    saves the text as typed over it)."""

    BINDINGS = bindings_of("NoteScreen")

    def __init__(self, service: ForumService, thread_id: int, title: str = "") -> None:
        super().__init__()
        self.service = service
        self.thread_id = thread_id
        self.title = title  # the thread's, to say which thread a new bookmark is for
        self.before: Bookmark | None = None  # the bookmark as shown (None: not bookmarked)

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Static(Text("Note and #labels for the bookmark:"), classes="prompt-title")
            yield NoteInput(placeholder="a note, then #labels", disabled=True)

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="note")
    async def load(self) -> None:
        box = self.query_one(Input)
        try:
            mark = await self.service.get_bookmark(self.thread_id)
        except NereaderError as exc:
            self.notify(str(exc), severity="error", markup=False)
            self.dismiss(False)
            return
        self.before = mark
        if mark is not None:
            box.value = " ".join(filter(None, [mark.note, *(f"#{x}" for x in mark.labels)]))
        else:  # saving makes the bookmark: say so before anything is typed
            thread = f"“{clean(self.title)}”" if self.title else "This thread"
            self.query_one(".prompt-title", Static).update(Text(
                f"{thread} is not bookmarked: enter bookmarks it with this note and "
                "#labels (and keeps it for offline reading); esc leaves it as it is."))
            box.placeholder = "a note, then #labels; enter bookmarks the thread"
        box.disabled = False
        box.focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.save(event.value)

    @work(exclusive=True, group="note")
    async def save(self, text: str) -> None:
        note, labels = split_note(text)
        try:
            _, warning = await self.service.edit_bookmark_note(self.thread_id, self.before,
                                                               note, labels)
        except EditConflict as exc:
            with contextlib.suppress(NereaderError):  # enter again saves yours over it
                self.before = await self.service.get_bookmark(self.thread_id)
            self.notify(f"{exc}. Enter again saves yours over it; esc keeps it.",
                        title="Changed elsewhere", severity="warning", markup=False)
            return
        except NereaderError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        said = f"{note or '(no note)'} {' '.join('#' + x for x in labels)}".rstrip()
        done = f"Bookmarked, with the note: {said}" if self.before is None else f"Saved: {said}"
        self.notify(f"{done}\n{warning}" if warning else done, markup=False)
        self.dismiss(True)
