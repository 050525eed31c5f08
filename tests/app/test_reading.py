"""Reading a thread, driven through Pilot on the demo forum: lazy rendering, comments, code
blocks that scroll and wrap, highlighting, copying, find, links, selection and the keys."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input

from nereader.core.models import PostKind
from nereader.localforum import Site
from nereader.screenshots import demo_app, open_thread, settle
from nereader.ui.widgets.thread_list import ThreadList
from nereader.ui.widgets.thread_view import ThreadView
from tests.gates import until

SIZE = (140, 40)
COMMENT = "<p>Thanks, that explains it. Moving to <code>NEURLFilterManager</code>.</p>"
SWIFT = "<pre><code>let proto = NETunnelProviderProtocol()"
LONG_SWIFT = ('<pre><code class="language-swift">let proto = NETunnelProviderProtocol(); '
              'let name = "a configuration whose name is far too long for any pane"; '
              "proto.serverAddress = name // the end of a very long line")


def site_with(**bodies: str) -> Site:
    """The demo forum with parts of thread 828388 replaced (old HTML -> new)."""
    site = Site.bundled()
    page = site.routes["/forums/thread/828388"].body.decode()
    for old, new in bodies.values():  # type: ignore[misc]
        assert old in page
        page = page.replace(old, new, 1)
    site.replace_body("/forums/thread/828388", page.encode())
    return site


def text_of(view: ThreadView, y: int) -> str:
    return "".join(segment.text for segment in view.render_line(y))


def screen_text(view: ThreadView) -> list[str]:
    return [text_of(view, y) for y in range(view.size.height)]


def line_of(view: ThreadView, needle: str) -> int:
    """The screen row showing ``needle`` (it must be on screen)."""
    return next(y for y, line in enumerate(screen_text(view)) if needle in line)


async def test_thread_layout_comments_and_the_header_marks(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.service.bookmark(828388, "the URL filter route", ("ios", "filter"))
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        top = "\n".join(screen_text(view)[:4])
        assert "NEFilterDataProvider activation" in top
        assert "⚑ Bookmarked" in top and "#ios #filter" in top and "the URL filter route" in top
        await pilot.press("a")  # the accepted reply, whose comment sits under it
        assert view.doc is not None and view.current == 2
        y = line_of(view, "↳ Comment")
        reply = line_of(view, "Reply 2")
        assert y > reply and text_of(view, y).index("↳") > text_of(view, reply).index("Reply")
        comment = view.doc.locate(round(view.scroll_y) + y)[0]
        gutter = view.painter.gutter(view.doc, comment, 1, view_state(view))
        # The reply's bar runs down beside its comment, in the reply's (current) colour.
        assert gutter[0].style == view.painter.brushes.bar_current
        assert gutter[-1].style != view.painter.brushes.bar_current
        await pilot.press("n")
        assert view.current_post is not None and view.current_post.kind is PostKind.COMMENT
        gutter = view.painter.gutter(view.doc, comment, 1, view_state(view))
        assert gutter[0].style != gutter[-1].style == view.painter.brushes.bar_current
        await pilot.press("b")  # unbookmarked from the thread: the header says so at once
        await settle(pilot)
        await pilot.press("g")
        assert not any("⚑" in line for line in screen_text(view)[:4])


def view_state(view: ThreadView):  # type: ignore[no-untyped-def]
    from nereader.ui.widgets.thread_paint import View

    return View(view.size.width, view.current + 1, view._block_info, view._offsets)


async def test_posts_render_lazily_and_all_in_the_end(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        thread = (await app.service.thread(821372)).value
        view = app.query_one(ThreadView)
        view.focus()
        view.show_thread(thread, app.clock())
        assert view.doc is not None
        rendered = [i for i, item in enumerate(view.doc.items) if item.lines is not None]
        assert rendered == list(range(len(rendered))) and len(rendered) < 8  # the first screen
        doc = view.doc
        await until(lambda: doc.complete, "every post rendered in the background", pilot)
        await settle(pilot)
        assert view.doc.complete and view.virtual_size.height == view.doc.height
        await pilot.press("G")  # the last post, smoothly: its lines are on screen
        assert view.current == len(thread.posts) - 1
        assert any("Reply 36" in line for line in screen_text(view))


async def test_code_scrolls_sideways_alone_and_w_wraps(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 821372)  # the panic line is 371 columns wide
        view = app.query_one(ThreadView)
        y = line_of(view, "panic(cpu 0 caller")
        prose = line_of(view, "Hello, We have a security")
        before = text_of(view, prose)
        assert text_of(view, y).rstrip().endswith("›") and "columns 1–" in text_of(view, y - 1)
        await pilot.press("right", "right")
        assert view._offsets == {1: 16}
        assert "panic(cpu 0 caller" not in text_of(view, y) and "‹" in text_of(view, y)
        assert text_of(view, y).index("‹") < 10 and "r 0xfffffe003bb68224" in text_of(view, y)
        assert text_of(view, prose) == before  # the rest of the post stays put
        assert "columns 17–" in text_of(view, y - 1)
        await pilot.press("left")
        assert view._offsets == {1: 8}
        await pilot.press("shift+right")
        assert view._offsets[1] == 8 + view.size.width // 2
        await pilot.press("w")  # wrap: the whole line shows, folded, nothing scrolls
        assert view.wrap_code and not view._offsets
        lines = screen_text(view)
        start = next(i for i, line in enumerate(lines) if "panic(cpu 0 caller" in line)
        assert "RELEASE_ARM64_T6050" in "".join(lines[start:start + 8])
        assert all(len(line.rstrip()) <= view.size.width for line in lines)
        await pilot.press("right")
        assert not view._offsets
        await pilot.press("w")
        assert not view.wrap_code and text_of(view, y).rstrip().endswith("›")


async def test_the_mouse_scrolls_the_code_block_under_it(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 821372)
        view = app.query_one(ThreadView)
        y = line_of(view, "panic(cpu 0 caller")
        await pilot._post_mouse_events([events.MouseScrollRight], view, offset=(20, y))
        assert view._offsets == {1: 8}
        await pilot._post_mouse_events([events.MouseScrollDown], view, offset=(20, y),
                                       shift=True)
        assert view._offsets == {1: 16} and view.scroll_y == 0
        await pilot._post_mouse_events([events.MouseScrollLeft], view, offset=(20, y))
        assert view._offsets == {1: 8}
        prose = line_of(view, "Hello, We have a security")
        await pilot._post_mouse_events([events.MouseScrollRight], view, offset=(20, prose))
        assert view._offsets == {1: 8}  # prose does not scroll sideways


async def test_highlighting_from_the_language_class_and_line_numbers(tmp_path: Path) -> None:
    app = demo_app(tmp_path, site_with(code=(SWIFT, LONG_SWIFT)))
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        await pilot.press("n", "n", "n", "n")  # reply 4
        view = app.query_one(ThreadView)
        assert "code 2 · Swift" in text_of(view, line_of(view, "code 2"))
        assert "(guessed)" not in text_of(view, line_of(view, "code 2"))
        y = line_of(view, "let proto")
        assert text_of(view, y).lstrip(" ▌").startswith("1 │ let proto")  # numbered: 4 lines
        colours = {seg.style.color for seg in view.render_line(y)
                   if seg.style and seg.style.color and seg.text.strip()}
        assert len(colours) >= 3  # keywords, names, strings, numbers differ


async def test_copy_gives_the_exact_code_quoted_code_included(tmp_path: Path) -> None:
    quoted = ("<blockquote><p>What I run:</p><pre><code>sudo log stream \\\n"
              "  --predicate 'subsystem == \"com.apple.networkextension\"'</code></pre>"
              "</blockquote><ul><li>and<pre><code>{\"a\": [1, 2]}</code></pre></li></ul>")
    app = demo_app(tmp_path, site_with(comment=(COMMENT, quoted)))
    copied: list[str] = []
    app.copy_to_clipboard = lambda text, what="": copied.append(text)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        await pilot.press("a", "n")  # the comment: a quote and a list, each with code
        await pilot.press("c")
        assert copied[-1] == ("sudo log stream \\\n"
                              "  --predicate 'subsystem == \"com.apple.networkextension\"'")
        await pilot.press("c")
        assert copied[-1] == '{"a": [1, 2]}'
        await pilot.press("c")  # round again
        assert copied[-1].startswith("sudo log stream")
        await pilot.press("1")
        assert copied[-1].startswith("let manager = NEURLFilterManager.shared")
        await pilot.press("4")
        assert copied[-1].startswith("let proto = NETunnelProviderProtocol()")
        await pilot.press("9")
        assert len(copied) == 5  # there is no code 9


async def test_find_highlights_jumps_and_n_moves_between_matches(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 821372)
        view = app.query_one(ThreadView)
        await pilot.press("slash")
        field = app.query_one("#find", Input)
        assert field.has_focus and app.query_one("#find-bar").display
        field.value = "sample projec"  # typed (a key at a time costs the test time)
        await pilot.press("t")
        await pilot.pause()
        count = app.query_one("#find-count")
        assert view.find.matches and str(count.render()).startswith(
            f"{len(view.find.matches)} matches")
        assert view.find.marks  # highlighted
        assert len(view.find.matches) == 5  # replies 3, 11, 19, 27 and 35
        await pilot.press("enter")
        assert view.has_focus and view.find.active and view.find.index == 0
        first = view.find.matches[0]
        assert view.current_post is view.posts[first.item - 1]
        assert any("sample project" in line for line in screen_text(view))
        assert str(count.render()).startswith("1 of 5 matches")
        await pilot.press("n")
        assert view.find.index == 1 and view.current_post is view.posts[
            view.find.matches[1].item - 1]
        await pilot.press("N", "N")  # back past the first: around to the last
        assert view.find.index == 4
        await pilot.press("escape")  # ends the find; n is post navigation again
        assert not view.find.active and not view.find.marks and view.has_focus
        assert not app.query_one("#find-bar").display
        current = view.current
        await pilot.press("n")
        assert view.current == current + 1
        await pilot.press("slash", *"zqx", "escape")  # esc while typing: back where it began
        assert view.has_focus and not view.find.marks and view.current == current + 1


async def test_slash_in_the_list_still_filters(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        await pilot.press("escape", "slash")
        assert app.query_one("#filter", Input).has_focus


async def test_links_open_on_click_and_only_web_links_are_links(tmp_path: Path) -> None:
    body = ('<p>See <a href="https://developer.apple.com/documentation/networkextension">the '
            'docs</a> and <a href="smb://fileserver/share">the share</a>.</p>')
    app = demo_app(tmp_path, site_with(comment=(COMMENT, body)))
    opened: list[str] = []
    app.open_url = lambda url, **kw: opened.append(url)  # type: ignore[method-assign,assignment,misc]
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        await pilot.press("a")
        view = app.query_one(ThreadView)
        y = line_of(view, "the docs")
        segments = list(view.render_line(y))
        docs = next(s for s in segments if "the docs" in s.text)
        share = next(s for s in segments if "the share" in s.text)
        assert docs.style is not None and "@click" in docs.style.meta
        assert share.style is None or "@click" not in (share.style.meta or {})
        x = text_of(view, y).index("the docs") + 2
        await pilot.click(view, offset=(x + 1, y))  # + the pane's padding
        assert opened == ["https://developer.apple.com/documentation/networkextension"]
        await pilot.press("l")  # the link picker offers the web link only
        options = app.screen.query("OptionList").first()
        labels = [str(options.get_option_at_index(i).prompt)  # type: ignore[attr-defined]
                  for i in range(options.option_count)]  # type: ignore[attr-defined]
        assert len(labels) == 1 and "documentation/networkextension" in labels[0]


async def test_mouse_selection_copies_what_is_seen_without_the_bars(tmp_path: Path) -> None:
    from textual.geometry import Offset
    from textual.selection import Selection

    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        await pilot.press("a")
        view = app.query_one(ThreadView)
        top = round(view.scroll_y)
        y = line_of(view, "Content filters on iOS")
        text = view.get_selection(Selection(Offset(0, top + y), Offset(30, top + y + 1)))
        assert text is not None
        first, second = text[0].split("\n")
        assert first.startswith("Content filters on iOS are only supported")
        assert second == text_of(view, y + 1)[2:30].rstrip()  # seen, less the bar
        assert not second.startswith("▌")
        app.screen.selections = {view: Selection(Offset(2, top + y), Offset(9, top + y))}
        await pilot.pause()
        selected = [s for s in view.render_line(y) if s.text.strip() and s.style
                    and s.style.bgcolor == app.screen.get_component_rich_style(
                        "screen--selection").bgcolor]
        assert "".join(s.text for s in selected) == "Content"


async def test_moving_keys_and_opening_in_the_browser(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    opened: list[str] = []
    app.open_url = lambda url, **kw: opened.append(url)  # type: ignore[method-assign,assignment,misc]
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 821372)
        view = app.query_one(ThreadView)
        await pilot.press("j", "j", "down")
        assert view.scroll_y == 3
        await pilot.press("k", "up")
        assert view.scroll_y == 1
        await pilot.press("space")
        assert view.scroll_y == 1 + view.size.height - 2
        await pilot.press("pageup")
        assert view.scroll_y == 1
        await pilot.press("J", "J", "K")
        assert view.current == 1
        await pilot.press("n", "p", "p")
        assert view.current == 0
        await pilot.press("G")
        assert view.current == 36 and view.scroll_y == view.max_scroll_y > 0
        await pilot.press("g")
        assert view.current == 0 and view.scroll_y == 0
        for _ in range(5):
            await pilot.press("space")  # paging on: the current post follows the reader
        assert view.current > 0
        assert view.doc is not None
        start = view.doc.starts[view.current + 1]
        assert start <= view.scroll_y + view.size.height
        await pilot.press("n", "o")
        post = view.current_post
        assert post is not None and opened == [
            f"https://developer.apple.com/forums/thread/821372?answerId={post.id}#{post.id}"]
        await pilot.press("escape")
        assert app.query_one(ThreadList).has_focus


async def test_keys_typed_right_after_slash_reach_the_find_field(tmp_path: Path) -> None:
    """Fast typing (or a terminal that delivers "/kernel" at once) loses no key: the keys
    after "/" are on their way to the thread view before the find field has focus."""
    from nereader.ui.widgets.thread_pane import FindInput

    app = demo_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_thread(pilot, 821372)
        for ch in "/kernel":
            app.post_message(events.Key("slash" if ch == "/" else ch, ch))
        await settle(pilot)
        field = app.query_one(FindInput)
        assert field.has_focus and field.value == "kernel"


async def test_the_header_gives_views_as_the_site_rounded_them(tmp_path: Path) -> None:
    """The list says 4k; the thread's header says the same, never an invented 4000."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_thread(pilot, 821372)
        top = "\n".join(screen_text(app.query_one(ThreadView))[:5])
        assert "4k views" in top and "4000" not in top, top
