"""The detail pane: a whole thread with the keys of a good pager, and what they ask for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import ClassVar

from textual import events
from textual.binding import BindingType
from textual.message import Message

from nereader.core.export import post_links, thread_markdown
from nereader.core.models import PostKind, Thread
from nereader.core.text import plural
from nereader.core.urls import base_of, post_url, web_url
from nereader.ui.clipboard import CopyRequested
from nereader.ui.external import Kind, show_text
from nereader.ui.focus import forward_typeahead
from nereader.ui.widgets.thread_reader import STEP, ThreadReader
from nereader.ui.widgets.thread_view_keys import BINDINGS, COMPONENT_CLASSES, HELP


# Every key is the view's own: the scroll view's (page left/right ...) would only crowd help.
class ThreadView(ThreadReader, inherit_bindings=False):
    """Reads a thread: question, every reply page, comments under their replies."""

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

    class FindRequested(Message):
        """``/`` in the thread: the pane opens its find bar."""

    # Set by the pane: opens the find bar within the key press, so keys typed right after
    # ``/`` reach the field (a message would arrive after them).
    open_find: Callable[[], None] | None = None

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
        self.goto(self.current + 1)

    def action_previous_post(self) -> None:
        self.goto(self.current - 1)

    def action_accepted(self) -> None:
        index = next((i for i, p in enumerate(self.posts) if p.accepted), None)
        if index is None:
            self.notify("This thread has no accepted answer.")
        else:
            self.goto(index)

    def action_line(self, delta: int) -> None:
        self.scroll_to(y=self.scroll_y + delta, animate=False, immediate=True)

    def action_page(self, pages: int) -> None:
        self.action_line(pages * max(1, self.size.height - 2))

    def action_end(self, last: bool) -> None:
        if last and self.posts:
            self.goto(len(self.posts) - 1)
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
        if at is not None and at[0] > 0:
            line = self.doc.line(*at) if self.doc else None
            self._pinned_block = line.block if line is not None else 0
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
        """A click on a link in a post (only safe links are made clickable)."""
        links = self.doc.links if self.doc else []
        url = web_url(links[number]) if 0 <= number < len(links) else None
        if url:
            self.app.open_url(url)  # the app says how it went

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
