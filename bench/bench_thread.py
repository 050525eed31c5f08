"""First paint of a thread next to a bare ``Static(rich.markdown.Markdown)`` of the same text,
in the same run, headless at 160x45. Target: at most 1.5x the bare Static (median of runs).

Threads: 821372 from the fixtures (37 posts: question and 36 replies, with a 371-column panic
line), the same posts five times over (185 posts), and a synthetic 185-post thread from the
local forum's generator (ten reply pages). Also printed: G to the last post and paging right
after opening, Enter on a cached thread to first paint through the whole app (service, cache,
index), and the old way of one Textual ``Markdown`` widget per post, for comparison.

Run: ``python bench/bench_thread.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.markdown import Markdown
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.widgets import Markdown as MarkdownWidget

from nereader.core.export import thread_markdown
from nereader.core.models import Thread
from nereader.localforum import Site
from nereader.localforum.render import Row
from nereader.screenshots import FROZEN_NOW, demo_app, settle
from nereader.ui.screens.main import MainScreen
from nereader.ui.widgets.thread_view import ThreadView

SIZE = (160, 45)
SYNTHETIC_ID = 990001


def site() -> Site:
    """The demo forum plus a synthetic thread of 184 replies (ten reply pages)."""
    forum = Site.bundled()
    row = Row(SYNTHETIC_ID, "A synthetic thread of 185 posts", "Many replies.", replies=184,
              tags=[("Network Extension", "networkextension")])
    forum.add_thread(row, random.Random(11))
    return forum


async def threads(tmp: Path) -> dict[str, Thread]:
    app = demo_app(tmp / "load", site())
    t37 = (await app.service.thread(821372)).value
    synthetic = (await app.service.thread(SYNTHETIC_ID)).value
    await app.service.aclose()
    t185 = replace(t37, posts=tuple(replace(p, id=p.id * 10 + k, parent_id=(
        p.parent_id * 10 + k if p.parent_id else None)) for k in range(5) for p in t37.posts))
    return {"821372 (37 posts)": t37, "821372 x5 (185 posts)": t185,
            "synthetic (185 posts)": synthetic}


async def painted(app: App[None], act: Callable[[], Awaitable[object] | object]) -> float:
    """Seconds from ``act`` to the end of the first screen update after it (the compositor's
    output, which a terminal would be sent; headless, it is made and dropped)."""
    done = asyncio.Event()
    stamp: list[float] = []
    display = app._display

    def spy(screen: Screen[object], renderable: object) -> None:
        display(screen, renderable)  # type: ignore[arg-type]
        if armed and not stamp and renderable is not None:
            stamp.append(time.perf_counter())
            done.set()

    armed = False
    app._display = spy  # type: ignore[method-assign]
    start = time.perf_counter()
    result = act()
    if isinstance(result, Awaitable):
        await result
    armed = True
    await asyncio.wait_for(done.wait(), 30)  # nothing repainted: a bench bug, said loudly
    app._display = display  # type: ignore[method-assign]
    return stamp[0] - start


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="box")


async def bare(widgets: Callable[[], list[Widget]]) -> float:
    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        box = app.query_one("#box")
        return await painted(app, lambda: box.mount_all(widgets()))


def main_screen(app: App[None]) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def nereader(tmp: Path, thread: Thread) -> float:
    app = demo_app(tmp, site())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = await main_screen(app).ensure_view()
        view.focus()  # the footer redraws its keys now, not during the measure
        await settle(pilot)
        seconds = await painted(app, lambda: view.show_thread(thread, FROZEN_NOW))
        assert view.thread is thread and view.doc is not None
        return seconds


async def moving(tmp: Path, thread: Thread) -> tuple[float, float]:
    """Right after opening (the background still rendering): G to the last post, then
    paging up through the thread (the median page)."""
    app = demo_app(tmp, site())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = await main_screen(app).ensure_view()
        view.focus()
        await settle(pilot)
        await painted(app, lambda: view.show_thread(thread, FROZEN_NOW))
        last = await painted(app, lambda: view.action_end(True))
        pages = []
        while view.scroll_y > 0 and len(pages) < 30:  # at the top nothing would repaint
            pages.append(await painted(app, lambda: view.action_page(-1)))
        assert view.current_post is not thread.posts[-1] or view.scroll_y == view.max_scroll_y
        return last, statistics.median(pages)


async def enter(tmp: Path, thread_id: int) -> float:
    """Enter on a cached thread: the screen's worker, the service, the cache, the view."""
    app = demo_app(tmp, site())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.open_thread(thread_id)  # once, to fill the cache
        await settle(pilot)
        view = screen.query_one(ThreadView)
        view.show_message("")
        screen.threads.focus()  # Enter comes from the list (the footer's keys change too)
        await settle(pilot)
        shown = view.show_thread

        async def open_it() -> None:
            armed = asyncio.Event()

            def spy(*args: Any, **kwargs: Any) -> None:
                shown(*args, **kwargs)
                armed.set()

            view.show_thread = spy  # type: ignore[method-assign]
            screen.open_thread(thread_id)
            await armed.wait()

        seconds = await painted(app, open_it)
        await settle(pilot)
        return seconds


@contextlib.contextmanager
def bare_footer() -> Iterator[None]:
    """A Footer with no keys: how much of Enter's time is the Footer redrawing its keys when
    the focus moves from the list (with its bindings) to the thread (with others)."""
    compose = Footer.compose
    Footer.compose = lambda self: iter(())  # type: ignore[assignment,method-assign,misc]
    try:
        yield
    finally:
        Footer.compose = compose  # type: ignore[method-assign]


def median(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:7.1f} ms"


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as raw:
        tmp = Path(raw)
        loaded = await threads(tmp)
        print(f"first paint, headless {SIZE[0]}x{SIZE[1]}, median of {runs} runs")
        print(f"{'thread':<24} {'bare Static':>12} {'nereader':>12} {'ratio':>7} "
              f"{'old Markdown/post':>18}")
        for n, (name, thread) in enumerate(loaded.items()):
            text = thread_markdown(thread)
            sys.stdout.flush()
            static = [await bare(lambda t=text: [Static(Markdown(t))]) for _ in range(runs)]
            ours = [await nereader(tmp / f"n{n}-{i}", thread) for i in range(runs)]
            old = [await bare(lambda th=thread: [MarkdownWidget(p.body_markdown)
                                                 for p in th.posts]) for _ in range(2)]
            ratio = statistics.median(ours) / statistics.median(static)
            print(f"{name:<24} {median(static):>12} {median(ours):>12} {ratio:6.2f}x "
                  f"{median(old):>18}")
        print("\nJust opened (the rest still rendering in the background): G to the last post, "
              "then a page up:")
        for n, (name, thread) in enumerate(loaded.items()):
            moves = [await moving(tmp / f"m{n}-{i}", thread) for i in range(runs)]
            print(f"{name:<24} G {median([m[0] for m in moves])}   page up "
                  f"{median([m[1] for m in moves])}")
        print("\nEnter on a cached thread to first paint (whole app: focus moves to the thread, "
              "service, cache, view), and the same without the Footer's keys:")
        for thread_id, name in ((821372, "821372 (37 posts)"),
                                (SYNTHETIC_ID, "synthetic (185 posts)")):
            samples = [await enter(tmp / f"e{thread_id}-{i}", thread_id) for i in range(runs)]
            with bare_footer():
                lean = [await enter(tmp / f"f{thread_id}-{i}", thread_id) for i in range(runs)]
            print(f"{name:<24} {median(samples):>12}   without the Footer's keys "
                  f"{median(lean)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    asyncio.run(main(parser.parse_args().runs))
