"""The filter language, one engine for the TUI and the CLI: parse -> predicate, apply, sort.

    kernel panic            words (ANDed), case- and diacritic-insensitive, over title,
                            excerpt and tags
    "half close"            a phrase
    -crash  -is:answered    negation
    vpn OR proxy            either (binds tighter than the implicit AND; no parentheses)
    replies:>5  views:>=1k  boosts:1..3  replies:0      numbers, site abbreviations
    activity:<7d  activity:>2w  activity:>=2026-05-01   time (m h d w mo y, or a date)
    is:answered is:unanswered is:recommended is:bookmarked is:unread is:new is:staff
    tag:ios  author:quinn  label:todo  note:proxy  sort:replies  sort:-views

A count a row does not have (rows read from a listing's RSS feed have none) is unknown: a
number term is false for it whether negated or not, a sort puts it last either way, and
``Query.caveat`` says so. The same goes for the answered and recommended marks of such rows.

While someone types, the last token may be unfinished (``views:``, ``is:ans``, an open quote):
such an error says ``unfinished``, and the filter bar keeps the last result instead of
shouting. A bookmark's note counts as text for plain words too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from nereader.core.clock import utc_now
from nereader.core.errors import UsageError
from nereader.core.models import COUNTS, RowSource, ThreadSummary
from nereader.core.text import escape_line, marked, parse_count, parse_iso, plural

Pred = Callable[[ThreadSummary, str], bool]


class QueryError(UsageError):
    """A query that cannot be read; ``position`` and ``length`` point at the bad token.

    ``unfinished``: the bad token is the last thing typed and more typing can complete it
    (``views:``, ``is:ans``, ``replies:>``, an open quote), so a live filter should wait."""

    def __init__(self, message: str, position: int, length: int = 1,
                 unfinished: bool = False) -> None:
        # The message echoes what was typed: escaped, so a pasted control or bidi character
        # can neither break the filter bar's error line nor reorder it.
        super().__init__(escape_line(message))
        self.position = position
        self.length = max(1, length)
        self.unfinished = unfinished

    def caret_line(self, indent: int = 0) -> str:
        """A line to show under the query: carets under the bad token, then the message."""
        return " " * (indent + self.position) + "^" * self.length + f" {self}"

    def one_line(self, query: str) -> str:
        """The error on one line, the bad token bracketed in the query (for the CLI)."""
        shown = marked(query, self.position, self.position + self.length)
        return f"bad filter at column {self.position + 1}: {self}: {shown}"


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form of text: "Ça Déçoit" -> "ca decoit"."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def haystack(row: ThreadSummary) -> str:
    """What free words match against: title, excerpt and tag names and slugs, folded."""
    tags = " ".join(f"{t.name} {t.slug}" for t in row.tags)
    return fold(f"{row.title}\n{row.excerpt}\n{tags}")


@dataclass
class Context:
    """What the rows alone cannot say: bookmarks, read state, facts from cached threads."""

    now: datetime = field(default_factory=utc_now)
    bookmarked: set[int] = field(default_factory=set)
    unread: Callable[[ThreadSummary], bool] = lambda row: True
    new: Callable[[ThreadSummary], bool] = lambda row: False
    staff: set[int] = field(default_factory=set)
    authors: dict[int, str] = field(default_factory=dict)
    labels: dict[int, tuple[str, ...]] = field(default_factory=dict)  # bookmark labels, as typed
    notes: dict[int, str] = field(default_factory=dict)  # bookmark notes, folded (see fold)
    new_replies: Callable[[ThreadSummary], int] = lambda row: 0


# An unknown count is -1 here, below every known one, so that any sort of these keys works;
# ``sort_key`` puts unknown counts last whichever way a sort goes.
SORT_FIELDS: dict[str, Callable[[ThreadSummary], object]] = {
    "replies": lambda r: -1 if r.replies is None else r.replies,
    "boosts": lambda r: -1 if r.boosts is None else r.boosts,
    "views": lambda r: -1 if r.views is None else r.views,
    "activity": lambda r: r.activity_at or datetime.min.replace(tzinfo=UTC),
    "title": lambda r: fold(r.title),
    "id": lambda r: r.id,
}
_NUMERIC = set(COUNTS)
_MARKS = {"answered", "unanswered", "recommended"}  # read from the listing page's row
_FLAGS = {"answered", "unanswered", "recommended", "bookmarked", "unread", "new", "staff", "read"}
_QUALIFIERS = _NUMERIC | {"activity", "is", "tag", "author", "label", "note", "sort"}
_TOKEN = re.compile(r'\s*(?:(-?)([A-Za-z]+):("(?:[^"]*)"?|\S*)|(-?)"([^"]*)("?)|(\S+))')
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(mo|m|h|d|w|y)$", re.IGNORECASE | re.ASCII)
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800, "mo": 2592000, "y": 31536000}
# Values more typing can still complete: "" (after "replies:>"), "1.", "7" (a unit is coming),
# "2026-05-0" (a date on its way).
_UNFINISHED_NUMBER = re.compile(r"^(?:|\.|\d[\d,]*\.)$", re.ASCII)
_UNFINISHED_TIME = re.compile(
    r"^(?:|\d+(?:\.\d*)?|\d{1,4}-(?:\d{1,2}(?:-\d?)?)?|\d{1,4}-\d{2}-)$", re.ASCII)


def known(row: ThreadSummary, field: str) -> bool:
    """Whether a row has ``field`` (a count, or "marks": answered and recommended)."""
    if field == "marks":
        return row.marks_known
    return field not in _NUMERIC or getattr(row, field) is not None


def sort_key(field: str, reverse: bool = False) -> Callable[[ThreadSummary], object]:
    """The key for ``rows.sort(key=..., reverse=reverse)`` by ``field``: rows whose count is
    unknown go last whichever way the sort goes."""
    get = SORT_FIELDS[field]
    if field not in _NUMERIC:
        return get
    return lambda row: (known(row, field) == reverse, get(row))


def sort_caveat(field: str, rows: Sequence[ThreadSummary], brief: bool = False) -> str | None:
    """What to say when sorting ``rows`` by ``field`` meets counts that are unknown."""
    return _caveat(rows, [field], [], [field], brief)


def _caveat(rows: Sequence[ThreadSummary], fields: list[str], terms: list[str],
            sorts: list[str], brief: bool = False) -> str | None:
    """Which fields are unknown for how many rows, and what that does to the terms and the
    sort. ``brief``: only what it does, for a reader already told that counts are unknown (the
    feed's banner)."""
    unknown = {f for f in fields if any(not known(r, f) for r in rows)}
    if not unknown:
        return None
    lacking = [r for r in rows if any(not known(r, f) for f in unknown)]
    count = len(lacking)
    feed = all(r.source is RowSource.FEED for r in lacking)
    names = ", ".join(sorted("answered/recommended" if f == "marks" else f for f in unknown))
    whom = (f"any of the {len(rows)} threads" if count == len(rows)
            else f"{count} of the {len(rows)} threads")
    sorting = any(s in unknown for s in sorts)
    if brief:
        those = f"the {plural(count, 'thread')} whose {names} are unknown"  # plural nouns
        effects = ([f"{' '.join(terms)} matches none of {those}"] if terms else []) + (
            [f"sorting puts {those} last"] if sorting else [])
        return "; ".join(effects) or f"{names} unknown for {whom}"
    effects = []
    if terms:
        effects.append(f"{' '.join(terms)} matches none of those")
    if sorting:
        effects.append("sorting puts them last")
    return (f"{names} unknown for {whom}" + (" (read from the listing's RSS feed)" if feed else "")
            + (": " + "; ".join(effects) if effects else ""))


@dataclass(frozen=True)
class Term:
    pred: Callable[[ThreadSummary, str, Context], bool]
    negate: bool
    text: str
    needs: str | None = None  # a count or "marks": the term is false where that is unknown


@dataclass
class Query:
    """A parsed query: an AND of OR-groups of terms, plus an optional sort."""

    text: str
    groups: list[list[Term]]
    sort: list[tuple[str, bool]]
    # The last thing typed is a bare word that may be the start of a qualifier ("vie" on the
    # way to "views:"): a live filter that finds nothing with it may keep the last result.
    qualifier_prefix: bool = False

    @classmethod
    def parse(cls, text: str) -> Query:
        groups: list[list[Term]] = []
        sort: list[tuple[str, bool]] = []
        pending_or = False
        prefix = False
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                break
            start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            pos = m.end()
            if m.group(7) is not None and m.group(7) == "OR":
                if not groups or pending_or:
                    raise QueryError("OR needs a term on each side", start, 2)
                pending_or = True
                continue
            try:
                term, sort_key = _term(m, start)
            except QueryError as exc:
                exc.unfinished = exc.unfinished and m.end() == len(text)  # typed last, no space
                raise
            word = (m.group(7) or "").lstrip("-").lower()
            prefix = bool(word) and m.end() == len(text) and any(
                q.startswith(word) for q in _QUALIFIERS)
            if sort_key is not None:
                if pending_or:
                    raise QueryError("sort: cannot be part of an OR", start, len(m.group(0)))
                sort.append(sort_key)
                continue
            if term is None:
                continue
            if pending_or:
                groups[-1].append(term)
                pending_or = False
            else:
                groups.append([term])
        if pending_or:
            raise QueryError("OR needs a term after it", len(text.rstrip()) - 2, 2,
                             unfinished=True)
        return cls(text, groups, sort, prefix)

    @property
    def empty(self) -> bool:
        return not self.groups and not self.sort

    def predicate(self, ctx: Context | None = None) -> Pred:
        """A function of (row, haystack(row)) that says whether the row matches."""
        context = ctx or Context()
        groups = self.groups

        def check(row: ThreadSummary, hay: str) -> bool:
            for group in groups:
                for term in group:
                    if term.needs is not None and not known(row, term.needs):
                        continue  # unknown is neither yes nor no: "-replies:>3" fails too
                    if term.pred(row, hay, context) != term.negate:
                        break
                else:
                    return False
            return True

        return check

    def apply(self, rows: Sequence[ThreadSummary], ctx: Context | None = None,
              hays: Sequence[str] | None = None) -> list[ThreadSummary]:
        pred = self.predicate(ctx)
        stacks = hays if hays is not None else [haystack(r) for r in rows]
        out = [r for r, h in zip(rows, stacks, strict=True) if pred(r, h)]
        return self.sorted(out)

    def sorted(self, rows: Iterable[ThreadSummary]) -> list[ThreadSummary]:
        out = list(rows)
        for key, reverse in reversed(self.sort):  # stable sorts: the first key wins
            out.sort(key=sort_key(key, reverse), reverse=reverse)  # type: ignore[arg-type]
        return out

    def caveat(self, rows: Sequence[ThreadSummary], brief: bool = False) -> str | None:
        """What the query cannot judge in ``rows`` (counts or marks they do not have), said
        once; None when it can judge every row. ``brief``: see ``_caveat``."""
        terms = [t for group in self.groups for t in group if t.needs is not None]
        sorts = [key for key, _ in self.sort if key in _NUMERIC]
        fields = list(dict.fromkeys([*(t.needs for t in terms if t.needs), *sorts]))
        return _caveat(rows, fields, [t.text for t in terms], sorts, brief)


def _term(m: re.Match[str], start: int) -> tuple[Term | None, tuple[str, bool] | None]:
    whole = m.group(0).strip()
    if m.group(2) is not None:  # qualifier:value
        negate, name, value = m.group(1) == "-", m.group(2).lower(), m.group(3)
        if name not in _QUALIFIERS:
            if name in {"http", "https"}:  # a pasted URL is a word, not a qualifier
                return _word(fold(whole.lstrip("-")), m.group(1) == "-", whole), None
            raise QueryError(f"unknown qualifier {name!r}: use one of "
                             f"{', '.join(sorted(_QUALIFIERS))}", start, len(name) + 1)
        if value.startswith('"'):
            value = value.strip('"')
        if not value:
            raise QueryError(f"{name}: needs a value", start, len(whole), unfinished=True)
        vstart = start + len(whole) - len(m.group(3))
        if name == "sort":
            if negate:
                raise QueryError("use sort:-field for a descending sort", start, len(whole))
            reverse = value.startswith("-")
            key = value.lstrip("-+").lower()
            if key not in SORT_FIELDS:
                raise QueryError(f"cannot sort by {key!r}: use one of "
                                 f"{', '.join(sorted(SORT_FIELDS))}", vstart, len(value),
                                 unfinished=any(f.startswith(key) for f in SORT_FIELDS))
            return None, (key, reverse)
        return _qualified(name, value, negate, whole, vstart), None
    if m.group(5) is not None:  # "a phrase"
        if not m.group(6):
            raise QueryError("unclosed quote", start, len(whole), unfinished=True)
        phrase = " ".join(fold(m.group(5)).split())
        if not phrase:
            return None, None
        return _word(phrase, m.group(4) == "-", whole), None
    word = m.group(7)
    _balanced(word, start)
    negate = word.startswith("-") and len(word) > 1
    return _word(fold(word[1:] if negate else word), negate, whole), None


def _balanced(word: str, start: int) -> None:
    """Parentheses do not group (OR binds tighter than AND): a word whose parentheses pair up,
    "(#41)" or "start()", is matched as written, but a lone "(" or ")" is an error rather than
    a word that quietly matches nothing. An open one typed last may yet be closed."""
    opened: list[int] = []
    for i, char in enumerate(word):
        if char == "(":
            opened.append(i)
        elif char == ")" and opened:
            opened.pop()
        elif char == ")":
            raise QueryError(PARENS, start + i)
    if opened:
        raise QueryError(PARENS, start + opened[0], len(opened), unfinished=True)


PARENS = 'parentheses are not supported; OR binds tighter than AND ("(" in quotes is text)'


def _word(needle: str, negate: bool, text: str) -> Term:
    # A bookmark's note is the user's own text about the thread: plain words find it too.
    return Term(lambda row, hay, ctx: needle in hay or (
        row.id in ctx.notes and needle in ctx.notes[row.id]), negate, text)


def _qualified(name: str, value: str, negate: bool, text: str, vstart: int) -> Term:
    if name in _NUMERIC:
        test = _number_test(value, vstart)
        getter = SORT_FIELDS[name]
        return Term(lambda row, hay, ctx: test(getter(row)), negate, text, name)  # type: ignore[arg-type]
    if name == "activity":
        at_test = _time_test(value, vstart)
        return Term(lambda row, hay, ctx: row.activity_at is not None
                    and at_test(row.activity_at, ctx.now), negate, text)
    if name == "is":
        flag = value.lower()
        if flag not in _FLAGS:
            raise QueryError(f"unknown is:{flag}; use one of {', '.join(sorted(_FLAGS))}",
                             vstart, len(value), any(f.startswith(flag) for f in _FLAGS))
        return Term(_FLAG_TESTS[flag], negate, text, "marks" if flag in _MARKS else None)
    if name == "label":
        label = fold(value.lstrip("#"))
        return Term(lambda row, hay, ctx: any(fold(x) == label for x in ctx.labels.get(row.id, ())),
                    negate, text)
    if name == "note":
        needle = fold(value)
        return Term(lambda row, hay, ctx: needle in ctx.notes.get(row.id, ""), negate, text)
    if name == "tag":
        slug = fold(value)
        return Term(lambda row, hay, ctx: any(fold(t.slug) == slug or fold(t.name) == slug
                                              for t in row.tags), negate, text)
    who = fold(value)
    return Term(lambda row, hay, ctx: who in fold(ctx.authors.get(row.id, "")), negate, text)


_FLAG_TESTS: dict[str, Callable[[ThreadSummary, str, Context], bool]] = {
    "answered": lambda r, h, c: r.answered,
    "unanswered": lambda r, h, c: not r.answered,
    "recommended": lambda r, h, c: r.apple_recommended,
    "bookmarked": lambda r, h, c: r.id in c.bookmarked,
    "unread": lambda r, h, c: c.unread(r),
    "read": lambda r, h, c: not c.unread(r),
    "new": lambda r, h, c: c.new(r),
    "staff": lambda r, h, c: r.id in c.staff,
}


def _number_test(value: str, at: int) -> Callable[[int], bool]:
    if ".." in value:
        low_text, high_text = value.split("..", 1)
        low = _count(low_text, at) if low_text else None
        high = _count(high_text, at + len(low_text) + 2) if high_text else None
        if low is None and high is None:
            raise QueryError("a range needs at least one end, e.g. 10..50", at, len(value),
                             unfinished=True)
        if low is not None and high is not None and low > high:  # "10..2" may become "10..20"
            raise QueryError(f"range is backwards: did you mean {high_text}..{low_text}?", at,
                             len(value), unfinished=len(high_text) < len(low_text))
        return lambda n: (low is None or n >= low) and (high is None or n <= high)
    op, number_text = _split_op(value)
    number = _count(number_text, at + len(value) - len(number_text))
    return {
        ">": lambda n: n > number, ">=": lambda n: n >= number, "<": lambda n: n < number,
        "<=": lambda n: n <= number, "=": lambda n: n == number,
    }[op]


def _split_op(value: str) -> tuple[str, str]:
    """">=5" -> (">=", "5"); a bare value compares for equality."""
    for op in (">=", "<=", ">", "<", "="):
        if value.startswith(op):
            return op, value[len(op):]
    return "=", value


def _count(text: str, at: int) -> int:
    value = parse_count(text)
    if value is None:
        raise QueryError(f"not a number: {text!r} (e.g. 5, 1.2k)", at, len(text) or 1,
                         _UNFINISHED_NUMBER.match(text) is not None)
    return value


def _time_test(value: str, at: int) -> Callable[[datetime, datetime], bool]:
    """activity:<7d is "less than 7 days ago"; activity:>=2026-05-01 is "on or after"."""
    if ".." in value:
        low_text, high_text = value.split("..", 1)
        low = _date(low_text, at) if low_text else None
        high = _date(high_text, at + len(low_text) + 2) if high_text else None
        if low is not None and high is not None and low > high:
            raise QueryError(f"range is backwards: did you mean {high_text}..{low_text}?", at,
                             len(value))
        end = _next_day(high) if high and len(high_text) <= 10 else high
        return lambda when, now: (low is None or when >= low) and (end is None or when < end)
    op, rest = _split_op(value)
    offset = at + len(value) - len(rest)
    duration = _DURATION.match(rest)
    if duration:
        seconds = float(duration.group(1)) * _UNITS[duration.group(2).lower()]
        if not seconds <= _LONGEST:  # timedelta overflows far sooner than a float does
            raise QueryError(f"too long ago: {rest!r} (at most 1000y)", offset, len(rest))
        span = timedelta(seconds=seconds)
        # An age: "<7d" means newer than 7 days ago.
        return {
            "<": lambda when, now: now - when < span, "<=": lambda when, now: now - when <= span,
            ">": lambda when, now: now - when > span, ">=": lambda when, now: now - when >= span,
            "=": lambda when, now: now - when <= span,
        }[op]
    day = _date(rest, offset)
    next_day = _next_day(day)
    return {
        ">": lambda when, now: when >= next_day, ">=": lambda when, now: when >= day,
        "<": lambda when, now: when < day, "<=": lambda when, now: when < next_day,
        "=": lambda when, now: day <= when < next_day,
    }[op]


_LONGEST = 1000 * _UNITS["y"]


def _next_day(day: datetime) -> datetime:
    """The day after (9999-12-31 has none: the end of time will do)."""
    try:
        return day + timedelta(days=1)
    except OverflowError:
        return datetime.max.replace(tzinfo=day.tzinfo)


def _date(text: str, at: int) -> datetime:
    value = parse_iso(text) if re.match(r"^\d{4}-\d{2}-\d{2}", text, re.ASCII) else None
    if value is None:
        raise QueryError(f"not a time: {text!r} (e.g. 7d, 2w, 3mo or 2026-05-01)", at,
                         len(text) or 1, _UNFINISHED_TIME.match(text) is not None)
    return value
