"""NereaderApp: the app-wide keys and dialogs over one ForumService, routing to the screens.

The app calls its screens' typed methods (open this listing, this thread, this filter); the
screens talk back only through messages. Service events (notices, requests in flight) arrive
through the service's callback and become notifications and the ``activity`` reactive, which
screens watch. Dialogs are imported when first opened: the first paint needs only the main
screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.command import CommandPalette, SimpleCommand
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen

from nereader.core.clock import Clock, utc_now
from nereader.core.errors import NereaderError, UsageError
from nereader.core.models import Activity, Notice, ServiceEvent, Topic
from nereader.core.service import ForumService
from nereader.core.settings import Section
from nereader.core.text import plural
from nereader.core.urls import ListingRef, ThreadRef, parse_listing_ref, thread_link, web_url
from nereader.ui.bindings import bindings_of
from nereader.ui.clipboard import Clipboard, CopyRequested, copy_or_show
from nereader.ui.commands import TagProvider, literal, palette
from nereader.ui.hints import Hint
from nereader.ui.preferences import apply_preferences
from nereader.ui.screens.main import ListingShown, MainScreen, SectionRequested
from nereader.ui.widgets.filter_bar import FilterInput

if TYPE_CHECKING:
    from nereader.ui.screens.home import HomeScreen
    from nereader.ui.screens.search import Target
    from nereader.ui.widgets.thread_view import ThreadView


class ServiceMessage(Message):
    """A service event, carried onto the app's message queue."""

    def __init__(self, event: ServiceEvent) -> None:
        super().__init__()
        self.event = event


class NereaderApp(App[None]):
    TITLE = "nereader"
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = bindings_of("NereaderApp")

    activity: reactive[Activity] = reactive(Activity(0, False, False))

    def __init__(self, service: ForumService, ref: ListingRef, sort: str | None = None,
                 order: str | None = None, *, demo: bool = False,
                 clock: Clock | None = None, home: bool = False,
                 config_error: str | None = None, thread: ThreadRef | None = None,
                 hint: Hint | None = None) -> None:
        super().__init__()
        self.service = service
        self.demo = demo
        self.clock: Clock = clock or utc_now
        self._hint = hint  # the flags the app was started with, into a command it suggests
        # A problem's toast by its text: shown from, until (``_repeated``).
        self._toasts: dict[str, tuple[datetime, datetime]] = {}
        self._start = (ref, sort, order)
        self._home = home and thread is None  # start on the home screen (following, no target)
        self._thread = thread  # start on this thread, its tag's list behind it
        self._config_error = config_error
        self.keymap: Mapping[str, str] = {}  # the config file's [keys], for the keys help
        # In-memory copies of small local state, loaded and saved by workers through the
        # service, so the (synchronous) palette never reads a file.
        self.recent: list[str] = []
        self.names: dict[str, str] = {}  # the recent listings' names, from the cache
        self.saved: dict[str, str] = {}
        self.copier = Clipboard()
        self.topics: list[Topic] = []  # the forum's topic tree, once loaded
        # The comments folded in each thread read (by post id), for as long as the app runs.
        self.folds: dict[int, frozenset[int]] = {}
        self._topics_done = asyncio.Event()
        self._topics_loading = False
        service.listen(self._service_event)

    def get_default_screen(self) -> Screen[None]:
        if self._home:
            from nereader.ui.screens.home import HomeScreen

            return HomeScreen(self.service, clock=self.clock, demo=self.demo)
        ref, sort, order = self._start
        return MainScreen(self.service, ref, sort, order, clock=self.clock, demo=self.demo,
                          start_thread=self._thread, folds=self.folds)

    def _main_screen(self, ref: ListingRef, sort: str | None = None,
                     order: str | None = None) -> MainScreen:
        return MainScreen(self.service, ref, sort, order, clock=self.clock, demo=self.demo,
                          folds=self.folds)

    def _found_main(self) -> MainScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    @property
    def main(self) -> MainScreen:
        """The main screen (none yet when the app started on the home screen: ``with_main``
        opens it)."""
        screen = self._found_main()
        assert screen is not None
        return screen

    def with_main(self, act: Callable[[MainScreen], object]) -> None:
        """Do ``act`` on the main screen, opening it (on the default listing) if the app is
        on the home screen and no listing was opened yet."""
        found = self._found_main()
        if found is not None:
            self._above(found)
            act(found)
            return
        screen = self._main_screen(*self._start)

        async def opened() -> None:
            await self.push_screen(screen)
            act(screen)

        self.call_later(opened)

    def _above(self, main: MainScreen) -> None:
        """Close the home screen if it is over the main screen."""
        from nereader.ui.screens.home import HomeScreen

        while self.screen is not main and isinstance(self.screen, HomeScreen):
            self.pop_screen()

    def on_mount(self) -> None:
        self.activity = self.service.activity()
        if self._home:
            self.load_preferences()  # else once the main screen has painted its list
        settings = self.service.settings
        if self._config_error:
            self.notify(f"{self._config_error}\nStarted without the config file.",
                        title="Config file", severity="error", markup=False, timeout=20)
        apply_preferences(self, settings.theme, settings.keymap, self.save_theme)
        self.keymap = settings.keymap
        if self.service.offline and not self._home and self._thread is None:
            self.action_library()  # offline: start from what the cache holds

    async def on_unmount(self) -> None:
        await self.service.aclose()

    # -- what the app says -----------------------------------------------------------------------
    def hinted(self, text: str) -> str:
        """``text`` with each command it suggests (`` `nereader cache clear` ``) carrying the
        flags the app was started with, so that it acts on this forum and these folders."""
        return self._hint(text) if self._hint is not None else text

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """A toast, its commands ``hinted``; none that says what the screen says already."""
        if not markup:  # a text with markup has no command from the core in it
            message = self.hinted(message)
        if self._said(message) or (severity != "information" and self._repeated(
                message, self.NOTIFICATION_TIMEOUT if timeout is None else timeout)):
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _said(self, message: str) -> bool:
        """Whether the empty list on screen says ``message`` already (its note says why it is
        empty, where the user looks), perhaps without a consequence the message adds."""
        main = self._found_main()
        return main is not None and main is self._under_dialogs() and main.session.says(message)

    def _repeated(self, message: str, timeout: float) -> bool:
        """Whether a problem's toast repeats one still shown, perhaps with a consequence after
        it: one failure reaches several workers (a search index that cannot be read fails
        the marks, the bookmarks and the indexing at once). A confirmation is not one: the
        second of two bookmarks removed says so again."""
        now = self.clock()
        # (A clock set back meanwhile ends them too.)
        self._toasts = {text: (start, end) for text, (start, end) in self._toasts.items()
                        if start <= now < end}
        if any(message == text or message.startswith(f"{text};") or text.startswith(f"{message};")
               for text in self._toasts):
            return True
        self._toasts[message] = (now, now + timedelta(seconds=timeout))
        return False

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
    async def load_preferences(self) -> None:
        try:
            recent = await self.service.recent_tags()
            self.recent = self.recent or recent  # remember_listing may have a newer list
            self.names = await self.service.listing_names(self.recent)
            self.saved = await self.service.saved_filters()
        except NereaderError as exc:
            self.notify(str(exc), title="Local data", severity="warning", markup=False)

    def on_main_screen_ready(self) -> None:
        self.load_preferences()  # after the first paint: only t and f need them

    def on_listing_shown(self, message: ListingShown) -> None:
        """Only a listing that loaded is offered again (a 404 is not a recent listing)."""
        self.remember_listing(message.key)

    @work(group="recent")
    async def remember_listing(self, key: str) -> None:
        try:
            self.recent = await self.service.remember_tag(key)
            self.names = await self.service.listing_names(self.recent)
        except NereaderError as exc:
            self.notify(str(exc), title="Local data", severity="warning", markup=False)

    # -- listings --------------------------------------------------------------------------------
    def recent_listings(self) -> list[str]:
        return list(self.recent)

    def _under_dialogs(self) -> Screen[object]:
        """The screen the user is on, under any dialog (the palette) open over it."""
        return next((s for s in reversed(self.screen_stack) if not isinstance(s, ModalScreen)),
                    self.screen)

    def current_listing(self) -> str | None:
        """The listing on screen (none before one is opened, nor on the home screen)."""
        found = self._found_main()
        return (found.state.ref.key if found is not None and found is self._under_dialogs()
                else None)

    def listing_left(self) -> str | None:
        """The listing behind the home screen: the one the user just left."""
        found = self._found_main()
        return (found.state.ref.key if found is not None and found is not self._under_dialogs()
                else None)

    def listing_names(self) -> dict[str, str]:
        return dict(self.names)

    def open_listing(self, key: str) -> None:
        try:
            ref = parse_listing_ref(key, self.service.settings.base_url)[0]
        except UsageError as exc:
            self.notify(str(exc), title="Not a listing", severity="error", markup=False)
            return
        found = self._found_main()
        if found is None:
            self.push_screen(self._main_screen(ref))
        else:
            self._above(found)
            found.open_listing(ref)

    def on_home_screen_open_listing(self, message: HomeScreen.OpenListing) -> None:
        self.open_listing(message.key)

    def on_home_screen_open_inbox(self, message: HomeScreen.OpenInbox) -> None:
        section = message.section
        self.with_main(lambda main: main.show_news(section))

    async def listing_topics(self, wait: float) -> list[Topic]:
        """The topic tree for the switcher, waiting up to ``wait`` seconds for its load."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._topics_done.wait(), wait)
        return list(self.topics)

    @work(group="topics", exclusive=True)
    async def load_topics(self) -> None:
        self._topics_loading = True
        try:
            self.topics = list((await self.service.topics()).value.topics)
            self._topics_done.set()
        except NereaderError:
            # Offline and never fetched, or the site is down: the switcher offers the rest,
            # and the next `t` asks again.
            self._topics_done.set()
            self._topics_done = asyncio.Event()
        finally:
            self._topics_loading = False

    def action_switch_listing(self) -> None:
        if not self.topics and not self._topics_loading:
            self.load_topics()
        self.push_screen(CommandPalette(
            providers=[TagProvider],
            placeholder="Tag slug, topic, allposts or listing URL…"))

    # -- dialogs -------------------------------------------------------------------------------
    def action_toggle_help(self) -> None:
        """The keys help of the focused pane, written from the binding registry (the main
        screen and the home screen: every other screen is a dialog, which owns the keys)."""
        from nereader.ui.widgets.help import toggle_help

        toggle_help(self.screen)
        self.refresh_bindings()  # esc closes it now (or goes back again)

    def _help_shown(self) -> bool:
        return any(w.display for w in self.screen.query("KeysHelp"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self._help_shown() if action == "close_help" else True

    def action_close_help(self) -> None:
        if self._help_shown():
            self.action_toggle_help()

    def copy_to_clipboard(self, text: str, what: str = "") -> None:
        """OSC 52, and the platform's clipboard command (see ui/clipboard.py)."""
        super().copy_to_clipboard(text)
        self.run_worker(copy_or_show(self, self.copier, text, what), group="clipboard",
                        exclusive=True)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Textual's would run a text browser over the app's screen: see ui/browser.py."""
        from nereader.ui import browser

        self.run_worker(browser.open_url(self, url), group="browser", exclusive=True)

    def on_copy_requested(self, message: CopyRequested) -> None:
        self.copy_to_clipboard(message.text, message.what)

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
        self.notify(f"{plural(info.pages, 'page')} ({info.pinned} pinned), "
                    f"{info.bytes / 2**20:.1f} MiB of {info.size_limit / 2**20:.0f} MiB\n"
                    f"{info.directory}", title="Cache", markup=False, timeout=8)

    def action_search(self) -> None:
        from nereader.ui.screens.search import SearchScreen

        def chosen(target: Target | None) -> None:
            if target is not None:  # a reply hit opens at the reply (its page is fetched)
                self.with_main(lambda main: main.open_thread(target[0], focus_post=target[1]))

        self.push_screen(SearchScreen(self.service), chosen)

    def action_library(self) -> None:
        from nereader.ui.screens.library import LibraryScreen

        def chosen(item: tuple[str, str] | None) -> None:
            if item is None:
                return
            kind, key = item
            if kind == "tag":
                self.open_listing(key)
            else:
                self.with_main(lambda main: main.open_thread(int(key)))

        self.push_screen(LibraryScreen(self.service), chosen)

    def on_thread_view_open_links(self, event: ThreadView.OpenLinks) -> None:
        from nereader.ui.screens.dialogs import LinksScreen

        # Only web links are offered or opened, whatever the view hands over; a forum
        # thread's opens in the app, and says so.
        base = self.service.settings.base_url
        links = [(f"{text}  ↪ opens here" if thread_link(safe, base) else text, safe)
                 for text, url in event.links if (safe := web_url(url))]
        if not links:
            self.notify("This post has no web links.", markup=False)
            return

        def chosen(url: str | None) -> None:
            safe = web_url(url)
            if safe:
                self.with_main(lambda main: main.open_link(safe))

        self.push_screen(LinksScreen(links), chosen)

    # -- saved filters -------------------------------------------------------------------------
    def action_saved_filters(self) -> None:
        if not self.saved:
            self.notify("No saved filters yet: type a query in the filter bar (/), "
                        "then ctrl+s saves it.")
            return
        filters = [SimpleCommand(literal(f"Filter: {name}"), partial(self.apply_filter, query),
                                 literal(query))
                   for name, query in self.saved.items()]
        # A saved filter can become a row of the home screen: a section over the inbox.
        sections = [SimpleCommand(literal(f"Section: {name}"),
                                  partial(self.add_section, query, None, name),
                                  literal(f"Add to the home screen: {query} over the inbox"))
                    for name, query in self.saved.items()]
        self.search_commands([*filters, *sections], placeholder="Saved filters…")

    def apply_filter(self, query: str) -> None:
        self.with_main(lambda main: main.apply_filter(query))

    def on_filter_input_save_requested(self, event: FilterInput.SaveRequested) -> None:
        from nereader.ui.screens.dialogs import NamePrompt

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

    # -- sections of the home screen ------------------------------------------------------------
    def on_section_requested(self, message: SectionRequested) -> None:
        self.add_section(message.query, message.listing)

    def add_section(self, query: str, listing: str | None, name: str = "") -> None:
        """Ask for a name, then save a section of ``query`` over ``listing`` (None: the
        inbox) in the config file; it is a row of the home screen from then on."""
        from nereader.ui.screens.dialogs import NamePrompt

        def named(chosen: str | None) -> None:
            if chosen:
                self.save_section(Section(" ".join(chosen.split()), query, listing))

        over = f"over {listing}" if listing else "over the inbox"
        self.push_screen(NamePrompt(f"A section of the home screen: {query} {over}. Its name:",
                                    "a name", value=name), named)

    @work(group="config")
    async def save_section(self, section: Section) -> None:
        try:
            await self.service.add_section(section)
        except NereaderError as exc:
            self.notify(str(exc), title="Section not added", severity="error", markup=False)
            return
        self.notify(f"Added the section {section.name!r} to the home screen (H).",
                    markup=False)
        self._reload_home()

    def _reload_home(self) -> None:
        from nereader.ui.screens.home import HomeScreen

        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.reload()

    # -- following, the home screen, the theme and the keys ------------------------------------
    def action_home(self) -> None:
        """The home screen over the listing on screen, which stays as it is: esc on the home
        screen goes back to it (and opening a row there closes the home screen again)."""
        from nereader.ui.screens.home import HomeScreen, row_of

        screen = self.screen
        if isinstance(screen, MainScreen):  # the cursor on the row of what was listed
            self.push_screen(HomeScreen(self.service, clock=self.clock, demo=self.demo,
                                        select=row_of(screen.session.source)))

    def action_follow(self) -> None:
        from nereader.ui.screens.home import HomeScreen

        screen = self.screen
        if isinstance(screen, HomeScreen):
            key = screen.following_on_screen()
            if key is None:
                self.notify("F stops following the highlighted listing: move to one first.")
        elif isinstance(screen, MainScreen):
            key = screen.state.ref.key
        else:
            return
        if key:
            self.toggle_follow(key)

    @work(group="follow")
    async def toggle_follow(self, key: str) -> None:
        from nereader.ui.screens.home import toggle_follow

        try:
            self.notify(await toggle_follow(self.service, key), markup=False)
        except NereaderError as exc:
            self.notify(str(exc), title="Follow", severity="error", markup=False)
        self._reload_home()

    @work(group="theme", exclusive=True)
    async def save_theme(self, name: str) -> None:
        try:
            await self.service.save_theme(name)
        except NereaderError as exc:
            self.notify(f"The theme was not saved: {exc}", title="Config file",
                        severity="warning", markup=False)

    # -- the command palette -------------------------------------------------------------------
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from palette(self, screen, super().get_system_commands(screen))

    def run_binding(self, node: object, action: str) -> None:
        self.call_later(self.run_action, action, node)


def run_app(service: ForumService, ref: ListingRef, sort: str | None, order: str | None,
            demo: bool = False, home: bool = False, config_error: str | None = None,
            thread: ThreadRef | None = None, hint: Hint | None = None) -> int:
    # What start-up made (modules, classes, settings) lives as long as the app: frozen, no
    # collection walks it again (a full one cost tens of milliseconds before the first
    # paint). The command line pauses the collector while it loads (``cli.main``).
    gc.freeze()
    gc.enable()
    app = NereaderApp(service, ref, sort, order, demo=demo, home=home,
                      config_error=config_error, thread=thread, hint=hint)
    app.run()
    return app.return_code or 0

