"""Rows of listing and search pages: one copy read, each count taken from the number in its cell.

The site renders every row twice (desktop and a labelled mobile copy). A count that one copy
lacks is read from the other; a count neither copy has is a changed layout, reported with the
field and the row, never a 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nereader.core.errors import LayoutChangedError
from nereader.core.models import Tag
from nereader.core.parse.common import (
    Index,
    attr,
    classify_tags,
    distinct,
    glued_text_of,
    spaced_text_of,
    text_of,
    thread_links,
)
from nereader.core.text import parse_activity, parse_count, parse_int, parse_iso
from nereader.core.urls import answer_id_from_href, post_url, thread_id_from_href

Node = Any
COUNTS = ("replies", "boosts", "views")
UNREAD_ROWS = 1  # rows of a page that may be skipped unread (one odd row, not a new layout)
FIELDS = (*COUNTS, "activity")
# The classes a stat cell carries, most specific first (the contract's names lead).
_CLASSES = {
    "replies": ("replies", "reply-count", "replies-count", "stat-replies"),
    "boosts": ("votes", "boosts", "vote-count", "boost-count", "votes-count", "boosts-count",
               "stat-votes", "stat-boosts"),
    "views": ("views", "view-count", "views-count", "stat-views"),
    "activity": ("timestamp", "activity", "last-activity", "stat-activity", "stat-timestamp",
                 "last-updated"),
}
# The words a labelled cell uses ("Replies 2", "2 replies", "Last activity 4m").
_WORDS = {
    "replies": {"replies", "reply", "answers", "answer"},
    "boosts": {"boosts", "boost", "votes", "vote"},
    "views": {"views", "view"},
    "activity": {"activity", "updated", "active"},
}
_SELECTOR = {f: ", ".join(f".{c}" for c in names[:2]) for f, names in _CLASSES.items()}
# A count as the site writes it: 37, 1,234, 3.3k, 12K, 1.1m; never part of a word ("1d").
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d{1,12})(?:\.(\d{1,3}))?(?:\s?([kKmMbB]))?(?![\w.,])\+?")
_LABEL = re.compile(r"^(?:last\s+)?(?:activity|updated|active|replies|boosts|views)\s*:?\s*",
                    re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*repl(?:y|ied)\s+to\b\s*:?\s*", re.IGNORECASE)
_QUOTES = "\"'“”‘’«»"
_ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Row:
    """What a row of a listing or search page says, every count read (or the parse failed)."""

    thread_id: int
    reply_id: int | None  # a search hit in a reply ("Reply to ...")
    title: str
    url: str
    excerpt: str
    replies: int
    boosts: int
    views: int
    views_text: str
    activity_text: str
    activity_at: datetime | None
    topic: Tag | None
    subtopic: Tag | None
    tags: tuple[Tag, ...]
    answered: bool
    apple_recommended: bool


@dataclass(slots=True)
class _Head:
    """A row's identity, read before its stats."""

    node: Node
    idx: Index
    thread_id: int
    reply_id: int | None
    title: str
    href: str | None

    @property
    def key(self) -> tuple[int, int | None]:
        return self.thread_id, self.reply_id


def count_of(text: str) -> tuple[int, str] | None:
    """The one count in a cell's text ("44 replies", "Replies 2", "1.2k views") and the way the
    site wrote it; None when there is no number or more than one."""
    plain = parse_count(text)
    if plain is not None and text.isascii() and text[:1].isdigit() and " " not in text:
        return plain, text  # the site's usual cell: just the count
    found = {re.sub(r"[\s+]", "", m.group(0)) for m in _NUMBER.finditer(text)}
    if len(found) != 1:
        return None
    token = found.pop()
    value = parse_count(token)
    return None if value is None else (value, token)


@dataclass(slots=True)
class Survey:
    """What the rows of a page hold, read by the parser's own rules without giving up at the
    first failure: ``read_rows`` raises the first problem, ``nereader doctor`` shows them all.
    """

    elements: int  # row elements in the copy of the list that is read
    heads: int  # rows with a thread link and a title
    found: dict[str, int]  # per field: rows that have it (in some copy of the list)
    rows: list[Row]  # the rows with every field
    problems: list[str]  # why the rows cannot be shown as a list, the worst first


def survey_rows(main: Node, base: str, now: datetime, what: str) -> Survey:
    """Every row of one copy of the list, each field looked for in every copy."""
    primary, others = _copies(main)
    heads: list[_Head] = []
    seen: set[tuple[int, int | None]] = set()
    unread: list[Node] = []
    problems: list[str] = []
    for node in primary:
        try:
            head = _head(node, what, base)
        except LayoutChangedError as exc:
            problems.append(str(exc))
            continue
        if head is None:
            unread.append(node)
        elif head.key not in seen:
            seen.add(head.key)
            heads.append(head)
    if not heads:
        return Survey(len(primary), 0, dict.fromkeys(FIELDS, 0), [], problems)
    if len(unread) > max(UNREAD_ROWS, len(primary) // 20):
        problems.append(
            f"{what} layout changed: {len(unread)} of {len(primary)} rows cannot be read "
            f"({_lacks(unread[0])}); refusing to show the {len(heads)} that can as the list")
    spare = _Spare(others, heads, what, base)
    stats = [_stats(head, spare) for head in heads]
    found: dict[str, int] = {}
    for field in FIELDS:
        missing = [h for h, s in zip(heads, stats, strict=True) if s[field] is None]
        found[field] = len(heads) - len(missing)
        if not missing:
            continue
        if len(missing) == len(heads) and len(heads) > 1:
            problems.append(
                f"{what} layout changed: none of the {len(heads)} rows has a readable {field} "
                f"({_SELECTOR[field]} under .article-stats); refusing to show them as zeros")
        else:
            problems.append(
                f"{what} layout changed: row {_name(missing[0])} has no readable {field} "
                f"({_SELECTOR[field]} under .article-stats) in any copy of the list")
    rows = [_row(h, s, spare, base, now) for h, s in zip(heads, stats, strict=True)
            if all(s[field] is not None for field in FIELDS)]
    return Survey(len(primary), len(heads), found, rows, problems)


def read_rows(main: Node, base: str, now: datetime, what: str) -> tuple[list[Row], int]:
    """The rows of one copy of the list, and how many row elements there were.

    Raises LayoutChangedError when a row's count cannot be read from any copy, or when the
    rows have no stats at all.
    """
    survey = survey_rows(main, base, now, what)
    if survey.problems:
        raise LayoutChangedError(survey.problems[0])
    return survey.rows, survey.elements


def _lacks(node: Node) -> str:
    """What an unreadable row is missing, for the error."""
    idx = Index(node)
    link = idx.by_action.get("post-title") or idx.cls("article-title-link")
    if link is None and not thread_links(node):
        return "no title link: [data-action='post-title'] / a[href*='/thread/']"
    return "no thread id or no title text in its title link"


def _name(head: _Head) -> str:
    ident = f"{head.thread_id}" + (f" reply {head.reply_id}" if head.reply_id else "")
    return f"{ident} ({head.title[:60]!r})"


def _copies(main: Node) -> tuple[list[Node], list[Node]]:
    """The copy of the rows to read (the desktop one when there are several), and the rest."""
    rows = distinct(main.css(".article-entry"))
    if not rows:
        rows = [a for a in main.css("article") if thread_links(a)]
    if not rows:
        rows = [li for li in main.css("li") if len(thread_links(li)) == 1 and li.css_first("p")]
        return distinct(rows), []
    groups: dict[int, list[Node]] = {}
    desktop: int | None = None
    for row in rows:
        wrapper = _wrapper(row)
        gid = wrapper.mem_id if wrapper is not None else 0
        groups.setdefault(gid, []).append(row)
        if desktop is None and wrapper is not None and "desktop-view" in _classes(wrapper):
            desktop = gid
    order = list(groups)
    chosen = desktop if desktop is not None else order[0]
    primary = groups[chosen]
    return primary, [n for gid in order if gid != chosen for n in groups[gid]]


def _wrapper(row: Node) -> Node | None:
    node = row.parent
    while node is not None and node.tag not in ("main", "body", "html"):
        if "content-list-wrapper" in _classes(node):
            return node
        node = node.parent
    return None


def _classes(node: Node) -> list[str]:
    return (node.attrs.get("class") or "").split()


def _head(node: Node, what: str, base: str) -> _Head | None:
    idx = Index(node)
    link = idx.by_action.get("post-title") or idx.cls("article-title-link")
    href = attr(link, "href")
    # Only a link on the forum's own host names a thread; one elsewhere (another host,
    # ``javascript:``) leaves the row's id to its value, as a row without a link would.
    thread_id = thread_id_from_href(href, base)
    if thread_id is None:
        links = thread_links(node)
        if links:
            link, href = links[0], attr(links[0], "href")
            thread_id = thread_id_from_href(href, base)
    if link is None:
        return None
    value = attr(node, "value") or attr(node, "data-id") or ""
    value_id = parse_int(value, max_digits=15)
    text = text_of(link) or attr(link, "title") or ""
    answer = answer_id_from_href(href) if thread_id is not None else None
    marked = "reply-title" in _classes(link) or (  # the dictionary first: it is cheap
        idx.cls("reply-title") is not None and link.css_first(".reply-title") is not None)
    # "Reply to" alone is no proof (a thread may be titled so): the row's value must differ.
    reply = (marked or (answer is not None and thread_id is not None and answer != thread_id)
             or (bool(_REPLY_PREFIX.match(text)) and value_id not in (None, thread_id)))
    if not reply:
        if thread_id is None:
            thread_id = value_id  # the contract: a row's value is its thread id
        underline = link.css_first("span.underline") if link.child is not None else None
        title = text_of(underline) or text
        if thread_id is None or not title:
            return None
        return _Head(node, idx, thread_id, None, title, href)
    if thread_id is None:
        return None  # a reply's value is the reply's id: the thread must come from the link
    reply_id = answer if answer is not None and answer != thread_id else value_id
    title = _reply_title(link, text)
    if not title:
        return None
    if reply_id is None or reply_id == thread_id:
        raise LayoutChangedError(
            f"{what} layout changed: the reply hit {title[:60]!r} in thread {thread_id} names no "
            "reply (no answerId in its link, no value on the row)")
    return _Head(node, idx, thread_id, reply_id, title, href)


def _reply_title(link: Node, text: str) -> str:
    """The thread's title of a "Reply to <title>" link."""
    spans = [text_of(s) for s in link.css("span.reply-title")] if link.child is not None else []
    spans = [s for s in spans if s and not _REPLY_PREFIX.fullmatch(s + " ")]
    title = spans[-1] if spans else _REPLY_PREFIX.sub("", text, count=1)
    return title.strip().strip(_QUOTES).strip()


class _Spare:
    """The other copies of the rows, looked up by row (and, for a reply hit, its thread's
    row: the site shows a thread's stats on its reply hits too)."""

    def __init__(self, nodes: list[Node], primary: list[_Head], what: str, base: str) -> None:
        self._nodes = nodes
        self._what = what
        self._base = base
        self._by_key: dict[tuple[int, int | None], list[_Head]] | None = None
        self._threads = {h.thread_id: h for h in primary if h.reply_id is None}

    def thread(self, thread_id: int) -> list[_Head]:
        """The thread's own row in this copy and in the others."""
        own = self._threads.get(thread_id)
        return ([own] if own is not None else []) + self.heads((thread_id, None))

    def heads(self, key: tuple[int, int | None]) -> list[_Head]:
        if self._by_key is None:
            self._by_key = {}
            for node in self._nodes:
                try:
                    head = _head(node, self._what, self._base)
                except LayoutChangedError:
                    continue
                if head is not None:
                    self._by_key.setdefault(head.key, []).append(head)
        return self._by_key.get(key, [])


def _stats(head: _Head, spare: _Spare) -> dict[str, Any]:
    """Every field from the row itself, else from its other copies, else its thread's row."""
    found: dict[str, Any] = {field: _field(head, field) for field in FIELDS}
    if all(v is not None for v in found.values()):
        return found
    fallbacks = spare.heads(head.key)
    if head.reply_id is not None:
        fallbacks = fallbacks + spare.thread(head.thread_id)
    for other in fallbacks:
        for field in FIELDS:
            if found[field] is None:
                found[field] = _field(other, field)
    return found


def _field(head: _Head, field: str) -> Any:
    cell = head.idx.cls(*_CLASSES[field]) or _labelled(head, field)
    if field == "activity":
        return _activity(head, cell)
    if cell is None:
        return None
    value = cell.css_first(".stat-value, .value") if _has_elements(cell) else None
    node = value if value is not None else cell
    if not _has_elements(node):  # one text: "8", "3.3k", "44 replies" (the common case)
        return count_of(text_of(node))
    # The text as written ("1,234") and with its parts apart ("Views"+"158"): one reading
    # each, and two different numbers are no reading at all.
    glued, spaced = count_of(glued_text_of(node)), count_of(spaced_text_of(node))
    if glued is not None and spaced is not None and glued[0] != spaced[0]:
        return None
    return glued or spaced


def _has_elements(node: Node) -> bool:
    child = node.child
    while child is not None:
        if child.is_element_node:
            return True
        child = child.next
    return False


def _labelled(head: _Head, field: str) -> Node | None:
    """A stat cell known by its label rather than its class ("Replies 2", data-stat=views)."""
    for node in head.node.css("[data-stat], [data-label], .stat, .stat-item, .article-stats *"):
        if {"stat-label", "label", "stat-value", "value"} & set(_classes(node)):
            continue
        if not any(c.isdigit() for c in text_of(node)):
            continue
        label = (attr(node, "data-stat") or attr(node, "data-label") or attr(node, "aria-label")
                 or text_of(node.css_first(".stat-label, .label")) or text_of(node))
        words = {w.strip(":").lower() for w in label.split()}
        fields = {f for f, names in _WORDS.items() if words & names}
        if fields == {field}:
            return node
    return None


def _activity(head: _Head, cell: Node | None) -> tuple[str, str | None] | None:
    """The activity text, and a machine date when the cell has one (``time[datetime]``)."""
    if cell is None:
        cell = head.node.css_first("time")
    if cell is None:
        return None
    time = cell if cell.tag == "time" else cell.css_first("time")
    value = time or (cell.css_first(".stat-value, .value") if cell.child is not None else None)
    text = text_of(value if value is not None else cell)
    while (label := _LABEL.match(text)) is not None and label.end():
        text = text[label.end():]
    stamp = attr(time, "datetime")
    if text and not any(c.isdigit() for c in text) and parse_activity(text, _ANY_TIME) is None:
        text = ""  # "n/a", "—": no activity the site gives ("4m", "Mar ’26", "just now")
    return (text, stamp) if text or stamp else None


def _row(head: _Head, stats: dict[str, Any], spare: _Spare, base: str, now: datetime) -> Row:
    el, idx = head.node, head.idx
    topic, subtopic, tags = classify_tags(idx.cls("article-tags", "tags") or el)
    excerpt = text_of(idx.cls("excerpt", "article-excerpt") or el.css_first("p"))
    if not excerpt or not tags:  # the other copy may have what this one lost
        for other in spare.heads(head.key):
            excerpt = excerpt or text_of(other.idx.cls("excerpt", "article-excerpt"))
            if not tags:
                topic, subtopic, tags = classify_tags(
                    other.idx.cls("article-tags", "tags") or other.node)
    icons = el.css(".action-icons") if "action-icons" in idx.by_class else []
    flags = " ".join(f"{attr(n, 'class') or ''} {attr(n, 'title') or ''}" for n in icons).lower()
    activity_text, stamp = stats["activity"]
    activity_at = parse_activity(activity_text, now) or (parse_iso(stamp) if stamp else None)
    # Made from the ids, on the forum's host: a row's own link may point anywhere.
    url = post_url(head.thread_id, head.reply_id, base)
    return Row(
        thread_id=head.thread_id,
        reply_id=head.reply_id,
        title=head.title,
        url=url,
        excerpt=excerpt,
        replies=stats["replies"][0],
        boosts=stats["boosts"][0],
        views=stats["views"][0],
        views_text=stats["views"][1],
        activity_text=activity_text or (stamp or ""),
        activity_at=activity_at,
        topic=topic,
        subtopic=subtopic,
        tags=tags,
        answered="answered" in flags or idx.cls("answered", "solved") is not None,
        apple_recommended="recommended" in flags or idx.cls("apple-recommended") is not None,
    )
