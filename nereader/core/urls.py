"""The forum's URL scheme: build listing, thread and feed URLs, and recognise pasted ones."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from nereader.core.errors import UsageError
from nereader.core.models import ListingKind, Thread, Topic
from nereader.core.text import echo, parse_int

DEFAULT_BASE = "https://developer.apple.com"
_SITE_HOSTS = ("developer.apple.com", "forums.developer.apple.com")  # the site's own, always
DEFAULT_TAG = "networkextension"
SORTS = ("newest", "oldest", "lastUpdated", "replies", "boosts", "views")
# The site's own column headers link to sortBy=activity; accept it as a synonym.
_SORT_ALIASES = {s.lower(): s for s in SORTS} | dict.fromkeys(
    ("activity", "updated", "last-updated", "lastupdated"), "lastUpdated")
ORDERS = ("ASC", "DESC")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$", re.IGNORECASE)
_HOST_FIRST = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?/", re.IGNORECASE | re.ASCII)
_THREAD_PATH = re.compile(r"^(?:/forums)?/thread/(\d{1,12})(?:/[^/]*)?/?$", re.ASCII)
_CREDENTIALS = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s'\"]*@")


def split(url: str) -> SplitResult:
    """``urlsplit`` that reports malformed URLs (e.g. a stray "[") as UsageError."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise UsageError(f"malformed URL {echo(url)}: {exc}") from exc
    return parts


def redact(url: str) -> str:
    """Any user name and password in ``url`` (or a message) replaced by ``***``."""
    return _CREDENTIALS.sub(r"\1***@", url)


def normalise_base(base: str) -> str:
    """Validate a base URL: http or https with a host, no credentials; no trailing slash."""
    shown = redact(base.strip())
    try:
        parts = split(base.strip())
        parts.hostname  # noqa: B018 - the host must parse
    except (UsageError, ValueError):
        raise UsageError(f"malformed base URL {echo(shown)}") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise UsageError(f"base URL must be http:// or https:// with a host, not {echo(shown)}")
    if "@" in parts.netloc:
        # A password would end up in JSON output, exports, bookmarks and messages.
        raise UsageError(f"base URL must not carry a user name or password ({echo(shown)}); "
                         "nereader reads the forum without logging in")
    if parts.query or parts.fragment:
        raise UsageError(f"base URL must not have a query or fragment, not {echo(shown)}")
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path.rstrip("/"), "", ""))


def normalise_sort(sort: str | None) -> str | None:
    if sort is None:
        return None
    found = _SORT_ALIASES.get(sort.strip().lower())
    if found is None:
        raise UsageError(f"unknown sort {echo(sort)}; choose one of {', '.join(SORTS)}")
    return found


def normalise_order(order: str | None) -> str | None:
    if order is None:
        return None
    if (up := order.strip().upper()) not in ORDERS:
        raise UsageError(f"unknown sort order {echo(order)}; choose asc or desc")
    return up


@dataclass(frozen=True, slots=True)
class ListingRef:
    """Which listing: kind and slug (a subtopic's slug is "topic/topic-sub")."""

    kind: ListingKind
    slug: str

    @property
    def path(self) -> str:
        if self.kind is ListingKind.TAG:
            return f"/forums/tags/{quote(self.slug)}"
        if self.kind is ListingKind.ALLPOSTS:
            return ALLPOSTS_PATH
        return f"/forums/topics/{quote(self.slug, safe='/')}"

    @property
    def key(self) -> str:
        """Short human form: "networkextension", "topics/app-and-system-services", "allposts"."""
        if self.kind is ListingKind.ALLPOSTS:
            return ALLPOSTS
        return self.slug if self.kind is ListingKind.TAG else f"topics/{self.slug}"


ALLPOSTS = "allposts"
ALLPOSTS_PATH = "/forums/allPosts"
ALL_POSTS = ListingRef(ListingKind.ALLPOSTS, ALLPOSTS)


@dataclass(frozen=True, slots=True)
class ThreadRef:
    id: int
    page: int = 1
    answer_id: int | None = None


def listing_url(ref: ListingRef, page: int = 1, sort: str | None = None,
                order: str | None = None, base: str = DEFAULT_BASE) -> str:
    """The canonical URL of one listing page (page 1 carries no page parameter)."""
    query: list[tuple[str, str]] = []
    if page > 1:
        query.append(("page", str(page)))
    sort = normalise_sort(sort)
    if ref.kind is ListingKind.ALLPOSTS:
        # The site's own link: newest activity first, questions only; its name for
        # "last updated" is "activity".
        by = "activity" if sort in (None, "lastUpdated") else sort
        query += [("sortBy", by or "activity"), ("sortOrder", normalise_order(order) or "DESC"),
                  ("contentFilterBy", "questions")]
    elif sort:
        query += [("sortBy", sort), ("sortOrder", normalise_order(order) or "DESC")]
    elif order:
        query.append(("sortOrder", normalise_order(order) or "DESC"))
    return base + ref.path + (f"?{urlencode(query)}" if query else "")


def thread_url(thread_id: int, page: int = 1, base: str = DEFAULT_BASE) -> str:
    return f"{base}/forums/thread/{thread_id}" + (f"?page={page}" if page > 1 else "")


def post_url(thread_id: int, post_id: int | None = None, base: str = DEFAULT_BASE) -> str:
    """The URL of one post (the site's answerId form); the thread's URL for its question."""
    url = thread_url(thread_id, base=base)
    if post_id is None or post_id == thread_id:
        return url
    return f"{url}?answerId={post_id}#{post_id}"


def feed_url(ref: ListingRef, base: str = DEFAULT_BASE) -> str:
    """The RSS feed of a listing (verified for tags; topics follow the same pattern)."""
    if ref.kind is ListingKind.ALLPOSTS:
        raise UsageError("the all-posts listing has no RSS feed nereader knows of")
    section = "tags" if ref.kind is ListingKind.TAG else "topics"
    return f"{base}/forums/{section}/rssFeed/{quote(ref.slug, safe='/')}"


def base_of(url: str | None) -> str:
    """The scheme and host of a URL (where its relative links point); the site's by default."""
    if not url:
        return DEFAULT_BASE
    try:
        parts = urlsplit(url)
    except ValueError:
        return DEFAULT_BASE
    if parts.scheme in {"http", "https"} and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return DEFAULT_BASE


def absolute(href: str | None, base: str = DEFAULT_BASE) -> str | None:
    """Resolve a site-relative href against the base; keep spaces and the like percent-encoded.
    Only web links come out: anything that is not http(s) after resolving (javascript:,
    file:, data:, smb: ...) is None."""
    if not href:
        return None
    href = href.strip()
    if _PLAIN_PATH.match(href):  # a plain site path needs no parsing
        return base + href
    try:
        parts = split(urljoin(base + "/", _HIDDEN.sub("", href)))
    except (UsageError, ValueError):
        return None
    path = quote(parts.path, safe="/%:@!$&'()*+,;=~-._")
    return web_url(urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment)))


_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def web_url(url: str | None) -> str | None:
    """``url`` if it is safe to open, copy or write as a link: http or https with a host and no
    credentials, judged after the normalising a browser does (control and invisible characters
    dropped, scheme case folded). Anything else (javascript:, file:, data:, smb: ...) is None."""
    if not url:
        return None
    cleaned = _INVISIBLE.sub("", url)
    try:
        parts = urlsplit(cleaned)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not host or "@" in parts.netloc:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, parts.query,
                       parts.fragment))


def parse_thread_ref(text: str, base: str = "") -> ThreadRef:
    """Recognise a thread id or any thread URL a user may paste.

    Accepts ``821372``, ``https://developer.apple.com/forums/thread/821372`` with
    ``?answerId=…#…`` or ``?page=N``, and the old ``forums.developer.apple.com/thread/ID`` and
    ``…/forums/thread/ID`` forms, with or without a scheme. With ``base``, a URL on a host
    that is neither the base's nor the site's is refused: that is another forum's thread.
    """
    raw = text.strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 12:  # "١٢٣" is no thread id
        return _numbered(ThreadRef(int(raw)), text)
    candidate = raw if "://" in raw else "https://" + raw.lstrip("/")
    if raw.startswith("/"):
        candidate = "https://developer.apple.com" + raw
    parts = split(candidate)
    match = _THREAD_PATH.match(parts.path)
    if parts.scheme not in {"http", "https"} or match is None:
        raise UsageError(f"not a thread id or forum thread URL: {echo(text)}")
    host, forum = (parts.hostname or "").lower(), (split(base).hostname or "").lower()
    if base and not raw.startswith(("/", "forums/")) and host not in {forum, *_SITE_HOSTS}:
        raise UsageError(f"{echo(text)} is a thread on {host}, but the forum is {forum} (set by "
                         "--base-url or base_url); give the thread id, or a URL of that forum")
    query = dict(parse_qsl(parts.query))
    page = parse_int(query.get("page")) or 1
    answer = parse_int(query.get("answerId")) or parse_int(parts.fragment)
    return _numbered(ThreadRef(int(match.group(1)), max(page, 1), answer), text)


def _numbered(ref: ThreadRef, text: str) -> ThreadRef:
    if ref.id < 1:  # no thread has id 0: refused before any request
        raise UsageError(f"not a thread id: {echo(text.strip())} (thread ids start at 1)")
    return ref


def parse_listing_ref(text: str, base: str = "") -> tuple[ListingRef, int, str | None,
                                                        str | None]:
    """Recognise a tag slug, ``topics/<topic>[/<sub>]``, or a listing URL.

    Returns the listing, the page, the sort and the order found in the text. With ``base``,
    a URL on a host that is neither the base's nor the site's is refused, as a thread's is:
    it is another forum's listing, not this one's.
    """
    raw = text.strip()
    if not raw:
        raise UsageError("an empty LISTING: give a tag slug, topics/TOPIC[/SUB], allposts or a "
                         "listing URL (or none, for the default listing)")
    if raw.lower() == ALLPOSTS:  # the word itself; a tag of that name is "tags/allposts"
        return ALL_POSTS, 1, None, None
    if _SLUG.match(raw):
        return ListingRef(ListingKind.TAG, raw.lower()), 1, None, None
    candidate = raw if "://" in raw else "https://developer.apple.com/" + raw.lstrip("/")
    if "://" not in raw and _HOST_FIRST.match(raw):  # "developer.apple.com/forums/..."
        candidate = "https://" + raw
    parts = split(candidate)
    if base and candidate != "https://developer.apple.com/" + raw.lstrip("/"):
        host, forum = (parts.hostname or "").lower(), (split(base).hostname or "").lower()
        if host not in {forum, *_SITE_HOSTS}:
            raise UsageError(f"{echo(text.strip())} is a listing on {host or 'no host'}, but the "
                             f"forum is {forum} (set by --base-url or base_url); give the "
                             "tag, or a URL of that forum")
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[0] == "forums":
        segments = segments[1:]
    query = dict(parse_qsl(parts.query))
    page = max(parse_int(query.get("page")) or 1, 1)
    sort = normalise_sort(query["sortBy"]) if "sortBy" in query else None
    order = normalise_order(query["sortOrder"]) if "sortOrder" in query else None
    if len(segments) == 1 and segments[0].lower() == ALLPOSTS:
        return ALL_POSTS, page, sort, order
    if len(segments) == 2 and segments[0] == "tags" and _SLUG.match(segments[1]):
        return ListingRef(ListingKind.TAG, segments[1].lower()), page, sort, order
    topical = segments and segments[0] == "topics" and 2 <= len(segments) <= 3
    if topical and all(_SLUG.match(s) for s in segments[1:]):
        kind = ListingKind.TOPIC if len(segments) == 2 else ListingKind.SUBTOPIC
        return ListingRef(kind, "/".join(segments[1:]).lower()), page, sort, order
    raise UsageError(f"not a tag slug or forum listing URL: {echo(text)}")


def listing_ref_from_href(href: str) -> ListingRef | None:
    """The listing an href points at (used for tag and topic links on pages)."""
    try:
        return parse_listing_ref(href if "/" in href else "/forums/tags/" + href)[0]
    except UsageError:
        return None



def listing_for(thread: Thread) -> ListingRef | None:
    """The list a thread belongs in: its first tag, else its subtopic or topic."""
    if thread.tags:
        return listing_ref_from_href(f"/forums/tags/{thread.tags[0].slug}")
    if thread.topic is None:
        return None
    path = f"/forums/topics/{thread.topic.slug}"
    return listing_ref_from_href(path + (f"/{thread.subtopic.slug}" if thread.subtopic else ""))

_HREF_THREAD = re.compile(r"^/forums/thread/(\d{1,12})(?:[?#/]|$)", re.ASCII)
_ANY_THREAD = re.compile(r"/thread/\d+", re.ASCII)
_ANY_LISTING = re.compile(r"/forums/(?:tags|topics)/")
_TAG_HREF = re.compile(r"/forums/(?:tags|topics)/(?:[^/?#]+/)*([^/?#]+)/?(?:[?#]|$)")
_ANSWER = re.compile(r"answerId=(\d{1,15})", re.ASCII)
_FRAGMENT_ID = re.compile(r"#(\d{1,15})$", re.ASCII)


def url_kind(url: str) -> str | None:
    """What a forum URL shows by its path: "feed", "thread", "listing", "search", "topics",
    or None."""
    if "/rssFeed/" in url:
        return "feed"
    if _ANY_THREAD.search(url):
        return "thread"
    if _ANY_LISTING.search(url) or _ALLPOSTS_URL.search(url):
        return "listing"
    if _SEARCH_URL.search(url):
        return "search"
    if _TOPICS_URL.search(url):
        return "topics"
    return None


_ALLPOSTS_URL = re.compile(r"/forums/allposts/?(?:[?#]|$)", re.IGNORECASE)
_SEARCH_URL = re.compile(r"/forums/search/?(?:[?#]|$)")
_TOPICS_URL = re.compile(r"/forums/topics/?(?:[?#]|$)")


def search_url(query: str, page: int = 1, base: str = DEFAULT_BASE) -> str:
    """The site's search: ``/forums/search?q=...&sortBy=relevance[&page=N]``."""
    text = " ".join(query.split())
    if not text:
        raise UsageError("empty search query")
    pairs = [("q", text), ("sortBy", "relevance")] + ([("page", str(page))] if page > 1 else [])
    return f"{base}/forums/search?{urlencode(pairs, quote_via=quote)}"


def parse_search_ref(url: str) -> tuple[str, int] | None:
    """The query and page of a site search URL, or None when ``url`` is not one."""
    try:
        parts = split(url)
    except UsageError:
        return None
    if _SEARCH_URL.search(parts.path + "?") is None:
        return None
    query = dict(parse_qsl(parts.query))
    return " ".join(query.get("q", "").split()), max(parse_int(query.get("page")) or 1, 1)


def topics_url(base: str = DEFAULT_BASE) -> str:
    """The page that holds the forum's topic tree."""
    return f"{base}/forums/topics"


def reply_url(thread_id: int, reply_id: int, base: str = DEFAULT_BASE) -> str:
    """The site's link to a reply: it serves the reply page that holds it."""
    return f"{thread_url(thread_id, base=base)}?answerId={reply_id}"


def is_thread_href(href: str | None) -> bool:
    """Whether a link on a page points at a thread (any form the site writes)."""
    return bool(href) and _ANY_THREAD.search(href or "") is not None


def slug_from_href(href: str) -> str | None:
    """The last slug of a tag, topic or subtopic link ("/forums/tags/ios" -> "ios")."""
    m = _TAG_HREF.search(href)
    if m:
        return m.group(1)
    ref = listing_ref_from_href(href)
    return ref.slug.rsplit("/", 1)[-1] if ref else None


def answer_id_from_href(href: str | None) -> int | None:
    """The post a link points at: ``?answerId=N`` or a trailing ``#N``."""
    if not href:
        return None
    m = _ANSWER.search(href) or _FRAGMENT_ID.search(href)
    return int(m.group(1)) if m else None
_PLAIN_PATH = re.compile(r"^/(?!/)[A-Za-z0-9/._~-]*$")


def thread_id_from_href(href: str | None, base: str | None = None) -> int | None:
    """The thread a link points at: a relative link, or a web (http/https) URL; with ``base``,
    only one on the forum's own host (the base's, or the site's). A link elsewhere
    (``javascript:``, another host) names no thread of this forum: None."""
    if not href:
        return None
    fast = _HREF_THREAD.match(href)  # the site's own relative links, the common case
    if fast:
        return int(fast.group(1)) or None  # no thread has id 0
    try:
        parts = urlsplit(href.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        if parts.scheme.lower() not in {"http", "https", ""} or not parts.hostname:
            return None
        if base is not None and not _forum_host(parts.hostname, port, base):
            return None
    match = _THREAD_PATH.match("/" + parts.path.lstrip("/"))
    found = int(match.group(1)) if match else 0
    return found if found >= 1 else None


def _forum_host(host: str, port: int | None, base: str) -> bool:
    """Whether host (and port) is the forum's: the base's own, or the site's."""
    try:
        forum = urlsplit(base)
        forum_port = forum.port
    except ValueError:
        return False
    host = host.lower()
    return ((host, port) == ((forum.hostname or "").lower(), forum_port)
            or host in _SITE_HOSTS)


_PLAIN_URL = re.compile(r"(?:https?|HTTPS?)://[A-Za-z0-9.-]+(?:/[A-Za-z0-9/._~%-]*)?\Z")


def canonical(url: str) -> str:
    """Cache key for a URL: no fragment, no page=1, sorted query, upper sortOrder.

    ``answerId`` stays: the site answers such a URL with the reply page that holds that
    reply, which is not page 1 of the thread.
    """
    if _PLAIN_URL.match(url):  # nothing to sort or drop (most keys): only the case folded
        scheme, _, rest = url.partition("://")
        host, slash, path = rest.partition("/")
        return f"{scheme.lower()}://{host.lower()}{slash}{path}"
    parts = split(url)
    query = []
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        if k == "page" and v == "1":
            continue
        query.append((k, v.upper() if k == "sortOrder" else v))
    query.sort()
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path, urlencode(query), "")
    )


def thread_page_one(url: str) -> ThreadRef | None:
    """The thread whose first page ``url`` is (cache keys: no ``page`` parameter), or None."""
    try:
        ref = parse_thread_ref(url)
    except UsageError:
        return None
    return ref if "page=" not in url and ref.answer_id is None else None


# -- names and near misses ---------------------------------------------------------------------
def topic_names(topics: Iterable[Topic]) -> dict[str, str]:
    """Each topic's and subtopic's listing key with its name as people say it: "App & System
    Services", and a subtopic with its topic, "Networking (App & System Services)"."""
    names: dict[str, str] = {}
    for topic in topics:
        key = _topic_key(topic.url, f"topics/{topic.slug}")
        names[key] = topic.title
        for sub in topic.children:
            names[_topic_key(sub.url, f"{key}/{sub.slug}")] = f"{sub.title} ({topic.title})"
    return names


def _topic_key(url: str, fallback: str) -> str:
    try:
        return parse_listing_ref(url)[0].key
    except UsageError:
        return fallback


def near_listings(key: str, known: Mapping[str, str], limit: int = 3) -> list[str]:
    """The listings of ``known`` (key: name) a mistyped ``key`` may have meant, nearest first:
    by slug or by name, spelling aside ("netwrkextension" and "network-extension" find
    networkextension, "storekit" the StoreKit subtopic)."""
    import difflib

    typed = _letters(key.rsplit("/", 1)[-1])
    if not typed:
        return []
    scored: list[tuple[float, str]] = []
    for candidate, name in known.items():
        if candidate == key:
            continue
        last = candidate.rsplit("/", 1)[-1]
        parts = candidate.split("/")
        forms = {_letters(last), _letters(name)}
        if len(parts) == 3 and last.startswith(parts[1] + "-"):
            forms.add(_letters(last[len(parts[1]) + 1:]))  # a subtopic repeats its topic
        score = max(difflib.SequenceMatcher(None, typed, form).ratio() for form in forms if form)
        if score >= 0.75:
            scored.append((score, candidate))
    scored.sort(key=lambda pair: -pair[0])
    return [candidate for _, candidate in scored[:limit]]


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())
def thread_link(url: str | None, base: str = DEFAULT_BASE) -> ThreadRef | None:
    """The forum thread a link in a post points at (any form ``parse_thread_ref`` reads,
    ``?answerId=`` included), when it is a web link to the forum's host or the site's; None
    for any other link (it belongs in the browser)."""
    safe = web_url(url)
    if safe is None:
        return None
    try:
        return parse_thread_ref(safe, base)
    except UsageError:
        return None


def same_host(url: str, base: str = DEFAULT_BASE) -> bool:
    """Whether ``url`` is a web link to the forum's own host (what nereader fetches from)."""
    safe = web_url(url)
    if safe is None:
        return False
    try:
        return split(safe).netloc.lower() == split(base).netloc.lower()
    except UsageError:
        return False


def reply_form_url(thread_id: int, pages: int = 1, base: str = DEFAULT_BASE) -> str:
    """Where a thread is answered on the site: its last reply page, at whose end the site
    offers its reply box (to a signed-in reader: signing in is the site's business)."""
    return thread_url(thread_id, max(1, pages), base)
