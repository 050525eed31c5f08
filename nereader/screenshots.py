"""Screenshots the app renders itself from the demo forum: ``python -m nereader.screenshots``.

The same scenarios drive the snapshot tests, so the pictures in the README are the tested ones.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot

from nereader.cli.common import with_flags
from nereader.core.models import ListingKind
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum import Site, SiteTransport
from nereader.ui.app import NereaderApp

FROZEN_NOW = datetime(2026, 6, 12, 12, 0, tzinfo=UTC)
Step = Callable[[Pilot[None]], Awaitable[None]]


def demo_app(cache_dir: Path, site: Site | None = None, offline: bool = False,
             listing: str = "networkextension") -> NereaderApp:
    """The app on the bundled forum with a frozen clock, its cache and data in ``cache_dir``,
    as `nereader --demo` starts it (the commands it suggests say --demo)."""
    settings = Settings(cache_dir=cache_dir / "cache", data_dir=cache_dir / "data",
                        config_dir=cache_dir / "config", min_gap=0.0, offline=offline)
    service = ForumService(settings, transport=SiteTransport(site or Site.bundled()))
    return NereaderApp(service, ListingRef(ListingKind.TAG, listing), demo=True,
                       clock=lambda: FROZEN_NOW, hint=lambda text: with_flags(text, ["--demo"]))


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_thread(pilot: Pilot[None], thread_id: int) -> None:
    from nereader.ui.screens.main import MainScreen

    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    screen.open_thread(thread_id)
    await settle(pilot)


async def list_and_thread(pilot: Pilot[None]) -> None:
    await open_thread(pilot, 828388)
    await pilot.press("n", "n")
    await settle(pilot)


async def filtered(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("slash", *"filter replies:>1 sort:-views")
    await settle(pilot)


async def search(pilot: Pilot[None]) -> None:
    for thread_id in (828388, 821372, 827460):  # reading threads indexes them
        await open_thread(pilot, thread_id)
    await pilot.press("escape", "ctrl+f", *"NEFilterDataProvider")
    await settle(pilot)
    await pilot.press("enter")  # the site's hits too: threads and replies
    await settle(pilot)


async def offline(pilot: Pilot[None]) -> None:
    await open_thread(pilot, 707294)  # read once online: list and thread are cached now
    await pilot.press("escape", "ctrl+o")
    await open_thread(pilot, 707294)


async def help_panel(pilot: Pilot[None]) -> None:
    await open_thread(pilot, 821372)
    await pilot.press("question_mark")
    await settle(pilot)


async def narrow(pilot: Pilot[None]) -> None:
    await open_thread(pilot, 828388)


async def home(pilot: Pilot[None]) -> None:
    """Two followed listings and a section; two threads read, one of them before its last
    three replies."""
    from nereader.core.settings import Section
    from nereader.ui.screens.main import MainScreen

    await settle(pilot)
    app = pilot.app
    assert isinstance(app, NereaderApp)
    await app.service.follow(["networkextension", "wi-fi-aware"])
    await app.service.add_section(Section("Answered, busy", "is:answered replies:>2"))
    for thread_id in (828388, 821372):
        await open_thread(pilot, thread_id)
    main = app.screen
    assert isinstance(main, MainScreen)
    row = next(r for r in main.threads.session.rows if r.id == 788921)
    await app.service.mark_all_read([replace(row, replies=(row.replies or 0) - 3)])
    await pilot.press("escape", "H")
    await settle(pilot)


async def inbox(pilot: Pilot[None]) -> None:
    """Two followed listings holding the same threads, a bookmark with #labels, a thread with
    new replies; the inbox opened from the home screen."""
    from nereader.ui.screens.main import MainScreen

    await settle(pilot)
    app = pilot.app
    assert isinstance(app, NereaderApp)
    await app.service.follow(["networkextension",
                              "topics/app-and-system-services/app-and-system-services-networking"])
    await app.service.set_bookmark_note(827460, "", ("tunnel",))
    for thread_id in (828388, 821372):  # read elsewhere: the thread pane stays empty
        await app.service.open_thread(thread_id)
    main = app.screen
    assert isinstance(main, MainScreen)
    row = next(r for r in main.threads.session.rows if r.id == 788921)
    await app.service.mark_all_read([replace(row, replies=(row.replies or 0) - 3)])
    await pilot.press("H")
    await settle(pilot)
    await pilot.press("enter")  # the inbox
    await settle(pilot)


def read_before(data_dir: Path, thread_id: int, through: str, replies: int,
                at: str = "2026-06-10T08:00:00+00:00") -> None:
    """The state file of a reader who read a thread ``at`` a time, through the post written
    at ``through`` (before the app starts: it reads the file once)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "state.json").write_text(json.dumps({"version": 1, "visits": {}, "read": {
        str(thread_id): {"at": at, "replies": replies, "through": through}}}),
        encoding="utf-8")


def read_828388_before(cache_dir: Path) -> None:
    read_before(cache_dir / "data", 828388, "2026-06-10T06:00:00+00:00", 3)


async def new_and_folded(pilot: Pilot[None]) -> None:
    """Thread 828388 read on June 10 through its third reply: it opens at the first of the
    five posts new since; every comment folded, and a look back up."""
    await open_thread(pilot, 828388)
    await pilot.press("Z", *"kkkkkkkkkk")
    pilot.app.clear_notifications()
    await settle(pilot)


async def find_in_thread(pilot: Pilot[None]) -> None:
    await open_thread(pilot, 821372)  # its panic line is wider than any pane
    await pilot.press("slash", *"arm", "enter")
    await settle(pilot)


async def marks_and_labels(pilot: Pilot[None]) -> None:
    """Bookmarks with #labels, a thread with new replies, the cursor on a row with zeros."""
    from nereader.ui.screens.main import MainScreen

    await settle(pilot)
    app = pilot.app
    assert isinstance(app, NereaderApp)
    await app.service.set_bookmark_note(828388, "ask about MDM", ("todo", "mdm"))
    await app.service.set_bookmark_note(821372, "", ("panic",))
    main = app.screen
    assert isinstance(main, MainScreen)
    row = next(r for r in main.threads.session.rows if r.id == 788921)
    await app.service.mark_all_read([replace(row, replies=(row.replies or 0) - 3)])
    await main.refresh_context()
    await pilot.press("j", "j", "slash", *"replies:>0 views:", "escape")
    await settle(pilot)


@dataclass(frozen=True)
class Scenario:
    name: str
    size: tuple[int, int]
    steps: Step
    prepare: Callable[[Path], None] | None = None  # the data folder, before the app starts

    def app(self, cache_dir: Path) -> NereaderApp:
        if self.prepare is not None:
            self.prepare(cache_dir)
        return demo_app(cache_dir)


SCENARIOS = [
    Scenario("list-and-thread", (150, 42), list_and_thread),
    Scenario("filter", (150, 30), filtered),
    Scenario("offline", (150, 36), offline),
    Scenario("help", (150, 42), help_panel),
    Scenario("search", (150, 36), search),
    Scenario("narrow-80x24", (80, 24), narrow),
    Scenario("home", (120, 16), home),
    Scenario("inbox", (150, 42), inbox),
    Scenario("find-in-thread", (150, 36), find_in_thread),
    Scenario("marks-and-labels", (160, 45), marks_and_labels),
    Scenario("new-and-folded", (150, 42), new_and_folded, read_828388_before),
]


async def render(scenario: Scenario, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = scenario.app(Path(tmp))
        async with app.run_test(size=scenario.size) as pilot:
            await scenario.steps(pilot)
            svg = app.export_screenshot(title=f"nereader · {scenario.name}")
        (target / f"{scenario.name}.svg").write_text(svg, encoding="utf-8")


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    for scenario in SCENARIOS:
        asyncio.run(render(scenario, target))
        print(f"wrote {target / (scenario.name + '.svg')}")


if __name__ == "__main__":
    main()
