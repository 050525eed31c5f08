"""Small local state files: atomic, human-readable JSON that a crash cannot corrupt."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from nereader.core.errors import StorageError


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


def read_json(path: Path, default: Any) -> Any:
    """JSON from ``path``; a missing file gives ``default``, an unreadable one StorageError."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except (OSError, ValueError) as exc:
        raise StorageError(f"cannot read {path}: {exc}") from exc


class RecentTags:
    """The tags a user opened lately, newest first (for the tag switcher)."""

    def __init__(self, data_dir: Path, limit: int = 12) -> None:
        self.path = data_dir / "recent-tags.json"
        self.limit = limit

    def load(self) -> list[str]:
        try:
            data = read_json(self.path, [])
        except StorageError:
            return []
        return [str(x) for x in data if isinstance(x, str)][: self.limit] if isinstance(
            data, list) else []

    def add(self, key: str) -> list[str]:
        tags = [key] + [t for t in self.load() if t != key]
        tags = tags[: self.limit]
        atomic_write_text(self.path, json.dumps(tags, indent=1) + "\n")
        return tags
