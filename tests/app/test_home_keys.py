"""The home screen's help lists every key it answers to, and its columns use the width:
the name and the slug get the spare columns, the headers say what they count."""

from __future__ import annotations

from pathlib import Path

from nereader.screenshots import settle
from nereader.ui.widgets.help import KeysHelp
from tests.app.test_home import home_app, home_screen


def home_section(help_text: str) -> list[str]:
    """The key lines of the help's Home screen section (the app's keys follow it)."""
    section = help_text.split("Home screen\n", 1)[1].split("\nAnywhere\n", 1)[0]
    return [line for line in section.splitlines()[2:] if line.strip()]


async def test_the_home_help_lists_enter_and_f_and_f_unfollows(tmp_path: Path) -> None:
    app = home_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = app.screen.query_one(KeysHelp).render_help().plain
        keys = {line.split()[0] for line in home_section(text) if line}
        assert {"enter", "F", "/", "r"} <= keys, home_section(text)
        await pilot.press("escape")
        await pilot.pause()
        home = home_screen(app)
        await pilot.press("down")  # the first followed listing
        key = home.following_on_screen()
        assert key is not None
        await pilot.press("F")
        await app.workers.wait_for_complete()
        assert key not in await app.service.following()


async def test_at_80_columns_the_name_and_slug_fit_and_the_headers_are_words(
        tmp_path: Path) -> None:
    app = home_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = home_screen(app).table
        name = table.get_row("networkextension")[0]
        assert name.plain == "Network Extension  networkextension"
        listing = table.columns["listing"]  # type: ignore[index]
        assert listing.width >= name.cell_len
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert 78 <= used <= 80  # the spare width went to the name, none is left after Cached
        headers = " ".join(c.label.plain for c in table.columns.values())
        assert "↑" not in headers and "Bookmark\nnews" in headers


async def test_the_home_title_names_the_keys_as_remapped(tmp_path: Path) -> None:
    """The title says which keys open and unfollow: the ones [keys] moved them to."""
    from textual.widgets import Static

    app = home_app(tmp_path)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        title = str(home_screen(app).query_one("#home-title", Static).render())
        assert "enter opens · F unfollows" in title, title
        app.keymap = {"home.unfollow": "u", "home.open": "o"}
        home_screen(app)._status()  # as the screen redraws its lines
        title = str(home_screen(app).query_one("#home-title", Static).render())
        assert "o opens · u unfollows" in title, title
