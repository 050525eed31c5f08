"""Search: the cache's full-text index as you type, the site's own search on Enter.

Every hit says where it came from (the cache, or the site: fresh or a cached result); Enter on
a hit opens the thread at that post, a reply hit at that reply.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from nereader.core.errors import NereaderError
from nereader.core.models import HitKind, SearchHit, SearchResults, SiteHit, Sourced
from nereader.core.service import ForumService
from nereader.core.text import age_text, clean, plural, snippet_parts
from nereader.ui.bindings import bindings_of
from nereader.ui.hints import hinted

Target = tuple[int, int | None]  # a thread, and the post to open it at


class SearchInput(Input):
    """The query field; its Enter is named in the key bar (an Input's is not)."""

    BINDINGS = bindings_of("SearchInput")


class SearchScreen(ModalScreen[Target | None]):
    """The cache as you type; Enter asks the site too (its cached result when offline)."""

    BINDINGS = bindings_of("SearchScreen")

    def __init__(self, service: ForumService) -> None:
        super().__init__()
        self.service = service
        self.hits: list[SearchHit] = []
        self.site_hits: list[SiteHit] = []
        self.site: Sourced[SearchResults] | None = None
        self.site_query = ""
        self._local_note = ""
        self._site_note = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="search"):
            # Short enough for an 80-column terminal: the title and the key bar say the rest.
            yield SearchInput(placeholder='words, "phrases", OR, -word, prefix*',
                              id="search-input")
            yield Static(id="search-note")
            yield OptionList(id="search-results")

    def on_mount(self) -> None:
        self.query_one("#search", Vertical).border_title = (
            "Search the cache (as you type) and the site (enter)")

    @on(Input.Changed, "#search-input")
    def typed(self, event: Input.Changed) -> None:
        if " ".join(event.value.split()) != self.site_query:
            self.site, self.site_hits, self._site_note = None, [], ""
        self.run_search(event.value)

    @on(Input.Submitted, "#search-input")
    def submitted(self, event: Input.Submitted) -> None:
        query = " ".join(event.value.split())
        if not query:
            return
        if query == self.site_query and self.site is not None:
            self.action_focus_results()
            return
        self.site_query = query
        self._site_note = "Asking the site…"
        self._show_note()
        self.run_site_search(query, 1)

    def action_focus_results(self) -> None:
        results = self.query_one("#search-results", OptionList)
        if results.option_count:
            results.focus()
            results.highlighted = results.highlighted or 0

    # -- workers -------------------------------------------------------------------------------
    @work(exclusive=True, group="search")
    async def run_search(self, text: str) -> None:
        if not text.strip():
            self.hits, self._local_note = [], ""
            self._show_results()
            return
        try:
            self.hits = await self.service.search(text, 50)
        except NereaderError as exc:
            self.hits, self._local_note = [], hinted(self, str(exc))
        else:
            self._local_note = (f"{plural(len(self.hits), 'cached thread')} match"
                                if self.hits else "No cached thread matches")
        self._show_results()

    @work(exclusive=True, group="site-search")
    async def run_site_search(self, query: str, page: int) -> None:
        try:
            result = await self.service.site_search(query, page)
        except NereaderError as exc:
            if query == self.site_query:
                self._site_note = f"The site: {hinted(self, str(exc))}"
                self._show_note()
            return
        if query != self.site_query:
            return  # the text changed while the site answered
        found = result.value
        self.site_hits = (self.site_hits if page > 1 else []) + list(found.hits)
        self.site = result
        total = "? results" if found.total_results is None else plural(found.total_results,
                                                                       "result")
        note = f"{total} on the site" if found.hits else "No results on the site"
        if result.source in ("cache", "stale"):  # the site's answer, kept in the cache
            note += (f" ({'an old' if result.stale else 'a'} cached result from "
                     f"{age_text(result.age_seconds)} ago)")
        self._site_note = note
        self._show_results()
        if self.query_one("#search-input", Input).has_focus and self.site_hits:
            self.action_focus_results()

    # -- rendering -----------------------------------------------------------------------------
    def _show_note(self) -> None:
        parts = [p for p in (self._site_note, self._local_note) if p]
        if not self._site_note and self.hits:
            parts.append("Enter: search the site too")
        self.query_one("#search-note", Static).update(Text(" · ".join(parts)))

    def _show_results(self) -> None:
        """Site hits first once asked for (what Enter was for), then the cache's."""
        results = self.query_one("#search-results", OptionList)
        highlighted = results.highlighted
        options: list[Option | None] = [
            Option(self._site_text(hit), id=f"s{i}") for i, hit in enumerate(self.site_hits)]
        found = self.site.value if self.site is not None else None
        if found is not None and found.page < found.total_pages:
            options.append(Option(Text(f"More results from the site (page {found.page + 1} of "
                                       f"{found.total_pages})…", style="italic"), id="more"))
        if options and self.hits:
            options.append(None)
        options += [Option(self._hit_text(hit), id=f"c{i}") for i, hit in enumerate(self.hits)]
        results.clear_options()
        results.add_options(options)
        if highlighted is not None and results.has_focus and results.option_count:
            results.highlighted = min(highlighted, results.option_count - 1)
        self._show_note()

    def _hit_text(self, hit: SearchHit) -> Text:
        text = Text("cache ", style="dim")
        text.append(clean(hit.title), style="bold")
        where = "question" if hit.kind == "question" else f"{hit.kind} by {hit.author}"
        text.append(f"  {clean(where)}\n", style="dim")
        for chunk, match in snippet_parts(hit.snippet):
            text.append(clean(chunk), style="reverse" if match else "")
        return text

    def _site_text(self, hit: SiteHit) -> Text:
        text = Text("site  ", style="dim")
        if hit.kind is HitKind.REPLY:
            text.append("↳ reply in ", style="italic")
        text.append(clean(hit.title), style="bold")
        facts = [plural(hit.replies, "reply", "replies"), f"{clean(hit.views_text)} views",
                 clean(hit.activity_text)] + (["answered"] if hit.answered else [])
        # The facts on a line of their own, under the title: beside a long title they wrapped
        # with an age ("1h") or a count alone on the next line.
        text.append(f"\n      {' · '.join(f for f in facts if f)}\n", style="dim")
        excerpt = clean(hit.excerpt)
        text.append(excerpt if len(excerpt) <= 140 else excerpt[:139] + "…")
        return text

    @on(OptionList.OptionSelected, "#search-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        ident = event.option.id or ""
        if ident == "more" and self.site is not None:
            self._site_note = "Asking the site for more…"
            self._show_note()
            self.run_site_search(self.site_query, self.site.value.page + 1)
        elif ident.startswith("s"):
            hit = self.site_hits[int(ident[1:])]
            self.dismiss((hit.thread_id, hit.reply_id))
        elif ident.startswith("c"):
            local = self.hits[int(ident[1:])]
            self.dismiss((local.thread_id, local.post_id))
