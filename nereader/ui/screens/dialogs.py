"""Small modal screens: a name prompt, a link picker, and full-text search of the cache."""

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
from nereader.core.search import SearchHit, snippet_parts
from nereader.core.service import ForumService, LibraryItem, describe_age


class NamePrompt(ModalScreen[str | None]):
    """Ask for one line of text (a saved filter's name)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "",
                 allow_empty: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.value = value
        self.allow_empty = allow_empty or bool(value)

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Static(Text(self.title_text), classes="prompt-title")
            yield Input(value=self.value, placeholder=self.placeholder)

    @on(Input.Submitted)
    def done(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text if text or self.allow_empty else None)


class LinksScreen(ModalScreen[str | None]):
    """Pick one of a post's links to open."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="links.close")]

    def __init__(self, links: list[tuple[str, str]]) -> None:
        super().__init__()
        self.links = links

    def compose(self) -> ComposeResult:
        options = [Option(Text(f"{text}\n{href}"), id=str(i))
                   for i, (text, href) in enumerate(self.links)]
        menu = OptionList(*options, id="links")
        menu.border_title = "Open a link (esc closes)"
        yield menu

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.links[int(event.option.id or 0)][1])


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
        text = Text(hit.title, style="bold")
        where = "question" if hit.kind == "question" else f"{hit.kind} by {hit.author}"
        text.append(f"  {where}\n", style="dim")
        for chunk, match in snippet_parts(hit.snippet):
            text.append(chunk, style="reverse" if match else "")
        return text

    @on(OptionList.OptionSelected, "#search-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        hit = self.hits[int(event.option.id or 0)]
        self.dismiss((hit.thread_id, hit.post_id))


class LibraryScreen(ModalScreen[tuple[str, str] | None]):
    """The offline library: every cached tag and every bookmark, with its age."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="library.close")]

    def __init__(self, items: list[LibraryItem], offline: bool) -> None:
        super().__init__()
        self.items = items
        self.offline = offline

    def compose(self) -> ComposeResult:
        options: list[Option | None] = []
        tags = [i for i in self.items if i.kind == "tag"]
        marks = [i for i in self.items if i.kind == "bookmark"]
        for heading, group in (("Cached tags", tags), ("Bookmarks", marks)):
            options.append(Option(Text(heading, style="bold"), disabled=True))
            if not group:
                options.append(Option(Text("  (none)", style="dim"), disabled=True))
            for n, item in enumerate(group):
                age = (f"cached {describe_age(item.age_seconds)} ago"
                       if item.age_seconds is not None else "not available offline")
                label = Text(f"  {item.title}")
                label.append(f"  {age}", style="dim")
                if item.detail:
                    label.append(f"  {item.detail}", style="italic")
                options.append(Option(label, id=f"{item.kind}:{item.key}:{n}"))
        menu = OptionList(*[o for o in options if o is not None], id="library")
        menu.border_title = ("Offline library" if self.offline else "Library") + (
            " — enter opens, esc closes")
        yield menu

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        kind, key, _ = (event.option.id or "::").split(":", 2)
        self.dismiss((kind, key))
