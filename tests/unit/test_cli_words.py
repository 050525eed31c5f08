"""What the commands say: site search paging and limits, words after --, counts in the
singular, bookmark check counts, misspelt options, cache's default action, the demo's folders
and config show's [keys]. Everything runs on the in-process demo forum."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from nereader.cli import main
from nereader.core.errors import UsageError
from nereader.core.export import thread_markdown
from nereader.core.search import fts_query


def test_a_site_search_page_past_the_end_is_not_found(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = demo_cli("search", "--site", "entitlement", "--page", "99")
    assert code == 6 and out == "" and err.count("\n") == 1
    assert "page 99" in err and "past the last page (8)" in err
    code, out, _ = demo_cli("search", "--site", "entitlement", "--page", "8")
    assert code == 0 and "page 8 of 8" in out


def test_site_search_honours_limit(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = demo_cli("search", "--site", "entitlement", "--limit", "2", "--json")
    assert code == 0 and len(json.loads(out)) == 2
    code, out, _ = demo_cli("search", "--site", "entitlement", "--limit", "2")
    assert code == 0 and "the first 2" in out
    assert sum(1 for line in out.splitlines() if line.startswith("    https://")) == 2


def test_search_takes_several_words_and_explains_options_after_dashes(
        demo_cli, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = demo_cli("search", "--site", "packet", "tunnel")
    assert code == 0 and "for 'packet tunnel'" in out
    data = ["--data-dir", str(tmp_path / "d")]
    assert main(["search", *data, "--", "-foo", "--demo"]) == 2
    err = capsys.readouterr().err
    assert "--demo after `--` is not an option" in err and err.count("\n") == 1
    assert "nereader search --demo -- ..." in err
    # Options before --, words after it: the words are the query, not options.
    assert main(["search", "--demo", *data, "--", "packet", "-foo"]) == 0
    assert main(["search", "--demo", *data, "--", "-foo"]) == 2
    assert "not negated" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "said"), [
    ('"', "at least one word (letters or digits)"), ("*", "at least one word (letters"),
    ("^ :", "at least one word (letters"), ("OR", "at least one word (letters"),
    ("-foo", "at least one word that is not negated")])
def test_a_query_without_words_says_so(text: str, said: str) -> None:
    with pytest.raises(UsageError, match=r"needs") as caught:
        fts_query(text)
    assert said in str(caught.value)


@pytest.mark.parametrize(("query", "column", "marked"), [
    ('"unterminated', 1, '⟦"unterminated⟧'), ('foo "bar baz', 5, 'foo ⟦"bar baz⟧'),
    ('"a b" -"c', 8, '"a b" -⟦"c⟧'), ('"', 1, '⟦"⟧')])
def test_an_unclosed_quote_is_a_usage_error_at_its_column(
        demo_cli, query: str, column: int, marked: str) -> None:  # type: ignore[no-untyped-def]
    """Like a filter's: exit 2, one line, the column of the quote and the text it opens."""
    code, out, err = demo_cli("search", query)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert f"bad search at column {column}: unclosed quote: {marked}" in err
    assert demo_cli("search", '"a b" c')[0] == 0  # a closed phrase is a phrase


def test_a_quote_still_being_typed_searches_its_words() -> None:
    """The app searches as you type: an open quote there is a phrase on its way."""
    assert fts_query('"half clo') == fts_query("half clo")
    with pytest.raises(UsageError, match="unclosed quote"):
        fts_query('"half clo', strict=True)


def test_counts_are_singular_for_one(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = demo_cli("show", "828388")
    assert code == 0 and "8 replies, 0 boosts, 416 views, 4 participants" in out
    code, _, err = demo_cli("search", "--rebuild")
    assert code == 0 and "indexed 1 cached thread (" in err and "threads" not in err


def test_markdown_counts_use_the_singular() -> None:
    from dataclasses import replace

    from nereader.core.parse import parse_thread
    from tests.conftest import FETCHED_AT, fixture_bytes

    thread = parse_thread(fixture_bytes("thread-828388.html"),
                          "https://developer.apple.com/forums/thread/828388", FETCHED_AT)
    one = replace(thread, stats=replace(thread.stats, replies=1, boosts=1, views=1,
                                        participants=1))
    assert "1 reply, 1 boost, 1 view, 1 participant" in thread_markdown(one)


def test_views_are_shown_as_the_site_rounded_them(demo_cli, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    """The thread page says "Views 8.4k": `show` says 8.4k views, as the list does, never a
    made-up 8400; --json keeps the number and the site's text."""
    listed = {r["id"]: r for r in json.loads(demo_cli("list", "--json")[1])}
    assert listed[788921]["views_text"] == "8.4k"
    code, out, _ = demo_cli("show", "788921")
    assert code == 0 and "85 replies, 2 boosts, 8.4k views, 23 participants" in out
    assert "8400" not in out
    stats = json.loads(demo_cli("show", "788921", "--json")[1])["stats"]
    assert (stats["views"], stats["views_text"]) == (8400, "8.4k")
    # On a terminal (the pager) too.
    from nereader.cli import pager

    paged = tmp_path / "paged.txt"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(pager.shutil, "get_terminal_size", lambda fallback=(0, 0): (
        os.terminal_size((100, 40))))
    monkeypatch.setenv("PAGER", f"sh -c 'cat > {paged}'")
    assert demo_cli("show", "788921")[0] == 0
    shown = re.sub(r"\x1b\[[0-9;]*m", "", paged.read_text(encoding="utf-8"))
    assert "85 replies · 2 boosts · 8.4k views" in shown and "8400" not in shown


def test_a_count_the_site_did_not_round_is_said_whole() -> None:
    from nereader.core.models import ThreadStats

    assert ThreadStats(3, 1, 416, 1, "416").counts() == [
        "3 replies", "1 boost", "416 views", "1 participant"]
    assert ThreadStats(views=1, views_text="1").counts() == ["1 view"]
    # A text that does not say the number (a stats value changed by hand) is not used.
    assert ThreadStats(views=5, views_text="8.4k").counts() == ["5 views"]


def test_bookmarks_check_counts_replies_as_the_site_does(demo_cli) -> None:  # type: ignore[no-untyped-def]
    assert demo_cli("bookmarks", "add", "828388")[0] == 0
    code, out, _ = demo_cli("bookmarks", "check", "--json")
    (change,) = json.loads(out)
    listed = {r["id"]: r for r in json.loads(demo_cli("list", "--json")[1])}
    shown = json.loads(demo_cli("show", "828388", "--json")[1])
    comments = sum(1 for p in shown["posts"] if p["kind"] == "comment")
    assert code == 0 and comments >= 1
    assert change["replies"] == listed[828388]["replies"] == 8
    assert change["comments"] == comments


def test_a_misspelt_option_gets_the_near_one_and_the_commands_help(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = demo_cli("list", "--josn")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "did you mean --json?" in err and "nereader list --help" in err


def test_cache_defaults_to_info(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = demo_cli("cache")
    assert code == 0 and out.startswith("cache: ") and "pages: " in out


def test_the_demo_uses_folders_given_as_given(demo_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert demo_cli("bookmarks", "add", "828388")[0] == 0
    assert (tmp_path / "d" / "bookmarks.json").is_file()
    assert not (tmp_path / "d" / "demo").exists() and not (tmp_path / "c" / "demo").exists()


def test_the_demo_keeps_apart_in_the_users_own_folders(capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setenv("NEREADER_DATA_DIR", str(tmp_path / "mine"))
    assert main(["bookmarks", "add", "828388", "--demo"]) == 0
    capsys.readouterr()
    assert (tmp_path / "mine" / "demo" / "bookmarks.json").is_file()
    assert not (tmp_path / "mine" / "bookmarks.json").exists()


def test_config_show_gives_each_key_its_line_and_flags_unknown_ids(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv("NEREADER_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.toml").write_text(
        '# my keys\n[keys]\n"main.refresh" = "ctrl+r"\n"app.quit" = "q,ctrl+q"\n'
        '"bogus.id" = "x"\n', encoding="utf-8")
    assert main(["config", "show"]) == 0
    out, err = capsys.readouterr()
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("keys.")}
    assert lines["keys.main.refresh"].endswith("file (line 3)")
    assert lines["keys.app.quit"].endswith("file (line 4)")
    assert "'bogus.id' (line 5) names no binding" in err and err.count("\n") == 1
    assert "main.refresh" not in err
    assert main(["config", "show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unknown_keys"] == ["bogus.id"]


def test_the_list_table_lines_up_wide_and_combining_titles(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """Columns by terminal cells: an emoji family, CJK and combining accents take the cells
    they show in, so every row's numbers end in the same column."""
    from rich.cells import cell_len

    from nereader.cli.common import fit, table
    from nereader.core.models import ThreadSummary

    monkeypatch.setenv("COLUMNS", "90")
    titles = ["Emoji 👩‍👩‍👧 family ok", "combining e\u0301e\u0301e\u0301 café", "网络扩展 问题",
              "plain ascii title", "x" * 200, "网" * 100]
    rows = [ThreadSummary(800000 + n, t, f"https://developer.apple.com/forums/thread/{n}",
                          replies=n, views=10, views_text="10", activity_text="4d")
            for n, t in enumerate(titles)]
    lines = table(rows).splitlines()
    assert len({cell_len(line) for line in lines}) == 1, [cell_len(line) for line in lines]
    assert cell_len(fit("网" * 5, 6)) == 6 and fit("abc", 5) == "abc  "
