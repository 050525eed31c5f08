"""Local files and settings a hostile tester wrote: lone surrogates in JSON, symlinks and loops,
deep or huge TOML, home folders that do not exist, punycode hosts that do not decode, and the
words nereader says about them."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
from pathlib import Path

import pytest

from nereader.cli import main
from nereader.core.bookmarks import BookmarkStore, ReadState
from nereader.core.config import load_settings
from nereader.core.errors import StorageError
from nereader.core.models import ListingKind, Notice, ServiceEvent
from nereader.core.service import ForumService
from nereader.core.settings import ConfigError, Layer, Settings, config_dir_of, flag_layer
from nereader.core.store import FilterHistory, SavedFilters, atomic_write_text, mend_document
from nereader.core.urls import ListingRef
from nereader.localforum import Site
from nereader.localforum.transport import SiteTransport

LONE = '{"version": 1, "bookmarks": [{"id": 707294, "labels": ["a\\ud800"], "note": "ok"}]}'


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


# -- lone surrogates ---------------------------------------------------------------------------
def test_mending_names_every_field_and_key_and_keeps_valid_pairs() -> None:
    doc = json.loads('{"a": ["x\\ud800", "\\ud83d\\ude00"], "k\\udfff": {"n": "\\udc00"}}')
    fixed, where = mend_document(doc)
    assert fixed == {"a": ["x\ufffd", "\U0001f600"], "k\ufffd": {"n": "\ufffd"}}
    assert where == ["the name 'k\ufffd'", "a[0]", "k\ufffd.n"]  # a table's names first
    assert mend_document("\ud800") == ("\ufffd", ["the document"])


def test_a_lone_surrogate_in_bookmarks_json_is_mended_said_and_written_back(
        tmp_path: Path) -> None:
    (tmp_path / "bookmarks.json").write_text(LONE)
    store = BookmarkStore(tmp_path)
    [mark] = store.all()
    assert mark.labels == ("a\ufffd",) and mark.note == "ok"
    assert any("bookmarks[0].labels[0]" in w and "lone surrogate" in w for w in store.warnings)
    store.add(mark.__class__(828388, "Two", "https://developer.apple.com/forums/thread/828388"))
    kept = json.loads((tmp_path / "bookmarks.json").read_bytes().decode("utf-8"))
    assert kept["bookmarks"][0] == {"id": 707294, "labels": ["a\ufffd"], "note": "ok"}
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_every_bookmark_command_works_with_a_lone_surrogate(tmp_path: Path) -> None:
    (tmp_path / "bookmarks.json").write_text(LONE)
    dirs = ["--data-dir", str(tmp_path), "--cache-dir", str(tmp_path / "c"), "--offline"]
    code, out, err = cli("bookmarks", "list", *dirs)
    assert code == 0 and "#a\ufffd" in out and "bookmarks[0].labels[0]" in err, err
    code, _, err = cli("bookmarks", "add", "707294", "--note", "more", *dirs)
    assert code == 0 and "internal error" not in err, err
    assert json.loads((tmp_path / "bookmarks.json").read_text())["bookmarks"][0]["note"] == "more"


def test_an_import_with_a_lone_surrogate_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "bookmarks.json").write_text('{"version": 1, "bookmarks": [{"id": 1}]}')
    before = (tmp_path / "bookmarks.json").read_bytes()
    export = tmp_path / "in.json"
    export.write_text('{"version":1,"bookmarks":[{"id":707294,"note":"x\\ud800y"}]}')
    code, _, err = cli("bookmarks", "import", str(export), "--data-dir", str(tmp_path),
                       "--cache-dir", str(tmp_path / "c"))
    assert code == 2 and "entry 1: bookmark 707294: note should be text" in err, err
    assert err.count("\n") == 1 and (tmp_path / "bookmarks.json").read_bytes() == before


def test_state_filters_and_history_mend_lone_surrogates_and_say_so(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text(
        '{"version": 1, "read": {}, "visits": {"ne": "\\ud800"}}')
    state = ReadState(tmp_path)
    assert state.snapshot()["visits"] == {"ne": "\ufffd"}
    assert any("visits.ne" in w for w in state.warnings)
    state.visit("ne")  # writes: the file stays UTF-8
    json.loads((tmp_path / "state.json").read_bytes().decode("utf-8"))
    (tmp_path / "filters.json").write_text('{"mine": "tag:\\udfff"}')
    filters = SavedFilters(tmp_path)
    assert filters.load() == {"mine": "tag:\ufffd"} and "mine" in filters.warnings[0]
    filters.save("more", "is:staff")
    assert json.loads((tmp_path / "filters.json").read_text())["mine"] == "tag:\ufffd"
    (tmp_path / "filter-history.json").write_text('["\\ud800 x"]')
    history = FilterHistory(tmp_path)
    assert history.load() == ["\ufffd x"] and "[0]" in history.warnings[0]


def test_a_write_never_fails_half_way_on_a_lone_surrogate(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "f.txt", "a\ud800b")
    assert (tmp_path / "f.txt").read_text(encoding="utf-8") == "a\ufffdb"


# -- links -------------------------------------------------------------------------------------
def test_a_loop_of_links_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(StorageError, match="cannot write"):
        atomic_write_text(tmp_path / "a", "x")


def test_a_dangling_link_gets_its_target_written(tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to(tmp_path / "real")
    atomic_write_text(tmp_path / "link", "x")
    assert (tmp_path / "link").is_symlink() and (tmp_path / "real").read_text() == "x"


# -- the config file ---------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "reason"), [
    ("a = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
    ("follow = " + "[" * 500 + "]" * 500, ""),
    ("[politeness]\nretries = " + "1" * 5000, "digits"),
])
def test_a_toml_file_tomllib_chokes_on_is_a_config_error_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, reason: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_settings({"NEREADER_CONFIG_DIR": str(tmp_path)}, flag_layer())
    assert str(path) in str(caught.value) and reason in str(caught.value)
    # The app starts on the other settings, with the problem said.
    resolved = load_settings({"NEREADER_CONFIG_DIR": str(tmp_path)},
                             flag_layer(offline=True), lenient=True)
    assert resolved.settings.offline and str(path) in (resolved.file_error or "")
    monkeypatch.setenv("NEREADER_CONFIG_DIR", str(tmp_path))
    code, _, err = cli("bookmarks", "list")
    assert code == 2 and err.count("\n") == 1 and str(path) in err, err


# -- settings ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "env", "named"), [
    (["--cache-dir", "~nosuchuser9/c"], {}, "--cache-dir ~nosuchuser9/c"),
    (["--data-dir", "~nosuchuser9"], {}, "--data-dir ~nosuchuser9"),
    ([], {"NEREADER_CACHE_DIR": "~nosuchuser9/c"}, "NEREADER_CACHE_DIR=~nosuchuser9/c"),
    ([], {"NEREADER_CONFIG_DIR": "~nosuchuser9/c"}, "NEREADER_CONFIG_DIR=~nosuchuser9/c"),
    (["--base-url", "http://xn--zz.example"], {}, "--base-url http://xn--zz.example"),
    (["--base-url", "https://forums.xn--zz.example"], {}, "is not a valid IDNA name"),
])
def test_unusable_settings_are_usage_errors_naming_where(
        monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str],
        named: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _, err = cli("list", "--offline", *args)
    assert code == 2 and named in err and err.count("\n") == 1, err
    assert "internal error" not in err


def test_a_home_folder_that_does_not_exist_in_the_file_names_file_and_line(
        tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[paths]\ncache_dir = "~nonexistentuser/x"\n')
    with pytest.raises(ConfigError, match=r"config\.toml line 2: paths\.cache_dir cannot be "
                                          r"expanded: no home folder for ~nonexistentuser"):
        load_settings({"NEREADER_CONFIG_DIR": str(tmp_path)}, flag_layer())
    with pytest.raises(ConfigError) as caught:
        config_dir_of({"NEREADER_CONFIG_DIR": "~nonexistentuser"})
    assert caught.value.origin == "environment"


def test_a_punycode_host_that_decodes_is_kept() -> None:
    layer = Layer("flag", {"base_url": "https://xn--bcher-kva.example"}, {})
    resolved = load_settings({"NEREADER_CONFIG_DIR": os.devnull + "-none"}, layer)
    assert resolved.settings.base_url == "https://xn--bcher-kva.example"


# -- what is said ------------------------------------------------------------------------------
def test_a_listing_without_a_post_count_shows_unknown_posts_in_the_library(
        tmp_path: Path) -> None:
    site = Site.bundled()
    path = "/forums/tags/networkextension"
    body = site.routes[path].body
    site.replace_body(path, re.sub(rb"[0-9][0-9,]* Posts", b"", body))

    async def run() -> list[str]:
        service = ForumService(Settings(cache_dir=tmp_path / "c", data_dir=tmp_path / "d",
                                        config_dir=tmp_path / "f", min_gap=0.0),
                               transport=SiteTransport(site))
        try:
            listing = (await service.listing(ListingRef(ListingKind.TAG,
                                                        "networkextension"))).value
            assert listing.total_posts is None
            return [i.detail for i in await service.library() if i.kind == "tag"]
        finally:
            await service.aclose()

    details = asyncio.run(run())
    assert details and details[0].startswith("? posts, "), details


def test_a_broken_search_index_says_its_rebuild_hint_once(tmp_path: Path) -> None:
    said: list[str] = []

    def hear(event: ServiceEvent) -> None:
        if isinstance(event, Notice):
            said.append(event.message)

    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "search.sqlite3").write_bytes(b"not a database" * 100)

    async def run() -> None:
        service = ForumService(Settings(cache_dir=tmp_path / "c", data_dir=tmp_path / "d",
                                        config_dir=tmp_path / "f", min_gap=0.0),
                               transport=SiteTransport(Site.bundled()), events=hear)
        try:
            await service.thread(828388)
        finally:
            await service.aclose()

    asyncio.run(run())
    hints = [s for s in said if "--rebuild" in s]
    assert len(hints) == 1 and hints[0].count("recreates it") == 1, said


# -- a byte order mark ---------------------------------------------------------------------
BOM = "\ufeff"


def test_a_byte_order_mark_in_bookmarks_json_reads_and_is_not_written_back(
        tmp_path: Path) -> None:
    """Editors (Notepad, some IDEs) save UTF-8 with a BOM: the file is the user's own, not
    damaged, so it reads as it is (never set aside), and nereader writes it without one."""
    (tmp_path / "bookmarks.json").write_text(
        BOM + '{"version": 1, "bookmarks": [{"id": 707294, "note": "mine"}]}', encoding="utf-8")
    store = BookmarkStore(tmp_path)
    [mark] = store.all()
    assert (mark.id, mark.note, store.warnings) == (707294, "mine", [])
    store.add(mark.__class__(828388, "Two", "https://developer.apple.com/forums/thread/828388"))
    raw = (tmp_path / "bookmarks.json").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and len(json.loads(raw)["bookmarks"]) == 2
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_byte_order_mark_reads_in_every_json_file(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text(
        BOM + '{"version": 1, "read": {}, "visits": {"ne": "2026-01-01T00:00:00+00:00"}}',
        encoding="utf-8")
    state = ReadState(tmp_path)
    assert state.snapshot()["visits"] and state.warnings == []
    (tmp_path / "filters.json").write_text(BOM + '{"mine": "is:staff"}', encoding="utf-8")
    assert SavedFilters(tmp_path).load() == {"mine": "is:staff"}
    (tmp_path / "filter-history.json").write_text(BOM + '["vpn"]', encoding="utf-8")
    history = FilterHistory(tmp_path)
    assert (history.load(), history.warnings) == (["vpn"], [])
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_bookmarks_export_with_a_byte_order_mark_imports(tmp_path: Path) -> None:
    export = tmp_path / "in.json"
    export.write_text(BOM + '{"version": 1, "bookmarks": [{"id": 707294, "note": "n"}]}',
                      encoding="utf-8")
    code, _, err = cli("bookmarks", "import", str(export), "--data-dir", str(tmp_path / "d"),
                         "--cache-dir", str(tmp_path / "c"), "--offline")
    assert code == 0, err
    assert json.loads((tmp_path / "d" / "bookmarks.json").read_text())["bookmarks"][0]["id"] \
        == 707294
