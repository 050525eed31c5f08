"""The config file's theme and ``[keys]`` applied to the app, and the theme picked saved back.

``[keys]`` remaps bindings by their ids with Textual's keymap. The ids are checked against the
binding registry (``ui.bindings``), which holds every screen's and dialog's keys whether or
not its module is loaded yet; unknown ids and conflicts are said, not silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.binding import Keymap
from textual.theme import Theme

from nereader.ui.bindings import conflicts, textual_keymap, unknown_ids


def apply_preferences(app: App[Any], theme: str | None, keymap: Keymap,
                      save_theme: Callable[[str], object]) -> None:
    """Use the configured theme and keys; from now on, hand every theme picked to
    ``save_theme`` (once per change)."""
    if theme and theme in app.available_themes:
        app.theme = theme
    elif theme:
        app.notify(f"No theme named {theme!r}; choose one with ctrl+p → Change theme.",
                   title="Config file", severity="warning", markup=False)
    unknown = unknown_ids(keymap)
    if unknown:
        app.notify(f"[keys] names no such binding: {', '.join(unknown)} (binding ids look "
                   "like main.refresh; `nereader config keys` lists them)", title="Config file",
                   severity="warning", markup=False, timeout=15)
    clashes = conflicts(keymap)
    if clashes:
        app.notify("[keys]: " + "; ".join(map(str, clashes)), title="Config file",
                   severity="warning", markup=False, timeout=20)
    app.set_keymap(textual_keymap(keymap))
    saved = [app.theme]

    def changed(picked: Theme) -> None:
        if picked.name != saved[0]:
            saved[0] = picked.name
            save_theme(picked.name)

    app.theme_changed_signal.subscribe(app, changed)
