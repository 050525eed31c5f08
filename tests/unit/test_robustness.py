"""Every parser turns empty, binary, truncated, random or mutated input into ParseError only."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nereader.core.errors import ParseError
from nereader.core.models import ListingPage, Thread
from nereader.core.parse import parse_feed, parse_listing, parse_page, parse_thread
from tests.conftest import FETCHED_AT, fixture_bytes

PARSERS = [parse_listing, parse_thread, parse_feed, parse_page]
PAGES = [
    "tag-networkextension-p1.html",
    "thread-828388.html",
    "thread-821372-p2.html",
    "rss-networkextension.xml",
    "tag-empty.html",
]


def run_all(data: bytes | str) -> None:
    for parser in PARSERS:
        try:
            parser(data)
        except ParseError:
            pass


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"\x00\x01\x02\xff" * 100, "<<<>>>", "<html>", "plain words", b"\x89PNG\r\n",
     "<html><body><main><a href='/forums/thread/1'>x</a></main></body></html>"],
)
def test_bad_input_raises_parse_error_only(data: bytes | str) -> None:
    for parser in PARSERS:
        with pytest.raises(ParseError):
            parser(data)


@pytest.mark.parametrize("name", PAGES)
def test_a_truncated_page_is_refused_never_half_read(name: str) -> None:
    """Oracle: a cut page either raises ParseError or reads exactly as the whole page does."""
    data = fixture_bytes(name)
    whole = parse_page(data, None, FETCHED_AT)
    refused = 0
    for cut in range(0, len(data), max(1, len(data) // 60)):
        try:
            part = parse_page(data[:cut], None, FETCHED_AT)
        except ParseError:
            refused += 1
            continue
        assert part == whole, f"{name} cut at {cut} of {len(data)} read as something else"
    assert refused >= 55  # nearly every cut loses the end of the page


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    run_all(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdiv&#;-\x1b\x00\n")), max_size=800))
def test_random_markup(text: str) -> None:
    run_all(text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(PAGES),
    st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 400), st.binary(max_size=40)),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_fixtures(name: str, edits: list[tuple[int, int, bytes]]) -> None:
    """Oracle: a mutated page is refused, or every thread and post id read from it is
    written in it (nothing is invented)."""
    data = bytearray(fixture_bytes(name))
    for pos, length, insert in edits:
        pos %= len(data) or 1
        data[pos : pos + length] = insert
    run_all(bytes(data))
    try:
        page = parse_page(bytes(data), None, FETCHED_AT)
    except ParseError:
        return
    written = set(re.findall(rb"\d+", bytes(data)))
    ids = ([r.id for r in page.rows] if isinstance(page, ListingPage)
           else [p.id for p in page.posts] if isinstance(page, Thread)
           else [i.id for i in page.items if i.id is not None])
    assert all(str(i).encode() in written for i in ids)
