"""The keys of the focused pane, beside it: its help text and its bindings, on a layer above
the panes, so opening it moves nothing underneath (a long thread is never laid out again).

The help texts use a little Markdown (## headings, `keys`, *words*, - lists); it is turned into
styled text here, which is quick, rather than by a Markdown renderer."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from nereader.ui.commands import key_text


class KeysHelp(VerticalScroll):
    """The focused pane's help and keys; ``?`` shows and hides it, esc hides it."""

    DEFAULT_CLASSES = "-textual-system"

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="keys-help-text")

    def on_mount(self) -> None:
        self.watch(self.screen, "focused", self._focused, init=False)
        self.update_help()

    def show(self) -> None:
        self.display = True
        self.update_help()

    def _focused(self, _widget: Widget | None) -> None:
        if self.display:
            self.update_help()

    def update_help(self) -> None:
        self.query_one("#keys-help-text", Static).update(self.render_help())
        self.scroll_home(animate=False)

    def render_help(self) -> Text:
        screen = self.screen
        focused = screen.focused
        help_text = ""
        for node in focused.ancestors_with_self if focused is not None else []:
            if isinstance(node, Widget) and node.HELP:
                help_text = node.HELP
                break
        entries: list[tuple[str, str]] = []
        for active in screen.active_bindings.values():
            binding = active.binding
            entry = (key_text(binding), binding.description)
            if binding.system or not binding.description or entry in entries:
                continue
            entries.append(entry)
        # One text, not a table or a Markdown renderer: it renders at once.
        text = markdown_text(help_text) if help_text else Text()
        text.append("\n\nKeys\n" if help_text else "Keys\n", style="bold underline")
        width = max((cell_len(key) for key, _ in entries), default=0)
        for key, description in entries:
            text.append(key + " " * (width - cell_len(key) + 1), style="bold")
            text.append(f"{description}\n")
        text.append("\n? hides this · ctrl+p lists every command", style="dim")
        return text


_INLINE = re.compile(r"`([^`]+)`|\*([^*]+)\*")


def markdown_text(source: str) -> Text:
    """The little Markdown of a help text as styled text: paragraphs joined, lists kept."""
    out = Text()
    paragraph: list[str] = []
    in_list = False

    def flush() -> None:
        if paragraph:
            out.append_text(_inline(" ".join(paragraph)))
            out.append("\n\n")
            paragraph.clear()

    for raw in source.strip().splitlines():
        line = raw.strip()
        if not line:
            flush()
            if in_list:
                out.append("\n")
            in_list = False
        elif line.startswith("#"):
            flush()
            out.append(line.lstrip("# "), style="bold underline")
            out.append("\n\n")
        elif line.startswith("- "):
            flush()
            in_list = True
            out.append("• ")
            out.append_text(_inline(line[2:]))
            out.append("\n")
        elif in_list:  # a list item running on over more lines
            out.append("  ")
            out.append_text(_inline(line))
            out.append("\n")
        else:
            paragraph.append(line)
    flush()
    out.rstrip()
    return out


def _inline(line: str) -> Text:
    text = Text()
    at = 0
    for match in _INLINE.finditer(line):
        text.append(line[at:match.start()])
        code, emphasis = match.groups()
        text.append(code or emphasis, style="bold" if code else "italic")
        at = match.end()
    text.append(line[at:])
    return text
