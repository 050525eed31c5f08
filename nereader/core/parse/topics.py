"""The forum's topic tree: JSON embedded in /forums/topics, else the page's topic cards."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any

from nereader.core.errors import LayoutChangedError, ParseError, UsageError
from nereader.core.models import Subtopic, Topic, TopicTree
from nereader.core.parse.challenge import raise_if_not_content
from nereader.core.parse.common import (
    attr,
    check_complete,
    first,
    load_html,
    main_of,
    now_utc,
    text_of,
)
from nereader.core.text import clean, squash
from nereader.core.urls import absolute, base_of, split

MAX_TOPICS = 1000
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_TOPIC_PATH = re.compile(r"^/forums/topics/([A-Za-z0-9][A-Za-z0-9._-]*)"
                         r"(?:/([A-Za-z0-9][A-Za-z0-9._-]*))?/?$")


def parse_topics(content: str | bytes, url: str | None = None,
                 fetched_at: datetime | None = None) -> TopicTree:
    """Parse /forums/topics.

    The tree is read from ``script#topics-data`` (quotes written ``\\&quot;``, text
    entity-encoded); a page without that script gives the topics of its cards. A data script
    that cannot be read, or a page with neither, is a changed layout.
    """
    text, tree = load_html(content)
    check_complete(text)
    base = base_of(url)
    script = tree.css_first("script#topics-data") or next(
        (s for s in tree.css("script[type='application/json']") if "slug" in s.text(deep=True)),
        None)
    if script is not None:
        data = decode_json(script.text(deep=True))
        if data is None:
            raise LayoutChangedError("topics layout changed: script#topics-data is not JSON "
                                     "nereader can read")
        topics = _from_json(_items(data), base)
        if not topics:
            raise LayoutChangedError("topics layout changed: script#topics-data holds no topic "
                                     "with a title and a slug or url")
    else:
        topics = _from_cards(main_of(tree), base)
    if not topics:
        raise_if_not_content(tree, "the topic tree")
        if tree.css_first("script#topics-data, .topic-cards, .forums-topics-page") is None:
            raise ParseError("not the topics page: no script#topics-data and no topic links")
        raise LayoutChangedError("topics layout changed: no script#topics-data and no "
                                 "/forums/topics/... links")
    return TopicTree(tuple(topics), now_utc(fetched_at))


def decode_json(raw: str) -> Any:
    """JSON as the site embeds it: plain, with quotes as ``\\&quot;`` or ``&quot;``, or as
    the value of a script assignment. None when no reading works."""
    raw = raw.strip()
    start = min((i for i in (raw.find("["), raw.find("{")) if i >= 0), default=-1)
    if start > 0:
        raw = raw[start:].rstrip().rstrip(";")
    for attempt in (raw, raw.replace("\\&quot;", '"'), raw.replace("&quot;", '"'),
                    html.unescape(raw), raw.replace('\\"', '"')):
        try:
            return json.loads(attempt)
        except (ValueError, RecursionError):
            continue
    return None


def _items(data: Any) -> list[Any]:
    if isinstance(data, dict):
        for key in ("topics", "data", "items", "children"):
            if isinstance(data.get(key), list):
                return list(data[key])
        return [data] if "slug" in data or "title" in data else []
    return list(data) if isinstance(data, list) else []


def _text(value: Any) -> str:
    """Decoded page text: entities (once, twice for a doubly encoded one) and controls."""
    if not isinstance(value, str):
        return ""
    text = html.unescape(value)
    if _ENTITY.search(text):
        text = html.unescape(text)
    return text


def _from_json(items: list[Any], base: str) -> list[Topic]:
    topics: list[Topic] = []
    for item in items[:MAX_TOPICS]:
        head = _node(item, None, base)
        if head is None:
            continue
        title, slug, url, description = head
        children: list[Subtopic] = []
        stack = list(reversed(_children(item)))
        while stack and len(children) < MAX_TOPICS:
            child = stack.pop()
            found = _node(child, slug, base)
            if found is not None:
                children.append(Subtopic(*found))
            # The site's URLs have two levels; anything deeper is kept under the topic.
            stack.extend(reversed(_children(child)))
        topics.append(Topic(title, slug, url, description, tuple(children)))
    return topics


def _children(item: Any) -> list[Any]:
    kids = item.get("children") if isinstance(item, dict) else None
    return kids if isinstance(kids, list) else []


def _node(item: Any, parent: str | None, base: str) -> tuple[str, str, str, str] | None:
    if not isinstance(item, dict):
        return None
    title = squash(_text(item.get("title") or item.get("name")))
    href = _text(item.get("url") or item.get("href") or item.get("path"))
    slug = squash(_text(item.get("slug"))).strip("/").rsplit("/", 1)[-1]
    if not slug and href and _safe(href):
        slug = split(href).path.rstrip("/").rsplit("/", 1)[-1]
    if not title or not slug:
        return None
    path = f"/forums/topics/{parent}/{slug}" if parent else f"/forums/topics/{slug}"
    url = absolute(href, base) if href and _safe(href) else None
    description = clean(" ".join(_text(item.get("description")).split()))
    return title, slug, url or base + path, description


def _safe(href: str) -> bool:
    try:
        split(href)
    except UsageError:  # a malformed href is simply not used
        return False
    return True


def _from_cards(main: Any, base: str) -> list[Topic]:
    """Topics (and any subtopics) from the links of the topic cards."""
    tops: dict[str, tuple[str, str, str]] = {}
    subs: dict[str, list[Subtopic]] = {}
    for a in main.css("a[href*='/forums/topics/']"):
        href = attr(a, "href") or ""
        match = _TOPIC_PATH.match(split(href).path) if _safe(href) else None
        if match is None or "rssFeed" in href:
            continue
        title = text_of(first(a, "h2", "h3", "h4", ".topic-title")) or text_of(a)
        description = text_of(first(a, "p", ".topic-description"))
        url = absolute(href, base) or base + href
        topic, sub = match.group(1).lower(), match.group(2)
        if not title:
            continue
        if sub is None:
            tops.setdefault(topic, (title, url, description))
        elif all(s.slug != sub.lower() for s in subs.get(topic, [])):
            subs.setdefault(topic, []).append(Subtopic(title, sub.lower(), url, description))
    return [Topic(title, slug, url, description, tuple(subs.get(slug, [])))
            for slug, (title, url, description) in list(tops.items())[:MAX_TOPICS]]
