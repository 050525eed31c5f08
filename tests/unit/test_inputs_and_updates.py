"""No lost updates and checked inputs (issue 19): the note editor changes only what the user
changed; labels are single words wherever they enter; a clock behind a fetch time means
stale; FTS refusals and overflows are usage errors with the column; errors echo the user's
input escaped on one line; another host's listing URL is a usage error; 20,000 bookmarks
read fast and the same as field by field. The demo forum, in-process."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nereader.core import bookmarks as bookmarks_module
from nereader.core.bookmarks import BookmarkStore, read_bookmark
from nereader.core.cache import PageCache
from nereader.core.clock import utc_now
from nereader.core.errors import EditConflict, UsageError
from nereader.core.export import thread_row
from nereader.core.models import Bookmark, ListingKind
from nereader.core.search import MAX_TERMS, _fts_refusal, fts_query
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.core.text import check_label, escape_line, split_note
from nereader.core.urls import ListingRef
from nereader.localforum import Site, SiteTransport

TAG = ListingRef(ListingKind.TAG, "networkextension")


def service(root: Path, site: Site | None = None, offline: bool = False) -> ForumService:
    return ForumService(Settings(cache_dir=root / "c", data_dir=root / "d",
                                 config_dir=root / "f", min_gap=0.0, offline=offline),
                        transport=SiteTransport(site or Site.bundled()))


# -- the note editor changes only what the user changed -----------------------------------------
async def test_an_edit_keeps_a_label_added_and_a_removal_done_elsewhere(tmp_path: Path) -> None:
    app, cli = service(tmp_path), service(tmp_path)
    try:
        shown, _ = await app.bookmark(828388, "a note", ("todo",))  # the editor opens on it
        await cli.bookmark(828388, labels=("later",))  # `bookmarks add --label later`
        saved, _ = await app.edit_bookmark_note(828388, shown, "a better note", ("todo", "mdm"))
        assert saved.note == "a better note" and saved.labels == ("todo", "later", "mdm")
        shown = saved
        await cli.set_bookmark_note(828388, "a better note", ("mdm",))  # todo, later dropped
        saved, _ = await app.edit_bookmark_note(828388, shown, "a better note",
                                                (*shown.labels, "new"))
        assert saved.labels == ("mdm", "new")  # the removals elsewhere stay removed
        await cli.unbookmark(828388)
        with pytest.raises(EditConflict, match="removed elsewhere"):
            await app.edit_bookmark_note(828388, saved, "changed", saved.labels)
        assert await cli.get_bookmark(828388) is None  # the removal is not undone
    finally:
        await app.aclose()
        await cli.aclose()


async def test_a_note_changed_on_both_sides_is_refused(tmp_path: Path) -> None:
    app, cli = service(tmp_path), service(tmp_path)
    try:
        shown, _ = await app.bookmark(828388, "first")
        await cli.set_bookmark_note(828388, "from the command line", ())
        with pytest.raises(EditConflict, match="changed elsewhere"):
            await app.edit_bookmark_note(828388, shown, "from the editor", ())
        assert (await cli.get_bookmark(828388)).note == "from the command line"  # type: ignore[union-attr]
        # Only a label changed in the editor: the note changed elsewhere stays.
        saved, _ = await app.edit_bookmark_note(828388, shown, "first", ("x",))
        assert saved.note == "from the command line" and saved.labels == ("x",)
    finally:
        await app.aclose()
        await cli.aclose()


# -- labels are single words wherever they enter --------------------------------------------------
@pytest.mark.parametrize("bad", ["two words", "", "#", "a\nb", "tab\there", "x" * 65, "\u202e"])
def test_a_label_that_is_not_one_word_is_a_usage_error(bad: str, demo_cli) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError):
        check_label(bad)
    code, _, err = demo_cli("bookmarks", "add", "828388", "--label", bad)
    assert code == 2 and err.count("\n") == 1 and "label" in err
    assert demo_cli("bookmarks", "list", "--json")[1].strip() == "[]"  # nothing saved


def test_labels_read_back_the_same_from_a_note(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, _, _ = demo_cli("bookmarks", "add", "828388", "--label", "#todo", "--label", "mdm")
    marks = json.loads(demo_cli("bookmarks", "list", "--json")[1])
    assert code == 0 and marks[0]["labels"] == ["todo", "mdm"]
    shown = " ".join(["a note", *(f"#{x}" for x in marks[0]["labels"])])
    assert split_note(shown) == ("a note", ("todo", "mdm"))


def test_a_label_in_a_note_given_on_the_command_line_is_a_label(demo_cli) -> None:  # type: ignore[no-untyped-def]
    """As in the app's note editor: `#filter` in --note is a label, not a word of the note."""
    code, _, _ = demo_cli("bookmarks", "add", "788921", "--note", "bloom #filter",
                          "--label", "todo")
    marks = json.loads(demo_cli("bookmarks", "list", "--json")[1])
    assert code == 0 and (marks[0]["note"], marks[0]["labels"]) == ("bloom", ["todo", "filter"])
    assert "#todo #filter — bloom" in demo_cli("bookmarks")[1]
    # A bad label in the note is refused as one given with --label is, and nothing is saved.
    code, _, err = demo_cli("bookmarks", "add", "828388", "--note", "x #" + "a" * 65)
    assert code == 2 and "a label is at most" in err and err.count("\n") == 1
    assert [m["id"] for m in json.loads(demo_cli("bookmarks", "list", "--json")[1])] == [788921]


async def test_every_note_entry_point_of_the_core_splits_out_its_labels(tmp_path: Path) -> None:
    from nereader.core.service import ForumService
    from nereader.core.settings import Settings
    from nereader.localforum import demo_transport

    settings = Settings(cache_dir=tmp_path / "c", data_dir=tmp_path / "d", min_gap=0.0)
    service = ForumService(settings, transport=demo_transport())
    try:
        mark, _ = await service.bookmark(828388, "a #one", ("two",))
        assert (mark.note, mark.labels) == ("a", ("two", "one"))
        mark, _ = await service.set_bookmark_note(828388, "b #three", ())
        assert (mark.note, mark.labels) == ("b", ("three",))
        mark, _ = await service.edit_bookmark_note(828388, mark, "c #four", ("three",))
        assert (mark.note, mark.labels) == ("c", ("three", "four"))
    finally:
        await service.aclose()


def test_adding_a_bookmark_again_says_what_changed(demo_cli) -> None:  # type: ignore[no-untyped-def]
    assert demo_cli("bookmarks", "add", "788921", "--note", "old", "--label", "a")[1] == (
        "bookmarked 788921: Getting a basic URL Filter to work\n")
    code, out, _ = demo_cli("bookmarks", "add", "788921")
    assert code == 0 and out == ("already bookmarked 788921: Getting a basic URL Filter to "
                                 "work; nothing changed\n")
    code, out, _ = demo_cli("bookmarks", "add", "788921", "--note", "new #b", "--label", "a")
    assert code == 0 and out.startswith("already bookmarked 788921: ")
    assert out.endswith("; note replaced: 'old' → 'new'; 1 label added: #b\n")
    demo_cli("bookmarks", "add", "828388")
    code, out, _ = demo_cli("bookmarks", "add", "828388", "--note", "first")
    assert code == 0 and out.endswith("; note added: 'first'\n")
    # --note replaces: labels alone leave no note, an empty one clears it.
    code, out, _ = demo_cli("bookmarks", "add", "828388", "--note", "#z")
    assert code == 0 and out.endswith("; note cleared (was 'first'); 1 label added: #z\n"), out
    demo_cli("bookmarks", "add", "828388", "--note", "again")
    code, out, _ = demo_cli("bookmarks", "add", "828388", "--note", "")
    assert code == 0 and out.endswith("; note cleared (was 'again')\n"), out
    code, out, _ = demo_cli("bookmarks", "list")
    assert "828388" in out and "#z" in out and "again" not in out


def test_an_import_with_a_label_of_two_words_is_refused(tmp_path: Path, demo_cli) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"version": 1, "bookmarks": [
        {"id": 828388, "title": "t", "url": "", "labels": ["two words"]}]}))
    code, _, err = demo_cli("bookmarks", "import", str(export))
    assert code == 2 and "labels should be a list of single words" in err


def test_a_label_of_two_words_in_the_file_is_kept_but_not_used(tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.json"
    path.write_text(json.dumps({"version": 1, "bookmarks": [
        {"id": 1, "title": "One", "url": "", "labels": ["two words"], "note": "n"}]}))
    marks = BookmarkStore(tmp_path)
    (mark,) = marks.all()
    assert mark.labels == () and any("single words" in w for w in marks.warnings)
    marks.update(1, note="changed")
    assert json.loads(path.read_text())["bookmarks"][0]["labels"] == ["two words"]


# -- the clock ----------------------------------------------------------------------------------
async def test_a_page_fetched_while_the_clock_ran_ahead_is_stale(tmp_path: Path) -> None:
    site = Site.bundled()
    svc = service(tmp_path, site)
    try:
        await svc.listing(TAG)
        cache = PageCache(tmp_path / "c")
        url = svc._pages.listing_url(TAG)
        page = cache.get(url)
        assert page is not None
        ahead = page.fetched_at + timedelta(days=365)  # fetched with the clock a year ahead
        cache.put(type(page)(page.url, page.status, page.body, page.etag, page.last_modified,
                             ahead, page.kind))
        cache.close()
        asked = site.counters.requests
        result = await svc.listing(TAG)
        assert site.counters.requests == asked + 1 and result.source == "revalidated"
        assert result.fetched_at <= utc_now() and result.age_seconds >= 0
    finally:
        await svc.aclose()


async def test_an_age_is_never_negative(tmp_path: Path) -> None:
    svc = service(tmp_path)
    try:
        await svc.follow(["networkextension"])
        cache = PageCache(tmp_path / "c")
        url = svc._pages.listing_url(TAG)
        page = cache.get(url)
        assert page is not None
        cache.put(type(page)(page.url, page.status, page.body, page.etag, page.last_modified,
                             utc_now() + timedelta(days=30), page.kind))
        cache.close()
        (status,) = await svc.followed_overview()
        assert status.age_seconds == 0
    finally:
        await svc.aclose()


# -- searches the index refuses, and errors that echo input ----------------------------------
def test_a_hundred_ors_are_one_flat_group(demo_cli) -> None:  # type: ignore[no-untyped-def]
    assert demo_cli("show", "828388")[0] == 0
    query = " OR ".join(["filter", *(f"word{n}" for n in range(100))])
    assert "((" not in fts_query(query)
    code, out, err = demo_cli("search", query)
    assert code == 0 and "828388" in out, err


def test_too_many_words_is_a_usage_error_with_the_column(demo_cli) -> None:  # type: ignore[no-untyped-def]
    words = [f"w{n}" for n in range(MAX_TERMS + 5)]
    code, _, err = demo_cli("search", *words)
    column = len(" ".join(words[:MAX_TERMS])) + 2
    assert code == 2 and f"bad search at column {column}: a search takes at most" in err
    assert f"⟦w{MAX_TERMS}⟧" in err


def test_an_fts_refusal_points_at_its_word() -> None:
    said = _fts_refusal("vpn kern*el", 'fts5: syntax error near "kern"')
    assert said.startswith("bad search at column 5: the index cannot search this (syntax "
                           'error near "kern"): vpn ⟦kern⟧*el')


def test_a_bad_filter_is_said_on_one_line_as_typed(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = demo_cli("list", "--filter", "is:x\nnext \u202eevil \x1b[31m")
    assert code == 2 and err.count("\n") == 1
    assert "\\n" in err and "\\u202e" in err and "\\x1b" in err and "\u202e" not in err
    assert escape_line("a\u2028b\u200fc") == "a\\u2028b\\u200fc"


@pytest.mark.parametrize("command", [("list",), ("follow",), ("sync",)])
def test_a_listing_url_on_another_host_is_a_usage_error(command: tuple[str, ...],
                                                        demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = demo_cli(*command, "http://evil.example/forums/tags/networkextension")
    assert code == 2 and "is a listing on evil.example, but the forum is" in err
    code, _, _ = demo_cli("list", "https://developer.apple.com/forums/tags/networkextension")
    assert code == 0


# -- 20,000 bookmarks: read once, as fast as plain JSON, and the same -----------------------------
VALID = {"id": 828388, "title": "A title", "tags": ["networkextension"], "note": "a note",
         "url": "https://developer.apple.com/forums/thread/828388", "labels": ["todo"],
         "added_at": "2026-06-12T12:00:00+00:00", "checked_at": None, "replies_seen": 3,
         "seen_post_ids": [828388, 1]}
TEXT = st.text(st.sampled_from("ab \t\n#é\u202e\x1b\ud800\u00a0"), max_size=5)
# A good entry with some of its fields changed: to anything, or to something nearly good.
ENTRY = st.fixed_dictionaries({}, optional={
    "id": st.one_of(st.integers(-1, 10**16), st.booleans(), st.just("7"), st.none()),
    "title": st.one_of(TEXT, st.none(), st.integers()),
    "url": st.one_of(st.sampled_from(["", "javascript:x", "https://h/forums/thread/2 ",
                                      "HTTPS://h/forums/thread/2", "https://h:80/a_b/c"]),
                     TEXT),
    "note": st.one_of(TEXT, st.none(), st.integers()),
    "labels": st.one_of(st.lists(st.one_of(st.sampled_from(["todo", "#x", "", "x" * 65]),
                                           TEXT), max_size=3), TEXT, st.none()),
    "tags": st.one_of(st.lists(TEXT, max_size=2), st.none(), TEXT),
    "added_at": st.one_of(TEXT, st.none()),
    "checked_at": st.one_of(TEXT, st.none()),
    "replies_seen": st.one_of(st.integers(-2, 5), st.none(), st.booleans()),
    "seen_post_ids": st.one_of(st.lists(st.one_of(st.integers(-1, 9), st.booleans()),
                                        max_size=3), st.none()),
}).map(lambda changes: {**VALID, **changes})


@settings(max_examples=300, deadline=None)
@given(ENTRY)
def test_the_quick_read_of_an_entry_is_the_careful_one(item: dict[str, Any]) -> None:
    quick = bookmarks_module._as_is(item)
    if quick is not None:
        assert _careful(item) == (quick, [])


def _careful(item: dict[str, Any]) -> tuple[Bookmark | None, list[str]]:
    """read_bookmark with the quick path off."""
    original = bookmarks_module._as_is
    bookmarks_module._as_is = lambda entry: None  # type: ignore[assignment]
    try:
        return read_bookmark(item)
    finally:
        bookmarks_module._as_is = original


def test_bookmarks_are_read_once_until_the_file_changes(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    marks = BookmarkStore(tmp_path)
    marks.add(Bookmark(1, "One", "https://developer.apple.com/forums/thread/1"))
    first = marks.all()
    reads: list[int] = []
    original = BookmarkStore._entries
    monkeypatch.setattr(BookmarkStore, "_entries",
                        lambda self, data, only=None: (reads.append(1),
                                                       original(self, data, only))[1])
    assert marks.all() == first and reads == []
    other = BookmarkStore(tmp_path)  # another process adds one
    other.add(Bookmark(2, "Two", "https://developer.apple.com/forums/thread/2"))
    assert [m.id for m in marks.all()] == [1, 2] and len(reads) == 2  # the add, then one read


async def test_bookmark_rows_from_the_index_are_the_cached_threads_rows(tmp_path: Path) -> None:
    svc = service(tmp_path)
    try:
        await svc.bookmark(828388, "a note")
        await svc.bookmark(821372)
        fast = await svc.bookmark_rows()
        for row in fast:
            thread = await svc.cached_thread(row.id)
            assert thread is not None
            expected = thread_row(thread)
            note = "a note " if row.id == 828388 else ""
            assert row == replace(expected, excerpt=note + expected.excerpt)
        (tmp_path / "d" / "search.sqlite3").unlink()  # no index: read from the cache
    finally:
        await svc.aclose()
    again = service(tmp_path, offline=True)
    try:
        assert await again.bookmark_rows() == fast
        assert await again.bookmark_rows() == fast  # indexed again on the way
    finally:
        await again.aclose()


async def test_bookmark_rows_follow_every_change_made_elsewhere(tmp_path: Path) -> None:
    app, other = service(tmp_path), service(tmp_path)
    try:
        await app.bookmark(828388)
        first = await app.bookmark_rows()
        assert first[0].replies > 0 and await app.bookmark_rows() == first  # made once
        await other.set_bookmark_note(828388, "zebra", ())  # the bookmarks file changed
        assert (await app.bookmark_rows())[0].excerpt.startswith("zebra ")
        await other.cache_clear(include_pinned=True)  # the cache changed
        (bare,) = await app.bookmark_rows()
        assert bare.replies is None and bare.excerpt == "zebra"  # not cached: not known
        await other.thread(828388)  # read again: cached and indexed anew
        assert (await app.bookmark_rows())[0].replies == first[0].replies
    finally:
        await app.aclose()
        await other.aclose()


async def test_the_library_can_be_asked_for_the_latest_bookmarks_only(tmp_path: Path) -> None:
    svc = service(tmp_path)
    try:
        for thread_id in (828388, 821372, 707294):
            await svc.bookmark(thread_id)
        whole = [i for i in await svc.library() if i.kind != "tag"]
        assert [i.key for i in whole] == ["707294", "821372", "828388"]  # the latest first
        assert all(i.age_seconds is not None for i in whole)
        some = [i for i in await svc.library(2) if i.kind != "tag"]
        assert [i.key for i in some] == ["707294", "821372", "1"] and some[2].kind == "more"
    finally:
        await svc.aclose()
