"""Bounds on a page before any parser sees it: its size, its text encoding, its nesting depth.

A page over ``MAX_PAGE_BYTES`` or nesting elements deeper than ``MAX_NESTING`` is refused
with the reason (the HTML parser takes time quadratic in the depth), and bytes are decoded by
the charset the page declares, when that is a real text encoding.
"""

from __future__ import annotations

import codecs
import re

from nereader.core.errors import ParseError
from nereader.core.text import cap_size, human_size

MAX_PAGE_BYTES = 16 * 1024 * 1024  # core.service.MAX_PAGE_BYTES names it for the CLI
MAX_NESTING = 1000
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_DECLARED = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})"""
    rb"""|<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""",
    re.IGNORECASE)
# Codecs Python calls text encodings that are not the encoding of a page: they fail on
# ordinary bytes (idna), turn plain ASCII into markup (utf-7, escapes) or are no charset.
_NOT_A_CHARSET = frozenset((
    "idna", "punycode", "rot-13", "utf-7", "unicode-escape", "raw-unicode-escape",
    "undefined", "charmap", "mbcs", "oem", "palmos"))
# A meta tag cannot make the bytes it was read from UTF-16 or UTF-32 (the HTML rule): the
# names are compared after canonicalisation, so "u16", "UTF_32" and "utf_16le" are caught too.
_WIDE = ("utf-16", "utf-32")


def charset(content: bytes, declared: str | None = None) -> str:
    """The text encoding of a page: its byte order mark, else ``declared`` (the HTTP
    header's), else a ``<meta charset>`` or XML declaration near the top, else UTF-8.
    Only real text encodings are taken; anything else falls back to UTF-8."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return name
    found = _codec(declared)
    if found is not None:
        return found
    found = _codec(_declared_in(content[:4096]))
    if found is not None and not found.startswith(_WIDE):
        return found
    return "utf-8"


def _declared_in(head: bytes) -> str | None:
    m = _DECLARED.search(head)
    if m is None:
        return None
    return (m.group(1) or m.group(2) or b"").decode("ascii", "replace")


def _codec(name: str | None) -> str | None:
    """A text codec's canonical name, or None for an unknown or non-text one."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    canonical = info.name.replace("_", "-").lower()
    if not getattr(info, "_is_text_encoding", True) or canonical in _NOT_A_CHARSET:
        return None
    if canonical.startswith("utf-8"):
        return "utf-8"
    return canonical if canonical.startswith(_WIDE) or _ascii_safe(info.name) else None


def _ascii_safe(name: str) -> bool:
    """Whether markup in ASCII reads as itself in this encoding (the ones HTML allows)."""
    probe = b"<a href='/x'>1 ;</a>"
    try:
        return probe.decode(name) == probe.decode("ascii")
    except (UnicodeError, LookupError, ValueError):
        return False


def decode_bytes(content: bytes, encoding: str) -> str:
    """Bytes as text by ``encoding``, never raising: a codec that fails reads as UTF-8."""
    try:
        return content.decode(encoding, errors="replace")
    except (UnicodeError, LookupError, ValueError):
        return content.decode("utf-8", errors="replace")


# A feed is XML: a NUL is one more character XML forbids, dropped as the others are
# (``feed.xml_legal``) while the rest reads as text; this many of them is binary data.
_NUL_SHARE = 0.1


def decode(content: str | bytes, declared: str | None = None, feed: bool = False) -> str:
    """Bytes to text by the page's declared charset; refuse what is plainly not a text page
    (a feed: not a feed) and what is too large to read."""
    what, kind = ("feed", "a feed") if feed else ("page", "HTML")
    if len(content) > MAX_PAGE_BYTES:
        raise ParseError(f"{what} is {human_size(len(content))}, over the "
                         f"{cap_size(MAX_PAGE_BYTES)} limit nereader reads")
    if isinstance(content, bytes):
        encoding = charset(content, declared)
        if "16" not in encoding and "32" not in encoding and b"\x00" in content[:4096]:
            head = content[:4096]
            if not feed or head.count(b"\x00") > _NUL_SHARE * len(head):
                raise ParseError(f"{what} is binary, not {kind}")
            content = content.replace(b"\x00", b"")
        text = decode_bytes(content, encoding)
        if text.startswith("\ufeff"):
            text = text[1:]
    else:
        text = content
    if not text.strip():
        raise ParseError(f"{what} is empty")
    if "\x00" in text[:4096]:
        head_text = text[:4096]
        if not feed or head_text.count("\x00") > _NUL_SHARE * len(head_text):
            raise ParseError(f"{what} is binary, not {kind}")
        text = text.replace("\x00", "")
    return text


# -- nesting ------------------------------------------------------------------------------------
# A model of the HTML tree builder (WHATWG "in body"), cut down to what moves the depth, and
# erring deep: an end tag lowers the depth only where the parser would pop on it. An end tag
# that matches no open element, or one behind a scope boundary, is ignored (as lexbor does);
# counting it as a close let '<div></i>' * N pass as depth 1 while lexbor built N levels.
_TOKEN = re.compile(r"<(!--|/?[A-Za-z][A-Za-z0-9-]*)")
# A start tag's attributes, as the tokenizer reads them (an unquoted value takes a "/").
_ATTRS = re.compile(r"""(?:\s+|/(?!>)|[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?)*""")
_VOID = frozenset((
    "area", "base", "br", "col", "embed", "hr", "img", "image", "input", "link", "meta",
    "source", "track", "wbr", "param", "keygen", "frame", "basefont", "bgsound", "html",
    "head", "body"))
# Where SVG and MathML content holds HTML again (integration points).
_SVG_HTML = frozenset(("foreignobject", "desc", "title"))
_MATH_HTML = frozenset(("mi", "mo", "mn", "ms", "mtext"))
# End tags the parser matches "in scope" (any other end tag stops at the first special one).
_SCOPED_END = frozenset((
    "address", "article", "aside", "blockquote", "button", "center", "details", "dialog", "dir",
    "div", "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "listing",
    "main", "menu", "nav", "ol", "pre", "search", "section", "summary", "ul", "form", "p", "li",
    "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "applet", "marquee", "object", "table",
    "td", "th", "tr", "tbody", "thead", "tfoot", "caption", "template", "select"))
_IGNORED = frozenset(("frameset", "html", "head", "body"))
_TABLE_PARTS = frozenset(("caption", "colgroup", "tbody", "td", "tfoot", "th", "thead", "tr"))
# HTML start tags that end SVG or MathML content (they are never self-closing there).
_BREAKOUT = frozenset((
    "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em",
    "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing",
    "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span", "strong", "strike",
    "sub", "sup", "table", "tt", "u", "ul", "var"))
_FONT_ATTRS = re.compile(r"\s(?:color|face|size)\s*=")
_RAW = frozenset(("script", "style", "textarea", "title", "xmp", "iframe", "noembed",
                  "noframes"))
_FORMATTING = frozenset(("a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small",
                         "strike", "strong", "tt", "u"))
_BOUNDARY = frozenset(("applet", "caption", "html", "table", "td", "th", "marquee", "object",
                       "template", "mi", "mo", "mn", "ms", "mtext", "annotation-xml",
                       "foreignobject", "desc", "title", "button", "ol", "ul", "select"))
_SPECIAL = _BOUNDARY | frozenset((
    "address", "article", "aside", "blockquote", "center", "colgroup", "dd", "details", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "frameset", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "li", "listing", "main", "menu", "nav",
    "noscript", "p", "plaintext", "pre", "search", "section", "summary", "tbody", "textarea",
    "tfoot", "thead", "tr", "xmp", "dialog"))
# Start tags that close an open <p> (and <li>, <dd>, <dt> their own kind) first.
_CLOSES_P = frozenset((
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main", "menu",
    "nav", "ol", "p", "search", "section", "summary", "ul", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "listing", "form", "li", "dd", "dt"))
_GROUPS = ("td", "th", "tr", "tbody", "thead", "tfoot")
_SIBLINGS = {"li": ("li",), "dd": ("dd", "dt"), "dt": ("dd", "dt"), "td": ("td", "th"),
             "th": ("td", "th"), "tr": ("td", "th", "tr"), "tbody": _GROUPS, "thead": _GROUPS,
             "tfoot": _GROUPS, "option": ("option",), "a": ("a",), "nobr": ("nobr",),
             "select": ("select",)}
_ON_TOP = frozenset(("option", "select"))  # closes only an element of its kind it is in
_IN_TABLE = frozenset(("td", "th", "tr", "tbody", "thead", "tfoot"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_LOOSE = frozenset(("li", "dd", "dt", "a", "nobr"))  # closed unless a block is in between
# Start tags that close or imply others first (every other one just opens).
_START_RULES = _CLOSES_P | frozenset(_SIBLINGS) | _HEADINGS
_CELL = {"td": ("tbody", "tr"), "th": ("tbody", "tr"), "tr": ("tbody",)}  # implied parents


class _Tree:
    """The open elements as a stack of (name, depth, foreign), with the positions of each name
    and of the elements that stop a search down the stack, so every lookup is O(1)."""

    __slots__ = ("at", "boundaries", "deepest", "htmls", "specials", "stack")

    def __init__(self) -> None:
        self.stack: list[tuple[str, int, str]] = []
        self.at: dict[str, list[int]] = {}
        self.boundaries: list[int] = []
        self.specials: list[int] = []
        self.htmls: list[int] = []  # elements in the HTML namespace (not SVG or MathML)
        self.deepest = 0

    def push(self, name: str, foreign: str = "") -> None:
        depth = (self.stack[-1][1] if self.stack else 2) + 1  # html > body > ...
        index = len(self.stack)
        self.stack.append((name, depth, foreign))
        self.at.setdefault(name, []).append(index)
        if name in _BOUNDARY:
            self.boundaries.append(index)
        if name in _SPECIAL:
            self.specials.append(index)
        if not foreign:
            self.htmls.append(index)
        self.deepest = max(self.deepest, depth)

    def top(self, name: str, stops: list[int]) -> int | None:
        """The topmost open ``name`` with nothing of ``stops`` above it."""
        where = self.at.get(name)
        if not where:
            return None
        index = where[-1]
        return None if stops and stops[-1] > index else index

    def pop_to(self, index: int) -> None:
        """Pop the element at ``index`` and all above it; formatting elements popped on the
        way stay open (the parser rebuilds them at the next inline content)."""
        kept = [e[0] for e in self.stack[index + 1:] if e[0] in _FORMATTING and not e[2]]
        while len(self.stack) > index:
            name = self.stack.pop()[0]
            at = len(self.stack)
            if name:
                self.at[name].pop()
            for stops in (self.boundaries, self.specials, self.htmls):
                if stops and stops[-1] == at:
                    stops.pop()
        while self.stack and not self.stack[-1][0]:
            self.pop_to(len(self.stack) - 1)  # a removed element with nothing above it
        for name in kept:
            self.push(name)

    def pop_top(self) -> None:
        """Pop the current element (the end tag of a well-formed page: most of them)."""
        at = len(self.stack) - 1
        self.at[self.stack.pop()[0]].pop()
        for stops in (self.boundaries, self.specials, self.htmls):
            if stops and stops[-1] == at:
                stops.pop()
        if self.stack and not self.stack[-1][0]:
            self.pop_to(len(self.stack) - 1)  # a removed element with nothing above it

    def remove(self, index: int) -> None:
        """Take an element off the stack, leaving what was opened above it where it is (the
        adoption agency's move, and ``</form>``): its slot stays as a blank so the depths
        above it hold."""
        name, depth, foreign = self.stack[index]
        self.at[name].pop()
        self.stack[index] = ("", depth, foreign)
        self.at.setdefault("", []).append(index)

    def foreign(self) -> bool:
        """Whether the next tag is read as SVG or MathML content (not at an integration
        point, where HTML goes on)."""
        if not self.stack or not self.stack[-1][2]:
            return False
        name, _, space = self.stack[-1]
        return name not in (_SVG_HTML if space == "svg" else _MATH_HTML)

    def leave_foreign(self) -> None:
        """An HTML tag inside SVG or MathML content closes it (back to HTML or a point that
        holds HTML)."""
        while self.stack and self.stack[-1][2] and self.foreign():
            self.pop_to(len(self.stack) - 1)

    def _in_table(self, index: int) -> bool:
        tables = self.at.get("table")
        return tables is not None and bool(tables) and tables[-1] < index

    def start(self, name: str) -> None:
        if name not in _START_RULES:
            self.push(name)
            return
        if name in _CLOSES_P and (p := self.top("p", self.boundaries)) is not None:
            self.pop_to(p)
        for sibling in _SIBLINGS.get(name, ()):
            stops = self.specials if name in _LOOSE else self.boundaries
            index = self.top(sibling, stops)
            if index is None or (name in _IN_TABLE and not self._in_table(index)):
                continue  # outside a table, the parser ignores a stray <tr> or <td>
            if name in _ON_TOP and index != len(self.stack) - 1:
                continue
            self.pop_to(index)
        if name in _HEADINGS and self.stack and self.stack[-1][0] in _HEADINGS:
            self.pop_to(len(self.stack) - 1)
        if name in _CELL and self.stack:  # the rows and cells the parser implies
            top = self.stack[-1][0]
            if top not in ("tr", "tbody", "thead", "tfoot") or (name != "tr" and top != "tr"):
                for implied in _CELL[name][top in ("tbody", "thead", "tfoot"):]:
                    self.push(implied)
        self.push(name)

    def end(self, name: str) -> None:
        where = self.at.get(name)
        if where and self.stack[where[-1]][2] and not (self.htmls and self.htmls[-1] > where[-1]):
            self.pop_to(where[-1])  # the end of an SVG or MathML element
            return
        if name in _TABLE_PARTS and not self.at.get("table"):
            return  # never opened outside a table (see ``nesting``)
        if name in _SCOPED_END:  # "has an element in scope": a boundary above it hides it
            index = self.top(name, self.boundaries)
        else:  # "any other end tag", and a formatting one without a block opened inside it
            index = self.top(name, self.specials)
            where = self.at.get(name)
            if (index is None and name in _FORMATTING and where
                    and not (self.boundaries and self.boundaries[-1] > where[-1])):
                self.remove(where[-1])  # a block inside: the adoption agency
                index = None
        if index is not None and name == "form" and index != len(self.stack) - 1:
            self.remove(index)
        elif index is not None:
            self.pop_to(index)


def _breaks_out(token: str, lower: str, pos: int) -> bool:
    """Whether an HTML start tag ends SVG or MathML content (<font> only with its old
    attributes)."""
    if token != "font":
        return token in _BREAKOUT
    attrs = _ATTRS.match(lower, pos)
    return attrs is not None and _FONT_ATTRS.search(lower, pos, attrs.end()) is not None


def _self_closing(lower: str, pos: int) -> bool:
    attrs = _ATTRS.match(lower, pos)
    return attrs is not None and lower.startswith("/>", attrs.end())


def nesting(text: str) -> int:
    """How deep the HTML parser will nest a page's elements, estimated from its tags without
    parsing it; never less than the parser builds, for the shapes that cost it time."""
    if text.count("<") <= MAX_NESTING:
        return 0  # cannot be deeper than its number of tags: not worth the scan
    lower = text.lower()
    tree = _Tree()
    pos = 0
    search = _TOKEN.search
    while tree.deepest < MAX_NESTING and (m := search(lower, pos)) is not None:
        token = m.group(1)
        pos = m.end()
        if token == "!--":
            close = lower.find("-->", pos)
            if close < 0:
                break  # an unclosed comment runs to the end of the page
            pos = close + 3
        elif token[0] == "/":
            stack = tree.stack
            if stack and stack[-1][0] == token[1:]:  # closes the element it is in: the rule
                tree.pop_top()
                continue
            if token in ("/br", "/p"):
                tree.leave_foreign()  # read as <br> and <p>: they end SVG and MathML too
            tree.end(token[1:])
        elif tree.foreign() and not _breaks_out(token, lower, pos):
            if not _self_closing(lower, pos):  # <path d="..."/> opens nothing
                tree.push(token, tree.stack[-1][2])
        elif token in ("svg", "math"):
            tree.leave_foreign()
            if not _self_closing(lower, pos):
                tree.push(token, token)
        elif token in _VOID or token in _IGNORED or (token in _TABLE_PARTS
                                                     and not tree.at.get("table")):
            tree.leave_foreign()  # nothing opens, or the parser drops the tag in a body
        elif token == "plaintext":
            tree.leave_foreign()
            tree.start(token)
            break  # the rest of the page is text
        elif token in _RAW:
            tree.leave_foreign()
            tree.start(token)
            close = lower.find("</" + token, pos)
            if close < 0:
                break
            pos = close
        else:
            tree.leave_foreign()
            tree.start(token)
    return max(tree.deepest, 2) + 1  # +1: the text or void element inside the deepest


def check_nesting(text: str) -> None:
    """Refuse a page nested deeper than any forum page is (the parser would take minutes)."""
    depth = nesting(text)
    if depth > MAX_NESTING:
        raise ParseError(f"page nests elements {depth} deep or more (nereader reads at most "
                         f"{MAX_NESTING}); refused as malformed or hostile")
