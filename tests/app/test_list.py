"""The list keeps what the user did: refresh in place, the bookmarks view and back, esc and the
filter, paging that shows its page, outages that retry, labels, marks and empty states."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from nereader.core.models import ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum import Faults, Site, SiteTransport
from nereader.screenshots import FROZEN_NOW, demo_app, settle
from nereader.ui.app import NereaderApp
from nereader.ui.list_session import EMPTY_TAG, NO_BOOKMARKS, NO_MATCH
from nereader.ui.widgets.filter_bar import FilterInput
from nereader.ui.widgets.thread_list import ThreadList
from tests.app.test_app import main_screen, notifications
from tests.gates import HeldTransport, demo_app_on, page_of, pages_let_go, until

TAG = "/forums/tags/networkextension"


def app_on(tmp_path: Path, site: Site, **settings: object) -> NereaderApp:
    """The app on ``site`` with settings of the test's choosing (no retries, short outages)."""
    base = Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data",
                    config_dir=tmp_path / "config", min_gap=0.0)
    service = ForumService(base.with_(**settings), transport=SiteTransport(site))
    return NereaderApp(service, ListingRef(ListingKind.TAG, "networkextension"), demo=True,
                       clock=lambda: FROZEN_NOW)


def line(threads: ThreadList, y: int) -> str:
    return "".join(segment.text for segment in threads.render_line(y))


def screen_text(pilot: Pilot[None]) -> str:
    return "\n".join(line(pilot.app.query_one(ThreadList), y) for y in range(4))


async def test_refresh_revalidates_every_page_in_place(tmp_path: Path) -> None:
    site = Site.bundled()
    app = demo_app(tmp_path, site=site)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("slash", *"replies:>=8", "enter", "s", "s", "j")
        await settle(pilot)
        current = threads.session.current
        assert current is not None
        before = ([r.id for r in threads.session.shown_rows], threads.session.list_sort, current.id)
        assert len(threads.session.rows) == 201 and len(before[0]) > 3
        asked = site.counters.conditional
        await pilot.press("r")
        await settle(pilot)
        assert site.counters.conditional - asked == 11  # every loaded page, revalidated
        assert len(threads.session.rows) == 201 and main_screen(app).state.pages_loaded == 11
        assert app.query_one(FilterInput).value == "replies:>=8"
        current = threads.session.current
        assert current is not None
        assert ([r.id for r in threads.session.shown_rows], threads.session.list_sort, current.id) == before
        assert main_screen(app).state.progress == ""


async def test_bookmarks_view_and_back_keep_the_loaded_pages(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("G", "k", "k")
        current = threads.session.current
        await pilot.press("v")
        await settle(pilot)
        assert threads.session.rows == () and NO_BOOKMARKS in screen_text(pilot)
        assert "v: back to the listing" in str(app.query_one("#status").render())
        await pilot.press("v")
        await settle(pilot)
        assert len(threads.session.rows) == 201 and threads.session.current == current
        assert main_screen(app).state.pages_loaded == 11


async def test_esc_from_the_list_clears_the_filter(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        box = app.query_one(FilterInput)
        await pilot.press("slash", *"kernel", "enter")
        await pilot.pause()
        assert threads.has_focus and len(threads.session.shown) == 1
        assert "esc: clear the filter" in str(app.query_one("#status").render())
        await pilot.press("escape")
        await pilot.pause()
        assert box.value == "" and len(threads.session.shown) == 20 and threads.has_focus
        await pilot.press("escape")  # nothing to clear: esc passes on, harmlessly
        await pilot.pause()
        assert threads.has_focus and len(threads.session.shown) == 20
        await pilot.press("slash", *"vpn", "escape")  # from the filter bar too
        await pilot.pause()
        assert box.value == "" and threads.has_focus and len(threads.session.shown) == 20


async def test_unfinished_last_token_keeps_the_last_result(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        box = app.query_one(FilterInput)
        error = app.query_one("#filter-error", Static)
        await pilot.press("slash", *"replies:>5")
        await pilot.pause()
        four = [r.id for r in threads.session.shown_rows]
        assert len(four) == 4
        for typed in " vie", "ws:", ">":  # "vie" finds nothing; "views:", "views:>" unfinished
            await pilot.press(*typed)
            await pilot.pause()
            assert [r.id for r in threads.session.shown_rows] == four, typed
            assert not error.display and not box.has_class("-invalid")
            assert box.border_subtitle == "4 of 20 · typing…"
        await pilot.press(*"1k")
        await pilot.pause()
        assert len(threads.session.shown_rows) == 2 and box.border_subtitle == "2 of 20"
        box.value = "replies:>5 views:>lots"  # a finished mistake is said at once
        await pilot.pause()
        assert error.display and "not a number" in str(error.render())


async def test_paging_shows_the_page_and_the_count_grows(tmp_path: Path) -> None:
    transport = HeldTransport(Site.bundled())
    app = demo_app_on(tmp_path, transport)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        transport.hold = TAG  # each page waits for the test: every state between is seen
        await pilot.press("G")
        page2 = await transport.arrival(lambda t: page_of(t) == 2, "page 2")
        await pilot.pause()  # while page 2 is on its way
        assert threads.footer_text == "loading page 2 of 11…"
        last = len(threads.session.shown) - threads.scroll_offset.y + 1
        assert "loading page 2 of 11…" in line(threads, last)
        transport.release(page2)
        await settle(pilot)
        assert len(threads.session.rows) == 40 and threads.footer_text == ""
        await pilot.press("A")
        seen, expected = [], []
        async for shown in pages_let_go(transport, 3, 11):  # 20 rows a page, 1 on page 11
            await until(lambda n=shown: main_screen(app).state.rows_loaded == min(20 * n, 201),
                        f"the rows of pages 1-{shown} shown", pilot)
            seen.append((main_screen(app).state.rows_loaded, main_screen(app).state.progress))
            expected.append((min(20 * shown, 201), f"page {shown + 1} of 11"))
        transport.release_all()
        # the count grows page by page as each arrives; the progress names the page awaited
        assert seen[:-1] == expected[:-1] and seen[-1][0] == 201
        await settle(pilot)
        assert not app.query("#progress") and main_screen(app).state.progress == ""


async def test_outage_banner_retries_at_once_and_counts_down(tmp_path: Path) -> None:
    site = Site.bundled()
    app = app_on(tmp_path, site, retries=0, network_down_for=30.0)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        banner = app.query_one("#banner")
        site.faults = Faults(reset=True)
        await pilot.press("r")
        await settle(pilot)
        text = str(banner.render())
        assert banner.display and "NETWORK DOWN" in text
        # Counting down from 30 s by the real clock: however slow the machine, under 30 now.
        left = re.search(r"next try in (\d+)s", text)
        assert left is not None and 0 < int(left.group(1)) <= 30, text
        assert "r retries now" in text
        site.faults = Faults()
        asked = site.counters.requests
        await pilot.press("r")  # at once, not in 30 s
        await settle(pilot)
        assert site.counters.requests > asked and not banner.display
        assert len(app.query_one(ThreadList).session.rows) == 20


async def test_outage_retries_by_itself(tmp_path: Path) -> None:
    site = Site.bundled()
    app = app_on(tmp_path, site, retries=0, network_down_for=0.1)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        site.faults = Faults(reset=True)
        await pilot.press("r")
        await settle(pilot)
        assert app.query_one("#banner").display
        site.faults = Faults()
        asked = site.counters.requests
        await until(lambda: site.counters.requests > asked, "the try after the outage", pilot)
        await settle(pilot)
        assert not app.query_one("#banner").display


async def test_a_listing_that_failed_is_not_recent(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t", *"no-such-tag")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).state.ref.key == "no-such-tag"
        assert app.recent_listings() == ["networkextension"]
        assert (await app.service.recent_tags()) == ["networkextension"]


async def test_labels_notes_and_new_replies_in_rows_and_filter(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        service = app.service
        await service.set_bookmark_note(828388, "ask about zebras", ("todo", "vpn"))
        row = next(r for r in app.query_one(ThreadList).session.rows if r.id == 821372)
        await service.mark_all_read([replace(row, replies=row.replies - 3)])
        await main_screen(app).refresh_context()
        await settle(pilot)
        threads = app.query_one(ThreadList)
        marked = line(threads, 1 + [r.id for r in threads.session.shown_rows].index(828388))
        assert "#todo #vpn" in marked
        fresh = line(threads, 1 + [r.id for r in threads.session.shown_rows].index(821372))
        assert "↑" in fresh and f"+3 {row.replies}" in fresh
        for query, expected in (("label:todo", [828388]), ("label:#VPN", [828388]),
                                ("note:zebras", [828388]), ("zebras", [828388]),
                                ("-label:todo replies:8", [828410])):
            app.query_one(FilterInput).value = query
            await pilot.pause()
            assert [r.id for r in threads.session.shown_rows] == expected, query


async def test_empty_states_say_what_to_do(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.query_one(FilterInput).value = "zzzz"
        await pilot.pause()
        assert NO_MATCH in screen_text(pilot)
        app.query_one(FilterInput).value = ""
        await pilot.pause()
        app.open_listing("wi-fi-aware")
        await settle(pilot)
        assert EMPTY_TAG in screen_text(pilot)


async def test_cursor_row_is_highlighted_whole(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        # the first row has zero replies and boosts (dim cells) and an activity cell
        backgrounds = {seg.style.bgcolor for seg in threads.render_line(1) if seg.style}
        plain = {seg.style.bgcolor for seg in threads.render_line(2) if seg.style}
        assert len(backgrounds) == 1 and backgrounds != plain


async def test_ellipsis_wider_list_and_no_horizontal_scrollbar(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        pane = app.query_one("#list-pane")
        assert pane.size.width > 140 * 0.6  # no thread open: the list takes the room
        threads = app.query_one(ThreadList)
        wide = [line(threads, y) for y in range(1, 21) if "…" in line(threads, y)]
        await pilot.press("enter")
        await settle(pilot)
        assert pane.size.width == 70
        cut = [line(threads, y) for y in range(1, 21) if "…" in line(threads, y)]
        assert len(cut) > len(wide) and all(c.index("…") > 30 for c in cut)
    app = demo_app(tmp_path / "narrow")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        assert threads.show_vertical_scrollbar and not threads.show_horizontal_scrollbar
        # The list narrows to make room for its scrollbar on the resize after that layout.
        await until(lambda: threads.virtual_size.width <= threads.scrollable_content_region.width,
                    "the list as narrow as the room beside its scrollbar", pilot)
        placeholder = app.query_one(FilterInput).placeholder
        assert placeholder.endswith("…") and len(placeholder) < 76
        notes = notifications(app)
        await pilot.press("r")
        assert notes  # sanity: the notification helper sees this app


def test_status_and_banner_words() -> None:
    from nereader.core.models import Activity
    from nereader.core.urls import parse_listing_ref
    from nereader.ui.state import ListState
    from nereader.ui.widgets.status import banner_text, status_parts

    ref = parse_listing_ref("networkextension")[0]
    idle = Activity(0, False, False)
    state = ListState(ref, name="Network Extension", total_posts=201, total_pages=11,
                      pages_loaded=1, rows_loaded=20, rows_shown=20, demo=True)
    assert status_parts(state, idle) == (
        "Network Extension · sort site order · 20 of 201 loaded (1 page of 11)", "demo")
    marks = replace(state, bookmarks=True, rows_loaded=1, rows_shown=1, back="v: back")
    assert status_parts(marks, Activity(2, False, False)) == (
        "Bookmarks · 1 bookmark", "2 in flight · demo · v: back")
    down = Activity(0, False, True)
    assert status_parts(state, down)[1] == "network down"
    assert banner_text(replace(state, retry_at=100.0), down, now=75.2) == (
        "NETWORK DOWN: reading the cache · next try in 25s · r retries now")
    assert banner_text(state, Activity(0, True, False)).startswith("OFFLINE")


async def test_keys_typed_right_after_slash_reach_the_filter(tmp_path: Path) -> None:
    """"/kernel" delivered at once filters by "kernel": no key goes to the list (where k and
    e would move the cursor and open the note editor)."""
    from textual import events

    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        for ch in "/kernel":
            app.post_message(events.Key("slash" if ch == "/" else ch, ch))
        await settle(pilot)
        box = app.query_one(FilterInput)
        assert box.has_focus and box.value == "kernel"
        assert main_screen(app).state.rows_shown == 1 and app.screen is main_screen(app)


async def test_keys_typed_ahead_act_on_the_row_the_moves_led_to(tmp_path: Path) -> None:
    """"jje" delivered at once (keys that queued while the app was busy) edits the note of the
    third row: the moves reach the list before the screen's e acts, as they were typed."""
    from textual import events

    from nereader.ui.screens.library import NoteScreen

    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        third = main_screen(app).session.shown_rows[2]
        for ch in "jje":
            app.post_message(events.Key(ch, ch))
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen) and app.screen.thread_id == third.id
