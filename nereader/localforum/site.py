"""The local forum's pages and behaviour: routing by manifest, validators, fault switches."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nereader.localforum.ages import NOW, STAMP_MS, activity_text, between, hours_of, moved
from nereader.localforum.forumwide import attach
from nereader.localforum.madeup import Titles, area_of, made_rows, thread_posts
from nereader.localforum.render import Reply, Row, listing_page, sentence, thread_page
from nereader.localforum.routes import HTML, PAGE_SIZE, Route, reply_page, route_key
from nereader.localforum.sorting import TagRows, sorted_page


@dataclass
class Faults:
    """Switches the tests flip. ``times`` limits a fault to the next N requests (0: forever)."""

    delay: float = 0.0
    status: int | None = None  # 500, 503, 429 ...
    retry_after: str | None = None
    reset: bool = False
    truncate: bool = False
    challenge: bool = False
    redirect_to: str | None = None
    oversize: int | None = None  # bytes of filler to serve
    oversize_chunked: bool = False  # no Content-Length: only the streaming cap can catch it
    times: int = 0
    only_path: str | None = None  # apply only to this path prefix

    def applies(self, path: str) -> bool:
        return self.only_path is None or path.startswith(self.only_path)


@dataclass
class Counters:
    connections: int = 0
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    conditional: int = 0
    not_modified: int = 0
    paths: list[str] = field(default_factory=list)
    started: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the site does with one request: a response, or a transport-level fault."""

    status: int
    headers: dict[str, str]
    body: bytes
    action: str = "send"  # send | reset | truncate
    delay: float = 0.0
    chunked: bool = False


def bundled_root() -> Path:
    """Where the fixture forum is: package data in a wheel, tests/fixtures in a checkout."""
    packaged = Path(str(resources.files("nereader.localforum"))) / "data"
    if (packaged / "manifest.json").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "forums"
    if (checkout / "manifest.json").is_file():
        return checkout
    raise FileNotFoundError("the bundled fixture forum is missing from this installation")


class Site:
    """Routes from site paths (with query) to pages, plus the behaviour of a polite-enough host."""

    last_modified = format_datetime(NOW, usegmt=True)

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = {}
        for path, route in (routes or {}).items():
            self.add(path, route)
        self.faults = Faults()
        self.counters = Counters()
        self.lock = threading.Lock()
        self.challenge = Route(b"", 200)
        self.demo: dict[str, Any] = {}  # what fill_tag builds from (demo.json)
        self.rows: dict[int, Row] = {}  # every listed row fill_tag knows, in listing order
        # Pages made on request (search results, ?answerId= links ...): None passes it on.
        self.generators: list[Callable[[str, str], Route | None]] = [self._sorted]
        self.tags: dict[str, TagRows] = {}  # every row of a tag, for site sort (sorting.py)

    # -- building ------------------------------------------------------------------------------
    def add(self, path: str, route: Route) -> None:
        parts = urlsplit(path)
        self.routes[route_key(parts.path, parts.query)] = route

    def replace_body(self, path: str, body: bytes) -> None:
        """Change a page in place (a new reply arrived): its ETag changes with it."""
        parts = urlsplit(path)
        key = route_key(parts.path, parts.query)
        old = self.routes[key]
        self.routes[key] = Route(body, old.status, old.content_type)

    @classmethod
    def from_directory(cls, root: Path) -> Site:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        site = cls()
        for path, spec in manifest.items():
            site.add(path, Route((root / spec["file"]).read_bytes(), int(spec.get("status", 200)),
                                 spec.get("content_type", HTML)))
        challenge = root / "challenge.html"
        if challenge.exists():
            site.challenge = Route(challenge.read_bytes(), 200)
        demo = root / "demo.json"
        if demo.exists():
            site.demo = json.loads(demo.read_text(encoding="utf-8"))
        site.generators.append(lambda path, query: reply_page(site.routes, path, query))
        return site

    @classmethod
    def bundled(cls, fill: bool = True) -> Site:
        """The fixture forum shipped with nereader; ``fill`` adds the pages the fixtures lack
        (tag pages 3-10 and a thread page for every listed thread) so the demo feels whole."""
        site = cls.from_directory(bundled_root())
        if fill:
            site.fill_tag("networkextension")
            attach(site)  # search, topics and all posts over what the forum now serves
        return site

    def fill_tag(self, slug: str) -> None:
        """Serve every page of a fixture tag: the pages ``demo.json`` describes but the
        fixtures lack are made up (threads that read like the tag's own, see madeup.py), and
        every listed thread without a page gets one."""
        spec = self.demo.get("tags", {}).get(slug)
        if not spec:
            return
        name, total_pages = str(spec["name"]), int(spec["total_pages"])
        rng = random.Random(slug)
        ages = made_up_ages(spec["pages"], total_pages)
        known_rows = [_row(item) for page in spec["pages"].values() for item in page]
        area = area_of(known_rows[0]) if known_rows else None
        titles = Titles(row.title for row in known_rows)
        # Made-up ids run down from the captured page before to the one after, as the site's
        # (roughly) do with age.
        top = min((row.id for row in known_rows if row.id > 800_000), default=826_000) - 100
        seen_rows: list[Row] = []
        for n in range(1, total_pages + 1):
            key = route_key(f"/forums/tags/{slug}", f"page={n}")
            known = spec["pages"].get(str(n))
            if known is not None and area is not None and _filler(known):
                # A fixture page of numbered placeholders ("Synthetic thread 21: ..."): its
                # ids and ages are kept (the pages around it were made to fit them), the rest
                # made up, its own generator so the other pages stay as they were.
                rows = [replace(made, id=int(item["id"]), activity=str(item["activity"]))
                        for item, made in zip(known, made_rows(
                            area, random.Random(f"{slug}:{n}"), top,
                            [hours_of(str(item["activity"])) or 0.0 for item in known],
                            titles), strict=True)]
                self.routes[key] = Route(listing_page(
                    slug, name, str(spec["description"]), int(spec["total_posts"] or 0), n,
                    total_pages, rows))
                seen_rows += rows
                continue
            if known is not None:
                seen_rows += [_row(item) for item in known]
                continue
            if area is not None:
                rows = made_rows(area, rng, top - (n - 3) * PAGE_SIZE * 120, ages[n],
                                 titles, step=120)
            else:
                rows = [_synthetic_row(rng, slug, name, (n - 1) * PAGE_SIZE + i,
                                       activity=activity_text(ages[n][i]))
                        for i in range(PAGE_SIZE)]
            if key not in self.routes:
                self.routes[key] = Route(listing_page(
                    slug, name, str(spec["description"]), int(spec["total_posts"] or 0), n,
                    total_pages, rows))
            seen_rows += rows
        for row in seen_rows:
            self.rows.setdefault(row.id, row)
            if route_key(f"/forums/thread/{row.id}", "") not in self.routes:
                self.add_thread(row, rng)
            else:
                self._bring_up_to(row)
        self.tags[slug] = TagRows(slug, name, str(spec["description"]),
                                  int(spec["total_posts"] or 0), PAGE_SIZE, tuple(seen_rows))

    def _bring_up_to(self, row: Row) -> None:
        """A captured thread whose last post is older than its captured row says (the two
        were caught on different days): its dates moved forward to the row's activity, so
        the demo's list and thread agree ("4d" opens on a post 4 days old)."""
        age = hours_of(row.activity)
        pages: list[tuple[str, Route]] = []  # its reply pages, 1 up to the first missing
        while (key := route_key(f"/forums/thread/{row.id}", f"page={len(pages) + 1}")
               ) in self.routes:
            pages.append((key, self.routes[key]))
        stamps = [int(ms) for _, route in pages
                  for ms in STAMP_MS.findall(route.body.decode("utf-8", "replace"))]
        if age is None or not stamps:
            return
        gap = (NOW - timedelta(hours=age)) - datetime.fromtimestamp(max(stamps) / 1000, UTC)
        if gap < timedelta(hours=12):  # as old as the row says, near enough (or newer)
            return
        for key, route in pages:
            body = moved(route.body.decode("utf-8", "surrogateescape"), gap, NOW + gap)
            self.routes[key] = Route(body.encode("utf-8", "surrogateescape"), route.status,
                                     route.content_type)

    def add_thread(self, row: Row, rng: random.Random) -> None:
        """A made-up thread for ``row`` (see madeup.py): its replies match the row's count,
        20 a page, the last post as old as the row's activity says."""
        question, replies = thread_posts(row, random.Random(row.id))
        self._thread_pages(row, question, replies)

    def _thread_pages(self, row: Row, question: Reply, replies: list[Reply]) -> None:
        pages = max(1, -(-len(replies) // PAGE_SIZE))
        people = 1 + len({r.author for r in replies} - {question.author})
        for n in range(1, pages + 1):
            chunk = replies[(n - 1) * PAGE_SIZE : n * PAGE_SIZE]
            html = thread_page(row, question, chunk, n, pages, people)
            self.add(f"/forums/thread/{row.id}" + (f"?page={n}" if n > 1 else ""), Route(html))

    def _synthetic_thread(self, row: Row, rng: random.Random) -> None:
        """A plain synthetic thread (the large synthetic tag's, for sync and performance
        work): canned replies, an hour apart."""
        age = hours_of(row.activity)
        if age is None:  # an activity text of another form: some day last month
            age = 24.0 * (30 + row.id % 30)
        last_ms = int((NOW - timedelta(hours=age)).timestamp() * 1000)
        base_ms = last_ms - row.replies * 3_600_000  # an hour between posts
        question = Reply(row.id, rng.choice(_AUTHORS), f"<p>{_esc(row.excerpt)}</p>", base_ms)
        replies = []
        accepted_at = rng.randrange(row.replies) if row.answered and row.replies else -1
        for i in range(row.replies):
            staff = i == accepted_at or rng.random() < 0.15
            body = rng.choice(_BODIES)
            reply = Reply(row.id * 1000 + i + 1, "DTS Engineer" if staff else rng.choice(_AUTHORS),
                          body, base_ms + (i + 1) * 3_600_000, staff=staff,
                          accepted=i == accepted_at, boosts=rng.randrange(3))
            replies.append(reply)
        self._thread_pages(row, question, replies)

    @classmethod
    def synthetic(cls, slug: str = "synthetic", pages: int = 50, threads: int = 1000,
                  max_replies: int = 45, seed: int = 7) -> Site:
        """A large tag in the site's DOM: ``pages`` listing pages over ``threads`` threads."""
        site = cls()
        rng = random.Random(seed)
        rows = [_synthetic_row(rng, slug, "Synthetic", i, max_replies) for i in range(threads)]
        per_page = max(1, -(-threads // pages))
        total_pages = max(1, -(-threads // per_page))
        for n in range(1, total_pages + 1):
            chunk = rows[(n - 1) * per_page : n * per_page]
            site.add(f"/forums/tags/{slug}" + (f"?page={n}" if n > 1 else ""), Route(listing_page(
                slug, "Synthetic", "A synthetic tag for sync and performance work.", threads, n,
                total_pages, chunk)))
        for row in rows:
            site._synthetic_thread(row, rng)
        site.tags[slug] = TagRows(slug, "Synthetic", "A synthetic tag for sync and performance "
                                  "work.", threads, per_page, tuple(rows))
        return site

    # -- serving -------------------------------------------------------------------------------
    def answer(self, target: str, headers: dict[str, str]) -> Answer:
        parts = urlsplit(target)
        path = parts.path
        with self.lock:
            self.counters.requests += 1
            self.counters.paths.append(target)
            f = self.faults
            active = f.applies(path)
            if active and f.times:
                f.times -= 1
                if f.times == 0:
                    self.faults = Faults(delay=f.delay)
        delay = f.delay if active else 0.0
        if active:
            if f.reset:
                return Answer(0, {}, b"", "reset", delay)
            if f.status is not None:
                extra = {"Retry-After": f.retry_after} if f.retry_after else {}
                return Answer(f.status, {"Content-Type": HTML, **extra},
                              b"<html><body><h1>Service Unavailable</h1></body></html>", "send",
                              delay)
            if f.redirect_to is not None:
                return Answer(302, {"Location": f.redirect_to}, b"", "send", delay)
            if f.oversize is not None:
                return Answer(200, {"Content-Type": HTML}, b"<html>" + b" " * f.oversize,
                              "send", delay, chunked=f.oversize_chunked)
            if f.challenge:
                return self._page(self.challenge, headers, delay)
        route = self.routes.get(route_key(path, parts.query))
        for make in self.generators if route is None else ():
            route = make(path, parts.query)
            if route is not None:
                break
        if route is None and parts.query:
            # Like a mirror that ignores what it does not know: sort parameters fall away.
            query = "&".join(p for p in parts.query.split("&") if p.startswith("page="))
            route = self.routes.get(route_key(path, query))
        if route is None:
            missing = self.routes.get(route_key("/forums/thread/999999", ""))
            route = missing or Route(b"Not Found", 404)
            route = Route(route.body, 404, route.content_type)
        if active and f.truncate:  # a full body, cut off: validators are ignored
            answer = self._page(route, {}, delay)
            return Answer(answer.status, answer.headers, answer.body, "truncate", delay)
        return self._page(route, headers, delay)

    def _sorted(self, path: str, query: str) -> Route | None:
        """A tag's listing in the site sort the query asks for (see sorting.py)."""
        tag = self.tags.get(path.rstrip("/").removeprefix("/forums/tags/"))
        if tag is None or not path.startswith("/forums/tags/"):
            return None
        body = sorted_page(tag, query)
        return Route(body) if body is not None else None

    def _page(self, route: Route, headers: dict[str, str], delay: float) -> Answer:
        lower = {k.lower(): v for k, v in headers.items()}
        etag = route.etag
        validators = {"ETag": etag, "Last-Modified": self.last_modified}
        if "if-none-match" in lower or "if-modified-since" in lower:
            with self.lock:
                self.counters.conditional += 1
            if lower.get("if-none-match") == etag and route.status == 200:
                with self.lock:
                    self.counters.not_modified += 1
                return Answer(304, validators, b"", "send", delay)
        return Answer(route.status, {"Content-Type": route.content_type, **validators},
                      route.body, "send", delay)


_AUTHORS = ["vpn_builder", "tunnel_dev", "filterwright", "sysext_guy", "proxy_person",
            "swift_ops", "nettools_ios", "kpanic_mac"]
_BODIES = [
    "<p>Can you share the exact version of the OS and whether this reproduces with the sample "
    "project?</p>",
    "<p>Try setting <code>includeAllNetworks</code> to <code>false</code>:</p><pre><code>"
    "let proto = NETunnelProviderProtocol()\nproto.includeAllNetworks = false</code></pre>",
    "<p>We see the same thing on our fleet since the last update.</p>",
    "<p>Please file a bug with a sysdiagnose and post the number here.</p>",
    "<ul><li>Check the entitlement.</li><li>Check the system log for <code>neagent</code>."
    "</li></ul>",
    '<p>See <a href="https://developer.apple.com/documentation/networkextension">the docs</a>.'
    "</p>",
]
_TOPICS = ["packet tunnel", "content filter", "DNS proxy", "app proxy", "hotspot helper",
           "URL filter", "relay", "on-demand rules", "per-app VPN", "system extension"]
_PROBLEMS = ["stops after sleep", "fails to start on iOS 27", "leaks memory", "drops UDP",
             "crashes in neagent", "ignores excluded routes", "needs an entitlement?",
             "slow handshake", "breaks AirDrop", "reconnect loop"]


def _filler(items: list[dict[str, Any]]) -> bool:
    """Whether a captured page's rows are numbered placeholders rather than threads."""
    return all(str(item.get("title", "")).startswith("Synthetic thread ") for item in items)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def made_up_ages(known: dict[str, Any], total_pages: int) -> dict[int, list[float]]:
    """The ages (hours) of the rows of each page the fixtures lack, so the site's order
    (latest activity first) runs on from the captured page before to the one after."""
    ages: dict[int, list[float]] = {}
    younger, run = 0.0, []
    for n in range(1, total_pages + 2):
        rows = known.get(str(n))
        if rows is None and n <= total_pages:
            run.append(n)
            continue
        if run:
            first = hours_of(str(rows[0]["activity"])) if rows else None
            older = first if first is not None and first > younger else (
                younger + 24.0 * len(run) * PAGE_SIZE)
            spread = between(younger, older, len(run) * PAGE_SIZE)
            for k, page in enumerate(run):
                ages[page] = spread[k * PAGE_SIZE : (k + 1) * PAGE_SIZE]
            run = []
        if rows:
            last = hours_of(str(rows[-1]["activity"]))
            younger = max(younger, last) if last is not None else younger
    return ages


def _synthetic_row(rng: random.Random, slug: str, name: str, index: int,
                   max_replies: int = 12, activity: str | None = None) -> Row:
    topic, problem = rng.choice(_TOPICS), rng.choice(_PROBLEMS)
    replies = rng.randrange(max_replies + 1)
    views = rng.randrange(20, 9000)
    activity = activity or activity_text(index + 1)
    return Row(
        id=600000 + index * 7,
        title=f"{topic.capitalize()} {problem} (#{index + 1})",
        excerpt=f"Our {topic} {sentence(problem)} Details, logs and a sample project are "
                "attached.",
        replies=replies,
        boosts=rng.randrange(4),
        views=f"{views / 1000:.1f}k" if views >= 1000 else str(views),
        activity=activity,
        answered=replies > 0 and rng.random() < 0.35,
        recommended=rng.random() < 0.03,
        tags=[(name, slug)],
    )


def _row(item: dict[str, Any]) -> Row:
    """A listing row as ``demo.json`` holds it."""
    topic, sub = item.get("topic"), item.get("subtopic")
    return Row(int(item["id"]), str(item["title"]), str(item["excerpt"]), int(item["replies"]),
               int(item["boosts"]), str(item["views"]), str(item["activity"]),
               bool(item["answered"]), bool(item["recommended"]),
               [(str(name), str(slug)) for name, slug in item["tags"]],
               (str(topic[0]), str(topic[1])) if topic else None,
               (str(sub[0]), str(sub[1])) if sub else None)

