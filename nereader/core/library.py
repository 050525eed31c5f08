"""The user's own side: bookmarks (pinned for offline reading), read state, and the library."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from nereader.core.bookmarks import BookmarkStore, ReadState, stored_time
from nereader.core.clock import age_seconds, iso_now, utc_now
from nereader.core.errors import (
    EditConflict,
    NereaderError,
    NotFoundError,
    OfflineError,
    StorageError,
)
from nereader.core.export import thread_row
from nereader.core.loader import Emit
from nereader.core.marks import unseen_posts
from nereader.core.models import (
    Bookmark,
    BookmarkChange,
    LastRead,
    LibraryItem,
    Notice,
    PostKind,
    SinceLastRead,
    Sourced,
    Tag,
    Thread,
    ThreadSummary,
)
from nereader.core.pages import Pages, Progress
from nereader.core.query import Context, fold
from nereader.core.store import atomic_write_text
from nereader.core.text import check_label, plural, split_note
from nereader.core.urls import ListingRef

P = ParamSpec("P")
R = TypeVar("R")


def note_and_labels(note: str, labels: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """A bookmark's note and labels as given anywhere (the note editor, the command line):
    a ``#label`` in the note is a label, as the note editor has it (``text.split_note``);
    every label is checked (one word) and kept once."""
    text, found = split_note(note)
    return text, tuple(dict.fromkeys(check_label(label) for label in (*labels, *found)))


class Library:
    """Bookmarks and read state over the pages they point at."""

    def __init__(self, pages: Pages, emit: Emit) -> None:
        self.pages = pages
        self._emit = emit
        data_dir = pages.settings.data_dir
        self._marks = BookmarkStore(data_dir, pages.settings.base_url)
        self._read = ReadState(data_dir)
        self._cache_warned = False
        self._index_warned = False
        self._rows: tuple[tuple[object, ...], list[ThreadSummary]] | None = None

    async def _run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """A store call off the event loop; what the stores had to say is passed on."""
        try:
            return await self.pages.loader.run(fn, *args, **kwargs)
        finally:
            for store in (self._marks, self._read):
                while store.warnings:
                    self._emit(Notice(store.warnings.pop(0), "Local data"))

    # -- bookmarks -----------------------------------------------------------------------------
    async def bookmarks(self) -> list[Bookmark]:
        return await self._run(self._marks.all)

    async def get(self, thread_id: int) -> Bookmark | None:
        return await self._run(self._marks.get, thread_id)

    async def add(self, thread_id: int, note: str = "", labels: tuple[str, ...] = (),
                  row: ThreadSummary | None = None) -> tuple[Bookmark, str | None]:
        """Bookmark a thread and pin it; fetch it now unless it is cached and we are offline.
        Returns the bookmark and a warning when it is not yet readable offline."""
        note, labels = note_and_labels(note, labels)
        pages = self.pages
        cached = await self._cached(thread_id)
        warning, thread = None, cached
        if cached is None or not pages.loader.offline:
            try:
                thread = (await pages.thread(thread_id)).value
            except NotFoundError:
                if cached is None:  # the site says there is no such thread: nothing to keep
                    raise
            except NereaderError as exc:  # offline, the network: saved, read later
                if cached is None:
                    later = ("" if isinstance(exc, OfflineError) else  # it says what to run
                             "; `nereader bookmarks check` fetches it when the site can be "
                             "reached")
                    warning = f"saved, but not yet available offline: {exc}{later}"
        known: Thread | ThreadSummary | None = cached or row
        title = known.title if known else ""  # unknown: the stored title (if any) stays
        url = known.url if known else pages.thread_url(thread_id)
        tags = tuple(t.slug for t in known.tags) if known else ()
        saved = await self._run(self._marks.add,
                                Bookmark(thread_id, title, url, tags, note, labels))
        try:
            await pages.pin_thread(thread_id, 1)
        except StorageError as exc:  # the bookmark is saved; only offline reading waits
            why = "" if pages.loader.told(str(exc)) else f": {exc}"  # said once is enough
            return saved, (f"saved, but the cache could not keep it for offline reading{why} "
                           "(`nereader bookmarks check` keeps it once the cache can)")
        if thread is not None:
            if saved.seen_post_ids:  # bookmarked before: only make sure it stays pinned
                await pages.pin_thread(thread_id, thread.total_pages)
            else:
                saved, _ = await self._saw(saved, thread)
        return saved, warning

    async def remove(self, thread_id: int) -> bool:
        removed = await self._run(self._marks.remove, thread_id)
        try:
            await self.pages.unpin_thread(thread_id)
        except StorageError as exc:
            self._emit(Notice(f"removed the bookmark; its pages stay pinned in the cache: "
                              f"{exc}", "Cache"))
        return removed

    async def _cached(self, thread_id: int) -> Thread | None:
        """A whole cached thread; a cache that cannot be read counts as empty (said once)."""
        try:
            return await self.pages.cached_thread(thread_id)
        except StorageError as exc:
            if not self._cache_warned:
                self._cache_warned = True
                self._emit(Notice(f"{exc}; reading bookmarks without it", "Cache"))
            return None

    async def set_note(self, thread_id: int, note: str, labels: tuple[str, ...]
                       ) -> tuple[Bookmark, str | None]:
        """Replace a bookmark's note and labels (bookmarking the thread first if needed)."""
        note, labels = note_and_labels(note, labels)
        updated = await self._run(self._marks.update, thread_id, note=note, labels=labels)
        if updated is not None:
            return updated, None
        return await self.add(thread_id, note, labels)

    async def edit_note(self, thread_id: int, before: Bookmark | None, note: str,
                        labels: tuple[str, ...]) -> tuple[Bookmark, str | None]:
        """Save what the user changed of a bookmark's note and labels since ``before`` (the
        bookmark as the editor showed it; None: the thread was not bookmarked then), merged
        with what changed meanwhile elsewhere (see ``BookmarkStore.edit_note``)."""
        note, labels = note_and_labels(note, labels)
        if before is None:
            if await self.get(thread_id) is None:
                return await self.add(thread_id, note, labels)
            before = Bookmark(thread_id, "", "")  # bookmarked elsewhere meanwhile
        saved = await self._run(self._marks.edit_note, thread_id, before, note, labels)
        if saved is None:
            raise EditConflict(f"bookmark {thread_id} was removed elsewhere while you edited "
                               "it; nothing was saved (b bookmarks the thread again)")
        return saved, None

    async def _saw(self, mark: Bookmark, thread: Thread) -> tuple[Bookmark, tuple[int, ...]]:
        """Record that every post of a bookmarked thread has been seen and keep all its pages
        pinned. Returns the bookmark and the posts new since the last look (none at first)."""
        if thread.id != mark.id:  # never let another thread's page rewrite a bookmark
            return mark, ()
        seen = set(mark.seen_post_ids)
        new = tuple(p.id for p in thread.posts if p.id not in seen) if seen else ()
        updated = await self._run(
            self._marks.update, mark.id, title=thread.title, url=thread.url,
            tags=tuple(t.slug for t in thread.tags), checked_at=iso_now(),
            replies_seen=len(thread.posts) - 1, seen_post_ids=tuple(p.id for p in thread.posts))
        await self.pages.pin_thread(mark.id, thread.total_pages)
        return updated or mark, new

    async def import_json(self, data: object) -> tuple[int, int]:
        """Merge an export; every bookmark is pinned (fetched by the next check or read)."""
        added, updated = await self._run(self._marks.import_json, data)
        try:
            for mark in await self.bookmarks():
                cached = await self.pages.cached_thread(mark.id)
                await self.pages.pin_thread(mark.id, cached.total_pages if cached else 1)
        except StorageError as exc:  # imported all the same: only the pins wait
            self._emit(Notice(f"imported, but the cache could not pin the bookmarks: {exc}",
                              "Cache"))
        return added, updated

    async def export_json(self) -> dict[str, Any]:
        return await self._run(self._marks.export_json)

    async def export_markdown(self, target: Path) -> tuple[int, list[str]]:
        """Write every bookmark as Markdown into ``target`` (fetching threads not cached when
        online). Returns the number written and what could not be fetched."""
        pairs: list[tuple[Bookmark, Thread | None]] = []
        problems: list[str] = []
        for mark in await self.bookmarks():
            thread = await self._cached(mark.id)
            if thread is None and not self.pages.loader.offline:
                try:
                    thread = (await self.pages.thread(mark.id)).value
                except NereaderError as exc:
                    problems.append(f"thread {mark.id} is not cached and could not be "
                                    f"fetched: {exc}")
            pairs.append((mark, thread))
        from nereader.core.export import markdown_export  # selectolax: only when exporting

        files = markdown_export(pairs)
        for name, text in files.items():
            await self._run(atomic_write_text, target / name, text)
        return len(files) - 1, problems

    async def check(self, progress: Progress | None = None) -> list[BookmarkChange]:
        """Refresh every bookmark politely and report new replies since the last look."""
        marks = await self.bookmarks()
        changes: list[BookmarkChange] = []
        for n, mark in enumerate(marks, 1):
            try:
                result = await self.pages.thread(mark.id, refresh=True)
            except NereaderError as exc:
                changes.append(BookmarkChange(mark, error=str(exc)))
            else:
                thread = result.value
                updated, new = await self._saw(mark, thread)
                kinds = [p.kind for p in thread.posts]
                replies = thread.stats.replies  # the site's count, as `list` and `show` say
                changes.append(BookmarkChange(
                    updated, new, kinds.count(PostKind.ANSWER) if replies is None else replies,
                    result.warning if result.stale else None, result.stale,
                    kinds.count(PostKind.COMMENT)))
            if progress:
                progress("bookmarks", n, len(marks))
        return changes

    # -- reading -------------------------------------------------------------------------------
    async def open_thread(self, thread_id: int, refresh: bool = False, at: int | None = None
                          ) -> tuple[Sourced[Thread], SinceLastRead]:
        """Read a thread as a person does: marks it read, and returns the posts added since it
        was last read (``marks.unseen_posts``). ``at``: a reply to open it at (fetched
        through the page that holds it when the cache lacks it)."""
        result = await self.pages.thread_at(thread_id, at, refresh)
        thread = result.value
        news = SinceLastRead()
        try:
            mark = await self.get(thread_id)
            news = unseen_posts(thread, await self._last_read(thread_id, mark))
            if mark is not None and not thread.degraded:  # its text alone names no posts
                await self._saw(mark, thread)
            # The page's own count can lag behind the posts it shows; trust the larger.
            answers = sum(1 for p in thread.posts if p.kind is PostKind.ANSWER)
            seen = None if thread.degraded else max(thread.stats.replies or 0, answers)
            newest = None if thread.degraded else max(
                (p.created_at for p in thread.posts if p.created_at), default=None)
            await self._run(self._read.mark_read, [(thread_id, seen)], newest)
        except StorageError as exc:  # state trouble never stops reading, but is said
            self._emit(Notice(f"could not record the read state: {exc}", "Local data"))
        return result, news

    async def last_read(self, thread_id: int) -> LastRead | None:
        """What is known of a thread's last reading (None: never read nor bookmarked)."""
        return await self._last_read(thread_id, await self.get(thread_id))

    async def _last_read(self, thread_id: int, mark: Bookmark | None) -> LastRead | None:
        at, through = await self._run(self._read.last_read, thread_id)
        seen = frozenset(mark.seen_post_ids) if mark is not None and mark.seen_post_ids else None
        if at is None and mark is not None:  # looked at as a bookmark only
            at = stored_time(mark.checked_at)
        if at is None and seen is None:
            return None
        return LastRead(at, through, seen)

    async def mark_read(self, rows: list[ThreadSummary]) -> None:
        """Mark threads read; a bookmark's cached posts count as seen too, so that nothing
        of it is new (in the inbox, on the home screen) until more arrive."""
        await self._run(self._read.mark_read, [(r.id, r.replies) for r in rows])
        wanted = {r.id for r in rows}
        for mark in await self.bookmarks():
            thread = await self._cached(mark.id) if mark.id in wanted else None
            if thread is not None and not thread.degraded:  # its text alone names no posts
                await self._saw(mark, thread)

    async def visit(self, ref: ListingRef) -> datetime | None:
        """Record a visit to a listing; returns the previous one (to mark what is new)."""
        previous = await self._run(self._read.visit, ref.key)
        try:
            return datetime.fromisoformat(previous) if previous else None
        except ValueError:
            return None

    async def context(self, now: datetime | None = None) -> Context:
        """What the filter language and the row marks need beyond the rows themselves."""
        try:
            facts = await self.pages.facts()
        except StorageError as exc:
            if not self._index_warned:  # said once, not at every refresh of the marks
                self._index_warned = True
                self._emit(Notice(f"{exc}; is:staff and author: see no threads",
                                  "Search index"))
            facts = {}
        marks = await self.bookmarks()
        await self._run(self._read.snapshot)
        return Context(
            now=now or utc_now(),
            staff={i for i, (_, staff) in facts.items() if staff},
            authors={i: a for i, (a, _) in facts.items() if a},
            bookmarked={m.id for m in marks},
            unread=self._read.is_unread,
            new=self._read.has_new_activity,
            labels={m.id: m.labels for m in marks if m.labels},
            notes={m.id: fold(m.note) for m in marks if m.note},
            new_replies=self._new_replies,
        )

    def _new_replies(self, row: ThreadSummary) -> int:
        """Replies the row shows beyond those seen when the thread was last read."""
        entry = self._read.entry(row.id)
        if row.replies is None:
            return 0
        try:
            return max(0, row.replies - int(entry["replies"])) if entry else 0
        except (KeyError, TypeError, ValueError):
            return 0

    # -- what can be read offline --------------------------------------------------------------
    async def rows(self) -> list[ThreadSummary]:
        """Bookmarks as list rows, their numbers from the cached thread when there is one
        (as the search index keeps it: one query for them all, whatever their number). The
        rows are made again only when the bookmarks, the index or the cache changed."""
        marks = await self.bookmarks()
        state = await self._state()
        if state is not None and self._rows is not None and self._rows[0] == state:
            return list(self._rows[1])
        known, cached = await self._indexed(marks)
        rows = []
        for mark in marks:
            found = known.get(mark.id)
            row = found[0] if found else (
                await self._row_of(mark.id) if cached is None or mark.id in cached else None)
            rows.append(_row(mark if mark.url else replace(mark, url=self.pages.thread_url(
                mark.id)), row))
        state = await self._state() if len(known) < len(marks) else state  # indexed some
        self._rows = (state, rows) if state is not None else None
        return list(rows)

    async def _state(self) -> tuple[object, ...] | None:
        """What the bookmark rows are made from, as it stands (None: cannot be told)."""
        try:
            made_of = await self.pages.state()
        except StorageError:
            return None
        if None in made_of:
            return None
        return await self._run(self._marks.file.identity), made_of

    async def _indexed(self, marks: list[Bookmark]
                       ) -> tuple[dict[int, tuple[ThreadSummary, datetime | None]],
                                  set[int] | None]:
        """The index's rows of the bookmarked threads that are in the cache, and which of
        them have their first page in the cache (None: not known)."""
        try:
            return await self.pages.thread_rows([m.id for m in marks])
        except StorageError as exc:
            if not self._index_warned:
                self._index_warned = True
                self._emit(Notice(f"{exc}; reading bookmarks from the cache instead (slower)",
                                  "Search index"))
            return {}, None

    async def _row_of(self, thread_id: int) -> ThreadSummary | None:
        """A bookmarked thread's row read from the cache (a thread the index lacks), which
        is then indexed, so the next time it is found at once."""
        thread = await self._cached(thread_id)
        if thread is None:
            return None
        await self.pages.index_thread(thread)
        return thread_row(thread)

    async def items(self, bookmark_limit: int | None = None) -> list[LibraryItem]:
        """Every cached listing and every bookmark (the latest added first), with ages;
        with ``bookmark_limit``, that many bookmarks and a "more" item saying how many were
        left out (the bookmarks view shows them all)."""
        try:
            listings = await self.pages.cached_listings()
        except StorageError as exc:
            self._emit(Notice(f"{exc}; showing the bookmarks only", "Cache"))
            listings = []
        items = [LibraryItem("tag", ref.key, listing.name or ref.key, age,
                             f"{_posts(listing.total_posts)}, "
                             f"{plural(listing.total_pages, 'page')}")
                 for ref, listing, age in listings]
        marks = (await self.bookmarks())[::-1]
        left = 0
        if bookmark_limit is not None and len(marks) > bookmark_limit:
            marks, left = marks[:bookmark_limit], len(marks) - bookmark_limit
        try:
            fetched = await self.pages.thread_fetched([m.id for m in marks])
        except StorageError:  # the index: each thread's age is read from the cache instead
            fetched = {}
        now = utc_now()
        for mark in marks:
            when = fetched.get(mark.id)
            age: float | None = None
            if when is not None:
                age = age_seconds(when, now)
            else:
                try:
                    age = await self.pages.thread_age(mark.id)
                except StorageError:
                    age = None
            # The labels as every other view writes them: "#panic #todo".
            detail = " · ".join(filter(None, (" ".join(f"#{x}" for x in mark.labels),
                                               mark.note)))
            items.append(LibraryItem("bookmark", str(mark.id), mark.title, age, detail))
        if left:
            items.append(LibraryItem("more", str(left), plural(left, "more bookmark"), None))
        return items


def _posts(total: int | None) -> str:
    """A listing's post count; one the page does not say (a topic's) stays unknown."""
    return "? posts" if total is None else plural(total, "post")


def bookmark_row(mark: Bookmark, thread: Thread | None) -> ThreadSummary:
    """A bookmark as a list row, its numbers from its cached thread when there is one."""
    return _row(mark, thread_row(thread) if thread is not None else None)


def _row(mark: Bookmark, row: ThreadSummary | None) -> ThreadSummary:
    """A bookmark's list row: its thread's (when cached), with the note before the excerpt."""
    if row is None:  # not cached: its numbers are not known
        return ThreadSummary(mark.id, mark.title, mark.url, excerpt=mark.note,
                             replies=None, boosts=None, views=None,
                             tags=tuple(Tag(t, t) for t in mark.tags))
    if not mark.note:
        return row
    return replace(row, excerpt=" ".join(filter(None, [mark.note, row.excerpt])))
