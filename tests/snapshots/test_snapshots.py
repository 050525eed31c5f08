"""SVG snapshots at fixed sizes with a frozen clock on the bundled demo forum.

The first five are the README screenshots' scenarios; update with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from nereader.screenshots import SCENARIOS, Scenario, demo_app, settle
from nereader.ui.widgets.thread_list import ThreadList


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(scenario: Scenario, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=scenario.size,
                        run_before=scenario.steps)


async def _all_pages_by_views(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("A")
    await settle(pilot)
    # Straight to views: passing through the activity sort would order rows from different
    # pages by their fetch instants, which differ from run to run.
    pilot.app.query_one(ThreadList).sort_by("views")
    await settle(pilot)


def test_all_pages_sorted_by_views(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(120, 30),
                        run_before=_all_pages_by_views)


def test_first_paint_80x24(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=settle)
