"""The app and issue 19: the note editor changes only what the user changed, and offline
advice names the app's own keys (no error left on screen once the thread opens)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from nereader.core import store
from nereader.core.models import ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum import Site, SiteTransport
from nereader.screenshots import demo_app, open_thread, settle
from nereader.ui.screens.library import NoteScreen
from nereader.ui.screens.main import MainScreen
from nereader.ui.widgets.thread_view import ThreadView
from tests.app.test_app import notifications
from tests.app.test_reading import SIZE, screen_text
from tests.unit.test_bounded_waits import held


def elsewhere(root: Path) -> ForumService:
    """Another nereader on the same folders (the command line, while the app runs)."""
    return ForumService(Settings(cache_dir=root / "cache", data_dir=root / "data",
                                 config_dir=root / "config", min_gap=0.0),
                        transport=SiteTransport(Site.bundled()))


async def edit_note(pilot, typed: str) -> None:  # type: ignore[no-untyped-def]
    box = pilot.app.screen.query_one(Input)
    box.value += typed
    await pilot.press("enter")
    await settle(pilot)


async def test_the_note_editor_keeps_what_changed_elsewhere_meanwhile(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    other = elsewhere(tmp_path)
    notes = notifications(app)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_thread(pilot, 828388)
            await app.service.bookmark(828388, "ask about MDM", ("todo",))
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, NoteScreen)
            await other.bookmark(828388, labels=("later",))  # bookmarks add --label later
            await edit_note(pilot, " #mdm")
            assert isinstance(app.screen, MainScreen)
            mark = await other.get_bookmark(828388)
            assert mark is not None and mark.labels == ("todo", "later", "mdm")
            await pilot.press("e")
            await settle(pilot)
            await other.unbookmark(828388)  # removed from the command line meanwhile
            await edit_note(pilot, " more")
            assert isinstance(app.screen, NoteScreen)  # refused, and said
            assert any("removed elsewhere" in n for n in notes)
            assert await other.get_bookmark(828388) is None  # the removal stands
            await pilot.press("enter")  # again: saved as typed
            await settle(pilot)
            mark = await other.get_bookmark(828388)
            assert mark is not None and mark.note == "ask about MDM more"
    finally:
        await other.aclose()


async def test_offline_advice_names_the_apps_keys_and_goes_when_the_thread_opens(
        tmp_path: Path) -> None:
    cached = elsewhere(tmp_path)
    await cached.listing(ListingRef(ListingKind.TAG, "networkextension"))
    await cached.aclose()
    app = demo_app(tmp_path, offline=True)
    notes = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")  # offline, the app opens on the library
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        text = " ".join(screen_text(view))
        assert view.error == "thread" and "not in the cache, and nereader is offline" in text
        assert "goes online and opens it" in text and "nereader show" not in text
        assert not [n for n in notes if "not in the cache" in n]  # in the pane, not a toast
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert view.thread is not None and view.thread.id == 828388 and view.error is None
        assert not any("nereader is offline" in line for line in screen_text(view))


async def test_quitting_never_waits_on_a_lock_another_process_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stopped `bookmarks add` holds bookmarks.json's lock: the app's first read of the
    bookmarks waits on it in a worker, and `q` quits at once all the same (the wait itself
    is not over when the app is). That the interpreter does not then join the thread that
    waits is test_bounded_waits' part."""
    app = demo_app(tmp_path)
    monkeypatch.setattr(store, "LOCK_WAIT", 120.0)  # as long as a stopped process holds it
    waiting, finished = threading.Event(), threading.Event()
    take = store._take

    def taking(fd: int, path: Path, *args: Any) -> None:
        if path.name != "bookmarks.json.lock":
            return take(fd, path, *args)
        waiting.set()
        try:
            return take(fd, path, *args)
        finally:
            finished.set()

    monkeypatch.setattr(store, "_take", taking)
    with held(tmp_path / "data" / "bookmarks.json.lock"):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await asyncio.get_running_loop().run_in_executor(None, waiting.wait)
            await pilot.press("q")
        assert not finished.is_set()  # the app is gone, the wait for the lock is not
