"""The filter language: table-driven valid and invalid queries, and properties of filtering."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nereader.core.models import Tag, ThreadSummary
from nereader.core.parse import parse_listing
from nereader.core.query import Context, Query, QueryError, fold, haystack
from tests.conftest import FETCHED_AT, fixture_text

NOW = FETCHED_AT
ROWS = list(parse_listing(fixture_text("tag-networkextension-p1.html"),
                          "https://developer.apple.com/forums/tags/networkextension",
                          FETCHED_AT).rows)
CTX = Context(now=NOW, bookmarked={829114, 821372}, staff={828388},
              authors={828388: "gamblock_app", 821372: "secsol_dev"},
              unread=lambda r: r.id != 707294, new=lambda r: r.id == 829114)


def ids(query: str) -> list[int]:
    return [r.id for r in Query.parse(query).apply(ROWS, CTX)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kernel panics", [821372]),
        ("KERNEL", [821372]),
        ('"basic url filter"', [788921]),
        ("url filter -basic", [707294, 829051, 828305]),
        ("hotspot OR doh", [707294, 829003, 828990]),
        ("hotspot OR doh -resources", [829003, 828990]),
        ("replies:>=8", [828410, 828388, 821372, 788921]),
        ("replies:8", [828410, 828388]),
        ("replies:2..3 boosts:>=2", [828305, 827377]),
        ("views:>4k", [788921]),
        ("views:>=4k", [821372, 788921]),
        ("views:..10", [828990]),
        ("boosts:3", [827377]),
        ("activity:<2h", [829114, 829051]),
        ("activity:<=1h", [829114, 829051]),
        ("activity:>1w", [707294]),
        ("activity:>=2026-06-06 is:answered", [829003, 828410, 828120, 788921, 827460, 827402]),
        ("activity:2026-06-11", [828410, 828388, 828305]),
        ("activity:<2026-04-01", [707294]),
        ("is:recommended", [707294]),
        ("is:unanswered replies:0", [707294, 829051, 828990]),
        ("is:bookmarked", [829114, 821372]),
        ("-is:unread", [707294]),
        ("is:new", [829114]),
        ("is:staff", [828388]),
        ("author:secsol", [821372]),
        ("tag:driverkit", [829051, 828410, 827498]),
        ("tag:DriverKit -tag:ios", [829051, 828410]),
        ("tag:ios is:recommended", [707294]),
        ("system extensions", [707294, 828388, 788921, 827402]),  # tag names count
        ("replies:>=8 sort:-views", [788921, 821372, 828410, 828388]),
        ("replies:>=8 sort:replies sort:-views", [828410, 828388, 821372, 788921]),
        ("", [r.id for r in ROWS]),
        ("boosts:3..3", [827377]),
    ],
)
def test_queries(query: str, expected: list[int]) -> None:
    assert ids(query) == expected


@pytest.mark.parametrize(
    ("query", "position", "length", "message"),
    [
        ("replies:abc", 8, 3, "not a number"),
        ("vpn views:>lots", 11, 4, "not a number"),
        ("is:shiny", 3, 5, "unknown is:shiny"),
        ("colour:red", 0, 7, "unknown qualifier"),
        ("OR vpn", 0, 2, "OR needs"),
        ("vpn OR", 4, 2, "OR needs"),
        ('vpn "half', 4, 5, "unclosed quote"),
        ("activity:<7x", 10, 2, "not a time"),
        ("activity:2026-13-40", 9, 10, "not a time"),
        ("sort:-hot", 5, 4, "cannot sort"),
        ("tag:", 0, 4, "needs a value"),
        ("boosts:..", 7, 2, "range"),
        ("activity:<99999999999y", 10, 12, "too long ago"),
        ("activity:>=1001y", 11, 5, "too long ago"),
        ("boosts:3..1", 7, 4, r"range is backwards: did you mean 1\.\.3\?"),
        ("vpn replies:1k..10", 12, 6, r"did you mean 10\.\.1k\?"),
        ("activity:2026-05-10..2026-05-01", 9, 22, r"did you mean 2026-05-01\.\.2026-05-10"),
        ("((", 0, 2, "parentheses are not supported; OR binds tighter than AND"),
        ("(vpn OR proxy) crash", 0, 1, "parentheses are not supported"),
        ("vpn proxy)", 9, 1, "parentheses are not supported"),
        ("-(x", 1, 1, "parentheses"),
    ],
)
def test_errors_point_at_the_token(query: str, position: int, length: int, message: str) -> None:
    with pytest.raises(QueryError, match=message) as info:
        Query.parse(query)
    assert (info.value.position, info.value.length) == (position, length)
    assert info.value.caret_line(2).startswith(" " * (position + 2) + "^" * length + " ")
    assert info.value.one_line(query).startswith(f"bad filter at column {position + 1}: ")


def test_diacritics_fold() -> None:
    row = ThreadSummary(1, "Ça déçoit: Wi‑Fi Aware", "https://x/forums/thread/1",
                        tags=(Tag("Réseau", "reseau"),))
    assert fold("Ça Déçoit") == "ca decoit"
    assert Query.parse("deçoit").apply([row]) == [row]
    assert Query.parse("ca DECOIT reseau").apply([row]) == [row]


# -- properties -------------------------------------------------------------------------------
rows_strategy = st.lists(
    st.builds(
        ThreadSummary,
        id=st.integers(1, 10**6),
        title=st.text(alphabet="abc de", max_size=12),
        url=st.just("https://developer.apple.com/forums/thread/1"),
        excerpt=st.text(alphabet="abcdé ", max_size=20),
        replies=st.integers(0, 40),
        boosts=st.integers(0, 5),
        views=st.integers(0, 20_000),
        activity_at=st.one_of(st.none(), st.integers(0, 100_000).map(
            lambda m: NOW - timedelta(minutes=m))),
        answered=st.booleans(),
        apple_recommended=st.booleans(),
    ),
    max_size=30,
)
term_strategy = st.sampled_from(
    ["a", "bc", "é", '"a b"', "replies:>3", "replies:0..5", "views:>=1k", "boosts:2",
     "activity:<1d", "activity:>2w", "is:answered", "is:recommended", "is:bookmarked",
     "is:staff", "is:unread"]
)


def _plain(text: str) -> str:
    """The oracle's own folding: strip accents, lower case (written apart from query.fold)."""
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn").lower()


def _words(row: ThreadSummary) -> list[str]:
    return [_plain(row.title), _plain(row.excerpt)]


DAY = timedelta(days=1)
ORACLE = {  # what each term means, computed the plain way
    "a": lambda r: any("a" in w for w in _words(r)),
    "bc": lambda r: any("bc" in w for w in _words(r)),
    "é": lambda r: any("e" in w for w in _words(r)),
    '"a b"': lambda r: any("a b" in w for w in _words(r)),
    "replies:>3": lambda r: r.replies > 3,
    "replies:0..5": lambda r: 0 <= r.replies <= 5,
    "views:>=1k": lambda r: r.views >= 1000,
    "boosts:2": lambda r: r.boosts == 2,
    "activity:<1d": lambda r: r.activity_at is not None and NOW - r.activity_at < DAY,
    "activity:>2w": lambda r: r.activity_at is not None and NOW - r.activity_at > 14 * DAY,
    "is:answered": lambda r: r.answered,
    "is:recommended": lambda r: r.apple_recommended,
    "is:bookmarked": lambda r: r.id in {829114, 821372},
    "is:staff": lambda r: r.id == 828388,
    "is:unread": lambda r: r.id != 707294,
}


@settings(max_examples=300, deadline=None)
@given(rows_strategy, st.lists(term_strategy, min_size=1, max_size=4), st.booleans())
def test_result_is_exactly_what_the_terms_mean(rows: list[ThreadSummary], terms: list[str],
                                               use_or: bool) -> None:
    query = Query.parse((" OR " if use_or else " ").join(terms))
    combine = any if use_or else all
    expected = [r for r in rows if combine(ORACLE[t](r) for t in terms)]
    assert query.apply(rows, CTX) == expected


@settings(max_examples=200, deadline=None)
@given(rows_strategy, term_strategy)
def test_term_and_negation_partition(rows: list[ThreadSummary], term: str) -> None:
    hays = [haystack(r) for r in rows]
    yes = Query.parse(term).predicate(CTX)
    no = Query.parse("-" + term).predicate(CTX)
    for row, hay in zip(rows, hays, strict=True):
        assert yes(row, hay) != no(row, hay)


# -- bookmark labels and notes; unfinished last tokens ----------------------------------------
MARKED = Context(now=NOW, bookmarked={828388, 821372},
                 labels={828388: ("todo", "VPN"), 821372: ("later",)},
                 notes={828388: fold("Ask Zebediah about the proxy"), 821372: fold("Réseau")})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("label:todo", [828388]),
        ("label:vpn", [828388]),  # case ignored
        ("label:#later", [821372]),  # written as in the note editor
        ("-label:todo is:bookmarked", [821372]),
        ("note:zebediah", [828388]),
        ("note:reseau", [821372]),  # accents ignored
        ("zebediah", [828388]),  # plain words find notes too
        ("label:todo OR label:later", [828388, 821372]),
    ],
)
def test_labels_and_notes(query: str, expected: list[int]) -> None:
    assert [r.id for r in Query.parse(query).apply(ROWS, MARKED)] == expected


@pytest.mark.parametrize(
    ("query", "unfinished"),
    [
        ("replies:>5 views:", True),
        ("replies:>5 views:>", True),
        ("replies:1.", True),
        ("boosts:..", True),
        ("is:ans", True),
        ("sort:-", True),
        ("sort:rep", True),
        ('vpn "half clo', True),
        ("vpn OR", True),
        ("vpn OR ", True),  # the next term is on its way
        ("activity:<7", True),  # a unit is coming
        ("activity:2026-0", True),
        ("views: ", False),  # a space ends the token: now it is an error
        ("views:>lots", False),
        ("is:shiny", False),
        ("sort:-hot", False),
        ("colour:red", False),
        ("activity:2026-13-40", False),
        ("views: vpn", False),  # not the last token
        ("replies:10..2", True),  # "10..20" is on its way
        ("replies:3..1", False),
        ("replies:3..1 vpn", False),
        ("vpn (", True),  # may yet be closed
        ("vpn ( x", False),
        ("x)", False),
    ],
)
def test_unfinished_tokens(query: str, unfinished: bool) -> None:
    with pytest.raises(QueryError) as info:
        Query.parse(query)
    assert info.value.unfinished is unfinished


@pytest.mark.parametrize(("query", "prefix"), [("replies:>5 vie", True), ("vpn", False),
                                              ("-rep", True), ("vie vpn", False),
                                              ("vie ", False)])
def test_a_last_word_may_be_a_qualifier_on_its_way(query: str, prefix: bool) -> None:
    assert Query.parse(query).qualifier_prefix is prefix


@pytest.mark.parametrize("query", ["activity:>9999-12-31", "activity:9999-12-31",
                                   "activity:..9999-12-31", "activity:<=9999-12-31T23:59",
                                   "activity:0001-01-01..9999-12-31", "activity:<1000y"])
def test_the_ends_of_time_filter_without_overflowing(query: str) -> None:
    """A date at the end of the calendar has no next day; the filter still answers."""
    Query.parse(query).apply(ROWS, Context(now=FETCHED_AT))


@pytest.mark.parametrize("query", ['"(("', "(#41)", "start()", "f(x)", "(a)b"])
def test_paired_or_quoted_parentheses_are_text(query: str) -> None:
    """Parentheses do not group; where they pair up in a word (or sit in quotes) they are
    part of the text searched for."""
    term = Query.parse(query).groups[0][0]
    row = replace(ROWS[0], title=f"about {query.strip(chr(34))} here")
    assert term.pred(row, haystack(row), Context())


@pytest.mark.parametrize("query", ["is:\u202ebad", "replies:\x1b[31m", "sort:\x07x", "is:a\nb"])
def test_an_error_echoing_typed_text_stays_one_plain_line(query: str) -> None:
    """What the filter bar shows under the input: no control or bidi character of the query."""
    with pytest.raises(QueryError) as caught:
        Query.parse(query)
    message = str(caught.value)
    assert message.isprintable() and "\u202e" not in message, message
