"""Bookmarks and read state in the data folder: human-readable JSON (see ``store``).

Every change is read-modify-write under an exclusive lock on a sidecar ``.lock`` file, and the
write goes through a temporary file, fsync and rename, so two nereader processes adding at
once lose nothing and a crash mid-write leaves the old file whole. A file that does not parse
is moved aside as ``*.corrupt-<time>`` (never deleted) and nereader carries on without it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from nereader.core.clock import iso_now
from nereader.core.errors import StorageError
from nereader.core.models import Bookmark, ThreadSummary
from nereader.core.store import VERSION, JsonStore


def bookmark_json(mark: Bookmark) -> dict[str, Any]:
    """A bookmark as the JSON object ``bookmarks.json`` and exports hold."""
    data = asdict(mark)
    data["tags"], data["labels"] = list(mark.tags), list(mark.labels)
    data["seen_post_ids"] = list(mark.seen_post_ids)
    return data


def bookmark_from_json(data: dict[str, Any]) -> Bookmark:
    return Bookmark(
        id=int(data["id"]),
        title=str(data.get("title", "")),
        url=str(data.get("url", "")),
        tags=tuple(str(t) for t in data.get("tags", [])),
        note=str(data.get("note", "")),
        labels=tuple(str(t) for t in data.get("labels", [])),
        added_at=str(data.get("added_at") or iso_now()),
        checked_at=data.get("checked_at"),
        replies_seen=data.get("replies_seen"),
        seen_post_ids=tuple(int(i) for i in data.get("seen_post_ids", [])),
    )


class BookmarkStore:
    """``bookmarks.json`` in the data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.file = JsonStore(data_dir / "bookmarks.json",
                              lambda: {"version": VERSION, "bookmarks": []})

    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def warnings(self) -> list[str]:
        return self.file.warnings

    @staticmethod
    def _items(data: dict[str, Any]) -> list[Bookmark]:
        out = []
        for item in data.get("bookmarks", []):
            with contextlib.suppress(KeyError, TypeError, ValueError):
                out.append(bookmark_from_json(item))
        return out

    @staticmethod
    def _put(data: dict[str, Any], items: list[Bookmark]) -> None:
        data["version"] = VERSION
        data["bookmarks"] = [bookmark_json(b) for b in items]

    def all(self) -> list[Bookmark]:
        return self._items(self.file.load())

    def get(self, thread_id: int) -> Bookmark | None:
        return next((b for b in self.all() if b.id == thread_id), None)

    def ids(self) -> set[int]:
        return {b.id for b in self.all()}

    def add(self, bookmark: Bookmark) -> Bookmark:
        """Add, or update the note/labels/title of an existing bookmark (labels merge)."""

        def edit(data: dict[str, Any]) -> Bookmark:
            items = self._items(data)
            for i, old in enumerate(items):
                if old.id == bookmark.id:
                    merged = replace(
                        old,
                        title=bookmark.title or old.title,
                        url=bookmark.url or old.url,
                        tags=bookmark.tags or old.tags,
                        note=bookmark.note or old.note,
                        labels=tuple(dict.fromkeys(old.labels + bookmark.labels)),
                    )
                    items[i] = merged
                    self._put(data, items)
                    return merged
            items.append(bookmark)
            self._put(data, items)
            return bookmark

        return self.file.change(edit)

    def remove(self, thread_id: int) -> bool:
        def edit(data: dict[str, Any]) -> bool:
            items = self._items(data)
            kept = [b for b in items if b.id != thread_id]
            self._put(data, kept)
            return len(kept) != len(items)

        return self.file.change(edit)

    def update(self, thread_id: int, **changes: Any) -> Bookmark | None:
        def edit(data: dict[str, Any]) -> Bookmark | None:
            items = self._items(data)
            for i, old in enumerate(items):
                if old.id == thread_id:
                    items[i] = replace(old, **changes)
                    self._put(data, items)
                    return items[i]
            return None

        return self.file.change(edit)

    def export_json(self) -> dict[str, Any]:
        return {"version": VERSION, "bookmarks": [bookmark_json(b) for b in self.all()]}

    def import_json(self, data: Any) -> tuple[int, int]:
        """Merge an export into the store. Returns (added, updated)."""
        if not isinstance(data, dict) or not isinstance(data.get("bookmarks"), list):
            raise StorageError("not a nereader bookmarks export (expected "
                               '{"version": 1, "bookmarks": [...]})')
        incoming = self._items(data)
        if len(incoming) != len(data["bookmarks"]):
            raise StorageError("the export has bookmarks without a numeric id")

        def edit(store: dict[str, Any]) -> tuple[int, int]:
            items = {b.id: b for b in self._items(store)}
            added = updated = 0
            for b in incoming:
                if b.id in items:
                    old = items[b.id]
                    items[b.id] = replace(old, note=old.note or b.note,
                                          labels=tuple(dict.fromkeys(old.labels + b.labels)))
                    updated += 1
                else:
                    items[b.id] = b
                    added += 1
            self._put(store, list(items.values()))
            return added, updated

        return self.file.change(edit)


class ReadState:
    """What the user has read (and when), and each tag's last visit, in ``state.json``."""

    def __init__(self, data_dir: Path) -> None:
        self.file = JsonStore(data_dir / "state.json",
                              lambda: {"version": VERSION, "read": {}, "visits": {}})
        self._cache: dict[str, Any] | None = None

    @property
    def warnings(self) -> list[str]:
        return self.file.warnings

    def snapshot(self) -> dict[str, Any]:
        if self._cache is None:
            self._cache = self.file.load()
        return self._cache

    def _edit(self, edit: Callable[[dict[str, Any]], None]) -> None:
        def apply(data: dict[str, Any]) -> None:
            data.setdefault("read", {})
            data.setdefault("visits", {})
            edit(data)
            self._cache = data

        self.file.change(apply)

    def mark_read(self, rows: list[tuple[int, int]]) -> None:
        """Mark threads read as of now: (thread id, reply count seen)."""
        stamp = iso_now()

        def edit(data: dict[str, Any]) -> None:
            for thread_id, replies in rows:
                data["read"][str(thread_id)] = {"at": stamp, "replies": replies}

        self._edit(edit)

    def visit(self, tag: str) -> str | None:
        """Record a visit to a tag now; returns the previous visit (ISO time) if any."""
        previous: list[str | None] = [None]

        def edit(data: dict[str, Any]) -> None:
            previous[0] = data["visits"].get(tag)
            data["visits"][tag] = iso_now()

        self._edit(edit)
        return previous[0]

    def entry(self, thread_id: int) -> dict[str, Any] | None:
        found = self.snapshot().get("read", {}).get(str(thread_id))
        return found if isinstance(found, dict) else None

    def is_unread(self, row: ThreadSummary) -> bool:
        return self.entry(row.id) is None

    def has_new_activity(self, row: ThreadSummary) -> bool:
        """Read before, and replies arrived since."""
        entry = self.entry(row.id)
        if entry is None:
            return False
        try:
            return row.replies > int(entry.get("replies", 0))
        except (TypeError, ValueError):
            return False
