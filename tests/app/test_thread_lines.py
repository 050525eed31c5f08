"""Posts as terminal lines: code blocks found by a Markdown parser, their languages, prose
wrapping, code kept whole, links judged by ``urls.web_url``, and the lazy layout."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.style import Style as VisualStyle

from nereader.core.models import Author, Post, PostKind, Thread
from nereader.ui.widgets.code import guess_language, language_of
from nereader.ui.widgets.markdown_lines import (
    CodeBlock,
    Palette,
    Target,
    code_blocks,
    parse,
    render,
)
from nereader.ui.widgets.post_lines import Chrome
from nereader.ui.widgets.thread_doc import Setup, ThreadDoc

NESTED = """Intro with `inline` code and a fence-like line: ```not a fence```

> Quoted:
>
> ```objc
> NSLog(@"%@", x);
> ```

- a list item

  ~~~json
  {"a": 1}
  ~~~

      indented code
      second line

````
``` inside a longer fence
````
"""


def test_code_blocks_come_from_the_markdown_tree_nested_ones_included() -> None:
    assert code_blocks(parse(NESTED)) == [
        CodeBlock("objc", 'NSLog(@"%@", x);'),
        CodeBlock("json", '{"a": 1}'),
        CodeBlock("", "indented code\nsecond line"),
        CodeBlock("", "``` inside a longer fence"),
    ]


@pytest.mark.parametrize(("info", "alias"), [
    ("swift", "swift"), ("language-swift", "swift"), ("objc", "objective-c"),
    ("objective-c", "objective-c"), ("c", "c"), ("cpp", "cpp"), ("c++", "cpp"),
    ("json", "json"), ("shell", "bash"), ("sh", "bash"), ("zsh", "bash"), ("plist", "xml"),
    ("xml", "xml"), ("python", "python"), ("", None), ("no-such-language", None),
])
def test_language_names(info: str, alias: str | None) -> None:
    assert language_of(info) == alias


@pytest.mark.parametrize(("code", "guess"), [
    ("let proto = NETunnelProviderProtocol()\nproto.includeAllNetworks = false", "swift"),
    ("import NetworkExtension\n\nfinal class Provider: NEPacketTunnelProvider {}", "swift"),
    ("@interface Foo : NSObject\n- (void)bar;\n@end", "objective-c"),
    ("#include <stdio.h>\nint main(void) { return 0; }", "c"),
    ('{"includeAllNetworks": false, "routes": [1, 2]}', "json"),
    ('<?xml version="1.0"?>\n<plist version="1.0"><dict/></plist>', "xml"),
    ("panic(cpu 0 caller 0xfffffe003bb68224): skmem_slab_free_locked: attempt to free", None),
    ("2026-03-30 14:11:21.779124+0300 0x30f2 Default 0x0 873 0 Arc: (Network)", None),
    ("", None),
])
def test_guesses_only_convince_when_pygments_is_convinced(code: str, guess: str | None) -> None:
    assert guess_language(code) == guess


def palette() -> Palette:
    plain = Style()
    return Palette(plain, Style(underline=True), Style(bold=True), Style(dim=True),
                   Style(bold=True), Style(dim=True), VisualStyle.parse("white on black"),
                   Style(italic=True), Style(dim=True))


def target(wrap: bool = False) -> tuple[Target, list[str]]:
    links: list[str] = []

    def index(url: str) -> int:
        links.append(url)
        return len(links) - 1

    return Target(Console(width=200), palette(), wrap, index), links


async def test_prose_wraps_code_stays_whole_and_links_are_judged() -> None:
    long_line = "x = " + "1" * 150
    md = (f"Some words that wrap at the width given. [web](https://example.com/a) "
          f"[share](smb://server/share) <javascript:alert(1)>\n\n```\n{long_line}\n```\n")
    async with App().run_test():  # highlighting resolves theme variables against an app
        out, links = target()
        lines = render(parse(md), 30, out)
        prose = [ln for ln in lines if ln.kind == "prose" and ln.text.plain.strip()]
        assert all(ln.text.cell_len <= 30 for ln in prose)
        code = [ln for ln in lines if ln.kind == "code"]
        assert [ln.text.plain for ln in code] == [long_line]  # not wrapped: it scrolls
        assert [ln.kind for ln in lines if ln.block] == ["label", "code"]
        assert links == ["https://example.com/a"]  # smb: and javascript: are only text
        text = " ".join(ln.text.plain for ln in prose)
        assert "share" in text and "javascript:alert(1)" in text
        folded, _ = target(wrap=True)
        code = [ln for ln in render(parse(md), 30, folded) if ln.kind == "code"]
        assert len(code) > 1 and "".join(ln.text.plain for ln in code) == long_line


async def test_quotes_lists_and_numbers() -> None:
    md = "> a quote\n\n1. one\n2. two\n\n```swift\n" + "\n".join(
        f"let a{i} = {i}" for i in range(12)) + "\n```\n"
    async with App().run_test():
        out, _ = target()
        lines = render(parse(md), 40, out)
        plain = [ln.text.plain for ln in lines]
        assert plain[0] == "▎ a quote"
        assert "1. one" in plain and "2. two" in plain
        label = next(ln for ln in lines if ln.kind == "label")
        assert "code 1 · Swift" in label.text.plain and "guessed" not in label.text.plain
        code = [ln for ln in lines if ln.kind == "code"]
        assert [ln.prefix.plain for ln in code][:2] == ["  1 │ ", "  2 │ "]  # 12 lines: numbered
        assert code[11].prefix.plain == " 12 │ "
        assert any(len(ln.text.spans) > 1 for ln in code)  # highlighted


def _thread(n: int) -> Thread:
    posts = [Post(1, PostKind.QUESTION, Author("q"), "", "question\n\n```\ncode 1\n```")]
    for i in range(2, n + 1):
        kind = PostKind.COMMENT if i % 5 == 0 else PostKind.ANSWER
        posts.append(Post(i, kind, Author(f"a{i}"), "", f"reply {i}\n\n```\ncode {i}\n```",
                          parent_id=i - 1 if kind is PostKind.COMMENT else None))
    return Thread(1, "A thread", "https://developer.apple.com/forums/thread/1", tuple(posts))


async def test_layout_is_lazy_numbers_code_in_order_and_finds() -> None:
    async with App().run_test() as pilot:
        chrome = Chrome(*[Style()] * 13)
        doc = ThreadDoc(_thread(50), Setup(pilot.app.console, palette(), chrome, 60),
                        frozenset())
        assert [i for i, item in enumerate(doc.items) if item.lines is not None] == [0]
        doc.ensure(0, 20)
        rendered = [i for i, item in enumerate(doc.items) if item.lines is not None]
        assert rendered == list(range(len(rendered))) and 2 < len(rendered) < 10
        assert doc.items[5].parent == 4  # a comment belongs to the reply above it
        number, blocks = doc.blocks_upto(30)[-1]
        assert number == 30 and blocks.code == "code 30"  # one block a post, counted in order
        matches = doc.find("Code 4")  # a capital: case matters, and there is no "Code 4"
        assert matches == [] and doc.complete
        matches = doc.find("code 4")
        assert [doc.items[m.item].post.id for m in matches] == [4, *range(40, 50)]  # type: ignore[union-attr]
        line = doc.line(matches[0].item, matches[0].line)
        assert line is not None and line.kind == "code"
        assert line.text.plain[matches[0].start:matches[0].end] == "code 4"
        before = doc.height
        doc.setup.width = 20
        doc.relayout()
        doc.render_all()
        assert doc.height >= before and isinstance(doc.items[0].lines[0].text, Text)  # type: ignore[index]


@pytest.mark.parametrize("width", range(20, 90))
def test_the_thread_header_keeps_each_count_with_its_word(width: int) -> None:
    from dataclasses import replace

    from nereader.core.models import Tag, ThreadStats
    from nereader.ui.widgets.post_lines import title_lines

    thread = replace(_thread(1), tags=(Tag("Network Extension", "networkextension"),
                                       Tag("Wi-Fi Aware", "wifi")),
                     stats=ThreadStats(85, 2, 8400, None, "8.4k"))
    chrome = Chrome(*[Style()] * 13)
    lines = [ln.text.plain for ln in title_lines(thread, None, width, Console(width=200),
                                                 chrome)]
    meta = [ln for ln in lines[1:-1] if ln]
    joined = " ".join(meta)
    for words in ("85 replies", "2 boosts", "8.4k views", "Network Extension", "Wi-Fi Aware"):
        assert any(words in ln for ln in meta), (width, meta)
    assert all(len(ln) <= width for ln in meta)
    # Nothing lost (a line's closing mark gives way when the line is full).
    assert "".join(c for c in joined if c not in " ·,") == \
        "NetworkExtensionWi-FiAware85replies2boosts8.4kviews"
