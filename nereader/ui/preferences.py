"""The config file's theme and ``[keys]`` applied to the app, and the theme picked saved back.

``[keys]`` remaps bindings by their ids with Textual's keymap; ids that name no binding of the
app, its screens or widgets (nor Textual's own) are reported rather than silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.theme import Theme


def _subclasses(cls: type) -> Iterable[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def binding_ids() -> set[str]:
    """Every binding id of the app, its screens and widgets (and Textual's own)."""
    found: set[str] = set()
    for cls in {DOMNode, *_subclasses(DOMNode)}:
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                found.add(binding.id)
    return found


def unknown_binding_ids(keymap: dict[str, str]) -> list[str]:
    known = binding_ids()
    return sorted(k for k in keymap if k not in known)


def apply_preferences(app: App[Any], theme: str | None, keymap: dict[str, str],
                      save_theme: Callable[[str], object]) -> None:
    """Use the configured theme and keys; from now on, hand every theme picked to
    ``save_theme`` (once per change)."""
    if theme and theme in app.available_themes:
        app.theme = theme
    elif theme:
        app.notify(f"No theme named {theme!r}; choose one with ctrl+p → Change theme.",
                   title="Config file", severity="warning", markup=False)
    unknown = unknown_binding_ids(keymap)
    if unknown:
        app.notify(f"[keys] names no such binding: {', '.join(unknown)} (binding ids look "
                   "like main.refresh; see the README)", title="Config file",
                   severity="warning", markup=False, timeout=15)
    app.set_keymap({k: v for k, v in keymap.items() if k not in unknown})
    saved = [app.theme]

    def changed(picked: Theme) -> None:
        if picked.name != saved[0]:
            saved[0] = picked.name
            save_theme(picked.name)

    app.theme_changed_signal.subscribe(app, changed)
