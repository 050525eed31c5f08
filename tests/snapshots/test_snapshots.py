"""SVG snapshots at fixed sizes with a frozen clock on the bundled demo forum.

The scenarios are the README screenshots'; the thread's find (with highlighted matches and a
code block scrolled to the first) is one of them; the rest are states of the list and the
thread worth keeping as they are (folded comments, new posts, the trail of links followed, a
page read as text); update with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from nereader.core.parse import parse_thread
from nereader.localforum import Site
from nereader.screenshots import (
    SCENARIOS,
    Scenario,
    demo_app,
    open_thread,
    read_before,
    settle,
)
from nereader.ui.screens.main import MainScreen
from tests.conftest import fixture_bytes


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(scenario: Scenario, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(scenario.app(tmp_path), terminal_size=scenario.size,
                        run_before=scenario.steps)


async def _all_pages_by_views(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("A")
    await settle(pilot)
    # Straight to views: passing through the activity sort would order rows from different
    # pages by their fetch instants, which differ from run to run.
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    screen.session.sort_by("views")
    screen.show_rows()
    await settle(pilot)


def test_all_pages_sorted_by_views(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(120, 30),
                        run_before=_all_pages_by_views)


def test_first_paint_80x24(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=settle)


SWIFT = "<pre><code>let proto = NETunnelProviderProtocol()"
LONG_SWIFT = ('<pre><code class="language-swift">let proto = NETunnelProviderProtocol(); '
              'let name = "a configuration whose name is far too long for any pane"; '
              "proto.serverAddress = name // the end of a very long line, at last")


def _with_long_swift() -> Site:
    site = Site.bundled()
    page = site.routes["/forums/thread/828388"].body.decode()
    site.replace_body("/forums/thread/828388", page.replace(SWIFT, LONG_SWIFT, 1).encode())
    return site


async def _code_scrolled(pilot: Pilot[None]) -> None:
    await open_thread(pilot, 828388)
    await pilot.press("n", "n", "n", "n", "n", "right", "right", "right", "right")
    await settle(pilot)


def test_highlighted_code_scrolled_sideways(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path, _with_long_swift()), terminal_size=(100, 30),
                        run_before=_code_scrolled)


async def _comments(pilot: Pilot[None]) -> None:
    await open_thread(pilot, 828388)
    await pilot.press("a")  # the accepted reply, with its comment under it
    await settle(pilot)


def test_comments_under_their_reply(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(90, 26), run_before=_comments)


async def _filter_waits(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("slash", *"replies:>5 views:")  # unfinished: no error, last result kept
    await settle(pilot)


def test_unfinished_filter_waits_80x24(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=_filter_waits)


async def _empty_bookmarks(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("v")  # no bookmarks yet: the list says so, and the way back
    await settle(pilot)


def test_empty_bookmarks_80x24(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=_empty_bookmarks)


async def _bad_filter(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("slash", *"tunnel replies:>lots")  # the caret under the bad text
    await settle(pilot)


def test_filter_error_160x45(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(160, 45), run_before=_bad_filter)


async def _feed_sorted_by_replies(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("s", "s")  # by activity, then by replies: which the feed does not give
    await settle(pilot)


def test_feed_stands_in_for_a_redesigned_tag_80x24(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The tag page's markup is unknown: its RSS feed's rows, counts as ?, the banner saying
    so and what sorting by an unknown count does."""
    assert snap_compare(demo_app(tmp_path, listing="packet-tunnel-provider"),
                        terminal_size=(80, 24), run_before=_feed_sorted_by_replies)


async def _folded(pilot: Pilot[None]) -> None:
    await open_thread(pilot, 828388)
    await pilot.press("a", "z")  # the accepted reply's comment folded: "▸ 1 comment"
    await settle(pilot)


def test_folded_reply(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(90, 26), run_before=_folded)


async def _news(pilot: Pilot[None]) -> None:
    await open_thread(pilot, 821372)  # at its first new post; the header says how many
    await pilot.press("k", "k", "k", "k")
    await settle(pilot)


def test_new_posts_marked(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = parse_thread(fixture_bytes("thread-821372-p2.html"),
                        "https://developer.apple.com/forums/thread/821372?page=2")
    seen = page.posts[-4].created_at  # the last three replies came after the reading
    assert seen is not None
    read_before(tmp_path / "data", 821372, seen.isoformat(), 33, at="2026-06-02T09:00:00+00:00")
    assert snap_compare(demo_app(tmp_path), terminal_size=(110, 30), run_before=_news)


async def _followed(pilot: Pilot[None]) -> None:
    await open_thread(pilot, 828388)
    await pilot.press("n", "l")  # reply 1's links: the first is a forum thread's answer
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def test_trail_depth(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.app.test_trail import linked_site

    assert snap_compare(demo_app(tmp_path, linked_site()), terminal_size=(120, 30),
                        run_before=_followed)


async def _text_only(pilot: Pilot[None]) -> None:
    await open_thread(pilot, 830512)  # the redesigned page: its text, under a banner


def test_text_only_thread(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(100, 30), run_before=_text_only)
