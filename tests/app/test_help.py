"""The keys help closes on esc as every panel does, without esc also going back underneath;
the key bar says so while it is open."""

from __future__ import annotations

from pathlib import Path

from nereader.screenshots import demo_app, open_thread
from nereader.ui.widgets.help import KeysHelp
from nereader.ui.widgets.thread_view import ThreadView
from tests.app.test_find import bar_text


async def test_esc_closes_the_help_and_only_the_help(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_thread(pilot, 821372)
        view = app.query_one(ThreadView)
        assert view.has_focus
        await pilot.press("question_mark")
        await pilot.pause()
        panel = app.screen.query_one(KeysHelp)
        assert panel.display and bar_text(app).startswith(" esc Close help")
        await pilot.press("escape")
        await pilot.pause()
        assert not panel.display and view.has_focus  # still reading: esc did not go back
        assert bar_text(app).startswith(" esc Back")
        await pilot.press("escape")  # now esc goes back to the list
        await pilot.pause()
        assert not app.main.reading
