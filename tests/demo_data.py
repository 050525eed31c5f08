"""Make ``tests/fixtures/forums/demo.json``: what the local forum needs to fill in the demo.

The fixture pages hold three pages of the Network Extension tag; the demo fills the other
pages and a thread for every listed row. The local forum builds those pages from this data,
without the parser it is used to test. Run ``python -m tests.demo_data`` after a fixture
listing changes (a test checks the file still matches the pages).
"""

from __future__ import annotations

import json
from typing import Any

from nereader.core.parse import parse_listing
from tests.conftest import FIXTURES

PAGES = {"networkextension": {1: "tag-networkextension-p1.html",
                              2: "tag-networkextension-p2.html",
                              11: "tag-networkextension-p11.html"}}


def build() -> dict[str, Any]:
    tags: dict[str, Any] = {}
    for slug, files in PAGES.items():
        pages: dict[str, list[dict[str, Any]]] = {}
        head = None
        for number, name in files.items():
            url = f"https://developer.apple.com/forums/tags/{slug}?page={number}"
            listing = parse_listing((FIXTURES / name).read_bytes(), url)
            head = head or listing
            pages[str(number)] = [
                {"id": r.id, "title": r.title, "excerpt": r.excerpt, "replies": r.replies,
                 "boosts": r.boosts, "views": r.views_text, "activity": r.activity_text,
                 "answered": r.answered, "recommended": r.apple_recommended,
                 "tags": [[t.name, t.slug] for t in r.tags],
                 "topic": list(r.topic) if r.topic else None,
                 "subtopic": list(r.subtopic) if r.subtopic else None}
                for r in listing.rows
            ]
        assert head is not None
        tags[slug] = {"name": head.name, "description": head.description,
                      "total_posts": head.total_posts, "total_pages": head.total_pages,
                      "pages": pages}
    return {"tags": tags}


def render() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":
    (FIXTURES / "demo.json").write_text(render(), encoding="utf-8")
