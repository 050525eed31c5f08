"""The shell around the list: every dialog closes on esc and q, q quits, the narrow screen
keeps the mode and the way back, the palette and the keys, copying and site sort."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from nereader.screenshots import demo_app, open_thread, settle
from nereader.ui.clipboard import Clipboard
from nereader.ui.screens.dialogs import CopyScreen, LinksScreen, NamePrompt
from nereader.ui.screens.library import LibraryScreen, NoteScreen
from nereader.ui.screens.main import MainScreen
from nereader.ui.screens.search import SearchScreen
from nereader.ui.widgets.thread_list import ThreadList
from tests.app.test_app import main_screen, notifications


@pytest.mark.parametrize("close", ["escape", "q"])
async def test_dialogs_close_on_esc_and_q(tmp_path: Path, close: str) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(pilot, 828388)
        app.query_one("#detail").goto(6)  # type: ignore[attr-defined]  # a post with a link
        for opens, kind in (("L", LibraryScreen), ("l", LinksScreen)):
            await pilot.press(opens)
            await settle(pilot)
            assert isinstance(app.screen, kind), opens
            await pilot.press(close)
            await settle(pilot)
            assert isinstance(app.screen, MainScreen) and app.return_code is None, opens
        await pilot.press("e")  # the note editor: q types while its box has the focus
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("q")
        assert app.screen.query_one(Input).value.endswith("q")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("ctrl+f", "q")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("tab", "slash", *"vpn", "ctrl+s", "q")
        await settle(pilot)
        assert isinstance(app.screen, NamePrompt)
        assert app.screen.query_one(Input).value == "q"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.return_code is None
        await pilot.press("escape", "q")  # on the main screen, q quits
        await pilot.pause()
        assert app.return_code == 0


async def test_offline_library_at_start_closes_on_q(tmp_path: Path) -> None:
    online = demo_app(tmp_path)
    async with online.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
    app = demo_app(tmp_path, offline=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.return_code is None
        assert len(app.query_one(ThreadList).session.rows) == 20


async def test_narrow_screen_keeps_mode_and_way_back(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = str(app.query_one("#status").render())
        assert status.rstrip().endswith("demo") and len(status) <= 80
        await pilot.press("enter")
        await settle(pilot)
        status = str(app.query_one("#status").render())
        assert "demo · esc: back to the list" in status
        keys = str(app.query_one("#keybar").render())
        assert keys.startswith(" esc Back ") and keys.rstrip().endswith("palette")
        await pilot.press("escape", "v")
        await settle(pilot)
        assert "v: back to the listing" in str(app.query_one("#status").render())


async def test_palette_has_no_duplicates_and_readable_keys(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.main)]
        assert len(titles) == len(set(titles))
        names = [t.split(" (")[0] for t in titles]
        assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
        assert "Help (?)" in titles and "Filter (/)" in titles and "Quit (q)" in titles
        assert not any("question_mark" in t or "slash" in t for t in titles)
        assert "Bookmarks (v)" in titles and "Bookmarks" not in titles


async def test_copy_says_which_way_it_went(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    ran: list[tuple[list[str], bytes]] = []

    def run(argv: object, data: bytes) -> bool:
        ran.append((list(argv), data))  # type: ignore[call-overload]
        return True

    app.copier = Clipboard(env={"WAYLAND_DISPLAY": "wayland-0"}, which=lambda name: name,
                           run=run, ask=lambda argv: "")
    notes = notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(pilot, 828388)
        await pilot.press("u")
        await settle(pilot)
        assert ran == [(["wl-copy"], b"https://developer.apple.com/forums/thread/828388")]
        url = "https://developer.apple.com/forums/thread/828388"
        assert f"Copied {url} through wl-copy." in notes
        assert not [n for n in notes if n.startswith("Copied") and "through" not in n]  # once


async def test_copy_by_hand_when_nothing_can(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    app.copier = Clipboard(env={"TMUX": "/tmp/tmux-0/default,1,0"}, which=lambda name: None,
                           ask=lambda argv: "external")
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(pilot, 828388)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, CopyScreen)
        assert app.screen.text == "https://developer.apple.com/forums/thread/828388"
        assert "set-clipboard on" in app.screen.hint
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_site_sort_reorders_the_demo(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        command = next(c for c in app.get_system_commands(app.main)
                       if c.title == "Site sort: Most replies")
        command.callback()
        await settle(pilot)
        replies = [r.replies for r in app.query_one(ThreadList).session.rows]
        assert main_screen(app).state.sort == "replies"
        assert replies == sorted(replies, reverse=True) and replies[0] == 85
