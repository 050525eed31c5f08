"""The app driven through Pilot on the demo forum: loading, reading, paging, filtering, errors."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from nereader.core.models import PostKind
from nereader.localforum import Site
from nereader.screenshots import demo_app, open_thread, settle
from nereader.ui.screens.main import MainScreen
from nereader.ui.widgets.thread_list import ThreadList
from nereader.ui.widgets.thread_view import ThreadView
from tests.conftest import FIXTURES


def notifications(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Every notification the app shows from now on (through the public notify)."""
    seen: list[str] = []
    original = app.notify

    def notify(message, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(str(message))
        return original(message, *args, **kwargs)

    app.notify = notify
    return seen


def pane_text(view: ThreadView) -> str:
    """What the thread pane shows, its lines joined."""
    return " ".join(" ".join(view.render_line(y).text.split())
                    for y in range(view.size.height)).strip()


def main_screen(app) -> MainScreen:  # type: ignore[no-untyped-def]
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen


async def test_list_loads_and_thread_opens(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        assert len(threads.session.rows) == 20 and threads.session.current is not None
        assert threads.session.current.id == 707294
        for _ in range(7):
            await pilot.press("j")
        assert threads.session.current.id == 828388
        await pilot.press("enter")
        await settle(pilot)
        view = app.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == 828388
        assert view.doc is not None and len(view.posts) == 10 and view.has_focus
        comment = view.doc.items[4]  # items: the title block, then the posts
        assert comment.post is not None and comment.post.kind is PostKind.COMMENT
        assert comment.parent == 3 and view.doc.items[3].post == view.posts[2]  # under reply 2
        await pilot.press("a")
        assert view.current_post is not None and view.current_post.accepted
        assert view.current == 2
        await pilot.press("n")
        assert view.current_post is not None and view.current_post.kind is PostKind.COMMENT
        assert len(view.blocks) == 2


async def test_copy_code_and_url(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    copied: list[str] = []
    app.copy_to_clipboard = lambda text, what="": copied.append(text)  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(pilot, 828388)
        await pilot.press("a", "c")
        assert copied[-1].startswith("let manager = NEURLFilterManager.shared")
        await pilot.press("2")
        assert copied[-1].startswith("let proto = NETunnelProviderProtocol()")
        await pilot.press("u")
        assert copied[-1] == "https://developer.apple.com/forums/thread/828388?answerId=828389022#828389022"


async def test_paging_and_load_all(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        await pilot.press("G")  # the end of the list loads the next page
        await settle(pilot)
        assert len(threads.session.rows) == 40 and main_screen(app).state.pages_loaded == 2
        await pilot.press("A")
        await settle(pilot)
        assert len(threads.session.rows) == 201 and main_screen(app).state.pages_loaded == 11
        status = str(app.query_one("#status").render())
        assert "201 of 201 loaded (11 pages of 11)" in status


async def test_filter_narrows_and_clears(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        await pilot.press("slash")
        await pilot.pause()
        assert app.query_one("#filter", Input).has_focus
        await pilot.press(*"url filter")
        await pilot.pause()
        titles = [r.title for r in threads.session.shown_rows]
        hay = [(r.title + " " + r.excerpt).lower() for r in threads.session.shown_rows]
        assert titles and all("url" in h and "filter" in h for h in hay)
        others = [r for r in threads.session.rows if r not in threads.session.shown_rows]
        assert all(not ("url" in (r.title + r.excerpt).lower()
                        and "filter" in (r.title + r.excerpt).lower()) for r in others)
        assert len(titles) < 20
        await pilot.press("escape")
        await pilot.pause()
        assert len(threads.session.shown) == 20 and threads.has_focus
        assert app.query_one("#filter", Input).value == ""


async def test_sort_by_column(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        await pilot.press("s", "s")  # activity, then replies
        replies = [r.replies for r in threads.session.shown_rows]
        assert threads.session.list_sort == "replies" and replies == sorted(replies, reverse=True)
        await pilot.press("S")
        assert [r.replies for r in threads.session.shown_rows] == sorted(replies)


async def test_offline_banner_and_cached_reading(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(pilot, 707294)
        await pilot.press("escape", "ctrl+o")
        await pilot.pause()
        banner = app.query_one("#banner")
        assert banner.display and "OFFLINE" in str(banner.render())
        await open_thread(pilot, 707294)
        view = app.query_one(ThreadView)
        assert view.thread is not None and view.thread.locked


async def test_a_thread_that_fails_says_why_once_in_its_pane(tmp_path: Path) -> None:
    """Where the thread would be, the pane says why it is not (and r retries); a toast
    would only say it twice."""
    app = demo_app(tmp_path)
    notes = notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(pilot, 777001)  # the bot-check page
        view = app.query_one(ThreadView)
        assert view.thread is None and view.error == "thread"
        assert "bot check" in pane_text(view)
        assert not any("bot check" in m for m in notes), notes


async def test_offline_without_cache_says_so(tmp_path: Path) -> None:
    """The empty list says why, once: not a toast too, nor the thread pane."""
    app = demo_app(tmp_path, offline=True)
    notes = notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        session = app.query_one(ThreadList).session
        assert session.rows == () and "not in the cache" in session.empty_note
        assert not any("not in the cache" in n for n in notes), notes
        view = app.query_one(ThreadView)
        assert "not in the cache" not in pane_text(view) and "Select a thread" in pane_text(view)


async def test_help_opens(tmp_path: Path) -> None:
    from nereader.ui.widgets.help import KeysHelp

    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        panel = app.screen.query_one(KeysHelp)
        assert panel.display
        shown = panel.render_help().plain
        assert shown.startswith("Thread list\n") and "`" not in shown  # the help, rendered
        assert "recommended" in app.export_screenshot()  # on screen
        await pilot.press("question_mark")
        await pilot.pause()
        assert not panel.display
        await pilot.press("question_mark")
        await pilot.pause()
        assert panel.display


async def test_narrow_layout(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.has_class("-narrow")
        pane = app.query_one("#detail-pane")
        assert not pane.display or pane.region.width == 0
        await pilot.press("enter")
        await settle(pilot)
        assert screen.reading and app.query_one(ThreadView).region.width > 70
        assert not app.query_one("#list-pane").display
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.reading and app.query_one(ThreadList).has_focus
        assert not pane.display and app.query_one("#list-pane").display


async def test_switch_tag(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t", *"wi-fi-aware")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one(ThreadList).session.rows == ()
        assert main_screen(app).state.name == "Wi-Fi Aware"
        assert app.recent_listings()[:2] == ["wi-fi-aware", "networkextension"]
        await pilot.press("t")  # the listing before this one first: t, enter goes back
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).state.name == "Network Extension"
        assert len(app.query_one(ThreadList).session.rows) == 20


async def test_site_text_is_shown_literally(tmp_path: Path) -> None:
    site = Site.from_directory(FIXTURES)
    hostile = "[bold red]Boom[/bold red] [link=https://evil.example]click[/link] \x1b[2J\x1b[31mred"
    listing = site.routes["/forums/tags/networkextension"].body.decode()
    site.replace_body("/forums/tags/networkextension",
                      listing.replace("Local Push - app-push-provider", hostile, 2).encode())
    thread = site.routes["/forums/thread/828388"].body.decode()
    site.replace_body("/forums/thread/828388", thread.replace(
        "Any update on this? We are blocked on a release.", hostile).replace(
        "NEFilterDataProvider activation on consumer iOS", hostile).encode())
    app = demo_app(tmp_path, site=site)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        row = next(r for r in threads.session.rows if "Boom" in r.title)
        assert "\x1b" not in row.title
        strip = threads.render_line(1 + threads.session.rows.index(row))
        text = "".join(seg.text for seg in strip)
        assert "[bold red]Boom[/bold red]" in text
        assert all(seg.style is None or not seg.style.link for seg in strip)
        await open_thread(pilot, 828388)
        svg = app.export_screenshot()
        assert "[bold&#160;red]Boom[/bold&#160;red]" in svg
        assert "[link=https://evil.example]click[/link]" in svg.replace("&#160;", " ")
        assert "evil.example\"" not in svg  # no real hyperlink was made
        assert "\x1b" not in svg


async def test_query_filter_count_error_and_history(tmp_path: Path) -> None:
    from nereader.ui.widgets.filter_bar import FilterBar, FilterInput

    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        await pilot.press("slash", *"replies:>=8 sort:-views")
        await pilot.pause()
        assert [r.id for r in threads.session.shown_rows] == [788921, 821372, 828410, 828388]
        box = app.query_one(FilterInput)
        assert box.border_subtitle == "4 of 20"
        box.value = "replies:>=8 sort:-views views:>lots"  # one edit: a paste
        await pilot.pause()
        error = app.query_one("#filter-error", Static)
        assert error.display and "not a number" in str(error.render())
        # exactly under the bad text: the input's border (1) and padding (2) come first
        text_x = box.content_region.x - error.region.x
        assert text_x == 3
        assert str(error.render()).index("^") == text_x + len("replies:>=8 sort:-views views:>")
        assert len(threads.session.shown) == 4  # the last valid result stays
        assert box.has_class("-invalid")
        box.value = "replies:>=8 sort:-views"
        await pilot.press("enter")
        await settle(pilot)
        # a narrow filter leaves the cursor near the end, yet typing fetched no other page
        assert app.main.state.pages_loaded == 1
        await pilot.pause()
        assert not error.display and threads.has_focus
        await pilot.press("slash", "escape", "slash", "up")
        await pilot.pause()
        assert box.value == "replies:>=8 sort:-views"
        assert app.query_one(FilterBar) is not None


async def test_saved_filters(tmp_path: Path) -> None:
    from nereader.core.store import SavedFilters
    from nereader.ui.screens.dialogs import NamePrompt

    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"is:answered", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NamePrompt)
        await pilot.press(*"done", "enter")
        await pilot.pause()
        saved = SavedFilters(app.service.settings.config_dir).load()
        assert saved == {"done": "is:answered"}
        app.main.apply_filter("")
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one("#filter", Input).value == "is:answered"
        assert all(r.answered for r in app.query_one(ThreadList).session.shown_rows)


async def test_full_text_search_opens_at_the_post(tmp_path: Path) -> None:
    from textual.widgets import Input as TInput
    from textual.widgets import OptionList

    from nereader.ui.screens.search import SearchScreen

    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(pilot, 828388)  # reading a thread indexes it
        await pilot.press("escape")
        app.service.set_offline(True)  # search works offline
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        app.screen.query_one(TInput).value = "sysdiagnose"
        await settle(pilot)
        results = app.screen.query_one(OptionList)
        assert results.option_count == 1
        await pilot.press("down", "enter")
        await settle(pilot)
        view = app.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == 828388
        assert view.current_post is not None and "sysdiagnose" in view.current_post.body_markdown


async def test_bookmarks_in_the_app(tmp_path: Path) -> None:
    from tests.net.test_bookmarks_service import add_reply

    site = Site.bundled()
    app = demo_app(tmp_path, site=site)
    notes = notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        for _ in range(7):
            await pilot.press("j")
        assert threads.session.current is not None and threads.session.current.id == 828388
        await pilot.press("b")
        await settle(pilot)
        assert [b.id for b in await app.service.bookmarks()] == [828388]
        assert threads.session.marks(threads.session.current)[2] == "⚑"
        assert threads.session.marks(threads.session.current)[3] == "•"  # not read yet
        await pilot.press("v")
        await settle(pilot)
        assert [r.id for r in threads.session.rows] == [828388]
        await pilot.press("enter")
        await settle(pilot)
        view = app.query_one(ThreadView)
        assert view.doc is not None and not [i for i in view.doc.items if i.new]
        add_reply(site)  # a reply arrives on the site; r refreshes the thread being read
        await pilot.press("r")
        await settle(pilot)
        assert view.doc is not None
        assert [i.post.id for i in view.doc.items if i.new and i.post] == [828396022]
        assert view.current_post is not None and view.current_post.id == 828396022
        assert any("+1 new post" in n for n in notes)
        await pilot.press("escape")
        assert threads.session.marks(threads.session.rows[0])[3] == " "  # read now
        await pilot.press("b")  # again: removes
        await settle(pilot)
        assert await app.service.bookmarks() == []


async def test_offline_start_opens_the_library(tmp_path: Path) -> None:
    from textual.widgets import OptionList

    from nereader.ui.screens.library import LibraryScreen

    online = demo_app(tmp_path)
    async with online.run_test(size=(140, 40)) as pilot:
        await open_thread(pilot, 707294)
        await pilot.press("b")
        await settle(pilot)
    app = demo_app(tmp_path, offline=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        labels = [str(app.screen.query_one(OptionList).get_option_at_index(i).prompt)
                  for i in range(app.screen.query_one(OptionList).option_count)]
        assert any("Network Extension" in x and "cached" in x for x in labels)
        assert any("Network Extension Resources" in x and "cached" in x for x in labels)
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.query_one(ThreadList).session.rows) == 20  # the cached tag, offline
        banner = app.query_one("#banner")
        assert "OFFLINE" in str(banner.render())


async def test_mark_all_read(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        assert all(threads.session.marks(r)[3] in "•·" for r in threads.session.rows)
        await pilot.press("M")  # asks first (no undo): y does it
        await settle(pilot)
        assert all(threads.session.marks(r)[3] in "•·" for r in threads.session.rows)
        await pilot.press("y")
        await settle(pilot)
        assert all(threads.session.marks(r)[3] == " " for r in threads.session.rows)


async def test_every_binding_is_a_palette_command(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(pilot, 828388)
        titles = [c.title for c in app.get_system_commands(app.main)]
        for expected in ("Next post", "Prev post", "Accepted", "Copy code", "Browser",
                         "Copy URL", "Links", "Bookmark", "Quit", "Help", "Tag", "Offline",
                         "Search", "Site sort: Most replies", "Refresh", "Cache info",
                         "Load all", "Library", "Mark read", "Bookmarks", "Filters"):
            assert any(t.startswith(expected) for t in titles), expected
        copied: list[str] = []
        app.copy_to_clipboard = lambda text, what="": copied.append(text)  # type: ignore[method-assign]
        command = next(c for c in app.get_system_commands(app.main)
                       if c.title.startswith("Copy URL"))
        command.callback()
        await pilot.pause()
        assert copied == ["https://developer.apple.com/forums/thread/828388"]


async def test_corrupted_bookmarks_are_reported_and_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "bookmarks.json").write_text("{not json", encoding="utf-8")
    app = demo_app(tmp_path)
    notes = notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert any("kept it as bookmarks.json.corrupt-" in n for n in notes)
        assert list(data.glob("bookmarks.json.corrupt-*"))
        assert len(app.query_one(ThreadList).session.rows) == 20  # the app carries on
