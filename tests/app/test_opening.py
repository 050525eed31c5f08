"""Opening threads, driven through Pilot on the demo forum: the pager and the editor, search
hits scrolled into view, a cached thread in one step, retrying a failed thread, and the app
started on a thread."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from nereader.core.export import thread_markdown
from nereader.core.models import PostKind
from nereader.core.urls import ThreadRef
from nereader.localforum import Site
from nereader.screenshots import demo_app, open_thread, settle
from nereader.ui import external
from nereader.ui.app import NereaderApp
from nereader.ui.screens.main import MainScreen
from nereader.ui.widgets.thread_list import ThreadList
from nereader.ui.widgets.thread_view import ThreadView, markdown_line
from tests.app.test_reading import SIZE, screen_text


def exists(path: str) -> bool:
    return Path(path).exists()


@contextlib.contextmanager
def no_suspend(app: NereaderApp) -> Iterator[None]:
    yield


async def test_pager_and_editor_open_the_thread_at_the_current_post(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = demo_app(tmp_path)
    runs: list[tuple[list[str], str]] = []
    monkeypatch.setattr(external, "_run", lambda argv: runs.append(
        (argv, Path(argv[-1]).read_text(encoding="utf-8"))) or 0)
    monkeypatch.setattr(app, "suspend", lambda: no_suspend(app))
    monkeypatch.delenv("PAGER", raising=False)
    monkeypatch.setenv("EDITOR", "nano -w")
    monkeypatch.delenv("VISUAL", raising=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        await pilot.press("a", "P")
        await settle(pilot)
        assert view.thread is not None
        argv, text = runs[-1]
        line = markdown_line(view.thread, 2)
        assert argv[:3] == ["less", "-R", f"+{line}g"] and text == thread_markdown(view.thread)
        assert text.split("\n")[line - 1].startswith("## Reply 2 by DTS Engineer")
        assert not exists(argv[-1])  # the temporary file is gone
        await pilot.press("E")
        await settle(pilot)
        assert runs[-1][0][:3] == ["nano", "-w", f"+{line}"]
        assert view.current == 2 and view.has_focus  # back at the same post


def test_pager_commands() -> None:
    path = Path("/tmp/t.md")
    assert external.command("pager", path, 1, {}) == ["less", "-R", "/tmp/t.md"]
    assert external.command("pager", path, 9, {"PAGER": "most"}) == ["most", "+9", "/tmp/t.md"]
    assert external.command("pager", path, 9, {"PAGER": "bat -p"}) == ["bat", "-p", "/tmp/t.md"]
    assert external.command("editor", path, 5, {"VISUAL": "code --wait", "EDITOR": "vi"}) == [
        "code", "--wait", "-g", "/tmp/t.md:5"]
    assert external.command("editor", path, 5, {}) == ["vi", "+5", "/tmp/t.md"]


async def test_a_missing_pager_is_a_notification(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app = demo_app(tmp_path)
    monkeypatch.setattr(app, "suspend", lambda: no_suspend(app))
    monkeypatch.setenv("PAGER", "/nonexistent/pager")
    said: list[str] = []
    notify = app.notify
    monkeypatch.setattr(app, "notify", lambda message, **kw: said.append(message) or notify(
        message, **kw))
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        await pilot.press("P")
        await settle(pilot)
        assert any("Could not run '/nonexistent/pager'" in m and "$PAGER" in m for m in said)


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_search_hits_scroll_their_post_into_view(tmp_path: Path,
                                                       size: tuple[int, int]) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        thread = (await app.service.thread(821372)).value
        for post in (thread.posts[33], thread.posts[2]):  # a late reply, then an early one
            app.main.open_thread(821372, focus_post=post.id)
            await settle(pilot)
            view = app.query_one(ThreadView)
            assert view.current_post == post
            assert view.doc is not None
            start = view.doc.starts[view.current + 1]
            assert view.scroll_y <= start + 1 < view.scroll_y + view.size.height
        comment = (await app.service.thread(828388)).value.posts[3]
        assert comment.kind is PostKind.COMMENT
        app.main.open_thread(828388, focus_post=comment.id)
        await settle(pilot)
        assert view.current_post == comment
        assert any("↳ Comment" in line for line in screen_text(view))


async def test_a_cached_thread_appears_in_one_step(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(ThreadView)
        shown: list[str] = []
        show_message, show_thread = view.show_message, view.show_thread
        view.show_message = lambda m, **kw: (shown.append(m), show_message(m, **kw))[1]  # type: ignore[method-assign,func-returns-value]
        view.show_thread = lambda *a, **kw: (shown.append("thread"), show_thread(*a, **kw))[1]  # type: ignore[method-assign,func-returns-value]
        await open_thread(pilot, 707294)  # not cached: the network is awaited
        assert shown == ["Loading the thread and every reply page…", "thread"]
        await pilot.press("escape")
        await open_thread(pilot, 828388)
        await open_thread(pilot, 707294)  # cached now: one step, no "Loading…"
        assert shown[-1:] == ["thread"] and shown.count("thread") == 3
        assert shown.count("Loading the thread and every reply page…") == 2


async def test_r_retries_a_failed_thread_and_errors_clear(tmp_path: Path) -> None:
    site = Site.bundled()
    app = demo_app(tmp_path, site)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        site.faults.challenge, site.faults.only_path = True, "/forums/thread/828388"
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        assert view.thread is None and view.error == "thread" and view.thread_id == 828388
        assert any("Could not open thread 828388" in line for line in screen_text(view))
        site.faults.challenge = False
        await pilot.press("r")
        await settle(pilot)
        assert view.thread is not None and view.thread.id == 828388 and view.error is None
        site.faults.challenge, site.faults.only_path = True, "/forums/thread/707294"
        await open_thread(pilot, 707294)
        assert view.error == "thread"
        await pilot.press("escape", "t", *"wi-fi-aware", "enter")  # open something else
        await settle(pilot)
        assert view.error is None
        assert not any("Could not open" in line for line in screen_text(view))


async def test_the_app_opens_on_a_thread_with_its_tag_behind_it(tmp_path: Path) -> None:
    base = demo_app(tmp_path)
    app = NereaderApp(base.service, base._start[0], demo=True, clock=base.clock,
                      thread=ThreadRef(828388, answer_id=828389022))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == 828388
        assert view.current_post is not None and view.current_post.id == 828389022
        screen = app.main
        assert isinstance(screen, MainScreen) and screen.reading
        assert view.has_focus and screen.state.name == "Network Extension"
        assert len(app.query_one(ThreadList).session.rows) == 20  # the tag's list is behind it
        await pilot.press("escape")
        assert app.query_one(ThreadList).has_focus


async def test_opening_a_missing_thread_directly_still_lists_the_tag(tmp_path: Path) -> None:
    base = demo_app(tmp_path)
    app = NereaderApp(base.service, base._start[0], demo=True, clock=base.clock,
                      thread=ThreadRef(123456))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(ThreadView)
        assert view.error == "thread" and view.thread_id == 123456
        assert len(app.query_one(ThreadList).session.rows) == 20
        assert view.error == "thread"  # the list loading does not hide why
