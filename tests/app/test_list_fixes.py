"""The list screen as a new user meets it: load-all that shows each page as it comes, a status
line that cuts whole segments, a mistyped listing that keeps the list, going online again,
switching listing while reading at 80 columns, and filter errors that read whole."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nereader.localforum import Faults, Site
from nereader.screenshots import demo_app, settle
from nereader.ui.widgets.thread_list import ThreadList
from tests.app.test_app import main_screen

TAG = "/forums/tags/networkextension"


async def test_load_all_asks_for_pages_in_order_a_few_ahead(tmp_path: Path) -> None:
    """Asking for every page at once let a page early in the list reach the fetcher last (the
    cache lookups before it finish in any order), holding back every row after it: pages are
    asked for a few ahead of the one shown, so each page's rows appear as it arrives."""
    site = Site.bundled()
    app = demo_app(tmp_path, site=site)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        service = app.service
        real = service.listing
        running: set[int] = set()
        most = 0
        order: list[int] = []

        async def listing(*args: object, **kwargs: object) -> object:
            nonlocal most
            page = int(args[1])  # type: ignore[call-overload]
            running.add(page)
            order.append(page)
            most = max(most, len(running))
            try:
                return await real(*args, **kwargs)  # type: ignore[arg-type]
            finally:
                running.discard(page)

        service.listing = listing  # type: ignore[method-assign]
        site.faults = Faults(delay=0.2, only_path=TAG)
        await pilot.press("A")
        seen = []
        for _ in range(400):
            await asyncio.sleep(0.02)
            state = main_screen(app).state
            seen.append((state.rows_loaded, state.progress))
            if state.rows_loaded == 201:
                break
        await settle(pilot)
        assert order == list(range(2, 12))
        assert most <= service.settings.max_in_flight + 1
        counts = [c for c, _ in seen]
        assert counts == sorted(counts) and len(set(counts)) >= 5  # page by page
        assert len({p for _, p in seen if p.startswith("page ")}) >= 4
        assert len(app.query_one(ThreadList).rows) == 201
