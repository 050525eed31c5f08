"""Code blocks for the terminal: which language, highlighted lines, and the lines' numbers."""

from __future__ import annotations

from functools import lru_cache

# Pygments comes with Rich and Textual (whose highlighter this module uses); it has no stubs.
from pygments.lexer import Lexer  # type: ignore[import-untyped]
from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
from pygments.token import Error, Keyword  # type: ignore[import-untyped]
from pygments.util import ClassNotFound  # type: ignore[import-untyped]
from rich.text import Text
from textual.highlight import highlight
from textual.style import Style

TAB_SIZE = 4
NUMBERS_FROM = 4  # blocks of at least this many lines get line numbers

# The forum's languages, by the names a ``language-*`` class may carry, as Pygments aliases.
ALIASES = {
    "swift": "swift",
    "objc": "objective-c", "objective-c": "objective-c", "objectivec": "objective-c",
    "obj-c": "objective-c", "m": "objective-c", "mm": "objective-c",
    "c": "c", "h": "c",
    "cpp": "cpp", "c++": "cpp", "cxx": "cpp", "cc": "cpp", "hpp": "cpp",
    "json": "json",
    "shell": "bash", "sh": "bash", "bash": "bash", "zsh": "bash", "console": "console",
    "terminal": "console", "shell-session": "console",
    "xml": "xml", "plist": "xml", "html": "html",
}
NAMES = {"swift": "Swift", "objective-c": "Objective-C", "c": "C", "cpp": "C++",
         "json": "JSON", "bash": "shell", "console": "shell", "xml": "XML", "html": "HTML"}
# Swift keywords that open a line of Swift (as Pygments' Swift lexer reads them) and rarely
# open a line of a log.
_SWIFT_OPENERS = {"let", "var", "func", "guard", "import", "struct", "class", "extension",
                  "protocol", "enum", "if", "for", "return", "try", "override", "private",
                  "public", "final", "@objc"}


def language_of(info: str) -> str | None:
    """The Pygments alias for a fence's info string or ``language-*`` class, if it names one."""
    word = info.strip().split(maxsplit=1)[0].lower() if info.strip() else ""
    word = word.removeprefix("language-").removeprefix("lang-")
    if not word:
        return None
    if word in ALIASES:
        return ALIASES[word]
    try:
        get_lexer_by_name(word)
    except ClassNotFound:
        return None
    return word


def label_of(language: str | None) -> str:
    return NAMES.get(language or "", language or "")


@lru_cache(maxsize=32)
def _lexer(alias: str) -> Lexer:
    return get_lexer_by_name(alias, stripnl=False, ensurenl=False)


def _lexes_cleanly(alias: str, code: str) -> list[tuple[object, str]] | None:
    tokens = list(_lexer(alias).get_tokens(code))
    return None if any(t in Error for t, _ in tokens) else tokens


def guess_language(code: str) -> str | None:
    """A language for an unlabelled block, judged by Pygments among the forum's languages;
    None (plain text) when nothing is convincing, which is what logs and panics should get."""
    text = code.strip()
    if not text:
        return None
    scores = {alias: _lexer(alias).analyse_text(text)
              for alias in ("objective-c", "cpp", "c", "bash", "xml")}
    best = max(scores, key=lambda a: scores[a])
    if scores[best] >= 0.1:
        return best
    if text[0] in "{[" and text[-1] in "}]" and _lexes_cleanly("json", text) is not None:
        return "json"
    tokens = _lexes_cleanly("swift", text)
    if tokens is not None and _opens_lines(tokens, _SWIFT_OPENERS):
        return "swift"
    return None


def _opens_lines(tokens: list[tuple[object, str]], openers: set[str]) -> bool:
    """Whether a keyword from ``openers`` opens a quarter or more of the block's lines."""
    lines = opened = 0
    at_start = True
    for kind, value in tokens:
        if at_start and value.strip():
            lines += 1
            opened += kind in Keyword and value in openers
            at_start = False
        if "\n" in value:
            at_start = True
    return opened > 0 and opened * 4 >= lines


def _parse(style: str | Style) -> Style:
    """Theme variables ("$text-accent") resolved against the running app's theme."""
    return style if isinstance(style, Style) else Style.parse(style)


def highlighted_lines(code: str, language: str | None, base: Style) -> list[Text]:
    """The block's lines as Rich text: highlighted when the language is known, tabs expanded.
    ``base`` is the code's resolved theme style (its background blends the token colours)."""
    source = code.expandtabs(TAB_SIZE).splitlines() or [""]
    if language is None:
        plain = base.rich_style
        return [Text(line, style=plain, end="") for line in source]
    code = "\n".join(source)  # the line breaks the highlighter itself splits on
    content = highlight(code, language=language, tab_size=TAB_SIZE)
    lines: list[Text] = [Text(end="")]
    for part, style in content.render(base, end="", parse_style=_parse):
        rich = style.rich_style if style else None
        chunks = part.split("\n")
        for i, chunk in enumerate(chunks):
            if i:
                lines.append(Text(end=""))
            if chunk:
                lines[-1].append(chunk, rich)
    wanted = len(source)  # the highlighter may end with a newline of its own
    return lines[:wanted] + [Text(end="") for _ in range(wanted - len(lines))]
