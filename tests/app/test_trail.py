"""Links between forum threads stay in the app: a click, `l` or the links dialog opens the
thread here (at its answer), ⌫ goes back to the same post, ] (shift+⌫) forward again, the
status line says how deep; other links go to the browser. Online and offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from nereader.localforum import Site
from nereader.screenshots import demo_app, open_thread, settle
from nereader.ui.app import NereaderApp
from nereader.ui.screens.dialogs import LinksScreen
from nereader.ui.screens.main import MainScreen
from nereader.ui.widgets.status import StatusLine
from nereader.ui.widgets.thread_view import ThreadView
from tests.app.test_app import notifications
from tests.app.test_reading import SIZE, site_with

REPLY_1 = 828388022
ANSWER = 821395022  # a reply of thread 821372 on its second reply page
DOCS = "https://developer.apple.com/documentation/networkextension"
LINKS = ("<p>Thanks for the detailed report.",
         f'<p>See <a href="https://developer.apple.com/forums/thread/821372?answerId={ANSWER}'
         f'#{ANSWER}">the panic thread</a>, <a href="/forums/thread/707294">the resources</a>'
         f' and <a href="{DOCS}">the docs</a>.</p><p>Thanks for the detailed report.')


def linked_site() -> Site:
    return site_with(links=LINKS)


def browsed(app: NereaderApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs the app sends to the browser (none is started)."""
    urls: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: urls.append(url))
    return urls


def link_number(view: ThreadView, url_part: str) -> int:
    assert view.doc is not None
    view.doc.render_all()
    return next(i for i, url in enumerate(view.doc.links) if url_part in url)


def where(app: NereaderApp) -> tuple[int | None, int | None, str]:
    """The thread shown, its current post and the trail the status line shows."""
    screen = app.screen
    assert isinstance(screen, MainScreen)
    view = screen.query_one(ThreadView)
    post = view.current_post
    return (view.thread.id if view.thread else None, post.id if post else None,
            screen.state.trail)


async def test_forum_links_open_here_and_the_trail_goes_back_and_forth(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = demo_app(tmp_path, linked_site())
    urls = browsed(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        await pilot.press("n")  # reply 1, with the links
        assert where(app) == (828388, REPLY_1, "")
        await pilot.press("l")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, LinksScreen)
        assert [text for text, _ in dialog.links] == [
            "the panic thread  ↪ opens here", "the resources  ↪ opens here", "the docs"]
        await pilot.press("enter")  # the panic thread, at the answer the link names
        await settle(pilot)
        assert where(app) == (821372, ANSWER, "← 1") and urls == []
        assert "← 1" in str(app.query_one(StatusLine).render())
        await pilot.press("backspace")  # back: the same thread at the same post
        await settle(pilot)
        assert where(app) == (828388, REPLY_1, "→ 1")
        await pilot.press("right_square_bracket")  # forward again, where it was left
        await settle(pilot)
        assert where(app) == (821372, ANSWER, "← 1")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        view.action_open_link(link_number(view, "/thread/707294"))  # a click on a link
        await settle(pilot)
        assert where(app)[0] == 707294 and where(app)[2] == "← 1"  # the way ahead is gone
        await pilot.press("right_square_bracket")
        assert where(app)[0] == 707294
        await pilot.press("backspace")
        await settle(pilot)
        view.action_open_link(link_number(view, DOCS))  # not a thread: the browser
        await settle(pilot)
        assert urls == [DOCS] and where(app) == (828388, REPLY_1, "→ 1")


async def test_the_trail_says_when_there_is_nowhere_to_go(tmp_path: Path) -> None:
    app = demo_app(tmp_path, linked_site())
    said = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        await pilot.press("backspace")
        assert "No thread to go back to" in said[-1]
        await pilot.press("right_square_bracket")
        assert said[-1] == "No thread to go forward to."
        await pilot.press("n", "l")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert where(app)[2] == "← 1"
        await pilot.press("escape")  # back to the list; Enter on a row starts a new trail
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.trail.depth == "← 1"
        screen.open_thread(707294)
        await settle(pilot)
        assert where(app) == (707294, 707294, "")


async def test_links_between_cached_threads_work_offline(tmp_path: Path) -> None:
    site = linked_site()
    app = demo_app(tmp_path, site)
    said = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        for thread_id in (821372, 828388):  # read once online: both are cached
            await open_thread(pilot, thread_id)
        await pilot.press("ctrl+o")  # offline
        requests = site.counters.requests
        view = app.query_one(ThreadView)
        view.action_open_link(link_number(view, f"answerId={ANSWER}"))
        await settle(pilot)
        assert where(app) == (821372, ANSWER, "← 1")
        await pilot.press("backspace")
        await settle(pilot)
        assert where(app)[0] == 828388 and where(app)[2] == "→ 1"
        view.action_open_link(link_number(view, "/thread/707294"))  # never read: not cached
        await settle(pilot)
        assert view.thread is None and view.error == "thread"
        assert any("not in the cache" in s for s in said)
        await pilot.press("backspace")  # the way back is still there
        await settle(pilot)
        assert where(app)[0] == 828388 and where(app)[2] == ""
        assert site.counters.requests == requests  # offline: the site was never asked
