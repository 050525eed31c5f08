"""No silent zeros: reshaped or removed stats in fixture rows read exactly, or fail loudly.

The oracle is the parse of the untouched page. A mutated page must give every row the same
numbers, or raise LayoutChangedError; it must read exactly whenever each count is still
readable in some copy of its row (or, for a reply hit, its thread's row), and must fail, naming
the field and a row, when one is readable nowhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nereader.core.errors import LayoutChangedError
from nereader.core.parse import parse_listing, parse_search
from tests.conftest import FETCHED_AT, fixture_text

TAG_URL = "https://developer.apple.com/forums/tags/networkextension"
SEARCH_URL = "https://developer.apple.com/forums/search?q=NEFilterDataProvider&sortBy=relevance"
ARTICLE = re.compile(r'<article class="article-entry" value="(\d+)".*?</article>', re.S)
CELL = re.compile(r'<div class="stat (replies|votes|views|timestamp)">(.*?)</div>')
BLOCK = re.compile(r'<div class="article-stats">(?:<div class="stat[^"]*">.*?</div>)*</div>',
                   re.S)
VALUE = re.compile(r'<span class="stat-value">(.*?)</span>')
FIELD = {"replies": "replies", "votes": "boosts", "views": "views", "timestamp": "activity"}
WORD = {"replies": ("replies", "Replies"), "votes": ("boosts", "Boosts"),
        "views": ("views", "Views"), "timestamp": ("", "Activity")}

Format = Callable[[str, str, str], str]
COUNT_FORMATS: list[Format] = [
    lambda v, w, label: f"{v} {w}",  # "44 replies", "1.2k views"
    lambda v, w, label: f"{label} {v}",  # "Replies 2"
    lambda v, w, label: f"<span>{v}</span> <span>{w}</span>",
    lambda v, w, label: f'<span class="stat-label">{label}</span><span><b>{v}</b></span>',
    lambda v, w, label: f'<span class="count"><span>{v}</span></span>',
    lambda v, w, label: f"{label}: {v}",
    lambda v, w, label: f"\n  {v}\n  <small>{w}</small>\n",
]
ACTIVITY_FORMATS: list[Format] = [
    lambda v, w, label: f"{label} {v}",
    lambda v, w, label: f"<span>{v}</span>",
    lambda v, w, label: f'<span class="stat-label">Last activity</span> <span>{v}</span>',
    lambda v, w, label: f"<time>{v}</time>",
]
OPS = ["keep", "reshape", "empty", "drop", "rename", "noise"]


@dataclass(frozen=True)
class Mutation:
    row: int  # index into the page's articles (both copies)
    cell: str  # "replies" | "votes" | "views" | "timestamp" | "block"
    op: str
    fmt: int


def articles(html: str) -> list[tuple[int, int, int, bool]]:
    """(start, end, value, is_mobile) of every row element of both copies."""
    mobile_at = html.find("content-list-wrapper mobile-view")
    return [(m.start(), m.end(), int(m.group(1)), 0 <= mobile_at < m.start())
            for m in ARTICLE.finditer(html)]


def mutate_cell(cls: str, inner: str, op: str, fmt: int) -> str:
    found = VALUE.search(inner)
    value = found.group(1) if found else inner
    word, label = WORD[cls]
    if op == "reshape":
        formats = ACTIVITY_FORMATS if cls == "timestamp" else COUNT_FORMATS
        return f'<div class="stat {cls}">{formats[fmt % len(formats)](value, word, label)}</div>'
    if op == "empty":
        return f'<div class="stat {cls}"></div>'
    if op == "drop":
        return ""
    if op == "rename":
        return f'<div class="stat">{inner}</div>'
    if op == "noise":
        return f'<div class="stat {cls}">{label} n/a</div>'
    return f'<div class="stat {cls}">{inner}</div>'


def apply(html: str, mutations: list[Mutation]) -> tuple[str, dict[tuple[int, str], str]]:
    """The mutated page, and how each (row element, field) stands: readable or not."""
    rows = articles(html)
    state: dict[tuple[int, str], str] = {(i, f): "readable" for i in range(len(rows))
                                         for f in FIELD.values()}
    by_row: dict[int, list[Mutation]] = {}
    for m in mutations:
        by_row.setdefault(m.row % len(rows), []).append(m)
    out, last = [], 0
    settled: set[tuple[int, str]] = set()  # cells no later mutation changes (gone, renamed)
    for i, (start, end, _value, mobile) in enumerate(rows):
        text = html[start:end]
        for m in by_row.get(i, []):
            if m.cell == "block":
                text = BLOCK.sub("", text)
                for cls, f in FIELD.items():
                    state[(i, f)] = "gone"
                    settled.add((i, cls))
                continue
            if (i, m.cell) in settled:
                continue

            def one(match: re.Match[str], m: Mutation = m) -> str:
                if match.group(1) != m.cell:
                    return match.group(0)
                return mutate_cell(m.cell, match.group(2), m.op, m.fmt)

            text = CELL.sub(one, text)
            # A renamed cell is still found by its label in the labelled (mobile) copy only.
            readable = m.op in ("keep", "reshape") or (m.op == "rename" and mobile)
            state[(i, FIELD[m.cell])] = "readable" if readable else "gone"
            if m.op != "keep":
                settled.add((i, m.cell))
        out += [html[last:start], text]
        last = end
    out.append(html[last:])
    return "".join(out), state


def check(name: str, url: str, parse: Callable[[str], list[tuple[Any, ...]]],
          keys: Callable[[str], list[tuple[int, int | None]]],
          mutations: list[Mutation]) -> None:
    html = fixture_text(name)
    baseline = parse(html)
    page, state = apply(html, mutations)
    # Which row elements hold which row (thread, reply): from the untouched page.
    elements = keys(html)
    first_copy = {k for k in elements[: len(baseline)]}
    assert len(first_copy) == len(baseline)
    missing: set[tuple[tuple[int, int | None], str]] = set()
    for key in elements[: len(baseline)]:
        for f in FIELD.values():
            holders = [i for i, k in enumerate(elements) if k == key]
            if key[1] is not None:  # a reply hit: its thread's row has the same stats
                holders += [i for i, k in enumerate(elements) if k == (key[0], None)]
            if all(state[(i, f)] != "readable" for i in holders):
                missing.add((key, f))
    try:
        got = parse(page)
    except LayoutChangedError as exc:
        assert missing, f"a readable page was refused: {exc}"
        message = str(exc)
        named = [f for f in FIELD.values() if f" {f} " in message or f" {f}\n" in message]
        assert named and any(f == named[0] for _, f in missing), message
        row = re.search(r"row (\d+)(?: reply (\d+))?", message)
        if row is not None:
            key = (int(row.group(1)), int(row.group(2)) if row.group(2) else None)
            assert (key, named[0]) in missing, message
        return
    assert not missing, f"read {sorted(missing)} from nowhere"
    assert got == baseline  # the exact numbers, never another one


def tag_rows(html: str) -> list[tuple[Any, ...]]:
    listing = parse_listing(html, TAG_URL, FETCHED_AT)
    return [(r.id, r.replies, r.boosts, r.views, r.views_text, r.activity_text, r.activity_at)
            for r in listing.rows]


def tag_keys(html: str) -> list[tuple[int, int | None]]:
    return [(value, None) for _s, _e, value, _m in articles(html)]


def search_rows(html: str) -> list[tuple[Any, ...]]:
    found = parse_search(html, SEARCH_URL, FETCHED_AT)
    return [(h.thread_id, h.reply_id, h.replies, h.boosts, h.views, h.views_text,
             h.activity_text, h.activity_at) for h in found.hits]


def search_keys(html: str) -> list[tuple[int, int | None]]:
    keys = []
    for start, end, value, _mobile in articles(html):
        link = re.search(r'href="/forums/thread/(\d+)', html[start:end])
        assert link is not None
        thread = int(link.group(1))
        keys.append((thread, None if value == thread else value))
    return keys


mutation = st.builds(Mutation, st.integers(0, 60),
                     st.sampled_from(["replies", "votes", "views", "timestamp", "block"]),
                     st.sampled_from(OPS), st.integers(0, 20))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=12))
def test_listing_rows_read_exactly_or_fail_loudly(mutations: list[Mutation]) -> None:
    check("tag-networkextension-p1.html", TAG_URL, tag_rows, tag_keys, mutations)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=10))
def test_search_hits_read_exactly_or_fail_loudly(mutations: list[Mutation]) -> None:
    check("search-nefilterdataprovider-p1.html", SEARCH_URL, search_rows, search_keys,
          mutations)


# -- the cases of the issue, pinned ------------------------------------------------------------
def test_a_number_with_a_word_is_read_from_the_cell() -> None:
    html = fixture_text("tag-networkextension-p1.html")
    html = html.replace('<div class="stat replies">2</div><div class="stat votes">0</div>'
                        '<div class="stat views">37</div>',
                        '<div class="stat replies">44 replies</div><div class="stat votes">0'
                        '</div><div class="stat views">1.2k views</div>', 1)
    row = parse_listing(html, TAG_URL, FETCHED_AT).rows[1]
    assert (row.id, row.replies, row.views, row.views_text) == (829114, 44, 1200, "1.2k")


@pytest.mark.parametrize(("text", "value", "shown"), [
    ("1.1m", 1_100_000, "1.1m"), ("12K", 12_000, "12K"), ("1,234 views", 1234, "1,234"),
    ("Views 3.3k", 3300, "3.3k"), ('<span class="n">8.4k</span> <span>views</span>', 8400,
                                   "8.4k")])
def test_count_forms(text: str, value: int, shown: str) -> None:
    html = fixture_text("tag-networkextension-p1.html").replace(
        '<div class="stat views">3.3k</div>', f'<div class="stat views">{text}</div>', 1)
    row = parse_listing(html, TAG_URL, FETCHED_AT).rows[0]
    assert (row.views, row.views_text) == (value, shown)


def test_a_count_missing_from_one_copy_is_read_from_the_other() -> None:
    html = BLOCK.sub("", fixture_text("tag-networkextension-p1.html"), count=20)  # desktop
    assert tag_rows(html) == tag_rows(fixture_text("tag-networkextension-p1.html"))


def test_rows_without_any_stats_are_a_layout_change_not_zeros() -> None:
    html = BLOCK.sub("", fixture_text("tag-networkextension-p1.html"))
    with pytest.raises(LayoutChangedError, match="none of the 20 rows has a readable replies"):
        parse_listing(html, TAG_URL, FETCHED_AT)


def test_one_count_gone_from_both_copies_names_the_field_and_the_row() -> None:
    html = fixture_text("tag-networkextension-p1.html").replace(
        '<div class="stat views">37</div>', "").replace(
        '<div class="stat views"><span class="stat-label">Views</span><span class="stat-value">'
        "37</span></div>", "")
    with pytest.raises(LayoutChangedError, match=r"row 829114 .* no readable views"):
        parse_listing(html, TAG_URL, FETCHED_AT)


def test_a_reply_hit_reads_its_threads_stats() -> None:
    """The reply hit has no mobile copy; its stats are its thread's, read from that row."""
    html = fixture_text("search-nefilterdataprovider-p1.html")
    start = html.index('value="828388022"')
    end = html.index("</article>", start)
    html = html[:start] + BLOCK.sub("", html[start:end]) + html[end:]
    hit = parse_search(html, SEARCH_URL, FETCHED_AT).hits[2]
    assert (hit.reply_id, hit.replies, hit.boosts, hit.views, hit.activity_text) == (
        828388022, 8, 0, 416, "1d")
