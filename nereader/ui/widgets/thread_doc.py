"""A thread laid out as lines, lazily: each post is parsed and rendered only when needed.

Posts not rendered yet stand in with an estimated height, so a thread of any length lays out at
once; the view renders what is on screen first and the rest a few posts at a time. Code blocks
are numbered across the thread ("code N") in order, so posts are parsed in order.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from markdown_it.tree import SyntaxTreeNode
from rich.console import Console
from rich.text import Text

from nereader.core.clock import utc_now
from nereader.core.models import Bookmark, Post, PostKind, Thread
from nereader.core.text import clean
from nereader.ui.widgets.markdown_lines import (
    CodeBlock,
    Line,
    Palette,
    Target,
    code_blocks,
    parse,
    render,
)
from nereader.ui.widgets.post_lines import Chrome, header_lines, title_lines

GUTTER = 2  # "▌ " before a post's lines
COMMENT_INDENT = 2  # a comment's bar sits this much further in than its reply's text


@dataclass(slots=True)
class Setup:
    """What rendering depends on: when any of it changes, posts are rendered again."""

    console: Console
    palette: Palette
    chrome: Chrome
    width: int = 80
    wrap_code: bool = False
    now: datetime | None = None
    bookmark: Bookmark | None = None


@dataclass(slots=True)
class Item:
    """The title block (``post`` None) or one post, with its lines once rendered."""

    post: Post | None
    number: int = 0  # a reply's number
    parent: int | None = None  # a comment's reply (an item index)
    new: bool = False
    tree: SyntaxTreeNode | None = None
    blocks: list[CodeBlock] = field(default_factory=list)
    first_block: int = 0  # the thread-wide number of its first code block, once parsed
    lines: list[Line] | None = None
    height: int = 1


@dataclass(frozen=True, slots=True)
class Match:
    item: int
    line: int
    start: int  # character offsets in the line's text
    end: int


class ThreadDoc:
    """The items of one thread and where their lines fall."""

    def __init__(self, thread: Thread, setup: Setup, new_posts: frozenset[int]) -> None:
        self.thread = thread
        self.setup = setup
        self.items: list[Item] = [Item(None)]
        self.links: list[str] = []
        self._link_numbers: dict[str, int] = {}
        self._parsed = 0
        self._next_block = 1
        by_id: dict[int, int] = {}
        number = 0
        for post in thread.posts:
            parent = None
            if post.kind is PostKind.ANSWER:
                number += 1
            elif post.kind is PostKind.COMMENT:
                parent = by_id.get(post.parent_id or -1, self._last_answer())
            by_id[post.id] = len(self.items)
            self.items.append(Item(post, number, parent, post.id in new_posts))
        self.index_of = by_id
        self._starts: list[int] = []
        self.query = ""
        self.matches: list[Match] = []
        self.relayout()

    def _last_answer(self) -> int | None:
        return next((i for i in range(len(self.items) - 1, 0, -1)
                     if self.items[i].post is not None
                     and self.items[i].post.kind is PostKind.ANSWER), None)  # type: ignore[union-attr]

    # -- layout ----------------------------------------------------------------------------------
    def relayout(self) -> None:
        """Forget every rendering (the width, wrapping, theme or bookmark changed)."""
        for item in self.items:
            item.lines = None
            item.height = self._estimate(item)
        self._starts = []
        self.render(0)

    def indent(self, index: int) -> int:
        item = self.items[index]
        if item.post is None:
            return 0
        return GUTTER + (COMMENT_INDENT + GUTTER if item.parent is not None else 0)

    def _estimate(self, item: Item) -> int:
        if item.post is None:
            return 4
        inset = GUTTER + (COMMENT_INDENT + GUTTER if item.parent is not None else 0)
        width = max(8, self.setup.width - inset)
        text = item.post.body_markdown or " "
        return 3 + sum(1 + len(line) // width for line in text.split("\n"))

    @property
    def starts(self) -> list[int]:
        if not self._starts:
            total, starts = 0, []
            for item in self.items:
                starts.append(total)
                total += item.height
            starts.append(total)
            self._starts = starts
        return self._starts

    @property
    def height(self) -> int:
        return self.starts[-1]

    def locate(self, y: int) -> tuple[int, int]:
        """The item at line ``y`` and the line within it."""
        starts = self.starts
        index = max(0, min(bisect_right(starts, y) - 1, len(self.items) - 1))
        return index, y - starts[index]

    def line(self, index: int, n: int) -> Line | None:
        lines = self.items[index].lines
        return lines[n] if lines is not None and 0 <= n < len(lines) else None

    # -- parsing and rendering -------------------------------------------------------------------
    def parse_upto(self, index: int) -> None:
        """Parse posts up to ``index`` (in order: code numbers count from the top)."""
        while self._parsed <= min(index, len(self.items) - 1):
            item = self.items[self._parsed]
            if item.post is not None:
                item.tree = parse(clean(item.post.body_markdown) or "*(empty post)*")
                item.blocks = code_blocks(item.tree)
                item.first_block = self._next_block
                self._next_block += len(item.blocks)
            self._parsed += 1

    def blocks_upto(self, count: int) -> list[tuple[int, CodeBlock]]:
        """The thread's first ``count`` code blocks, with the index of their post."""
        found: list[tuple[int, CodeBlock]] = []
        for index, item in enumerate(self.items):
            self.parse_upto(index)
            found += [(index, block) for block in item.blocks]
            if len(found) >= count:
                break
        return found[:count]

    def link_index(self, url: str) -> int:
        if url not in self._link_numbers:
            self._link_numbers[url] = len(self.links)
            self.links.append(url)
        return self._link_numbers[url]

    def render(self, index: int) -> bool:
        """Render one item if it is not yet; True when its height changed."""
        item = self.items[index]
        if item.lines is not None:
            return False
        setup = self.setup
        width = setup.width - self.indent(index)
        if item.post is None:
            lines = title_lines(self.thread, setup.bookmark, width, setup.console, setup.chrome)
        else:
            self.parse_upto(index)
            assert item.tree is not None
            target = Target(setup.console, setup.palette, setup.wrap_code, self.link_index,
                            item.first_block)
            lines = [Line(_empty())]  # the gap above a post
            lines += header_lines(item.post, item.number, item.new, setup.now or utc_now(),
                                  width, setup.console, setup.chrome)
            lines += render(item.tree, width, target)
        item.lines = lines
        changed = len(lines) != item.height
        item.height = len(lines)
        if changed:
            self._starts = []
        return changed

    def ensure(self, top: int, bottom: int) -> None:
        """Render every item with a line in ``[top, bottom)``."""
        index, _ = self.locate(top)
        while index < len(self.items) and self.starts[index] < bottom:
            self.render(index)
            index += 1

    @property
    def complete(self) -> bool:
        return all(item.lines is not None for item in self.items)

    def render_some(self, budget: float) -> list[int]:
        """Render items in order for about ``budget`` seconds; the ones rendered."""
        done: list[int] = []
        deadline = time.perf_counter() + budget
        for index, item in enumerate(self.items):
            if item.lines is None:
                self.render(index)
                done.append(index)
                if time.perf_counter() > deadline:
                    break
        return done

    def render_all(self) -> None:
        for index in range(len(self.items)):
            self.render(index)

    # -- finding ---------------------------------------------------------------------------------
    def find(self, query: str) -> list[Match]:
        """Every match of ``query`` in the rendered text, top to bottom; case matters only
        when the query has a capital letter (as in less -i and vim's smartcase)."""
        self.query = query
        self.matches = []
        if not query:
            return self.matches
        self.render_all()
        flags = 0 if any(c.isupper() for c in query) else re.IGNORECASE
        pattern = re.compile(re.escape(query), flags)
        for index, item in enumerate(self.items):
            for n, line in enumerate(item.lines or ()):
                if line.kind == "label":
                    continue
                self.matches += [Match(index, n, m.start(), m.end())
                                 for m in pattern.finditer(line.text.plain)]
        return self.matches

    def block_lines(self, number: int) -> tuple[int, list[Line]]:
        """The item holding code block ``number`` and the block's code lines."""
        for index, item in enumerate(self.items):
            if item.first_block <= number < item.first_block + len(item.blocks):
                self.render(index)
                return index, [ln for ln in item.lines or () if ln.block == number
                               and ln.kind == "code"]
        return -1, []


def _empty() -> Text:
    return Text(end="")
