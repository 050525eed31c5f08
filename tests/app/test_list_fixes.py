"""The list screen as a new user meets it: load-all that shows each page as it comes, a status
line that cuts whole segments, a mistyped listing that keeps the list, going online again,
switching listing while reading at 80 columns, and filter errors that read whole."""

from __future__ import annotations

from pathlib import Path

from nereader.localforum import Site
from nereader.screenshots import demo_app, settle
from nereader.ui.widgets.thread_list import ThreadList
from tests.app.test_app import main_screen
from tests.gates import HeldTransport, demo_app_on, pages_let_go, until

TAG = "/forums/tags/networkextension"


async def test_load_all_asks_for_pages_in_order_a_few_ahead(tmp_path: Path) -> None:
    """Asking for every page at once let a page early in the list reach the fetcher last (the
    cache lookups before it finish in any order), holding back every row after it: pages are
    asked for a few ahead of the one shown, so each page's rows appear as it arrives."""
    transport = HeldTransport(Site.bundled())
    app = demo_app_on(tmp_path, transport)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        service = app.service
        real = service.listing
        running: set[int] = set()
        most = 0
        order: list[int] = []

        async def listing(*args: object, **kwargs: object) -> object:
            nonlocal most
            page = int(args[1])  # type: ignore[call-overload]
            running.add(page)
            order.append(page)
            most = max(most, len(running))
            try:
                return await real(*args, **kwargs)  # type: ignore[arg-type]
            finally:
                running.discard(page)

        service.listing = listing  # type: ignore[method-assign]
        transport.hold = TAG  # each page waits for the test: every state between is seen
        await pilot.press("A")
        seen, expected = [], []
        async for shown in pages_let_go(transport, 2, 11):  # 20 rows a page, 1 on page 11
            await until(lambda n=shown: main_screen(app).state.rows_loaded == min(20 * n, 201),
                        f"the rows of pages 1-{shown} shown", pilot)
            state = main_screen(app).state
            seen.append((state.rows_loaded, state.progress))
            expected.append((min(20 * shown, 201), f"page {shown + 1} of 11"))
        transport.release_all()
        await settle(pilot)
        assert order == list(range(2, 12))
        assert most <= service.settings.max_in_flight + 1
        # page by page as each arrives, saying which page it waits for
        assert seen[:-1] == expected[:-1] and seen[-1][0] == 201
        assert main_screen(app).state.progress == ""
        assert len(app.query_one(ThreadList).session.rows) == 201


def test_status_line_cuts_whole_parts_never_a_number() -> None:
    import re
    from dataclasses import replace

    from rich.cells import cell_len

    from nereader.core.models import Activity
    from nereader.core.urls import parse_listing_ref
    from nereader.ui.state import ListState
    from nereader.ui.widgets.status import status_parts

    ref = parse_listing_ref("networkextension")[0]
    base = ListState(ref, name="Network Extension", total_posts=201, total_pages=11,
                     pages_loaded=4, rows_loaded=80, rows_shown=9, demo=True)
    states = [base, replace(base, list_sort="activity"), replace(base, rows_shown=80),
              replace(base, list_sort="replies", list_reverse=False, back="esc: clear the filter",
                      progress="page 5 of 11"),
              replace(base, bookmarks=True, rows_loaded=12, rows_shown=3, list_sort="views")]
    for state in states:
        numbers = {str(n) for n in (201, 11, 4, 80, 9, 12, 3, 5)}
        for width in range(44, 170, 3):
            left, right = status_parts(state, Activity(1, False, False), width)
            assert not left or cell_len(left) + 3 + cell_len(right) <= width, (width, left)
            assert set(re.findall(r"\d+", left)) <= numbers, (width, left)
            assert "…" not in re.sub(r"^(Ne|Bo)[^·]*… · ", "", left), (width, left)
            assert left or width < 80
            if state.list_sort and left:
                arrow = "↓" if state.list_reverse else "↑"
                assert (f"{arrow}{state.list_sort}" in left
                        or f"list by {state.list_sort} " in left), (width, left)
    filtered = replace(base, list_sort="activity", back="esc: clear the filter")
    left, _ = status_parts(filtered, Activity(0, False, False), 80)
    assert left == "Network Extension · 9 shown · 80/201 · ↓activity"
    left, _ = status_parts(replace(filtered, rows_loaded=201), Activity(0, False, False), 160)
    assert left == ("Network Extension · sort site order · 9 shown · 201 of 201 loaded "
                    "(4 pages of 11) · list by activity ▼")


def test_header_titles_stay_over_their_columns_whatever_the_sort() -> None:
    """At every width from 20 to 200, sorted by any column either way: every title shown is
    whole, a count's title ends on the cell its numbers end on, sorted or not (the titles
    never move with the sort), and the sorted column's arrow takes the blank cell after its
    numbers, with a blank or the list's edge after it."""
    from rich.style import Style

    from nereader.ui.widgets.rows import COLUMNS, header, widths

    titles = {c.title for c in COLUMNS if c.title}
    for width in range(20, 201):
        spans, at = {}, 0
        for column, w in zip(COLUMNS, widths(width), strict=True):
            if w:
                spans[column.key] = (at, w)
            at += w
        for key in (None, *(c.key for c in COLUMNS[1:])):
            for reverse, arrow in ((True, "▼"), (False, "▲")):
                text = "".join(s.text for s in header(width, Style(), key, reverse))
                where = (width, key, text)
                assert len(text) == width, where
                assert all(word.rstrip(arrow) in titles or word == arrow
                           for word in text.split()), where
                for column in COLUMNS[2:]:
                    if column.key not in spans:
                        continue
                    start, w = spans[column.key]
                    blank = start + w - 1  # the numbers end on the cell before
                    if blank > width:  # the edge cuts the numbers: no title
                        assert column.title not in text[start:], where
                    elif blank < width:
                        assert text[blank - len(column.title):blank] == column.title, where
                        assert text[blank] == (arrow if key == column.key else " "), where
                        assert blank + 1 == width or text[blank + 1] == " ", where
                    elif key == column.key:  # no cell after the numbers: the arrow alone
                        assert text[blank - 1] == arrow, where
                shown = key in spans and sum(spans[key]) - 1 <= width
                assert text.count(arrow) == (1 if shown else 0), where
                if key is None and width >= 31:  # no sort: every column's title, in order
                    assert text.split() == [c.title for c in COLUMNS
                                            if c.title and c.key in spans], where
    unsorted = "".join(s.text for s in header(80, Style(), None, True))
    by_activity = "".join(s.text for s in header(80, Style(), "activity", True))
    assert by_activity.rstrip("▼ ") == unsorted.rstrip()  # Views stays over its numbers
    by_replies = "".join(s.text for s in header(80, Style(), "replies", True))
    assert "Replies▼ Boosts" in by_replies and "Views  Active" in by_replies


def list_lines(app: object, count: int = 6) -> list[str]:
    threads = app.query_one(ThreadList)  # type: ignore[attr-defined]
    return ["".join(s.text for s in threads.render_line(y)).rstrip() for y in range(count)]


async def test_a_mistyped_listing_says_so_and_esc_goes_back(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("j", "j")
        cursor = app.query_one(ThreadList).session.current
        await pilot.press("t", *"nosuchtag")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.state.ref.key == "nosuchtag" and not app.query_one(ThreadList).session.rows
        said = " ".join(line.strip() for line in list_lines(app)[1:])
        assert ("No listing 'nosuchtag' on the site (404): check the slug; t switches "
                "listing. esc goes back to Network Extension.") in said
        assert all(len(line) <= 80 and "…" not in line for line in list_lines(app))
        assert screen.state.back == "esc: back to Network Extension"
        assert screen.active_bindings["escape"].binding.description == "Back"
        await pilot.press("t", *"nosuchtag2")  # a second typo still goes back to the list
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "esc goes back to Network Extension" in " ".join(list_lines(app))
        app.open_listing("netwrkextension")  # near a listing it knows: it says which
        await settle(pilot)
        said = " ".join(line.strip() for line in list_lines(app)[1:])
        assert ("No listing 'netwrkextension' on the site (404). Did you mean Network "
                "Extension (networkextension)? t switches listing.") in said
        await pilot.press("escape")
        await settle(pilot)
        threads = app.query_one(ThreadList)
        assert screen.state.ref.key == "networkextension" and len(threads.session.rows) == 20
        assert threads.session.current == cursor and screen.state.back == ""
        assert screen.state.name == "Network Extension" and screen.state.pages_loaded == 1
        await pilot.press("escape")  # nothing more to go back to: esc passes on
        assert screen.state.ref.key == "networkextension"


async def test_switching_listing_while_reading_narrow_shows_the_list(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.reading and not app.query_one("#list-pane").display
        await pilot.press("t", *"storekit")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.state.name == "StoreKit"
        assert not screen.reading and app.query_one("#list-pane").display
        assert app.query_one(ThreadList).has_focus


async def test_filter_errors_wrap_at_80_columns_and_enter_ends_the_typing(tmp_path: Path
                                                                          ) -> None:
    from textual.widgets import Static

    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        error = app.query_one("#filter-error", Static)
        await pilot.press("slash", *"is:foo")
        await settle(pilot)
        lines = str(error.render()).splitlines()
        assert lines[0].strip() == "^^^" and all(len(line) <= 80 for line in lines)
        assert "…" not in str(error.render()) and error.size.height == len(lines) == 3
        said = " ".join(line.strip() for line in lines[1:])
        assert said == ("unknown is:foo; use one of answered, bookmarked, new, read, "
                        "recommended, staff, unanswered, unread")
        await pilot.press("ctrl+u", *"boosts:3..1")
        await settle(pilot)
        assert str(error.render()).strip() == "^^^^ range is backwards: did you mean 1..3?"
        await pilot.press("ctrl+u", *"vpn (")
        await settle(pilot)
        assert not error.display  # an open parenthesis typed last may yet be closed
        await pilot.press("enter")
        await settle(pilot)
        assert error.display and "parentheses are not supported" in str(error.render())


async def test_going_online_refreshes_the_list_and_retries_a_failed_thread(tmp_path: Path
                                                                          ) -> None:
    site = Site.bundled()
    app = demo_app(tmp_path, site=site)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        banner = app.query_one("#banner")
        await pilot.press("ctrl+o", "r")  # offline, the list refreshed: a stale copy
        await settle(pilot)
        assert screen.state.stale_note.startswith("offline; showing the copy cached")
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        view = screen.view
        assert view is not None and view.error == "thread" and view.thread is None
        failed = view.thread_id
        asked = site.counters.requests
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert site.counters.requests > asked
        assert screen.state.stale_note == "" and not banner.display
        assert "stale" not in str(app.query_one("#status").render())
        assert view.error is None and view.thread is not None and view.thread.id == failed
