"""Full-text search of every cached thread: type, see ranked hits, Enter opens one."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from nereader.core.errors import NereaderError
from nereader.core.models import SearchHit
from nereader.core.service import ForumService
from nereader.core.text import clean, snippet_parts


class SearchScreen(ModalScreen[tuple[int, int] | None]):
    """Full-text search of every cached thread; Enter opens the thread at the matching post."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="search.close"),
        Binding("down", "focus_results", "Results", show=False, id="search.results"),
    ]

    def __init__(self, service: ForumService) -> None:
        super().__init__()
        self.service = service
        self.hits: list[SearchHit] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="search"):
            yield Input(placeholder='Search cached threads: words, "phrases", OR, -word, prefix*',
                        id="search-input")
            yield Static(id="search-note")
            yield OptionList(id="search-results")

    def on_mount(self) -> None:
        self.query_one("#search", Vertical).border_title = "Search the cache (works offline)"

    @on(Input.Changed, "#search-input")
    def typed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @on(Input.Submitted, "#search-input")
    def submitted(self) -> None:
        self.action_focus_results()

    def action_focus_results(self) -> None:
        results = self.query_one("#search-results", OptionList)
        if results.option_count:
            results.focus()
            results.highlighted = results.highlighted or 0

    @work(exclusive=True, group="search")
    async def run_search(self, text: str) -> None:
        note = self.query_one("#search-note", Static)
        results = self.query_one("#search-results", OptionList)
        if not text.strip():
            results.clear_options()
            note.update("")
            return
        try:
            self.hits = await self.service.search(text, 50)
        except NereaderError as exc:
            note.update(Text(str(exc)))
            return
        results.clear_options()
        results.add_options([Option(self._hit_text(hit), id=str(i))
                             for i, hit in enumerate(self.hits)])
        note.update(Text(f"{len(self.hits)} thread{'s' if len(self.hits) != 1 else ''} match"
                         if self.hits else "No cached thread matches. Sync or open threads to "
                         "add them to the index."))

    def _hit_text(self, hit: SearchHit) -> Text:
        text = Text(clean(hit.title), style="bold")
        where = "question" if hit.kind == "question" else f"{hit.kind} by {hit.author}"
        text.append(f"  {clean(where)}\n", style="dim")
        for chunk, match in snippet_parts(hit.snippet):
            text.append(clean(chunk), style="reverse" if match else "")
        return text

    @on(OptionList.OptionSelected, "#search-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        hit = self.hits[int(event.option.id or 0)]
        self.dismiss((hit.thread_id, hit.post_id))
