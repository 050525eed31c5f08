"""`o` and the link picker: a text browser runs with the app suspended, a window browser in
the background, and with no browser the URL is shown to copy. No real browser is started:
webbrowser.get is replaced by fakes."""

from __future__ import annotations

import contextlib
import webbrowser
from collections.abc import Iterator
from pathlib import Path

import pytest

from nereader.screenshots import demo_app, open_thread, settle
from nereader.ui import browser
from nereader.ui.app import NereaderApp
from nereader.ui.screens.dialogs import CopyScreen
from nereader.ui.widgets.thread_view import ThreadView
from tests.app.test_reading import SIZE


class Recorder:
    def __init__(self, ok: bool = True) -> None:
        self.urls: list[str] = []
        self.suspended_when_opened: list[bool] = []
        self.suspended = False
        self.ok = ok

    @contextlib.contextmanager
    def suspend(self) -> Iterator[None]:
        self.suspended = True
        try:
            yield
        finally:
            self.suspended = False

    def fake(self, kind: type[webbrowser.BaseBrowser], name: str) -> webbrowser.BaseBrowser:
        made = kind(name)

        def open_(url: str, new: int = 0, autoraise: bool = True) -> bool:
            self.urls.append(url)
            self.suspended_when_opened.append(self.suspended)
            return self.ok

        made.open = open_  # type: ignore[method-assign]
        return made


def watch(app: NereaderApp, monkeypatch: pytest.MonkeyPatch, recorder: Recorder) -> list[str]:
    said: list[str] = []
    notify = app.notify
    monkeypatch.setattr(app, "notify", lambda message, **kw: said.append(message) or notify(
        message, **kw))
    monkeypatch.setattr(app, "suspend", recorder.suspend)
    return said


def test_which_browsers_own_the_terminal() -> None:
    assert browser.is_console(webbrowser.GenericBrowser("lynx"))
    assert browser.is_console(webbrowser.GenericBrowser(["sh", "-c", "w3m %s"]))
    assert browser.is_console(webbrowser.Elinks("elinks"))
    assert not browser.is_console(webbrowser.BackgroundBrowser("firefox"))
    assert not browser.is_console(webbrowser.Mozilla("firefox"))
    assert not browser.is_console(webbrowser.Chrome("chromium"))


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_a_text_browser_runs_with_the_app_suspended(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    app = demo_app(tmp_path)
    recorder = Recorder()
    lynx = recorder.fake(webbrowser.GenericBrowser, "lynx")
    monkeypatch.setattr(webbrowser, "get", lambda using=None: lynx)
    watch(app, monkeypatch, recorder)
    async with app.run_test(size=size) as pilot:
        await open_thread(pilot, 821372)
        view = app.query_one(ThreadView)
        await pilot.press("n", "n", "o")
        await settle(pilot)
        assert recorder.urls == [view.post_url()] and recorder.suspended_when_opened == [True]
        assert view.current == 2 and view.has_focus  # back at the same post
        assert not isinstance(app.screen, CopyScreen)


async def test_a_window_browser_opens_in_the_background(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = demo_app(tmp_path)
    recorder = Recorder()
    firefox = recorder.fake(webbrowser.BackgroundBrowser, "firefox")
    monkeypatch.setattr(webbrowser, "get", lambda using=None: firefox)
    said = watch(app, monkeypatch, recorder)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 821372)
        await pilot.press("o")
        await settle(pilot)
        url = app.query_one(ThreadView).post_url()
        assert recorder.urls == [url] and recorder.suspended_when_opened == [False]
        assert f"Opening {url}" in said


@pytest.mark.parametrize("case", ["none", "fails"])
async def test_without_a_browser_the_url_is_shown_to_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    app = demo_app(tmp_path)
    recorder = Recorder(ok=False)
    if case == "none":
        def get(using: str | None = None) -> webbrowser.BaseBrowser:
            raise webbrowser.Error("could not locate runnable browser")
        monkeypatch.setattr(webbrowser, "get", get)
    else:
        w3m = recorder.fake(webbrowser.GenericBrowser, "w3m")
        monkeypatch.setattr(webbrowser, "get", lambda using=None: w3m)
    watch(app, monkeypatch, recorder)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 821372)
        url = app.query_one(ThreadView).post_url()
        await pilot.press("o")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CopyScreen)
        assert url and screen.text == url
        assert ("no web browser found" in screen.hint if case == "none"
                else screen.hint == "w3m ended with an error")
        await pilot.press("escape")
        assert not isinstance(app.screen, CopyScreen)
