"""The key bar shows the keys that work: a dialog's own over the pane underneath, whole
entries (short labels before cutting), and ? (help, which lists the rest) at any width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nereader.screenshots import demo_app, open_thread, settle
from nereader.ui.screens.search import SearchScreen
from tests.app.test_find import bar_text

# An entry cut inside a word ("Boo…", "Copy cod…") is what the bar must never show.
CUT = re.compile(r"\w…")


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_help_is_always_on_the_bar_and_no_label_is_cut(tmp_path: Path,
                                                               size: tuple[int, int]) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        listing = bar_text(app)
        await open_thread(pilot, 821372)
        thread = bar_text(app)
        for text in (listing, thread):
            assert text.rstrip().endswith("? Help  ^p palette") and not CUT.search(text)
            assert len(text) == size[0]
        assert thread.startswith(" esc Back  n Next")
        if size[0] == 80:
            assert "Copy code" not in thread and " c Code " in thread  # short labels
        else:
            assert "o Browser" in thread or "o Web" in thread


async def test_dialogs_show_their_own_keys(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_thread(pilot, 821372)
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        text = bar_text(app)
        assert text.startswith(" esc Close  ⏎ Search site") and "Next" not in text
        await pilot.press("escape")
        await settle(pilot)
        assert bar_text(app).startswith(" esc Back  n Next")
        await pilot.press("escape", "slash", *"vpn", "ctrl+s")
        await settle(pilot)
        text = bar_text(app)
        assert text.startswith(" esc Cancel  ⏎ Save") and "Filter" not in text
        await pilot.press("escape")
        await settle(pilot)
        assert bar_text(app).startswith(" esc Clear")


async def test_the_search_placeholder_fits_80_columns(tmp_path: Path) -> None:
    from textual.widgets import Input

    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        field = app.screen.query_one("#search-input", Input)
        assert len(str(field.placeholder)) <= field.content_region.width


async def test_a_text_field_shows_no_key_it_types(tmp_path: Path) -> None:
    """In the find bar `/` types a slash: no "/ Filter". In the filter bar a key [keys] moved
    a binding to (x) types too: no "x Refresh". Keys that still act there stay."""
    from tests.app.test_home import home_app

    app = home_app(tmp_path, follow=(), keys=(("main.refresh", "x"),))
    async with app.run_test(size=(160, 45)) as pilot:
        await open_thread(pilot, 821372)
        assert " / Find " in bar_text(app) and " x Refresh " in bar_text(app)
        await pilot.press("slash")
        await settle(pilot)
        finding = bar_text(app)
        assert "esc End find" in finding and "^f Search" in finding
        assert " / " not in finding and "Filter" not in finding and "Refresh" not in finding
        await pilot.press("escape", "escape", "slash")
        await settle(pilot)
        filtering = bar_text(app)
        assert "esc Clear" in filtering and "^s Save" in filtering
        assert " x " not in filtering and " / " not in filtering and " q " not in filtering
