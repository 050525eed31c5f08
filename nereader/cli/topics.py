"""`nereader topics`: the forum's topic tree, as an indented list or JSON."""

from __future__ import annotations

import argparse
from typing import Any

from nereader.cli.common import emit_json, report_source, run
from nereader.core.errors import UsageError
from nereader.core.models import Subtopic, Topic
from nereader.core.service import ForumService
from nereader.core.text import clean
from nereader.core.urls import parse_listing_ref


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("topics", parents=[common], help="the forum's topics and subtopics",
                       description="Print the forum's topic tree; each line ends with what "
                       "`nereader list` takes to open that topic.")
    p.add_argument("--json", action="store_true",
                   help="a JSON array of {title, slug, url, description, children}")
    p.add_argument("--refresh", action="store_true", help="ask the site even when fresh")
    p.set_defaults(func=cmd_topics)


def topic_json(node: Topic | Subtopic) -> dict[str, Any]:
    """One node of ``nereader topics --json`` (a subtopic has no children)."""
    children = node.children if isinstance(node, Topic) else ()
    return {"title": node.title, "slug": node.slug, "url": node.url,
            "description": node.description, "children": [topic_json(c) for c in children]}


def listing_key(node: Topic | Subtopic) -> str:
    """What opens the node's listing: "topics/<topic>[/<sub>]" (its URL when unusual)."""
    try:
        return parse_listing_ref(node.url)[0].key
    except UsageError:
        return node.url


def cmd_topics(args: argparse.Namespace) -> int:
    async def body(service: ForumService) -> int:
        result = await service.topics(refresh=args.refresh)
        report_source(result, args)
        topics = result.value.topics
        if args.json:
            emit_json([topic_json(t) for t in topics])
            return 0
        for topic in topics:
            print(f"{clean(topic.title)}  ({listing_key(topic)})")
            for child in topic.children:
                print(f"  {clean(child.title)}  ({listing_key(child)})")
        return 0

    return run(args, body)
