"""[keys] in the app: ids of panes loaded later (the thread view, dialogs) are accepted and
work once those load, the keys help lists the keys as remapped, and conflicts are said."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from nereader.screenshots import open_thread, settle
from nereader.ui.app import NereaderApp
from nereader.ui.widgets.help import KeysHelp
from nereader.ui.widgets.thread_view import ThreadView
from tests.app.test_app import notifications
from tests.app.test_home import home_app
from tests.app.test_reading import SIZE


def help_lines(app: NereaderApp) -> list[str]:
    """The keys help as shown, a description wrapped beside its keys joined back to them."""
    lines: list[str] = []
    for line in app.screen.query_one(KeysHelp).render_help().plain.splitlines():
        if line.startswith(" ") and lines:
            lines[-1] += line
        else:
            lines.append(line)
    return [" ".join(line.split()) for line in lines]


async def test_a_remapped_thread_key_works_once_the_thread_view_loads(tmp_path: Path) -> None:
    app = home_app(tmp_path, follow=(), keys=(("detail.copy_code", "x"),
                                              ("detail.next", "ctrl+n")))
    notes = notifications(app)
    copied: list[str] = []
    app.copy_to_clipboard = lambda text, what="": copied.append(text)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not any("[keys]" in n for n in notes), notes  # every id known, no conflict
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        await pilot.press("a", "c")  # c no longer copies
        assert copied == []
        await pilot.press("x")
        assert copied[-1].startswith("let manager = NEURLFilterManager.shared")
        current = view.current
        await pilot.press("ctrl+n")
        assert view.current == current + 1
        # n was next match and next post: moving next post elsewhere leaves n for the find.
        await pilot.press("slash")
        app.query_one("#find", Input).value = "NEURL"
        await pilot.press("enter")
        await pilot.pause()
        assert view.find.active and len(view.find.matches) > 1
        at = view.find.index
        await pilot.press("n")
        assert view.find.index == (at + 1) % len(view.find.matches)


async def test_the_keys_help_lists_keys_as_remapped(tmp_path: Path) -> None:
    app = home_app(tmp_path, follow=(), keys=(("detail.copy_code", "x"),
                                              ("detail.copy_3", "ctrl+t")))
    async with app.run_test(size=(150, 42)) as pilot:
        await open_thread(pilot, 821372)
        await pilot.press("question_mark")
        await settle(pilot)
        lines = help_lines(app)
        assert "x Copy the current post's code block (again: the next one)" in lines
        assert not any(line.startswith("c Copy") for line in lines)
        # The nine "code N" keys are one entry; with one remapped it shows each key.
        assert "1 2 ctrl+t 4 5 6 7 8 9 Copy the code block labelled 'code N'" in lines
        assert "Thread" in lines and "Anywhere" in lines and "q Quit nereader" in lines
        # The thread's esc and / hide the screen's: those lines are not listed there.
        assert "/ Filter the list" not in lines and "/ Find text in the thread (n/N: " \
            "next/previous match, esc: end)" in lines


async def test_the_filter_help_leaves_out_keys_the_field_types(tmp_path: Path) -> None:
    app = home_app(tmp_path, follow=())
    async with app.run_test(size=(150, 42)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("question_mark")  # typed into the field
        assert app.query_one("#filter", Input).value == "?"
        app.main.toggle_help()
        await settle(pilot)
        lines = help_lines(app)
        assert "ctrl+s Save this query under a name" in lines
        assert "enter Back to the list, the filter kept" in lines
        assert "ctrl+f Search the cached threads as you type; enter searches the site too" in lines
        assert not any(line.startswith(("q ", "/ ", "r ")) for line in lines), lines


async def test_conflicts_are_said_with_both_ids(tmp_path: Path) -> None:
    app = home_app(tmp_path, follow=(), keys=(("detail.copy_url", "l"),))
    notes = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = [n for n in notes if "[keys]" in n]
        assert len(said) == 1 and "detail.copy_url" in said[0] and "detail.links" in said[0]
        assert "names no such binding" not in said[0]


async def test_a_quit_key_that_is_no_key_is_said_and_q_still_quits(tmp_path: Path) -> None:
    """`"app.quit" = "ctrl+"` names no key press: the app says so with the id when it starts,
    and q still quits (it took q away and bound a key that never comes, in silence)."""
    app = home_app(tmp_path, follow=(), keys=(("app.quit", "ctrl+"),))
    notes = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = [n for n in notes if "[keys]" in n]
        assert said == ["[keys]: app.quit: 'ctrl+' is not a key, so app.quit keeps its own (q)"]
        assert app.return_code is None
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0
