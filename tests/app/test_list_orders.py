"""Each list opens in its own order: a site sort chosen from the palette, the inbox, the
bookmarks are not hidden behind the column the list before them was sorted by (s); and esc
from the inbox goes back to the home screen it was opened from."""

from __future__ import annotations

from pathlib import Path

from nereader.screenshots import settle
from nereader.ui.list_session import Inbox, Listing
from nereader.ui.screens.home import HomeScreen
from tests.app.test_home import home_app
from tests.app.test_inbox import TWO, main_screen


async def test_a_site_sort_and_the_inbox_open_in_their_own_order(tmp_path: Path) -> None:
    app = home_app(tmp_path, follow=TWO)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # the first followed listing
        await settle(pilot)
        main = main_screen(app)
        session = main.session
        await pilot.press("s", "s", "s", "s")
        assert session.list_sort == "views"
        await pilot.press("v")  # the bookmarks: in their own order, the listing's kept behind
        await settle(pilot)
        assert session.bookmarks and session.list_sort is None
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(session.source, Listing) and session.list_sort == "views"
        command = next(c for c in main.system_commands() if c.title == "Site sort: Most replies")
        command.callback()
        await settle(pilot)
        assert session.listing.sort == "replies" and session.list_sort is None
        replies = [row.replies for row in session.shown_rows]
        assert replies and replies == [row.replies for row in session.rows]  # the site's order
        await pilot.press("s", "s", "s", "s")
        assert session.list_sort == "views"
        await pilot.press("H", "g", "enter")  # the inbox
        await settle(pilot)
        assert isinstance(session.source, Inbox) and session.list_sort is None
        assert main.state.back == "esc: back home"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
