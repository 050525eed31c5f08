"""The filter bar: the query language with a live count, an inline error and history."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from nereader.core.query import Query, QueryError


class FilterInput(Input):
    HELP = """
## Filter

Words are ANDed (case and accents ignored) over title, excerpt and tags.

- `"a phrase"`, `-word`, `vpn OR proxy`
- `replies:>5` `views:>=1k` `boosts:1..3` (`>` `>=` `<` `<=` `=` ranges)
- `activity:<7d` (newer than) `activity:>2w` `activity:>=2026-05-01`
- `is:answered` `is:unanswered` `is:recommended` `is:bookmarked`
  `is:unread` `is:new` `is:staff`
- `tag:ios` `author:name` `sort:replies` `sort:-views`
- `-is:answered` negates any qualifier

`enter` back to the list · `esc` clears · `up`/`down` history · `ctrl+s` save
"""
    BINDINGS = [
        Binding("up", "history(-1)", "Older", id="filter.older", tooltip="Previous query"),
        Binding("down", "history(1)", "Newer", id="filter.newer", tooltip="Next query"),
        Binding("ctrl+s", "save", "Save filter", id="filter.save",
                tooltip="Save this query under a name"),
    ]

    class SaveRequested(Message):
        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.history: list[str] = []
        self._position: int | None = None

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        position = len(self.history) if self._position is None else self._position
        position = max(0, min(len(self.history), position + step))
        self._position = position
        self.value = self.history[position] if position < len(self.history) else ""
        self.cursor_position = len(self.value)

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


class FilterBar(Vertical):
    """Parses on every keystroke; a bad query leaves the last good result in place."""

    class Applied(Message):
        def __init__(self, query: Query) -> None:
            super().__init__()
            self.query = query

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder="/ filter: words, \"phrases\", -not, OR, replies:>5, "
                          "activity:<7d, is:answered …", id="filter")
        yield Static(id="filter-error")

    def on_mount(self) -> None:
        self.query_one("#filter-error").display = False

    @property
    def input(self) -> FilterInput:
        return self.query_one(FilterInput)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        error = self.query_one("#filter-error", Static)
        try:
            query = Query.parse(event.value)
        except QueryError as exc:
            pointer = Text(" " * (exc.position + 2) + "^" * exc.length + f" {exc}")
            error.update(pointer)
            error.display = True
            self.input.add_class("-invalid")
            return
        error.display = False
        self.input.remove_class("-invalid")
        self.post_message(self.Applied(query))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.input.remember(event.value)

    def show_count(self, shown: int, total: int, active: bool) -> None:
        self.input.border_subtitle = f"{shown} of {total}" if active else ""
