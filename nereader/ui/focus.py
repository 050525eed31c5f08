"""Focus that takes effect before the next key: for fields the user types into at once."""

from __future__ import annotations

from textual import events
from textual.widget import Widget


def focus_now(widget: Widget) -> None:
    """Focus ``widget`` within the current key press. ``Widget.focus`` waits for a later turn
    of the event loop, so keys typed right after ``/`` would still go to the old widget."""
    widget.screen.set_focus(widget)


def forward_typeahead(widget: Widget, event: events.Key) -> bool:
    """Send on a key that reached ``widget`` after focus had moved on.

    Keys go to the widget focused when the app read them; typed fast (``/kernel``, a paste
    of keys), the ones after ``/`` are already on their way to the old widget. They belong to
    the widget focused now, so they are posted there as if typed again. Returns whether the
    key was sent on (it is then stopped here)."""
    focused = widget.screen.focused
    if focused is None or focused is widget:
        return False
    event.stop()
    event.prevent_default()
    focused.post_message(events.Key(event.key, event.character))
    return True
