"""Helpers every page parser shares: loading, recognising non-content pages, safe lookups.

Input is bounded before any parser sees it (``parse/guard.py``: size, charset, nesting).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from nereader.core.clock import utc_now
from nereader.core.errors import ParseError, PastTheEnd
from nereader.core.models import Tag
from nereader.core.parse.guard import check_nesting, decode
from nereader.core.text import parse_int, plural, squash
from nereader.core.urls import is_thread_href, slug_from_href

Node = Any  # selectolax LexborNode (untyped)

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


# How far from the end a page's closing tag is looked for: generous, since a page may carry
# a comment or an analytics script after ``</html>`` (a closing tag that far up is markup,
# never a post's text, which the site escapes).
_CLOSING_TAIL = 1 << 20
_CLOSING = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)
# A page that leaves out both (HTML5 lets it; a minifier drops them) is whole when it ends
# with its footer closed, then only scripts, styles and comments.
_FOOTER_TAIL = 1 << 16
_ENDS_WITH_FOOTER = re.compile(
    r"</footer\s*>(?:\s|<!--.*?-->|<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>"
    r"|<(?:link|meta)\b[^>]*>)*\Z", re.IGNORECASE | re.DOTALL)


def check_complete(text: str) -> None:
    """Refuse a page cut off in transit. A whole page has ``</html>`` or ``</body>`` near its
    end (a comment or a script after them is no sign of a cut), or, leaving both out, ends
    with its footer."""
    if _CLOSING.search(text, max(0, len(text) - _CLOSING_TAIL)):
        return
    tail = text[-_FOOTER_TAIL:]
    footer = tail.lower().rfind("</footer")
    if footer >= 0 and _ENDS_WITH_FOOTER.match(tail, footer):  # the last one only: linear
        return
    raise ParseError("page is truncated (it stops before its closing </body> or </html>)")


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


# Elements a browser lays out on their own line (or cell): their edges part the words either
# side even when the markup has no white space there. Every other element is inline and
# parts nothing: "Eo<mark>ns</mark>" (the site's search highlighting) is one word. Form
# controls and their labels count as blocks: a toolbar sets them apart from its text.
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html",
    "legend", "li", "main", "menu", "nav", "ol", "option", "p", "pre", "section", "select",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul", "button",
    "textarea", "label",
})
# Elements whose text is never shown.
_UNSHOWN_TEXT = frozenset({"script", "style", "template", "noscript", "-comment"})


def text_of(node: Node | None) -> str:
    """A node's text as a browser shows it: block elements apart, inline ones joined as written.
    Minified markup (``<h1>T</h1><p>201 Posts</p>``) reads "T 201 Posts", never "T201 Posts",
    while a word split by inline tags ("Pu<b>sh</b>", "1,<b>234</b>") stays one word."""
    if node is None:
        return ""
    out: list[str] = []
    # Iterative walk (a deep page must not exhaust the stack): a None on the stack marks the
    # end of a block element, where a separator goes.
    stack: list[Node | None] = [node]
    while stack:
        cur = stack.pop()
        if cur is None:
            out.append(" ")
            continue
        tag = cur.tag
        if tag == "-text":
            out.append(cur.text_content or "")
            continue
        if tag in _UNSHOWN_TEXT and cur is not node:
            continue
        block = tag in _BLOCKS
        if block:
            out.append(" ")
            stack.append(None)
        children = []
        child = cur.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))
    return squash("".join(out))


def spaced_text_of(node: Node | None) -> str:
    """A node's text with every text node apart, inline or not ("Views"+"158" as "Views
    158"): for a count whose label and number are sibling spans, read beside ``text_of``."""
    return squash(node.text(deep=True, separator=" ")) if node is not None else ""


def glued_text_of(node: Node | None) -> str:
    """A node's text as written, its text nodes joined as they are ("1,<b>234</b>" reads
    "1,234"): for a count split across elements, read beside ``spaced_text_of``."""
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


def check_page(asked: int | None, current: int | None, total: int | None, what: str) -> None:
    """Refuse a page that is not the page asked for: the site answered ``?page=2`` with page
    1 (a redirect, a stale edge cache). Its own pagination says which page it is; a page
    with no pagination at all can only be page 1 of one.

    A page asked for past the last one is not there (``PastTheEnd``, naming how many pages
    there are): the site serves its one page again (no pagination), or its last page, for a
    page number it does not have. Any other page than the one asked for is a mix-up."""
    if asked is None:
        return
    if current is None and total is None:
        if asked > 1:
            raise PastTheEnd(f"{what} has no page {asked}: it has 1 page", 1)
        return
    if current is None or current == asked:
        return
    if current < asked and (total is None or total < asked):
        # The current page may be no link, so the links' highest number can fall short of it.
        last = max(total or current, current)
        raise PastTheEnd(f"{what} has no page {asked}: it has {plural(last, 'page')}", last)
    raise ParseError(f"the site served page {current} of {what} when page {asked} was "
                     "asked for (a redirect or a stale copy on the site)")


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
