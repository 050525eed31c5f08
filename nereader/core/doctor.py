"""`nereader doctor`: one page of each kind the app reads, checked against the page contract.

The pages come politely through the fetcher, or from the cache when a copy is fresh (always
offline). Each is checked by ``parse/contract.py`` (the parsers' own rules); for a broken one
the report says what would stand in: a good cached copy, the listing's RSS feed, or the
thread page's text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from nereader import __version__
from nereader.core import parsers
from nereader.core.errors import FetchError, NereaderError, OfflineError, ParseError
from nereader.core.loader import Loader, ParseFn, as_declared
from nereader.core.models import (
    CheckKind,
    DoctorReport,
    Feed,
    ListingKind,
    ListingPage,
    PageCheck,
    SearchResults,
    Thread,
    TopicTree,
)
from nereader.core.pages import Pages, Progress
from nereader.core.text import age_text, plural
from nereader.core.urls import ListingRef, feed_url, search_url, topics_url

Model = ListingPage | Thread | Feed | SearchResults | TopicTree
KINDS: tuple[CheckKind, ...] = ("listing", "thread", "feed", "search", "topics")
NOT_CHECKED = "not checked"


@dataclass(frozen=True, slots=True)
class _Copy:
    body: bytes
    source: str  # network, cache, stale
    fetched_at: datetime
    age_seconds: float


async def diagnose(pages: Pages, ref: ListingRef, refresh: bool = False,
                   progress: Progress | None = None) -> DoctorReport:
    """Check the listing, one of its threads, its feed, a site search and the topic tree."""
    settings = pages.settings
    base = settings.base_url
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress("pages", done, len(KINDS))

    fresh = settings.freshness
    listing, listing_model = await _check(pages.loader, "listing", pages.listing_url(ref),
                                          fresh.listing, refresh)
    step()
    if ref.kind is ListingKind.ALLPOSTS:
        feed = PageCheck("feed", "", False, source=NOT_CHECKED,
                         problems=("all posts has no RSS feed",))
        feed_model: Model | None = None
    else:
        feed, feed_model = await _check(pages.loader, "feed", feed_url(ref, base), fresh.feed,
                                        refresh)
    step()
    thread_id = _a_thread(listing_model, feed_model)
    if thread_id is None:
        why = ("the listing has no thread" if listing_model or feed_model
               else "the listing could not be read" if ref.kind is ListingKind.ALLPOSTS
               else "neither the listing nor its feed could be read")
        thread = PageCheck("thread", "", False, source=NOT_CHECKED, problems=(
            "no thread to check: the thread checked is the listing's with the most replies "
            f"(or its feed's newest), and {why}",))
        thread_model: Model | None = None
    else:
        thread, thread_model = await _check(pages.loader, "thread", pages.thread_url(thread_id),
                                            fresh.thread, refresh)
    step()
    query = _query(listing_model, feed_model, ref)
    search, _ = await _check(pages.loader, "search", search_url(query, 1, base),
                             fresh.listing, refresh)
    step()
    topics, _ = await _check(pages.loader, "topics", topics_url(base),
                             max(fresh.listing, 86400.0), refresh)
    step()
    checks = [listing, thread, feed, search, topics]
    stand_ins = [await _fallback(pages, check, feed, thread_model) for check in checks]
    return DoctorReport(
        listing=ref.key,
        checks=tuple(replace(c, fallback=f) for c, f in zip(checks, stand_ins, strict=True)),
        offline=pages.loader.offline, version=__version__)


async def _check(loader: Loader, kind: CheckKind, url: str, ttl: float, refresh: bool
                 ) -> tuple[PageCheck, Model | None]:
    """One page checked, and the parser's model of it; a page that cannot be had is "not
    checked", with the reason."""
    try:
        copy = await _copy(loader, url, ttl, refresh)
    except NereaderError as exc:
        # A page the site serves unreadable (over the size cap) was had, and is broken: a
        # retry will not mend it, as it may mend a network failure ("not checked").
        source = "network" if exc.exit_code == ParseError.exit_code else NOT_CHECKED
        return PageCheck(kind, url, False, problems=(str(exc),), source=source), None
    from nereader.core.parse.contract import check_page  # the parsers load with the first page

    check, model = await loader.run(check_page, kind, copy.body, url, copy.fetched_at)
    return replace(check, source=copy.source, age_seconds=copy.age_seconds), model


async def _copy(loader: Loader, url: str, ttl: float, refresh: bool) -> _Copy:
    """The page's body: a fresh cached copy (offline: any), else from the site (a cached copy
    when the site cannot be reached)."""
    entry = await loader.run(loader.cache.get, url)
    cached: _Copy | None = None
    if entry is not None:
        try:
            age = entry.age_seconds()
            cached = _Copy(entry.body, "cache" if age <= ttl else "stale", entry.fetched_at,
                           age)
        except ParseError:  # a damaged copy is no copy
            cached = None
    fetcher = await loader.fetcher()
    if cached is not None and (fetcher is None or (not refresh and cached.source == "cache")):
        return cached
    if fetcher is None:
        raise OfflineError(f"offline and {url} is not in the cache", url)
    if cached is None and fetcher.network_down:  # said as such, not "using the cache"
        raise OfflineError(f"the network is down (a connection failed moments ago) and {url} "
                           "is not in the cache", url, "network down")
    try:
        response = await fetcher.get(url)
    except FetchError:
        if cached is None:
            raise
        return replace(cached, source="stale")
    return _Copy(as_declared(response.body, response.content_type), "network",
                 response.fetched_at, 0.0)


def _a_thread(listing: Model | None, feed: Model | None) -> int | None:
    """The thread to check: the listing's row with the most replies (the most posts, badges
    and comments to look at), else the feed's newest thread."""
    if isinstance(listing, ListingPage) and listing.rows:
        return max(listing.rows, key=lambda r: r.replies or 0).id
    if isinstance(feed, Feed):
        return next((item.id for item in feed.items if item.id is not None), None)
    return None


def _query(listing: Model | None, feed: Model | None, ref: ListingRef) -> str:
    """Words the site's search surely has hits for: the listing's name."""
    if isinstance(listing, ListingPage) and listing.name:
        return listing.name
    if isinstance(feed, Feed) and feed.title:
        return feed.title.split("|")[0].strip() or ref.slug
    return ref.slug.replace("-", " ").replace("/", " ")


_PARSERS: dict[str, ParseFn[Model]] = {
    "listing": parsers.listing, "thread": parsers.thread, "feed": parsers.feed,
    "search": parsers.search, "topics": parsers.topics}


async def _fallback(pages: Pages, check: PageCheck, feed: PageCheck, thread: Model | None
                    ) -> str | None:
    """What the app shows in place of a broken page: a good cached copy (marked stale), else
    the listing's RSS feed, else the thread page's text."""
    if check.ok or not check.checked:
        return None
    try:
        cached = await pages.loader.peek(check.url, _PARSERS[check.kind], 0.0)
    except NereaderError:
        cached = None
    if cached is not None and not getattr(cached.value, "degraded", False):
        return f"a cached copy ({age_text(cached.age_seconds)} old), marked stale"
    if check.kind == "listing" and feed.ok and (threads := feed.fields.get("thread links")):
        return f"its RSS feed ({plural(int(threads), 'thread')}, counts unknown)"
    if check.kind == "thread" and isinstance(thread, Thread) and thread.degraded:
        return "the page's text as one post (its structure not recognised)"
    return None
