"""The trail of threads followed by their links: where the reader was in each, to go back to
and forward again, as a browser's history does. Headless: no Textual, no Rich."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Place:
    """Where the reader is in a thread, by post ids (they survive a new copy of it): the
    current post, the post at the top of the view and the line within it; and what was
    marked new there, which a second opening (read moments ago) would no longer find."""

    thread_id: int
    current: int | None = None
    top: int = -1
    line: int = 0
    new: frozenset[int] = frozenset()
    since: datetime | None = None


@dataclass(slots=True)
class Trail:
    """Threads behind the one read (``back``, the latest last) and ahead of it (``ahead``),
    once the reader went back. Following a link starts a new way ahead."""

    back: list[Place] = field(default_factory=list)
    ahead: list[Place] = field(default_factory=list)

    def follow(self, here: Place | None) -> None:
        """A link is followed from ``here`` (None: no thread was shown)."""
        if here is not None:
            self.back.append(here)
        self.ahead.clear()

    def go_back(self, here: Place | None) -> Place | None:
        """The place to go back to (None: none), ``here`` kept ahead."""
        if not self.back:
            return None
        if here is not None:
            self.ahead.append(here)
        return self.back.pop()

    def go_forward(self, here: Place | None) -> Place | None:
        """The place to go forward to again (None: none), ``here`` kept behind."""
        if not self.ahead:
            return None
        if here is not None:
            self.back.append(here)
        return self.ahead.pop()

    def clear(self) -> None:
        self.back.clear()
        self.ahead.clear()

    @property
    def depth(self) -> str:
        """What the status line says: "← 2" (and "→ 1" once the reader went back)."""
        parts = [f"← {len(self.back)}"] if self.back else []
        if self.ahead:
            parts.append(f"→ {len(self.ahead)}")
        return " ".join(parts)
