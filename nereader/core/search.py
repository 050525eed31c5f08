"""Full-text search of every cached thread: an SQLite FTS5 index in the data folder.

The index also remembers per-thread facts the filter language needs (question author, whether
Apple staff replied) so ``author:`` and ``is:staff`` work offline without reparsing pages, and
each thread as a list row (the bookmarks view and the library read 20,000 of them at once).

A rebuild never takes the index away from anyone: it fills tables beside the live ones and
swaps them in with one transaction, carrying over what other processes (a sync, the app)
indexed meanwhile; a rebuild that is killed leaves the old index whole. An index too damaged
to open is rebuilt as a new file beside it and moved into place, and every open index notices
the new file before its next use. A failure says which kind it is: a full or read-only disk
(the index is intact), another process holding it, or damage (``--rebuild`` recreates it).
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

from nereader.core import codec
from nereader.core.codec import MODEL_TAG
from nereader.core.errors import DamagedError, StorageError, UsageError
from nereader.core.export import plain_text, thread_row
from nereader.core.models import PostKind, SearchHit, Thread, ThreadSummary
from nereader.core.query import fold
from nereader.core.store import (
    LOCK_WAIT,
    disk_trouble,
    file_lock,
    folder_problem,
    no_room,
    write_failed,
)
from nereader.core.text import MARK_CLOSE, MARK_OPEN, echo, escape_line, marked


def _tables(suffix: str = "") -> str:
    return f"""
CREATE TABLE IF NOT EXISTS threads{suffix} (
    id INTEGER PRIMARY KEY, title TEXT, url TEXT, author TEXT, has_staff INTEGER,
    accepted_id INTEGER, replies INTEGER, fetched_at TEXT, indexed_at INTEGER, row TEXT,
    rowids TEXT
);
CREATE VIRTUAL TABLE IF NOT EXISTS posts{suffix} USING fts5(
    title, author, body, thread_id UNINDEXED, post_id UNINDEXED, kind UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
"""


_THREAD_COLUMNS = ("id, title, url, author, has_staff, accepted_id, replies, fetched_at, "
                   "indexed_at, row, rowids")
# Columns an index of an older nereader lacks. ``rowids``: the thread's rows in ``posts``
# (found by the rowid, not by scanning every post for the thread id).
_ADDED_COLUMNS = {"indexed_at": "INTEGER", "row": "TEXT", "rowids": "TEXT"}
_SHADOW = "_rebuild"
_WORD = re.compile(r'(-?)"([^"]*)"|(\S+)')
MAX_TERMS = 256  # words and phrases in one search: beyond, a query is no longer a search


def fts_query(text: str, strict: bool = False) -> str:
    """The user's words as a safe FTS5 query: words and "phrases" ANDed, ``OR``, ``-word``,
    a trailing ``*`` for a prefix. Everything else is quoted, so no FTS syntax leaks through;
    a run of ``OR`` is one flat group, never nested (however many there are).

    ``strict``: the query is finished (a command's), so a quote opened and never closed is a
    usage error at its column; as typed (the app's search as you type) it is a phrase on its
    way, and its words are searched meanwhile."""
    groups: list[list[str]] = []
    negative: list[str] = []
    join_or = False
    count = 0
    for m in _WORD.finditer(text):
        if strict and m.group(3) is not None and m.group(3).lstrip("-").startswith('"'):
            at = m.start() + m.group(3).index('"')
            raise UsageError(bad_search(text, at, len(text) - at, "unclosed quote"))
        if m.group(3) == "OR":
            join_or = bool(groups)
            continue
        negate = m.group(1) == "-" if m.group(2) is not None else m.group(3).startswith("-")
        raw = m.group(2) if m.group(2) is not None else m.group(3).lstrip("-")
        prefix = raw.endswith("*")
        words = re.findall(r"\w+", fold(raw), flags=re.UNICODE)
        if not words:
            continue
        count += 1
        if count > MAX_TERMS:
            raise UsageError(bad_search(text, m.start(), m.end() - m.start(),
                                        f"a search takes at most {MAX_TERMS} words and "
                                        "phrases"))
        term = '"' + " ".join(words) + '"' + ("*" if prefix and len(words) == 1 else "")
        if negate:
            negative.append(term)
        elif join_or and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_or = False
    if not groups:  # punctuation and operators alone are no words at all
        raise UsageError("a search needs at least one word" + (
            " that is not negated" if negative else
            f" (letters or digits), not {escape_line(echo(text))}"))
    query = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    for term in negative:
        query += f" NOT {term}"
    return query


def bad_search(text: str, at: int, length: int, why: str) -> str:
    """A search the index refuses, on one line: the column, why, and the query with the bad
    part bracketed (escaped: a newline or a bidi control in it stays visible text)."""
    return f"bad search at column {at + 1}: {why}: {marked(text, at, at + max(length, 1))}"


_HINT = "; `nereader search --rebuild` recreates it"
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB (primary codes)
_BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
_WRITE_FAILED = {8, 10, 13, 14}  # SQLITE_READONLY, _IOERR, _FULL, _CANTOPEN


class SearchIndex:
    """The index; one that cannot be written (a read-only folder) is opened to read only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.read_only: str | None = None  # why it cannot be written, when so
        self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        self._ident = _identity(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=LOCK_WAIT)
            db.executescript("PRAGMA journal_mode=WAL;" + _tables())
            _add_columns(db, "threads")
        except (sqlite3.Error, OSError) as exc:
            db = self._read_only(exc)
        self._ident = _identity(self.path)
        return db

    def _read_only(self, failure: Exception) -> sqlite3.Connection:
        if isinstance(failure, OSError):  # the folder, not the index: recreating won't help
            why = (folder_problem(self.path.parent) or no_room(failure, self.path.parent)
                   or failure.strerror or str(failure))
            problem = StorageError(f"cannot open the search index {self.path}: {why}")
        else:
            problem = self._problem("open", failure)
        if not self.path.is_file():
            raise problem from failure
        try:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1",
                                 uri=True, check_same_thread=False)
            db.execute("SELECT count(*) FROM threads").fetchone()
        except (sqlite3.Error, OSError, ValueError) as exc:
            if isinstance(failure, OSError):
                raise problem from failure
            trouble = self._trouble(failure)
            if trouble is not None:
                # The disk would not let the index be made (an empty file, no tables yet):
                # that is the cause to tell, not damage a rebuild could mend.
                raise StorageError(f"the search index {self.path} cannot be made: {trouble}"
                                   ) from failure
            # It cannot even be read: whatever else is wrong, it is damaged.
            raise DamagedError(f"cannot open the search index {self.path}: {exc}{_HINT}"
                               ) from failure
        self.read_only = str(problem)
        return db

    def _fresh(self) -> sqlite3.Connection:
        """The connection, reopened first when the file was replaced (a rebuild of a damaged
        index moved a new one into place): writes never go to a file nobody reads."""
        if _identity(self.path) != self._ident:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self.read_only = None
            self._db = self._connect()
        return self._db

    def close(self) -> None:
        self._db.close()

    def _problem(self, what: str, exc: BaseException) -> StorageError:
        """The StorageError for a failed use of the index, by kind."""
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        if primary in _BUSY or "locked" in str(exc):
            return StorageError(f"the search index is busy: another nereader process has held "
                                f"it for over {LOCK_WAIT:g} s (to {what}); try again when it is "
                                "done")
        if primary in _DAMAGED:
            return DamagedError(f"the search index {self.path} is damaged ({exc}){_HINT}")
        trouble = self._trouble(exc)
        if trouble is not None:
            return StorageError("the search index cannot be written (it is intact, and a "
                                f"thread read later is indexed then): {trouble}")
        if self.read_only:
            return StorageError(self.read_only)
        return StorageError(f"the search index failed to {what}: {exc}{_HINT}")

    def _trouble(self, exc: BaseException) -> str | None:
        """Why the index's folder cannot be written, when a failure says it (None: it can,
        or the failure is no write's)."""
        trouble = disk_trouble(self.path.parent) if self.path.parent.is_dir() else None
        code = getattr(exc, "sqlite_errorcode", None)
        failed = isinstance(code, int) and code & 0xFF in _WRITE_FAILED
        if trouble is None and (failed or isinstance(exc, OSError)):
            trouble = write_failed(self.path.parent, exc)
        return trouble

    @contextlib.contextmanager
    def _using(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._fresh()
            except (sqlite3.Error, OSError) as exc:
                raise self._problem(what, exc) from exc

    # -- writing -------------------------------------------------------------------------------
    def index_thread(self, thread: Thread) -> None:
        """(Re)index a whole thread; re-caching a thread replaces its old rows."""
        self.index_threads([thread])

    def index_threads(self, threads: Iterable[Thread]) -> None:
        """(Re)index threads in one transaction (one write to disk for them all)."""
        with self._using("index a thread") as db, db:
            for thread in threads:
                _put(db, thread, "")

    # -- reading -------------------------------------------------------------------------------
    def search(self, text: str, limit: int = 50, strict: bool = False) -> list[SearchHit]:
        """Best matches first (bm25, the title weighing most), the best post of each thread,
        with a snippet of it; ``strict``: a finished query (see ``fts_query``)."""
        query = fts_query(text, strict)
        sql = (
            "SELECT thread_id, post_id, kind, title, author, "
            f"snippet(posts, 2, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 14), "
            "bm25(posts, 8.0, 2.0, 1.0) AS r "
            "FROM posts WHERE posts MATCH ? ORDER BY r, post_id LIMIT ?"
        )
        try:
            with self._using("search") as db, closing(db.execute(sql, (query, limit * 20))
                                                      ) as cur:
                rows = cur.fetchall()
        except StorageError as exc:
            cause = exc.__cause__
            if isinstance(cause, sqlite3.Error) and str(cause).startswith("fts5:"):
                # The query, not the index: the user's words are refused as a usage error.
                raise UsageError(_fts_refusal(text, str(cause))) from cause
            raise
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

    def facts(self, ids: Iterable[int] | None = None) -> dict[int, tuple[str | None, bool]]:
        """(question author, has an Apple staff reply) per indexed thread."""
        with self._using("read its facts") as db, closing(db.execute(
                "SELECT id, author, has_staff FROM threads")) as cur:
            rows = cur.fetchall()
        wanted = set(ids) if ids is not None else None
        return {int(i): (a, bool(s)) for i, a, s in rows if wanted is None or i in wanted}

    def rows(self, ids: Iterable[int]) -> dict[int, tuple[ThreadSummary, datetime | None]]:
        """The list rows of the threads asked for that the index holds, with the time the
        copy indexed was fetched. A row this version cannot read is left out."""
        wanted = list(dict.fromkeys(ids))
        stored: list[tuple[int, str, str | None]] = []
        with self._using("read its rows") as db:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for thread_id, row, fetched in db.execute(
                        f"SELECT id, row, fetched_at FROM threads WHERE id IN ({marks}) AND "
                        "row IS NOT NULL", chunk):
                    tag, _, data = str(row).partition("\n")
                    if tag == MODEL_TAG:  # another version's is read again, indexed anew
                        stored.append((int(thread_id), data, fetched))
        found: dict[int, tuple[ThreadSummary, datetime | None]] = {}
        for (thread_id, _, fetched), row in zip(
                stored, codec.load_many("row", [data for _, data, _ in stored]), strict=True):
            if row is not None:
                with contextlib.suppress(ValueError, TypeError):
                    found[thread_id] = (row, datetime.fromisoformat(fetched) if fetched
                                        else None)
        return found

    def fetched(self, ids: Iterable[int]) -> dict[int, datetime | None]:
        """When the copy indexed of each of these threads was fetched (those indexed)."""
        wanted = list(dict.fromkeys(ids))
        found: dict[int, datetime | None] = {}
        with self._using("read its rows") as db:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                for thread_id, fetched in db.execute(
                        f"SELECT id, fetched_at FROM threads WHERE id IN "
                        f"({','.join('?' * len(chunk))})", chunk):
                    with contextlib.suppress(ValueError, TypeError):
                        found[int(thread_id)] = (datetime.fromisoformat(fetched) if fetched
                                                 else None)
        return found

    def version(self) -> tuple[int, int, int]:
        """What changes whenever the index does (a write here, or by any other process)."""
        with self._using("look at itself") as db:
            changed = db.execute("PRAGMA data_version").fetchone()[0]
            return id(db), int(changed), db.total_changes

    def stats(self) -> tuple[int, int]:
        with self._using("count itself") as db:
            threads = db.execute("SELECT count(*) FROM threads").fetchone()[0]
            posts = db.execute("SELECT count(*) FROM posts").fetchone()[0]
        return int(threads), int(posts)

    # -- rebuilding ----------------------------------------------------------------------------
    def rebuild(self) -> Rebuild:
        """Start a rebuild beside the live tables (see ``Rebuild``)."""
        return Rebuild(self)


class Rebuild:
    """A rebuild in progress: threads go into shadow tables (a killed rebuild's leftovers
    are dropped first), and ``finish`` swaps them in atomically. Only one rebuild runs at a
    time (another one is refused at once, naming the process)."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self._guard = contextlib.ExitStack()
        self._guard.enter_context(file_lock(_rebuild_lock(index.path), wait=0))
        try:
            with index._using("start a rebuild") as db:
                db.executescript(f"DROP TABLE IF EXISTS posts{_SHADOW}; "
                                 f"DROP TABLE IF EXISTS threads{_SHADOW};" + _tables(_SHADOW))
                self.started = time.time_ns()
        except BaseException:
            self._guard.close()
            raise

    def add(self, threads: Iterable[Thread]) -> None:
        with self.index._using("rebuild") as db, db:
            for thread in threads:
                _put(db, thread, _SHADOW)

    def finish(self) -> None:
        """Swap the new tables in, in one transaction: what other processes indexed since
        the rebuild started is carried over from the old ones first."""
        try:
            with self.index._using("finish a rebuild") as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    newer = [i for (i,) in db.execute(
                        "SELECT id FROM threads WHERE indexed_at >= ?", (self.started,))]
                    for start in range(0, len(newer), 500):
                        _carry(db, newer[start:start + 500])
                    # One statement at a time: executescript would commit first.
                    for statement in ("DROP TABLE posts", "DROP TABLE threads",
                                      f"ALTER TABLE posts{_SHADOW} RENAME TO posts",
                                      f"ALTER TABLE threads{_SHADOW} RENAME TO threads"):
                        db.execute(statement)
                    db.commit()
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        db.rollback()
                    raise
        finally:
            self._guard.close()

    def abandon(self) -> None:
        self._guard.close()


def _carry(db: sqlite3.Connection, ids: list[int]) -> None:
    marks = ",".join("?" * len(ids))
    db.execute(f"DELETE FROM posts{_SHADOW} WHERE thread_id IN ({marks})", ids)
    db.execute(f"INSERT INTO posts{_SHADOW} (title, author, body, thread_id, post_id, kind) "
               f"SELECT title, author, body, thread_id, post_id, kind FROM posts WHERE "
               f"thread_id IN ({marks})", ids)
    db.execute(f"INSERT OR REPLACE INTO threads{_SHADOW} ({_THREAD_COLUMNS}) SELECT "
               f"{_THREAD_COLUMNS} FROM threads WHERE id IN ({marks})", ids)
    # Their rows have new rowids here: the next reindex finds them by a scan.
    db.execute(f"UPDATE threads{_SHADOW} SET rowids = NULL WHERE id IN ({marks})", ids)


def _put(db: sqlite3.Connection, thread: Thread, suffix: str) -> None:
    """A thread's rows in ``posts`` and ``threads`` (with ``suffix``), replacing its old ones.
    Every post carries the title (an empty title column would skew bm25's length
    normalisation); search() keeps the best post of each thread."""
    question = thread.question
    old = db.execute(f"SELECT rowids FROM threads{suffix} WHERE id = ?",
                     (thread.id,)).fetchone()
    if old is not None:
        _drop_posts(db, suffix, thread.id, old[0])
    rowids = []
    for post in thread.posts:
        cursor = db.execute(
            f"INSERT INTO posts{suffix} (title, author, body, thread_id, post_id, kind) "
            "VALUES (?, ?, ?, ?, ?, ?)", (thread.title, post.author.name, plain_text(post),
                                           thread.id, post.id, post.kind.value))
        rowids.append(cursor.lastrowid)
    db.execute(
        f"INSERT OR REPLACE INTO threads{suffix} ({_THREAD_COLUMNS}) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (thread.id, thread.title, thread.url, question.author.name if question else None,
         int(thread.has_staff_reply), thread.accepted_answer_id,
         len(thread.posts) - 1 if question else len(thread.posts),
         thread.fetched_at.isoformat() if thread.fetched_at else None, time.time_ns(),
         f"{MODEL_TAG}\n{codec.dump(thread_row(thread)).decode()}",
         ",".join(map(str, rowids))))


def _drop_posts(db: sqlite3.Connection, suffix: str, thread_id: int, rowids: str | None
                ) -> None:
    """A thread's rows in ``posts``: by their rowids, or (an older index, a thread carried
    over by a rebuild) by a scan for the thread id."""
    try:
        known = [int(r) for r in rowids.split(",")] if rowids else None
    except ValueError:
        known = None
    if known is None:
        db.execute(f"DELETE FROM posts{suffix} WHERE thread_id = ?", (thread_id,))
        return
    for start in range(0, len(known), 500):
        chunk = known[start:start + 500]
        db.execute(f"DELETE FROM posts{suffix} WHERE rowid IN ({','.join('?' * len(chunk))}) "
                   "AND thread_id = ?", (*chunk, thread_id))


def _add_columns(db: sqlite3.Connection, table: str) -> None:
    """Columns a newer nereader keeps, added to an older index (empty until reindexed)."""
    have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
    for name, kind in _ADDED_COLUMNS.items():
        if name not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _rebuild_lock(path: Path) -> Path:
    return path.with_name(path.name + ".rebuild.lock")


def _fts_refusal(text: str, message: str) -> str:
    """FTS5's refusal of a query, as a usage error at the column it points at (its "near"
    word found in the query; the start when it names none)."""
    why = message.removeprefix("fts5:").strip()
    near = re.search(r'near "(.+)"$', why)
    at = fold(text).find(fold(near.group(1))) if near else -1
    return bad_search(text, max(at, 0), len(near.group(1)) if near and at >= 0 else len(text),
                      f"the index cannot search this ({why})")


def rebuild_beside(path: Path) -> tuple[SearchIndex, contextlib.ExitStack]:
    """A new, empty index beside one too damaged to open (``<name>.rebuild``), under the
    rebuild lock; ``move_into_place`` makes it the index."""
    guard = contextlib.ExitStack()
    guard.enter_context(file_lock(_rebuild_lock(path), wait=0))
    try:
        new = path.with_name(path.name + ".rebuild")
        _remove(new)
        return SearchIndex(new), guard
    except BaseException:
        guard.close()
        raise


def move_into_place(built: SearchIndex, path: Path, guard: contextlib.ExitStack) -> None:
    """Replace the damaged index by the one built beside it, in one rename; the old one's
    journal files go first (they belong to the old file), and every index open on the path
    reopens before its next use."""
    try:
        built.close()
        for extra in ("-wal", "-shm", "-journal"):
            Path(str(path) + extra).unlink(missing_ok=True)
        built.path.replace(path)
    except OSError as exc:
        raise StorageError(f"cannot move the rebuilt search index into place: "
                           f"{exc.strerror or exc}") from exc
    finally:
        guard.close()


def _remove(path: Path) -> None:
    for name in (path.name, path.name + "-wal", path.name + "-shm", path.name + "-journal"):
        try:
            (path.parent / name).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot remove {path.parent / name}: "
                               f"{exc.strerror or exc}") from exc

