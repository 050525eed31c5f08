"""Pages that are not the forum's content: bot checks, interstitials, JavaScript shells, errors.

Only a page without any of the forum's content markers is examined, so a thread titled
"Captcha in WKWebView" or "Access denied on a keychain item" is never taken for a bot check.
"""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from nereader.core.errors import ChallengeError, ErrorPageError, LayoutChangedError
from nereader.core.parse.common import attr, first, page_title, text_of

Node = Any

# What bot checks and interstitials say (Cloudflare, Akamai, Imperva, PerimeterX, DataDome,
# reCAPTCHA/hCaptcha/Turnstile pages and the site's own "Security verification").
_WORDS = re.compile(
    r"just a moment|security (?:verification|check)|one more step|attention required"
    r"|verif(?:y|ying|ication)\b.{0,20}\b(?:human|person|not a (?:ro)?bot|browser)"
    r"|are you (?:a )?(?:human|(?:ro)?bot)|not a (?:ro)?bot|checking (?:your|the|if the site)"
    r"\b.{0,30}\b(?:browser|connection)|captcha|access denied|unusual traffic"
    r"|(?:enable|turn on|allow) (?:javascript|cookies)|javascript is (?:disabled|required)"
    r"|ddos protection|pardon our interruption|request unsuccessful|press (?:&|and) hold"
    r"|bot (?:check|detection|protection|verification)|needs to review the security",
    re.IGNORECASE | re.DOTALL,
)
# What their markup carries: challenge scripts, widgets, form actions.
_MARKUP = re.compile(
    r"challenge-platform|cf-challenge|cf_chl|cf-chl|challenge-(?:form|body|running|stage)"
    r"|turnstile|captcha|/challenge/|px-block|_incapsula_|datadome|perimeterx|awswaf",
    re.IGNORECASE,
)
_CONTENT = ".article-entry, section.content-post, .thread-container, .tag-header"
_SHORT = 1500  # characters of visible text: an interstitial says little
_ERROR_TITLES = re.compile(
    r"page not found|not found|something went wrong|server error|service unavailable"
    r"|we.re sorry|an error occurred|temporarily unavailable",
    re.IGNORECASE,
)
_INVISIBLE = frozenset(("script", "style", "noscript", "template", "head", "title"))


def raise_if_not_content(tree: LexborHTMLParser, what: str) -> None:
    """Raise a specific error for a bot check, an interstitial, a page that shows nothing
    without JavaScript, or an error page; return for anything else."""
    if tree.css_first(_CONTENT) is not None:
        return
    title = page_title(tree)
    main = first(tree.root, "main", "body")
    heading = text_of(first(main, "h1")) if main is not None else ""
    reason = _challenge(tree, title, main)
    if reason is not None:
        raise ChallengeError(f"the site served a bot check or interstitial ({reason}) "
                             f"instead of {what}")
    if tree.css_first(".error-page") is not None or _ERROR_TITLES.search(heading or title):
        status = 404 if "not found" in (heading or title).lower() else None
        raise ErrorPageError(f"the site served an error page ({heading or title!r})", status)
    if main is not None and not visible_text(main) and tree.css_first("script, noscript"):
        raise LayoutChangedError(f"the site served a page that shows nothing without "
                                 f"JavaScript ({title!r}) instead of {what}")


def _challenge(tree: LexborHTMLParser, title: str, main: Node | None) -> str | None:
    """Why a page without forum content looks like a bot check, or None."""
    headings = [title] + [text_of(h) for h in tree.css("h1, h2")[:4]]
    for text in headings:
        if text and _WORDS.search(text):
            return repr(text[:80])
    body = visible_text(main) if main is not None else ""
    if len(body) < _SHORT and (found := _WORDS.search(body)):
        return repr(found.group(0))
    for node in tree.css("script, iframe, form, [id], [class], noscript"):
        source = " ".join(v for v in (attr(node, "src"), attr(node, "action"), attr(node, "id"),
                                      attr(node, "class")) if v)
        if node.tag == "script" and not attr(node, "src"):
            source += " " + (node.text(deep=True) or "")[:4000]
        if node.tag == "noscript" and _WORDS.search(text_of(node)):
            return "a page that needs JavaScript: " + repr(text_of(node)[:60])
        if (found := _MARKUP.search(source)) is not None:
            return f"challenge markup {found.group(0)!r}"
    refresh = tree.css_first("meta[http-equiv='refresh' i]")
    if refresh is not None and len(body) < _SHORT:
        return "a page that reloads itself (meta refresh)"
    return None


def visible_text(node: Node) -> str:
    """The text a browser without JavaScript shows (no scripts, styles or noscript)."""
    parts: list[str] = []
    stack = [node.child] if node.child is not None else []
    size = 0
    while stack and size < 4 * _SHORT:
        child = stack.pop()
        if child.next is not None:
            stack.append(child.next)
        if child.tag == "-text":
            text = (child.text_content or "").strip()
            if text:
                parts.append(text)
                size += len(text)
        elif child.is_element_node and child.tag not in _INVISIBLE and child.child is not None:
            stack.append(child.child)
    return " ".join(parts)
