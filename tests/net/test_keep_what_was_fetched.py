"""Sync keeps what it fetched (issue 19): a listing page that fails costs that page only, a
page past a shrunk end is the end, every failure has its kind's exit code through `sync` and
`sync LISTING` alike, the summary counts what really reads offline, and a thread longer than
the reply-page cap says so. The local forum on 127.0.0.1, with pages taken away or broken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nereader.cli import main
from nereader.core import pages as pages_module
from nereader.core.models import ListingKind
from nereader.core.service import ForumService
from nereader.core.urls import ListingRef
from nereader.localforum.routes import Route, route_key
from nereader.localforum.server import ForumServer
from nereader.localforum.site import Site
from tests.net.conftest import make_settings

SYNTHETIC = ListingRef(ListingKind.TAG, "synthetic")


def page_key(n: int) -> str:
    return route_key("/forums/tags/synthetic", f"page={n}")


@pytest.fixture
def big() -> Site:
    """60 threads on 6 listing pages of 10."""
    return Site.synthetic(threads=60, pages=6, max_replies=30)


@pytest.fixture
def run(big: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NEREADER_MIN_GAP", "0")
    monkeypatch.setenv("NEREADER_RETRIES", "0")
    monkeypatch.setenv("NEREADER_CONFIG_DIR", str(tmp_path / "config"))
    with ForumServer(big) as srv:

        def go(*args: str) -> tuple[int, str, str]:
            code = main([*args, "--base-url", srv.base_url, "--cache-dir", str(tmp_path / "c"),
                         "--data-dir", str(tmp_path / "d")])
            out, err = capsys.readouterr()
            return code, out, err

        yield go


def offline_threads(run, ids: list[int]) -> set[int]:  # type: ignore[no-untyped-def]
    return {i for i in ids if run("show", str(i), "--offline")[0] == 0}


def listed(site: Site, pages: range) -> list[int]:
    rows = site.tags["synthetic"].rows
    return [r.id for r in rows[(pages.start - 1) * 10:(pages.stop - 1) * 10]]


@pytest.mark.parametrize("broken", ["404", "500"])
def test_a_listing_page_that_fails_costs_that_page_only(broken: str, big: Site, run) -> None:  # type: ignore[no-untyped-def]
    if broken == "404":
        del big.routes[page_key(3)]
    else:
        big.routes[page_key(3)] = Route(b"<html><body>Server error</body></html>", 500)
    code, out, err = run("sync", "synthetic", "--json")
    summary = json.loads(out)
    want = 6 if broken == "404" else 3
    assert code == want == summary["exit_code"], err
    assert summary["listing_pages"] == 5 and summary["listed"] == 50
    (failure,) = summary["failures"]
    assert failure.startswith("listing page 3:") and f"failed: {failure}" in err
    if broken == "404":  # page 1 says there are 6 pages, and the message does not contradict it
        assert "though its page 1 shows 6 pages" in failure
    assert summary["threads"] == 50 == summary["offline"]
    kept = listed(big, range(1, 3)) + listed(big, range(4, 7))
    assert offline_threads(run, kept[::7]) == set(kept[::7])
    assert offline_threads(run, listed(big, range(3, 4))[:2]) == set()


def test_a_page_past_a_shrunk_end_is_the_end_and_the_count_is_read_again(big: Site,
                                                                          run) -> None:  # type: ignore[no-untyped-def]
    assert run("list", "synthetic")[0] == 0  # page 1, cached: "6 pages"
    smaller = Site.synthetic(threads=50, pages=5, max_replies=30)
    for n in range(1, 6):
        big.routes[page_key(n)] = smaller.routes[page_key(n)]
    del big.routes[page_key(6)]  # threads were deleted: the tag has 5 pages now
    code, out, err = run("sync", "synthetic", "--no-threads", "--json")
    summary = json.loads(out)
    assert code == 0 and summary["failures"] == [] and summary["listing_pages"] == 5, err
    # A page asked for past the end says the end as the site has it now, not the old count.
    code, _, err = run("list", "synthetic", "--page", "6")
    assert code == 6 and "synthetic has no page 6: it has 5 pages" in err


def test_the_same_failure_has_the_same_exit_code_through_sync_and_sync_listing(
        big: Site, run) -> None:  # type: ignore[no-untyped-def]
    big.routes[page_key(2)] = Route(b"<html><body>Server error</body></html>", 500)
    code_one, out, _ = run("sync", "synthetic", "--no-threads")
    assert code_one == 3 and "1 failure" in out
    assert run("follow", "synthetic")[0] == 0
    code_all, out, err = run("sync", "--no-threads")
    assert code_all == code_one and "failed: synthetic: listing page 2:" in err
    assert "total: 1 listing, 0 threads fetched" in out and "1 failure" in out


def test_a_followed_sync_where_listings_failed_is_never_exit_0(big: Site, run,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path) -> None:
    assert run("follow", "synthetic")[0] == 0
    config = tmp_path / "config" / "config.toml"
    text = config.read_text()
    config.write_text(text.replace('"synthetic"', '"synthetic", "gone-one", "gone-two"'))
    code, out, err = run("sync", "--no-threads", "--json")
    summary = json.loads(out)
    assert list(summary["listings"]) == ["synthetic"]
    assert [f.split(":")[0] for f in summary["failures"]] == ["gone-one", "gone-two"]
    assert code == 6 == summary["exit_code"], err


async def test_the_summary_counts_what_eviction_left_readable_offline(tmp_path: Path) -> None:
    site = Site.synthetic(threads=60, pages=3, max_replies=45)
    with ForumServer(site) as srv:
        settings = make_settings(srv.base_url, tmp_path / "c", cache_size_limit=120_000)
        service = ForumService(settings)
        try:
            summary = await service.sync(SYNTHETIC)
        finally:
            await service.aclose()
    offline = ForumService(settings.with_(offline=True))
    try:
        readable = [row.id for row in site.tags["synthetic"].rows
                    if await offline.cached_thread(row.id) is not None]
    finally:
        await offline.aclose()
    assert summary.threads == 60 and 0 < len(readable) < 60  # the limit did evict
    assert summary.offline == len(readable) and summary.listed == 60
    assert summary.exit_code == 5
    (failure,) = summary.failures
    assert failure.startswith(f"{60 - len(readable)} of the threads synced are no longer whole")


def test_a_thread_past_the_reply_page_cap_says_it_is_cut(run, big: Site,  # type: ignore[no-untyped-def]
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages_module, "MAX_REPLY_PAGES", 1)
    long = next(r for r in big.tags["synthetic"].rows if r.replies > 20)
    code, out, err = run("show", str(long.id), "--json")
    shown = json.loads(out)
    assert code == 0 and shown["total_pages"] == 1 and shown["pages_not_read"] == 1
    assert len(shown["posts"]) == 21
    assert f"warning: thread {long.id} is cut: it has 2 reply pages" in err
    code, out, err = run("sync", "synthetic", "--pages", "1", "--json")
    summary = json.loads(out)
    cut = [c for c in summary["cut"] if c.startswith(f"thread {long.id} is cut")]
    assert cut and f"warning: {cut[0]}" in err
    short = next(r for r in big.tags["synthetic"].rows if r.replies < 20)
    code, out, _ = run("show", str(short.id), "--json")
    assert code == 0 and json.loads(out)["pages_not_read"] == 0
