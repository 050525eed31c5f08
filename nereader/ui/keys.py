"""The binding ids the ``[keys]`` table of the config file may remap (Textual's keymap)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.dom import DOMNode


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
