"""The inbox and the sections: one list of every thread of the followed listings and the
bookmarks that is unread or has news since it was read, and the sections of the home screen,
filter queries over the inbox or over one listing's cached rows.

Made from the cache alone (no request; ``r`` on the home screen and ``sync`` refresh what they
read) and by the home screen's own rules (``following.Snapshot``): a thread is unread when it
was never opened, has new replies when the site counts more than when it was read, and a
bookmark has new posts when its cached thread holds posts not seen yet.
"""

from __future__ import annotations

from datetime import UTC, datetime

from nereader.core.config import add_table, read_layer
from nereader.core.errors import UsageError
from nereader.core.following import Following, Snapshot
from nereader.core.library import bookmark_row
from nereader.core.models import (
    HomeView,
    Inbox,
    InboxItem,
    SectionStatus,
    ThreadSummary,
)
from nereader.core.query import Query
from nereader.core.settings import ConfigError, EntryError, Section, section_list
from nereader.core.urls import parse_listing_ref

INBOX = "Inbox"
_OLDEST = datetime.min.replace(tzinfo=UTC)


class Collector:
    """Gathers the inbox and the sections from what the followed listings' snapshot holds."""

    def __init__(self, following: Following) -> None:
        self.following = following
        self.path = following.path

    # -- the sections in the config file -------------------------------------------------------
    async def sections(self) -> list[Section]:
        """The ``[[sections]]`` of the config file, as it is now (the app may add one)."""
        return await self.following.pages.loader.run(self._read)

    def _read(self) -> list[Section]:
        layer = read_layer(self.path)
        raw = layer.values.get("sections", [])
        try:
            return list(section_list(raw))
        except EntryError as exc:
            raise layer.blame(exc.at, raw, str(exc)) from None
        except ValueError as exc:
            raise layer.blame("sections", raw, str(exc)) from None

    async def add_section(self, section: Section) -> Section:
        """Save a section in the config file (under its lock, the rest of it kept as it is);
        a name another section has is a UsageError."""
        table = {"name": section.name, "query": section.query}
        if section.listing:
            table["listing"] = section.listing

        def check(entries: list[object]) -> None:
            try:
                section_list(entries)
            except ValueError as exc:
                raise ConfigError(f"the section {section.name!r} was not saved: {exc}",
                                  "file") from None

        await self.following.pages.loader.run(add_table, self.path, "sections", table, check)
        return section

    async def section(self, name: str) -> Section:
        """The section called ``name`` (case ignored); a UsageError names the ones there are."""
        found = await self.sections()
        wanted = " ".join(name.split()).casefold()
        for section in found:
            if section.name.casefold() == wanted:
                return section
        there = ", ".join(repr(s.name) for s in found) or "none yet: see [[sections]] in README"
        raise UsageError(f"no section named {name!r} (sections: {there})")

    # -- what they hold ------------------------------------------------------------------------
    async def inbox(self, include_read: bool = False) -> Inbox:
        """Every thread of the followed listings and the bookmarks that is unread or has news
        (``include_read``: every one of them), newest activity first."""
        snapshot = await self.following.snapshot()
        return _inbox(snapshot, include_read)

    async def threads_of(self, section: Section) -> Inbox:
        """The threads a section holds: its query over the inbox, or over every cached row of
        its listing."""
        extra = [parse_listing_ref(section.listing)[0]] if section.listing else []
        snapshot = await self.following.snapshot(extra)
        return _section(snapshot, section)

    async def home(self, errors: dict[str, str] | None = None) -> HomeView:
        """The home screen's rows: the inbox's counts, each section's, each listing's."""
        sections = await self.sections()
        extra = [parse_listing_ref(s.listing)[0] for s in sections if s.listing]
        snapshot = await self.following.snapshot(extra)
        inbox = _inbox(snapshot, False)
        return HomeView(_counts(inbox, INBOX),
                        tuple(_counts(_section(snapshot, s, inbox), s.name, s)
                              for s in sections),
                        tuple(snapshot.statuses(errors)))


def _inbox(snapshot: Snapshot, include_read: bool) -> Inbox:
    context = snapshot.context
    rows: dict[int, ThreadSummary] = {}
    for ref in snapshot.refs:
        for row in snapshot.rows(ref).values():
            before = rows.get(row.id)
            if before is None or _later(row, before):  # a thread in two listings: the newer row
                rows[row.id] = row
    where: dict[int, list[str]] = dict(snapshot.where)
    unseen: dict[int, int] = {}
    for mark, thread, new_posts in snapshot.marks:
        unseen[mark.id] = new_posts
        if mark.id not in rows:
            rows[mark.id] = bookmark_row(mark, thread)
        where[mark.id] = snapshot.listings_of(mark, thread)
    items = []
    for row in rows.values():
        item = InboxItem(row, tuple(where.get(row.id, ())), context.unread(row),
                         context.new_replies(row) if context.new(row) else 0,
                         unseen.get(row.id, 0), row.id in context.bookmarked)
        if include_read or item.fresh:
            items.append(item)
    return Inbox(INBOX, tuple(_newest_first(items)), _names(snapshot))


def _section(snapshot: Snapshot, section: Section, inbox: Inbox | None = None) -> Inbox:
    query = Query.parse(section.query)  # checked when the file was read
    names = _names(snapshot)
    note = ""
    if section.listing is None:
        items = list((inbox or _inbox(snapshot, False)).items)
    else:
        ref = parse_listing_ref(section.listing)[0]
        first, rows = snapshot.cached.get(ref.key, (None, {}))
        if first is None:
            note = (f"{ref.key} is not in the cache: open it (t) or run "
                    f"`nereader sync {ref.key}`")
        else:
            names.setdefault(ref.key, first.value.name or ref.key)
        context = snapshot.context
        unseen = {mark.id: new for mark, _, new in snapshot.marks}
        items = [InboxItem(row, (ref.key,), context.unread(row),
                           context.new_replies(row) if context.new(row) else 0,
                           unseen.get(row.id, 0), row.id in context.bookmarked)
                 for row in rows.values()]
        items = _newest_first(items)
    by_id = {item.row.id: item for item in items}
    matched = query.apply([item.row for item in items], snapshot.context)
    return Inbox(section.name, tuple(by_id[row.id] for row in matched), names, section.query,
                 section.listing, note)


def _counts(inbox: Inbox, name: str, section: Section | None = None) -> SectionStatus:
    items = inbox.items
    return SectionStatus(
        name, section.query if section else "", section.listing if section else None,
        threads=len(items), unread=sum(1 for i in items if i.unread),
        new_replies=sum(1 for i in items if i.new_replies),
        bookmarks_new=sum(1 for i in items if i.new_posts), error=inbox.note or None)


def _names(snapshot: Snapshot) -> dict[str, str]:
    out = {}
    for key, (first, _rows) in snapshot.cached.items():
        out[key] = (first.value.name if first is not None else "") or key
    return out


def _later(row: ThreadSummary, other: ThreadSummary) -> bool:
    """Whether ``row`` is the newer copy of a thread (read later, or with more replies)."""
    return ((row.activity_at or _OLDEST), row.replies or 0) > (
        (other.activity_at or _OLDEST), other.replies or 0)


def _newest_first(items: list[InboxItem]) -> list[InboxItem]:
    return sorted(items, key=lambda i: (i.row.activity_at or _OLDEST, i.row.id), reverse=True)

