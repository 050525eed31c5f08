"""Input a hostile tester gave: arguments of 100 KB, empty listings, digits of other scripts,
links to other hosts in pages, feeds and exports, and folders relative to wherever one runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nereader.cli.reading import bracketed, snippet_json
from nereader.core.bookmarks import BookmarkStore
from nereader.core.errors import LayoutChangedError
from nereader.core.models import ListingKind
from nereader.core.parse import parse_feed, parse_listing, parse_search
from nereader.core.parse.feed import feed_listing
from nereader.core.settings import ConfigError, environment_layer, flag_layer, resolve
from nereader.core.text import (
    MARK_CLOSE,
    MARK_OPEN,
    clean,
    echo,
    marked,
    one_line,
    shorten,
    snippet_parts,
    squash,
)
from nereader.core.urls import ListingRef, parse_thread_ref
from tests.conftest import FETCHED_AT, fixture_text

LONG = "a" * 100_000
SITE = "https://developer.apple.com"


# -- (a) what an error echoes of the input ----------------------------------------------------
def test_long_input_is_echoed_cut_with_its_length() -> None:
    assert shorten("abc") == "abc" and echo("abc") == "'abc'"
    cut = shorten(LONG)
    assert cut.endswith("(100,000 characters)") and "…" in cut and len(cut) < 200
    quoted = echo(LONG)
    assert quoted.startswith("'a") and quoted.endswith("' (100,000 characters)")
    assert len(quoted.split(" (")[0]) <= 160
    line = one_line(f"offline and {SITE}/forums/tags/{LONG}: not cached; run `nereader sync "
                    f"{LONG}`")
    assert len(line) < 600 and line.count("(100,0") == 2 and line.endswith("characters)`")
    assert "a…a" in marked("x" * 5000 + LONG, 5000, 5000 + len(LONG))


@pytest.mark.parametrize("text", ["\u202e" + "b" * 300, "b" * 150 + "\x1b" * 5,
                                  "\n" * 400])
def test_input_with_control_characters_is_escaped_then_cut_once(text: str) -> None:
    """Escaping made the cut input longer than the limit, and the message cut it again:
    "'\\u202ebbbb…bbbb (164 characters)' (301 characters)"."""
    quoted = echo(text)
    assert len(quoted.split("' (")[0]) + 1 <= 160 and quoted.endswith(f" ({len(text):,} characters)")
    line = one_line(f"not a thread id or forum thread URL: {quoted}")
    assert line.count("characters)") == 1 and line.isprintable()
    assert "\\u202" not in quoted or quoted.startswith("'\\u202e")  # no escape split in two


@pytest.mark.parametrize("args", [
    ("list", LONG), ("show", LONG), ("list", f"https://evil.example/{LONG}"),
    ("list", "--sort", LONG), ("list", "--page", LONG), ("list", "--filter", f"is:{LONG}"),
    ("search", f'"{LONG}'), ("show", " ".join(["a"] * 50_000)),
])
def test_an_error_never_echoes_a_100_kb_argument_whole(demo_cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    code, out, err = demo_cli(*args, "--offline")
    assert code in (2, 3) and out == "" and err.count("\n") == 1
    assert len(err) < 800 and "characters)" in err and "…" in err, err[:300]


# -- (b) an empty listing ---------------------------------------------------------------------
@pytest.mark.parametrize("command", ["list", "sync", "doctor", "follow"])
def test_an_empty_listing_is_a_usage_error(demo_cli, command: str) -> None:  # type: ignore[no-untyped-def]
    """`list ""` listed the default tag (an unset shell variable read as "the default")."""
    code, out, err = demo_cli(command, "")
    assert (code, out) == (2, "") and "an empty LISTING" in err


def test_an_empty_section_is_a_usage_error(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = demo_cli("inbox", "--section", "")
    assert code == 2 and "--section needs a section's name" in err


# -- (c) digits of other scripts --------------------------------------------------------------
@pytest.mark.parametrize("text", ["١٢٣", "１２３", "https://developer.apple.com/forums/thread/١٢٣"])
def test_a_thread_id_is_ascii_digits(text: str) -> None:
    with pytest.raises(Exception, match="not a thread id"):
        parse_thread_ref(text)
    assert parse_thread_ref("123").id == 123


@pytest.mark.parametrize("args", [("show", "١٢٣"), ("list", "--page", "٢"),
                                  ("search", "--site", "x", "--limit", "٣"),
                                  ("list", "--pages", "1_0")])
def test_numbers_on_the_command_line_are_ascii_digits(demo_cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    code, out, err = demo_cli(*args)
    assert (code, out) == (2, "") and ("digits 0-9" in err or "not a thread id" in err), err


@pytest.mark.parametrize("value", ["١", "２", "1\u0663"])
def test_a_number_in_the_environment_is_ascii_digits(value: str) -> None:
    with pytest.raises(ConfigError, match=r"NEREADER_MAX_IN_FLIGHT=.*ASCII digits"):
        resolve(environment_layer({"NEREADER_MAX_IN_FLIGHT": value}))
    settings = resolve(environment_layer({"NEREADER_MAX_IN_FLIGHT": "1"})).settings
    assert settings.max_in_flight == 1


# -- (d) links to another host ----------------------------------------------------------------
def _foreign_rows(text: str) -> str:
    return re.sub(r'href="/forums/thread/', 'href="https://evil.example/forums/thread/', text)


def test_a_listing_rows_url_is_the_forums_whatever_its_link_says() -> None:
    url = f"{SITE}/forums/tags/networkextension"
    page = parse_listing(_foreign_rows(fixture_text("tag-networkextension-p1.html")), url,
                         FETCHED_AT)
    assert len(page.rows) == 20
    assert all(r.url == f"{SITE}/forums/thread/{r.id}" for r in page.rows)


def test_reply_hits_linking_elsewhere_are_a_layout_problem() -> None:
    """A reply hit's thread comes only from its link (its value is the reply's id): a link
    to another host names no thread of this forum, so the hit cannot be read."""
    with pytest.raises(LayoutChangedError, match="cannot be read"):
        parse_search(_foreign_rows(fixture_text("search-nefilterdataprovider-p1.html")),
                     f"{SITE}/forums/search?q=nefilterdataprovider", FETCHED_AT)


def test_a_feed_items_url_is_the_forums_whatever_its_link_says() -> None:
    url = f"{SITE}/forums/tags/rssFeed/packet-tunnel-provider"
    text = fixture_text("rss-packet-tunnel-provider.xml").replace(
        "<link>https://developer.apple.com/forums/thread/",
        "<link>https://evil.example/forums/thread/")
    feed = parse_feed(text, url)
    assert all(item.url == f"{SITE}/forums/thread/{item.id}" for item in feed.items)
    ref = ListingRef(ListingKind.TAG, "packet-tunnel-provider")
    rows = feed_listing(feed, ref, url, FETCHED_AT, LayoutChangedError("x")).rows
    assert len(rows) == 12 and all("evil" not in r.url for r in rows)


def test_an_import_or_a_hand_edit_never_gives_a_bookmark_another_hosts_url(
        tmp_path: Path) -> None:
    store = BookmarkStore(tmp_path)
    store.import_json({"version": 1, "bookmarks": [
        {"id": 707294, "url": "https://evil.example/forums/thread/707294"}]})
    [mark] = store.all()
    assert mark.url == f"{SITE}/forums/thread/707294"
    saved = json.loads((tmp_path / "bookmarks.json").read_text())["bookmarks"][0]
    assert saved["url"] == mark.url
    raw = {"version": 1, "bookmarks": [{"id": 828388, "title": "t", "added_at": "x",
                                        "url": "https://evil.example/x"}]}
    (tmp_path / "bookmarks.json").write_text(json.dumps(raw))  # edited by hand
    again = BookmarkStore(tmp_path, "http://127.0.0.1:8000")
    assert [m.url for m in again.all()] == ["http://127.0.0.1:8000/forums/thread/828388"]


def test_bookmarks_import_on_the_cli_keeps_no_foreign_url(demo_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "in.json"
    export.write_text(json.dumps({"version": 1, "bookmarks": [
        {"id": 707294, "url": "https://evil.example/forums/thread/707294"}]}))
    assert demo_cli("bookmarks", "import", str(export), "--offline")[0] == 0
    code, out, _ = demo_cli("bookmarks", "export")
    assert code == 0 and "evil.example" not in out and "/forums/thread/707294" in out


# -- (g) a relative folder --------------------------------------------------------------------
@pytest.mark.parametrize("var", ["NEREADER_CACHE_DIR", "NEREADER_DATA_DIR"])
def test_a_relative_folder_in_the_environment_is_refused(var: str) -> None:
    """It made the folder in whatever folder nereader ran from, a new one each time."""
    with pytest.raises(ConfigError, match=f"{var}=relative/dir: must be an absolute path"):
        resolve(environment_layer({var: "relative/dir"}))
    assert resolve(environment_layer({var: "~/x"})).settings.cache_dir.is_absolute()


def test_a_relative_folder_given_as_a_flag_is_the_current_folders(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = resolve(flag_layer(**{"paths.cache_dir": "rel"})).settings
    assert settings.cache_dir == tmp_path / "rel"


# -- (e) invisible characters in the site's text ----------------------------------------------
@pytest.mark.parametrize(("given", "kept"), [
    ("Wi\u200bFi drops", "WiFi drops"), ("VPN\u200f on\u200e", "VPN on"),
    ("soft\u00adhyphen", "softhyphen"), ("A\u2060B\u2062C", "ABC"), ("\u061cX\u180e", "X"),
    ("\u200dlone joiners\u200c", "lone joiners"),
    ("👩\u200d💻 devs", "👩\u200d💻 devs"),  # an emoji sequence is text
    ("می\u200cخواهم", "می\u200cخواهم"),  # so is a Persian non-joiner between letters
])
def test_invisible_characters_leave_the_sites_text(given: str, kept: str) -> None:
    """A zero-width or bidi character in a title took a cell in some terminals and none in
    the list's reckoning, shifting every column after it by one."""
    assert squash(given) == kept and clean(given) == kept


def test_a_rows_title_and_excerpt_lose_their_invisible_characters() -> None:
    text = fixture_text("tag-networkextension-p1.html").replace(
        "Network Extension Resources", "Network\u200b Extension\u200f Resources\u2060", 1)
    page = parse_listing(text, f"{SITE}/forums/tags/networkextension", FETCHED_AT)
    assert page.rows[0].title == "Network Extension Resources"


# -- (f) a search hit's match, told from the site's brackets ----------------------------------
def test_a_piped_search_marks_matches_apart_from_the_texts_own_brackets(
        demo_cli) -> None:  # type: ignore[no-untyped-def]
    snippet = f"see [x] and {MARK_OPEN}x{MARK_CLOSE} or ⟦y⟧ C:\\dir"
    piped = "".join(bracketed(t, m) for t, m in snippet_parts(snippet))
    assert piped == "see [x] and ⟦x⟧ or \\⟦y\\⟧ C:\\\\dir"
    assert snippet_json(snippet) == {"snippet": "see [x] and x or ⟦y⟧ C:\\dir",
                                     "matches": [[12, 13]]}
    assert demo_cli("show", "828388")[0] == 0  # indexed
    code, out, _ = demo_cli("search", "sysdiagnose")
    assert code == 0 and "⟦sysdiagnose⟧" in out.replace("⟦Sysdiagnose⟧", "⟦sysdiagnose⟧")
    assert "[sysdiagnose]" not in out.lower()
