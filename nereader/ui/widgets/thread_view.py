"""The detail pane: a whole thread as lines, drawn only where seen, with the keys of a good
pager and what they ask for.

Posts are laid out lazily (``ThreadDoc``): what is on screen first, the rest a few posts at a
time after the first paint, so a thread of any length opens at once; the painter
(``thread_paint``) turns a laid-out line into a strip. Code blocks scroll sideways on their
own; comments fold under their reply. Finding is ``ThreadFind``'s. What leaves the thread (a
link followed, the trail back, the images) is said to the screen as a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.actions import SkipAction
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from nereader.core.export import post_links, thread_markdown
from nereader.core.models import Bookmark, Post, PostImage, PostKind, SinceLastRead, Thread
from nereader.core.text import plural
from nereader.core.urls import base_of, post_url, reply_form_url, web_url
from nereader.ui.clipboard import CopyRequested
from nereader.ui.external import Kind, show_text
from nereader.ui.focus import forward_typeahead
from nereader.ui.hints import hinted
from nereader.ui.trail import Place
from nereader.ui.widgets.markdown_lines import Palette, warm_up
from nereader.ui.widgets.post_lines import TEXT_ONLY, Chrome
from nereader.ui.widgets.thread_doc import Setup, ThreadDoc
from nereader.ui.widgets.thread_find import ThreadFind
from nereader.ui.widgets.thread_paint import Brushes, Painter, View
from nereader.ui.widgets.thread_select import highlight, selected_text
from nereader.ui.widgets.thread_view_keys import BINDINGS, COMPONENT_CLASSES, HELP

PLACEHOLDER = "Select a thread and press Enter to read it."
NOTHING_NEW = SinceLastRead()
STEP = 8  # columns a code block moves per ←/→


# Every key is the view's own: the scroll view's (page left/right ...) would only crowd help.
class ThreadView(ScrollView, can_focus=True, inherit_bindings=False):
    """Reads a thread (question, every reply page, comments under their replies) or shows a
    message instead; the current post; code blocks that scroll sideways."""

    HELP = HELP
    BINDINGS: ClassVar[list[BindingType]] = BINDINGS
    COMPONENT_CLASSES: ClassVar[set[str]] = COMPONENT_CLASSES

    class BookmarkRequested(Message):
        def __init__(self, thread_id: int) -> None:
            super().__init__()
            self.thread_id = thread_id

    class Back(Message):
        """The user wants the list again."""

    class OpenLinks(Message):
        def __init__(self, links: list[tuple[str, str]]) -> None:
            super().__init__()
            self.links = links

    class LinkClicked(Message):
        """A link in a post was clicked: the screen opens it (a forum thread in the app)."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    class TrailStep(Message):
        """Back (-1) or forward (1) along the trail of threads followed by their links."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    class ImagesRequested(Message):
        """The images of a post, to view from ``start``."""

        def __init__(self, images: tuple[PostImage, ...], start: int, title: str) -> None:
            super().__init__()
            self.images = images
            self.start = start
            self.title = title

    class FindRequested(Message):
        """``/`` in the thread: the pane opens its find bar."""

    # Set by the pane: opens the find bar within the key press, so keys typed right after
    # ``/`` reach the field (a message would arrive after them).
    open_find: Callable[[], None] | None = None

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.thread: Thread | None = None
        self.thread_id: int | None = None  # the thread shown, or the one that failed to open
        self.doc: ThreadDoc | None = None
        self.current = 0  # the current post (an index into thread.posts)
        self.wrap_code = False
        self.error: str | None = None  # "thread": the message shown says why one failed
        self.find = ThreadFind(self)
        self._message = Text(PLACEHOLDER)
        self._offsets: dict[int, int] = {}
        self._info: dict[int, tuple[int, int]] = {}
        self._copy_turn: dict[int, int] = {}
        self._strips: LRUCache[tuple[int, int], Strip] = LRUCache(1024)
        self._pinned_block = 0
        self._generation = 0
        self._jumping = False
        self._painter: Painter | None = None
        self._message_strips: list[Strip] = []
        # The comments folded in each thread, by post id: set by the screen to the app's, so
        # they stay folded for as long as the app runs.
        self.folds: dict[int, frozenset[int]] = {}
        self.jump_to_new = True  # a thread read before opens at its first new post

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        # The first thread would otherwise pay for loading the highlighter's lexers.
        self.call_after_refresh(self.run_worker, warm_up, thread=True, group="warm-up")

    def _theme_changed(self, _theme: object) -> None:
        self.call_after_refresh(self._restyle)

    def _restyle(self) -> None:
        self._painter, self._message_strips = None, []
        if self.doc is not None:
            setup = self.doc.setup
            self.doc.setup = self._setup(setup.now, setup.bookmark, setup.since)
            self.relayout()

    # -- styles ----------------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        """A style of the view's, resolved against its background (theme colours with alpha,
        such as ``$text-muted``, need one)."""
        return self.get_component_rich_style(f"thread-view--{name}")

    def _setup(self, now: datetime | None, bookmark: Bookmark | None,
               since: datetime | None = None) -> Setup:
        s = self._style
        palette = Palette(Style(), s("link"), s("code-inline"), s("quote"), s("heading"),
                          s("rule"), self.get_visual_style("thread-view--code"),
                          s("code-label"), s("code-number"))
        chrome = Chrome(s("title"), s("meta"), s("mark"), s("label"), s("header"), s("staff"),
                        s("accepted"), s("badge"), s("new"), s("locked"), s("rule"),
                        s("banner"), s("link"))
        return Setup(self.app.console, palette, chrome, self._width(), self.wrap_code, now,
                     bookmark, since, hinted(self, TEXT_ONLY))

    @property
    def painter(self) -> Painter:
        if self._painter is None:
            s = self._style
            self._painter = Painter(self.app.console, Brushes(
                self.rich_style, s("bar"), s("bar-current"), s("bar-staff"), s("bar-accepted"),
                s("bar-new"), s("code"), s("clip"), s("hint"), s("match"),
                s("match-current")))
        return self._painter

    def _width(self) -> int:
        return self.scrollable_content_region.width or 80

    # -- what is shown ---------------------------------------------------------------------------
    def show_thread(self, thread: Thread, now: datetime, focus_post: int | None = None,
                    news: SinceLastRead = NOTHING_NEW, bookmark: Bookmark | None = None,
                    keep_place: bool = False, place: Place | None = None) -> None:
        """Show a thread at its top, at ``focus_post`` (any post or comment id), at its first
        post new since it was last read (``news``), at a ``place`` of the trail, or
        (``keep_place``, the same thread again) where the reader was."""
        same = self.thread is not None and self.thread.id == thread.id
        here = self._place() if keep_place and same else None
        if place is not None and place.thread_id != thread.id:
            place = None
        marked, since = set(news.posts), news.since
        if not marked and place is not None and place.new:  # read moments ago: as it was
            marked, since = set(place.new), place.since
        if here is not None and self.doc is not None:  # the same thread again: what was
            kept = {item.post.id for item in self.doc.items if item.new and item.post}
            if kept:  # new stays new (and since the same reading), the refresh's join it
                marked, since = marked | kept, self.doc.setup.since
        self.find.end(restore=False)
        self.thread, self.thread_id, self.error = thread, thread.id, None
        self.doc = ThreadDoc(thread, self._setup(now, bookmark, since), frozenset(marked),
                             self.folds.get(thread.id, frozenset()))
        self._offsets, self._info, self._copy_turn, self._pinned_block = {}, {}, {}, 0
        self.current = 0
        if focus_post is None and news.posts and self.jump_to_new and place is None:
            focus_post = news.posts[0]  # what is new is what the reader came (or refreshed) for
        target = self.doc.index_of.get(focus_post or -1)
        self.changed()
        if target is not None:
            self.goto(target - 1)
        elif place is not None:
            self._return_to(place.current or thread.id, place.top, place.line)
        elif here is not None:
            self._return_to(*here)
        else:
            self._jump_to(0)
        self._later()

    def _later(self) -> None:
        """Render the rest in the background, starting just after the first paint."""
        self._generation += 1
        self.set_timer(0.02, partial(self._background, self._generation))

    def _place(self) -> tuple[int, int, int] | None:
        """Where the reader is, by post ids (they survive a new copy of the thread): the
        current post, the post at the top and the line within it."""
        if self.doc is None or self.current_post is None:
            return None
        index, line = self.doc.locate(round(self.scroll_y))
        top = self.doc.items[index].post
        return self.current_post.id, top.id if top else -1, line

    def place(self) -> Place | None:
        """Where the reader is in the thread shown, for the trail (None: no thread)."""
        if self.thread is None or self.doc is None:
            return None
        spot = self._place()
        current, top, line = spot if spot is not None else (None, -1, 0)
        new = frozenset(item.post.id for item in self.doc.items
                        if item.new and item.post is not None)
        return Place(self.thread.id, current, top, line, new, self.doc.setup.since)

    def return_to(self, place: Place) -> None:
        """Go back to ``place`` in the thread shown (a link within it was followed)."""
        if self.doc is not None and self.thread is not None and place.thread_id == self.thread.id:
            self._return_to(place.current or self.thread.id, place.top, place.line)
            self.changed()

    def _return_to(self, current: int, top: int, line: int) -> None:
        assert self.doc is not None
        index = self.doc.index_of.get(current)
        if index is not None:
            self.current = index - 1
        start = self.doc.index_of.get(top, 0)
        if self.doc.items[start].hidden:  # folded since: its reply's fold line
            start = self.doc.items[start].parent or 0
            line = self.doc.items[start].height - 1
        self.doc.ensure(self.doc.starts[start], self.doc.starts[start] + 1)
        self._restore((start, line))

    def show_message(self, message: str, error: str | None = None,
                     thread_id: int | None = None) -> None:
        """A message instead of a thread; ``error`` says what failed ("thread"), and
        ``thread_id`` which one (``r`` retries it)."""
        self.find.end(restore=False)
        self.thread, self.doc, self.error = None, None, error
        self.thread_id = thread_id
        self._message, self._message_strips = Text(message), []
        self.virtual_size = Size(self._width(), 1)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def clear_error(self) -> None:
        """Something else was opened: an error about what was there before is stale."""
        if self.error is not None:
            self.show_message(PLACEHOLDER)

    def set_bookmark(self, bookmark: Bookmark | None) -> None:
        if self.doc is not None and self.doc.setup.bookmark != bookmark:
            self.doc.setup.bookmark = bookmark
            self.relayout()

    def relayout(self) -> None:
        """Render again at the current width and wrapping, keeping the reader's place."""
        if self.doc is None:
            self.refresh()
            return
        anchor = self.doc.locate(round(self.scroll_y))
        self.doc.setup.width, self.doc.setup.wrap_code = self._width(), self.wrap_code
        self.doc.relayout()
        self._info = {}
        self.find.refresh_matches()
        self.changed()
        self._restore(anchor)
        self._later()

    def on_resize(self, event: events.Resize) -> None:
        if self.doc is not None and self.doc.setup.width != self._width():
            self.relayout()
        else:
            self.refresh()

    # -- laying out and scrolling ----------------------------------------------------------------
    def changed(self) -> None:
        """Some state that painting depends on changed: forget painted lines."""
        self._strips.clear()
        if self.doc is not None:
            self.virtual_size = Size(self._width(), self.doc.height)
        self.refresh()

    def _restore(self, anchor: tuple[int, int]) -> None:
        assert self.doc is not None
        index, line = anchor
        self._jump_to(self.doc.starts[index] + max(0, min(line, self.doc.items[index].height - 1)))

    def _jump_to(self, y: int) -> None:
        self._jumping = True
        try:
            self._ensure_visible(y)
            self.scroll_to(y=y, animate=False, immediate=True, force=True)
            self._ensure_visible(round(self.scroll_y))
        finally:
            self._jumping = False

    def _ensure_visible(self, top: int | None = None) -> None:
        """Render the posts on screen (their estimated heights become real ones)."""
        doc = self.doc
        if doc is None:
            return
        top = round(self.scroll_y) if top is None else top
        height = doc.height
        doc.ensure(top, top + max(self.size.height, 1))
        if doc.height != height:
            self.virtual_size = Size(self._width(), doc.height)

    def watch_scroll_y(self, old: float, new: float) -> None:
        if self.doc is not None:
            self._ensure_visible(round(new))
            if not self._jumping:
                self._follow_scroll(round(new))
        super().watch_scroll_y(old, new)

    def _follow_scroll(self, top: int) -> None:
        """The current post follows the reader: once it is off screen, the top post is."""
        assert self.doc is not None
        if not self.size.height or len(self.doc.items) < 2:  # hidden, or no posts
            return
        start = self.doc.starts[self.current + 1]
        end = start + self.doc.items[self.current + 1].height
        if end <= top or start >= top + self.size.height:
            index, _ = self.doc.locate(top)
            self._set_current(max(index, 1) - 1)

    def _background(self, generation: int) -> None:
        """Render a few more posts, keeping what is on screen in place, until all are."""
        doc = self.doc
        if generation != self._generation or doc is None or doc.complete:
            return
        anchor = doc.locate(round(self.scroll_y))
        done = doc.render_some(0.008)
        self.virtual_size = Size(self._width(), doc.height)  # before scrolling: it bounds it
        if any(index < anchor[0] for index in done):
            self._restore(anchor)
        self.set_timer(0.001, partial(self._background, generation))

    # -- painting --------------------------------------------------------------------------------
    def _block_info(self, number: int) -> tuple[int, int]:
        if number not in self._info:
            assert self.doc is not None
            _index, lines = self.doc.block_lines(number)
            prefix = max((ln.prefix.cell_len for ln in lines), default=0)
            self._info[number] = (prefix, max((ln.text.cell_len for ln in lines), default=0))
        return self._info[number]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self.doc is None:
            return self._message_line(y, width)
        at = round(self.scroll_y) + y
        strip = self._painted(at).apply_offsets(0, at)  # where the mouse selects
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(at)) is not None:
            style = self.screen.get_component_rich_style("screen--selection")
            strip = highlight(strip, span, style)
        return strip

    def _painted(self, at: int) -> Strip:
        """Line ``at`` of the thread as painted (kept until what painting depends on changes)."""
        doc, width = self.doc, self.scrollable_content_region.width
        if doc is None or at >= doc.height:
            return Strip.blank(width, self.rich_style)
        key = doc.locate(at)
        strip = self._strips.get(key)
        if strip is None:
            line = doc.line(*key)
            if line is None:  # not rendered yet: it will be
                self.call_later(self._ensure_visible)
                return Strip.blank(width, self.rich_style)
            view = View(width, self.current + 1, self._block_info, self._offsets,
                        self.find.marks)
            strip = self.painter.paint(doc, key[0], key[1], line, view)
            self._strips[key] = strip
        return strip

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        if self.doc is None:
            return None
        return selected_text(self.doc, selection, self._painted), "\n"

    def _message_line(self, y: int, width: int) -> Strip:
        """A line of the message shown instead of a thread (wrapped once per width)."""
        if not self._message_strips or self._message_strips[0].cell_length != width:
            style = self._style("error" if self.error else "message")
            lines = self._message.wrap(self.app.console, max(8, width - 4))
            self._message_strips = [Strip.blank(width, self.rich_style)] + [
                self.painter.strip(Text("  ", end="") + line).adjust_cell_length(
                    width, self.rich_style).apply_style(style) for line in lines]
        strips = self._message_strips
        return strips[y] if 0 <= y < len(strips) else Strip.blank(width, self.rich_style)

    # -- posts -----------------------------------------------------------------------------------
    @property
    def posts(self) -> list[Post]:
        return list(self.thread.posts) if self.thread else []

    @property
    def current_post(self) -> Post | None:
        posts = self.posts
        return posts[self.current] if 0 <= self.current < len(posts) else None

    def _set_current(self, index: int) -> None:
        if index != self.current:
            self.current = index
            self.changed()

    def goto(self, index: int) -> None:
        """Make post ``index`` current and bring its top to the top of the view (a comment
        folded under its reply is unfolded first)."""
        if self.doc is None or not self.posts:
            return
        index = max(0, min(index, len(self.posts) - 1))
        self.reveal(index + 1)
        self._set_current(index)
        self._jump_to(self.doc.starts[self.current + 1] + 1)
        self.changed()

    def _visible(self, index: int, step: int) -> int | None:
        """The first post from ``index`` on (``step`` 1: down, -1: up) that is not folded
        away; None past either end."""
        assert self.doc is not None
        while 0 <= index < len(self.posts):
            if not self.doc.items[index + 1].hidden:
                return index
            index += step
        return None

    # -- folding comments ------------------------------------------------------------------------
    def reveal(self, item: int) -> None:
        """Unfold the comments item ``item`` is folded among (what find or a jump lands in)."""
        doc = self.doc
        if doc is not None and doc.items[item].hidden and doc.items[item].parent is not None:
            self._set_folded([doc.items[item].parent], False)  # type: ignore[list-item]

    def _set_folded(self, items: list[int], folded: bool) -> bool:
        """Fold or unfold the comments under ``items``, the reader's place kept (a place
        folded away moves to its reply's fold line); False when nothing changed."""
        doc, thread = self.doc, self.thread
        if doc is None or thread is None:
            return False
        index, line = doc.locate(round(self.scroll_y))
        changed = [i for i in items if doc.set_folded(i, folded)]
        if not changed:
            return False
        self.folds[thread.id] = doc.folded
        if doc.items[index].hidden:
            index = doc.items[index].parent or 0
            line = doc.items[index].height - 1
        current = doc.items[self.current + 1]
        if current.hidden and current.parent is not None:
            self.current = current.parent - 1
        self._info = {}
        self.changed()
        self._restore((index, line))
        return True

    def action_fold(self) -> None:
        """z: fold or unfold the comments under the post in view (a comment's: its reply's)."""
        doc = self.doc
        if doc is None or self._one_post("it has no comments to fold"):
            return
        index = self.current + 1
        parent = doc.items[index].parent
        index = parent if parent is not None else index
        if not doc.items[index].comments:
            self.notify("This post has no comments to fold.", timeout=2)
            return
        self._set_folded([index], not doc.is_folded(index))

    def action_fold_all(self) -> None:
        """Z: fold every post's comments, or (all folded) unfold them all."""
        doc = self.doc
        if doc is None or self._one_post("it has no comments to fold"):
            return
        under = [i for i, item in enumerate(doc.items) if item.comments]
        if not under:
            self.notify("No post in this thread has comments.", timeout=2)
            return
        folding = not all(doc.is_folded(i) for i in under)
        self._set_folded(under, folding)
        comments = sum(len(doc.items[i].comments) for i in under)
        self.notify(f"{plural(comments, 'comment')} folded under {plural(len(under), 'post')}."
                    if folding else f"{plural(comments, 'comment')} shown.", timeout=2)

    def action_fold_at(self, item: int) -> None:
        """A click on a fold line: the comments under that reply again."""
        if self.doc is not None and 0 <= item < len(self.doc.items):
            self._set_folded([item], False)

    def _one_post(self, why: str) -> bool:
        """A page read as text has one post: a key about posts says so (True) and does
        nothing."""
        if self.thread is not None and self.thread.degraded:
            self.notify(f"This page was read as text, as one post: {why}. o opens it in the "
                        "browser.", timeout=4, markup=False)
            return True
        return False

    def goto_post(self, post_id: int) -> bool:
        """Make any post or comment current, by id; False when the thread has no such post."""
        index = self.doc.index_of.get(post_id) if self.doc is not None else None
        if index is not None:
            self.goto(index - 1)
        return index is not None

    def scroll_to_line(self, y: int, index: int | None = None, top: bool = False) -> None:
        """Bring line ``y`` into view (at the top, or a third down when it is off screen);
        ``index``: the item there becomes the current post."""
        first, height = round(self.scroll_y), self.size.height
        if top:
            self._jump_to(y)
        elif not first <= y < first + height:
            self._jump_to(max(0, y - height // 3))
        if index is not None and index > 0:
            self._set_current(index - 1)

    # -- code blocks -----------------------------------------------------------------------------
    def active_block(self) -> int:
        """The code block ←/→ move: the one clicked last if on screen, else the first on
        screen in the current post, else the first on screen."""
        if self.doc is None:
            return 0
        seen: list[tuple[int, int]] = []
        top = round(self.scroll_y)
        for y in range(top, min(top + self.size.height, self.doc.height)):
            index, n = self.doc.locate(y)
            line = self.doc.line(index, n)
            if line is not None and line.block and (index, line.block) not in seen:
                seen.append((index, line.block))
        blocks = [b for _, b in seen]
        if self._pinned_block in blocks:
            return self._pinned_block
        mine = [b for i, b in seen if i == self.current + 1]
        return (mine or blocks or [0])[0]

    def block_window(self, number: int) -> tuple[int, int]:
        """The first column of code block ``number`` on screen, and how many columns show."""
        prefix, _widest = self._block_info(number)
        space = max(1, self._width() - self._indent_of(number) - prefix)
        return self._offsets.get(number, 0), space

    def scroll_block(self, number: int, delta: int | None = None, to: int | None = None) -> bool:
        """Move a code block sideways; False when there was nowhere to go."""
        if not number or self.doc is None or self.wrap_code:
            return False
        old, space = self.block_window(number)
        widest = self._block_info(number)[1]
        new = max(0, min(widest - space, to if to is not None else old + (delta or 0)))
        self._offsets[number] = new
        if new != old:
            self.changed()
        return new != old

    def _indent_of(self, number: int) -> int:
        assert self.doc is not None
        index, _ = self.doc.block_lines(number)
        return self.doc.indent(index) if index >= 0 else 0

    # -- keys ------------------------------------------------------------------------------------
    def key_slash(self, event: events.Key) -> None:
        # Here rather than as the binding alone: a binding runs once the key has bubbled up
        # to the app, after the keys typed behind it; "/kernel" must find "kernel".
        event.stop()
        self.action_find()

    def on_key(self, event: events.Key) -> None:
        forward_typeahead(self, event)  # keys typed after "/" belong to the find field

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_match", "previous_match", "end_find"):
            return self.find.active  # n, N and esc are the find's only while one is active
        return True

    # -- moving ----------------------------------------------------------------------------------
    def action_next_post(self) -> None:
        self._step(1)

    def action_previous_post(self) -> None:
        self._step(-1)

    def _step(self, step: int) -> None:
        if self.doc is None or self._one_post("there are no posts to move between"):
            return
        index = self._visible(self.current + step, step)
        if index is not None:
            self.goto(index)

    def action_accepted(self) -> None:
        if self._one_post("no accepted answer can be told apart"):
            return
        index = next((i for i, p in enumerate(self.posts) if p.accepted), None)
        if index is None:
            self.notify("This thread has no accepted answer.")
        else:
            self.goto(index)

    def action_next_new(self) -> None:
        """U: the next post new since the thread was last read. Past the last one (or with
        none) the key goes on to the screen's U, the next unread thread: reading what is new
        is one key, post after post, then thread after thread."""
        doc = self.doc
        if doc is None or (self.thread is not None and self.thread.degraded):
            raise SkipAction()
        after = [i - 1 for i, item in enumerate(doc.items) if item.new and i - 1 > self.current]
        if not after:
            raise SkipAction()
        self.goto(after[0])

    def action_line(self, delta: int) -> None:
        self.scroll_to(y=self.scroll_y + delta, animate=False, immediate=True)

    def action_page(self, pages: int) -> None:
        self.action_line(pages * max(1, self.size.height - 2))

    def action_end(self, last: bool) -> None:
        if last and self.posts:
            self.goto(self._visible(len(self.posts) - 1, -1) or 0)
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        else:
            self.goto(0)
            self.scroll_to(y=0, animate=False, immediate=True)

    def action_sideways(self, columns: int) -> None:
        """←/→ move the code block in view sideways (shift: by half a screen)."""
        step = columns if abs(columns) < 100 else (columns // abs(columns)) * self.size.width // 2
        if not self.scroll_block(self.active_block(), step) and self.wrap_code:
            self.notify("Long lines are wrapped (w: scroll them instead).", timeout=2)

    def action_toggle_wrap(self) -> None:
        self.wrap_code = not self.wrap_code
        self._offsets.clear()  # folded lines have no columns to scroll
        self.relayout()
        self.notify("Long code lines wrap." if self.wrap_code
                    else "Long code lines scroll with ←/→.", timeout=2)

    # -- finding ---------------------------------------------------------------------------------
    def action_find(self) -> None:
        if self.doc is None:
            self.notify("Open a thread first.")
            return
        self.find.begin()
        if self.open_find is not None:
            self.open_find()  # at once: the next key typed belongs to the find field
        else:
            self.post_message(self.FindRequested())

    def action_next_match(self) -> None:
        self.find.step(1)

    def action_previous_match(self) -> None:
        self.find.step(-1)

    def action_end_find(self) -> None:
        self.find.end(restore=False)

    def action_back(self) -> None:
        if self.find.active:
            self.find.end(restore=False)
        else:
            self.post_message(self.Back())

    # -- mouse -----------------------------------------------------------------------------------
    def _at(self, event: events.MouseEvent) -> tuple[int, int] | None:
        offset = event.get_content_offset(self)
        if offset is None or self.doc is None:
            return None
        return self.doc.locate(round(self.scroll_y) + offset.y)

    def on_click(self, event: events.Click) -> None:
        at = self._at(event)
        if at is not None and at[0] > 0 and self.doc is not None:
            line = self.doc.line(*at)
            self._pinned_block = line.block if line is not None else 0
            if not self.doc.items[at[0]].hidden:
                self._set_current(at[0] - 1)

    def _sideways(self, event: events.MouseEvent, delta: int) -> None:
        at = self._at(event)
        line = self.doc.line(*at) if at is not None and self.doc else None
        if line is not None and line.block and self.scroll_block(line.block, delta):
            event.prevent_default()
            event.stop()

    def on_mouse_scroll_right(self, event: events.MouseScrollRight) -> None:
        self._sideways(event, STEP)

    def on_mouse_scroll_left(self, event: events.MouseScrollLeft) -> None:
        self._sideways(event, -STEP)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        if event.shift or event.ctrl:
            self._sideways(event, STEP)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if event.shift or event.ctrl:
            self._sideways(event, -STEP)

    # -- copying ---------------------------------------------------------------------------------
    def _copy_block(self, number: int) -> None:
        assert self.doc is not None
        blocks = self.doc.blocks_upto(number)
        if len(blocks) < number:
            self.notify(f"There is no code block {number} in this thread.")
            return
        block = blocks[number - 1][1]
        lines = block.code.count("\n") + 1
        language = block.info.split()[0] if block.info.strip() else ""
        self.post_message(CopyRequested(block.code, f"code {number} ({plural(lines, 'line')}"
                                        f"{', ' + language if language else ''})"))

    def action_copy_code(self) -> None:
        post = self.current_post
        if post is None or self.doc is None:
            return
        index = self.current + 1
        self.doc.parse_upto(index)
        item = self.doc.items[index]
        if not item.blocks:
            self.notify("No code block in this post; 1-9 copy a numbered block.")
            return
        turn = self._copy_turn.get(post.id, 0)
        self._copy_turn[post.id] = turn + 1
        self._copy_block(item.first_block + turn % len(item.blocks))

    def action_copy_numbered(self, number: int) -> None:
        if self.doc is not None:
            self._copy_block(number)

    @property
    def blocks(self) -> list[tuple[int, str, str]]:
        """Every code block of the thread: (post id, language, code)."""
        if self.doc is None:
            return []
        found = self.doc.blocks_upto(10**9)
        return [(self.doc.items[i].post.id, b.info, b.code)  # type: ignore[union-attr]
                for i, b in found]

    # -- opening ---------------------------------------------------------------------------------
    def post_url(self) -> str | None:
        if self.thread is None:
            return None
        post = self.current_post
        if post is None or post.kind is PostKind.QUESTION:
            return self.thread.url
        return post_url(self.thread.id, post.id, base_of(self.thread.url))

    def action_open_browser(self) -> None:
        url = web_url(self.post_url())
        if url:
            self.app.open_url(url)  # the app says how it went

    def action_copy_url(self) -> None:
        url = self.post_url()
        if url:
            self.post_message(CopyRequested(url, url))

    def action_open_link(self, number: int) -> None:
        """A click on a link in a post (only safe links are made clickable): the screen opens
        it, a forum thread in the app, anything else in the browser."""
        links = self.doc.links if self.doc else []
        url = web_url(links[number]) if 0 <= number < len(links) else None
        if url:
            self.post_message(self.LinkClicked(url))

    def action_trail(self, step: int) -> None:
        self.post_message(self.TrailStep(step))

    def action_reply(self) -> None:
        """R: the thread's reply form on the site, in the browser (or the URL to copy)."""
        thread = self.thread
        if thread is not None:
            self.app.open_url(reply_form_url(thread.id, thread.total_pages, base_of(thread.url)))

    def action_images(self, item: int = -1, start: int = 0) -> None:
        """i: the current post's images (a click on one: that post's, from that image)."""
        doc = self.doc
        if doc is None:
            return
        index = item if 0 < item < len(doc.items) else self.current + 1
        post = doc.items[index].post
        if post is None or not post.images:
            self.notify("This post has no images.", timeout=2)
            return
        if index != self.current + 1:
            self._set_current(index - 1)
        number = doc.items[index].number
        title = {PostKind.QUESTION: "the question", PostKind.ANSWER: f"reply {number}",
                 PostKind.COMMENT: "a comment"}[post.kind]
        self.post_message(self.ImagesRequested(post.images, start, title))

    def action_links(self) -> None:
        post = self.current_post
        if post is None:
            return
        links = [(text, url) for text, href in post_links(post) if (url := web_url(href))]
        if not links:
            self.notify("This post has no links.")
            return
        self.post_message(self.OpenLinks(links))

    def action_external(self, kind: Kind) -> None:
        """The thread as Markdown in $PAGER or $EDITOR, at the current post; back here after."""
        thread = self.thread
        if thread is None:
            return
        line = markdown_line(thread, self.current)
        self.run_worker(show_text(self.app, kind, thread_markdown(thread), str(thread.id), line),
                        group="external", exclusive=True)

    def action_bookmark(self) -> None:
        if self.thread is not None:
            self.post_message(self.BookmarkRequested(self.thread.id))


def markdown_line(thread: Thread, index: int) -> int:
    """The line (from 1) of post ``index``'s heading in ``thread_markdown(thread)``."""
    if index <= 0:
        return 1
    before = thread_markdown(replace(thread, posts=thread.posts[:index]))
    return before.count("\n") + 2  # a blank line, then the heading
