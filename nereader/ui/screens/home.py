"""The home screen: the inbox (every thread of the followed listings and the bookmarks that is
unread or has news) and the sections of the config file, then one row per followed listing
with its unread threads, threads with new replies, bookmarks with new posts and the age of the
cached copy. Enter opens a row in the list: the inbox or a section as one batch, a listing as
itself.

The rows come from the cache at once, then a polite refresh runs in a worker (only stale
pages; ``r`` revalidates every one). The filter bar is the list's own: words and ``tag:``
match the listing's name and key, ``is:unread``, ``is:new`` and ``is:bookmarked`` keep the
listings that have such threads, ``activity:<1h`` the ones cached within the hour; any other
qualifier is an error that says so.
"""

from __future__ import annotations

import re
from datetime import timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Resize
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Input, ProgressBar, Static

from nereader.core.clock import Clock
from nereader.core.errors import NereaderError
from nereader.core.models import (
    Activity,
    HomeView,
    ListingStatus,
    SectionStatus,
    Tag,
    ThreadSummary,
)
from nereader.core.query import Context, Query, QueryError
from nereader.core.service import ForumService
from nereader.core.text import age_text, clean, plural
from nereader.ui.bindings import bindings_of, help_intro, key_of
from nereader.ui.hints import hinted
from nereader.ui.list_session import Inbox, Listing, Section, Source
from nereader.ui.screens.main import NARROW, MainScreen
from nereader.ui.widgets.filter_bar import FilterBar, FilterInput
from nereader.ui.widgets.keybar import KeyBar
from nereader.ui.widgets.status import mode_text

INBOX = ":inbox"  # the rows above the listings (no listing key starts with ":")
SECTION = ":section:"
# Headers on two lines, so the counts' columns are as narrow as their words and the listing's
# name and slug get the width; "Bookmark news": bookmarks with posts not yet seen.
COLUMNS = (("Listing", "listing"), ("Unread", "unread"), ("New\nreplies", "new"),
           ("Bookmark\nnews", "bookmarks"), ("Cached", "cached"))
_NUMBERS = {"unread", "new", "bookmarks"}


def _width(label: str) -> int:
    return max(map(len, label.split("\n")))


_CACHED = len("not cached")
# The cells beside the first: their widths, two cells of padding around each column, and the
# table's scrollbar.
_FIXED = sum(_width(label) for label, _ in COLUMNS[1:4]) + _CACHED + 2 * len(COLUMNS) + 2


class HomeTable(DataTable[Text]):
    """The followed listings' table, with the list's movement keys."""

    HELP = help_intro("home")
    BINDINGS = bindings_of("HomeTable")


class HomeScreen(Screen[None]):
    AUTO_FOCUS = "#home-table"
    BINDINGS = bindings_of("HomeScreen")

    class OpenListing(Message):
        """The user picked a followed listing to read."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class OpenInbox(Message):
        """The user picked the inbox (``section`` None) or a section to read."""

        def __init__(self, section: str | None) -> None:
            super().__init__()
            self.section = section

    activity: reactive[Activity] = reactive(Activity(0, False, False))

    def __init__(self, service: ForumService, *, clock: Clock, demo: bool = False,
                 select: str | None = None) -> None:
        super().__init__()
        self._select = select  # the row the cursor starts on: what the list showed
        self.service = service
        self.clock = clock
        self.demo = demo
        self.statuses: list[ListingStatus] = []  # the followed listings
        self.rows: list[ListingStatus] = []  # the inbox and the sections, then the listings
        self.query_text = Query.parse("")
        self._name_width = 0
        self.set_reactive(HomeScreen.activity, service.activity())

    def compose(self) -> ComposeResult:
        yield Static(id="home-title")
        yield Static(id="home-banner")
        yield FilterBar(id="filterbar", placeholder=PLACEHOLDER, check=check_query)
        yield HomeTable(id="home-table", cursor_type="row", zebra_stripes=True, header_height=2)
        yield Static(id="home-empty")
        with Horizontal(id="statusline"):
            yield Static(id="home-status")
            yield ProgressBar(id="progress", show_eta=False, show_percentage=True)
        yield KeyBar(id="keybar")

    def _columns(self) -> None:
        """The columns, the first as wide as the screen leaves it (a long topic key or a
        section's query is cut, never the counts)."""
        table = self.table
        width = max(16, self.size.width - _FIXED)
        if table.columns and self._name_width == width:
            return
        self._name_width = width
        table.clear(columns=True)
        for label, key in COLUMNS:
            # Numbers are right-aligned under their header (a cell's own justify is not used).
            table.add_column(Text(label, justify="right") if key in _NUMBERS else label,
                             key=key, width=width if key == "listing" else _CACHED
                             if key == "cached" else _width(label))

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")
        if self.rows:
            self.apply(self.query_text)

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        self.watch(self.app, "activity", self._activity, init=False)
        self.load(force=None)

    def on_screen_resume(self) -> None:
        if self.statuses:  # back from a listing: its read state changed the counts
            self.load(force=None, network=False)

    def _activity(self, activity: Activity) -> None:
        self.activity = activity

    def watch_activity(self) -> None:
        self._status()

    @property
    def table(self) -> HomeTable:
        return self.query_one(HomeTable)

    # -- loading ---------------------------------------------------------------------------------
    def reload(self) -> None:
        """The followed listings changed: show them again from the cache."""
        self.load(force=None, network=False)

    @work(group="home", exclusive=True)
    async def load(self, force: bool | None, network: bool = True) -> None:
        """The rows from the cache now; then (online) a refresh, of stale pages only, or of
        every page with ``force``."""
        try:
            self.show(await self.service.home_view())
        except NereaderError as exc:
            self.notify(str(exc), title="Followed listings", severity="error", markup=False)
            return
        if not network or self.service.offline or not self.statuses:
            return
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)

        def progress(_phase: str, done: int, total: int) -> None:
            bar.update(total=total, progress=done)

        try:
            refreshed = await self.service.refresh_followed(bool(force), progress)
            self.show(await self.service.home_view({s.key: s.error for s in refreshed
                                                    if s.error}))
        except NereaderError as exc:
            self.notify(str(exc), title="Refresh", severity="error", markup=False)
        finally:
            bar.display = False

    def show(self, home: HomeView) -> None:
        self.statuses = list(home.listings)
        self.rows = [_row(home.inbox, INBOX),
                     *(_row(s, SECTION + s.name) for s in home.sections), *self.statuses]
        self.apply(self.query_text)

    def action_refresh(self) -> None:
        if self.service.offline:
            self.notify("Offline: the counts are the cache's (ctrl+o goes online).")
            self.load(force=None, network=False)
            return
        self.service.retry_network()  # a manual refresh tries the site at once
        self.notify("Refreshing every followed listing…", timeout=2)
        self.load(force=True)

    # -- the rows and the filter -----------------------------------------------------------------
    def apply(self, query: Query) -> None:
        self.query_text = query
        rows = self.rows
        shown = rows
        if not query.empty:
            proxies = [_proxy(n, s, self.clock) for n, s in enumerate(rows)]
            context = Context(now=self.clock(),
                              unread=lambda r: rows[r.id].unread > 0,
                              new=lambda r: rows[r.id].new_replies > 0,
                              bookmarked={n for n, s in enumerate(rows) if s.bookmarks_new})
            shown = [rows[r.id] for r in query.apply(proxies, context)]
        table = self.table
        current = self.current
        self._columns()
        table.clear()
        for status in shown:
            table.add_row(*_cells(status), key=status.key)
        keys = [s.key for s in shown]
        if current is None and self._select in keys:
            current = next(s for s in shown if s.key == self._select)
        if current is not None and current.key in keys:
            table.move_cursor(row=keys.index(current.key))
        if shown:
            self._select = None
        box = self.query_one(FilterBar)
        box.show_count(len(shown), len(rows), not query.empty)
        table.display = bool(shown)
        empty = self.query_one("#home-empty", Static)
        empty.display = not shown or not self.statuses
        # The command keeps the flags the app was started with, as the CLI's hints do.
        empty.update(Text("Nothing matches the filter." if self.statuses and not shown else
                          hinted(self, "Following nothing yet: open a listing (t) and press F "
                                 "to follow it, or run `nereader follow LISTING`.")))
        self._status()

    @property
    def current(self) -> ListingStatus | None:
        """The highlighted row (the inbox and the sections are rows too)."""
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((s for s in self.rows if s.key == key), None)

    def _status(self) -> None:
        if not self.is_mounted:
            return
        s = self.statuses
        inbox = self.rows[0] if self.rows else ListingStatus(INBOX, "Inbox", "")
        parts = [f"Following {plural(len(s), 'listing')}", f"{inbox.unread} unread",
                 f"{inbox.new_replies} with new replies", mode_text(self.activity, False,
                                                                    self.demo)]
        if self.activity.in_flight:
            parts.append(f"{self.activity.in_flight} in flight")
        self.query_one("#home-status", Static).update(Text("  ·  ".join(parts)))
        banner = self.query_one("#home-banner", Static)
        banner.display = self.activity.offline or self.activity.network_down
        banner.update(Text("OFFLINE: reading the cache only (ctrl+o goes online)"  # as the list
                           if self.activity.offline else
                           "NETWORK DOWN: reading the cache · r retries now"))
        # Short enough for 80 columns: the screen's other keys are in the key bar.
        keymap = getattr(self.app, "keymap", {})  # the [keys] the user moved them to
        keys = (f"  {key_of('home.open', keymap)} opens · "
                f"{key_of('home.unfollow', keymap)} unfollows")
        self.query_one("#home-title", Static).update(Text.assemble(
            ("Inbox and followed listings", "bold"), (keys, "dim"),
            no_wrap=True, overflow="ellipsis"))

    @on(FilterBar.Applied)
    def _filtered(self, event: FilterBar.Applied) -> None:
        event.stop()
        if not event.fallback:  # a query that parses is no longer typed
            self.query_one(FilterBar).pending = False
        self.apply(event.query)
        self.refresh_bindings()  # esc clears the filter, or goes back

    def action_filter(self) -> None:
        self.query_one(FilterInput).focus()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":  # a filter to clear, or the filter bar to leave
            box = self.query_one(FilterInput)
            return bool(box.value) or box.has_focus
        if action == "back":  # else: the listing under the home screen, if there is one
            return not self.check_action("clear_filter", ()) and self.over_listing
        return True

    @property
    def over_listing(self) -> bool:
        """The home screen was opened over a listing (H): esc goes back to it."""
        stack = self.app.screen_stack
        return self in stack and any(isinstance(s, MainScreen)
                                     for s in stack[:stack.index(self)])

    def action_clear_filter(self) -> None:
        """esc clears the filter, from the filter bar or the table (as in the list)."""
        box = self.query_one(FilterInput)
        if box.value:
            box.value = ""
        if box.has_focus:
            self.table.focus()
        self.refresh_bindings()

    def action_back(self) -> None:
        """Back to the listing the home screen was opened over, as it was left."""
        if self.over_listing:
            self.dismiss()

    async def action_unfollow(self) -> None:
        """F: stop following the highlighted listing (the app's follow, which reads the row)."""
        await self.app.run_action("follow")

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key == INBOX:
            self.post_message(self.OpenInbox(None))
        elif key and key.startswith(SECTION):
            self.post_message(self.OpenInbox(key.removeprefix(SECTION)))
        elif key:
            self.post_message(self.OpenListing(key))

    def following_on_screen(self) -> str | None:
        """The listing F acts on here: the highlighted row (the inbox and a section have
        none)."""
        current = self.current
        return current.key if current and not current.key.startswith(":") else None


PLACEHOLDER = "/ filter: words, tag:ios, is:unread, is:new, is:bookmarked, activity:<1h"
_FLAGS = {"unread", "new", "bookmarked"}
# Short: the message follows the carets on one line of an 80-column screen.
WORKS_HERE = "here only words, tag:, is:unread/new/bookmarked, activity:"


def check_query(query: Query) -> None:
    """What the home screen's rows can answer (listings, not threads): anything else is an
    error that says what works, not a filter that quietly finds nothing."""
    for group in query.groups:
        for term in group:
            found = re.match(r"-?([A-Za-z]+):(\S*)", term.text)
            if found is None:
                continue
            name, value = found.group(1).lower(), found.group(2).lower()
            if name in ("tag", "activity") or (name == "is" and value in _FLAGS):
                continue
            raise QueryError(WORKS_HERE,
                             max(0, query.text.find(term.text)), len(term.text))
    if query.sort:
        at = query.text.lower().find("sort:")
        raise QueryError(WORKS_HERE, max(0, at), 5)


def row_of(source: Source) -> str | None:
    """The home screen's row for what the list shows: the inbox, a section, a listing (the
    bookmarks have none)."""
    if isinstance(source, Inbox):
        return INBOX
    if isinstance(source, Section):
        return SECTION + source.name
    return source.ref.key if isinstance(source, Listing) else None


async def toggle_follow(service: ForumService, key: str) -> str:
    """Follow a listing (the site, or offline the cache, says first that it exists), or stop
    following it if it is followed; returns what to tell the user."""
    if key in await service.following():
        await service.unfollow([key])
        return f"No longer following {key}."
    [(_, name, _)] = await service.follow([key])
    return f"Following {name}: H shows every followed listing, and `nereader` opens there."


def _row(status: SectionStatus, key: str) -> ListingStatus:
    """The inbox or a section as a row of the table: its key, its name, its counts (``url``
    says what it holds: its query, over the inbox or a listing)."""
    over = f"{status.query or 'everything'} · {status.listing or 'inbox'}"
    return ListingStatus(key, status.name, "" if key == INBOX else over,
                         unread=status.unread, new_replies=status.new_replies,
                         bookmarks_new=status.bookmarks_new, threads=status.threads,
                         error=status.error)


def _cells(s: ListingStatus) -> tuple[Text, ...]:
    if s.key.startswith(":"):  # the inbox, a section: what they hold instead of a listing key
        name = Text(("" if s.key == INBOX else "  ") + clean(s.name),
                    style="bold" if s.threads else "", no_wrap=True, overflow="ellipsis")
        name.append(f"  {plural(s.threads, 'thread')}", style="dim")
        if s.url:
            name.append(f"  {clean(s.url)}", style="dim")
        if s.error:
            name.append("  ⚠", style="bold")
        return (name, _count(s.unread, "unread"), _count(s.new_replies, "new"),
                _count(s.bookmarks_new, "bookmarks"), Text(""))
    name = Text(clean(s.name), style="bold" if s.unread or s.new_replies else "", no_wrap=True,
                overflow="ellipsis")
    if clean(s.name) != s.key:
        name.append(f"  {s.key}", style="dim")
    if s.error:
        name.append("  ⚠", style="bold")
    if s.age_seconds is None:
        cached = Text("not cached", style="dim")
    else:
        cached = Text("just now" if s.age_seconds < 60 else f"{age_text(s.age_seconds)} ago")
    return (name, _count(s.unread, "unread"), _count(s.new_replies, "new"),
            _count(s.bookmarks_new, "bookmarks"), cached)


def _count(n: int, column: str) -> Text:
    label = next(label for label, key in COLUMNS if key == column)
    return Text(str(n).rjust(_width(label)), style="bold" if n else "dim")


def _proxy(n: int, s: ListingStatus, clock: Clock) -> ThreadSummary:
    """A listing as a row the filter language reads: its name and key are the words and the
    tag, the counts the numbers, and the cache's age its activity."""
    activity = clock() - timedelta(seconds=s.age_seconds) if s.age_seconds is not None else None
    return ThreadSummary(n, s.name, s.url, excerpt=s.key, replies=s.new_replies, views=s.unread,
                         boosts=s.bookmarks_new, activity_at=activity,
                         tags=(Tag(s.name, s.key.rsplit("/", 1)[-1]),))
