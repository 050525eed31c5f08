"""What the benchmarks share (they print figures; nothing is asserted)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "forums"
