"""What a new user meets on a first try, at 80x24: the home screen's own keys help and its
way back, the help's width, load-all and the empty list with no network, the way back while
finding, the note dialog, the library's labels and text to copy by hand."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandList, CommandPalette
from textual.containers import ScrollableContainer
from textual.widgets import OptionList, Static

from nereader.core.models import ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum import Faults, Site, SiteTransport
from nereader.screenshots import FROZEN_NOW, demo_app, open_thread, settle
from nereader.ui.app import NereaderApp
from nereader.ui.screens.dialogs import CopyScreen
from nereader.ui.screens.home import HomeScreen, HomeTable
from nereader.ui.screens.library import LibraryScreen, NoteScreen
from nereader.ui.screens.main import MainScreen
from nereader.ui.widgets.help import KeysHelp
from nereader.ui.widgets.keybar import KeyBar
from tests.app.test_app import notifications
from tests.app.test_home_bar import shown

SIZE = (80, 24)


def offline_first_run(tmp_path: Path, site: Site) -> NereaderApp:
    """The app as `nereader` starts it on the site (not the demo), in empty folders."""
    settings = Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data",
                        config_dir=tmp_path / "config", min_gap=0.0, retries=0)
    service = ForumService(settings, transport=SiteTransport(site))
    return NereaderApp(service, ListingRef(ListingKind.TAG, "networkextension"),
                       clock=lambda: FROZEN_NOW)


def keybar(app: NereaderApp) -> str:
    """The key bar of the screen the user is on (a dialog's keys show in the one under it)."""
    under = next(s for s in reversed(app.screen_stack) if s.query(KeyBar))
    return str(under.query_one(KeyBar).render())


async def test_the_home_screens_help_is_the_apps_own_and_scrolls(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        panel = home.query_one(KeysHelp)
        text = panel.render_help().plain
        # Written from the registry: the home screen's prose and keys, not Textual's panel.
        assert text.startswith("Home screen") and "Cursor left" not in text
        assert "/     Filter the listings" in text and "r     Revalidate every" in text
        assert "enter Open the highlighted row" in text
        assert panel.display and panel.has_focus and panel.max_scroll_y > 0
        assert keybar(app).startswith(" esc Close help")
        await pilot.press("j", "j")
        await pilot.pause()
        assert panel.scroll_y == 2
        await pilot.press("G")
        await pilot.pause()
        assert panel.scroll_y == panel.max_scroll_y
        await pilot.press("escape")
        await pilot.pause()
        assert not panel.display and home.query_one(HomeTable).has_focus
        assert app.screen is home  # esc closed the help only


async def test_the_keys_help_takes_the_width_at_80_columns(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        panel = app.screen.query_one(KeysHelp)
        assert panel.outer_size.width == 80
        lines = panel.render_help().plain.splitlines()
        # Each key on one line where it fits: the description beside its key, whole.
        assert "r   Refresh every loaded page in place (or the thread being read)" in lines
        assert "b            Bookmark the thread (again: remove the bookmark)" in lines
        assert keybar(app).startswith(" esc Close help")  # the key bar stays in view


async def test_esc_on_the_home_screen_goes_back_and_t_offers_the_listing_left(
        tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t", *"storek")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and main.state.name == "StoreKit"
        await pilot.press("j", "j")
        cursor = main.session.cursor
        await pilot.press("H")
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen) and " esc Back " in keybar(app)
        await pilot.press("t")  # the listing just left comes first, not the one before it
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        first = str(app.screen.query_one(CommandList).get_option_at_index(0).prompt)
        assert first.startswith("StoreKit") and "The listing you left" in first
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home
        await pilot.press("slash", *"wifi")  # esc clears a filter first
        await settle(pilot)
        assert " esc Clear filter " in keybar(app)
        await pilot.press("escape")  # cleared, and back to the rows
        await settle(pilot)
        assert app.screen is home and home.query_one(HomeTable).has_focus
        assert home.query_text.empty and " esc Back " in keybar(app)
        await pilot.press("escape")  # then back to the listing, as it was left
        await settle(pilot)
        assert app.screen is main and main.session.cursor == cursor


async def test_with_no_network_load_all_says_so_and_the_demo_is_mentioned(
        tmp_path: Path) -> None:
    site = Site.bundled()
    site.faults = Faults(reset=True)
    app = offline_first_run(tmp_path, site)
    seen = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and main.activity.network_down
        note = main.session.empty_note
        assert note.startswith("Nothing to show yet") and "`nereader --demo`" in note
        await pilot.press("A")
        await settle(pilot)
        said = seen[-1]
        assert "Every page is loaded" not in said
        assert "cannot be reached (network down)" in said and "r tries again" in said
        # Once something is cached, a listing that fails no longer suggests the demo.
        site.faults = Faults()
        await pilot.press("r")
        await settle(pilot)
        assert len(main.session.rows) == 20
        site.faults = Faults(reset=True)
        main.open_listing(ListingRef(ListingKind.TAG, "wi-fi-aware"))
        await settle(pilot)
        assert main.session.failed and "--demo" not in main.session.empty_note


async def test_while_finding_the_status_line_says_esc_ends_the_find(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 821372)
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.state.back == "esc: back to the list"
        await pilot.press("slash", *"NE")
        await settle(pilot)
        assert main.state.back == "esc: end the find"
        await pilot.press("enter")
        await settle(pilot)
        assert main.state.back == "esc: end the find"
        await pilot.press("escape")  # the find ends; esc now goes back to the list
        await settle(pilot)
        assert main.reading and main.state.back == "esc: back to the list"


async def test_the_note_dialog_is_centred_and_names_its_save_key(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NoteScreen)
        box = dialog.query_one("#prompt").region
        assert box.x == (80 - box.width) // 2 > 0
        assert keybar(app).startswith(" esc Cancel  ⏎ Save ")


async def test_the_library_writes_labels_as_everywhere_else(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await app.service.bookmark(828388, "ask about zebras", ("panic", "todo"))
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        menu = app.screen.query_one(OptionList)
        prompts = [str(menu.get_option_at_index(i).prompt) for i in range(menu.option_count)]
        marked = next(p for p in prompts if "#panic" in p)
        assert marked.endswith("#panic #todo · ask about zebras")


async def test_the_home_screen_fits_80_columns_and_keeps_the_demo_flag(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        title = shown(app, "#home-title")
        assert len(title) <= 80 - 2 and title.endswith("F unfollows")  # padding 1 each side
        assert "`nereader follow LISTING --demo`" in " ".join(shown(app, "#home-empty").split())


async def test_text_to_copy_by_hand_keeps_long_lines_whole(tmp_path: Path) -> None:
    long = "panic(cpu 0 caller 0xfffffe003bb68224): " + "x" * 330
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(CopyScreen(f"first line\n{long}\nlast line", "no clipboard"))
        await settle(pilot)
        body = app.screen.query_one("#copy-body", Static)
        box = app.screen.query_one("#copy-text", ScrollableContainer)
        assert body.size.height == 3 and body.size.width == len(long)  # not wrapped
        assert box.has_focus and box.max_scroll_x > 0
        await pilot.press("right")
        await pilot.pause()
        assert box.scroll_x > 0  # it scrolls sideways instead
        page = box.scrollable_content_region.width - 2
        await pilot.press("shift+right")
        await pilot.pause()
        assert box.scroll_x == 1 + page  # a page sideways
        await pilot.press("end")
        await pilot.pause()
        assert box.scroll_x == box.max_scroll_x
        await pilot.press("shift+left")
        await pilot.pause()
        assert box.scroll_x == box.max_scroll_x - page
        await pilot.press("home")
        await pilot.pause()
        assert box.scroll_x == 0
        hint = shown(app, ".prompt-title")
        assert all(key in hint for key in ("shift+←/→", "home/end"))


async def test_a_library_entry_wraps_indented_under_itself(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.service.bookmark(821372, "check double free " * 4, ("a", "b"))
        await pilot.press("L")
        await settle(pilot)
        menu = app.screen.query_one(OptionList)
        rows = [menu.render_line(y).text for y in range(menu.size.height)]
        heading = next(n for n, row in enumerate(rows) if row.strip() == "Bookmarks")
        first, *rest = [row for row in rows[heading + 1:] if row.strip()]
        margin = len(first) - len(first.lstrip())  # the entry's own indent
        assert rest and "free" in rest[-1]  # it did wrap
        assert all(len(row) - len(row.lstrip()) == margin + 2 for row in rest), rows
