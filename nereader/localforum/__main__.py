"""Run the local forum by hand: ``python -m nereader.localforum [--port 8765] ...``."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from nereader.localforum.server import ForumServer
from nereader.localforum.site import Site


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m nereader.localforum",
                                     description="Serve the fixture forum on a loopback port.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--root", type=Path, help="a folder with manifest.json (default: bundled)")
    parser.add_argument("--synthetic", type=int, metavar="THREADS", default=0,
                        help="also serve tag 'synthetic' with this many threads (20 a page)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    site = Site.from_directory(args.root) if args.root else Site.bundled()
    if args.synthetic:
        big = Site.synthetic(threads=args.synthetic, pages=max(1, args.synthetic // 20))
        site.routes.update(big.routes)
        site.tags.update(big.tags)
    site.faults.delay = args.delay
    server = ForumServer(site, port=args.port)
    print(f"local forum on {server.base_url} ({len(site.routes)} pages); try:\n"
          f"  nereader --base-url {server.base_url}\n  Ctrl-C stops it.")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
