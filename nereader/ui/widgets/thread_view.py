"""The detail pane: a whole thread, one widget per post, with keys to move and copy."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Markdown, Static

from nereader.core.export import code_blocks, number_code_blocks, post_links
from nereader.core.models import Post, PostKind, Thread
from nereader.core.text import clean, relative_time
from nereader.core.urls import base_of, post_url


class PostView(Vertical):
    """One post: a header line (author, badges, dates) and its body as Markdown."""

    def __init__(self, post: Post, number: int, body: str, now: datetime,
                 new: bool = False) -> None:
        classes = f"post -{post.kind.value}" + (" -new" if new else "")
        if post.accepted:
            classes += " -accepted"
        if post.apple_staff:
            classes += " -staff"
        super().__init__(classes=classes, id=f"post-{post.id}")
        self.post = post
        self.new = new
        self.number = number
        self._body = body
        self._now = now

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(self._header(), classes="post-header")
        yield Markdown(self._body, classes="post-body", open_links=False)

    def _header(self) -> Text:
        post = self.post
        label = {PostKind.QUESTION: "Question", PostKind.ANSWER: f"Reply {self.number}",
                 PostKind.COMMENT: "↳ Comment"}[post.kind]
        text = Text()
        if self.new:
            text.append(" NEW ", style="bold reverse")
            text.append(" ")
        text.append(f"{label} ", style="bold")
        text.append(clean(post.author.name), style="bold")
        if post.apple_staff:
            text.append("  ")
            text.append(f" Apple · {clean(post.role or 'Staff')} ", style="reverse")
        elif post.role:
            text.append(f"  {clean(post.role)}")
        if post.accepted:
            text.append("  ")
            text.append(" ✓ Accepted answer ", style="bold reverse")
        if post.apple_recommended:
            text.append("  ")
            text.append(" ★ Apple recommended ", style="reverse")
        if post.created_at:
            text.append(f"\n{relative_time(post.created_at, self._now)} · "
                        f"{post.created_at:%Y-%m-%d %H:%M} UTC", style="dim")
        if post.boosts:
            text.append(f" · {post.boosts} boost{'s' if post.boosts != 1 else ''}", style="dim")
        return text


class ThreadView(VerticalScroll, can_focus=True):
    """Reads a thread: question, every reply page, comments under their replies."""

    HELP = """
## Thread

Every reply page is loaded. Apple staff posts carry a badge, the accepted answer
is marked ✓. Code blocks are numbered *code N*: `c` copies the current post's
block, `1`-`9` copy block N. `o` opens the post in the browser, `u` copies its URL,
`l` picks one of its links, `b` bookmarks the thread, `r` refreshes it. Posts that arrived since
you last opened a bookmark are marked NEW. `esc` goes back to the list.
"""

    BINDINGS = [
        Binding("n,J", "next_post", "Next post", id="detail.next",
                tooltip="Jump to the next post"),
        Binding("p,K", "previous_post", "Prev post", id="detail.previous",
                tooltip="Jump to the previous post"),
        Binding("a", "accepted", "Accepted", id="detail.accepted",
                tooltip="Jump to the accepted answer"),
        Binding("c", "copy_code", "Copy code", id="detail.copy_code",
                tooltip="Copy the current post's code block (again: the next one)"),
        *[
            # One entry in the help for all nine keys: 2-9 are "system" bindings (not listed).
            Binding(str(n), f"copy_numbered({n})", "Copy code N", show=False, key_display="1-9",
                    id=f"detail.copy_{n}", tooltip="Copy the code block labelled 'code N'",
                    system=n > 1)
            for n in range(1, 10)
        ],
        Binding("o", "open_browser", "Browser", id="detail.open",
                tooltip="Open the thread (at the current post) in the browser"),
        Binding("u", "copy_url", "Copy URL", id="detail.copy_url",
                tooltip="Copy the current post's URL"),
        Binding("l", "links", "Links", id="detail.links", tooltip="Open a link of this post"),
        Binding("j,down", "scroll_down", "Down", show=False, id="detail.down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="detail.up"),
        Binding("space", "page_down", "Page down", show=False, id="detail.pagedown"),
        Binding("b", "bookmark", "Bookmark", id="detail.bookmark",
                tooltip="Bookmark this thread (again: remove the bookmark)"),
        Binding("escape", "back", "Back", id="detail.back", tooltip="Back to the list"),
    ]

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

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.thread: Thread | None = None
        self.current = 0
        self.blocks: list[tuple[int, str, str]] = []  # (post id, language, code)
        self._copy_turn: dict[int, int] = {}

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Text("Select a thread and press Enter to read it.", style="dim"),
                     classes="placeholder")

    async def show_thread(self, thread: Thread, now: datetime, focus_post: int | None = None,
                          new_posts: frozenset[int] = frozenset()) -> None:
        self.thread = thread
        self.current = 0
        self.blocks = []
        self._copy_turn = {}
        await self.remove_children()
        widgets: list[Static | PostView] = [Static(self._title(thread), classes="thread-title")]
        if thread.locked:
            widgets.append(Static(Text("🔒 This thread has been locked by a moderator."),
                                  classes="locked"))
        number, code_number = 0, 1
        for post in thread.posts:
            if post.kind is PostKind.ANSWER:
                number += 1
            body, code_number = number_code_blocks(post.body_markdown or "*(empty post)*",
                                                   code_number)
            self.blocks += [(post.id, lang, code) for lang, code in code_blocks(post.body_markdown)]
            widgets.append(PostView(post, number, body, now, post.id in new_posts))
        await self.mount_all(widgets)
        self.scroll_home(animate=False)
        if focus_post is None and new_posts:
            focus_post = next(p.id for p in thread.posts if p.id in new_posts)
        if focus_post is not None:
            ids = [p.id for p in thread.posts]
            if focus_post in ids:
                self.goto(ids.index(focus_post))
                return
        self._mark_current()

    def _title(self, thread: Thread) -> Text:
        text = Text(clean(thread.title), style="bold")
        tags = ", ".join(clean(t.name) for t in thread.tags)
        s = thread.stats
        counts = [f"{v} {many if v != 1 else one}"
                  for one, many, v in (("reply", "replies", s.replies),
                                       ("boost", "boosts", s.boosts),
                                       ("view", "views", s.views),
                                       ("participant", "participants", s.participants))
                  if v is not None]
        text.append(f"\n{tags}" if tags else "", style="italic")
        text.append("\n" + " · ".join(counts) if counts else "", style="dim")
        if thread.total_pages > 1:
            text.append(f" · {thread.total_pages} reply pages", style="dim")
        return text

    async def show_message(self, message: str) -> None:
        self.thread = None
        await self.remove_children()
        await self.mount(Static(Text(message), classes="placeholder"))

    # -- navigation ----------------------------------------------------------------------------
    @property
    def posts(self) -> list[PostView]:
        return list(self.query(PostView))

    @property
    def current_post(self) -> Post | None:
        views = self.posts
        return views[self.current].post if 0 <= self.current < len(views) else None

    def goto(self, index: int) -> None:
        views = self.posts
        if not views:
            return
        self.current = max(0, min(index, len(views) - 1))
        self._mark_current()
        self.scroll_to_widget(views[self.current], animate=False, top=True)

    def _mark_current(self) -> None:
        for i, view in enumerate(self.posts):
            view.set_class(i == self.current, "-current")

    def action_next_post(self) -> None:
        self.goto(self.current + 1)

    def action_previous_post(self) -> None:
        self.goto(self.current - 1)

    def action_accepted(self) -> None:
        views = self.posts
        index = next((i for i, v in enumerate(views) if v.post.accepted), None)
        if index is None:
            self.notify("This thread has no accepted answer.")
        else:
            self.goto(index)

    def action_bookmark(self) -> None:
        if self.thread is not None:
            self.post_message(self.BookmarkRequested(self.thread.id))

    def action_back(self) -> None:
        self.post_message(self.Back())

    # -- copying and opening -------------------------------------------------------------------
    def _copy_block(self, number: int) -> None:
        _post_id, lang, code = self.blocks[number - 1]
        self.app.copy_to_clipboard(code)
        lines = code.count("\n") + 1
        self.notify(f"Copied code {number} ({lines} line{'s' if lines != 1 else ''}"
                    f"{', ' + lang if lang else ''})", markup=False)

    def action_copy_code(self) -> None:
        post = self.current_post
        if post is None:
            return
        mine = [n for n, (pid, _, _) in enumerate(self.blocks, 1) if pid == post.id]
        if not mine:
            self.notify("No code block in this post; 1-9 copy a numbered block.")
            return
        turn = self._copy_turn.get(post.id, 0)
        self._copy_turn[post.id] = turn + 1
        self._copy_block(mine[turn % len(mine)])

    def action_copy_numbered(self, number: int) -> None:
        if number <= len(self.blocks):
            self._copy_block(number)
        else:
            self.notify(f"There is no code block {number} in this thread.")

    def post_url(self) -> str | None:
        if self.thread is None:
            return None
        post = self.current_post
        if post is None or post.kind is PostKind.QUESTION:
            return self.thread.url
        return post_url(self.thread.id, post.id, base_of(self.thread.url))

    def action_open_browser(self) -> None:
        url = self.post_url()
        if url:
            self.app.open_url(url)
            self.notify(f"Opening {url}", markup=False)

    def action_copy_url(self) -> None:
        url = self.post_url()
        if url:
            self.app.copy_to_clipboard(url)
            self.notify(f"Copied {url}", markup=False)

    def action_links(self) -> None:
        post = self.current_post
        if post is None:
            return
        links = post_links(post)
        if not links:
            self.notify("This post has no links.")
            return
        self.post_message(self.OpenLinks(links))
