"""The yardstick for first paint: a bare Textual app showing the same rows in a DataTable.

Run by ``bench_tui.py`` in tmux: ``python bench/bare_datatable.py ROWS.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import DataTable


class Bare(App[None]):
    def __init__(self, rows: list[list[str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Title", "Replies", "Boosts", "Views", "Active")
        table.add_rows(self.rows)


if __name__ == "__main__":
    Bare(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))).run()
