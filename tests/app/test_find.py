"""Find in a thread when the pattern is not found, and the key bar while finding: it names
the find's own keys (esc ends it, enter jumps), not the thread's."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from nereader.screenshots import demo_app, open_thread
from nereader.ui.widgets.keybar import KeyBar
from nereader.ui.widgets.thread_view import ThreadView
from tests.app.test_reading import SIZE


def bar_text(app: object) -> str:
    from nereader.ui.app import NereaderApp

    assert isinstance(app, NereaderApp)
    return str(app.query_one(KeyBar).render())


async def test_a_pattern_not_found_keeps_the_bar_open_and_n_never_moves_posts(
        tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_thread(pilot, 821372)
        view = app.query_one(ThreadView)
        current = view.current
        await pilot.press("slash", *"zzzqqq")
        count = app.query_one("#find-count")
        assert str(count.render()) == "no match"
        await pilot.press("enter")
        await pilot.pause()
        field = app.query_one("#find", Input)
        assert str(count.render()) == "Pattern not found: zzzqqq"
        assert app.query_one("#find-bar").display and field.has_focus
        assert not view.find.active
        await pilot.press("n")  # types into the pattern, never moves a post
        assert field.value == "zzzqqqn" and view.current == current
        await pilot.press("escape")  # gives up: back where it began, n is the next post
        assert view.has_focus and not app.query_one("#find-bar").display
        await pilot.press("n")
        assert view.current == current + 1


async def test_the_key_bar_says_what_esc_does_while_finding(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 821372)
        assert bar_text(app).startswith(" esc Back  n Next")
        await pilot.press("slash")
        await pilot.pause()
        typing = bar_text(app)
        assert "esc End find" in typing and "Jump" in typing and "Back" not in typing
        app.query_one("#find", Input).value = "sample projec"
        await pilot.press("t", "enter")
        await pilot.pause()
        active = bar_text(app)
        assert "esc End find" in active and "Next match" in active and "Back" not in active
        await pilot.press("escape")
        await pilot.pause()
        assert "esc Back" in bar_text(app) and "End find" not in bar_text(app)


async def test_a_pattern_is_echoed_as_typed_never_read_as_markup(tmp_path: Path) -> None:
    """"[/]" in a pattern once crashed the app (MarkupError) when it was not found."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_thread(pilot, 821372)
        await pilot.press("slash", *"zz[/]", "enter")
        await pilot.pause()
        assert str(app.query_one("#find-count").render()) == "Pattern not found: zz[/]"
