"""The app and issue 10: a crash exits non-zero, set-aside files are said, only web links open."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from nereader.core.export import post_links
from nereader.screenshots import demo_app, settle
from nereader.ui.screens.dialogs import LinksScreen
from nereader.ui.widgets.thread_view import ThreadView

CRASHING_APP = """
import sys
from pathlib import Path
from nereader.core.models import ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.ui import app as ui

class Broken(ForumService):
    async def listing(self, *args, **kwargs):
        raise RuntimeError("an injected failure")

    async def cached_listing(self, *args, **kwargs):
        raise RuntimeError("an injected failure")

run = ui.NereaderApp.run
ui.NereaderApp.run = lambda self, **kw: run(self, headless=True, **kw)
root = Path(sys.argv[1])
service = Broken(Settings(cache_dir=root / "c", data_dir=root / "d", config_dir=root / "f",
                          offline=False, min_gap=0.0))
sys.exit(ui.run_app(service, ListingRef(ListingKind.TAG, "networkextension"), None, None))
"""


def test_a_crash_in_the_app_exits_non_zero(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", CRASHING_APP, str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, (done.stdout[-500:], done.stderr[-2000:])
    assert "an injected failure" in done.stdout + done.stderr


async def test_files_set_aside_are_said_in_the_app(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "state.json").write_text('{"read": [1, 2, 3]}')
    (data / "bookmarks.json").write_text('{"bookmarks": [{"id": 1, "tags": 5}')
    app = demo_app(tmp_path)
    seen: list[str] = []
    original = app.notify

    def notify(message, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(str(message))
        return original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)
    said = " ".join(seen)
    assert "state.json could not be read" in said and "bookmarks.json could not be read" in said
    assert json.loads(next(data.glob("state.json.corrupt-*")).read_text()) == {"read": [1, 2, 3]}
    assert len(list(data.glob("bookmarks.json.corrupt-*"))) == 1


async def test_the_link_picker_offers_and_opens_web_links_only(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    opened: list[str] = []
    app.open_url = lambda url, **kwargs: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        links = [("js", "JAVASCRIPT:alert(1)"), ("file", "file:///etc/passwd"),
                 ("ok", "https://developer.apple.com/documentation"),
                 ("smb", "smb://host/share"), ("tab", "java\tscript:x")]
        app.on_thread_view_open_links(ThreadView.OpenLinks(links))
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, LinksScreen)
        assert picker.links == [("ok", "https://developer.apple.com/documentation")]
        picker.dismiss("javascript:alert(1)")  # even a forged answer opens nothing unsafe
        await pilot.pause()
        assert opened == []
        app.on_thread_view_open_links(ThreadView.OpenLinks(links))
        await pilot.pause()
        app.screen.dismiss("https://developer.apple.com/documentation")
        await pilot.pause()
        assert opened == ["https://developer.apple.com/documentation"]


async def test_a_hostile_thread_reads_in_the_app(tmp_path: Path) -> None:
    """350 nested lists, 500 nested divs and unsafe links in one thread: the app shows it."""
    from nereader.core.urls import web_url
    from nereader.localforum import Site
    from nereader.localforum.render import Reply, Row, thread_page
    from nereader.screenshots import open_thread

    site = Site.bundled()
    row = Row(828388, "Hostile", "x", replies=2)
    question = Reply(828388, "asker", '<p><a href="JAVASCRIPT:alert(1)">js</a></p>',
                     1_780_000_000_000)
    replies = [Reply(828389001, "a", "<ul><li>a" * 350 + "</li></ul>" * 350, 1_780_000_100_000),
               Reply(828389002, "b", "<div>" * 500 + "deep" + "</div>" * 500, 1_780_000_200_000)]
    site.replace_body("/forums/thread/828388", thread_page(row, question, replies, 1, 1, 3))
    app = demo_app(tmp_path, site=site)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        assert view.thread is not None and len(view.thread.posts) == 3
        for post in view.thread.posts:
            assert "javascript" not in post.body_html.lower() or "href" not in post.body_html
        assert all(web_url(u) for p in view.thread.posts for _, u in post_links(p))
    assert app.return_code in (None, 0)
