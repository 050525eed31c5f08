"""NereaderApp: bindings, commands and the main screen over one ForumService."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, SimpleCommand
from textual.screen import Screen

from nereader.core.errors import NereaderError, StorageError
from nereader.core.service import ForumService
from nereader.core.urls import SORTS, ListingRef, parse_listing_ref
from nereader.ui.commands import TagProvider
from nereader.ui.screens.dialogs import LinksScreen, NamePrompt, SearchScreen
from nereader.ui.screens.main import MainScreen
from nereader.ui.widgets.thread_view import ThreadView

SORT_TITLES = {"newest": "Newest", "oldest": "Oldest", "lastUpdated": "Last updated",
               "replies": "Most replies", "boosts": "Most boosts", "views": "Most views"}


class NereaderApp(App[None]):
    TITLE = "nereader"
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"
    COMMANDS = App.COMMANDS | {TagProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit nereader"),
        Binding("question_mark", "toggle_help", "Help", id="app.help",
                tooltip="Show the keys of the focused pane"),
        Binding("t", "switch_tag_prompt", "Tag", id="app.tag",
                tooltip="Switch tag: type a slug or pick a recent one"),
        Binding("ctrl+o", "toggle_offline", "Offline", id="app.offline",
                tooltip="Toggle offline mode (cache only)"),
        Binding("ctrl+f", "search", "Search", id="app.search",
                tooltip="Full-text search of every cached thread"),
        Binding("f", "saved_filters", "Filters", id="app.saved_filters",
                tooltip="Apply a saved filter"),
    ]

    def __init__(self, service: ForumService, ref: ListingRef, sort: str | None = None,
                 order: str | None = None, *, demo: bool = False,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.service = service
        self.ref = ref
        self.sort = sort
        self.order = order
        self.demo = demo
        self.clock = clock or (lambda: datetime.now(UTC))
        # In-memory copies of small local state, loaded and saved by workers through the
        # service, so the (synchronous) palette never reads a file.
        self._recent: list[str] = []
        self._saved: dict[str, str] = {}

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.service, self.ref, self.sort, self.order, self.clock)

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        self._remember(self.ref.key)
        self.run_worker(self._load_saved_filters(), group="local-state")

    async def _load_saved_filters(self) -> None:
        try:
            self._saved = await self.service.saved_filters()
        except StorageError as exc:
            self.notify(str(exc), severity="error", markup=False)

    # -- tags ----------------------------------------------------------------------------------
    def recent_tags(self) -> list[str]:
        return list(self._recent)

    def _remember(self, key: str) -> None:
        self._recent = [key] + [k for k in self._recent if k != key]

        async def save() -> None:
            try:
                self._recent = await self.service.remember_tag(key)
            except StorageError as exc:
                self.notify(str(exc), severity="warning", markup=False)

        self.run_worker(save(), group="local-state")

    def switch_tag(self, key: str) -> None:
        try:
            ref = parse_listing_ref(key)[0]
        except NereaderError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.ref = ref
        self._remember(ref.key)
        self.main.reload(ref)

    def action_switch_tag_prompt(self) -> None:
        self.push_screen(CommandPalette(providers=[TagProvider],
                                        placeholder="Tag slug, topic or listing URL…"))

    # -- actions -------------------------------------------------------------------------------
    def action_toggle_help(self) -> None:
        from textual.widgets import HelpPanel

        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_toggle_offline(self) -> None:
        self.service.set_offline(not self.service.offline)
        self.notify("Offline: reading the cache only." if self.service.offline
                    else "Online: fetching from the site again.")
        self.main.update_status()

    async def action_cache_info(self) -> None:
        info = await self.service.cache_info()
        self.notify(f"{info.pages} pages ({info.pinned} pinned), "
                    f"{info.bytes / 2**20:.1f} MiB of {info.size_limit / 2**20:.0f} MiB\n"
                    f"{info.directory}", title="Cache", markup=False, timeout=8)

    # -- filters and search --------------------------------------------------------------------
    def saved_filters(self) -> dict[str, str]:
        return dict(self._saved)

    def apply_saved_filter(self, query: str) -> None:
        self.main.set_filter_text(query)
        self.main.back_to_list()

    def action_saved_filters(self) -> None:
        filters = self.saved_filters()
        if not filters:
            self.notify("No saved filters yet: type a query in the filter bar (/), "
                        "then ctrl+s saves it.")
            return
        self.search_commands(
            [SimpleCommand(f"Filter: {name}", partial(self.apply_saved_filter, query), query)
             for name, query in filters.items()],
            placeholder="Saved filters…",
        )

    def save_filter_prompt(self, query: str) -> None:
        def named(name: str | None) -> None:
            if name:
                self.run_worker(save(name), group="local-state")

        async def save(name: str) -> None:
            try:
                self._saved = await self.service.save_filter(name, query)
            except StorageError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.notify(f"Saved filter {name!r}: {query}", markup=False)

        self.push_screen(NamePrompt(f"Save the filter {query!r} as:", "a name"), named)

    def action_search(self) -> None:
        def chosen(target: tuple[int, int] | None) -> None:
            if target is not None:
                self.main.open_thread(target[0], focus_post=target[1])

        self.push_screen(SearchScreen(self.service), chosen)

    def on_thread_view_open_links(self, event: ThreadView.OpenLinks) -> None:
        def chosen(url: str | None) -> None:
            if url:
                self.open_url(url)
                self.notify(f"Opening {url}", markup=False)

        self.push_screen(LinksScreen(event.links), chosen)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self.main
        yield SystemCommand("Switch tag", "Type a slug or pick a recent tag",
                            self.action_switch_tag_prompt)
        for sort in SORTS:
            yield SystemCommand(f"Site sort: {SORT_TITLES[sort]}",
                                "Reload the tag in this order from the site",
                                partial(main.reload, None, sort, "DESC"))
        yield SystemCommand("Site sort: default", "The site's own order",
                            partial(main.reload, None, None, None))
        yield SystemCommand("Refresh", "Reload the list, revalidating the cache",
                            main.action_refresh)
        yield SystemCommand("Load all pages", "Load every page of the tag",
                            main.action_load_all)
        yield SystemCommand("Toggle offline", "Read only the cache, or go online again",
                            self.action_toggle_offline)
        yield SystemCommand("Cache info", "Pages, size and folder of the cache",
                            self.action_cache_info)
        yield SystemCommand("Filter the list", "Focus the filter bar", main.action_filter)
        yield SystemCommand("Search the cache", "Full-text search of every cached thread",
                            self.action_search)
        yield SystemCommand("Bookmarks", "Show the bookmarks in the list (toggle)",
                            main.action_toggle_bookmarks)
        yield SystemCommand("Offline library", "Cached tags and bookmarks, with their age",
                            main.action_library)
        yield SystemCommand("Mark all read", "Every thread in the list",
                            main.action_mark_all_read)
        for name, query in self.saved_filters().items():
            yield SystemCommand(f"Saved filter: {name}", query,
                                partial(self.apply_saved_filter, query))
        # Every key binding of the focused pane is a command too, so nothing is key-only.
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if binding.system or not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            yield SystemCommand(f"{binding.description} ({binding.key_display or key})",
                                binding.tooltip or "",
                                partial(self._run_binding, active.node, binding.action))

    def _run_binding(self, node: object, action: str) -> None:
        self.call_later(self.run_action, action, node)

    async def on_unmount(self) -> None:
        await self.service.aclose()


def run_app(service: ForumService, ref: ListingRef, sort: str | None, order: str | None,
            demo: bool = False) -> int:
    NereaderApp(service, ref, sort, order, demo=demo).run()
    return 0
