"""The keys of the focused pane, beside it, on a layer above the panes, so opening it moves
nothing underneath (a long thread is never laid out again).

It is written from the binding registry (``ui.bindings``): the focused pane's prose, then every
binding of each scope from the focused pane out to the app, with the keys the config file's
``[keys]`` gave them; a key an inner pane takes (or a text field types) is left out of the
outer scope's list, since there it does something else.

The prose uses a little Markdown (`keys`, *words*, - lists); it is turned into styled text
here, which is quick, rather than by a Markdown renderer."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Keymap
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.keys import REPLACED_KEYS, key_to_character
from textual.widget import Widget
from textual.widgets import Static

from nereader.ui.bindings import help_entries, keys_of, scope_of

KEY_COLUMN = 12  # at most: a longer key list takes a line of its own


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

    def on_resize(self) -> None:
        if self.display:
            self.query_one("#keys-help-text", Static).update(self.render_help())

    def render_help(self) -> Text:
        focused = self.screen.focused
        chain = focused.ancestors_with_self if focused is not None else [self.screen, self.app]
        # The app keeps the keymap it applied (NereaderApp.keymap); another app has none.
        keymap: Keymap = getattr(self.app, "keymap", {})
        return help_text(chain, keymap, self.scrollable_content_region.width)


def help_text(chain: Sequence[DOMNode], keymap: Keymap, width: int = 0) -> Text:
    """The help for a focus chain (the focused node first, the app last); descriptions wrap
    beside their keys within ``width`` cells (0: not at all)."""
    sections: list[tuple[str, str, list[tuple[str, str]]]] = []
    taken: set[str] = set()  # keys an inner scope binds: outer bindings never see them
    seen: set[str] = set()
    for at, node in enumerate(chain):
        scope = scope_of(type(node))
        if scope is None or scope.name in seen:
            continue
        seen.add(scope.name)
        lines = []
        for entry in help_entries(scope, keymap):
            if all(not b.priority and all(_hidden(k, taken, chain[:at]) for k in
                                          keys_of(b, keymap)) for b in entry.bindings):
                continue
            lines.append((" ".join(entry.keys), entry.text))
        taken |= {k for b in scope.bindings if not b.priority for k in keys_of(b, keymap)}
        sections.append((scope.title, scope.intro, lines))
    # The prose of the focused pane (or the nearest pane around it that has some).
    prose = next((intro for _, intro, _ in sections if intro.strip()), "")
    # One text, not a table or a Markdown renderer: it renders at once.
    text = Text()
    for title, intro, lines in sections:
        if not lines and intro != prose:
            continue
        text.append(title, style="bold underline")
        text.append("\n")
        if intro == prose and prose:
            text.append("\n")
            text.append_text(markdown_text(prose))
            text.append("\n\n")
        column = min(KEY_COLUMN, max((cell_len(key) for key, _ in lines), default=0))
        indent = " " * (column + 1)
        for key, description in lines:
            if cell_len(key) > column:
                text.append(f"{key}\n", style="bold")
                text.append(indent)
            else:
                text.append(key + " " * (column - cell_len(key) + 1), style="bold")
            room = width - column - 1
            wrapped = textwrap.wrap(description, room) if room > 10 else [description]
            text.append(f"\n{indent}".join(wrapped) + "\n")
        text.append("\n")
    text.append("? hides this · ctrl+p lists every command", style="dim")
    return text


def _hidden(key: str, taken: set[str], inner: Sequence[DOMNode]) -> bool:
    """Whether a key never reaches an outer scope: an inner one binds it, or a node in
    between (a text field) consumes it, as Textual's own binding chain decides."""
    # "slash" is a key Textual renamed from its Unicode name ("solidus"): look that up.
    character = key_to_character(key) or key_to_character(REPLACED_KEYS.get(key, key))
    return key in taken or any(n.check_consume_key(key, character) for n in inner)


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
