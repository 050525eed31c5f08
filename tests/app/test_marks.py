"""What cannot be undone is asked first: M (mark every listed thread read) and b on a bookmark
that has a note or #labels; a bare bookmark goes at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from nereader.screenshots import demo_app, settle
from nereader.ui.screens.dialogs import ConfirmScreen
from nereader.ui.screens.main import kept_with
from nereader.ui.widgets.thread_list import ThreadList
from tests.app.test_app import notifications


@pytest.mark.parametrize("yes", ["y", "enter"])
async def test_mark_all_read_asks_and_no_keeps_everything_unread(tmp_path: Path,
                                                                 yes: str) -> None:
    app = demo_app(tmp_path)
    notes = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        count = len(threads.session.rows)
        for no in ("n", "escape"):
            await pilot.press("M")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            assert f"Mark {count} threads read?" in app.screen.question
            await pilot.press(no)
            await settle(pilot)
            assert not isinstance(app.screen, ConfirmScreen)
            assert all(threads.session.marks(r)[3] in "•·" for r in threads.session.rows)
        await pilot.press("M", yes)
        await settle(pilot)
        assert all(threads.session.marks(r)[3] == " " for r in threads.session.rows)
        assert f"Marked {count} threads read." in notes


async def test_removing_a_bookmark_with_a_note_asks_naming_what_goes(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        first, second = threads.session.rows[0].id, threads.session.rows[1].id
        await app.service.bookmark(first, note="check on Monday", labels=("vpn", "todo"))
        await app.service.bookmark(second)
        await app.main.refresh_context()
        await pilot.press("b")  # on the first row
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == ("Remove the bookmark and its note and #labels "
                                       "(#vpn #todo)?")
        await pilot.press("escape")
        await settle(pilot)
        kept = await app.service.get_bookmark(first)
        assert kept is not None and kept.note == "check on Monday"
        await pilot.press("b", "y")
        await settle(pilot)
        assert await app.service.get_bookmark(first) is None
        await pilot.press("j", "b")  # a bare bookmark goes at once
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert await app.service.bookmarks() == []


def test_what_a_removed_bookmark_loses() -> None:
    from nereader.core.models import Bookmark

    bare = Bookmark(1, "t", "u")
    assert kept_with(None) == "" and kept_with(bare) == ""
    assert kept_with(Bookmark(1, "t", "u", note="  ")) == ""
    assert kept_with(Bookmark(1, "t", "u", note="x")) == "note"
    assert kept_with(Bookmark(1, "t", "u", labels=("a",))) == "#labels (#a)"
