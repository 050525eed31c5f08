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
