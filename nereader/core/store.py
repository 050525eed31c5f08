"""Local files: atomic, locked, human-readable JSON that a crash cannot corrupt."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from nereader.core.clock import utc_now
from nereader.core.errors import StorageError
from nereader.core.text import clean, has_lone_surrogate, mend_surrogates, squash

T = TypeVar("T")
VERSION = 1
LOCK_WAIT = 5.0  # seconds any wait on another nereader process lasts at most


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, fsync, then rename over the target.

    A symlink (a dotfile manager's) stays a link: the file it points to is replaced, in that
    file's folder. An existing file keeps its permissions; a new one is private (0600)."""
    if has_lone_surrogate(text):  # not UTF-8: writing it would fail half-way
        text = mend_surrogates(text)
    try:
        path = _link_target(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = _mode_of(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            if mode is not None:
                Path(tmp).chmod(mode)
            # newline="": the text's own line endings, byte for byte (a CRLF file stays one).
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(path)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
            raise
        with contextlib.suppress(OSError):  # make the rename itself durable
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    except OSError as exc:
        why = (folder_problem(path.parent) or no_room(exc, path.parent) or exc.strerror
               or str(exc))
        raise StorageError(f"cannot write {path} (nothing was changed): {why}") from exc


def _link_target(path: Path) -> Path:
    """The file a symlink leads to (through any chain of links); the path itself otherwise."""
    if not path.is_symlink():
        return path
    try:
        return path.resolve(strict=False)
    except RuntimeError as exc:  # a loop of links
        raise OSError(errno.ELOOP, f"{path} is a loop of symbolic links") from exc


def _mode_of(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None


_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
PROBE_BYTES = 64 * 1024  # what a store needs free to write at all (a page, a journal)


# Each of these words says the cause once and ends with the one next step that helps; a
# message built on them adds none of its own (space freed does nothing for a read-only disk).
ELSEWHERE = "choose another folder (--cache-dir, --data-dir)"


def no_room(exc: OSError, folder: Path) -> str | None:
    """Words for an error that says the disk is full or read-only (None: another error)."""
    if exc.errno in _FULL:
        return full_disk(folder, exc.strerror or str(exc))
    if exc.errno == errno.EROFS:
        return read_only_disk(folder)
    return None


def full_disk(folder: Path, detail: str) -> str:
    return f"the disk holding {folder} is full ({detail}); free some space and try again"


def read_only_disk(folder: Path) -> str:
    return f"{folder} is on a read-only file system; remount it read-write, or {ELSEWHERE}"


def unwritable(folder: Path, detail: str) -> str:
    return f"{folder} cannot be written ({detail}); check its permissions, or {ELSEWHERE}"


def write_failed(folder: Path, exc: BaseException) -> str:
    """A write that failed without saying why (SQLite's "disk I/O error"): most likely the
    disk filled meanwhile, which the probe no longer sees."""
    return f"writing to {folder} fails ({exc}): is the disk full? Free some space and try again"


def disk_trouble(folder: Path) -> str | None:
    """Why nothing can be written in ``folder``, when that is so: the disk is full, or
    read-only (None: a small write works, so a failure there is something else, such as
    a damaged file). Told by trying: a file is written, synced and removed again."""
    with contextlib.suppress(OSError, AttributeError, ValueError):
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return read_only_disk(folder)
    try:
        fd, probe = tempfile.mkstemp(prefix=".nereader-probe.", dir=folder)
    except OSError as exc:
        return no_room(exc, folder) or (unwritable(folder, exc.strerror or str(exc))
                                        if exc.errno in _READ_ONLY else None)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"\0" * PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        return no_room(exc, folder)
    finally:
        with contextlib.suppress(OSError):
            Path(probe).unlink()
    return None


def folder_problem(folder: Path) -> str | None:
    """What is wrong with a folder nereader keeps files in, in words (None: nothing seen)."""
    for part in (folder, *folder.parents):
        if part.exists():
            if not part.is_dir():
                return f"{part} is a file, not a folder"
            return None
    return None


@contextlib.contextmanager
def file_lock(path: Path, shared: bool = False, wait: float | None = None) -> Iterator[None]:
    """An advisory lock held for the ``with`` block; ``shared`` for readers. It is waited
    for at most ``wait`` seconds (``LOCK_WAIT``): a nereader process that is stopped or
    slow never hangs another, which instead fails with a message naming it. A reader in a
    folder it cannot write to (or that does not exist yet) reads without a lock: there is no
    writer it could race with there."""
    try:
        if not shared:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        if shared and (exc.errno in _READ_ONLY or isinstance(exc, FileNotFoundError)):
            yield
            return
        why = folder_problem(path.parent) or no_room(exc, path.parent) or (
            unwritable(path.parent, exc.strerror) if exc.errno in _READ_ONLY and exc.strerror
            else exc.strerror or str(exc))
        raise StorageError(f"cannot lock {path}: {why}") from exc
    try:
        _take(fd, path, shared, LOCK_WAIT if wait is None else wait)
        if not shared:  # who holds it, for anyone left waiting
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()} {_command()}\n".encode(), 0)
        yield
    finally:
        if not shared:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # nobody holds it now
        os.close(fd)  # closing releases the lock


def _take(fd: int, path: Path, shared: bool, wait: float) -> None:
    """Take the lock, trying again until ``wait`` runs out (no lock call has a timeout)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            try:
                import fcntl

                fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            except ImportError:  # Windows
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES,
                                 errno.EDEADLK):
                raise StorageError(f"cannot lock {path}: {exc.strerror or exc}") from exc
        if time.monotonic() >= deadline:
            raise StorageError(f"{path.name.removesuffix('.lock')} is held by "
                               f"{lock_holder(path)} for over {wait:g} s; try again when it "
                               "is done")
        time.sleep(0.05)


def _command() -> str:
    words = [w for w in sys.argv[1:3] if not w.startswith("-")]
    return " ".join(["nereader", *words])[:80]


def lock_holder(path: Path) -> str:
    """The process that holds a lock file, in words, as far as it can be told."""
    try:
        pid_text, _, command = path.read_text(encoding="utf-8").strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return "another nereader process"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "another nereader process"
    except OSError:
        pass  # it exists, but belongs to someone else
    state = ""
    with contextlib.suppress(OSError, IndexError):
        stat_line = Path(f"/proc/{pid}/stat").read_text()
        if stat_line.rsplit(")", 1)[1].split()[0] in {"T", "t"}:
            state = ", stopped"
    return f"another nereader process (pid {pid}, `{clean(command)}`{state})"


def load_json(text: str) -> Any:
    """Strict JSON: no NaN or Infinity, and nesting too deep to walk is an error (ValueError)."""

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    try:
        return json.loads(text, parse_constant=constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def mend_document(data: Any) -> tuple[Any, list[str]]:
    """The document with every lone surrogate (valid JSON, but not text) in its strings and
    keys replaced by U+FFFD, and where each was ("bookmarks[0].labels[1]"). Walked without
    recursion: the parser allows nesting deeper than a recursive walk could go."""
    fixed: list[str] = []

    def mend(value: Any, where: str) -> Any:
        if isinstance(value, str) and has_lone_surrogate(value):
            fixed.append(where or "the document")
            return mend_surrogates(value)
        if isinstance(value, list | dict):
            todo.append((value, where))
        return value

    todo: deque[tuple[Any, str]] = deque()
    data = mend(data, "")
    while todo:
        node, where = todo.popleft()
        if isinstance(node, list):
            node[:] = [mend(item, f"{where}[{n}]") for n, item in enumerate(node)]
            continue
        if not any(has_lone_surrogate(key) for key in node):
            for key, value in node.items():
                node[key] = mend(value, f"{where}.{key}" if where else key)
            continue
        items = list(node.items())
        node.clear()
        for key, value in items:
            name = f"{where}.{key}" if where else key
            if has_lone_surrogate(key):
                fixed.append(f"the name {mend_surrogates(name)!r}")
                key = mend_surrogates(key)
            node.setdefault(key, mend(value, mend_surrogates(name)))  # the first one wins
    return data, fixed


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def load_mended(text: str) -> tuple[Any, list[str]]:
    """``load_json`` then ``mend_document`` (only when the text has an escape that could be
    a lone surrogate: most files have none, and are not walked)."""
    data = load_json(text)
    return mend_document(data) if _ESCAPED_SURROGATE.search(text) else (data, [])


def _mended_warning(name: str, fixed: list[str]) -> str:
    shown = ", ".join(fixed[:3]) + (f" and {len(fixed) - 3} more" if len(fixed) > 3 else "")
    return (f"{name}: {shown} held a lone surrogate (half of a UTF-16 pair, not text); "
            "replaced it with U+FFFD, and the next change writes it so")


class _Said:
    """Warnings a local file has for the user, each said once (``warnings``: not yet passed on)."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self._said: set[str] = set()

    def warn(self, message: str) -> None:
        if message not in self._said:
            self._said.add(message)
            self.warnings.append(message)


class JsonStore(_Said):
    """One JSON document on disk, changed only under the lock.

    A document that does not parse, or whose shape ``check`` refuses, is moved aside as
    ``*.corrupt-<time>`` (never deleted) with a warning, and nereader carries on without it.
    If it cannot be moved aside, reading goes on without it, but no change is written over
    it. Each warning is said once per process; ``warnings`` holds those not yet passed on.
    A byte order mark (which some editors add) is read past, and never written.
    """

    def __init__(self, path: Path, empty: Callable[[], dict[str, Any]],
                 check: Callable[[dict[str, Any]], str | None] | None = None,
                 render: Callable[[dict[str, Any]], str] | None = None) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self._empty = empty
        self._check = check or (lambda data: None)
        self._render = render or (lambda data: json.dumps(data, indent=2, ensure_ascii=False)
                                  + "\n")
        self._identity: object = None  # of the file last read
        super().__init__()

    def identity(self) -> object:
        """What tells this file from the one last read (None: there is no file). A change
        always replaces the file (see ``atomic_write_text``), so a new one has a new identity."""
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns

    def _read(self, writing: bool) -> dict[str, Any]:
        self._identity = None
        try:
            with self.path.open("rb") as handle:
                st = os.fstat(handle.fileno())
                text = handle.read().decode("utf-8-sig")  # a BOM an editor adds is no damage
        except FileNotFoundError:
            return self._empty()
        except (OSError, UnicodeDecodeError) as exc:
            if isinstance(exc, UnicodeDecodeError):
                return self._set_aside(f"not UTF-8 text: {exc.reason}", writing)
            raise StorageError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        try:
            data, fixed = load_mended(text)
        except ValueError as exc:
            return self._set_aside(f"not valid JSON: {exc}", writing)
        if not isinstance(data, dict):
            return self._set_aside(f"a JSON {type(data).__name__}, not an object", writing)
        if fixed:
            self.warn(_mended_warning(self.path.name, fixed))
        problem = self._check(data)
        if problem:
            return self._set_aside(problem, writing)
        self._identity = identity
        return data

    def _set_aside(self, why: str, writing: bool) -> dict[str, Any]:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{utc_now():%Y%m%dT%H%M%S%f}")
        try:
            self.path.replace(aside)
        except OSError as move:
            if writing:
                raise StorageError(f"{self.path} cannot be read ({why}) and could not be "
                                   f"moved aside ({move.strerror or move}); it is left as it "
                                   "is and nothing was changed") from move
            self.warn(f"{self.path.name} cannot be read ({why}); reading without it "
                      "(it is left as it is)")
            return self._empty()
        self.warn(f"{self.path.name} could not be read ({why}); kept it as {aside.name} "
                  "and started afresh")
        return self._empty()

    def load(self) -> dict[str, Any]:
        return self.load_identified()[0]

    def load_identified(self) -> tuple[dict[str, Any], object]:
        """The document and the identity of the file it was read from (None: no file, or
        one that did not read)."""
        with file_lock(self.lock_path, shared=True):
            data = self._read(writing=False)
            return data, self._identity

    def change(self, edit: Callable[[dict[str, Any]], T]) -> T:
        """Apply ``edit`` to the current document and write it back atomically."""
        with file_lock(self.lock_path):
            data = self._read(writing=True)
            result = edit(data)
            atomic_write_text(self.path, self._render(data))
            return result


_COMPACT = json.JSONEncoder(ensure_ascii=False)  # one encoder for every item: C speed


def render_lines(data: dict[str, Any]) -> str:
    """JSON as readable as indented JSON for a big document, written at C speed: each
    top-level member on its own line, and each item of a top-level list or object on a
    line of its own ("bookmarks": one bookmark a line)."""
    if not all(isinstance(key, str) for value in data.values() if isinstance(value, dict)
               for key in value):
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    one = _COMPACT.encode
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            inner = ",\n    ".join(one(item) for item in value)
            parts.append(f"  {one(key)}: [\n    {inner}\n  ]")
        elif isinstance(value, dict) and value:
            inner = ",\n    ".join(f"{one(k)}: {one(v)}" for k, v in value.items())
            parts.append(f"  {one(key)}: {{\n    {inner}\n  }}")
        else:
            parts.append(f"  {one(key)}: {one(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n" if parts else "{}\n"


def read_json(path: Path, default: Any, warn: Callable[[str], None] | None = None) -> Any:
    """JSON from ``path``; a missing file gives ``default``, an unreadable one StorageError.
    Lone surrogates are mended (see ``mend_document``) and said through ``warn``."""
    try:
        data, fixed = load_mended(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        return default
    except (OSError, ValueError) as exc:
        detail = getattr(exc, "strerror", None) or exc
        raise StorageError(f"cannot read {path}: {detail}") from exc
    if fixed and warn is not None:
        warn(_mended_warning(path.name, fixed))
    return data


def read_strings(path: Path, warn: Callable[[str], None]) -> list[str]:
    """A JSON list of strings, cleaned; anything unreadable is an empty list, said once."""
    try:
        data = read_json(path, [], warn)
    except StorageError as exc:
        warn(f"{exc}; it is left as it is until nereader writes it again")
        return []
    if not isinstance(data, list):
        warn(f"{path.name} should hold a list of text; ignored it")
        return []
    return [clean(x) for x in data if isinstance(x, str)]


class RecentTags(_Said):
    """The tags a user opened lately, newest first (for the tag switcher)."""

    def __init__(self, data_dir: Path, limit: int = 12) -> None:
        super().__init__()
        self.path = data_dir / "recent-tags.json"
        self.limit = limit

    def load(self) -> list[str]:
        return read_strings(self.path, self.warn)[: self.limit]

    def add(self, key: str) -> list[str]:
        tags = [key] + [t for t in self.load() if t != key]
        tags = tags[: self.limit]
        atomic_write_text(self.path, json.dumps(tags, indent=1) + "\n")
        return tags


class FilterHistory(_Said):
    """The last filter queries, newest last (for up/down in the filter bar)."""

    def __init__(self, data_dir: Path, limit: int = 50) -> None:
        super().__init__()
        self.path = data_dir / "filter-history.json"
        self.limit = limit

    def load(self) -> list[str]:
        return read_strings(self.path, self.warn)[-self.limit :]

    def add(self, query: str) -> list[str]:
        query = query.strip()
        items = self.load()
        if query and (not items or items[-1] != query):
            items = [q for q in items if q != query] + [query]
            atomic_write_text(self.path, json.dumps(items[-self.limit :], indent=1) + "\n")
        return items


class SavedFilters(_Said):
    """Named filter queries in the config folder, as a JSON object people can edit.

    People edit this file by hand, so it is never moved aside: a file that does not read is
    an error that names the problem (and saving refuses to write over it), and an entry that
    is not text is ignored with a warning but kept in the file."""

    def __init__(self, config_dir: Path) -> None:
        super().__init__()
        self.path = config_dir / "filters.json"

    def _raw(self) -> dict[str, Any]:
        data = read_json(self.path, {}, self.warn)
        if not isinstance(data, dict):
            raise StorageError(f"{self.path} should hold an object of name: query, not a "
                               f"JSON {type(data).__name__}; fix or remove it")
        return data

    def load(self) -> dict[str, str]:
        filters: dict[str, str] = {}
        for key, value in self._raw().items():
            name = squash(key)
            if isinstance(value, str) and name:
                filters[name] = clean(value)
            else:
                self.warn(f"{self.path.name}: the filter {name!r} is not a query text "
                          f"({json.dumps(value)[:40]}); ignored it (the file keeps it)")
        return filters

    def save(self, name: str, query: str) -> None:
        name = squash(name)
        if not name:
            raise StorageError("a saved filter needs a name")
        data = self._raw()  # entries this version cannot read are written back as they were
        data[name] = clean(query)
        atomic_write_text(self.path, json.dumps(dict(sorted(data.items())), indent=2,
                                                ensure_ascii=False) + "\n")
