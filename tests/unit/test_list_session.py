"""The list session on its own, no Textual: pages merged in order, the filter (and the half-typed
qualifier it leaves out), the list's sort, the cursor kept on its thread, the bookmarks view
and back, the listing to go back to after a mistyped one, the RSS feed standing in, the inbox
and a section (one batch, each row's listing, what was read there, the next thread to read), and
the state the status line and the banner draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from nereader.core.errors import FetchError, ListingNotFound, NotFoundError
from nereader.core.models import (
    Activity,
    ListingKind,
    ListingPage,
    RowSource,
    Sourced,
    ThreadSummary,
)
from nereader.core.query import Context, Query
from nereader.core.urls import ListingRef
from nereader.ui.list_session import (
    EMPTY_TAG,
    NO_BOOKMARKS,
    NO_MATCH,
    NO_NEWS,
    Inbox,
    Listing,
    ListSession,
    Section,
    unique,
)
from nereader.ui.widgets.status import banner_text, status_parts

NOW = datetime(2026, 6, 12, tzinfo=UTC)
NETEXT = ListingRef(ListingKind.TAG, "networkextension")
STOREKIT = ListingRef(ListingKind.TAG, "storekit")
IDLE = Activity(0, False, False)


def row(id: int, title: str = "", replies: int = 0, views: int = 0, hours: int = 0
        ) -> ThreadSummary:
    return ThreadSummary(id, title or f"thread {id}", f"https://example.com/thread/{id}",
                         replies=replies, views=views,
                         activity_at=NOW - timedelta(hours=hours or id))


def page(number: int, rows: Sequence[ThreadSummary], total_pages: int = 3,
         name: str = "Network Extension", stale: str | None = None) -> Sourced[ListingPage]:
    value = ListingPage(ListingKind.TAG, "networkextension", name, "", 60, number, total_pages,
                        None, None, None, NOW, tuple(rows))
    return Sourced(value, "stale" if stale else "network", NOW, stale)


def ids(session: ListSession) -> list[int]:
    return [r.id for r in session.shown_rows]


def loaded(*pages: Sequence[ThreadSummary], total_pages: int = 3) -> ListSession:
    """A session on Network Extension with ``pages`` loaded (page 1 first)."""
    session = ListSession(Listing(NETEXT))
    session.first_page(page(1, pages[0], total_pages))
    for number, rows in enumerate(pages[1:], 2):
        session.next_page(number, page(number, rows, total_pages))
    return session


# -- rows arriving ---------------------------------------------------------------------------
def test_first_page_is_shown_and_said_once() -> None:
    session = ListSession(Listing(NETEXT, "replies", "DESC"), demo=True)
    assert session.state().name == "" and session.empty_note == ""  # nothing came yet
    assert session.first_page(page(1, [row(1), row(2)])) is True
    state = session.state()
    assert (state.ref, state.sort, state.order) == (NETEXT, "replies", "DESC")
    assert (state.name, state.total_posts, state.total_pages, state.pages_loaded) == (
        "Network Extension", 60, 3, 1)
    assert (state.rows_loaded, state.rows_shown, state.demo, state.bookmarks) == (2, 2, True,
                                                                                  False)
    assert session.first_page(page(1, [row(1), row(2), row(3)])) is False  # the site's copy
    assert ids(session) == [1, 2, 3]


def test_pages_merge_in_order_without_repeats() -> None:
    session = loaded([row(1), row(2)], [row(2), row(3)], [row(4), row(3), row(5)])
    assert ids(session) == [1, 2, 3, 4, 5]
    assert session.state().pages_loaded == 3 and not session.more_pages
    assert unique([row(1), row(1), row(2)]) == [row(1), row(2)]


def test_page_one_arriving_late_goes_first() -> None:
    """Paged on from the cached page 1 while the site's page 1 was on its way: the site's page 1
    goes first, the later pages after it, each thread once."""
    session = loaded([row(1), row(2)], [row(3), row(4)])
    session.move(to=-1)
    assert session.current == row(4)
    session.first_page(page(1, [row(9), row(1), row(3)]))
    assert ids(session) == [9, 1, 3, 2, 4]
    assert session.state().pages_loaded == 2  # not back to 1
    assert session.current == row(4)  # the cursor stays on its thread


def test_a_stale_page_says_so_and_a_refresh_keeps_the_worst_note() -> None:
    session = ListSession(Listing(NETEXT))
    session.first_page(page(1, [row(1)], stale="offline; showing the copy cached 2 h ago"))
    assert session.state().stale_note == "offline; showing the copy cached 2 h ago"
    session.next_page(2, page(2, [row(2)]))
    assert session.state().stale_note == ""  # the latest page speaks
    session.refreshed([page(1, [row(1)]), page(2, [row(2)], stale="server said 503")])
    assert session.state().stale_note == "server said 503"


def test_refresh_replaces_rows_in_place_keeping_cursor_filter_and_sort() -> None:
    session = loaded([row(1, "vpn a", replies=1), row(2, "vpn b", replies=5), row(3, "dns")],
                     [row(4, "vpn c", replies=3)])
    session.filter(Query.parse("vpn"))
    session.next_sort()
    session.next_sort()  # replies, most first
    session.move(to=1)
    assert ids(session) == [2, 4, 1] and session.current == row(4, "vpn c", replies=3)
    session.refreshed([page(1, [row(1, "vpn a", replies=9), row(2, "vpn b", replies=5),
                                row(3, "dns")]),
                       page(2, [row(4, "vpn c", replies=3), row(5, "vpn d")])])
    assert ids(session) == [1, 2, 4, 5]
    assert session.current is not None and session.current.id == 4
    assert session.state().rows_loaded == 5 and session.state().rows_shown == 4
    assert session.query.text == "vpn" and session.list_sort == "replies"


# -- paging ----------------------------------------------------------------------------------
def test_pages_to_load_one_or_every_one_never_twice() -> None:
    session = loaded([row(1)], total_pages=4)
    assert session.pages_to_load() == range(2, 3) and session.busy
    assert session.pages_to_load(every=True) is None  # busy: no second load
    session.busy = False
    assert session.pages_to_load(every=True) == range(2, 5)
    session.busy = False
    assert session.pages_to_refresh() == range(1, 2) and session.busy
    session.show_bookmarks()
    assert not session.more_pages and session.pages_to_load() is None
    assert session.pages_to_refresh() is None  # a batch loads again from the start


def test_cursor_moves_and_says_when_it_nears_the_end() -> None:
    session = loaded([row(n) for n in range(1, 11)])
    assert session.move(by=1) is False and session.cursor == 1
    assert session.move(by=-5) is False and session.cursor == 0
    assert session.move(to=-1) is True and session.cursor == 9
    assert session.move(by=100) is True and session.cursor == 9
    assert session.move(to=6) is False and session.move(to=7) is True
    session.select(3)
    assert session.current == row(3)
    session.select(99)  # not shown: the cursor stays
    assert session.current == row(3)
    empty = ListSession(Listing(NETEXT))
    assert empty.move(by=1) is False and empty.cursor == 0 and empty.current is None


# -- filter and sort -------------------------------------------------------------------------
ROWS = [row(1, "Packet tunnel stalls", replies=2, views=50),
        row(2, "DNS proxy question", replies=9, views=10),
        row(3, "Packet filter crash", replies=7, views=900),
        row(4, "Content filter", replies=0, views=300)]


def test_filter_keeps_the_cursor_on_its_thread_or_goes_to_the_first_row() -> None:
    session = loaded(ROWS)
    session.move(to=2)
    assert session.filter(Query.parse("packet")) is False
    assert ids(session) == [1, 3] and session.current == ROWS[2]
    assert session.state().rows_shown == 2 and session.state().rows_loaded == 4
    session.filter(Query.parse("dns"))
    assert ids(session) == [2] and session.cursor == 0
    session.filter(Query.parse("zzz"))
    assert ids(session) == [] and session.current is None and session.empty_note == NO_MATCH
    session.clear_filter()
    assert ids(session) == [1, 2, 3, 4] and not session.filtering


def test_a_half_typed_qualifier_is_left_out_while_typing() -> None:
    """"replies:>5 vie" on the way to "views:": "vie" matches nothing, so while typing the list
    keeps what "replies:>5" shows; finished (not live), the query is taken as it is."""
    session = loaded(ROWS)
    assert session.filter(Query.parse("replies:>5 vie"), live=True) is True
    assert ids(session) == [2, 3] and session.query.text == "replies:>5"
    assert session.filter(Query.parse("replies:>5 vie")) is False
    assert ids(session) == []
    assert session.filter(Query.parse("replies:>5 views:>100"), live=True) is False
    assert ids(session) == [3]
    # A last word that still matches something is a word, not a qualifier on its way.
    assert session.filter(Query.parse("packet filt"), live=True) is False
    assert ids(session) == [3]


def test_the_list_sort_cycles_reverses_and_yields_to_the_query_sort() -> None:
    session = loaded(ROWS)
    session.move(to=1)
    seen = []
    for _ in range(6):
        session.next_sort()
        seen.append((session.list_sort, session.list_reverse, ids(session)[0]))
        assert session.current == ROWS[1]  # the cursor follows its thread
    assert [s[:2] for s in seen] == [("activity", True), ("replies", True), ("boosts", True),
                                     ("views", True), ("title", False), (None, True)]
    assert ids(session) == [1, 2, 3, 4]  # the site's order again
    session.reverse_sort()  # from the site's order: the first column, the other way
    assert (session.list_sort, session.list_reverse) == ("activity", False)
    assert ids(session) == [4, 3, 2, 1]
    session.sort_by("views")
    assert ids(session) == [3, 4, 1, 2]
    session.filter(Query.parse("sort:-replies"))  # the query's own sort comes first
    assert ids(session) == [2, 3, 1, 4] and session.list_sort == "views"
    state = session.state()
    assert (state.list_sort, state.list_reverse) == ("views", True)


def test_a_new_context_refilters_what_it_decides() -> None:
    session = loaded(ROWS)
    session.filter(Query.parse("is:bookmarked"))
    assert ids(session) == []
    session.set_context(Context(now=NOW, bookmarked={3}, labels={3: ("todo",)}))
    assert ids(session) == [3]
    assert session.marks(ROWS[2])[2] == "⚑" and session.decor(ROWS[2])[1] == ("todo",)


# -- what is listed --------------------------------------------------------------------------
def test_bookmarks_view_and_back_keep_the_listing() -> None:
    session = loaded(ROWS, [row(5)])
    session.filter(Query.parse("packet"))
    session.move(to=1)
    session.show_bookmarks()
    assert session.bookmarks and session.rows == () and session.empty_note == ""
    assert session.state().bookmarks and session.state().title == "Bookmarks"
    assert session.way_back(reading=False, narrow=False, typing=False) == (
        "v: back to the listing")
    session.batch([row(7), row(8)])
    state = session.state()
    assert (state.rows_loaded, state.total_posts, state.pages_loaded, state.ref) == (
        2, 2, 0, NETEXT)
    assert ids(session) == []  # the filter stays on: neither is about packets
    session.batch([])
    assert session.empty_note == NO_BOOKMARKS
    assert session.back_to_listing() is True
    assert not session.bookmarks and ids(session) == [1, 3]
    assert session.current == ROWS[2] and session.state().pages_loaded == 2
    assert session.empty_note == ""


def test_back_from_the_bookmarks_to_a_listing_that_never_loaded_loads_it() -> None:
    session = ListSession(Listing(NETEXT))
    session.show_bookmarks()
    session.batch([row(7)])
    assert session.back_to_listing() is False  # to be loaded now
    assert not session.bookmarks and session.rows == () and session.state().pages_loaded == 0


def test_a_mistyped_listing_keeps_the_one_shown_to_go_back_to() -> None:
    session = loaded(ROWS)
    session.move(to=2)
    session.filter(Query.parse("packet"))
    session.open(Listing(ListingRef(ListingKind.TAG, "nosuchtag")))
    assert session.rows == () and not session.filtering  # the filter went with the rows
    why = session.failed_to_load(NotFoundError("404"))
    assert why == ("No listing 'nosuchtag' on the site (404): check the slug; t switches "
                   "listing. esc goes back to Network Extension.")
    assert session.failed and session.can_go_back and session.empty_note == why
    assert session.way_back(reading=False, narrow=False, typing=False) == (
        "esc: back to Network Extension")
    session.open(Listing(ListingRef(ListingKind.TAG, "nosuchtag2")))  # a second typo
    why = session.failed_to_load(FetchError("connection refused"))
    assert why is not None and why.startswith("Nothing to show yet: r tries again")
    assert "connection refused. esc goes back to Network Extension." in why
    assert session.go_back() is True
    state = session.state()
    assert (state.ref, state.name, state.pages_loaded, state.rows_loaded) == (
        NETEXT, "Network Extension", 1, 4)
    assert session.current == ROWS[2] and not session.failed and session.shown_once
    assert session.go_back() is False  # nothing more to go back to


def test_a_listing_that_loads_forgets_the_way_back() -> None:
    session = loaded(ROWS)
    session.open(Listing(STOREKIT))
    assert session.previous is not None and session.previous.title == "Network Extension"
    assert session.first_page(page(1, [row(9)], name="StoreKit")) is True
    assert session.previous is None and not session.can_go_back
    session.open(Listing(STOREKIT, "views", "DESC"))  # the same listing, another site sort
    assert session.previous is None and session.state().sort == "views"


def test_a_failure_with_rows_shown_leaves_them() -> None:
    session = loaded(ROWS)
    assert session.failed_to_load(FetchError("timed out")) is None
    assert not session.failed and session.empty_note == ""


def test_empty_notes_say_what_to_do() -> None:
    session = ListSession(Listing(STOREKIT))
    assert session.empty_note == ""  # still loading
    session.first_page(page(1, [], total_pages=1, name="StoreKit"))
    assert session.empty_note == EMPTY_TAG and session.state().title == "StoreKit"


@pytest.mark.parametrize(("reading", "narrow", "typing", "bookmarks", "back"), [
    (True, True, False, False, "esc: back to the list"),
    (True, True, True, True, "esc: back to the list"),
    (False, True, False, True, "v: back to the listing"),
    (False, False, True, False, "esc: clear the filter"),
    (True, False, True, False, ""),  # reading beside the list: esc is the reader's
    (False, False, False, False, ""),
])
def test_the_way_back_said_first(reading: bool, narrow: bool, typing: bool, bookmarks: bool,
                                 back: str) -> None:
    session = loaded(ROWS)
    if bookmarks:
        session.show_bookmarks()
    assert session.way_back(reading=reading, narrow=narrow, typing=typing) == back
    assert session.state(back).back == back


def test_while_finding_in_the_thread_esc_ends_the_find() -> None:
    """The find bar open (typing, or stepping through matches): esc ends the find, at any
    width, before it goes back to the list."""
    session = loaded(ROWS)
    for narrow in (True, False):
        assert session.way_back(reading=True, narrow=narrow, typing=False,
                                finding=True) == "esc: end the find"
    assert session.way_back(reading=True, narrow=True, typing=False) == "esc: back to the list"


def test_load_all_says_why_there_is_nothing_to_load() -> None:
    """A with nothing to load says what is true: never "every page is loaded" when none
    could be had."""
    session = ListSession(Listing(NETEXT))
    assert session.nothing_to_load(False, False) == "The first page is still loading."
    session.failed_to_load(FetchError("cannot reach developer.apple.com"))
    down = session.nothing_to_load(False, True)
    assert "cannot be reached (network down)" in down and "r tries again" in down
    assert "ctrl+o goes online" in session.nothing_to_load(True, False)
    assert "Every page" not in session.nothing_to_load(False, False)
    session.first_page(page(1, ROWS[:2], total_pages=1))
    assert session.nothing_to_load(False, True) == "Every page is loaded."
    session.show_bookmarks()
    assert "no pages to load" in session.nothing_to_load(False, False)


@pytest.mark.parametrize(("demo", "first_run", "mentioned"), [
    (False, True, True), (False, False, False), (True, True, False)])
def test_a_first_run_without_the_network_mentions_the_demo(demo: bool, first_run: bool,
                                                           mentioned: bool) -> None:
    session = ListSession(Listing(NETEXT), demo=demo)
    why = session.failed_to_load(FetchError("cannot reach developer.apple.com"), first_run)
    assert why is not None and why.startswith("Nothing to show yet: r tries again")
    assert ("`nereader --demo`" in why) is mentioned


def test_state_carries_progress_and_the_next_try() -> None:
    session = loaded(ROWS)
    session.progress, session.retry_at = "page 2 of 3", 123.0
    state = session.state()
    assert (state.progress, state.retry_at) == ("page 2 of 3", 123.0)
    session.open(Listing(STOREKIT))
    assert session.state().progress == "" and session.state().retry_at == 123.0


def test_a_listing_that_failed_is_not_the_way_back() -> None:
    """An empty copy came, then the site failed: a listing that shows only why it failed is
    not kept to go back to."""
    session = ListSession(Listing(STOREKIT))
    session.first_page(page(1, [], total_pages=1, name="StoreKit"))
    assert session.failed_to_load(FetchError("reset")) is not None and session.failed
    session.open(Listing(NETEXT))
    assert session.previous is None
    session.first_page(page(1, ROWS))
    session.open(Listing(STOREKIT))  # one that loaded is kept
    assert session.previous is not None and session.previous.title == "Network Extension"


def test_a_listing_near_the_one_mistyped_is_named() -> None:
    session = loaded(ROWS)
    session.open(Listing(ListingRef(ListingKind.TAG, "netwrkextension")))
    near = (("networkextension", "Network Extension"), ("wi-fi-aware", "wi-fi-aware"))
    why = session.failed_to_load(ListingNotFound("404", "netwrkextension", near))
    assert why == ("No listing 'netwrkextension' on the site (404). Did you mean Network "
                   "Extension (networkextension) or wi-fi-aware? t switches listing. esc goes "
                   "back to Network Extension.")


# -- the inbox and the sections ---------------------------------------------------------------
def inbox(*rows: ThreadSummary, news: dict[int, int] | None = None) -> ListSession:
    """A session on the inbox, Network Extension (three rows) behind it."""
    session = loaded([row(1), row(2), row(3)])
    session.show_batch(Inbox())
    session.batch(rows, where={r.id: "Network Extension" for r in rows}, news=news)
    return session


def test_the_inbox_is_a_batch_with_each_rows_listing_and_the_listing_behind() -> None:
    session = inbox(row(7), row(8), news={8: 2})
    assert ids(session) == [7, 8] and session.news_list and not session.bookmarks
    state = session.state()
    assert state.title == "Inbox" and state.batch == "Inbox" and state.rows_loaded == 2
    assert session.decor(row(7))[3] == "Network Extension"
    # A bookmark's new posts (comments too) are news even with the reply count unchanged.
    marks, _labels, new, _where = session.decor(row(8))
    assert marks[3] == "↑" and new == 2
    session.clear_filter()
    assert session.back_to_listing() and ids(session) == [1, 2, 3]


def test_an_empty_inbox_says_what_to_do() -> None:
    session = inbox()
    assert session.empty_note == NO_NEWS
    session.show_batch(Section("Staff answers"))
    assert session.state().title == "Staff answers" and session.empty_note == ""


def test_a_thread_read_in_the_inbox_leaves_it_the_cursor_on_the_next() -> None:
    session = inbox(row(5), row(6), row(7), row(8))
    session.move(to=1)
    session.read_here.add(6)
    session.batch([row(5), row(7), row(8)])  # loaded again: 6 was read
    assert session.current is not None and session.current.id == 7
    session.move(to=-1)  # the last one read too: the cursor stays at the end
    session.batch([row(5), row(7)])
    assert session.current is not None and session.current.id == 7
    assert session.read_here == set()


def test_next_unread_goes_on_after_the_thread_just_read_and_wraps() -> None:
    session = inbox(row(5), row(6), row(7), row(8))
    session.read_here |= {5, 6}
    assert session.next_unread(after=6) == 2  # 7, the next one below
    session.read_here.add(7)
    assert session.next_unread(after=7) == 3
    session.read_here.add(8)
    assert session.next_unread(after=8) is None  # all read here
    # From the list (no thread just read): the cursor's row if it is still to read.
    session = inbox(row(5), row(6), row(7))
    session.move(to=1)
    assert session.next_unread() == 1
    session.read_here.add(6)
    assert session.next_unread() == 2
    session.read_here.add(7)
    assert session.next_unread() == 0  # from the top again


def test_next_unread_in_a_listing_follows_the_read_state() -> None:
    session = loaded([row(1), row(2), row(3)])
    session.set_context(Context(now=NOW, unread=lambda r: r.id != 2))
    assert session.next_unread(after=1) == 2  # 2 is read: 3
    session.read_here.add(3)
    assert session.next_unread(after=3) == 0


# -- the RSS feed standing in for the listing's page -------------------------------------------
FEED_NOTE = "the tag page changed; showing its RSS feed: 3 latest threads, counts unknown"


def feed_row(id: int, title: str = "") -> ThreadSummary:
    return replace(row(id, title), replies=None, boosts=None, views=None,
                   source=RowSource.FEED)


def feed_page(rows: Sequence[ThreadSummary]) -> Sourced[ListingPage]:
    value = replace(page(1, rows, 1).value, total_posts=None, source=RowSource.FEED,
                    notice=FEED_NOTE)
    return Sourced(value, "network", NOW, None)


def test_feed_rows_say_so_in_the_state_and_the_banner() -> None:
    session = ListSession(Listing(NETEXT))
    session.first_page(feed_page([feed_row(1), feed_row(2), feed_row(3)]))
    state = session.state()
    assert state.feed_note == FEED_NOTE and state.caveat == ""
    left, _ = status_parts(state, IDLE)
    assert "from its RSS feed" in left and "3 latest threads" in left and "of ?" not in left
    assert banner_text(state, IDLE) == f"FEED: {FEED_NOTE} · r tries the page again"
    # Offline there is no page to try again.
    assert banner_text(state, Activity(0, True, False)).endswith(f"FEED: {FEED_NOTE}")
    # A page read as it should be says nothing of the kind.
    session.first_page(page(1, [row(1, replies=2)], 1))
    assert session.state().feed_note == "" and banner_text(session.state(), IDLE) == ""


def test_sorting_and_filtering_by_counts_the_feed_lacks_say_what_they_do() -> None:
    session = ListSession(Listing(NETEXT))
    session.first_page(feed_page([feed_row(1), feed_row(2), feed_row(3)]))
    session.sort_by("replies")
    assert session.state().caveat == "sorting puts the 3 threads whose replies are unknown last"
    assert "sorting puts the 3 threads" in banner_text(session.state(), IDLE)
    session.sort_by("title", reverse=False)
    assert session.state().caveat == ""  # titles are known
    session.filter(Query.parse("replies:>3"))
    assert ids(session) == []
    assert session.state().caveat == ("replies:>3 matches none of the 3 threads whose replies "
                                      "are unknown")
    session.clear_filter()
    assert session.state().caveat == ""


def test_unknown_counts_sort_last_whichever_way() -> None:
    """Bookmarks of threads never cached have no counts: they go last both ways, and the
    caveat names them in full (no feed banner has said counts are unknown)."""
    session = ListSession(Listing(NETEXT))
    session.show_bookmarks()
    session.batch([row(1, replies=5), feed_row(2), row(3, replies=1)])
    session.sort_by("replies", reverse=True)
    assert ids(session) == [1, 3, 2]
    session.sort_by("replies", reverse=False)
    assert ids(session) == [3, 1, 2]
    assert session.state().caveat.startswith("replies unknown for 1 of the 3 threads")
