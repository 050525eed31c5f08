"""Every key's first visible response, as a person sees it: nereader --demo runs in tmux, the
bench sends one key, then polls the screen (text and colours) until something changes.

Target: 50 ms median per key. Run: ``python bench/bench_keys.py [--rounds N] [--size 160x45]``
(needs tmux). Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._tmux import Tmux  # noqa: E402

# (what the key does, the tmux key). Every step changes the screen, so a response is visible.
# Steps without a label set the scene and are not measured.
ROUND = [
    ("j: cursor down", "j"),
    ("k: cursor up", "k"),
    ("s: sort the list", "s"),
    ("S: reverse the sort", "S"),
    *[("", "s")] * 5,  # back to the site's order: each round reads the same thread
    ("/: focus the filter", "/"),
    ("a letter in the filter", "e"),
    ("esc: clear the filter", "Escape"),
    ("?: open the help", "?"),
    ("?: close the help", "?"),
    ("v: show the bookmarks", "v"),
    ("v: back to the listing", "v"),
    *[("", "j")] * 5,
    ("j: cursor down", "j"),  # row 7: "Requesting Network Extension Capability", 8 replies
    ("enter: open a thread", "Enter"),
    ("n: next post", "n"),
    ("esc: back from a thread", "Escape"),
    *[("", "j")] * 5,
    ("j: cursor down", "j"),  # row 13: "Getting a basic URL Filter to work", 85 replies
    ("enter: open a long thread", "Enter"),
    ("n: next post (long thread)", "n"),
    ("esc: back from a long thread", "Escape"),
    ("k: cursor up", "k"),
    ("", "g"),
    ("tab: to the thread pane", "Tab"),
    ("tab: back to the list", "Tab"),
    ("t: switch tag", "t"),
    ("esc: close the tag palette", "Escape"),
    ("ctrl+p: command palette", "C-p"),
    ("esc: close the palette", "Escape"),
    ("L: library", "L"),
    ("q: close the library", "q"),
    ("ctrl+f: search", "C-f"),
    ("esc: close the search", "Escape"),
]


def run(rounds: int, width: int, height: int, code: str | None = None,
        close_library: str = "q") -> dict[str, list[float]]:
    nereader = str(Path(sys.executable).with_name("nereader"))
    samples: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        tmux = Tmux([nereader, "--demo", "--cache-dir", f"{tmp}/cache", "--data-dir",
                     f"{tmp}/data"], width, height,
                    env={"NEREADER_CONFIG_DIR": f"{tmp}/config", **({"PYTHONPATH": code} if code
                                                                     else {})})
        try:
            tmux.start()
            tmux.wait(lambda screen: "Network Extension Resources" in screen, colours=False)
            tmux.settle(0.5)
            for _ in range(rounds):
                for label, key in ROUND:
                    if key == "q" and close_library != "q":
                        label, key = "esc: close the library", close_library
                    if not label:
                        tmux.send(key)
                        tmux.settle()
                        continue
                    samples[label].append(tmux.key_response(key))
        finally:
            tmux.stop()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--size", action="append",
                        help="WIDTHxHEIGHT (repeatable; default 160x45 and 80x24)")
    parser.add_argument("--code", help="run the app from this folder (PYTHONPATH), e.g. an "
                        "export of another branch")
    parser.add_argument("--close-library", default="q",
                        help="the key that closes the library (older versions: Escape)")
    args = parser.parse_args()
    for size in args.size or ["160x45", "80x24"]:
        width, height = (int(n) for n in size.split("x"))
        samples = run(args.rounds, width, height, args.code, args.close_library)
        medians = []
        print(f"first visible response per key at {width}x{height}, median of {args.rounds} "
              "(min-max), ms:")
        for label, times in samples.items():
            median = statistics.median(times) * 1000
            medians.append(median)
            print(f"  {label:<28} {median:6.1f}  ({min(times) * 1000:.0f}-"
                  f"{max(times) * 1000:.0f})")
        print(f"  worst median {max(medians):.1f} ms; keys over 50 ms: "
              f"{sum(m > 50 for m in medians)} of {len(medians)}")
        missed = [label for label, times in samples.items() if math.inf in times]
        if missed:
            print(f"  (no visible change within 5 s, counted as infinite: {', '.join(missed)})")


if __name__ == "__main__":
    main()
