"""The list, headless: what is listed and where its rows come from, the filter and the list's own
sort over them, the cursor, and the ways back.

The main screen owns one ``ListSession``. Its workers await the service and hand the results to
the session's methods; the session decides what the list then is, and the screen renders it
(the thread list reads its rows and cursor; the status line and the banner render ``state()``).
No I/O and no Textual here, so tests drive a session on its own.

Where the rows come from is a ``Source``: a listing of the site (loaded a page at a time), or
one batch: the bookmarks, the inbox (every unread thread of the followed listings and the
bookmarks) or a section of the home screen. Another kind of list is another source, loaded by
the screen and handed over as pages or as a batch; the filter, the sort and the cursor work on
the rows whatever their source.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import ClassVar

from nereader.core.errors import ListingNotFound, NereaderError, NotFoundError
from nereader.core.marks import NEW_REPLIES, UNREAD_OLDER, UNREAD_RECENT, row_marks
from nereader.core.models import ListingPage, RowSource, Sourced, ThreadSummary
from nereader.core.query import Context, Query, QueryError, haystack, sort_caveat, sort_key
from nereader.core.text import age_text
from nereader.core.urls import ListingRef
from nereader.ui.state import ListState

EMPTY_TAG = "No threads here yet: t switches tag, r refreshes."
NO_BOOKMARKS = "No bookmarks yet: b on a thread bookmarks it; v goes back to the listing."
FAILED = "Nothing to show yet: r tries again, t switches tag, L opens the offline library."
NOT_FOUND = "No listing '{key}' on the site (404): check the slug; t switches listing."
NOT_FOUND_NEAR = ("No listing '{key}' on the site (404). Did you mean {near}? t switches "
                  "listing.")
# With nothing cached at all (a first run without the network), how to try the app anyway.
TRY_DEMO = "Nothing is cached yet: `nereader --demo` opens a made-up forum to try the app."
NO_MATCH = "No loaded thread matches the filter: esc clears it, A loads every page."
NO_NEWS = ("Nothing new: every thread of the followed listings and the bookmarks is read. "
           "r refreshes them; H goes home.")
NO_SECTION = "No thread in this section now: r refreshes; H goes home."

SORT_CYCLE = ("activity", "replies", "boosts", "views", "title")  # s steps through these

# What a row shows besides its own fields: its marks, its bookmark's #labels, new replies (or
# a bookmark's new posts), and where it is from (in the inbox: its listing).
Decor = tuple[str, tuple[str, ...], int, str]


@dataclass(frozen=True, slots=True)
class Listing:
    """A listing of the site (a tag, a topic, all posts) in one of the site's sorts, loaded a
    page at a time."""

    ref: ListingRef
    sort: str | None = None
    order: str | None = None

    paged: ClassVar[bool] = True
    empty: ClassVar[str] = EMPTY_TAG  # what it says with no rows at all

    def title(self, name: str) -> str:
        return name or self.ref.key


@dataclass(frozen=True, slots=True)
class Bookmarks:
    """The user's bookmarks as list rows, in one batch."""

    paged: ClassVar[bool] = False
    empty: ClassVar[str] = NO_BOOKMARKS

    def title(self, name: str) -> str:
        return "Bookmarks"


@dataclass(frozen=True, slots=True)
class Inbox:
    """Every thread of the followed listings and the bookmarks that is unread or has news, in
    one batch computed from the cache."""

    paged: ClassVar[bool] = False
    empty: ClassVar[str] = NO_NEWS

    def title(self, name: str) -> str:
        return "Inbox"


@dataclass(frozen=True, slots=True)
class Section:
    """A section of the home screen (a query over the inbox or a listing), in one batch."""

    name: str
    paged: ClassVar[bool] = False
    empty: ClassVar[str] = NO_SECTION

    def title(self, name: str) -> str:
        return self.name


Source = Listing | Bookmarks | Inbox | Section


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a source has delivered: its rows, and what the site said about them."""

    rows: tuple[ThreadSummary, ...] = ()
    name: str = ""
    total_posts: int | None = None
    total_pages: int = 0
    pages: int = 0  # pages loaded, in order (a paged source)
    stale_note: str = ""  # why the rows are an old copy, if they are
    feed_note: str = ""  # the listing's RSS feed stands in for its page: what to tell
    arrived: bool = False  # the rows (maybe none) came: an empty list now says so
    failure: str = ""  # why nothing is shown: the source did not load
    cause: str = ""  # the error in the failure, as the app words it
    where: Mapping[int, str] = field(default_factory=dict)  # a row's listing (the inbox)
    news: Mapping[int, int] = field(default_factory=dict)  # a bookmark's posts not yet seen


@dataclass(frozen=True, slots=True)
class Kept:
    """A list put aside to go back to: its source, what it had loaded, the thread under the
    cursor, the column it was sorted by (s / S) and which way."""

    source: Source
    loaded: Loaded
    cursor: int | None
    sort: str | None = None
    reverse: bool = True

    @property
    def title(self) -> str:
        return self.source.title(self.loaded.name)


class ListSession:
    """One list as the user works it: what is listed, the rows loaded, the filter, the sort and
    the cursor (kept on the same thread through refilters, re-sorts and refreshes)."""

    def __init__(self, listing: Listing, *, demo: bool = False,
                 context: Context | None = None) -> None:
        self.listing = listing  # the listing asked for (behind the bookmarks view too)
        self.source: Source = listing  # where the rows come from now
        self.loaded = Loaded()
        self.demo = demo
        self.context = context or Context()  # what the marks and the filter read
        self.last_visit: datetime | None = None  # the previous visit to the listing
        self.query = Query.parse("")  # the filter applied (a half-typed last word left out)
        self.list_sort: str | None = None  # the rows sorted by a column (s / S)
        self.list_reverse = True
        self.shown: list[int] = []  # indices into the rows: filtered, then sorted
        self.caveat = ""  # what the filter or the sort cannot judge in the rows (feed rows)
        self.cursor = 0  # a position in ``shown``
        self.previous: Kept | None = None  # shown before the listing asked for, till it loads
        self.busy = False  # pages are being loaded or refreshed: no paging meanwhile
        self.shown_once = False  # the listing has been shown (worth remembering as recent)
        self.progress = ""  # "page 3 of 11" while every page loads
        self.retry_at: float | None = None  # monotonic time of the next try after an outage
        self.read_here: set[int] = set()  # threads opened since the rows arrived
        self._behind: Kept | None = None  # the listing, while a batch is shown
        self._hay: list[str] = []  # each row's text, folded, for the filter's words
        self._gaps = False  # some row lacks a count or its marks (a feed's rows)
        self._predicate: Callable[[ThreadSummary, str], bool] | None = None

    # -- what is shown ---------------------------------------------------------------------------
    @property
    def rows(self) -> tuple[ThreadSummary, ...]:
        return self.loaded.rows

    @property
    def bookmarks(self) -> bool:
        """The bookmarks are listed (the listing waits behind them)."""
        return isinstance(self.source, Bookmarks)

    @property
    def news_list(self) -> bool:
        """The inbox or a section is listed: what it holds changes as threads are read."""
        return isinstance(self.source, Inbox | Section)

    @property
    def current(self) -> ThreadSummary | None:
        """The row under the cursor."""
        if 0 <= self.cursor < len(self.shown):
            return self.loaded.rows[self.shown[self.cursor]]
        return None

    def row_at(self, position: int) -> ThreadSummary:
        return self.loaded.rows[self.shown[position]]

    @property
    def shown_rows(self) -> list[ThreadSummary]:
        rows = self.loaded.rows
        return [rows[i] for i in self.shown]

    @property
    def filtering(self) -> bool:
        return not self.query.empty

    @property
    def failed(self) -> bool:
        """What was asked for did not load, and nothing is shown."""
        return bool(self.loaded.failure)

    def says(self, message: str) -> bool:
        """Whether a message repeats the error the empty list says, perhaps with a
        consequence after it (a toast would say it a second time)."""
        cause = self.loaded.cause if self.loaded.failure else ""
        return bool(cause) and cause in message

    @property
    def empty_note(self) -> str:
        """What the list says when it shows no row, with the key to press next."""
        if self.shown:
            return ""
        if self.filtering and self.loaded.rows:
            return NO_MATCH
        if self.loaded.failure:
            return self.loaded.failure
        return self.source.empty if self.loaded.arrived else ""

    def decor(self, row: ThreadSummary) -> Decor:
        """From the context (loaded by the screen's workers): drawing never reads the disk."""
        context = self.context
        marks = row_marks(row, context, self.last_visit)
        new = context.new_replies(row) if marks[3:4] == NEW_REPLIES else 0
        posts = self.loaded.news.get(row.id, 0) if row.id not in self.read_here else 0
        if posts and not new:  # a bookmark's new posts (comments too) since it was seen
            marks, new = marks[:3] + NEW_REPLIES, posts
        return marks, context.labels.get(row.id, ()), new, self.loaded.where.get(row.id, "")

    def unread(self, row: ThreadSummary) -> bool:
        """Whether a row is still to be read: unread or with news, and not opened since the
        rows arrived."""
        if row.id in self.read_here:
            return False
        if self.news_list:  # it is listed because it has news
            return True
        return self.decor(row)[0][3:4] in {UNREAD_RECENT, UNREAD_OLDER, NEW_REPLIES}

    def marks(self, row: ThreadSummary) -> str:
        return self.decor(row)[0]

    def way_back(self, *, reading: bool, narrow: bool, typing: bool,
                 finding: bool = False) -> str:
        """What esc (or v) goes back to from here; ``typing``: the filter box holds text;
        ``finding``: a find in the thread is open (esc ends it, and only that)."""
        if reading and finding:
            return "esc: end the find"
        if narrow and reading:
            return "esc: back to the list"
        if self.bookmarks:
            return "v: back to the listing"
        if (self.filtering or typing) and not reading:
            return "esc: clear the filter"
        if self.failed and self.previous is not None:
            return f"esc: back to {self.previous.title}"
        if self.news_list and not reading:
            return "esc: back home"  # the home screen the inbox (or a section) was opened from
        return ""

    @property
    def can_go_back(self) -> bool:
        """The listing asked for failed, and the one shown before it is kept."""
        return self.failed and self.previous is not None

    def state(self, back: str = "") -> ListState:
        """The status line's and the banner's view of the list."""
        listing, loaded = self.listing, self.loaded
        batch = self.source.title(loaded.name) if self.news_list else ""
        return ListState(listing.ref, listing.sort, listing.order, name=loaded.name,
                         batch=batch,
                         total_posts=loaded.total_posts, total_pages=loaded.total_pages,
                         pages_loaded=loaded.pages, rows_loaded=len(loaded.rows),
                         rows_shown=len(self.shown), list_sort=self.list_sort,
                         list_reverse=self.list_reverse, bookmarks=self.bookmarks,
                         stale_note=loaded.stale_note, demo=self.demo, back=back,
                         progress=self.progress, retry_at=self.retry_at,
                         feed_note=loaded.feed_note, caveat=self.caveat)

    # -- rows arriving -------------------------------------------------------------------------
    def first_page(self, result: Sourced[ListingPage]) -> bool:
        """Page 1 of the listing (the cached copy, then the site's). Paged on while it was on
        its way, its rows go first and the later pages' after them. True the first time the
        listing is shown (so it is worth offering again as a recent one)."""
        page, before = result.value, self.loaded.pages
        rows = unique([*page.rows, *self.loaded.rows]) if before > 1 else list(page.rows)
        self.loaded = replace(self.loaded, name=page.name, total_posts=page.total_posts,
                              total_pages=page.total_pages, pages=max(1, before),
                              stale_note=stale_note(result), feed_note=feed_note(page),
                              arrived=True, failure="", cause="")
        self._take(rows)
        self.previous = None  # this one loaded: no going back
        first, self.shown_once = not self.shown_once, True
        return first

    def next_page(self, number: int, result: Sourced[ListingPage]) -> None:
        """A later page: its rows not yet listed go after the rest."""
        self.loaded = replace(self.loaded, pages=max(self.loaded.pages, number),
                              stale_note=stale_note(result))
        seen = {row.id for row in self.loaded.rows}
        new = [row for row in unique(result.value.rows) if row.id not in seen]
        if new:
            keep = self._current_id()
            self._hay.extend(haystack(row) for row in new)
            self._gaps = self._gaps or any(map(incomplete, new))
            self.loaded = replace(self.loaded, rows=(*self.loaded.rows, *new))
            self._rebuild(keep)

    def refreshed(self, pages: list[Sourced[ListingPage]]) -> None:
        """Every loaded page again, in order: the rows replaced in place (cursor, filter and
        sort kept); the stalest page's note stands for them all."""
        first = pages[0].value
        worst = next((p for p in pages if p.stale), pages[0])
        self.loaded = replace(self.loaded, name=first.name, total_posts=first.total_posts,
                              total_pages=first.total_pages, pages=len(pages),
                              stale_note=stale_note(worst), feed_note=feed_note(first),
                              arrived=True, failure="", cause="")
        self._take(unique(row for page in pages for row in page.value.rows))

    def batch(self, rows: Iterable[ThreadSummary], stale: str = "",
              where: Mapping[int, str] | None = None,
              news: Mapping[int, int] | None = None) -> None:
        """The rows of a source that comes in one batch (the bookmarks, the inbox, a section);
        ``stale``: why they are an old copy, if they are; ``where``: each row's listing;
        ``news``: a bookmark's posts not yet seen. Loaded again, a thread that left the list
        (read meanwhile) leaves the cursor on the one after it."""
        rows = list(rows)
        after = ([row.id for row in self.shown_rows[self.cursor:]] if self.loaded.arrived
                 else [])
        self.loaded = replace(self.loaded, total_posts=len(rows), total_pages=0, pages=0,
                              stale_note=stale, arrived=True, failure="", cause="",
                              where=dict(where or {}), news=dict(news or {}))
        self.read_here = set()
        self._take(rows)
        listed = {row.id for row in rows}
        if after and after[0] not in listed:
            following = next((i for i in after if i in listed), None)
            if following is None:
                self.cursor = max(0, len(self.shown) - 1)
            else:
                self.select(following)

    def failed_to_load(self, exc: NereaderError, first_run: bool = False,
                       said: str | None = None) -> str | None:
        """What was asked for did not load: with no rows to show, why (and the way back to the
        listing shown before), which the empty list says; None while rows are shown.
        ``first_run``: nothing is cached at all, so the demo is worth a mention. ``said``: the
        error as the app words it (the commands it suggests with the app's flags)."""
        if self.loaded.rows:
            return None
        said = str(exc) if said is None else said
        if isinstance(exc, ListingNotFound) and exc.near and isinstance(self.source, Listing):
            near = " or ".join(key if name == key else f"{name} ({key})" for key, name in exc.near)
            why = NOT_FOUND_NEAR.format(key=self.source.ref.key, near=near)
        elif isinstance(exc, NotFoundError) and isinstance(self.source, Listing):
            why = NOT_FOUND.format(key=self.source.ref.key)
        else:
            why = f"{FAILED.rstrip('.')}; {said.rstrip('.')}."
        if self.previous is not None:
            why += f" esc goes back to {self.previous.title}."
        if first_run and not self.demo:
            why += f" {TRY_DEMO}"
        self.loaded = replace(self.loaded, failure=why, cause=said)
        return why

    # -- paging ----------------------------------------------------------------------------------
    @property
    def more_pages(self) -> bool:
        return self.source.paged and self.loaded.pages < self.loaded.total_pages

    def nothing_to_load(self, offline: bool, network_down: bool) -> str:
        """Why "load every page" has nothing to do, as it is: every page is loaded, the list
        comes whole, or no page could be had (and what to do about it)."""
        title = self.source.title(self.loaded.name)
        if not self.source.paged:
            return f"{title}: every thread is listed (there are no pages to load)."
        if self.loaded.pages:
            return "Every page is loaded."
        if not self.loaded.arrived and not self.failed:
            return "The first page is still loading."
        if offline:
            return (f"Nothing to load: offline, and no page of {title} is cached. ctrl+o "
                    "goes online to fetch its pages.")
        if network_down:
            return ("Nothing to load: the site cannot be reached (network down), so no page "
                    f"of {title} can be fetched. r tries again.")
        return f"Nothing to load: no page of {title} loaded. r tries again."

    def pages_to_load(self, every: bool = False) -> range | None:
        """The next page (``every``: each one left), the list busy till they are loaded; None
        when none is left or pages are loading already."""
        if not self.more_pages or self.busy:
            return None
        self.busy = True
        start = self.loaded.pages + 1
        return range(start, (self.loaded.total_pages if every else start) + 1)

    def pages_to_refresh(self) -> range | None:
        """Every loaded page, to load again in place (the list busy meanwhile); None when the
        list is to be loaded from the start (a batch, or no page loaded yet)."""
        if not self.source.paged or not self.loaded.pages:
            return None
        self.busy = True
        return range(1, self.loaded.pages + 1)

    # -- what is listed ------------------------------------------------------------------------
    def open(self, listing: Listing) -> None:
        """Another listing, or the same one in another site sort: the rows and the filter go.
        The listing shown now is kept while another one loads, so that a mistyped slug does
        not cost the list (``go_back``)."""
        if listing.ref != self.listing.ref:
            shown = self._behind if not isinstance(self.source, Listing) else (
                self._kept() if self.loaded.arrived and not self.failed else None)
            if shown is not None:  # else: what was kept before this one stays
                self.previous = shown
            self.last_visit = None
        else:
            self.previous = None
        self.listing = self.source = listing
        self.loaded = Loaded()
        self._unsorted()  # a listing (or a site sort) shows in the site's order
        self._behind = None
        self.busy = self.shown_once = False
        self.progress = ""
        self.query = Query.parse("")
        self._predicate = None
        self._take([], keep_cursor=False)

    def go_back(self) -> bool:
        """Back to the listing shown before the one that did not load; False if there is
        none."""
        kept, self.previous = self.previous, None
        if kept is None:
            return False
        self._behind = None
        self.shown_once = True
        self._restore(kept)
        return True

    def show_bookmarks(self) -> None:
        """The bookmarks in the list (their rows to be loaded); the listing as it is (rows,
        totals, cursor) waits behind them, if it had loaded."""
        self.show_batch(Bookmarks())

    def show_batch(self, source: Bookmarks | Inbox | Section) -> None:
        """A list that comes in one batch (its rows to be loaded) in place of the listing,
        which waits behind it as it is (rows, totals, cursor), if it had loaded; from one
        batch to another, the listing behind stays."""
        if isinstance(self.source, Listing):
            self._behind = self._kept() if self.loaded.arrived else None
        self.busy = False
        self.progress = ""
        self.source = source
        self.loaded = Loaded()
        self._unsorted()  # in its own order (the inbox: newest activity first), not the listing's
        self.read_here = set()
        self._take([], keep_cursor=False)

    def back_to_listing(self) -> bool:
        """From a batch (the bookmarks, the inbox) back to the listing as it was; False when
        it had not loaded (and is to be loaded now)."""
        kept, self._behind = self._behind, None
        if kept is not None:
            self._restore(kept)
            return True
        self.source, self.loaded = self.listing, Loaded()
        self._unsorted()
        self._take([], keep_cursor=False)
        return False

    def _kept(self) -> Kept:
        return Kept(self.source, self.loaded, self._current_id(), self.list_sort,
                    self.list_reverse)

    def _restore(self, kept: Kept) -> None:
        if isinstance(kept.source, Listing):
            self.listing = kept.source
        self.source, self.loaded = kept.source, kept.loaded
        self.list_sort, self.list_reverse = kept.sort, kept.reverse
        self.progress = ""
        self._take(list(kept.loaded.rows), keep_cursor=False)
        self.select(kept.cursor)

    # -- filter and sort -------------------------------------------------------------------------
    def filter(self, query: Query, live: bool = False) -> bool:
        """Show the rows ``query`` matches, in its sort if it has one. ``live``: typed just now,
        so a last word that may be the start of a qualifier ("vie" on the way to "views:") and
        matches nothing is left out for now. True when it was (the query is being typed)."""
        self._use(query)
        if not (live and query.qualifier_prefix and not self.shown and self.loaded.rows):
            return False
        with contextlib.suppress(QueryError):  # "vpn OR vie": no better result to show
            self._use(Query.parse(query.text.rstrip().rpartition(" ")[0]))
        return True

    def clear_filter(self) -> None:
        self.filter(Query.parse(""))

    def set_context(self, context: Context) -> None:
        """New bookmarks, read state and index facts: the marks change, and what a filter on
        them matches."""
        self.context = context
        if self.filtering:
            self._use(self.query)

    def _use(self, query: Query) -> None:
        self.query = query
        self._predicate = query.predicate(self.context) if query.groups else None
        self._rebuild(self._current_id())

    def next_sort(self) -> None:
        """Sort by the next column (s), the site's order after the last; the newest, the most
        first (a title from A)."""
        key = self.list_sort
        key = (SORT_CYCLE[0] if key is None else
               SORT_CYCLE[SORT_CYCLE.index(key) + 1] if key != SORT_CYCLE[-1] else None)
        self.sort_by(key, key != "title")

    def reverse_sort(self) -> None:
        """The other way round (S); in the site's order, by the first column."""
        self.sort_by(self.list_sort or SORT_CYCLE[0], not self.list_reverse)

    def _unsorted(self) -> None:
        """Each list opens in its own order (a listing: the site's sort; the inbox: newest
        activity first), never in the column the list before it was sorted by."""
        self.list_sort, self.list_reverse = None, True

    def sort_by(self, key: str | None, reverse: bool = True) -> None:
        self.list_sort, self.list_reverse = key, reverse
        self._rebuild(self._current_id())

    # -- the cursor ------------------------------------------------------------------------------
    def move(self, by: int = 0, to: int | None = None) -> bool:
        """The user moves the cursor ``by`` rows, or ``to`` a position (negative: from the end).
        True when it lands near the last loaded row: time for the next page (only the user's
        moves ask for one: a refilter that leaves the cursor near the end must not load pages
        while someone types)."""
        count = len(self.shown)
        target = self.cursor + by if to is None else to if to >= 0 else count + to
        self.cursor = max(0, min(target, count - 1))
        return bool(count) and self.cursor >= count - 3

    def select(self, thread_id: int | None) -> None:
        """Put the cursor on a thread, if it is shown."""
        rows = self.loaded.rows
        for position, index in enumerate(self.shown):
            if rows[index].id == thread_id:
                self.cursor = position
                return

    def _caveat(self) -> str:
        """What the filter (or the list's sort) cannot judge in the rows: counts or marks they
        do not have, which a feed's rows lack; "" when it can judge them all."""
        rows = self.loaded.rows
        if not self._gaps:
            return ""
        brief = bool(self.loaded.feed_note)  # the feed's banner says the counts are unknown
        note = self.query.caveat(rows, brief) if not self.query.empty else None
        if note is None and self.list_sort is not None and not self.query.sort:
            note = sort_caveat(self.list_sort, rows, brief)
        return note or ""

    def _current_id(self) -> int | None:
        current = self.current
        return current.id if current is not None else None

    def next_unread(self, after: int | None = None) -> int | None:
        """The position of the next row to read after thread ``after`` (the one just read),
        or from the cursor's row on: the first still to read (see ``unread``), else the
        first from the top; None when every row is read."""
        shown = self.shown_rows
        start = next((n for n, row in enumerate(shown) if row.id == after), None)
        if start is None:
            start = self.cursor - 1 if after is None else -1
        order = [*range(start + 1, len(shown)), *range(0, max(0, start + 1))]
        return next((n for n in order if self.unread(shown[n]) and shown[n].id != after),
                    None)

    # -- the rows shown --------------------------------------------------------------------------
    def _take(self, rows: list[ThreadSummary], keep_cursor: bool = True) -> None:
        keep = self._current_id() if keep_cursor else None
        self._hay = [haystack(row) for row in rows]
        self._gaps = any(map(incomplete, rows))
        self.loaded = replace(self.loaded, rows=tuple(rows))
        self._rebuild(keep)

    def _rebuild(self, keep: int | None) -> None:
        """Filter, then sort (the query's own sort first, else the list's), the cursor on the
        thread ``keep`` if it is still shown, else on the first row."""
        rows, hay, matches = self.loaded.rows, self._hay, self._predicate
        shown = ([i for i in range(len(rows)) if matches(rows[i], hay[i])] if matches
                 else list(range(len(rows))))
        # A count a row does not have (a feed's row) sorts last, whichever way the sort goes.
        if self.query.sort:
            for name, reverse in reversed(self.query.sort):  # stable: the first key wins
                get = sort_key(name, reverse)
                shown.sort(key=lambda i: get(rows[i]), reverse=reverse)  # type: ignore[arg-type,return-value]
        elif self.list_sort is not None:
            get = sort_key(self.list_sort, self.list_reverse)
            shown.sort(key=lambda i: get(rows[i]), reverse=self.list_reverse)  # type: ignore[arg-type,return-value]
        self.shown = shown
        self.caveat = self._caveat()
        cursor = 0
        if keep is not None:
            cursor = next((n for n, i in enumerate(shown) if rows[i].id == keep), 0)
        self.cursor = min(cursor, max(0, len(shown) - 1))


def unique(rows: Iterable[ThreadSummary]) -> list[ThreadSummary]:
    """Rows in order, each thread once (a thread can move between pages)."""
    seen: set[int] = set()
    out = []
    for row in rows:
        if row.id not in seen:
            seen.add(row.id)
            out.append(row)
    return out


def incomplete(row: ThreadSummary) -> bool:
    """The row lacks a count or its marks (the RSS feed gives neither)."""
    return not row.marks_known or None in (row.replies, row.boosts, row.views)


def feed_note(page: ListingPage) -> str:
    """What to tell the reader when the listing's RSS feed stands in for its page."""
    if page.source is not RowSource.FEED:
        return ""
    return page.notice or "the listing's page could not be read; showing its RSS feed"


def stale_note(result: Sourced[ListingPage]) -> str:
    if not result.stale:
        return ""
    return result.warning or f"cached {age_text(result.age_seconds)} ago"
