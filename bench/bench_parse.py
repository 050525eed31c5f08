"""Median parse time of tag, thread, search and topics pages, next to selectolax's bare parse.

Target: full extraction within 2x the bare parse. Run: ``python bench/bench_parse.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selectolax.lexbor import LexborHTMLParser

from bench._util import FIXTURES
from nereader.core.errors import ParseError
from nereader.core.parse import parse_listing, parse_search, parse_thread, parse_topics

RUNS = 300


def main() -> None:
    cases = [
        ("tag page 1 (20 rows)", "tag-networkextension-p1.html", parse_listing),
        ("thread 821372 p1 (21 posts)", "thread-821372-p1.html", parse_thread),
        ("thread 828388 (10 posts)", "thread-828388.html", parse_thread),
        ("search page 1 (7 hits)", "search-nefilterdataprovider-p1.html", parse_search),
        ("topics (5 topics, 13 subtopics)", "topics.html", parse_topics),
    ]
    print(f"{'page':30} {'bytes':>8} {'bare ms':>9} {'full ms':>9} {'ratio':>6}")
    for label, name, parser in cases:
        data = (FIXTURES / name).read_bytes()
        bare_times, full_times = [], []
        for i in range(RUNS + 10):  # interleaved, so both see the same machine
            start = time.perf_counter()
            LexborHTMLParser(data.decode()).body  # noqa: B018 - the bare parse of the same bytes
            middle = time.perf_counter()
            parser(data)
            end = time.perf_counter()
            if i >= 10:
                bare_times.append(middle - start)
                full_times.append(end - middle)
        bare = statistics.median(bare_times) * 1000
        full = statistics.median(full_times) * 1000
        print(f"{label:30} {len(data):>8} {bare:>9.3f} {full:>9.3f} {full / bare:>5.2f}x")
    hostile()


def hostile() -> None:
    """How long refusing a page nested 100,000 deep takes (lexbor alone needs about a minute:
    its time grows with the square of the depth)."""
    data = ("<html><body><main>" + "<div>" * 100_000 + "x" + "</div>" * 100_000
            + "</main></body></html>").encode()
    start = time.perf_counter()
    try:
        parse_thread(data)
    except ParseError as exc:
        print(f"{'100k nested divs: refused':30} {len(data):>8} {'':>9} "
              f"{(time.perf_counter() - start) * 1000:>9.1f}  ({str(exc)[:40]}…)")


if __name__ == "__main__":
    main()
