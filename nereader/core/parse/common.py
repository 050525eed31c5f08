"""Helpers every page parser shares: loading, recognising non-content pages, safe lookups.

Input is bounded before any parser sees it: a page over ``MAX_PAGE_BYTES`` or nesting
elements deeper than ``MAX_NESTING`` is refused with the reason (the HTML parser takes time
quadratic in the depth), and bytes are decoded by the charset the page declares.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from nereader.core.clock import utc_now
from nereader.core.errors import ChallengeError, ErrorPageError, ParseError
from nereader.core.models import Tag
from nereader.core.text import parse_int, squash
from nereader.core.urls import is_thread_href, slug_from_href

Node = Any  # selectolax LexborNode (untyped)

_CHALLENGE_WORDS = re.compile(
    r"security verification|verify (?:that )?you are (?:a )?(?:human|person)|are you a robot"
    r"|checking your browser|captcha|attention required|access denied|unusual traffic",
    re.IGNORECASE,
)
_CONTENT_MARKERS = ".article-entry, section.content-post, .thread-container, .tag-header"
_ERROR_TITLES = re.compile(
    r"page not found|not found|something went wrong|server error|service unavailable"
    r"|we.re sorry|an error occurred|temporarily unavailable",
    re.IGNORECASE,
)


MAX_PAGE_BYTES = 16 * 1024 * 1024  # core.service.MAX_PAGE_BYTES names it for the CLI
MAX_NESTING = 1000
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_DECLARED = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})"""
    rb"""|<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""",
    re.IGNORECASE)
# A meta tag cannot make UTF-8 bytes UTF-16 (the HTML rule), nor pick an encoding that can
# smuggle markup past the parser.
_NOT_FROM_META = {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
                  "utf-7"}


def charset(content: bytes, declared: str | None = None) -> str:
    """The text encoding of a page: its byte order mark, else ``declared`` (the HTTP
    header's), else a ``<meta charset>`` or XML declaration near the top, else UTF-8."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return name
    for candidate in (declared, *_declared_in(content[:4096])):
        found = _codec(candidate)
        if found is not None:
            return found
    return "utf-8"


def _declared_in(head: bytes) -> list[str]:
    m = _DECLARED.search(head)
    if m is None:
        return []
    name = (m.group(1) or m.group(2) or b"").decode("ascii", "replace")
    return [] if name.lower() in _NOT_FROM_META else [name]


def _codec(name: str | None) -> str | None:
    """A text codec's canonical name, or None for an unknown or non-text one."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip().strip("\"'"))
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in {"utf-7", "rot-13"}:
        return None
    return "utf-8" if info.name.startswith("utf-8") else info.name


def decode(content: str | bytes, declared: str | None = None) -> str:
    """Bytes to text by the page's declared charset; refuse what is plainly not a text page
    and what is too large to read."""
    if len(content) > MAX_PAGE_BYTES:
        raise ParseError(f"page is {len(content)} bytes, over the {MAX_PAGE_BYTES}-byte "
                         "limit nereader reads")
    if isinstance(content, bytes):
        encoding = charset(content, declared)
        if "16" not in encoding and b"\x00" in content[:4096]:
            raise ParseError("page is binary, not HTML")
        text = content.decode(encoding, errors="replace")
        if text.startswith("\ufeff"):
            text = text[1:]
    else:
        text = content
    if not text.strip():
        raise ParseError("page is empty")
    if "\x00" in text[:4096]:
        raise ParseError("page is binary, not HTML")
    return text


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
# Elements that never nest (void) or close themselves when a sibling opens: not counted.
_FLAT = frozenset((
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "param", "keygen", "frame", "basefont", "bgsound", "p", "li", "dt", "dd",
    "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "caption",
    "rb", "rt", "rtc", "rp", "html", "head", "body"))


def nesting(text: str) -> int:
    """How deep a page nests its elements, estimated from its tags without parsing it."""
    if text.count("<") <= MAX_NESTING:
        return 0  # cannot be deeper than its number of tags: not worth the scan
    depth = deepest = 0
    for close, name in _TAG.findall(text):
        if name.lower() in _FLAT:
            continue
        if close:
            depth -= depth > 0
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def check_nesting(text: str) -> None:
    """Refuse a page nested deeper than any forum page is (the parser would take minutes)."""
    depth = nesting(text)
    if depth > MAX_NESTING:
        raise ParseError(f"page nests elements {depth} deep (nereader reads at most "
                         f"{MAX_NESTING}); refused as malformed or hostile")


def load_html(content: str | bytes) -> tuple[str, LexborHTMLParser]:
    text = decode(content)
    if "<" not in text:
        raise ParseError("page is not HTML")
    check_nesting(text)
    try:
        tree = LexborHTMLParser(text)
    except Exception as exc:  # selectolax raises bare errors on pathological input
        raise ParseError(f"page could not be parsed as HTML: {exc}") from exc
    return text, tree


def check_complete(text: str) -> None:
    """The site's pages end with ``</html>``; a page without it was cut off in transit."""
    if "</html" not in text[-4096:].lower():
        raise ParseError("page is truncated (no closing </html>)")


def now_utc(fetched_at: datetime | None) -> datetime:
    """The fetch time as aware UTC (now, for a page parsed by hand)."""
    if fetched_at is None:
        return utc_now()
    return fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC)


def first(node: Node, *selectors: str) -> Node | None:
    """The first match of the first selector that matches anything."""
    for sel in selectors:
        found = node.css_first(sel)
        if found is not None:
            return found
    return None


def text_of(node: Node | None) -> str:
    return squash(node.text(deep=True)) if node is not None else ""


def attr(node: Node | None, name: str) -> str | None:
    if node is None:
        return None
    value = node.attrs.get(name)  # attrs is a lazy view; .attributes builds a dict each call
    return value if value is None else value.strip()


def page_title(tree: LexborHTMLParser) -> str:
    title = tree.css_first("title")
    return text_of(title)


def main_of(tree: LexborHTMLParser) -> Node:
    """The content area: ``main`` when there is one, else the body without nav and footer."""
    main = first(tree.root, "main", "#main", "[role=main]")
    if main is not None:
        return main
    body = tree.body
    if body is None:
        raise ParseError("page has no body")
    return body


def thread_links(node: Node) -> list[Node]:
    return [a for a in node.css("a[href]") if is_thread_href(a.attrs.get("href"))]


def raise_if_not_content(tree: LexborHTMLParser, what: str) -> None:
    """Raise a specific error for a bot check or an error page; return for anything else."""
    title = page_title(tree)
    main = first(tree.root, "main", "body")
    heading = text_of(first(main, "h1")) if main is not None else ""
    challenged = bool(_CHALLENGE_WORDS.search(title) or _CHALLENGE_WORDS.search(heading))
    if not challenged and tree.css_first(_CONTENT_MARKERS) is None:
        # Only a page without forum content is worth reading in full for bot-check wording.
        body_text = text_of(main)[:2000] if main is not None else ""
        scripts = [attr(s, "src") or "" for s in tree.css("script[src]")]
        challenged = bool(
            (len(body_text) < 600 and _CHALLENGE_WORDS.search(body_text))
            or any("challenge" in s or "captcha" in s for s in scripts)
        )
    if challenged:
        raise ChallengeError(
            f"the site served a bot check ({title or heading!r}) instead of {what}"
        )
    if tree.css_first(".error-page") is not None or _ERROR_TITLES.search(heading or title):
        status = 404 if "not found" in (heading or title).lower() else None
        raise ErrorPageError(f"the site served an error page ({heading or title!r})", status)


def classify_tags(scope: Node | None) -> tuple[Tag | None, Tag | None, tuple[Tag, ...]]:
    """Topic, subtopic and tags from one pass over the scope's links (a.topic, a.subtopic,
    a.tag); slugs come from the hrefs."""
    topic = subtopic = None
    tags: list[Tag] = []
    for a in scope.css("a.topic, a.subtopic, a.tag") if scope is not None else []:
        classes = (a.attrs.get("class") or "").split()
        found = _tag(a)
        if found is None:
            continue
        if "topic" in classes:
            topic = topic or found
        elif "subtopic" in classes:
            subtopic = subtopic or found
        elif found not in tags:
            tags.append(found)
    return topic, subtopic, tuple(tags)


def _tag(a: Node) -> Tag | None:
    slug = slug_from_href(attr(a, "href") or "")
    name = text_of(a)
    if slug and name and slug != "rssFeed":
        return Tag(name, slug.lower())
    return None


def pagination(scope: Node) -> tuple[int | None, int | None]:
    """Current and total pages from ``nav.pagination``, falling back to its links."""
    nav = first(scope, "nav.pagination", ".pagination", "[data-total-pages]")
    if nav is None:
        return None, None
    current = _page_number(attr(nav, "data-current-page"))
    total = _page_number(attr(nav, "data-total-pages"))
    if current is None:
        cur = first(nav, "[aria-current=page]", ".current", ".active")
        current = _page_number(text_of(cur))
    if total is None:
        numbers = [_page_number(text_of(a)) for a in nav.css("a")]
        total = max((n for n in numbers if n is not None), default=None)
    return current, total


def _page_number(text: str | None) -> int | None:
    return parse_int(text, max_digits=9)


def distinct(items: Iterable[Node]) -> list[Node]:
    seen: set[int] = set()
    out = []
    for n in items:
        if n.mem_id not in seen:
            seen.add(n.mem_id)
            out.append(n)
    return out


class Index:
    """One walk over a subtree, remembering the first element per class and per data-action.

    Lookups are then dictionary hits instead of one CSS query per field. The walk does not
    enter post bodies (nothing the parsers look up lives there) or the subtrees in ``stop``
    (nested posts, which own their own fields).
    """

    __slots__ = ("by_action", "by_attr", "by_class")

    def __init__(self, root: Node, stop: set[int] | None = None) -> None:
        self.by_class: dict[str, Node] = {}
        self.by_action: dict[str, Node] = {}
        self.by_attr: dict[str, Node] = {}
        stack = [root.child] if root.child is not None else []
        while stack:
            node = stack.pop()
            if node.next is not None:
                stack.append(node.next)
            if not node.is_element_node or (stop and node.mem_id in stop):
                continue
            attrs = node.attrs
            for token in (attrs.get("class") or "").split():
                self.by_class.setdefault(token, node)
            for key in attrs:
                if key.startswith("data-"):
                    self.by_attr.setdefault(key, node)
            action = attrs.get("data-action")
            if action:
                self.by_action.setdefault(action, node)
                if action == "content-post-body-content":
                    continue
            if node.child is not None:
                stack.append(node.child)

    def cls(self, *names: str) -> Node | None:
        for name in names:
            found = self.by_class.get(name)
            if found is not None:
                return found
        return None
