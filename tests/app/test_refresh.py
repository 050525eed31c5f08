"""r on the thread read says how it went: up to date (with the count), or what is new."""

from __future__ import annotations

from pathlib import Path

from nereader.localforum import Site
from nereader.screenshots import demo_app, open_thread, settle
from nereader.ui.widgets.thread_view import ThreadView
from tests.app.test_app import notifications
from tests.net.test_bookmarks_service import add_reply


async def test_refresh_says_up_to_date_or_what_is_new(tmp_path: Path) -> None:
    site = Site.bundled()
    app = demo_app(tmp_path, site=site)
    notes = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        assert view.thread is not None
        answers = sum(p.kind.value == "answer" for p in view.thread.posts)
        await pilot.press("r")
        await settle(pilot)
        assert f"Up to date ({answers} replies)." in notes
        add_reply(site)
        await pilot.press("r")
        await settle(pilot)
        assert "+1 new post (replies and comments)." in notes
