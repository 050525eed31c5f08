"""Post bodies to Markdown: nothing visible is lost, and structure survives.

The round trip renders our Markdown with markdown-it (CommonMark + tables) and compares its
visible text with the visible text of the original HTML.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser

from nereader.core.parse.markdown import to_markdown, to_safe_html
from tests.conftest import fixture_text

MD = MarkdownIt("commonmark").enable("table")
BODY = "[data-action='content-post-body-content']"


def visible(html: str) -> str:
    tree = LexborHTMLParser(f"<div id='root'>{html}</div>")
    node = tree.css_first("#root")
    return re.sub(r"\s+", "", node.text(deep=True)) if node is not None else ""


def roundtrip(markdown: str) -> str:
    return visible(MD.render(markdown))


def body_nodes() -> list[tuple[str, object]]:
    out = []
    for name in ("thread-828388.html", "thread-707294.html", "thread-821372-p1.html",
                 "thread-821372-p2.html"):
        for i, node in enumerate(LexborHTMLParser(fixture_text(name)).css(BODY)):
            out.append((f"{name}#{i}", node))
    return out


@pytest.mark.parametrize(("where", "node"), body_nodes(), ids=[w for w, _ in body_nodes()])
def test_fixture_bodies_lose_no_text(where: str, node: object) -> None:
    markdown = to_markdown(node)
    assert roundtrip(markdown) == visible(node.html or ""), where  # type: ignore[attr-defined]


def md(html: str) -> str:
    node = LexborHTMLParser(f"<div id='b'>{html}</div>").css_first("#b")
    return to_markdown(node)


def test_structures() -> None:
    assert md("<p>a<br>b</p>") == "a\\\nb"
    assert md("<p>use <code>x`y</code></p>") == "use ``x`y``"
    assert md('<pre><code class="language-swift">let a = 1\n\nlet b = 2\n</code></pre>') == (
        "```swift\nlet a = 1\n\nlet b = 2\n```"
    )
    assert md('<p><a href="/forums/thread/1">t</a></p>') == (
        "[t](https://developer.apple.com/forums/thread/1)"
    )
    assert md("<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li>d</li></ul>") == (
        "- a\n  - b\n    1. c\n- d"
    )
    assert md("<blockquote><p>q</p><blockquote><p>r</p></blockquote></blockquote>") == (
        "> q\n>\n> > r"
    )
    assert md("<table><tr><th>h|1</th><th>h2</th></tr><tr><td>a</td></tr></table>") == (
        "| h\\|1 | h2 |\n| --- | --- |\n| a |  |"
    )
    assert md('<p><img src="/a.png" alt="diagram"></p>') == (
        "[image: diagram](https://developer.apple.com/a.png)"
    )
    assert md("<p>1. not a list</p><p># not a heading</p>") == "1\\. not a list\n\n\\# not a heading"


def test_code_fence_longer_than_content() -> None:
    out = md("<pre><code>```\ninner\n```</code></pre>")
    assert out.startswith("````\n") and out.endswith("\n````")
    assert roundtrip(out) == visible("<pre><code>```\ninner\n```</code></pre>")


def test_safe_html_drops_scripts_and_handlers() -> None:
    node = LexborHTMLParser(
        "<div id='b'><p onclick='x()'>hi<script>alert(1)</script></p>"
        "<a href='javascript:alert(1)'>j</a><iframe src='x'></iframe></div>"
    ).css_first("#b")
    out = to_safe_html(node)
    assert out == "<p>hi</p><a>j</a>"


# -- property: random bodies from a small HTML grammar keep their visible text ------------------
WORDS = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 _*`[]<>#&|-.!~\\()'\"")), min_size=1, max_size=12
).filter(lambda s: s.strip() != "")


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


inline = st.recursive(
    WORDS.map(_esc),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["code", "a"]), WORDS.map(_esc)).map(
            lambda t: f"<code>{t[1]}</code>" if t[0] == "code" else f'<a href="/x">{t[1]}</a>'
        ),
        st.lists(inner, min_size=1, max_size=3).map(" ".join),
    ),
    max_leaves=6,
)
block = st.recursive(
    inline.map(lambda s: f"<p>{s}</p>"),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(
            lambda items: "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
        ),
        inner.map(lambda s: f"<blockquote>{s}</blockquote>"),
        WORDS.map(lambda s: f"<pre><code>{_esc(s)}</code></pre>"),
    ),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(block, min_size=1, max_size=4))
def test_random_bodies_keep_visible_text(blocks: list[str]) -> None:
    html = "".join(blocks)
    markdown = md(html)
    assert roundtrip(markdown) == visible(html), markdown
