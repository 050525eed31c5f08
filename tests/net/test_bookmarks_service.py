"""Bookmarks against the local forum: pinning, offline availability, watching for replies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nereader.cli import main
from nereader.core.errors import OfflineError
from nereader.core.models import ListingKind, ThreadSummary
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.urls import ListingRef
from nereader.localforum.server import ForumServer
from nereader.localforum.site import Faults, Site

NEW_ANSWER = (
    '<section class="content-post answer" id="828396022" data-post-id="828396022" '
    'data-post-type="ANSWER" data-authorname="DTS Engineer" data-author-link="/forums/profile/x" '
    'data-timestamp="1781200000000"><div class="post-header"><a data-action="author-name" '
    'class="author-name" data-author-apple-employee="true" href="/forums/profile/x">DTS Engineer'
    '</a></div><div class="content-post-body" data-action="content-post-body-content"><p>A new '
    "reply arrived.</p></div></section>"
)


def add_reply(site: Site) -> None:
    body = site.routes["/forums/thread/828388"].body.decode()
    site.replace_body("/forums/thread/828388", body.replace(
        "</section>\n</div>", "</section>" + NEW_ANSWER + "\n</div>", 1).encode())


async def test_bookmark_pins_every_page_and_opens_offline(service: ForumService,
                                                          settings: Settings,
                                                          site: Site) -> None:
    mark, warning = await service.bookmark(821372, "panics", ("kernel",))
    assert warning is None and mark.title.startswith("Kernel panics")
    await service.thread(828388)  # read, not bookmarked
    await service.aclose()
    # Eviction pressure: the same cache, reopened with a tiny size limit, filled by a sync.
    site.routes.update(Site.synthetic(threads=60, pages=3).routes)
    small = ForumService(settings.with_(cache_size_limit=150_000))
    try:
        summary = await small.sync(ListingRef(ListingKind.TAG, "synthetic"))
        assert summary.threads == 60  # and a thread the limit evicted is not called synced
        assert all("evicted" in failure for failure in summary.failures)
        small.set_offline(True)
        with pytest.raises(OfflineError):
            await small.thread(828388)  # evicted: the size limit is real
        thread = await small.thread(821372)  # both pages survived: they are pinned
        assert len(thread.value.posts) == 37
        await small.cache_clear()  # clearing keeps pinned pages too
        assert len((await small.thread(821372)).value.posts) == 37
    finally:
        await small.aclose()


async def test_bookmark_offline_saves_with_warning(settings: Settings, site: Site) -> None:
    svc = ForumService(settings.with_(offline=True))
    try:
        mark, warning = await svc.bookmark(828388, "later")
        assert mark.id == 828388 and warning and "not yet available offline" in warning
        assert [b.id for b in await svc.bookmarks()] == [828388]
        assert site.counters.requests == 0
    finally:
        await svc.aclose()
    online = ForumService(settings)
    try:
        changes = await online.check_bookmarks()
        assert changes[0].error is None and changes[0].total_replies == 8  # the site's count
        assert changes[0].comments == 1  # counted apart
        mark = await online.get_bookmark(828388)
        assert mark is not None and mark.title.startswith("NEFilterDataProvider")
    finally:
        await online.aclose()


async def test_watching_detects_new_replies(service: ForumService, site: Site) -> None:
    await service.bookmark(828388)
    first = await service.check_bookmarks()
    assert first[0].new_posts == ()
    add_reply(site)
    second = await service.check_bookmarks()
    assert second[0].new_posts == (828396022,)
    third = await service.check_bookmarks()
    assert third[0].new_posts == ()  # seen now


async def test_opening_a_bookmark_reports_new_posts_and_marks_read(service: ForumService,
                                                                   site: Site) -> None:
    await service.bookmark(828388)
    add_reply(site)
    result, new = await service.open_thread(828388, refresh=True)
    assert new.posts == (828396022,) and len(result.value.posts) == 11
    row = ThreadSummary(828388, "t", "u", replies=9)
    context = await service.query_context()
    assert not context.unread(row) and not context.new(row)
    assert context.new(ThreadSummary(828388, "t", "u", replies=10))
    assert context.bookmarked == {828388}


def test_cli_bookmarks(server: ForumServer, site: Site, tmp_path: Path,
                       capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEREADER_MIN_GAP", "0")
    common = ["--base-url", server.base_url, "--cache-dir", str(tmp_path / "c"),
              "--data-dir", str(tmp_path / "d")]

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, *common])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("bookmarks", "add", "828388", "--note", "MDM", "--label", "ios")[0] == 0
    assert run("bookmarks", "add", "https://developer.apple.com/forums/thread/707294")[0] == 0
    code, out, _ = run("bookmarks", "list", "--json")
    assert [b["id"] for b in json.loads(out)] == [828388, 707294]
    add_reply(site)
    code, out, _ = run("bookmarks", "check")
    assert code == 0 and "+1 new reply" in out and "no new replies" in out
    code, out, _ = run("bookmarks", "export", "--markdown", str(tmp_path / "md"))
    assert code == 0
    text = next((tmp_path / "md").glob("828388-*.md")).read_text()
    assert text.startswith("---\nid: 828388\n") and 'note: "MDM"' in text
    assert "accepted_answer_id: 828389022" in text and 'labels: ["ios"]' in text
    assert "A new reply arrived." in text
    assert "828388-" in (tmp_path / "md" / "index.md").read_text()
    code, out, _ = run("bookmarks", "export")
    (tmp_path / "export.json").write_text(out)
    assert run("bookmarks", "remove", "707294")[0] == 0
    code, out, _ = run("bookmarks", "import", str(tmp_path / "export.json"))
    assert code == 0 and "imported 1 new bookmark, merged 1" in out
    code, out, _ = run("cache", "clear")
    code, out, _ = run("cache", "info", "--json")
    assert json.loads(out)["pinned"] >= 2 and json.loads(out)["pages"] == json.loads(out)["pinned"]
    site.faults = Faults(reset=True)
    code, out, _ = run("show", "828388", "--offline")
    assert code == 0 and "A new reply arrived." in out
    assert run("cache", "clear", "--all")[0] == 0
    assert json.loads(run("cache", "info", "--json")[1])["pages"] == 0
