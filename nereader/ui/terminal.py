"""Which terminal driver the app runs on: the quick-esc one where it is known to be safe."""

from __future__ import annotations

import sys

import textual
from textual.driver import Driver

# ui/driver.py copies Textual's input loop; it is used only with the releases it was
# checked against. Any other release (or platform) runs on Textual's own driver: esc then
# answers after Textual's 100 ms poll, but nothing can break.
CHECKED = ("8.2.",)


def driver_class() -> type[Driver] | None:
    """The quick-esc driver, or None for Textual's default."""
    if sys.platform == "win32" or not textual.__version__.startswith(CHECKED):
        return None
    try:
        from nereader.ui.driver import Driver as QuickEsc
    except (ImportError, AttributeError):  # Textual's private modules moved
        return None
    return QuickEsc
