"""The footer: the focused pane's keys on one line, the way back (esc) first, cut with an
ellipsis where the screen ends, and the command palette's key at the right.

One widget that renders text (Textual's Footer mounts a widget per key and restyles them all
whenever the focus moves, which made every focus change slower). A key is clickable.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

PALETTE = "ctrl+p"


class KeyBar(Widget):
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self._key_texts: dict[str, str] = {}  # key -> how it is shown ("^f", "⏎"): slow to work out

    def _display(self, binding: Binding) -> str:
        shown = self._key_texts.get(binding.key)
        if shown is None:
            shown = self._key_texts[binding.key] = self.app.get_key_display(binding)
        return shown

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        self.refresh()

    def render(self) -> Text:
        width = self.content_region.width or 80
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        text_style = self.get_component_rich_style("key-bar--description", partial=True)
        bindings = self.screen.active_bindings
        palette = bindings.get(PALETTE)
        right = Text()
        if palette is not None:
            right.append(f" {self._display(palette.binding)} ", style=key_style)
            right.append("palette ", style=text_style)
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        actions: set[tuple[int, str]] = set()
        for key, active in bindings.items():
            binding = active.binding
            where = (id(active.node), binding.action)
            if not binding.show or key == PALETTE or where in actions:
                continue
            actions.add(where)
            click = Style(meta={"@click": f"app.simulate_key({key!r})"})
            line.append(f" {self._display(binding)} ",
                        style=key_style + click if active.enabled else Style(dim=True) + click)
            line.append(f"{binding.description} ", style=text_style + click)
        room = max(1, width - cell_len(right.plain))
        if cell_len(line.plain) > room:
            line.truncate(room, overflow="ellipsis")
        else:
            line.pad_right(room - cell_len(line.plain))
        return line + right
