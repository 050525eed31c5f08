"""Local files: atomic, locked, human-readable JSON that a crash cannot corrupt."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from nereader.core.clock import utc_now
from nereader.core.errors import StorageError

T = TypeVar("T")
VERSION = 1


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, fsync, then rename over the target."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
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
        raise StorageError(f"cannot write {path}: {exc.strerror or exc}") from exc


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock held for the ``with`` block (blocks until free)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StorageError(f"cannot lock {path}: {exc.strerror or exc}") from exc
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
        yield
    finally:
        os.close(fd)  # closing releases the lock


class JsonStore:
    """One JSON document on disk, changed only under the lock."""

    def __init__(self, path: Path, empty: Callable[[], dict[str, Any]]) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self._empty = empty
        self.warnings: list[str] = []

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return self._empty()
        except OSError as exc:
            raise StorageError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            aside = self.path.with_name(
                f"{self.path.name}.corrupt-{utc_now():%Y%m%dT%H%M%S%f}")
            try:
                self.path.replace(aside)
            except OSError as move:
                raise StorageError(f"{self.path} is corrupted ({exc}) and could not be moved "
                                   f"aside: {move}") from move
            self.warnings.append(f"{self.path.name} was unreadable ({exc}); kept it as "
                                 f"{aside.name} and started afresh")
            return self._empty()
        return data

    def load(self) -> dict[str, Any]:
        with file_lock(self.lock_path):
            return self._read()

    def change(self, edit: Callable[[dict[str, Any]], T]) -> T:
        """Apply ``edit`` to the current document and write it back atomically."""
        with file_lock(self.lock_path):
            data = self._read()
            result = edit(data)
            atomic_write_text(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            return result


def read_json(path: Path, default: Any) -> Any:
    """JSON from ``path``; a missing file gives ``default``, an unreadable one StorageError."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except (OSError, ValueError) as exc:
        raise StorageError(f"cannot read {path}: {exc}") from exc


def read_strings(path: Path) -> list[str]:
    """A JSON list of strings; anything unreadable is an empty list (it is only a convenience)."""
    try:
        data = read_json(path, [])
    except StorageError:
        return []
    return [str(x) for x in data if isinstance(x, str)] if isinstance(data, list) else []


class RecentTags:
    """The tags a user opened lately, newest first (for the tag switcher)."""

    def __init__(self, data_dir: Path, limit: int = 12) -> None:
        self.path = data_dir / "recent-tags.json"
        self.limit = limit

    def load(self) -> list[str]:
        return read_strings(self.path)[: self.limit]

    def add(self, key: str) -> list[str]:
        tags = [key] + [t for t in self.load() if t != key]
        tags = tags[: self.limit]
        atomic_write_text(self.path, json.dumps(tags, indent=1) + "\n")
        return tags


class FilterHistory:
    """The last filter queries, newest last (for up/down in the filter bar)."""

    def __init__(self, data_dir: Path, limit: int = 50) -> None:
        self.path = data_dir / "filter-history.json"
        self.limit = limit

    def load(self) -> list[str]:
        return read_strings(self.path)[-self.limit :]

    def add(self, query: str) -> list[str]:
        query = query.strip()
        items = self.load()
        if query and (not items or items[-1] != query):
            items = [q for q in items if q != query] + [query]
            atomic_write_text(self.path, json.dumps(items[-self.limit :], indent=1) + "\n")
        return items


class SavedFilters:
    """Named filter queries in the config folder, as a JSON object people can edit."""

    def __init__(self, config_dir: Path) -> None:
        self.path = config_dir / "filters.json"

    def load(self) -> dict[str, str]:
        data = read_json(self.path, {})
        if not isinstance(data, dict):
            raise StorageError(f"{self.path} should hold an object of name: query")
        return {str(k): str(v) for k, v in data.items()}

    def save(self, name: str, query: str) -> None:
        name = " ".join(name.split())
        if not name:
            raise StorageError("a saved filter needs a name")
        filters = self.load()
        filters[name] = query
        atomic_write_text(self.path, json.dumps(dict(sorted(filters.items())), indent=2,
                                                ensure_ascii=False) + "\n")
