"""The forum-wide pages as models: the site's search results and the forum's topic tree.

``core.models`` re-exports them; import them from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class HitKind(StrEnum):
    THREAD = "thread"
    REPLY = "reply"


@dataclass(frozen=True, slots=True)
class SiteHit:
    """One hit of the site's own search: a thread, or a reply in one ("Reply to ...").

    The numbers are the thread's (the site shows the thread's stats on a reply hit too).
    """

    kind: HitKind
    thread_id: int
    reply_id: int | None  # None for a thread hit
    title: str  # the thread's title, without "Reply to"
    url: str
    excerpt: str
    replies: int
    boosts: int
    views: int
    views_text: str
    activity_text: str
    activity_at: datetime | None = None
    answered: bool = False
    apple_recommended: bool = False
    tags: tuple[str, ...] = ()  # the slugs of the thread's tags

    @property
    def post_id(self) -> int:
        """The post the hit points at: the reply, or the thread's question."""
        return self.reply_id if self.reply_id is not None else self.thread_id


@dataclass(frozen=True, slots=True)
class SearchResults:
    """One page of the site's search results."""

    query: str
    total_results: int | None  # None: the page did not say
    page: int
    total_pages: int
    fetched_at: datetime
    hits: tuple[SiteHit, ...] = ()


@dataclass(frozen=True, slots=True)
class Subtopic:
    """A subtopic of the forum (its listing: /forums/topics/<topic>/<topic>-<sub>)."""

    title: str
    slug: str
    url: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic of the forum and its subtopics (two levels: the site's URLs have no third)."""

    title: str
    slug: str
    url: str
    description: str = ""
    children: tuple[Subtopic, ...] = ()


@dataclass(frozen=True, slots=True)
class TopicTree:
    """The forum's topics, from /forums/topics."""

    topics: tuple[Topic, ...]
    fetched_at: datetime
