"""Small modal screens: a one-line prompt and a link picker."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class NamePrompt(ModalScreen[str | None]):
    """Ask for one line of text (a saved filter's name)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="prompt.cancel")]

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
            yield Input(value=self.value, placeholder=self.placeholder)

    @on(Input.Submitted)
    def done(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text if text or self.allow_empty else None)


class LinksScreen(ModalScreen[str | None]):
    """Pick one of a post's links to open."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="links.close")]

    def __init__(self, links: list[tuple[str, str]]) -> None:
        super().__init__()
        self.links = links

    def compose(self) -> ComposeResult:
        options = [Option(Text(f"{text}\n{href}"), id=str(i))
                   for i, (text, href) in enumerate(self.links)]
        menu = OptionList(*options, id="links")
        menu.border_title = "Open a link (esc closes)"
        yield menu

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.links[int(event.option.id or 0)][1])
