"""Bookmarks and read state in the data folder: human-readable JSON (see ``store``).

Every change is read-modify-write under an exclusive lock on a sidecar ``.lock`` file, and the
write goes through a temporary file, fsync and rename, so two nereader processes adding at
once lose nothing and a crash mid-write leaves the old file whole. A file that does not parse
is moved aside as ``*.corrupt-<time>`` (never deleted) and nereader carries on without it.

Nothing a user saved is rewritten away: every entry is checked field by field, a field that
does not read is ignored (with a warning) and written back exactly as it was, and an entry
without a readable id is kept in the file untouched. Text is cleaned of terminal escapes as it
is read, whatever wrote the file; an import holding a lone surrogate (not text) is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from nereader.core.clock import iso_now
from nereader.core.errors import EditConflict, UsageError
from nereader.core.models import Bookmark, ThreadSummary
from nereader.core.store import VERSION, JsonStore, render_lines
from nereader.core.text import MAX_LABEL, check_label, clean, has_lone_surrogate, squash
from nereader.core.urls import DEFAULT_BASE, thread_url, web_url

MAX_ID = 10**15


def bookmark_json(mark: Bookmark) -> dict[str, Any]:
    """A bookmark as the JSON object ``bookmarks.json`` and exports hold."""
    data = asdict(mark)
    data["tags"], data["labels"] = list(mark.tags), list(mark.labels)
    data["seen_post_ids"] = list(mark.seen_post_ids)
    return data


def placeholder_title(thread_id: int) -> str:
    """The title a bookmark has until its thread is read (never stored over a real one)."""
    return f"Thread {thread_id}"


def _id(value: Any) -> int | None:
    """A thread id: a whole JSON number (never true, 1.9, negative or huge)."""
    if type(value) is int and 0 <= value < MAX_ID:
        return value
    return None


# Most text in the file is already as it reads (printable, single spaces): checked at C
# speed, and only the rest goes through cleaning (20,000 bookmarks read in a blink).
def _line(value: Any) -> str | None:
    """Text on one line (titles, dates), squashed; an import's lone surrogate is refused."""
    if not isinstance(value, str):
        return None
    if (value.isprintable() and "  " not in value and not value.startswith(" ")
            and not value.endswith(" ")):
        return value
    return None if has_lone_surrogate(value) else squash(value)


def _note(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if value.isprintable():
        return value
    return None if has_lone_surrogate(value) else clean(value)


_PLAIN_LINK = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?/[A-Za-z0-9/._~-]*")


def _link(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if _PLAIN_LINK.fullmatch(value):
        return value  # what web_url gives back for it, unchanged
    return None if has_lone_surrogate(value) else web_url(value)


def _texts(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    texts = [_line(v) for v in value]
    if None in texts:
        return None
    return tuple(t for t in texts if t)


def _labels(value: Any) -> tuple[str, ...] | None:
    """Labels: each one word (the ``#label`` form), checked as everywhere a label enters."""
    if not isinstance(value, list):
        return None
    labels = []
    for label in value:
        if not isinstance(label, str) or has_lone_surrogate(label):
            return None
        try:  # cleaned of terminal escapes first, as all text read from a file is
            labels.append(check_label(clean(label)))
        except UsageError:
            return None
    return tuple(dict.fromkeys(labels))


def _ints(value: Any) -> tuple[int, ...] | None:
    if isinstance(value, list) and all(type(v) is int and v >= 0 for v in value):
        return tuple(value)
    return None


# field -> (reader returning None when unreadable, the value used then, what it should be)
_FIELDS: dict[str, tuple[Callable[[Any], Any], Any, str]] = {
    "title": (_line, "", "text"),
    "url": (_link, "", "an http(s) link"),
    "tags": (_texts, (), "a list of text"),
    "note": (_note, "", "text"),
    "labels": (_labels, (), "a list of single words"),
    "added_at": (_line, "", "text"),
    "checked_at": (_line, None, "text"),
    "replies_seen": (lambda v: v if type(v) is int and v >= 0 else None, None, "a count"),
    "seen_post_ids": (_ints, (), "a list of post ids"),
}


_WORDS = re.compile(r"[^ ]+(?: [^ ]+)*")  # single spaces between words (printable text)
_INT = {int}


def _is_line(value: Any) -> bool:
    """Text ``_line`` gives back as it is."""
    return type(value) is str and value.isprintable() and (
        not value or _WORDS.fullmatch(value) is not None)


def _is_label(value: Any) -> bool:
    """A label ``_labels`` gives back as it is."""
    return (type(value) is str and value.isprintable() and 0 < len(value) <= MAX_LABEL
            and " " not in value and not value.startswith("#"))


def _as_is(item: dict[str, Any]) -> Bookmark | None:
    """The bookmark of an entry whose every field already reads as it is (the common case,
    checked in one pass, 20,000 in a blink); None: it is read field by field, saying what
    does not read."""
    get = item.get
    thread_id, title, url, added = get("id"), get("title"), get("url"), get("added_at")
    note, checked, replies = get("note", ""), get("checked_at"), get("replies_seen")
    tags, labels, seen = get("tags", []), get("labels", []), get("seen_post_ids", [])
    if (type(thread_id) is not int or not 0 <= thread_id < MAX_ID
            or type(title) is not str or not title.isprintable() or not _WORDS.fullmatch(title)
            or type(url) is not str or not _PLAIN_LINK.fullmatch(url)
            or type(note) is not str or not note.isprintable()
            or type(added) is not str or not added.isprintable()
            or not _WORDS.fullmatch(added)
            or (checked is not None and not _is_line(checked))
            or (replies is not None and (type(replies) is not int or replies < 0))
            or type(tags) is not list or type(labels) is not list or type(seen) is not list):
        return None
    if tags and not all(t and _is_line(t) for t in tags):
        return None
    if labels and (not all(_is_label(label) for label in labels)
                   or len(set(labels)) != len(labels)):
        return None
    if seen and (set(map(type, seen)) != _INT or min(seen) < 0):
        return None
    return Bookmark(thread_id, title, url, tuple(tags), note, tuple(labels), added, checked,
                    replies, tuple(seen))


def read_bookmark(item: Any) -> tuple[Bookmark | None, list[str]]:
    """A bookmark from its JSON object, and what could not be read of it. Without a readable
    id there is no bookmark; any other unreadable field is left at its empty value."""
    if type(item) is dict and (mark := _as_is(item)) is not None:
        return mark, []
    if not isinstance(item, dict):
        return None, [f"an entry is a JSON {type(item).__name__}, not an object"]
    thread_id = _id(item.get("id"))
    if thread_id is None:
        return None, [f"an entry has no usable id ({_show(item.get('id'))})"]
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, (read, empty, wanted) in _FIELDS.items():
        raw = item.get(name)
        value = None if raw is None else read(raw)
        if value is None and raw is not None and not (name == "url" and raw == ""):
            problems.append(f"bookmark {thread_id}: {name} should be {wanted}, not "
                            f"{_show(raw)}")
        values[name] = empty if value is None else value
    values["added_at"] = values["added_at"] or iso_now()
    values["title"] = values["title"] or placeholder_title(thread_id)
    return Bookmark(id=thread_id, **values), problems


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=True)
    except (TypeError, ValueError):
        text = type(value).__name__
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass(slots=True)
class _Entry:
    """One entry of the file: what was read of it, and the object as it is on disk."""

    raw: Any
    mark: Bookmark | None
    read_as: Bookmark | None = None
    problems: list[str] = field(default_factory=list)


def _written(entry: _Entry) -> Any:
    """The entry as it goes back to disk: only the fields that changed are rewritten."""
    if entry.mark is None or (entry.mark is entry.read_as and entry.raw is not None):
        return entry.raw
    if entry.read_as is None or not isinstance(entry.raw, dict):
        return bookmark_json(entry.mark)
    new, old = bookmark_json(entry.mark), bookmark_json(entry.read_as)
    out = dict(entry.raw)
    for key, value in new.items():
        if value != old.get(key):
            out[key] = value
    return out


class BookmarkStore:
    """``bookmarks.json`` in the data folder. A bookmark's URL is its thread's on the forum
    (``base``), made from its id: whatever link the file (or an export) holds, on another
    host even, is never one nereader opens or passes on (the file keeps it as it is)."""

    def __init__(self, data_dir: Path, base: str = DEFAULT_BASE) -> None:
        self.file = JsonStore(data_dir / "bookmarks.json",
                              lambda: {"version": VERSION, "bookmarks": []}, _check_bookmarks,
                              render=render_lines)
        self.base = base
        self._known: tuple[object, list[Bookmark]] | None = None  # (file identity, bookmarks)

    def _sited(self, mark: Bookmark) -> Bookmark:
        url = thread_url(mark.id, base=self.base)
        return mark if mark.url == url else replace(mark, url=url)

    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def warnings(self) -> list[str]:
        return self.file.warnings

    def _entries(self, data: dict[str, Any], only: int | None = None) -> list[_Entry]:
        """Every entry, read; with ``only`` (an edit of one bookmark) just the entries that
        may name that thread are read, and the others go back to disk as they are."""
        entries: list[_Entry] = []
        seen: set[int] = set()
        for item in data.get("bookmarks") or []:
            if only is not None and not _may_name(item, only):
                entries.append(_Entry(item, None))
                continue
            mark, problems = read_bookmark(item)
            if mark is not None and mark.id in seen:
                problems.append(f"bookmark {mark.id} appears twice; the first is used")
                mark = None
            if mark is not None:
                seen.add(mark.id)
                mark = self._sited(mark)
            for problem in problems:
                kept = ("kept it as it is" if mark is None
                        else "ignored it (the file keeps it as it is)")
                self.file.warn(f"{self.path.name}: {problem}; {kept}")
            entries.append(_Entry(item, mark, mark))
        return entries

    @staticmethod
    def _put(data: dict[str, Any], entries: list[_Entry]) -> None:
        version = data.get("version")
        data["version"] = version if type(version) is int and version > VERSION else VERSION
        data["bookmarks"] = [_written(e) for e in entries]

    def all(self) -> list[Bookmark]:
        """Every bookmark that reads. The file is read again only once it changed (it is
        always replaced whole, so its identity says so): 20,000 bookmarks are read once."""
        identity = self.file.identity()
        if identity is not None and self._known is not None and self._known[0] == identity:
            return list(self._known[1])
        data, identity = self.file.load_identified()
        marks = [e.mark for e in self._entries(data) if e.mark is not None]
        self._known = (identity, marks) if identity is not None else None
        return list(marks)

    def get(self, thread_id: int) -> Bookmark | None:
        return next((b for b in self.all() if b.id == thread_id), None)

    def ids(self) -> set[int]:
        return {b.id for b in self.all()}

    def add(self, bookmark: Bookmark) -> Bookmark:
        """Add, or update an existing bookmark: what it already has wins over what the new
        one leaves empty (a placeholder never replaces a title); labels merge."""
        bookmark = self._sited(bookmark)

        def edit(data: dict[str, Any]) -> Bookmark:
            entries = self._entries(data, bookmark.id)
            placeholder = placeholder_title(bookmark.id)
            for entry in entries:
                old = entry.mark
                if old is not None and old.id == bookmark.id:
                    known = old.title and old.title != placeholder
                    entry.mark = replace(
                        old,
                        title=old.title if known else bookmark.title or old.title,
                        url=old.url or bookmark.url,
                        tags=old.tags or bookmark.tags,
                        note=bookmark.note or old.note,
                        labels=tuple(dict.fromkeys(old.labels + bookmark.labels)),
                    )
                    self._put(data, entries)
                    return entry.mark
            new = replace(bookmark, title=bookmark.title or placeholder)
            entries.append(_Entry(None, new))
            self._put(data, entries)
            return new

        return self.file.change(edit)

    def remove(self, thread_id: int) -> bool:
        """Remove a bookmark (an entry naming that id that cannot be read goes too: the user
        asked for it)."""

        def edit(data: dict[str, Any]) -> bool:
            entries = self._entries(data, thread_id)
            kept = [e for e in entries if not _names(e, thread_id)]
            self._put(data, kept)
            return len(kept) != len(entries)

        return self.file.change(edit)

    def update(self, thread_id: int, **changes: Any) -> Bookmark | None:
        def edit(data: dict[str, Any]) -> Bookmark | None:
            entries = self._entries(data, thread_id)
            for entry in entries:
                if entry.mark is not None and entry.mark.id == thread_id:
                    entry.mark = replace(entry.mark, **changes)
                    self._put(data, entries)
                    return entry.mark
            return None

        return self.file.change(edit)

    def edit_note(self, thread_id: int, before: Bookmark, note: str,
                  labels: tuple[str, ...]) -> Bookmark | None:
        """Apply what the user changed of a bookmark's note and labels since ``before`` (what
        they were shown) to the bookmark as it is now, re-read under the lock: a label added
        or removed meanwhile elsewhere stays so, and so does a note changed elsewhere unless
        the user changed it too (then EditConflict: nothing is saved). None when the
        bookmark was removed meanwhile."""
        added = [label for label in labels if label not in before.labels]
        dropped = {label for label in before.labels if label not in labels}

        def edit(data: dict[str, Any]) -> Bookmark | None:
            entries = self._entries(data, thread_id)
            for entry in entries:
                now = entry.mark
                if now is None or now.id != thread_id:
                    continue
                merged = tuple(dict.fromkeys(
                    [label for label in now.labels if label not in dropped] + added))
                text = now.note
                if note != before.note:
                    if now.note not in (before.note, note):
                        raise EditConflict(
                            f"the note of bookmark {thread_id} was changed elsewhere while "
                            f"you edited it (it is now {now.note!r}); nothing was saved")
                    text = note
                if (text, merged) != (now.note, now.labels):
                    entry.mark = replace(now, note=text, labels=merged)
                    self._put(data, entries)
                return entry.mark
            return None

        return self.file.change(edit)

    def export_json(self) -> dict[str, Any]:
        return {"version": VERSION, "bookmarks": [bookmark_json(b) for b in self.all()]}

    def import_json(self, data: Any) -> tuple[int, int]:
        """Merge an export into the store. Returns (added, updated). The whole export is
        checked first: any entry that does not read rejects it, with the reasons."""
        incoming = [self._sited(b) for b in validate_import(data)]

        def edit(store: dict[str, Any]) -> tuple[int, int]:
            entries = self._entries(store)
            by_id = {e.mark.id: e for e in entries if e.mark is not None}
            added = updated = 0
            for b in incoming:
                entry = by_id.get(b.id)
                if entry is not None and entry.mark is not None:
                    old = entry.mark
                    entry.mark = replace(old, title=old.title or b.title, url=old.url or b.url,
                                         tags=old.tags or b.tags, note=old.note or b.note,
                                         labels=tuple(dict.fromkeys(old.labels + b.labels)))
                    updated += 1
                else:
                    entries.append(_Entry(None, b))
                    added += 1
            self._put(store, entries)
            return added, updated

        return self.file.change(edit)


def _may_name(item: Any, thread_id: int) -> bool:
    """Whether an entry might be the bookmark of ``thread_id`` (``_names`` decides)."""
    if not isinstance(item, dict):
        return False
    raw = item.get("id")
    return raw == thread_id or isinstance(raw, str)


def _names(entry: _Entry, thread_id: int) -> bool:
    if entry.mark is not None:
        return entry.mark.id == thread_id
    raw = entry.raw.get("id") if isinstance(entry.raw, dict) else None
    return raw == thread_id or (isinstance(raw, str) and raw.strip() == str(thread_id))


def _check_bookmarks(data: dict[str, Any]) -> str | None:
    items = data.get("bookmarks")
    if items is not None and not isinstance(items, list):
        return f'"bookmarks" is a JSON {type(items).__name__}, not a list'
    return None


def validate_import(data: Any, limit: int = 5) -> list[Bookmark]:
    """The bookmarks of an export, every field checked; UsageError names what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("bookmarks"), list):
        raise UsageError('not a nereader bookmarks export (expected {"version": 1, '
                         '"bookmarks": [...]})')
    version = data.get("version", VERSION)
    if type(version) is not int or version > VERSION:
        raise UsageError(f"the export's version is {_show(version)}; this nereader reads "
                         f"version {VERSION}")
    marks: list[Bookmark] = []
    problems: list[str] = []
    seen: set[int] = set()
    for n, item in enumerate(data["bookmarks"], 1):
        mark, trouble = read_bookmark(item)
        problems += [f"entry {n}: {t}" for t in trouble]
        if mark is not None:
            if mark.id in seen:
                problems.append(f"entry {n}: bookmark {mark.id} appears twice")
            seen.add(mark.id)
            marks.append(mark)
    if problems:
        more = f" (and {len(problems) - limit} more)" if len(problems) > limit else ""
        raise UsageError("the export was not imported: " + "; ".join(problems[:limit]) + more)
    return marks


def _check_state(data: dict[str, Any]) -> str | None:
    for key in ("read", "visits"):
        value = data.get(key)
        if value is not None and not isinstance(value, dict):
            return f'"{key}" is a JSON {type(value).__name__}, not an object'
    return None


class ReadState:
    """What the user has read (and when), and each tag's last visit, in ``state.json``."""

    def __init__(self, data_dir: Path) -> None:
        self.file = JsonStore(data_dir / "state.json",
                              lambda: {"version": VERSION, "read": {}, "visits": {}},
                              _check_state, render=render_lines)
        self._cache: dict[str, Any] | None = None

    @property
    def warnings(self) -> list[str]:
        return self.file.warnings

    def snapshot(self) -> dict[str, Any]:
        if self._cache is None:
            self._cache = self._checked(self.file.load())
        return self._cache

    def _checked(self, data: dict[str, Any]) -> dict[str, Any]:
        """Say what in the document does not read (it stays in the file as it is)."""
        read = data.get("read") or {}
        bad = [k for k, v in read.items()
               if not (k.isascii() and k.isdigit()) or not isinstance(v, dict)
               or not (type(v.get("replies")) is int or v.get("replies", 0) is None)
               or not isinstance(v.get("at"), str)]
        if bad:
            self.file.warn(f"{self.file.path.name}: the read state of {len(bad)} thread(s) "
                           f"does not read (e.g. {_show(bad[0])}); they count as read, and "
                           "the file keeps them")
        visits = data.get("visits") or {}
        odd = [k for k, v in visits.items() if not isinstance(v, str)]
        if odd:
            self.file.warn(f"{self.file.path.name}: the last visit to {_show(odd[0])} does "
                           "not read; ignored it")
        return data

    def _edit(self, edit: Callable[[dict[str, Any]], None]) -> None:
        def apply(data: dict[str, Any]) -> None:
            if not isinstance(data.get("read"), dict):
                data["read"] = {}
            if not isinstance(data.get("visits"), dict):
                data["visits"] = {}
            edit(data)
            self._cache = self._checked(data)

        self.file.change(apply)

    def mark_read(self, rows: list[tuple[int, int | None]],
                  through: datetime | None = None) -> None:
        """Mark threads read as of now: (thread id, reply count seen). A count not known (a
        feed's row) keeps the one recorded before, else is recorded as null: no "new
        replies" are then claimed until the thread is read with its count. ``through``: the
        newest post seen (a thread read whole), which later posts are new after."""
        stamp = iso_now()

        def edit(data: dict[str, Any]) -> None:
            for thread_id, replies in rows:
                before = data["read"].get(str(thread_id))
                if replies is None and isinstance(before, dict) and type(
                        before.get("replies")) is int:
                    replies = before["replies"]
                entry: dict[str, Any] = {"at": stamp, "replies": replies}
                if through is not None:
                    entry["through"] = through.isoformat()
                data["read"][str(thread_id)] = entry

        self._edit(edit)

    def last_read(self, thread_id: int) -> tuple[datetime | None, datetime | None]:
        """When a thread was last read, and the newest post seen then (None: not known)."""
        entry = self.entry(thread_id) or {}
        return stored_time(entry.get("at")), stored_time(entry.get("through"))

    def visit(self, tag: str) -> str | None:
        """Record a visit to a tag now; returns the previous visit (ISO time) if any."""
        previous: list[str | None] = [None]

        def edit(data: dict[str, Any]) -> None:
            before = data["visits"].get(tag)
            previous[0] = before if isinstance(before, str) else None
            data["visits"][tag] = iso_now()

        self._edit(edit)
        return previous[0]

    def entry(self, thread_id: int) -> dict[str, Any] | None:
        read = self.snapshot().get("read") or {}
        found = read.get(str(thread_id))
        if found is None:
            return None
        return found if isinstance(found, dict) else {}

    def is_unread(self, row: ThreadSummary) -> bool:
        return self.entry(row.id) is None

    def has_new_activity(self, row: ThreadSummary) -> bool:
        """Read before, and replies arrived since."""
        entry = self.entry(row.id)
        if entry is None:
            return False
        replies = entry.get("replies")
        return type(replies) is int and row.replies is not None and row.replies > replies


def stored_time(value: Any) -> datetime | None:
    """An ISO time as local files store it (with a zone: one without is not nereader's)."""
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo is not None else None
