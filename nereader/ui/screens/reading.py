"""Opening a thread in the detail pane: a cached copy at once, then the service's answer.

The main screen routes here from its worker; nothing here waits on the event loop's behalf
except through the service.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from nereader.core.errors import NereaderError, OfflineError
from nereader.core.export import cut_warning
from nereader.core.marks import unseen_posts
from nereader.core.models import LastRead, PostKind, Thread
from nereader.core.service import ForumService
from nereader.core.text import plural
from nereader.ui.hints import hinted
from nereader.ui.trail import Place
from nereader.ui.widgets.thread_view import NOTHING_NEW, ThreadView

Problem = Callable[[NereaderError, str], None]
Say = Callable[..., object]


async def open_into(view: ThreadView, service: ForumService, now: datetime, thread_id: int,
                    focus_post: int | None, refresh: bool, problem: Problem,
                    say: Say, place: Place | None = None) -> Thread | None:
    """Show a thread in ``view``, in one step when it is cached ("Loading…" shows only while
    the network is awaited), with the posts new since it was last read marked (and, as the
    settings say, jumped to), or at ``place`` (going back or forward along the trail). The
    same thread again (a refresh) stays in place until the new copy replaces it, at the same
    post. Returns the thread, or None when it failed (the view then says why, and ``r``
    retries it)."""
    same = view.thread is not None and view.thread.id == thread_id
    before = posts_after_question(view.thread) if same and view.thread is not None else 0
    if same and place is not None:
        view.return_to(place)  # at once; the copy below keeps the place
    elif same and focus_post is not None:
        view.goto_post(focus_post)
    view.jump_to_new = service.settings.jump_to_new
    shown, news = None, NOTHING_NEW
    if not refresh and not same:
        shown, last = await _cached(service, thread_id)
        if shown is not None:
            news = unseen_posts(shown, last)  # as open_thread will say: marked at once
            view.show_thread(shown, now, focus_post, news, place=place)
            await view.wait_for_refresh()  # on screen before the revalidation competes with it
    if shown is None and not same:
        view.show_message("Loading the thread and every reply page…")
    try:
        result, fresh = await service.open_thread(thread_id, refresh, at=focus_post)
        bookmark = await service.get_bookmark(thread_id)
    except NereaderError as exc:
        # Said once, where the user looks: in the pane, when nothing else is shown there;
        # over a thread shown (a refresh, the cached copy), in a toast.
        if not same and shown is None:
            view.show_message(failure_text(view, thread_id, exc), error="thread",
                              thread_id=thread_id)
        else:
            problem(exc, "Could not open the thread")
        return None
    thread = result.value
    if result.stale:
        say(result.warning or "showing a cached copy", title="Offline copy",
            severity="warning", markup=False)
    if cut := cut_warning(thread):
        say(cut, title="Thread cut", severity="warning", markup=False)
    if refresh and same and not result.stale:  # r on the thread read: say how it went
        added = posts_after_question(thread) - before
        answers = sum(p.kind is PostKind.ANSWER for p in thread.posts)  # as the list counts
        say(f"+{plural(added, 'new post')} (replies and comments)." if added > 0 else
            f"Up to date ({plural(answers, 'reply', 'replies')}).", markup=False)
    if shown is not None and thread == shown and fresh.posts == news.posts:
        view.set_bookmark(bookmark)  # the cached copy was the thread: nothing moves
    else:
        moved = same or shown is not None  # the reader may have moved on: keep the place
        view.show_thread(thread, now, None if moved else focus_post, fresh, bookmark,
                         keep_place=moved, place=None if moved else place)
    return thread


def failure_text(view: ThreadView, thread_id: int, exc: NereaderError) -> str:
    """Why a thread did not open, and the way on in the app's own keys (the core's advice
    names commands, which the app is not)."""
    esc = "esc goes back to the list."
    if isinstance(exc, OfflineError):
        if exc.reason == "offline":
            return (f"Thread {thread_id} is not in the cache, and nereader is offline.\n\n"
                    f"{key_of(view, 'app.offline', 'ctrl+o')} goes online and opens it; {esc}")
        return (f"Thread {thread_id} is not in the cache, and the network is down.\n\n"
                f"{key_of(view, 'main.refresh', 'r')} tries again now (the site is tried again "
                f"by itself shortly); {esc}")
    return (f"Could not open thread {thread_id}: {hinted(view, str(exc))}\n\n"
            f"{key_of(view, 'main.refresh', 'r')} tries again; {esc}")


def key_of(view: ThreadView, binding_id: str, default: str) -> str:
    """The key a binding has now (the config's [keys] may have moved it)."""
    for active in view.app.active_bindings.values():
        if active.binding.id == binding_id:
            return view.app.get_key_display(active.binding)
    return default


async def _cached(service: ForumService, thread_id: int
                  ) -> tuple[Thread | None, LastRead | None]:
    """The cached copy of a thread and its last reading, read side by side; a cache or state
    that cannot be read counts as none (opening it reports what is wrong)."""
    copy, last = await asyncio.gather(service.cached_thread(thread_id),
                                      service.last_read(thread_id), return_exceptions=True)
    for failed in (copy, last):
        if isinstance(failed, BaseException) and not isinstance(failed, NereaderError):
            raise failed  # a bug is no "not cached"
    return (copy if isinstance(copy, Thread) else None,
            last if isinstance(last, LastRead) else None)


def posts_after_question(thread: Thread) -> int:
    """The replies and comments (every post but the question)."""
    return sum(p.kind is not PostKind.QUESTION for p in thread.posts)


async def show_bookmark(view: ThreadView, service: ForumService, problem: Problem) -> None:
    """The bookmark of the thread being read changed: its header shows it (mark, note, #labels)."""
    if view.thread is not None:
        try:
            view.set_bookmark(await service.get_bookmark(view.thread.id))
        except NereaderError as exc:
            problem(exc, "Bookmarks")
