"""What is new in a thread read before (marked NEW, jumped to, `U` to the next, "N new since"
in the header), R for the site's reply form, and a page read as text: a banner, `o`, and
post keys that say why they do nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from nereader.core.models import PostKind
from nereader.core.service import ForumService
from nereader.core.settings import Freshness, Settings
from nereader.core.urls import parse_listing_ref
from nereader.localforum import Site, SiteTransport
from nereader.screenshots import FROZEN_NOW, demo_app, open_thread, settle
from nereader.ui.app import NereaderApp
from nereader.ui.widgets.thread_view import ThreadView
from tests.app.test_app import notifications
from tests.app.test_reading import SIZE, screen_text
from tests.net.test_bookmarks_service import add_reply

NEW_REPLY = 828396022


@pytest.mark.parametrize("jump", [True, False])
async def test_a_thread_read_before_marks_and_jumps_to_what_is_new(tmp_path: Path,
                                                                   jump: bool) -> None:
    site = Site.bundled()
    # Every cached thread page is asked for again (stale at once); the jump is the setting's.
    settings = Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data",
                        config_dir=tmp_path / "config", min_gap=0.0,
                        freshness=Freshness(thread=0), jump_to_new=jump)
    app = NereaderApp(ForumService(settings, transport=SiteTransport(site)),
                      parse_listing_ref("networkextension")[0], demo=True,
                      clock=lambda: FROZEN_NOW)
    said = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        assert view.doc is not None and not [i for i in view.doc.items if i.new]
        await pilot.press("U")  # nothing new here: on to the next unread thread of the list
        await settle(pilot)
        assert view.thread_id not in (None, 828388)
        add_reply(site)
        await open_thread(pilot, 821372)
        await open_thread(pilot, 828388)  # read again: its cached copy first, then the site's
        assert view.doc is not None
        assert [i.post.id for i in view.doc.items if i.new and i.post] == [NEW_REPLY]
        title = "\n".join(line.text.plain for line in view.doc.items[0].lines or [])
        assert "1 new" in title and "since" in title and "U jumps to the next" in title
        current = view.current_post
        assert current is not None
        assert (current.id == NEW_REPLY) is jump  # the setting turns the jump off
        await pilot.press("g", "U")
        assert view.current_post is not None and view.current_post.id == NEW_REPLY
        assert any(" NEW " in line for line in screen_text(view))
        await pilot.press("r")  # refreshed, in place: what was new is still marked
        await settle(pilot)
        assert [i.post.id for i in view.doc.items if i.new and i.post] == [NEW_REPLY]
        await pilot.press("U")  # past the last new post: on to the next unread thread
        await settle(pilot)
        assert view.thread_id not in (None, 828388)
        await open_thread(pilot, 821372)
        await open_thread(pilot, 828388)  # read now: nothing new any more
        assert not [i for i in view.doc.items if i.new]


async def test_R_opens_the_reply_form_on_the_site(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app = demo_app(tmp_path)
    urls: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: urls.append(url))
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 821372)  # two reply pages: the box is under the last
        await pilot.press("R")
        assert urls == ["https://developer.apple.com/forums/thread/821372?page=2"]


async def test_a_page_read_as_text_says_so(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    app = demo_app(tmp_path)
    said = notifications(app)
    urls: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: urls.append(url))
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 830512)
        view = app.query_one(ThreadView)
        assert view.thread is not None and view.thread.degraded
        text = "\n".join(screen_text(view))
        assert "post structure was not recognised" in text and "o opens it" in text
        assert "(unknown)" not in text and "Question" not in text
        assert view.current_post is not None and view.current_post.kind is PostKind.QUESTION
        # (U goes on to the next unread thread, as it does past a thread's last new post.)
        for key in ("n", "p", "J", "K", "a", "z", "Z"):
            said.clear()
            await pilot.press(key)
            assert said and said[-1].startswith("This page was read as text, as one post"), key
        await pilot.press("o")
        assert urls == ["https://developer.apple.com/forums/thread/830512"]
