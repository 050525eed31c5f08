"""Small modal screens: a one-line prompt, a yes/no question, a link picker, and text to copy
by hand.

Every dialog closes on esc and on q (q types into a text box while it has the focus)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from nereader.ui.bindings import bindings_of


class PromptInput(Input):
    """The prompt's field; its Enter is named in the key bar (an Input's is not)."""

    BINDINGS = bindings_of("PromptInput")


class NamePrompt(ModalScreen[str | None]):
    """Ask for one line of text (a saved filter's name)."""

    BINDINGS = bindings_of("NamePrompt")

    def __init__(self, title: str, placeholder: str = "", value: str = "",
                 allow_empty: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.value = value
        self.allow_empty = allow_empty or bool(value)

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Static(Text(self.title_text), classes="prompt-title")
            yield PromptInput(value=self.value, placeholder=self.placeholder)

    @on(Input.Submitted)
    def done(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text if text or self.allow_empty else None)


class ConfirmScreen(ModalScreen[bool]):
    """Ask before doing something that cannot be undone: y or enter does it, n or esc not."""

    BINDINGS = bindings_of("ConfirmScreen")

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(Text(self.question), classes="prompt-title")
            yield Static(Text("y or enter: yes · n or esc: no", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#confirm", Vertical).border_title = "Are you sure?"


class LinksScreen(ModalScreen[str | None]):
    """Pick one of a post's links to open."""

    BINDINGS = bindings_of("LinksScreen")

    def __init__(self, links: list[tuple[str, str]]) -> None:
        super().__init__()
        self.links = links

    def compose(self) -> ComposeResult:
        options = [Option(Text(f"{text}\n{href}"), id=str(i))
                   for i, (text, href) in enumerate(self.links)]
        menu = OptionList(*options, id="links")
        menu.border_title = "Open a link (esc or q closes)"
        yield menu

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.links[int(event.option.id or 0)][1])


class CopyText(ScrollableContainer):
    """The text to copy, never wrapped: besides the arrows (a column, a line), home/end go to
    the lines' start and end, shift+←/→ sideways by a page."""

    BINDINGS = bindings_of("CopyText")

    def action_line_end(self, end: bool) -> None:
        self.scroll_to(x=self.max_scroll_x if end else 0, animate=False, immediate=True)

    def action_page_sideways(self, step: int) -> None:
        page = max(1, self.scrollable_content_region.width - 2)  # a little overlap
        self.scroll_relative(x=step * page, animate=False, immediate=True)


class CopyScreen(ModalScreen[None]):
    """Text no clipboard route (or no browser) could take, shown to select by hand, with
    what would help."""

    BINDINGS = bindings_of("CopyScreen")

    def __init__(self, text: str, hint: str, lead: str = "Could not copy") -> None:
        super().__init__()
        self.text = text
        self.hint = hint
        self.lead = lead

    def compose(self) -> ComposeResult:
        with Vertical(id="copy"):
            yield Static(Text(f"{self.lead}: {self.hint}. Select the text below instead "
                              "(most terminals: hold shift and drag). Long lines scroll "
                              "sideways: ←/→ a column, shift+←/→ a page, home/end to their "
                              "start/end. esc closes."),
                         classes="prompt-title")
            # Never wrapped: a long line stays one line to select (it scrolls sideways).
            with CopyText(id="copy-text"):
                yield Static(Text(self.text, no_wrap=True, overflow="ignore"),
                             id="copy-body")

    def on_mount(self) -> None:
        self.query_one("#copy", Vertical).border_title = "Copy by hand"
