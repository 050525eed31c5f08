"""Median parse time of a tag page and a thread page, next to selectolax's bare parse.

Target: full extraction within 2x the bare parse. Run: ``python bench/bench_parse.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selectolax.lexbor import LexborHTMLParser

from bench._util import FIXTURES, median_ms
from nereader.core.parse import parse_listing, parse_thread

RUNS = 300


def main() -> None:
    cases = [
        ("tag page 1 (20 rows)", "tag-networkextension-p1.html", parse_listing),
        ("thread 821372 p1 (21 posts)", "thread-821372-p1.html", parse_thread),
        ("thread 828388 (10 posts)", "thread-828388.html", parse_thread),
    ]
    print(f"{'page':30} {'bytes':>8} {'bare ms':>9} {'full ms':>9} {'ratio':>6}")
    for label, name, parser in cases:
        data = (FIXTURES / name).read_bytes()
        text = data.decode()
        bare = median_ms(lambda text=text: LexborHTMLParser(text).body, RUNS)
        full = median_ms(lambda data=data, parser=parser: parser(data), RUNS)
        print(f"{label:30} {len(data):>8} {bare:>9.3f} {full:>9.3f} {full / bare:>5.2f}x")


if __name__ == "__main__":
    main()
