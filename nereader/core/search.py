"""Full-text search of every cached thread: an SQLite FTS5 index in the data folder.

The index also remembers per-thread facts the filter language needs (question author, whether
Apple staff replied) so ``author:`` and ``is:staff`` work offline without reparsing pages.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from nereader.core.errors import StorageError, UsageError, storage_errors
from nereader.core.export import plain_text
from nereader.core.models import PostKind, SearchHit, Thread
from nereader.core.query import fold
from nereader.core.store import folder_problem
from nereader.core.text import MARK_CLOSE, MARK_OPEN

_SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
    id INTEGER PRIMARY KEY, title TEXT, url TEXT, author TEXT, has_staff INTEGER,
    accepted_id INTEGER, replies INTEGER, fetched_at TEXT
);
CREATE VIRTUAL TABLE IF NOT EXISTS posts USING fts5(
    title, author, body, thread_id UNINDEXED, post_id UNINDEXED, kind UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
"""
_WORD = re.compile(r'(-?)"([^"]*)"|(\S+)')


def fts_query(text: str) -> str:
    """The user's words as a safe FTS5 query: words and "phrases" ANDed, ``OR``, ``-word``,
    a trailing ``*`` for a prefix. Everything else is quoted, so no FTS syntax leaks through."""
    positive: list[str] = []
    negative: list[str] = []
    join_or = False
    for m in _WORD.finditer(text):
        if m.group(3) == "OR":
            join_or = bool(positive)
            continue
        negate = m.group(1) == "-" if m.group(2) is not None else m.group(3).startswith("-")
        raw = m.group(2) if m.group(2) is not None else m.group(3).lstrip("-")
        prefix = raw.endswith("*")
        words = re.findall(r"\w+", fold(raw), flags=re.UNICODE)
        if not words:
            continue
        term = '"' + " ".join(words) + '"' + ("*" if prefix and len(words) == 1 else "")
        if negate:
            negative.append(term)
        elif join_or and positive:
            positive[-1] = f"({positive[-1]} OR {term})"
        else:
            positive.append(term)
        join_or = False
    if not positive:  # punctuation and operators alone are no words at all
        raise UsageError("a search needs at least one word" + (
            " that is not negated" if negative else f" (letters or digits), not {text!r}"))
    query = " AND ".join(positive)
    for term in negative:
        query += f" NOT {term}"
    return query


_HINT = "; `nereader search --rebuild` recreates it"


class SearchIndex:
    """The index; one that cannot be written (a read-only folder) is opened to read only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
            self._db.executescript("PRAGMA journal_mode=WAL;" + _SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            self._db = self._read_only(exc)

    def _read_only(self, failure: Exception) -> sqlite3.Connection:
        if isinstance(failure, OSError):  # the folder, not the index: recreating won't help
            why = folder_problem(self.path.parent) or failure.strerror or str(failure)
            problem = StorageError(f"cannot open the search index {self.path}: {why}")
        else:
            problem = StorageError(f"cannot open the search index {self.path}: {failure}"
                                   f"{_HINT}")
        if not self.path.is_file():
            raise problem from failure
        try:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1",
                                 uri=True, check_same_thread=False)
            db.execute("SELECT count(*) FROM threads").fetchone()
        except (sqlite3.Error, OSError, ValueError):
            raise problem from failure
        return db

    def close(self) -> None:
        self._db.close()

    @classmethod
    def recreate(cls, path: Path) -> SearchIndex:
        """A new, empty index in place of one that cannot be opened or read."""
        for name in (path.name, path.name + "-wal", path.name + "-shm", path.name + "-journal"):
            try:
                (path.parent / name).unlink(missing_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot remove the damaged search index {path}: "
                                   f"{exc.strerror or exc}") from exc
        return cls(path)

    @storage_errors("the search index", _HINT)
    def index_thread(self, thread: Thread) -> None:
        """(Re)index a whole thread; re-caching a thread replaces its old rows."""
        question = thread.question
        # Every post carries the title (an empty title column would skew bm25's length
        # normalisation); search() keeps the best post of each thread.
        rows = [
            (thread.title, p.author.name, plain_text(p), thread.id, p.id, p.kind.value)
            for p in thread.posts
        ]
        staff = thread.has_staff_reply
        with self._lock, self._db:
            self._db.execute("DELETE FROM posts WHERE thread_id = ?", (thread.id,))
            self._db.executemany(
                "INSERT INTO posts (title, author, body, thread_id, post_id, kind) "
                "VALUES (?, ?, ?, ?, ?, ?)", rows)
            self._db.execute(
                "INSERT OR REPLACE INTO threads VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (thread.id, thread.title, thread.url, question.author.name if question else None,
                 int(staff), thread.accepted_answer_id,
                 len(thread.posts) - 1 if question else len(thread.posts),
                 thread.fetched_at.isoformat() if thread.fetched_at else None))

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """Best matches first (bm25, the title weighing most), the best post of each thread,
        with a snippet of it."""
        query = fts_query(text)
        sql = (
            "SELECT thread_id, post_id, kind, title, author, "
            f"snippet(posts, 2, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 14), "
            "bm25(posts, 8.0, 2.0, 1.0) AS r "
            "FROM posts WHERE posts MATCH ? ORDER BY r, post_id LIMIT ?"
        )
        try:
            with self._lock, closing(self._db.execute(sql, (query, limit * 20))) as cur:
                rows = cur.fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"the search index {self.path} failed: {exc}{_HINT}") from exc
        questions = {int(r[0]): r for r in rows if r[2] == PostKind.QUESTION.value}
        hits: list[SearchHit] = []
        seen: set[int] = set()
        for r in rows:
            thread_id = int(r[0])
            if thread_id in seen:
                continue
            seen.add(thread_id)
            if MARK_OPEN not in r[5] and thread_id in questions:
                r = questions[thread_id]  # only the title matched: show the question
            hits.append(SearchHit(thread_id, int(r[1]), r[2], r[3] or "", r[4],
                                  " ".join(r[5].split()), r[6]))
            if len(hits) >= limit:
                break
        return hits

    @storage_errors("the search index", _HINT)
    def facts(self, ids: Iterable[int] | None = None) -> dict[int, tuple[str | None, bool]]:
        """(question author, has an Apple staff reply) per indexed thread."""
        with self._lock, closing(self._db.execute(
                "SELECT id, author, has_staff FROM threads")) as cur:
            rows = cur.fetchall()
        wanted = set(ids) if ids is not None else None
        return {int(i): (a, bool(s)) for i, a, s in rows if wanted is None or i in wanted}

    @storage_errors("the search index", _HINT)
    def stats(self) -> tuple[int, int]:
        with self._lock:
            threads = self._db.execute("SELECT count(*) FROM threads").fetchone()[0]
            posts = self._db.execute("SELECT count(*) FROM posts").fetchone()[0]
        return int(threads), int(posts)
