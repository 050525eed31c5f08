"""The footer: the focused pane's keys on one line, the way back (esc) first, cut with an
ellipsis where the screen ends, and the command palette's key at the right. While a dialog is
open over its screen it shows the dialog's keys: those are the ones that work. In a text field
a key the field types (``/``, a letter ``[keys]`` moved a binding to) is not shown.

One widget that renders text (Textual's Footer mounts a widget per key and restyles them all
whenever the focus moves, which made every focus change slower). A key is clickable.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

from nereader.ui.bindings import character_of

PALETTE = "ctrl+p"
HELP = "question_mark"
# Shorter labels for a narrow bar, so more keys fit whole (the help and palette say it all).
SHORT = {
    "Next post": "Next", "Prev post": "Prev", "Copy code": "Code", "Copy URL": "URL",
    "Accepted": "Answer", "Browser": "Web", "Clear filter": "Clear", "Save filter": "Save",
    "Load all": "All",
}


class KeyBar(Widget):
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self._key_texts: dict[str, str] = {}  # key -> how it is shown ("^f", "⏎"): slow to work out
        self._dialog: Screen[object] | None = None  # a dialog open over this bar's screen

    def _display(self, binding: Binding) -> str:
        shown = self._key_texts.get(binding.key)
        if shown is None:
            shown = self._key_texts[binding.key] = self.app.get_key_display(binding)
        return shown

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.app.screen_change_signal.subscribe(self, self._screen_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)
        self.app.screen_change_signal.unsubscribe(self)
        if self._dialog is not None:
            self._dialog.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        self.refresh()

    def _screen_changed(self, top: Screen[object]) -> None:
        """A dialog opened over this bar's screen (its keys are shown), or it closed."""
        stack = self.app.screen_stack
        dialog = top if (isinstance(top, ModalScreen) and top is not self.screen
                         and self.screen in stack) else None
        if dialog is self._dialog:
            return
        if self._dialog is not None:
            self._dialog.bindings_updated_signal.unsubscribe(self)
        self._dialog = dialog
        if dialog is not None:
            dialog.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.refresh()

    @property
    def source(self) -> Screen[object]:
        """The screen whose keys are shown: the dialog over this bar's screen, or that screen."""
        dialog = self._dialog
        if dialog is not None and dialog.is_attached and dialog in self.app.screen_stack:
            return dialog
        return self.screen

    def render(self) -> Text:
        width = self.content_region.width or 80
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        text_style = self.get_component_rich_style("key-bar--description", partial=True)
        bindings = self.source.active_bindings
        if "escape" in bindings:  # the way back first: a narrow bar never cuts it off
            bindings = {"escape": bindings["escape"],
                        **{k: b for k, b in bindings.items() if k != "escape"}}
        right = Text()
        for special in (HELP, PALETTE):  # always on screen: ? lists every key a bar cuts
            active = bindings.get(special)
            if active is not None:
                right.append(f" {self._display(active.binding)} ", style=key_style)
                right.append(f"{active.binding.description if special == HELP else 'palette'} ",
                             style=text_style)
        entries: list[tuple[str, str, str, bool]] = []  # key, shown key, description, enabled
        actions: set[tuple[int, str]] = set()
        focused = self.source.focused
        for key, active in bindings.items():
            binding = active.binding
            where = (id(active.node), binding.action)
            if not binding.show or key in (PALETTE, HELP) or where in actions:
                continue
            if focused is not None and _typed(key, focused, active.node):
                continue
            actions.add(where)
            entries.append((key, self._display(binding), binding.description, active.enabled))
        room = max(1, width - cell_len(right.plain))
        line = self._line(entries, key_style, text_style, short=False)
        if cell_len(line.plain) > room:  # short labels first, then only whole entries
            line = self._line(entries, key_style, text_style, short=True)
        if cell_len(line.plain) > room:
            kept = list(entries)
            while kept and cell_len(self._line(kept, key_style, text_style, True).plain) > room - 1:
                kept.pop()
            line = self._line(kept, key_style, text_style, short=True)
            line.append("…")
        line.pad_right(max(0, room - cell_len(line.plain)))
        line.truncate(room)
        return line + right

    def _line(self, entries: list[tuple[str, str, str, bool]], key_style: Style,
              text_style: Style, short: bool) -> Text:
        line = Text(no_wrap=True, end="")
        for key, shown, description, enabled in entries:
            click = Style(meta={"@click": f"app.simulate_key({key!r})"})
            line.append(f" {shown} ", style=key_style + click if enabled
                        else Style(dim=True) + click)
            label = SHORT.get(description, description) if short else description
            line.append(f"{label} ", style=text_style + click)
        return line


def _typed(key: str, focused: DOMNode, owner: DOMNode) -> bool:
    """Whether the focused widget, or one between it and the binding's owner, takes the key
    as text. Textual's binding chain asks the same of a binding's own key, but it misses keys
    it renamed (``slash``, whose character it cannot look up) and keys ``[keys]`` moved there,
    applied after it asked."""
    character = character_of(key)
    for node in focused.ancestors_with_self:
        if node is owner:
            return False
        if node.check_consume_key(key, character):
            return True
    return False
