"""Small timing helpers shared by the benchmarks (they print figures; nothing is asserted)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "forums"


def median_ms(fn: Callable[[], object], runs: int = 200, warmup: int = 10) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000
