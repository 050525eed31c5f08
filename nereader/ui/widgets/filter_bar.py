"""The filter bar: the query language with a live count, an inline error and history.

What the list shows while a query is typed. Every query that parses applies at once, so the
list follows the typing. A query that does not parse (an error, or an unfinished last token
such as ``views:``) shows the *last good* result instead, and the last good query is one the
user settled on, never one that only parsed on the way to a longer one:

- a query paused on (no key for ``PAUSE`` seconds; not one whose last word may be a
  qualifier on its way, "vie" for "views:"), or finished with a space or enter;
- a query put in whole: from the history (up/down) or a saved filter;
- the empty query, and the filter as it was when the typing began.

So typing ``boosts:3..1`` passes ``boosts:3`` and ``boosts:3..``, which parse and show for a
moment, but the error at ``3..1`` shows the result from before the token was begun, not
``boosts:3``'s rows; paused on ``boosts:3``, it shows those.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.timer import Timer
from textual.widgets import Input, Static

from nereader.core.query import Query, QueryError
from nereader.ui.bindings import bindings_of, help_intro


class FilterInput(Input):
    HELP = help_intro("filter")
    # Input resizes its (one-line) virtual size on every keystroke; as a layout reactive that
    # lays out the whole screen, every post of a long thread included, per key typed.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    BINDINGS = bindings_of("FilterInput")

    class SaveRequested(Message):
        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.history: list[str] = []
        self._position: int | None = None
        self.whole: str | None = None  # a query put in whole (history, a saved filter)

    def put(self, text: str) -> None:
        """A whole query in the box, not typed: it counts as settled on (see the module)."""
        self.whole = text
        self.value = text
        self.cursor_position = len(text)

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        position = len(self.history) if self._position is None else self._position
        position = max(0, min(len(self.history), position + step))
        self._position = position
        self.put(self.history[position] if position < len(self.history) else "")

    def action_save(self) -> None:
        if not self.value.strip():
            self.notify("Type a query first, then ctrl+s saves it.")
            return
        try:
            Query.parse(self.value)
        except QueryError as exc:
            self.notify(f"Not saved: {exc}", severity="error", markup=False)
            return
        self.post_message(self.SaveRequested(self.value))

    def remember(self, query: str) -> None:
        query = query.strip()
        if query and (not self.history or self.history[-1] != query):
            self.history = [q for q in self.history if q != query] + [query]
        self._position = None


PLACEHOLDER = ('/ filter: words, "phrases", -not, OR, replies:>5, activity:<7d, is:answered, '
               "label:todo, note:word")


class FilterBar(Vertical):
    """Parses on every keystroke; a bad query shows the last good result (see the module),
    and an unfinished last token (``views:``) waits quietly for the rest."""

    PAUSE = 0.6  # seconds without a key after which the query typed is settled on

    class Applied(Message):
        """The list is to show ``query``: as typed, or (``fallback``) the last good query
        while what is typed does not parse."""

        def __init__(self, query: Query, fallback: bool = False) -> None:
            super().__init__()
            self.query = query
            self.fallback = fallback

    def __init__(self, id: str | None = None, placeholder: str = PLACEHOLDER,
                 check: Callable[[Query], None] | None = None) -> None:
        super().__init__(id=id)
        self.placeholder = placeholder
        self.check = check  # raises QueryError for what parses but does not work here
        self.pause = self.PAUSE
        self._pending = False
        self._count = ""
        self._error: QueryError | None = None
        self._good = Query.parse("")  # the last good query: what a bad one falls back to
        self._shown = self._good  # the query the list was last asked to show
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder=self.placeholder, id="filter")
        yield Static(id="filter-error")

    def on_mount(self) -> None:
        self.query_one("#filter-error").display = False

    @property
    def input(self) -> FilterInput:
        return self.query_one(FilterInput)

    @property
    def pending(self) -> bool:
        """The query is still being typed: the list shows the last result meanwhile."""
        return self._pending

    @pending.setter
    def pending(self, value: bool) -> None:
        self._pending = value
        self._subtitle()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        value = event.value
        whole, self.input.whole = self.input.whole == value, None
        if self._timer is not None:
            self._timer.stop()
        query = self._parsed(value)
        if query is None:
            if self._shown is not self._good:  # a prefix that parsed on the way is not it
                self._show(self._good, fallback=True)
            return
        self._show_error(None)
        self._show(query)
        if whole or not value.strip() or value[-1:].isspace():
            self._good = query  # put in whole, emptied, or typed past: settled on
        else:
            self._timer = self.set_timer(self.pause, self.paused)

    def paused(self) -> None:
        """No key for a while: the query in the box, if it parses, is settled on; not when it
        ends in a word that may be a qualifier on its way ("vie" for "views:")."""
        query = self._parsed(self.input.value, quiet=True)
        if query is not None and not query.qualifier_prefix:
            self._good = query

    def _parsed(self, value: str, quiet: bool = False) -> Query | None:
        """The query, or None when it does not parse (the error shown, unless ``quiet``)."""
        try:
            query = Query.parse(value)
            if self.check is not None:
                self.check(query)
        except QueryError as exc:
            if not quiet:
                self._show_error(None if exc.unfinished else exc)
                self.pending = exc.unfinished
            return None
        return query

    def _show(self, query: Query, fallback: bool = False) -> None:
        self._shown = query
        self.post_message(self.Applied(query, fallback))

    def _show_error(self, exc: QueryError | None) -> None:
        self._error = exc
        error = self.query_one("#filter-error", Static)
        error.display = exc is not None
        self.input.set_class(exc is not None, "-invalid")
        if exc is not None:
            error.update(self._caret(exc))
            self.call_after_refresh(self._recaret)  # once the input has scrolled to its cursor

    def _recaret(self) -> None:
        if self._error is not None:
            self.query_one("#filter-error", Static).update(self._caret(self._error))

    def _caret(self, exc: QueryError) -> Text:
        """Carets exactly under the bad text (the input's border, padding and horizontal
        scroll counted in cells), then the message: beside them, or wrapped under them."""
        box = self.input
        value = box.value
        before = cell_len(value[:exc.position])
        bad = max(1, cell_len(value[exc.position:exc.position + exc.length]))
        column = box.content_region.x - self.content_region.x + before - box.scroll_offset.x
        column = max(0, column)
        width = max(1, self.content_region.width)
        carets = " " * column + "^" * bad
        if cell_len(carets) + 1 + cell_len(str(exc)) <= width:
            return Text(f"{carets} {exc}", no_wrap=True)
        # Too long for the line: the message goes under the carets, wrapped, never cut (the
        # list of values a qualifier takes is what the user needs to read).
        lines = textwrap.wrap(str(exc), max(10, width - 1), break_on_hyphens=False)
        text = Text(set_cell_size(carets, width).rstrip(), no_wrap=True)
        for line in lines[:3]:
            text.append(f"\n {line}")
        return text

    def on_resize(self) -> None:
        # The placeholder is cut with an ellipsis rather than mid-word by the input's edge.
        box = self.input
        room = box.content_region.width - 1
        box.placeholder = fit_text(self.placeholder, room)
        self._recaret()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.input.remember(event.value)
        try:  # enter ends the typing: what waited as unfinished is now an error
            query = Query.parse(event.value)
        except QueryError as exc:
            self._show_error(exc)
            self.pending = False
            return
        self._good = query  # enter settles on it

    def show_count(self, shown: int, total: int, active: bool) -> None:
        self._count = f"{shown} of {total}" if active else ""
        self._subtitle()

    def _subtitle(self) -> None:
        parts = [self._count] if self._count else []
        if self._pending:
            parts.append("typing…")
        self.input.border_subtitle = " · ".join(parts)


def fit_text(text: str, width: int) -> str:
    """``text`` cut at a word boundary with an ellipsis when it is wider than ``width``."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    cut = set_cell_size(text, width - 1)
    space = cut.rstrip().rfind(" ")
    if space > width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,") + "…"
