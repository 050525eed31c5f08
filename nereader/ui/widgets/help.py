"""The keys of the focused pane, beside it, on a layer above the panes, so opening it moves
nothing underneath (a long thread is never laid out again). While shown it has the focus and
owns the keyboard: j/k, PgUp/PgDn and g/G scroll it, ? (or esc) hides it and gives the focus
back, and no key reaches the pane behind it.

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
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Keymap
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from nereader.ui.bindings import (
    SCOPES,
    bindings_of,
    character_of,
    help_entries,
    keys_of,
    scope_of,
)

KEY_COLUMN = 12  # at most: a longer key list takes a line of its own


def toggle_help(screen: Screen[Any]) -> None:
    """Show or hide the keys help of ``screen``'s focused pane (mounted on first use)."""
    found = screen.query(KeysHelp)
    if not found:
        screen.mount(KeysHelp(id="keys-help"))  # it opens, and takes the focus, once mounted
    elif found.first().display:
        found.first().close()
    else:
        found.first().open()


class KeysHelp(VerticalScroll, can_focus=True):
    """The help of the pane that had the focus; ``?`` shows it (mounted on first use) and
    hides it, as esc does. A click into another pane hides it too."""

    DEFAULT_CLASSES = "-textual-system"
    BINDINGS = bindings_of("KeysHelp")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._pane: Widget | None = None  # what the help is about; it has the focus back

    @property
    def is_modal(self) -> bool:
        """While shown, Textual's binding chain stops here: the list or the thread behind
        never sees a key (the app's priority keys still act: esc hides the help)."""
        return bool(self.display)

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="keys-help-text")

    def on_mount(self) -> None:
        self.watch(self.screen, "focused", self._focused, init=False)
        self.open()

    def open(self) -> None:
        """Show the help of the focused pane, and take the focus from it."""
        focused = self.screen.focused
        if focused is not self:
            self._pane = focused
        self.display = True
        self.update_help()
        self.focus(scroll_visible=False)

    def close(self) -> None:
        """Hide the help and give the focus back to the pane it is about."""
        pane, self._pane = self._pane, None
        self.display = False
        if pane is not None and pane.is_attached and pane.focusable:
            pane.focus(scroll_visible=False)

    def action_close(self) -> None:
        self.close()
        self.app.refresh_bindings()  # the key bar shows the pane's keys again

    # Each key scrolls at once (``immediate``), so keys typed faster than the screen refreshes
    # each count from where the one before left it.
    def action_line(self, step: int) -> None:
        self.scroll_relative(y=step, animate=False, immediate=True)

    def action_page(self, step: int) -> None:
        self.scroll_relative(y=step * max(1, self.scrollable_content_region.height - 1),
                             animate=False, immediate=True)

    def action_end(self, bottom: bool) -> None:
        if bottom:
            self.scroll_end(animate=False, immediate=True)
        else:
            self.scroll_home(animate=False, immediate=True)

    def _focused(self, widget: Widget | None) -> None:
        if self.display and widget is not None and widget is not self:
            # A click put another pane in charge: the help goes, the keys are that pane's.
            self._pane = None
            self.display = False

    def update_help(self) -> None:
        self.query_one("#keys-help-text", Static).update(self.render_help())
        self.scroll_home(animate=False)

    def on_resize(self) -> None:
        if self.display:
            self.query_one("#keys-help-text", Static).update(self.render_help())

    def render_help(self) -> Text:
        pane = self._pane
        chain = pane.ancestors_with_self if pane is not None else [self.screen, self.app]
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
    # Last, the keys of the help itself (it has the focus while shown).
    own = SCOPES["help"]
    sections.append((own.title, "", [(" ".join(e.keys), e.text)
                                     for e in help_entries(own, keymap)]))
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
    text.append("esc hides it too · ctrl+p lists every command", style="dim")
    return text


def _hidden(key: str, taken: set[str], inner: Sequence[DOMNode]) -> bool:
    """Whether a key never reaches an outer scope: an inner one binds it, or a node in
    between (a text field) consumes it, as Textual's own binding chain decides."""
    character = character_of(key)
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
