"""The home screen says the same as the list: its mode (demo, offline) and banner, what its
filter supports (anything else is an error naming what works), and a count that settles."""

from __future__ import annotations

from pathlib import Path

import pytest

from nereader.core.query import Query, QueryError
from nereader.screenshots import settle
from nereader.ui.screens.home import WORKS_HERE, check_query
from nereader.ui.widgets.filter_bar import FilterBar
from tests.app.test_home import home_app, home_screen


def subtitle(app: object) -> str:
    from nereader.ui.app import NereaderApp

    assert isinstance(app, NereaderApp)
    return str(app.screen.query_one(FilterBar).input.border_subtitle or "")


def shown(app: object, selector: str) -> str:
    from textual.widgets import Static

    from nereader.ui.app import NereaderApp

    assert isinstance(app, NereaderApp)
    widget = app.screen.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


async def test_demo_and_offline_read_as_on_the_list(tmp_path: Path) -> None:
    app = home_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert shown(app, "#home-status").endswith("·  demo") and not shown(app, "#home-banner")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert shown(app, "#home-banner").startswith("OFFLINE: reading the cache only")
        assert "offline" in shown(app, "#home-status")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert not shown(app, "#home-banner")


async def test_unsupported_qualifiers_are_an_error_and_the_count_settles(
        tmp_path: Path) -> None:
    app = home_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = home_screen(app).query_one(FilterBar)
        assert "replies:" not in str(bar.input.placeholder)
        await pilot.press("slash", *"replies:>5")
        await pilot.pause()
        assert "typing" not in subtitle(app)
        error = shown(app, "#filter-error")
        assert WORKS_HERE in error and error.lstrip().startswith("^^^^^^^^^^ ")
        await pilot.press("escape")
        await pilot.pause()
        assert subtitle(app) == "" and not shown(app, "#filter-error")
        await pilot.press("slash", *"is:unread")
        await pilot.pause()
        assert subtitle(app) == "2 of 3" and not shown(app, "#filter-error")  # inbox too


@pytest.mark.parametrize("text", ["replies:>5", "-views:>1k", "is:answered", "author:x",
                                  "sort:replies", "label:todo"])
def test_what_the_home_filter_refuses(text: str) -> None:
    with pytest.raises(QueryError, match="here only"):
        check_query(Query.parse(f"vpn {text}"))


@pytest.mark.parametrize("text", ["vpn", "tag:ios", "is:unread", "-is:new", "is:bookmarked",
                                  "activity:<1h", '"wi-fi aware"'])
def test_what_the_home_filter_takes(text: str) -> None:
    check_query(Query.parse(text))
