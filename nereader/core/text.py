"""Text from the site: cleaning at the parse boundary, abbreviated counts and relative times."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from nereader.core.errors import UsageError

# Terminal escape sequences (CSI, OSC, DCS/PM/APC strings, two-byte ESC forms, 8-bit CSI),
# then any control character left over except tab and newline. Bidi overrides go too: they
# can make a title read differently from what it is.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
# Characters that show nothing yet take a cell in some terminals and none in others (so a
# title holding one shifts the list's columns), or reorder what follows: zero-width spaces,
# the bidi marks, soft hyphens, word joiners, invisible operators, interlinear annotations.
# The joiners (ZWNJ, ZWJ) are text between two characters (Persian spelling, emoji
# sequences such as 👩‍💻) and go only where they join nothing.
_INVISIBLE = ("\u00ad\u061c\u180e\u200b\u200e\u200f\u2060-\u2064\u206a-\u206f"
              "\ufff9-\ufffb")
_UNSEEN = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff"
                     rf"{_INVISIBLE}\u200c\u200d]")
_STRAY = re.compile(rf"[{_INVISIBLE}]|(?<!\S)[\u200c\u200d]+|[\u200c\u200d]+(?!\S)")


def clean(text: str) -> str:
    """Remove terminal escapes, control characters and invisible format characters (see
    ``_INVISIBLE``); keep newlines and tabs."""
    if not text or _UNSEEN.search(text) is None:  # the common case: nothing to remove
        return text or ""
    text = _ESCAPES.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return _STRAY.sub("", _CONTROLS.sub("", text))


# Half of a UTF-16 pair: JSON's \ud800 escape reads as one, but it is not text (it
# cannot be written as UTF-8, nor shown).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    return _LONE_SURROGATE.search(text) is not None


def mend_surrogates(text: str) -> str:
    """Each lone surrogate replaced with U+FFFD (the replacement character)."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def squash(text: str) -> str:
    """Clean and fold all white space to single spaces (titles, names, excerpts)."""
    return " ".join(clean(text).split())


# What a line echoing the user's input must not print as it is: line breaks, control
# characters, bidi controls and the other invisible format characters.
_UNSHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
                      r"\u2060-\u206f\ufeff\ufff9-\ufffb]")
_SHOWN = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_line(text: str) -> str:
    """Text on one line as it was given: each line break, control or invisible format
    character is shown as its escape (``\\n``, ``\\x1b``, ``\\u202e``), so an error
    echoing a query stays one line and reads as typed (a bidi control cannot reorder it)."""
    if _UNSHOWN.search(text) is None:
        return text

    def shown(match: re.Match[str]) -> str:
        char = match.group()
        code = ord(char)
        return _SHOWN.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")

    return _UNSHOWN.sub(shown, text)


# What an error echoing the user's input shows of it: a 100 KB argument is cut to its head
# and tail around an ellipsis, with its length, so the line still reads as one line.
ECHO_LIMIT = 160
LINE_LIMIT = 2000
_LONG_WORD = re.compile(rf"\S{{{ECHO_LIMIT + 1},}}")
_ENDS = ":;,.)]`'\""  # what ends a word in a message, not the word's own


def _cut(text: str, limit: int) -> str:
    head = limit * 3 // 4
    return f"{text[:head]}…{text[len(text) - (limit - head - 1):]}"


def shorten(text: str, limit: int = ECHO_LIMIT) -> str:
    """Text as echoed in a message: as it is, or past ``limit`` characters its head and tail
    around an ellipsis and its length ("aaaa…aaaa (100,000 characters)")."""
    return text if len(text) <= limit else f"{_cut(text, limit)} ({len(text):,} characters)"


# One character of a ``repr`` as written: an escape ("\\u202e", "\\n", "\\'") or itself.
_REPR_UNIT = re.compile(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|.)|.", re.DOTALL)


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """The user's input quoted in a message (``repr``), shortened as ``shorten`` does. It is
    escaped first and then cut, once, to ``limit`` as written (its quotes within it): cut
    first, an escape ("\\u202e") made it longer than the limit, and the message's own
    shortening cut it a second time."""
    quoted = repr(text)
    if len(quoted) <= limit:
        return quoted
    units = _REPR_UNIT.findall(quoted[1:-1])
    budget = limit - 3  # the quotes and the ellipsis
    head: list[str] = []
    used = 0
    for unit in units:
        if used + len(unit) > budget * 3 // 4:
            break
        head.append(unit)
        used += len(unit)
    tail: list[str] = []
    for unit in reversed(units[len(head):]):
        if used + len(unit) > budget:
            break
        tail.append(unit)
        used += len(unit)
    shown = "".join(head) + "…" + "".join(reversed(tail))
    return f"{quoted[0]}{shown}{quoted[-1]} ({len(text):,} characters)"


def marked(text: str, at: int, end: int, keep: int = ECHO_LIMIT // 2) -> str:
    """The text with ``[at:end]`` bracketed (⟦…⟧), at most ``keep`` characters each side of
    it, escaped for one line (a query's bad part, shown in its error)."""
    before, bad, after = text[:at], text[at:end], text[end:]
    if len(before) > keep:
        before = "…" + before[len(before) - keep:]
    if len(after) > keep:
        after = after[:keep] + "…"
    more = f" ({len(text):,} characters)" if len(text) > 2 * keep + len(bad) else ""
    return escape_line(f"{before}⟦{shorten(bad, keep)}⟧{after}") + more


def one_line(message: str) -> str:
    """A message as one line of stderr: every overlong word shortened (a pasted argument
    echoed in it), the whole cut in the middle past ``LINE_LIMIT``, escaped."""
    def cut(match: re.Match[str]) -> str:
        # Its length is said before the punctuation that ends it ("…aaa (N characters):"),
        # which is the message's, not the input's.
        word = match.group()
        bare = word.rstrip(_ENDS)
        return shorten(bare) + word[len(bare):] if len(bare) > ECHO_LIMIT else word

    if len(message) > ECHO_LIMIT:
        message = _LONG_WORD.sub(cut, message)
    return escape_line(shorten(message, LINE_LIMIT))


MAX_LABEL = 64


def check_label(text: str) -> str:
    """A bookmark label as given (``todo`` or ``#todo``): one word, the ``#label`` form a
    note holds, so it reads back the same from a note. Anything else is a UsageError."""
    label = text[1:] if text.startswith("#") else text
    shown = escape_line(echo(text))
    if not label:
        raise UsageError("a label cannot be empty")
    if any(c.isspace() for c in label) or _UNSHOWN.search(label) or _CONTROLS.search(label):
        raise UsageError(f"a label is one word (as #label in a note), not {shown}; give "
                         "several labels, or join the words (two-words)")
    if len(label) > MAX_LABEL:
        raise UsageError(f"a label is at most {MAX_LABEL} characters, not {len(label)}")
    return label


def split_note(text: str) -> tuple[str, tuple[str, ...]]:
    """A note as typed in the note editor: its words, and its ``#labels`` (each once)."""
    words = text.split()
    labels = tuple(dict.fromkeys(w[1:] for w in words if w.startswith("#") and len(w) > 1))
    return " ".join(w for w in words if not w.startswith("#")), labels


_MD_SPECIAL = re.compile(r"[\\`*\[\]<~&_]")
_MD_ENTITY = re.compile(r"&(#?\w+;)")


def escape_markdown(text: str) -> str:
    """Escape what Markdown would read as syntax inside running text: links, images, code,
    emphasis, raw HTML and entities stay the literal text they were."""
    if _MD_SPECIAL.search(text) is None:  # most text needs nothing
        return text
    text = text.replace("\\", "\\\\")
    for ch in "`*[]<":
        text = text.replace(ch, "\\" + ch)
    text = text.replace("~~", "\\~\\~")
    text = _MD_ENTITY.sub(r"\\&\1", text)
    # "_" is emphasis only at a word edge; snake_case stays readable.
    return re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)


_COUNT = re.compile(r"^\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*([kKmMbB]?)\s*\+?\s*$")
_SUFFIX = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def parse_count(text: str | None) -> int | None:
    """Read "37", "3.3k", "12k", "1.2m", "1,234" as an int; None when it is not a count."""
    if not text:
        return None
    m = _COUNT.match(text.replace("\u00a0", " "))
    if not m:
        return None
    number, suffix = m.group(1).replace(",", ""), m.group(2).lower()
    try:
        if "." in number:
            whole, frac = number.split(".", 1)
            scale = _SUFFIX[suffix]
            value: int = int(whole) * scale + int(frac) * scale // 10 ** len(frac)
            return value
        return int(number) * _SUFFIX[suffix]
    except (ValueError, KeyError):
        return None


def site_count(value: int) -> str:
    """A count as the site writes it ("37", "3.3k", "4k", "12k", "1.2m"), so that a row made
    here (a bookmark's) reads like a listing's; cut down, never rounded up ("3999": "3.9k")."""
    if value < 1000:
        return str(value)
    for scale, unit in ((1_000_000, "m"), (1_000, "k")):
        if value >= scale:
            whole, tenth = divmod(value * 10 // scale, 10)
            return f"{whole}{unit}" if tenth == 0 or whole >= 10 else f"{whole}.{tenth}{unit}"
    return str(value)


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_UNITS = {
    "s": timedelta(seconds=1),
    "sec": timedelta(seconds=1),
    "second": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "minute": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "hr": timedelta(hours=1),
    "hour": timedelta(hours=1),
    "d": timedelta(days=1),
    "day": timedelta(days=1),
    "w": timedelta(weeks=1),
    "wk": timedelta(weeks=1),
    "week": timedelta(weeks=1),
    "mo": timedelta(days=30),
    "month": timedelta(days=30),
    "y": timedelta(days=365),
    "yr": timedelta(days=365),
    "year": timedelta(days=365),
}
_RELATIVE = re.compile(r"^(\d{1,6})\s*([a-z]+?)s?(?:\s+ago)?$")
# "Mar ’26", "Mar '26", "Mar 2026", "Mar 3, 2026", "3 Mar 2026"
_MONTH_YEAR = re.compile(r"^([a-z]{3})[a-z]*\.?\s*(?:(\d{1,2}),?\s+)?['’‘`]?\s*(\d{2}|\d{4})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([a-z]{3})[a-z]*\.?,?\s+(\d{4})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?(?:Z|[+-]\d{2}:?\d{2})?$")


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def parse_activity(text: str | None, now: datetime) -> datetime | None:
    """Turn the site's activity text into a UTC datetime relative to ``now`` (the fetch time).

    "4m", "1h", "1d", "3w" count back from ``now``; "Mar ’26" is the first of that month.
    Unknown text gives None rather than a guess.
    """
    if not text:
        return None
    t = squash(text).lower().replace("&#8217;", "’")
    if t in {"now", "just now", "moments ago"}:
        return now
    if t == "yesterday":
        return now - timedelta(days=1)
    try:
        m = _RELATIVE.match(t)
        if m and m.group(2) in _UNITS:
            return now - int(m.group(1)) * _UNITS[m.group(2)]
        if m := _MONTH_YEAR.match(t):
            month = _MONTHS.get(m.group(1))
            if month is not None:
                return datetime(_year(m.group(3)), month, int(m.group(2) or 1), tzinfo=UTC)
        if m := _DAY_MONTH_YEAR.match(t):
            month = _MONTHS.get(m.group(2))
            if month is not None:
                return datetime(int(m.group(3)), month, int(m.group(1)), tzinfo=UTC)
        if _ISO.match(t):
            return parse_iso(t)
    except (ValueError, OverflowError):  # "999999y" reaches before year 1: no date at all
        return None
    return None


def activity_of(when: datetime, now: datetime) -> str:
    """A date as the site writes activity ("4m", "3h", "2d", "3w", older: "Mar ’26"), so
    that ``parse_activity`` reads it back."""
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "now"
    for unit, size, up_to in (("m", 60, 3600), ("h", 3600, 86400), ("d", 86400, 604800),
                              ("w", 604800, 5 * 604800)):
        if seconds < up_to:
            return f"{int(seconds // size)}{unit}"
    return f"{when:%b} ’{when.year % 100:02d}"


def parse_iso(text: str) -> datetime | None:
    """An ISO date or date-time; a naive one is taken as UTC."""
    try:
        dt = datetime.fromisoformat(text.strip().upper().replace("Z", "+00:00"))
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except (ValueError, OverflowError):  # 0001-01-01T00:00+01:00 has no UTC time
        return None


def from_millis(text: str | None) -> datetime | None:
    """``data-timestamp`` milliseconds since the epoch as a UTC datetime."""
    if not text:
        return None
    try:
        value = int(text.strip())
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def age_text(seconds: float) -> str:
    """A short age: "45s", "12m", "3h", "2d"."""
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 page", "3 pages", "1 reply", "2 replies"."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def parse_int(text: str | None, max_digits: int = 12) -> int | None:
    """A plain non-negative integer ("42", " 1,234 "), or None; never a huge or signed one."""
    if text is None:
        return None
    digits = text.strip().replace(",", "")
    if not digits.isascii() or not digits.isdigit() or len(digits) > max_digits:
        return None
    return int(digits)


MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # around search matches; private use, never page text


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """A search snippet as (text, is_match) runs, for highlighting."""
    parts: list[tuple[str, bool]] = []
    for i, chunk in enumerate(re.split(f"[{MARK_OPEN}{MARK_CLOSE}]", snippet)):
        if chunk:
            parts.append((chunk, i % 2 == 1))
    return parts


def relative_time(when: datetime | None, now: datetime) -> str:
    """ "just now", "5 minutes ago", "3 days ago", "2 years ago" for display."""
    if when is None:
        return "unknown"
    seconds = (now - when).total_seconds()
    if seconds < 0:
        return "in the future"
    for unit, size in (("year", 31_536_000), ("month", 2_592_000), ("week", 604_800),
                       ("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def human_size(size: int) -> str:
    """A byte count as a reader takes it in: "512 bytes", "4.5 KiB", "9.0 MiB"."""
    if size < 1024:
        return plural(size, "byte")
    if size < 1 << 20:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1 << 20):.1f} MiB"


def cap_size(size: int) -> str:
    """A limit in bytes, whole units when it is one ("8 MiB")."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return human_size(size)
