"""The inbox and the sections in the app, driven through Pilot on the bundled forum: the home
screen's first rows, the inbox open in the list (two followed listings, a bookmark with a new
reply), read on return, the U loop, M, sections from the config file and a filter promoted to
one."""

from __future__ import annotations

import tomllib
from pathlib import Path

from nereader.localforum import Site
from nereader.screenshots import settle
from nereader.ui.app import NereaderApp
from nereader.ui.list_session import NO_NEWS, Inbox, Section
from nereader.ui.screens.home import HomeTable
from nereader.ui.screens.main import MainScreen
from nereader.ui.widgets.thread_view import ThreadView
from tests.app.test_home import home_app, home_screen
from tests.net.test_bookmarks_service import add_reply

NETWORKING = "topics/app-and-system-services/app-and-system-services-networking"
TWO = ("networkextension", NETWORKING)  # the demo's Networking topic holds the same threads


def main_screen(app: NereaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def reading(app: NereaderApp) -> int | None:
    return main_screen(app).query_one(ThreadView).thread_id


async def with_news(app: NereaderApp, site: Site) -> None:
    """828388 bookmarked and read, then a reply to it arrives (and is fetched)."""
    await app.service.bookmark(828388)
    await app.service.open_thread(828388)
    add_reply(site)
    await app.service.thread(828388, refresh=True)


async def test_the_inbox_reads_as_a_loop_and_empties_on_return(tmp_path: Path) -> None:
    site = Site.bundled()
    app = home_app(tmp_path, follow=TWO, site=site)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await with_news(app, site)
        await pilot.press("r")
        await settle(pilot)
        home = home_screen(app)
        inbox = home.rows[0]
        assert (inbox.name, inbox.threads, inbox.unread, inbox.bookmarks_new) == (
            "Inbox", 20, 19, 1)
        assert app.query_one(HomeTable).row_count == 3
        await pilot.press("enter")  # the first row: the inbox
        await settle(pilot)
        main = main_screen(app)
        session = main.session
        assert isinstance(session.source, Inbox) and main.state.title == "Inbox"
        assert len(session.rows) == 20 and session.rows[0].id == 829114
        assert session.decor(session.rows[0])[3] == "Network Extension +1"
        bookmark = next(r for r in session.rows if r.id == 828388)
        marks, _, new, _ = session.decor(bookmark)
        assert marks[2:] == "⚑↑" and new == 1  # its new reply
        await pilot.press("enter")  # read the first, then U: the next, without the list
        await settle(pilot)
        assert reading(app) == 829114
        await pilot.press("U")
        await settle(pilot)
        assert reading(app) == 829051 and session.current is not None
        assert session.current.id == 829051  # the list's cursor went along
        await pilot.press("escape")  # back in the list: what was read has left it
        await settle(pilot)
        assert len(session.rows) == 18 and {829114, 829051}.isdisjoint(
            r.id for r in session.rows)
        assert session.current is not None and session.current.id == 829003  # the next one
        await pilot.press("H")
        await settle(pilot)
        assert home_screen(app).rows[0].threads == 18


async def test_m_marks_the_inbox_read_after_asking(tmp_path: Path) -> None:
    site = Site.bundled()
    app = home_app(tmp_path, follow=TWO, site=site)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await with_news(app, site)
        await pilot.press("enter")
        await settle(pilot)
        session = main_screen(app).session
        assert len(session.rows) == 20
        await pilot.press("M")
        await settle(pilot)
        await pilot.press("n")  # no: nothing changes
        await settle(pilot)
        assert len(session.rows) == 20
        await pilot.press("M")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert session.rows == () and session.empty_note == NO_NEWS
        assert (await app.service.inbox()).items == ()  # the bookmark's new post is seen too
        await pilot.press("U")
        await settle(pilot)
        assert reading(app) is None


async def test_sections_from_the_config_file(tmp_path: Path) -> None:
    app = home_app(tmp_path, follow=TWO)
    config = tmp_path / "config" / "config.toml"
    config.write_text(config.read_text() + (
        '\n[[sections]]\nname = "Answered, busy"\nquery = "is:answered replies:>2"\n'
        '\n[[sections]]\nname = "Everything NE"\nlisting = "networkextension"\n'))
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await app.service.open_thread(828410)  # answered, 8 replies: read
        await pilot.press("r")
        await settle(pilot)
        rows = home_screen(app).rows
        assert [(r.name, r.threads) for r in rows[:3]] == [
            ("Inbox", 19), ("Answered, busy", 2), ("Everything NE", 20)]
        assert app.query_one(HomeTable).row_count == 5
        await pilot.press("down", "enter")
        await settle(pilot)
        main = main_screen(app)
        assert main.session.source == Section("Answered, busy")
        assert main.state.title == "Answered, busy"
        assert {r.id for r in main.session.rows} == {827460, 788921}
        await pilot.press("H")
        await settle(pilot)
        await pilot.press("down", "enter")  # a listing's section: read threads too
        await settle(pilot)
        main = main_screen(app)
        assert main.state.title == "Everything NE" and len(main.session.rows) == 20
        assert main.session.decor(main.session.rows[0])[3] == ""  # one listing: not named


async def test_a_filter_becomes_a_section_of_the_home_screen(tmp_path: Path) -> None:
    app = home_app(tmp_path, follow=TWO)
    config = tmp_path / "config" / "config.toml"
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # Network Extension
        await settle(pilot)
        await pilot.press("slash", *"is:answered", "enter")
        await settle(pilot)
        main = main_screen(app)
        command = next(c for c in main.system_commands() if "as a section" in c.title)
        command.callback()
        await settle(pilot)
        await pilot.press(*"Answered NE", "enter")
        await settle(pilot)
        sections = tomllib.loads(config.read_text())["sections"]
        assert sections == [{"name": "Answered NE", "query": "is:answered",
                             "listing": "networkextension"}]
        app.add_section("replies:>5", None, "Busy")  # a saved filter, from f's palette
        await settle(pilot)
        await pilot.press("enter")  # the name as offered
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        assert [r.name for r in home_screen(app).rows[:3]] == ["Inbox", "Answered NE", "Busy"]
        assert tomllib.loads(config.read_text())["sections"][1] == {"name": "Busy",
                                                                    "query": "replies:>5"}
