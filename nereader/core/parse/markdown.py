"""Post bodies: sanitised HTML and Markdown for display and export, with nothing lost.

Every walk is bounded: below ``MAX_DEPTH`` elements a subtree is rendered as its plain text
(lexbor extracts it without recursing in Python), and lists and quotes nest at most
``MAX_NEST`` levels in the Markdown (deeper ones are flattened into their parent's text), so a
hostile page can neither exhaust the stack nor make a reader unreadable. Links are written as
links only when they are web links (``urls.web_url``); any other target is shown as inert text.
"""

from __future__ import annotations

import html
import re
from typing import Any

from nereader.core.models import PostImage
from nereader.core.text import clean, escape_markdown, parse_int
from nereader.core.urls import DEFAULT_BASE, absolute

MAX_DEPTH = 48  # elements below a body rendered as structure; deeper is plain text
MAX_NEST = 8  # lists and quotes inside each other in the Markdown
MAX_IMAGES = 64  # images a post lists at most (a hostile page may hold thousands)
MAX_PIXELS = 100_000  # a width or height past this is no size the page knows

Node = Any  # selectolax LexborNode (untyped)

_DROP = {"script", "style", "template", "noscript", "iframe", "object", "embed", "form",
         "input", "button", "select", "textarea", "svg", "math", "head", "title", "meta",
         "link", "canvas", "video", "audio"}
_BLOCKS = {"p", "div", "pre", "ul", "ol", "blockquote", "table", "h1", "h2", "h3", "h4", "h5",
           "h6", "hr", "section", "article", "figure", "dl", "details", "summary", "header",
           "footer", "main", "aside", "nav", "center", "address", "figcaption", "li"}
_KEEP_TAGS = {"p", "br", "pre", "code", "a", "ul", "ol", "li", "blockquote", "table", "thead",
              "tbody", "tfoot", "tr", "th", "td", "img", "strong", "b", "em", "i", "h1", "h2",
              "h3", "h4", "h5", "h6", "hr", "span", "div", "sup", "sub", "del", "s", "kbd",
              "dl", "dt", "dd"}
_VOID = {"br", "hr", "img"}
_LANG = re.compile(r"(?:^|\s)(?:language|lang)-([A-Za-z0-9_+#.-]+)")
_WS = re.compile(r"[ \t\n\r\f\v]+")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


def _children(node: Node) -> list[Node]:
    out = []
    child = node.child
    while child is not None:
        out.append(child)
        child = child.next
    return out


def _language(node: Node) -> str | None:
    for n in [node, *(c for c in _children(node) if c.tag == "code")]:
        m = _LANG.search(n.attributes.get("class") or "")
        if m:
            return m.group(1)
    return None


def _raw_text(node: Node, depth: int = 0) -> str:
    """Text with its white space as written (for code), ``<br>`` as a newline."""
    if depth > MAX_DEPTH:
        return clean(node.text(deep=True) or "")
    parts: list[str] = []
    for child in _children(node):
        if child.tag == "-text":
            parts.append(child.text_content or "")
        elif child.tag == "br":
            parts.append("\n")
        elif child.tag not in _DROP and child.is_element_node:
            parts.append(_raw_text(child, depth + 1))
    return clean("".join(parts))


def _flat(node: Node) -> str:
    """A subtree too deep to render as structure: its visible text, escaped, on one line."""
    return escape_text(_WS.sub(" ", clean(node.text(deep=True) or "")).strip())


def _inert(url: str) -> str:
    """A link target that is not a web link, shown as code (never a link in any reader)."""
    shown = _WS.sub(" ", clean(url)).strip()
    shown = shown if len(shown) <= 120 else shown[:119] + "…"
    return _code_span(shown)


def escape_text(text: str) -> str:
    """Escape what Markdown would otherwise read as syntax inside running text."""
    return escape_markdown(text)


def _escape_line_start(line: str) -> str:
    m = _LINE_START.match(line)
    if not m:
        return line
    lead, token = m.group(1), m.group(2)
    if token[0].isdigit():
        return lead + token[:-1] + "\\" + token[-1] + line[m.end():]
    return lead + "\\" + line[len(lead):]


def _code_span(text: str) -> str:
    text = _WS.sub(" ", text)
    if not text:
        return ""
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _link_target(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C")


class _Renderer:
    def __init__(self, base: str) -> None:
        self.base = base
        self.depth = 0  # elements entered below the body
        self.nest = 0  # lists and quotes entered

    # -- inline -----------------------------------------------------------------------------
    def inline(self, node: Node, in_table: bool = False) -> str:
        if self.depth > MAX_DEPTH:
            flat = _flat(node)
            return flat.replace("|", "\\|") if in_table else flat
        self.depth += 1
        try:
            return self.joined(_children(node), in_table)
        finally:
            self.depth -= 1

    def joined(self, nodes: list[Node], in_table: bool = False) -> str:
        """Inline nodes as one run; an image stands apart from the text around it."""
        out: list[str] = []
        after_image = False
        for child in nodes:
            piece = self.inline_node(child, in_table)
            if not piece:
                continue
            image = child.tag == "img"
            if (out and (image or after_image) and not out[-1][-1:].isspace()
                    and not piece[:1].isspace()):
                out.append(" ")
            out.append(piece)
            after_image = image
        return "".join(out)

    def inline_node(self, child: Node, in_table: bool = False) -> str:
        tag = child.tag
        if tag == "-text":
            text = escape_text(_WS.sub(" ", clean(child.text_content or "")))
            return text.replace("|", "\\|") if in_table else text
        if not child.is_element_node or tag in _DROP:
            return ""
        if tag == "br":
            return " " if in_table else "\\\n"
        if tag in {"code", "kbd", "samp", "tt"}:
            return _code_span(_raw_text(child))
        if tag == "a":
            text = self.inline(child, in_table).strip()
            raw = (child.attrs.get("href") or "").strip()
            href = absolute(raw, self.base)
            if not href:
                if not raw or raw.startswith("#"):
                    return text
                # Not a web link: show where it pointed, as text nobody can click.
                return f"{text} ({_inert(raw)})" if text else _inert(raw)
            if not text or text == escape_text(href):
                return f"<{_link_target(href)}>"
            return f"[{text}]({_link_target(href)})"
        if tag == "img":
            src = absolute(child.attrs.get("src"), self.base)
            alt = escape_text(_WS.sub(" ", clean(child.attrs.get("alt") or "")).strip())
            if not src:
                return alt
            return f"[image: {alt}]({_link_target(src)})" if alt else f"<{_link_target(src)}>"
        inner = self.inline(child, in_table)
        marker = {"strong": "**", "b": "**", "em": "*", "i": "*", "del": "~~", "s": "~~"}.get(
            tag
        )
        if marker and inner.strip():
            lead = inner[: len(inner) - len(inner.lstrip())]
            trail = inner[len(inner.rstrip()):]
            return f"{lead}{marker}{inner.strip()}{marker}{trail}"
        return inner

    # -- blocks -----------------------------------------------------------------------------
    def blocks(self, node: Node) -> list[str]:
        if self.depth > MAX_DEPTH:
            return [_escape_line_start(_flat(node))]
        self.depth += 1
        try:
            return self._blocks(node)
        finally:
            self.depth -= 1

    def _blocks(self, node: Node) -> list[str]:
        out: list[str] = []
        para: list[Node] = []

        def flush() -> None:
            text = self.joined(para)
            para.clear()
            lines = [ln.strip() for ln in text.split("\\\n")]
            while lines and not lines[-1]:
                lines.pop()
            while lines and not lines[0]:
                lines.pop(0)
            if lines:
                out.append("\\\n".join(_escape_line_start(ln) for ln in lines))

        for child in _children(node):
            if child.is_element_node and child.tag in _BLOCKS:
                flush()
                out.extend(self.block(child))
            else:
                para.append(child)
        flush()
        return [b for b in out if b.strip()]

    def block(self, node: Node) -> list[str]:
        tag = node.tag
        if tag == "pre":
            code = _raw_text(node)
            if code.endswith("\n"):
                code = code[:-1]
            longest = max((len(r) for r in re.findall(r"`{3,}", code)), default=0)
            fence = "`" * max(3, longest + 1)
            return [f"{fence}{_language(node) or ''}\n{code}\n{fence}"]
        if tag in {"ul", "ol", "blockquote"} and self.nest >= MAX_NEST:
            return [_escape_line_start(_flat(node))]  # too deep to indent: its text
        if tag in {"ul", "ol"}:
            self.nest += 1
            try:
                return [self.list_block(node)]
            finally:
                self.nest -= 1
        if tag == "blockquote":
            self.nest += 1
            try:
                inner = "\n\n".join(self.blocks(node))
            finally:
                self.nest -= 1
            return ["\n".join(f"> {ln}" if ln else ">" for ln in inner.split("\n"))]
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            text = self.inline(node).replace("\\\n", " ").strip()
            return [f"{'#' * int(tag[1])} {text}"] if text else []
        if tag == "hr":
            return ["* * *"]
        if tag == "table":
            return [self.table(node)]
        return self.blocks(node)

    def list_block(self, node: Node) -> str:
        ordered = node.tag == "ol"
        number = parse_int(node.attrs.get("start"), max_digits=9)
        number = 1 if number is None else number
        items: list[str] = []
        loose = False
        for li in _children(node):
            if not li.is_element_node:
                continue
            if li.tag in {"ul", "ol"} and items:  # a list nested directly in a list
                nested = "\n\n".join(self.block(li))
                items[-1] += "\n" + "\n".join(
                    " " * 4 + ln if ln else ln for ln in nested.split("\n")
                )
                continue
            marker = f"{number}. " if ordered else "- "
            number += 1
            parts = self.blocks(li)
            paragraphs = [p for p in parts if not p.lstrip().startswith(("- ", "```"))]
            loose = loose or len(paragraphs) > 1
            body = ""
            for i, part in enumerate(parts):
                if i:
                    body += "\n" if part[:1] == "-" or part[:1].isdigit() else "\n\n"
                body += part
            pad = " " * len(marker)
            lines = body.split("\n") if body else [""]
            rendered = marker + lines[0] + "".join(
                "\n" + (pad + ln if ln else "") for ln in lines[1:]
            )
            items.append(rendered.rstrip())
        return ("\n\n" if loose else "\n").join(items)

    def table(self, node: Node) -> str:
        rows: list[list[str]] = []
        for tr in node.css("tr"):
            cells = [
                self.inline(cell, in_table=True).replace("\n", " ").strip()
                for cell in _children(tr)
                if cell.is_element_node and cell.tag in {"td", "th"}
            ]
            if cells:
                rows.append(cells)
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines)


def to_markdown(node: Node, base: str = DEFAULT_BASE) -> str:
    """Markdown of a body node: paragraphs, breaks, code, links, lists, quotes, tables, images."""
    return "\n\n".join(_Renderer(base).blocks(node)).strip()


def images_of(node: Node, base: str = DEFAULT_BASE) -> tuple[PostImage, ...]:
    """The images of a body, in order, each web URL once: alt text on one line, and the size
    in pixels when the ``width`` and ``height`` attributes give it (a number, not "50%")."""
    found: list[PostImage] = []
    seen: set[str] = set()
    for img in node.css("img"):
        url = absolute(img.attrs.get("src"), base)
        if not url or url in seen:
            continue
        seen.add(url)
        alt = _WS.sub(" ", clean(img.attrs.get("alt") or "")).strip()
        width, height = (_pixels(img.attrs.get(side)) for side in ("width", "height"))
        found.append(PostImage(url, alt[:300], width, height))
        if len(found) >= MAX_IMAGES:
            break
    return tuple(found)


def _pixels(value: str | None) -> int | None:
    number = parse_int((value or "").strip().removesuffix("px"), max_digits=6)
    return number if number is not None and 0 < number <= MAX_PIXELS else None


def to_safe_html(node: Node, base: str = DEFAULT_BASE) -> str:
    """The body as HTML with only harmless tags and attributes, web links made absolute."""
    out: list[str] = []
    for child in _children(node):
        _safe(child, base, out, 0)
    return "".join(out).strip()


def _safe(node: Node, base: str, out: list[str], depth: int) -> None:
    tag = node.tag
    if tag == "-text":
        out.append(html.escape(clean(node.text_content or ""), quote=False))
        return
    if not node.is_element_node or tag in _DROP:
        return
    if depth > MAX_DEPTH:
        out.append(html.escape(clean(node.text(deep=True) or ""), quote=False))
        return
    if tag not in _KEEP_TAGS:
        for child in _children(node):
            _safe(child, base, out, depth + 1)
        return
    attrs: list[tuple[str, str]] = []
    a = node.attrs
    if tag == "a" and (href := absolute(a.get("href"), base)):
        attrs.append(("href", href))
    if tag == "img":
        if src := absolute(a.get("src"), base):
            attrs.append(("src", src))
        attrs.append(("alt", clean(a.get("alt") or "")))
    if tag in {"code", "pre"} and (lang := _LANG.search(a.get("class") or "")):
        attrs.append(("class", f"language-{lang.group(1)}"))
    if tag == "ol" and parse_int(a.get("start"), max_digits=9) is not None:
        attrs.append(("start", a["start"]))
    attr_text = "".join(f' {k}="{html.escape(v)}"' for k, v in attrs)
    out.append(f"<{tag}{attr_text}>")
    if tag in _VOID:
        return
    for child in _children(node):
        _safe(child, base, out, depth + 1)
    out.append(f"</{tag}>")
