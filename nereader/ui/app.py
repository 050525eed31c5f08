"""NereaderApp: the app-wide keys and dialogs over one ForumService, routing to the screens.

The app calls its screens' typed methods (open this listing, this thread, this filter); the
screens talk back only through messages. Service events (notices, requests in flight) arrive
through the service's callback and become notifications and the ``activity`` reactive, which
screens watch.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, SimpleCommand
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from nereader.core.clock import Clock, utc_now
from nereader.core.errors import NereaderError, UsageError
from nereader.core.models import Activity, Notice, ServiceEvent
from nereader.core.service import ForumService
from nereader.core.urls import ListingRef, parse_listing_ref
from nereader.ui.commands import TagProvider
from nereader.ui.screens.dialogs import LinksScreen, NamePrompt
from nereader.ui.screens.library import LibraryScreen
from nereader.ui.screens.main import MainScreen
from nereader.ui.screens.search import SearchScreen
from nereader.ui.widgets.filter_bar import FilterInput
from nereader.ui.widgets.thread_view import ThreadView


class ServiceMessage(Message):
    """A service event, carried onto the app's message queue."""

    def __init__(self, event: ServiceEvent) -> None:
        super().__init__()
        self.event = event


class NereaderApp(App[None]):
    TITLE = "nereader"
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit nereader"),
        Binding("question_mark", "toggle_help", "Help", id="app.help",
                tooltip="Show the keys of the focused pane"),
        Binding("t", "switch_listing", "Tag", id="app.tag",
                tooltip="Switch listing: type a slug or URL, or pick a recent one"),
        Binding("f", "saved_filters", "Filters", id="app.saved_filters",
                tooltip="Apply a saved filter"),
        Binding("ctrl+f", "search", "Search", id="app.search",
                tooltip="Full-text search of every cached thread"),
        Binding("L", "library", "Library", show=False, id="app.library",
                tooltip="What the cache holds: listings and bookmarks, with their age"),
        Binding("ctrl+o", "toggle_offline", "Offline", id="app.offline",
                tooltip="Toggle offline mode (cache only)"),
    ]

    activity: reactive[Activity] = reactive(Activity(0, False, False))

    def __init__(self, service: ForumService, ref: ListingRef, sort: str | None = None,
                 order: str | None = None, *, demo: bool = False,
                 clock: Clock | None = None) -> None:
        super().__init__()
        self.service = service
        self.demo = demo
        self.clock: Clock = clock or utc_now
        self._start = (ref, sort, order)
        # In-memory copies of small local state, loaded and saved by workers through the
        # service, so the (synchronous) palette never reads a file.
        self.recent: list[str] = []
        self.saved: dict[str, str] = {}
        service.listen(self._service_event)

    def get_default_screen(self) -> Screen[None]:
        ref, sort, order = self._start
        return MainScreen(self.service, ref, sort, order, clock=self.clock, demo=self.demo)

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        self.activity = self.service.activity()
        self.load_preferences(self._start[0].key)
        if self.service.offline:
            self.action_library()  # offline: start from what the cache holds

    async def on_unmount(self) -> None:
        await self.service.aclose()

    # -- service events --------------------------------------------------------------------------
    def _service_event(self, event: ServiceEvent) -> None:
        self.post_message(ServiceMessage(event))

    def on_service_message(self, message: ServiceMessage) -> None:
        event = message.event
        if isinstance(event, Notice):
            self.notify(event.message, title=event.title, severity=event.severity,
                        markup=False, timeout=10)
        else:
            self.activity = event

    @work(group="preferences")
    async def load_preferences(self, opened: str) -> None:
        try:
            self.recent = await self.service.remember_tag(opened)
            self.saved = await self.service.saved_filters()
        except NereaderError as exc:
            self.notify(str(exc), title="Local data", severity="warning", markup=False)

    # -- listings --------------------------------------------------------------------------------
    def recent_listings(self) -> list[str]:
        return list(self.recent)

    def open_listing(self, key: str) -> None:
        try:
            ref = parse_listing_ref(key)[0]
        except UsageError as exc:
            self.notify(str(exc), title="Not a listing", severity="error", markup=False)
            return
        self.main.open_listing(ref)
        self.load_preferences(ref.key)

    def action_switch_listing(self) -> None:
        self.push_screen(CommandPalette(providers=[TagProvider],
                                        placeholder="Tag slug, topic or listing URL…"))

    # -- dialogs -------------------------------------------------------------------------------
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

    @work(group="cache-info")
    async def action_cache_info(self) -> None:
        try:
            info = await self.service.cache_info()
        except NereaderError as exc:
            self.notify(str(exc), title="Cache", severity="error", markup=False)
            return
        self.notify(f"{info.pages} pages ({info.pinned} pinned), "
                    f"{info.bytes / 2**20:.1f} MiB of {info.size_limit / 2**20:.0f} MiB\n"
                    f"{info.directory}", title="Cache", markup=False, timeout=8)

    def action_search(self) -> None:
        def chosen(target: tuple[int, int] | None) -> None:
            if target is not None:
                self.main.open_thread(target[0], focus_post=target[1])

        self.push_screen(SearchScreen(self.service), chosen)

    def action_library(self) -> None:
        def chosen(item: tuple[str, str] | None) -> None:
            if item is None:
                return
            kind, key = item
            if kind == "tag":
                self.open_listing(key)
            else:
                self.main.open_thread(int(key))

        self.push_screen(LibraryScreen(self.service), chosen)

    def on_thread_view_open_links(self, event: ThreadView.OpenLinks) -> None:
        def chosen(url: str | None) -> None:
            if url:
                self.open_url(url)
                self.notify(f"Opening {url}", markup=False)

        self.push_screen(LinksScreen(event.links), chosen)

    # -- saved filters -------------------------------------------------------------------------
    def action_saved_filters(self) -> None:
        if not self.saved:
            self.notify("No saved filters yet: type a query in the filter bar (/), "
                        "then ctrl+s saves it.")
            return
        self.search_commands(
            [SimpleCommand(f"Filter: {name}", partial(self.main.apply_filter, query), query)
             for name, query in self.saved.items()], placeholder="Saved filters…")

    def on_filter_input_save_requested(self, event: FilterInput.SaveRequested) -> None:
        query = event.query

        def named(name: str | None) -> None:
            if name:
                self.save_filter(name, query)

        self.push_screen(NamePrompt(f"Save the filter {query!r} as:", "a name"), named)

    @work(group="preferences")
    async def save_filter(self, name: str, query: str) -> None:
        try:
            self.saved = await self.service.save_filter(name, query)
        except NereaderError as exc:
            self.notify(str(exc), title="Local data", severity="error", markup=False)
            return
        self.notify(f"Saved filter {name!r}: {query}", markup=False)

    # -- the command palette -------------------------------------------------------------------
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Cache info", "Pages, size and folder of the cache",
                            self.action_cache_info)
        if isinstance(screen, MainScreen):
            yield from screen.system_commands()
        for name, query in self.saved.items():
            yield SystemCommand(f"Saved filter: {name}", query,
                                partial(self.main.apply_filter, query))
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


def run_app(service: ForumService, ref: ListingRef, sort: str | None, order: str | None,
            demo: bool = False) -> int:
    app = NereaderApp(service, ref, sort, order, demo=demo)
    app.run()
    return app.return_code or 0
