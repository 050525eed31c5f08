"""The RSS 2.0 feed of a tag: a cheap probe for what is new (its bodies are truncated)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

from selectolax.lexbor import LexborHTMLParser

from nereader.core.errors import ParseError
from nereader.core.models import Feed, FeedItem
from nereader.core.parse.guard import check_nesting, decode
from nereader.core.parse.markdown import to_markdown
from nereader.core.text import squash
from nereader.core.urls import base_of, thread_id_from_href, web_url

_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
# The text is decoded already (by its declared charset); the declaration must not make the
# XML parser decode it a second time.
_XML_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*["'][^"']*["']""")


def parse_feed(content: str | bytes, url: str | None = None) -> Feed:
    text = decode(content)
    head = text[:2048].lower()
    # No DTDs at all: that shuts out entity-expansion attacks without another dependency.
    if "<!doctype" in head or "<!entity" in text.lower():
        raise ParseError("feed declares a DTD or entities, which nereader refuses")
    check_nesting(text)
    try:
        root = ET.fromstring(_XML_ENCODING.sub(r"\1", text, count=1).encode("utf-8"))
    except ET.ParseError as exc:
        raise ParseError(f"feed is not well-formed XML: {exc}") from exc
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ParseError(f"not an RSS 2.0 feed (root element <{root.tag}>)")
    base = base_of(url or channel.findtext("link"))
    items = []
    for item in channel.findall("item"):
        link = web_url(squash(item.findtext("link") or item.findtext("guid") or "")) or ""
        html = item.findtext(_CONTENT) or item.findtext("description") or ""
        summary = ""
        if html.strip():
            try:
                check_nesting(html)
            except ParseError as exc:  # one hostile item does not hide the others
                summary = f"*(summary not shown: {exc})*"
            else:
                body = LexborHTMLParser(f"<div>{html}</div>").css_first("div")
                summary = to_markdown(body, base) if body is not None else ""
        published = None
        if date := (item.findtext("pubDate") or "").strip():
            try:
                published = parsedate_to_datetime(date)
            except (TypeError, ValueError, IndexError, OverflowError):  # a year 10**10 too
                published = None
        items.append(
            FeedItem(
                id=thread_id_from_href(link),
                title=squash(item.findtext("title") or ""),
                url=link,
                published_at=published,
                author=squash(item.findtext("author") or "") or None,
                categories=tuple(squash(c.text or "") for c in item.findall("category")),
                summary_markdown=summary,
            )
        )
    return Feed(
        title=squash(channel.findtext("title") or ""),
        link=web_url(squash(channel.findtext("link") or "")) or "",
        description=squash(channel.findtext("description") or ""),
        items=tuple(items),
    )
