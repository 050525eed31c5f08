"""The time, in one place: "now" in UTC and as ISO text (a Clock can be injected for tests)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_now() -> str:
    """Now as ISO 8601 text to the second, the form local files store."""
    return utc_now().isoformat(timespec="seconds")


def age_seconds(fetched_at: datetime, now: datetime | None = None) -> float:
    """How long ago ``fetched_at`` was, for showing; a time ahead of the clock (fetched while
    the clock ran ahead, or the clock was set back since) shows as 0, never negative."""
    return max(0.0, ((now or utc_now()) - fetched_at).total_seconds())


def is_fresh(fetched_at: datetime, ttl: float, now: datetime | None = None) -> bool:
    """Whether a copy fetched at ``fetched_at`` may be used without asking the site. A fetch
    time ahead of the clock is stale: how far the clock was wrong is unknown, so the copy
    could be of any age (a year ahead must not mean a year without a request)."""
    age = ((now or utc_now()) - fetched_at).total_seconds()
    return 0.0 <= age <= ttl
