"""Folding comments: z under the post in view, Z under every post, "▸ N comments" in their
place, find and jumps unfold what they land in, and the folds last as long as the app."""

from __future__ import annotations

from pathlib import Path

from nereader.core.models import PostKind
from nereader.screenshots import demo_app, open_thread, settle
from nereader.ui.screens.main import MainScreen
from nereader.ui.widgets.thread_view import ThreadView
from tests.app.test_app import notifications
from tests.app.test_reading import SIZE, screen_text

REPLY_2 = 828389022  # thread 828388's accepted reply, with one comment under it
COMMENT = 828389023


def shown(view: ThreadView) -> str:
    return "\n".join(screen_text(view))


async def test_z_folds_the_comments_under_the_post_in_view(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    said = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        await pilot.press("a")
        assert view.current_post is not None and view.current_post.id == REPLY_2
        assert "↳ Comment" in shown(view) and "▸ 1 comment" not in shown(view)
        await pilot.press("n")  # the comment is the post in view: z folds its reply's
        assert view.current_post is not None and view.current_post.kind is PostKind.COMMENT
        await pilot.press("z")
        assert "▸ 1 comment" in shown(view) and "↳ Comment" not in shown(view)
        assert view.current_post is not None and view.current_post.id == REPLY_2
        assert view.doc is not None and view.doc.folded == {REPLY_2}
        await pilot.press("n")  # the folded comment is skipped
        assert view.current_post is not None and view.current_post.kind is PostKind.ANSWER
        assert view.current_post.id != REPLY_2
        await pilot.press("z")
        assert said[-1] == "This post has no comments to fold."
        await pilot.press("p", "z")  # again: unfolded
        assert "↳ Comment" in shown(view) and view.doc.folded == frozenset()


async def test_Z_folds_every_post_and_find_unfolds_what_it_lands_in(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    said = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        await pilot.press("Z")
        assert view.doc is not None and view.doc.folded == {REPLY_2}
        assert said[-1] == "1 comment folded under 1 post."
        height = view.doc.height
        await pilot.press("slash", *"explains it", "enter")  # the comment's words
        await settle(pilot)
        assert view.doc.folded == frozenset() and view.doc.height > height
        assert view.current_post is not None and view.current_post.kind is PostKind.COMMENT
        assert "explains it" in shown(view)
        await pilot.press("escape", "Z", "Z")  # folded, then every comment shown again
        assert view.doc.folded == frozenset() and said[-1] == "1 comment shown."
        await pilot.press("Z", "G")  # the end: the last reply, whatever is folded above
        assert view.scroll_y == view.max_scroll_y
        view.goto_post(COMMENT)  # a jump to a folded comment (a search hit) unfolds it
        assert view.doc.folded == frozenset()
        assert view.current_post is not None and view.current_post.id == COMMENT


async def test_a_click_on_the_fold_line_unfolds(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        await pilot.press("a", "z")
        y = next(y for y, line in enumerate(screen_text(view)) if "▸ 1 comment" in line)
        x = screen_text(view)[y].index("▸")
        await pilot.click(ThreadView, offset=(x + 1, y))
        await settle(pilot)
        assert view.doc is not None and view.doc.folded == frozenset()
        assert "↳ Comment" in shown(view)


async def test_folds_last_while_the_app_runs(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        await pilot.press("a", "z")
        await open_thread(pilot, 821372)  # another thread, then this one again
        assert view.doc is not None and view.doc.folded == frozenset()
        await open_thread(pilot, 828388)
        assert view.doc is not None and view.doc.folded == {REPLY_2}
        assert app.folds == {828388: frozenset({REPLY_2})}
        await pilot.press("escape", "H")  # the home screen, then a listing: a new main screen
        await settle(pilot)
        app.open_listing("networkextension")
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and main.folds is app.folds
        await open_thread(pilot, 828388)
        fresh = main.query_one(ThreadView)
        assert fresh.doc is not None and fresh.doc.folded == {REPLY_2}
