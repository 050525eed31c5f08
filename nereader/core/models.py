"""Typed, immutable models of the forum: listings, threads, posts, feeds, the site's search and
the topic tree, and the records the facade returns."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, Literal, NamedTuple, TypeVar

from nereader.core.clock import age_seconds, iso_now, utc_now
from nereader.core.errors import combined_exit
from nereader.core.text import parse_count

# Bump when a model's fields change: cached parse results of another schema are re-parsed.
# 2: counts are read from the number in a cell (never a silent 0); search and topic pages.
# 3: post bodies hold web links only (http, https); anything else is inert text.
# 4: counts a page does not give are None (rows from a feed); rows and listings say where
#    they came from; threads say whether their post structure was recognised.
# 5: a thread says how many of its reply pages were left unread (the reply-page cap).
# 6: posts list their images (web URL, alt text, size when the page gives it).
# 7: a thread keeps its views as the site wrote them ("8.4k"), as a listing's row does.
MODEL_SCHEMA = 7
# Bump when a parser reads the same page differently (a fix, a new fallback): results stored
# by another parser are parsed again from the stored body on first use, with no request.
PARSER_VERSION = 1


class Tag(NamedTuple):
    """A tag, topic or subtopic: its display name and the slug taken from its href."""

    name: str
    slug: str


class ListingKind(StrEnum):
    TAG = "tag"
    TOPIC = "topic"
    SUBTOPIC = "subtopic"
    ALLPOSTS = "allposts"  # every thread of the forum (/forums/allPosts)


class RowSource(StrEnum):
    """Where a listing (and its rows) came from: the listing page, or its RSS feed standing in
    for a page nereader could not read (no reply, boost or view counts)."""

    PAGE = "page"
    FEED = "feed"


class Structure(StrEnum):
    """How a thread page was read: its posts, or (its post structure not recognised) its text
    as one post."""

    POSTS = "posts"
    TEXT_ONLY = "text-only"


class PostKind(StrEnum):
    QUESTION = "question"
    ANSWER = "answer"
    COMMENT = "comment"


COUNTS = ("replies", "boosts", "views")


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    """One row of a listing page. A count the source does not give (a feed's rows) is None,
    never 0."""

    id: int
    title: str
    url: str
    excerpt: str = ""
    replies: int | None = 0
    boosts: int | None = 0
    views: int | None = 0
    views_text: str = ""
    activity_text: str = ""
    activity_at: datetime | None = None
    topic: Tag | None = None
    subtopic: Tag | None = None
    tags: tuple[Tag, ...] = ()
    answered: bool = False
    apple_recommended: bool = False
    author: str | None = None  # known for a feed's rows (a listing page does not show it)
    source: RowSource = RowSource.PAGE

    @property
    def marks_known(self) -> bool:
        """Whether ``answered`` and ``apple_recommended`` were read (a feed does not say)."""
        return self.source is RowSource.PAGE


@dataclass(frozen=True, slots=True)
class ListingPage:
    """One page of a tag, topic or subtopic listing."""

    kind: ListingKind
    slug: str
    name: str
    description: str
    total_posts: int | None
    page: int
    total_pages: int
    sort: str | None
    sort_order: str | None
    feed_url: str | None
    fetched_at: datetime
    rows: tuple[ThreadSummary, ...] = ()
    source: RowSource = RowSource.PAGE
    notice: str | None = None  # what to tell the reader (the page's RSS feed stands in)


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class PostImage:
    """An image in a post's body: its web URL, its alt text, and its size in pixels when the
    page says (the ``width`` and ``height`` attributes)."""

    url: str
    alt: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """A question, a reply (answer) or a comment under a reply."""

    id: int
    kind: PostKind
    author: Author
    body_html: str
    body_markdown: str
    parent_id: int | None = None
    apple_staff: bool = False
    role: str | None = None
    created_at: datetime | None = None
    accepted: bool = False
    apple_recommended: bool = False
    boosts: int = 0
    images: tuple[PostImage, ...] = ()


@dataclass(frozen=True, slots=True)
class ThreadStats:
    """The question's counts; ``views_text`` is the views as the site wrote them ("8.4k")."""

    replies: int | None = None
    boosts: int | None = None
    views: int | None = None
    participants: int | None = None
    views_text: str = ""

    def counts(self) -> list[str]:
        """The known counts in words: "85 replies", "2 boosts", "8.4k views" (as the site
        rounded it: never a precision it did not give), "23 participants"."""
        words = [(self.replies, "reply", "replies"), (self.boosts, "boost", "boosts"),
                 (self.views, "view", "views"),
                 (self.participants, "participant", "participants")]
        out = []
        for value, one, many in words:
            if value is None:
                continue
            site = one == "view" and parse_count(self.views_text) == value
            text = self.views_text if site else str(value)
            out.append(f"{text} {one if text == '1' else many}")
        return out


@dataclass(frozen=True, slots=True)
class Thread:
    """A thread page, or (after :func:`merge_thread_pages`) a whole thread over all its pages."""

    id: int
    title: str
    url: str
    posts: tuple[Post, ...]
    topic: Tag | None = None
    subtopic: Tag | None = None
    tags: tuple[Tag, ...] = ()
    locked: bool = False
    stats: ThreadStats = field(default_factory=ThreadStats)
    page: int = 1
    total_pages: int = 1
    accepted_answer_id: int | None = None
    fetched_at: datetime | None = None
    structure: Structure = Structure.POSTS
    notice: str | None = None  # what to tell the reader (the page's text stands in)
    # Reply pages the site has beyond those read: a thread longer than nereader reads whole
    # (see ``pages.MAX_REPLY_PAGES``) is cut there, and says so.
    pages_not_read: int = 0
    # Why the thread was read short of the site's own page count (a reply page repeating
    # the pages before it, or past the end): the posts may be fewer than its reply count.
    cut: str | None = None

    @property
    def degraded(self) -> bool:
        """A stand-in for a page nereader could not read: never stored over a good copy."""
        return self.structure is not Structure.POSTS

    @property
    def question(self) -> Post | None:
        return next((p for p in self.posts if p.kind is PostKind.QUESTION), None)

    @property
    def has_staff_reply(self) -> bool:
        return any(p.apple_staff and p.kind is not PostKind.QUESTION for p in self.posts)


@dataclass(frozen=True, slots=True)
class FeedItem:
    id: int | None
    title: str
    url: str
    published_at: datetime | None
    author: str | None
    categories: tuple[str, ...]
    summary_markdown: str
    summary_text: str = ""  # the summary as plain text on one line


@dataclass(frozen=True, slots=True)
class Feed:
    """An RSS feed of a tag: a cheap "what is new" probe, never the full source."""

    title: str
    link: str
    description: str
    items: tuple[FeedItem, ...]


def to_jsonable(obj: Any) -> Any:
    """Turn models into JSON-ready data; keys follow the model field names."""
    if isinstance(obj, Tag):
        return {"name": obj.name, "slug": obj.slug}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, StrEnum):
        return obj.value
    if isinstance(obj, tuple | list):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    return obj


# -- the forum-wide pages: the site's search results and the forum's topic tree ----------


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


# -- local records: what the service hands the UI and the CLI besides forum pages ------------
T = TypeVar("T")
Source = Literal["network", "revalidated", "cache", "stale"]
SOURCE_RANK: dict[str, int] = {"network": 0, "revalidated": 1, "cache": 2, "stale": 3}


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T]):
    """A value and where it came from; stale values carry the reason and their age."""

    value: T
    source: Source
    fetched_at: datetime
    warning: str | None = None
    failure: int = 0  # a stale copy: the exit code of what failed (3 network, 4 layout ...)

    @property
    def stale(self) -> bool:
        return self.source == "stale"

    @property
    def age_seconds(self) -> float:
        """How old the copy is; never below 0 (a fetch time ahead of the clock is "now")."""
        return age_seconds(self.fetched_at)


@dataclass(frozen=True, slots=True)
class Bookmark:
    """A bookmarked thread with the user's note and labels, and what was seen of it."""

    id: int
    title: str
    url: str
    tags: tuple[str, ...] = ()
    note: str = ""
    labels: tuple[str, ...] = ()
    added_at: str = field(default_factory=iso_now)
    checked_at: str | None = None
    replies_seen: int | None = None
    seen_post_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class LastRead:
    """What is known of a thread's last reading: when it was (``at``), the newest post seen
    then (``through``), and for a bookmark the very posts seen (``seen``, exact)."""

    at: datetime | None = None
    through: datetime | None = None
    seen: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class SinceLastRead:
    """The posts of a thread added since it was last read (in thread order), and when that
    was (None: never, or not known)."""

    posts: tuple[int, ...] = ()
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class BookmarkChange:
    """What a bookmark check found for one bookmark."""

    bookmark: Bookmark
    new_posts: tuple[int, ...] = ()
    total_replies: int | None = None  # the site's reply count (comments not counted)
    error: str | None = None
    stale: bool = False
    comments: int | None = None  # comments on replies, which the site's count leaves out


@dataclass(frozen=True, slots=True)
class LibraryItem:
    """A cached listing or a bookmark, as the offline library shows it ("more": how many
    bookmarks were left out, in ``key``, when the library was asked for fewer)."""

    kind: Literal["tag", "bookmark", "more"]
    key: str  # a listing key ("networkextension", "topics/..."), a thread id, or a count
    title: str
    age_seconds: float | None  # None: not in the cache
    detail: str = ""


@dataclass(slots=True)
class SyncSummary:
    """What a sync did: pages and threads fetched or skipped, bytes, failures.

    ``offline`` is counted after the run, from the cache: the listed threads that can really
    be read offline (every reply page there), whatever eviction did meanwhile."""

    listing_pages: int = 0
    listing_fresh: int = 0
    threads: int = 0
    threads_skipped: int = 0
    thread_pages: int = 0
    bytes: int = 0
    failures: list[str] = field(default_factory=list)
    resumed: int = 0  # threads an interrupted sync had finished (this run went on from there)
    stopped: str | None = None  # why the sync stopped early (the cache could not be written)
    notices: list[str] = field(default_factory=list)  # e.g. the listing's RSS feed stood in
    listed: int = 0  # threads the listing pages read hold
    offline: int | None = None  # of those, readable offline once it ended (None: not synced)
    cut: list[str] = field(default_factory=list)  # threads longer than nereader reads whole
    exit_code: int = 0  # 0, or the exit code of what failed (see errors.combined_exit)

    def fail(self, message: str, code: int) -> None:
        """Record a failure and the exit code it calls for."""
        self.failures.append(message)
        self.exit_code = combined_exit((self.exit_code, code or 1))

    def stop(self, why: str) -> None:
        """The cache cannot be written: the sync stops (exit 5), keeping what it wrote."""
        self.stopped = why
        self.exit_code = combined_exit((self.exit_code, 5))


# -- followed listings: the home screen, `sync` of them all, `check` -------------------------
@dataclass(frozen=True, slots=True)
class ListingStatus:
    """A followed listing as the home screen shows it: counts over its cached rows."""

    key: str
    name: str
    url: str
    unread: int = 0  # threads never opened
    new_replies: int = 0  # threads read before that have replies since
    bookmarks_new: int = 0  # bookmarks in the listing with posts not yet seen
    threads: int = 0  # the cached rows the counts are over
    age_seconds: float | None = None  # of the cached first page; None: not cached
    error: str | None = None  # why the last refresh failed


# -- the inbox and the sections ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class InboxItem:
    """A thread of the inbox (or of a section): its row, the followed listings it is in, and
    what is new in it."""

    row: ThreadSummary
    listings: tuple[str, ...] = ()  # followed listing keys; () for a bookmark in none
    unread: bool = False  # never opened
    new_replies: int = 0  # replies since it was read (the list's "+3")
    new_posts: int = 0  # a bookmark's posts not yet seen (comments too)
    bookmarked: bool = False

    @property
    def fresh(self) -> bool:
        """Unread, or news since it was read: what the inbox holds."""
        return self.unread or self.new_replies > 0 or self.new_posts > 0


@dataclass(frozen=True, slots=True)
class Inbox:
    """The inbox (or a section of it, or of a listing), newest activity first unless its
    query sorts, with the names of the listings its threads are in."""

    title: str  # "Inbox", or the section's name
    items: tuple[InboxItem, ...] = ()
    names: dict[str, str] = field(default_factory=dict)  # listing key -> its name
    query: str = ""  # the section's filter query
    listing: str | None = None  # the section's listing (None: over the inbox)
    note: str = ""  # what the rows lack (a listing not cached)

    def where(self, item: InboxItem) -> str:
        """The listing a thread is in, and how many more ("Network Extension +1"); a
        bookmark in none of the followed listings says so."""
        if not item.listings:
            return "Bookmarks"
        first = self.names.get(item.listings[0], item.listings[0])
        return first + (f" +{len(item.listings) - 1}" if len(item.listings) > 1 else "")


@dataclass(frozen=True, slots=True)
class SectionStatus:
    """A row of the home screen above the listings: the inbox (no query) or a section, with
    its counts."""

    name: str
    query: str = ""
    listing: str | None = None  # None: over the inbox
    threads: int = 0  # threads it holds
    unread: int = 0  # of those, never opened
    new_replies: int = 0  # of those, with replies since they were read
    bookmarks_new: int = 0  # of those, bookmarks with posts not yet seen
    error: str | None = None  # why it holds nothing (its listing is not cached)


@dataclass(frozen=True, slots=True)
class HomeView:
    """The home screen: the inbox, the sections, the followed listings."""

    inbox: SectionStatus
    sections: tuple[SectionStatus, ...] = ()
    listings: tuple[ListingStatus, ...] = ()


@dataclass(frozen=True, slots=True)
class NewsItem:
    """A thread that is new, or has new posts, since the last check."""

    id: int
    title: str
    url: str
    replies: int | None  # None: not known (the listing's RSS feed stood in for its page)
    previous: int | None = None  # replies (or posts) at the last check; None: new thread


@dataclass(frozen=True, slots=True)
class ListingNews:
    key: str
    name: str
    new_threads: tuple[NewsItem, ...] = ()
    new_replies: tuple[NewsItem, ...] = ()
    first_check: bool = False  # nothing to compare with yet: this check is the baseline
    error: str | None = None
    notice: str | None = None  # the listing's RSS feed stood in: new threads only


@dataclass(frozen=True, slots=True)
class NewsReport:
    """What `nereader check` found per followed listing, and bookmarks with new posts."""

    checked_at: datetime
    listings: tuple[ListingNews, ...] = ()
    bookmarks: tuple[NewsItem, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def news(self) -> bool:
        return bool(self.bookmarks) or any(n.new_threads or n.new_replies for n in self.listings)


@dataclass(slots=True)
class FollowedSync:
    """A sync of every followed listing (one summary each) and of the bookmarked threads."""

    listings: dict[str, SyncSummary] = field(default_factory=dict)
    bookmarks: int = 0
    bookmarks_fetched: int = 0  # asked of the site and read (a 304 too)
    bookmarks_fresh: int = 0  # fresh in the cache already: not asked
    bookmarks_failed: int = 0  # could not be had (a stale copy may stand in): see failures
    failures: list[str] = field(default_factory=list)  # the listings' own are in theirs
    exit_code: int = 0  # 0, or the exit code of what failed, the listings' failures included

    def fail(self, message: str, code: int) -> None:
        self.failures.append(message)
        self.exit_code = combined_exit((self.exit_code, code or 1))

    def add(self, key: str, summary: SyncSummary) -> None:
        self.listings[key] = summary
        self.exit_code = combined_exit((self.exit_code, summary.exit_code))


@dataclass(frozen=True, slots=True)
class CacheInfo:
    """Where the page cache lives and how full it is."""

    directory: str
    pages: int
    pinned: int
    bytes: int
    pinned_bytes: int
    size_limit: int
    read_only: str | None = None  # why the cache cannot store pages (a full disk ...)


@dataclass(frozen=True, slots=True)
class ConfigEdit:
    """A copy of the config file being edited (``config edit``), and the text it started from."""

    path: Path  # the config file
    copy: Path
    before: str | None  # the file when the copy was made (None: there was none)


@dataclass(frozen=True, slots=True)
class ConfigSaved:
    """What saving an edited copy of the config file did."""

    changed: bool  # False: nothing was edited
    kept: tuple[str, ...] = ()  # settings nereader changed meanwhile (follow, theme), kept


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One thread found in the full-text index, at its best-matching post."""

    thread_id: int
    post_id: int
    kind: str
    title: str
    author: str
    snippet: str  # matches between MARK_OPEN and MARK_CLOSE (see text.snippet_parts)
    rank: float


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should hear about that is not an error of the call itself."""

    message: str
    title: str = ""
    severity: Literal["information", "warning", "error"] = "warning"


@dataclass(frozen=True, slots=True)
class Activity:
    """The network side of the service: requests in flight and the mode."""

    in_flight: int
    offline: bool
    network_down: bool
    retrying: str = ""  # "retrying in 2s (timeout)" while a failed request waits to retry


ServiceEvent = Notice | Activity


# -- `nereader doctor`: each kind of page read against the page contract -----------------------
CheckKind = Literal["listing", "thread", "feed", "search", "topics"]


@dataclass(frozen=True, slots=True)
class PageCheck:
    """One page read against its contract: what was found of each field, and what failed.

    ``fields`` maps a field of the contract to what was found: a count ("titles": 20 of the
    page's rows), or a fact ("pagination": "page 1 of 11"). ``problems`` are the rules that
    failed so that the page cannot be read as it should (``ok`` is then False); ``notes``
    are optional fields the page did not have. ``fallback`` says what stands in for a broken
    page, if anything does.
    """

    kind: CheckKind
    url: str
    ok: bool
    fields: dict[str, int | str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    fallback: str | None = None
    source: str = "network"  # network, cache (a fresh cached copy), stale, or "not checked"
    age_seconds: float | None = None  # of the copy checked

    @property
    def checked(self) -> bool:
        return self.source != "not checked"


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """What `nereader doctor` found, page kind by page kind."""

    listing: str  # the listing's key
    checks: tuple[PageCheck, ...]
    offline: bool
    version: str
    checked_at: datetime = field(default_factory=utc_now)

    @property
    def broken(self) -> bool:
        return any(c.checked and not c.ok for c in self.checks)
