"""The shell's finish: the bookmarks view writes its numbers as the listing does, the note
dialog says when saving creates the bookmark, the keys help owns the keyboard while shown, and
a half-typed filter never passes for the last good result."""

from __future__ import annotations

import re
from pathlib import Path

from nereader.screenshots import demo_app, settle
from nereader.ui.widgets.rows import widths
from nereader.ui.widgets.thread_list import ThreadList

ACTIVITY = re.compile(r"^(now|\d+[mhdw]|[A-Z][a-z]{2} ’\d\d)$")


def cells(app: object, title: str) -> list[str]:
    """The row of ``title`` in the list, as its cells after the title: replies, boosts,
    views, activity (the list at 80 columns shows them all)."""
    threads = app.query_one(ThreadList)  # type: ignore[attr-defined]
    width = threads.scrollable_content_region.width
    for y in range(1, threads.size.height):
        line = "".join(s.text for s in threads.render_line(y))
        if title in line:
            out, at = [], 0
            for w in widths(width):
                out.append(line[at:at + w].strip())
                at += w
            return out[2:]
    raise AssertionError(f"{title!r} is not listed")


async def test_bookmarks_view_writes_counts_and_dates_as_the_listing_does(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        listed = {t: cells(app, t) for t in ("Network Extension Resources",
                                             "Kernel panics on M5 devices")}
        await pilot.press("b")  # the first row: Network Extension Resources (3.3k views)
        await settle(pilot)
        app.main.session.move(to=10)  # Kernel panics on M5 devices (36 replies, 4k views)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert app.main.session.bookmarks
        for title, (replies, boosts, views, _active) in listed.items():
            b_replies, b_boosts, b_views, b_active = cells(app, title)
            assert (b_replies, b_boosts, b_views) == (replies, boosts, views), title
            assert ACTIVITY.match(b_active), (title, b_active)
        assert listed["Network Extension Resources"][2] == "3.3k"


async def test_e_on_a_thread_not_bookmarked_says_saving_bookmarks_it(tmp_path: Path) -> None:
    from textual.widgets import Input, Static

    from nereader.ui.screens.library import NoteScreen
    from tests.app.test_app import notifications

    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        said = notifications(app)
        row = app.main.session.current
        assert row is not None and await app.service.get_bookmark(row.id) is None
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        title = str(app.screen.query_one(".prompt-title", Static).render())
        assert f"“{row.title}” is not bookmarked: enter bookmarks it" in title
        await pilot.press(*"proxy #todo", "enter")
        await settle(pilot)
        mark = await app.service.get_bookmark(row.id)
        assert mark is not None and mark.note == "proxy" and mark.labels == ("todo",)
        assert "Bookmarked, with the note: proxy #todo" in said
        await pilot.press("e")  # bookmarked now: the dialog edits it, and says nothing more
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        title = str(app.screen.query_one(".prompt-title", Static).render())
        assert title == "Note and #labels for the bookmark:"
        assert app.screen.query_one(Input).value == "proxy #todo"


async def test_the_help_scrolls_with_the_keys_and_nothing_reaches_the_list(tmp_path: Path) -> None:
    from nereader.ui.widgets.help import KeysHelp

    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        session = app.main.session
        assert threads.has_focus and session.cursor == 0
        order = [row.id for row in session.shown_rows]
        await pilot.press("question_mark")
        await pilot.pause()
        panel = app.screen.query_one(KeysHelp)
        assert panel.display and panel.has_focus and panel.max_scroll_y > 10
        await pilot.press(*"jjjj")
        await pilot.pause()
        assert panel.scroll_y == 4
        await pilot.press("k", "pagedown")
        await pilot.pause()
        page = panel.scrollable_content_region.height - 1
        assert panel.scroll_y == 3 + page
        await pilot.press("G")
        await pilot.pause()
        assert panel.scroll_y == panel.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert panel.scroll_y == 0
        # Keys of the list and of the screen behind it do nothing while the help is shown.
        await pilot.press("s", "b", "space", "end", "slash", "v")
        await settle(pilot)
        assert panel.display and panel.has_focus
        assert session.cursor == 0 and session.list_sort is None and not session.bookmarks
        assert [row.id for row in session.shown_rows] == order
        assert await app.service.bookmarks() == []
        await pilot.press("question_mark")  # ? hides it: the keys are the list's again
        await pilot.pause()
        assert not panel.display and threads.has_focus
        await pilot.press("j")
        await pilot.pause()
        assert session.cursor == 1


async def test_the_help_over_a_thread_scrolls_itself_and_gives_the_focus_back(
        tmp_path: Path) -> None:
    from nereader.screenshots import open_thread
    from nereader.ui.widgets.help import KeysHelp
    from nereader.ui.widgets.thread_view import ThreadView

    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_thread(pilot, 821372)
        view = app.query_one(ThreadView)
        assert view.has_focus
        await pilot.press("question_mark")
        await pilot.pause()
        panel = app.screen.query_one(KeysHelp)
        text = str(panel.render_help())
        assert text.startswith("Thread") and "This help" in text  # the thread's keys
        top = view.scroll_y
        await pilot.press("j", "j", "pagedown")
        await pilot.pause()
        assert panel.scroll_y > 2 and view.scroll_y == top
        await pilot.press("escape")
        await pilot.pause()
        assert not panel.display and view.has_focus and app.main.reading
        await pilot.press("question_mark")  # open again: at the top, the focus taken again
        await pilot.pause()
        assert panel.display and panel.has_focus and panel.scroll_y == 0
        app.query_one(ThreadList).focus()  # a click into the list: the help goes
        await pilot.pause()
        assert not panel.display
        await pilot.press("j")
        await pilot.pause()
        assert app.main.session.cursor == 1


async def _typed(pilot, text: str) -> list[tuple[str, int, bool, bool]]:  # type: ignore[no-untyped-def]
    """Type ``text`` a key at a time; after each key: the query the list shows, how many rows,
    whether the bar says "typing…" and whether it shows an error."""
    from textual.widgets import Static

    from nereader.ui.widgets.filter_bar import FilterBar

    app = pilot.app
    bar = app.main.query_one(FilterBar)
    seen = []
    for key in text:
        await pilot.press(key)
        await pilot.pause()
        session = app.main.session
        seen.append((session.query.text.strip(), len(session.shown), bar.pending,
                     bool(bar.query_one("#filter-error", Static).display)))
    return seen


async def test_a_half_typed_query_never_passes_for_the_last_good_result(tmp_path: Path) -> None:
    """``boosts:3..1`` typed out passes ``boosts:3`` and ``boosts:3..``, which parse and show
    for a moment; the error at the end shows the result from before, not ``boosts:3``'s."""
    from nereader.ui.widgets.filter_bar import FilterBar

    app = demo_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        bar = app.main.query_one(FilterBar)
        bar.pause = 3600.0  # typed without a pause (no timer may settle a prefix)
        rows = app.main.session.loaded.rows
        everything = len(rows)
        threes = sum(1 for r in rows if r.boosts == 3)
        three_up = sum(1 for r in rows if (r.boosts or 0) >= 3)
        assert 0 < threes < everything and threes <= three_up < everything
        await pilot.press("slash")
        seen = await _typed(pilot, "boosts:3..1")
        assert seen[6] == ("", everything, True, False)  # "boosts:" waits, typing…
        assert seen[7] == ("boosts:3", threes, False, False)  # parses: shown at once
        assert seen[8] == ("", everything, True, False)  # "boosts:3." waits: not boosts:3
        assert seen[9] == ("boosts:3..", three_up, False, False)
        assert seen[10] == ("", everything, False, True)  # the error: the last good result
        # Paused on boosts:3 (the bar's timer), the same keys end on its rows.
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("slash")
        await _typed(pilot, "boosts:3")
        bar.paused()
        seen = await _typed(pilot, "..1")
        assert seen[-1] == ("boosts:3", threes, False, True)


async def test_a_space_enter_or_the_history_settle_on_a_query(tmp_path: Path) -> None:
    from nereader.ui.widgets.filter_bar import FilterBar, FilterInput

    app = demo_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        bar = app.main.query_one(FilterBar)
        bar.pause = 3600.0
        await pilot.press("slash")
        seen = await _typed(pilot, "tunnel replies:>lots")
        assert seen[6][0] == "tunnel"  # typed past it: the space settles on "tunnel"
        assert seen[-1][0] == "tunnel" and seen[-1][3]  # the error shows tunnel's rows
        await pilot.press("escape", "slash")
        await _typed(pilot, "is:answered")
        await pilot.press("enter")  # enter settles on it, and keeps it in the history
        await pilot.pause()
        await pilot.press("slash", "end")  # the query is selected: end, and type on
        seen = await _typed(pilot, "x")  # "is:answeredx" is an error
        assert seen[-1][0] == "is:answered" and seen[-1][3]
        await pilot.press("escape", "slash", "up")  # from the history: put in whole
        await pilot.pause()
        assert app.main.query_one(FilterInput).value == "is:answered"
        await pilot.press("end")
        seen = await _typed(pilot, "x")
        assert seen[-1][0] == "is:answered" and seen[-1][3]
        # Typed, neither paused on nor finished, it is not settled on.
        await pilot.press("escape", "slash")
        seen = await _typed(pilot, "is:answeredx")
        assert seen[-2][0] == "is:answered" and seen[-1][0] == "" and seen[-1][3]
