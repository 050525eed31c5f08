"""What the app says of a failure: once, where the user looks (the empty list says why it is
empty; a toast says what fails while a good list is shown), and each command it suggests
carries the flags the app was started with, as the command line's own hints do."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.app import App

from nereader.cli.common import given_flags, with_flags
from nereader.core.models import ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum import Site, SiteTransport
from nereader.screenshots import FROZEN_NOW, settle
from nereader.ui.app import NereaderApp
from nereader.ui.screens.main import MainScreen
from nereader.ui.widgets.thread_view import ThreadView
from tests.app.test_app import pane_text

URL = "http://127.0.0.1:8765"
SIZE = (140, 40)


def shown_toasts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every toast that reaches Textual (after the app's own notify has had its say)."""
    seen: list[str] = []
    original = App.notify

    def notify(self: App[object], message: str, **kwargs: object) -> None:
        seen.append(message)
        original(self, message, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(App, "notify", notify)
    return seen


def started_with_flags(tmp_path: Path, **changes: object) -> tuple[NereaderApp, str]:
    """The app as `nereader --base-url URL --cache-dir DIR` starts it (the hint as the command
    line hands it over), and those flags as a command carries them."""
    cache = tmp_path / "cache"
    settings = Settings(base_url=URL, cache_dir=cache, data_dir=tmp_path / "data",
                        config_dir=tmp_path / "config", min_gap=0.0).with_(**changes)
    service = ForumService(settings, transport=SiteTransport(Site.bundled()))
    flags = given_flags(["--base-url", URL, "--cache-dir", str(cache)])
    app = NereaderApp(service, ListingRef(ListingKind.TAG, "networkextension"),
                      clock=lambda: FROZEN_NOW, hint=lambda text: with_flags(text, flags))
    return app, " ".join(flags)


async def test_a_cache_that_cannot_be_opened_is_said_once_with_the_apps_flags(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The list, the marks, the index and the cached copy all meet it: the site is read
    without it, and one toast says so, with the command that repairs this cache (not the
    default site's); the thread pane does not repeat it."""
    store = tmp_path / "cache" / "pages-v2"
    store.mkdir(parents=True)
    (store / "cache.db").write_bytes(b"not a database" * 300)
    app, flags = started_with_flags(tmp_path)
    toasts = shown_toasts(monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and len(main.session.rows) == 20
        said = [t for t in toasts if "damaged" in t]
        assert len(said) == 1, toasts
        assert f"`nereader cache clear {flags}`" in said[0], said
        main.open_thread(828388)
        await settle(pilot)
        view = main.query_one(ThreadView)
        assert view.thread is not None and "damaged" not in pane_text(view)
        assert len([t for t in toasts if "damaged" in t]) == 1, toasts


async def test_a_failure_while_a_good_list_is_shown_is_a_toast_said_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A search index that cannot be read, with the list loaded: the list is where the user
    looks, so a toast says it, once (the marks, the bookmarks and the thread read hit it too),
    its command with the app's flags."""
    app, flags = started_with_flags(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    index = tmp_path / "data" / "search.sqlite3"
    for extra in ("-wal", "-shm"):
        index.with_name(index.name + extra).unlink(missing_ok=True)
    index.write_bytes(b"not a database" * 300)
    app, flags = started_with_flags(tmp_path)
    toasts = shown_toasts(monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and len(main.session.rows) == 20
        main.open_thread(828388)  # indexed as it is read: that fails too
        await settle(pilot)
        assert main.query_one(ThreadView).thread is not None
        said = [t for t in toasts if "search.sqlite3" in t or "--rebuild" in t]
        assert len(said) == 1, toasts
        assert f"`nereader search --rebuild {flags}`" in said[0]


@pytest.mark.parametrize(("words", "flags"), [
    (["--base-url", URL, "--cache-dir", "{tmp}/c d"], f"--base-url {URL} --cache-dir '{{tmp}}/c d'"),
    (["--demo", "--offline", "--data-dir", "{tmp}/d"], "--demo --data-dir {tmp}/d --offline"),
    ([], ""),
])
def test_the_command_line_hands_the_app_its_flags(words: list[str], flags: str,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """`nereader --base-url ... --cache-dir ...` starts the app with a hint that puts those
    flags into every command the app suggests, as the command line's own hints do."""
    from nereader.cli import main

    seen: dict[str, object] = {}

    def run_app(service: ForumService, ref: ListingRef, *args: object, **kwargs: object) -> int:
        seen.update(kwargs)
        return 0

    monkeypatch.setattr("nereader.ui.app.run_app", run_app)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("NEREADER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NEREADER_DATA_DIR", str(tmp_path / "data"))
    assert main([word.format(tmp=tmp_path) for word in words]) == 0
    flags = flags.format(tmp=tmp_path)
    hint = seen["hint"]
    assert callable(hint)
    said = hint("file is not a database; `nereader cache clear` repairs it")
    assert said == ("file is not a database; `nereader cache clear"
                    + (f" {flags}" if flags else "") + "` repairs it")
