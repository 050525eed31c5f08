"""The RSS 2.0 feed of a tag: a cheap probe for what is new (its bodies are truncated), and
what stands in for a listing page nereader cannot read (``feed_listing``)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from selectolax.lexbor import LexborHTMLParser

from nereader.core.errors import ChallengeError, ParseError
from nereader.core.models import (
    Feed,
    FeedItem,
    ListingKind,
    ListingPage,
    RowSource,
    Tag,
    ThreadSummary,
)
from nereader.core.parse.guard import check_nesting, decode
from nereader.core.parse.markdown import to_markdown
from nereader.core.text import activity_of, plural, squash
from nereader.core.urls import (
    ListingRef,
    base_of,
    same_host,
    thread_id_from_href,
    thread_url,
    web_url,
)

_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_SITE_SUFFIX = re.compile(r"\s*[|–-]\s*Apple Developer Forums\s*$", re.IGNORECASE)
# The text is decoded already (by its declared charset); the declaration must not make the
# XML parser decode it a second time.
_XML_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*["'][^"']*["']""")
# Characters XML 1.0 forbids, raw or as character references (``&#x1b;``, ``&#27;``): one
# in one item would make the whole feed "not well-formed", and the feed is what stands in
# when a listing page does not read. They are no text anyway (``text.clean`` drops them).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _xml_char(code: int) -> bool:
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def _legal_refs(match: re.Match[str]) -> str:
    hexa, decimal = match.groups()
    code = int(hexa, 16) if hexa is not None else int(decimal)
    return match.group(0) if _xml_char(code) else ""


def xml_legal(text: str) -> str:
    """The feed's text without the characters XML forbids (raw, or referenced)."""
    text = _XML_ILLEGAL.sub("", text)
    return _CHAR_REF.sub(_legal_refs, text) if "&#" in text else text


def parse_feed(content: str | bytes, url: str | None = None) -> Feed:
    text = decode(content, feed=True)
    head = text[:2048].lower()
    # No DTDs at all: that shuts out entity-expansion attacks without another dependency.
    if "<!doctype" in head or "<!entity" in text.lower():
        raise ParseError("feed declares a DTD or entities, which nereader refuses")
    check_nesting(text)
    try:
        root = ET.fromstring(xml_legal(_XML_ENCODING.sub(r"\1", text, count=1)).encode("utf-8"))
    except ET.ParseError as exc:
        raise ParseError(f"feed is not well-formed XML: {exc}") from exc
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ParseError(f"not an RSS 2.0 feed (root element <{root.tag}>)")
    base = base_of(url or channel.findtext("link"))
    items = []
    for item in channel.findall("item"):
        link = web_url(squash(item.findtext("link") or item.findtext("guid") or "")) or ""
        thread_id = thread_id_from_href(link)
        # A thread's URL is made from its id on the forum's host, wherever the item links.
        url = thread_url(thread_id, base=base) if thread_id is not None else (
            link if same_host(link, base) else "")
        html = item.findtext(_CONTENT) or item.findtext("description") or ""
        summary = plain = ""
        if html.strip():
            try:
                check_nesting(html)
            except ParseError as exc:  # one hostile item does not hide the others
                summary = f"*(summary not shown: {exc})*"
            else:
                body = LexborHTMLParser(f"<div>{html}</div>").css_first("div")
                if body is not None:
                    summary = to_markdown(body, base)
                    plain = squash(body.text(deep=True, separator=" "))
        published = None
        if date := (item.findtext("pubDate") or "").strip():
            try:
                published = parsedate_to_datetime(date)
            except (TypeError, ValueError, IndexError, OverflowError):  # a year 10**10 too
                published = None
        items.append(
            FeedItem(
                id=thread_id,
                title=squash(item.findtext("title") or ""),
                url=url,
                published_at=published,
                author=squash(item.findtext("author") or "") or None,
                categories=tuple(squash(c.text or "") for c in item.findall("category")),
                summary_markdown=summary,
                summary_text=plain,
            )
        )
    return Feed(
        title=squash(channel.findtext("title") or ""),
        link=web_url(squash(channel.findtext("link") or "")) or "",
        description=squash(channel.findtext("description") or ""),
        items=tuple(items),
    )


def feed_listing(feed: Feed, ref: ListingRef, url: str, fetched_at: datetime,
                 failure: ParseError) -> ListingPage:
    """A listing's RSS feed standing in for its first page, which ``failure`` kept nereader
    from reading: its threads with their titles, ids, authors, dates and excerpts, and no
    counts (None, never 0). Items that name no thread are left out (no rows: nothing can
    stand in, which the caller says).
    """
    name = _SITE_SUFFIX.sub("", feed.title) or ref.key
    own = Tag(name, ref.slug) if ref.kind is ListingKind.TAG else None
    now = fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC)
    rows: list[ThreadSummary] = []
    seen: set[int] = set()
    for item in feed.items:
        if item.id is None or item.id in seen or not item.title:
            continue
        seen.add(item.id)
        when = item.published_at
        rows.append(ThreadSummary(
            id=item.id, title=item.title, url=thread_url(item.id, base=base_of(url)),
            excerpt=item.summary_text,
            replies=None, boosts=None, views=None, views_text="",
            activity_text=activity_of(when, now) if when else "", activity_at=when,
            topic=Tag(name, ref.slug) if ref.kind is ListingKind.TOPIC else None,
            tags=(own,) if own else (), author=item.author, source=RowSource.FEED))
    page = {ListingKind.TAG: "tag", ListingKind.TOPIC: "topic",
            ListingKind.SUBTOPIC: "subtopic"}.get(ref.kind, "listing")
    why = (f"the site showed a bot check instead of the {page} page"
           if isinstance(failure, ChallengeError) else f"the {page} page changed")
    notice = (f"{why}; showing its RSS feed: {plural(len(rows), 'latest thread')}, "
              "counts unknown")
    return ListingPage(
        kind=ref.kind, slug=ref.slug, name=name, description=feed.description,
        total_posts=None, page=1, total_pages=1, sort=None, sort_order=None, feed_url=url,
        fetched_at=now, rows=tuple(rows), source=RowSource.FEED, notice=notice)
