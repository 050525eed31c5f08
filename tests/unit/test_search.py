"""The full-text index: ranking, snippets, consistency after re-caching, safe query syntax."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nereader.core.errors import UsageError
from nereader.core.parse import merge_thread_pages, parse_thread
from nereader.core.search import SearchIndex, fts_query
from nereader.core.text import MARK_OPEN, snippet_parts
from tests.conftest import FETCHED_AT, fixture_text


def thread(name: str):  # type: ignore[no-untyped-def]
    return parse_thread(fixture_text(name), None, FETCHED_AT)


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    idx = SearchIndex(tmp_path / "search.sqlite3")
    idx.index_thread(thread("thread-828388.html"))
    idx.index_thread(thread("thread-707294.html"))
    idx.index_thread(merge_thread_pages([thread("thread-821372-p1.html"),
                                         thread("thread-821372-p2.html")]))
    return idx


def test_ranking_and_snippets(index: SearchIndex) -> None:
    hits = index.search("kernel panic")
    assert hits[0].thread_id == 821372 and hits[0].kind == "question"
    parts = snippet_parts(hits[0].snippet)
    assert any(match and text.lower() == "panic" for text, match in parts)
    code = index.search("NEURLFilterManager")
    assert [h.thread_id for h in code] == [828388]
    assert code[0].post_id in {828389022, 828389023}  # the accepted answer or its comment
    assert index.search("filter OR panics")[0].thread_id in {821372, 828388}


def test_title_only_match_shows_question(index: SearchIndex) -> None:
    hits = index.search("resources")
    assert hits[0].thread_id == 707294 and hits[0].kind == "question"


def test_negation_phrase_prefix_and_diacritics(index: SearchIndex) -> None:
    assert {h.thread_id for h in index.search("extension -kernel")} == {828388, 707294}
    assert [h.thread_id for h in index.search('"double free"')] == [821372]
    assert [h.thread_id for h in index.search("saveToPref*")] == [828388]
    assert [h.thread_id for h in index.search("ÉSKIMO")] == [707294]


def test_reindexing_replaces_old_rows(index: SearchIndex) -> None:
    before = index.stats()
    t = thread("thread-828388.html")
    index.index_thread(t)
    assert index.stats() == before
    changed = replace(t, posts=t.posts[:2])
    index.index_thread(changed)
    assert index.stats()[1] == before[1] - (len(t.posts) - 2)
    assert index.search("NEURLFilterManager") == []


def test_facts(index: SearchIndex) -> None:
    facts = index.facts()
    assert facts[828388] == ("gamblock_app", True)
    assert facts[707294] == ("DTS Engineer", False)  # staff asked, nobody replied


@pytest.mark.parametrize("bad", ["", "   ", "-only", "OR", '""', "***"])
def test_queries_without_words(bad: str) -> None:
    with pytest.raises(UsageError):
        fts_query(bad)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # read-only use
@given(st.text(alphabet=st.sampled_from(list('ab "*-():^+{}NEAROT\\\'.')), max_size=30))
def test_no_fts_syntax_error_escapes(index: SearchIndex, text: str) -> None:
    try:
        index.search(text)
    except UsageError as exc:
        assert "needs at least one word" in str(exc), str(exc)


def test_marks_never_in_page_text(index: SearchIndex) -> None:
    assert all(MARK_OPEN in h.snippet for h in index.search("panic"))
