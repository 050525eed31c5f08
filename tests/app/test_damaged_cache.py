"""A damaged page cache: the app says so and how to repair it, and reads the site meanwhile."""

from __future__ import annotations

from pathlib import Path

from nereader.screenshots import demo_app, settle
from nereader.ui.screens.main import MainScreen
from tests.app.test_app import notifications

SIZE = (100, 30)


async def test_a_damaged_cache_is_said_and_the_listing_loads_without_it(tmp_path: Path) -> None:
    """It showed "Nothing to show yet" and nothing else: a cache that cannot be read is no
    reason not to read the site (the pages are shown, not kept), and the damaged file is left
    as it is for `nereader cache clear`."""
    first = demo_app(tmp_path)
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot)
    damaged = tmp_path / "cache" / "pages-v2" / "cache.db"
    garbage = b"not a database at all " * 200
    damaged.write_bytes(garbage)
    app = demo_app(tmp_path)
    seen = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and len(main.session.rows) == 20
        said = [s for s in seen if "damaged" in s]
        assert len(said) == 1 and "cache clear" in said[0], seen
    assert damaged.read_bytes() == garbage
