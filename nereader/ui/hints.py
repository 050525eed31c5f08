"""The commands the app suggests (`` `nereader cache clear` ``), with the flags it was started
with: run as written, one reaches the forum and the folders the app reads, not the defaults.

Whoever starts the app knows how its flags go into a command (the command line's own rules:
``--offline`` stays out of one that needs the network) and hands the app that as a function;
the app applies it to everything it says (``NereaderApp.hinted``). Screens and widgets reach
it through their app, named here as a ``Protocol`` (no import of the app, which imports them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from textual.dom import DOMNode

Hint = Callable[[str], str]  # a message, its suggested commands with the flags


@runtime_checkable
class Hinting(Protocol):
    """The app: what it says, with its flags in the commands it suggests."""

    def hinted(self, text: str) -> str: ...


def hinted(node: DOMNode, text: str) -> str:
    """``text`` as the app on ``node`` says it (unchanged in an app given no hint: a test's)."""
    app = node.app
    return app.hinted(text) if isinstance(app, Hinting) else text
