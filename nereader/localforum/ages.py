"""Activity texts ("4m", "2w", "Mar ’25") as ages and back, so made-up rows fall in order."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

# "Now" for the bundled forum: the day its pages were served (Site.last_modified).
NOW = datetime(2026, 6, 12, 12, 0, tzinfo=UTC)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_UNIT_HOURS = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 24.0 * 7}
_RELATIVE = re.compile(r"(\d+)\s*([mhdw])")
_MONTH = re.compile(r"([A-Z][a-z]{2})\s*(?:’|'|&#8217;)\s*(\d{2})")
WEEKS_UNTIL = 24 * 60  # hours: older than this the site names the month instead


def hours_of(text: str) -> float | None:
    """The age an activity text says, in hours (a month counts from its 15th); None when
    the text is neither form."""
    text = text.strip()
    if match := _RELATIVE.fullmatch(text):
        return int(match[1]) * _UNIT_HOURS[match[2]]
    if (match := _MONTH.fullmatch(text)) and match[1] in _MONTHS:
        when = datetime(2000 + int(match[2]), _MONTHS.index(match[1]) + 1, 15, tzinfo=UTC)
        return max(0.0, (NOW - when).total_seconds() / 3600)
    return None


def activity_text(hours: float) -> str:
    """An age as the site writes it: minutes, hours, days, weeks, then the month."""
    if hours < 1:
        return f"{max(1, int(hours * 60))}m"
    if hours < 24:
        return f"{int(hours)}h"
    if hours < 24 * 7:
        return f"{int(hours // 24)}d"
    if hours < WEEKS_UNTIL:
        return f"{int(hours // (24 * 7))}w"
    when = NOW - timedelta(hours=hours)
    return f"{_MONTHS[when.month - 1]} ’{when.year % 100:02d}"


def between(younger: float, older: float, count: int) -> list[float]:
    """``count`` ages evenly spaced strictly between two, youngest first."""
    step = (older - younger) / (count + 1)
    return [younger + step * (i + 1) for i in range(count)]


# -- the forum moved to today -------------------------------------------------------------------
# The bundled pages were served on NOW; the app reads a relative age ("4m") against its own
# clock. Served as they are, a row "4m" old opens on a last post months older. The demo moves
# every absolute date of a page by as much as the clock is past NOW, and names months anew.
_STAMP = re.compile(r'(data-timestamp=")(\d{12,14})(")')
STAMP_MS = re.compile(r'data-timestamp="(\d{12,14})"')  # a post's time, in ms
_ISO = re.compile(r'(datetime=")(\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)(")')
_PUB_DATE = re.compile(r"(<pubDate>)([^<]+)(</pubDate>)")
_MONTH_TEXT = re.compile(r"(>\s*)([A-Z][a-z]{2}\s*(?:’|'|&#8217;)\s*\d{2})(\s*<)")


def moved(body: str, delta: timedelta, now: datetime) -> str:
    """A page's dates as they would read had it been served ``delta`` later, at ``now``:
    millisecond stamps, ISO ``datetime`` attributes, RSS dates and month texts ("Mar ’26")."""
    from email.utils import format_datetime, parsedate_to_datetime

    shift_ms = int(delta.total_seconds() * 1000)

    def stamp(m: re.Match[str]) -> str:
        return f"{m[1]}{int(m[2]) + shift_ms}{m[3]}"

    def iso(m: re.Match[str]) -> str:
        try:
            when = datetime.fromisoformat(m[2].replace("Z", "+00:00"))
        except ValueError:
            return m[0]
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return f"{m[1]}{(when + delta).isoformat().replace('+00:00', 'Z')}{m[3]}"

    def pub(m: re.Match[str]) -> str:
        try:
            return f"{m[1]}{format_datetime(parsedate_to_datetime(m[2]) + delta)}{m[3]}"
        except (TypeError, ValueError):
            return m[0]

    def month(m: re.Match[str]) -> str:
        hours = hours_of(m[2])
        if hours is None:
            return m[0]
        when = now - timedelta(hours=hours)
        return f"{m[1]}{_MONTHS[when.month - 1]} ’{when.year % 100:02d}{m[3]}"

    body = _STAMP.sub(stamp, body)
    body = _ISO.sub(iso, body)
    body = _PUB_DATE.sub(pub, body)
    return _MONTH_TEXT.sub(month, body)
