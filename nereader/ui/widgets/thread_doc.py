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
from nereader.ui.widgets.post_lines import (
    TEXT_ONLY,
    Chrome,
    News,
    fold_line,
    header_lines,
    image_lines,
    title_lines,
)

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
    since: datetime | None = None  # when the thread was last read (its new posts' "since")
    text_only: str = TEXT_ONLY  # what a page read as text says, as the app words it


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
    height: int = 1  # 0 while hidden (a comment folded under its reply)
    comments: list[int] = field(default_factory=list)  # its comments' item indices
    hidden: bool = False
    fold: Line | None = None  # "▸ 2 comments" under a reply whose comments are folded


@dataclass(frozen=True, slots=True)
class Match:
    item: int
    line: int
    start: int  # character offsets in the line's text
    end: int


class ThreadDoc:
    """The items of one thread and where their lines fall."""

    def __init__(self, thread: Thread, setup: Setup, new_posts: frozenset[int],
                 folded: frozenset[int] = frozenset()) -> None:
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
            if parent is not None:
                self.items[parent].comments.append(len(self.items))
            self.items.append(Item(post, number, parent, post.id in new_posts))
        self.index_of = by_id
        self._starts: list[int] = []
        self.query = ""
        self.matches: list[Match] = []
        for index, item in enumerate(self.items):
            if item.post is not None and item.post.id in folded:
                self._fold(index, True)
        self.relayout()

    def _last_answer(self) -> int | None:
        return next((i for i in range(len(self.items) - 1, 0, -1)
                     if self.items[i].post is not None
                     and self.items[i].post.kind is PostKind.ANSWER), None)  # type: ignore[union-attr]

    # -- layout ----------------------------------------------------------------------------------
    def relayout(self) -> None:
        """Forget every rendering (the width, wrapping, theme or bookmark changed)."""
        for index, item in enumerate(self.items):
            item.lines = None
            if item.fold is not None:
                item.fold = self._fold_line(index)
            item.height = self._measure(item)
        self._starts = []
        self.render(0)

    def _measure(self, item: Item) -> int:
        """An item's height: its lines (estimated until rendered), the fold line, or none."""
        if item.hidden:
            return 0
        body = len(item.lines) if item.lines is not None else self._estimate(item)
        return body + (item.fold is not None)

    # -- folding comments ------------------------------------------------------------------------
    @property
    def folded(self) -> frozenset[int]:
        """The ids of the posts whose comments are folded."""
        return frozenset(item.post.id for item in self.items
                         if item.fold is not None and item.post is not None)

    def is_folded(self, index: int) -> bool:
        return self.items[index].fold is not None

    def set_folded(self, index: int, folded: bool) -> bool:
        """Fold (or unfold) the comments under item ``index``; False when nothing changed."""
        if not self._fold(index, folded):
            return False
        for n in [index, *self.items[index].comments]:
            self.items[n].height = self._measure(self.items[n])
        self._starts = []
        return True

    def _fold(self, index: int, folded: bool) -> bool:
        item = self.items[index]
        if not item.comments or (item.fold is not None) == folded:
            return False
        for n in item.comments:
            self.items[n].hidden = folded
        item.fold = self._fold_line(index) if folded else None
        return True

    def _fold_line(self, index: int) -> Line:
        item = self.items[index]
        return fold_line(len(item.comments), sum(self.items[n].new for n in item.comments),
                         index, self.setup.chrome)

    def indent(self, index: int) -> int:
        item = self.items[index]
        if item.post is None:
            return 0
        return GUTTER + (COMMENT_INDENT + GUTTER if item.parent is not None else 0)

    def _estimate(self, item: Item) -> int:
        if item.post is None:
            return 4 + 2 * self.thread.degraded
        inset = GUTTER + (COMMENT_INDENT + GUTTER if item.parent is not None else 0)
        width = max(8, self.setup.width - inset)
        text = item.post.body_markdown or " "
        return 3 + len(item.post.images) + sum(1 + len(line) // width
                                               for line in text.split("\n"))

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
        item = self.items[index]
        lines = item.lines
        if lines is None or n < 0:
            return None
        if n < len(lines):
            return lines[n]
        return item.fold if n == len(lines) else None

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
        now = setup.now or utc_now()
        if item.post is None:
            news = News(sum(i.new for i in self.items), setup.since, now)
            lines = title_lines(self.thread, setup.bookmark, width, setup.console, setup.chrome,
                                news, setup.text_only)
        else:
            self.parse_upto(index)
            assert item.tree is not None
            target = Target(setup.console, setup.palette, setup.wrap_code, self.link_index,
                            item.first_block)
            lines = [Line(_empty())]  # the gap above a post
            if not self.thread.degraded:  # its one post is the page's text: no author, no date
                lines += header_lines(item.post, item.number, item.new, now, width,
                                      setup.console, setup.chrome)
            lines += render(item.tree, width, target)
            lines += image_lines(item.post, index, width, setup.console, setup.chrome)
        item.lines = lines
        height = self._measure(item)
        changed = height != item.height
        item.height = height
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
