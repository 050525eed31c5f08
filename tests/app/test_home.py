"""The home screen, F, the saved theme and the keymap, driven through Pilot on the demo forum."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from pathlib import Path

import pytest

from nereader.cli.app import cmd_app
from nereader.core.models import ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum import Site, SiteTransport
from nereader.screenshots import FROZEN_NOW, demo_app, open_thread, settle
from nereader.ui.app import NereaderApp
from nereader.ui.screens.home import HomeScreen, HomeTable
from nereader.ui.screens.main import MainScreen
from tests.app.test_app import notifications
from tests.net.test_bookmarks_service import add_reply

FOLLOWED = ("networkextension", "wi-fi-aware")


def home_app(tmp_path: Path, follow: tuple[str, ...] = FOLLOWED, site: Site | None = None,
             **changes: object) -> NereaderApp:
    """The app as `nereader` starts it with ``follow`` in the config file."""
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "config.toml").write_text(f"follow = {json.dumps(list(follow))}\n")
    settings = Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data",
                        config_dir=config, min_gap=0.0, following=follow).with_(**changes)
    service = ForumService(settings, transport=SiteTransport(site or Site.bundled()))
    return NereaderApp(service, ListingRef(ListingKind.TAG, "networkextension"), demo=True,
                       clock=lambda: FROZEN_NOW, home=bool(follow))


def home_screen(app: NereaderApp) -> HomeScreen:
    screen = app.screen
    assert isinstance(screen, HomeScreen)
    return screen


async def test_home_counts_open_and_come_back(tmp_path: Path) -> None:
    app = home_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        home = home_screen(app)
        assert [s.key for s in home.statuses] == list(FOLLOWED)
        ne, wifi = home.statuses
        assert (ne.name, ne.unread, ne.threads, ne.new_replies) == ("Network Extension", 20, 20, 0)
        assert wifi.threads == 0 and wifi.age_seconds is not None
        assert app.query_one(HomeTable).row_count == 3  # the inbox, then the listings
        await pilot.press("down", "enter")
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and main.state.ref.key == "networkextension"
        assert len(main.threads.session.rows) == 20
        await open_thread(pilot, 828388)
        await pilot.press("escape", "H")
        await settle(pilot)
        home = home_screen(app)
        assert home.statuses[0].unread == 19  # reading a thread counts at once
        await pilot.press("down", "enter")
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and main.state.name == "Wi-Fi Aware"


async def test_new_replies_and_bookmarks_with_new_posts(tmp_path: Path) -> None:
    site = Site.bundled()
    app = home_app(tmp_path, site=site)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await app.service.bookmark(828388)
        await pilot.press("enter")
        await open_thread(pilot, 821372)  # read with 36 replies (bookmarking is no reading)
        # A new reply to the bookmark and a row that now says 37 replies arrive.
        add_reply(site)
        page = site.routes["/forums/tags/networkextension"].body
        site.replace_body("/forums/tags/networkextension",
                          page.replace(b">36<", b">37<"))
        await pilot.press("escape", "H")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        ne = home_screen(app).statuses[0]
        assert ne.new_replies == 1 and ne.bookmarks_new == 1 and ne.unread == 19


async def test_the_filter_bar_filters_the_rows(tmp_path: Path) -> None:
    app = home_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.query_one(HomeTable)
        await pilot.press("slash", *"wi-fi")
        await pilot.pause()
        assert table.row_count == 1 and home_screen(app).current is not None
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 3 and table.has_focus  # the inbox and two listings
        await pilot.press("slash", *"wi-fi", "enter")  # applied, the table has the focus
        await pilot.pause()
        assert table.row_count == 1 and table.has_focus
        await pilot.press("escape")  # esc in the table clears it too
        await pilot.pause()
        assert table.row_count == 3 and table.has_focus
        await pilot.press("slash", *"is:unread")
        await pilot.pause()
        assert table.row_count == 2  # the inbox and the listing with unread threads
        assert [s.key for s in home_screen(app).rows if s.unread] == [":inbox",
                                                                       "networkextension"]
        await pilot.press("ctrl+a", "ctrl+k", *"tag:nothing-like-it")
        await pilot.pause()
        assert table.row_count == 0 and app.query_one("#home-empty").display


async def test_refresh_is_conditional_and_offline_asks_nothing(tmp_path: Path) -> None:
    site = Site.bundled()
    app = home_app(tmp_path, site=site)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        before = site.counters.conditional
        await pilot.press("r")
        await settle(pilot)
        assert site.counters.conditional - before == 2  # one revalidation per listing
        assert site.counters.not_modified >= 2
        await pilot.press("ctrl+o")
        requests = site.counters.requests
        await pilot.press("r")
        await settle(pilot)
        assert site.counters.requests == requests


async def test_f_follows_the_listing_on_screen_and_unfollows_on_home(tmp_path: Path) -> None:
    app = demo_app(tmp_path)  # nothing followed: the app opens on the listing, as before
    config = tmp_path / "config" / "config.toml"
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("F")
        await settle(pilot)
        assert tomllib.loads(config.read_text())["follow"] == ["networkextension"]
        await pilot.press("H")  # the cursor on the listing just left
        await settle(pilot)
        assert [s.key for s in home_screen(app).statuses] == ["networkextension"]
        assert home_screen(app).following_on_screen() == "networkextension"
        await pilot.press("up", "F")  # on the inbox: no listing to unfollow
        await settle(pilot)
        assert tomllib.loads(config.read_text())["follow"] == ["networkextension"]
        await pilot.press("down", "F")  # on the home screen: the highlighted listing
        await settle(pilot)
        assert tomllib.loads(config.read_text())["follow"] == []
        assert home_screen(app).statuses == []


async def test_the_picked_theme_is_saved_and_used_next_time(tmp_path: Path) -> None:
    app = home_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
    data = tomllib.loads((tmp_path / "config" / "config.toml").read_text())
    assert data == {"follow": list(FOLLOWED), "theme": "nord"}
    again = home_app(tmp_path, theme="nord")
    async with again.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"
    unknown = home_app(tmp_path, theme="no-such-theme")
    notes = notifications(unknown)
    async with unknown.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert any("No theme named 'no-such-theme'" in n for n in notes)


async def test_keys_are_remapped_by_binding_id(tmp_path: Path) -> None:
    app = home_app(tmp_path, follow=(), keys=(("main.refresh", "ctrl+r"), ("nope.nothing", "x")))
    notes = notifications(app)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert any("nope.nothing" in n for n in notes)
        await pilot.press("r")  # r no longer refreshes
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert sum("Refreshing" in n for n in notes) == 1


async def test_a_bad_config_file_is_said_and_the_app_runs(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "c", data_dir=tmp_path / "d",
                        config_dir=tmp_path / "config", min_gap=0.0)
    app = NereaderApp(ForumService(settings, transport=SiteTransport(Site.bundled())),
                      ListingRef(ListingKind.TAG, "networkextension"), demo=True,
                      config_error="config.toml line 3: politeness.retries must be ...")
    notes = notifications(app)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert any("line 3" in n and "without the config file" in n for n in notes)
        assert isinstance(app.screen, MainScreen) and len(app.screen.threads.session.rows) == 20


@pytest.mark.parametrize(("target", "follow", "home"), [
    (None, ["networkextension"], True), ("wi-fi-aware", ["networkextension"], False),
    (None, [], False)])
def test_nereader_opens_home_only_with_listings_followed_and_none_named(
        target: str | None, follow: list[str], home: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Path(os.environ["NEREADER_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(f'follow = {json.dumps(follow)}\n'
                                        'default_listing = "topics/app-and-system-services"\n')
    seen: dict[str, object] = {}

    def run_app(service: ForumService, ref: ListingRef, *args: object, **kwargs: object) -> int:
        seen.update(kwargs, ref=ref.key)
        return 0

    monkeypatch.setattr("nereader.ui.app.run_app", run_app)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    args = argparse.Namespace(target=target, demo=False, offline=False, base_url=None,
                              cache_dir=None, data_dir=None)
    assert cmd_app(args) == 0
    assert seen["home"] is home and seen["config_error"] is None
    assert seen["ref"] == (target or "topics/app-and-system-services")


async def test_a_thread_chosen_on_the_home_screen_opens_over_it(tmp_path: Path) -> None:
    """Search and the library open threads; from the home screen the main screen opens first
    (on the default listing) and then reads the thread."""
    from nereader.ui.widgets.thread_view import ThreadView

    app = home_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.with_main(lambda main: main.open_thread(828388))
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and isinstance(app.screen_stack[-2], HomeScreen)
        view = main.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == 828388
        assert len(main.threads.session.rows) == 20
        await pilot.press("H")  # home over the listing, which stays as it was
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.screen_stack[-2] is main
        await pilot.press("escape")  # and back to it, the thread still open
        await settle(pilot)
        assert app.screen is main and view.thread.id == 828388
