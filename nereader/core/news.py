"""News since the last check, for scripts and cron: new threads and threads with new replies
per followed listing, and bookmarks with new posts.

Each check revalidates the first page of every followed listing (a conditional request: an
unchanged page costs a 304) and every bookmarked thread, compares them with what the previous
check saw (``news.json`` in the data folder), and records what it saw now. It never marks
anything read or seen: that stays the reader's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nereader.core.clock import iso_now, utc_now
from nereader.core.errors import NereaderError
from nereader.core.library import Library
from nereader.core.models import Bookmark, ListingNews, ListingPage, NewsItem, NewsReport
from nereader.core.pages import Pages, Progress
from nereader.core.store import VERSION, JsonStore
from nereader.core.urls import ListingRef

# Threads remembered per listing; a thread that falls out of these is news again only if it
# comes back with replies, which a check reports as new replies, not as a new thread.
KEEP_THREADS = 5000


class NewsState:
    """``news.json``: what the last check saw of each listing and bookmark."""

    def __init__(self, data_dir: Path) -> None:
        self.file = JsonStore(data_dir / "news.json",
                              lambda: {"version": VERSION, "listings": {}, "bookmarks": {},
                                       "said": []}, check_news)

    @property
    def warnings(self) -> list[str]:
        return self.file.warnings

    def load(self) -> dict[str, Any]:
        return self.file.load()

    def record(self, listings: dict[str, dict[str, Any]],
               bookmarks: dict[str, list[int]]) -> None:
        def edit(data: dict[str, Any]) -> None:
            data["version"] = VERSION
            data.setdefault("listings", {}).update(listings)
            data.setdefault("bookmarks", {}).update(bookmarks)

        self.file.change(edit)

    def first_time(self, what: str) -> bool:
        """True the first time ``what`` is asked about (for things said once, ever)."""
        def edit(data: dict[str, Any]) -> bool:
            said = data.setdefault("said", [])
            if not isinstance(said, list) or what in said:
                return False
            said.append(what)
            return True

        return self.file.change(edit)


def check_news(data: dict[str, Any]) -> str | None:
    """What is wrong with the shape of ``news.json``, field by field (None: nothing). A file
    that does not read is set aside, and the next check is a first check: nereader wrote it,
    it only says what is new, and nothing the user saved is in it."""
    shapes = (("listings", dict), ("bookmarks", dict), ("said", list))
    for key, kind in shapes:
        value = data.get(key)
        if value is not None and not isinstance(value, kind):
            return f'"{key}" is {_kind(value)}, not {_kind(kind())}'
    for key, snap in (data.get("listings") or {}).items():
        if not isinstance(snap, dict):
            return f'the listing "{key}" is {_kind(snap)}, not an object'
        max_id, threads = snap.get("max_id", 0), snap.get("threads", {})
        if not _whole(max_id):
            return f'the listing "{key}" has max_id {_short(max_id)}, not a thread id'
        if not isinstance(threads, dict) or not all(_whole(v) for v in threads.values()):
            return f'the listing "{key}" has threads that are not a map of id: reply count'
    for key, seen in (data.get("bookmarks") or {}).items():
        if not isinstance(seen, list) or not all(_whole(i) for i in seen):
            return f'the bookmark "{key}" is not a list of post ids'
    return None


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else "null")


def _whole(value: object) -> bool:
    return type(value) is int and value >= 0


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 30 else text[:29] + "…"


async def check(pages: Pages, library: Library, state: NewsState, refs: list[ListingRef],
                progress: Progress | None = None) -> NewsReport:
    """Fetch what changed and compare it with the last check; record what was seen now."""
    before = await pages.loader.run(state.load)
    seen_listings = before.get("listings", {}) if isinstance(before, dict) else {}
    seen_marks = before.get("bookmarks", {}) if isinstance(before, dict) else {}
    marks = await library.bookmarks()
    total, done = len(refs) + len(marks), 0
    listings: list[ListingNews] = []
    snapshots: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    for ref in refs:
        try:
            result = await pages.listing(ref, 1, refresh=True)
        except NereaderError as exc:
            listings.append(ListingNews(ref.key, ref.key, error=str(exc)))
        else:
            if result.stale:  # an old copy says nothing new; keep the last snapshot
                listings.append(ListingNews(ref.key, result.value.name or ref.key,
                                            error=result.warning or "stale copy"))
            else:
                news, snapshots[ref.key] = _compare(ref, result.value,
                                                    seen_listings.get(ref.key))
                listings.append(news)
        done += 1
        if progress:
            progress("listings", done, total)
    bookmark_news: list[NewsItem] = []
    posts_seen: dict[str, list[int]] = {}
    for mark in marks:
        try:
            thread = await pages.thread(mark.id, refresh=True)
        except NereaderError as exc:
            errors.append(f"bookmark {mark.id}: {exc}")
        else:
            if not thread.stale:
                item, posts_seen[str(mark.id)] = _new_posts(mark, thread.value.posts,
                                                            seen_marks.get(str(mark.id)))
                if item is not None:
                    bookmark_news.append(item)
        done += 1
        if progress:
            progress("bookmarks", done, total)
    await pages.loader.run(state.record, snapshots, posts_seen)
    return NewsReport(utc_now(), tuple(listings), tuple(bookmark_news), tuple(errors))


def _compare(ref: ListingRef, page: ListingPage, last: object
             ) -> tuple[ListingNews, dict[str, Any]]:
    """The listing's news against the last snapshot, and the snapshot to keep now."""
    threads: dict[str, int] = {}
    max_id = 0
    if isinstance(last, dict) and isinstance(last.get("threads"), dict):
        threads = {str(k): v for k, v in last["threads"].items() if _whole(v)}
        max_id = last["max_id"] if _whole(last.get("max_id")) else 0
    name = page.name or ref.key
    new_threads: list[NewsItem] = []
    new_replies: list[NewsItem] = []
    first = not threads
    for row in page.rows:
        previous = threads.pop(str(row.id), None)
        if not first:
            if previous is None and row.id > max_id:
                new_threads.append(NewsItem(row.id, row.title, row.url, row.replies))
            elif row.replies is None:
                pass  # a feed's row: whether it has new replies is not known
            elif previous is None or row.replies > previous:
                # An older thread unseen before has come up the listing: it has activity.
                new_replies.append(NewsItem(row.id, row.title, row.url, row.replies, previous))
        count = row.replies if row.replies is not None else previous
        if count is not None:  # the latest go last: the oldest are dropped first
            threads[str(row.id)] = count
    kept = dict(list(threads.items())[-KEEP_THREADS:])
    ids = [row.id for row in page.rows]
    snapshot = {"at": iso_now(), "max_id": max([max_id, *ids]), "threads": kept}
    return (ListingNews(ref.key, name, tuple(new_threads), tuple(new_replies), first,
                        notice=page.notice), snapshot)


def _new_posts(mark: Bookmark, posts: tuple[Any, ...], last: object
               ) -> tuple[NewsItem | None, list[int]]:
    """A bookmark's posts that neither the reader nor the last check has seen."""
    ids = [p.id for p in posts]
    known = set(mark.seen_post_ids)
    if isinstance(last, list):
        known.update(i for i in last if isinstance(i, int))
    new = [i for i in ids if i not in known] if known else []
    item = (NewsItem(mark.id, mark.title, mark.url, len(ids) - 1, len(ids) - 1 - len(new))
            if new else None)
    return item, ids
