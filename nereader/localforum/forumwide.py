"""The local forum's forum-wide pages: the site's search (synthetic hits, with paging), topic and
subtopic listings, all posts, and ``?answerId=`` links to the reply page that holds a reply.

Made from the rows and threads the forum already serves, plus a few made-up threads per
topic, so ``--demo`` shows all of it without a network.
"""

from __future__ import annotations

import html
import json
import random
import re
import threading
from collections.abc import Callable
from typing import Protocol
from urllib.parse import parse_qsl, quote, urlencode

from nereader.localforum.ages import hours_of
from nereader.localforum.madeup import AREAS, Titles, generic_area, made_rows, spread_ages
from nereader.localforum.render import Hit, Row, forum_listing_page, search_page
from nereader.localforum.routes import PAGE_SIZE, Route, reply_page, route_key

SEARCH_PAGE = 10
NETWORKING = "app-and-system-services-networking"  # the subtopic the demo's tag lives in
_THREAD = re.compile(r"^/forums/thread/(\d{1,12})/?$")
_TOPIC = re.compile(r"^/forums/topics/([a-z0-9._-]+)(?:/([a-z0-9._-]+))?/?$")
_ANSWER = re.compile(r'data-post-id="(\d+)" data-post-type="ANSWER"')
_BODY = re.compile(r'content-post-body-content">(.*?)<div class="post-actions">', re.S)
_TAGS = re.compile(r"<(/?)([a-zA-Z0-9]*)[^>]*>")
_BLOCKS = {"p", "br", "li", "ul", "ol", "pre", "div", "blockquote", "table", "tr", "td", "th",
           "h1", "h2", "h3", "h4", "h5", "h6", "section", "hr"}
_WORDS = re.compile(r"\w+")


class Forum(Protocol):
    """What the forum-wide pages need of the local forum (``site.Site``)."""

    routes: dict[str, Route]
    rows: dict[int, Row]
    generators: list[Callable[[str, str], Route | None]]

    def add_thread(self, row: Row, rng: random.Random) -> None: ...


def attach(site: Forum) -> None:
    """Serve the forum-wide pages from ``site`` (the demo's forum)."""
    site.generators.append(ForumWide(site).answer)


def _count(text: str) -> int:
    """The local forum's own reading of "3.3k" (it never uses the parser it tests)."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    try:
        return int(float(text.rstrip("km")) * scale)
    except ValueError:
        return 0


class ForumWide:
    """Search, topics and all posts over the rows ``site`` serves."""

    def __init__(self, site: Forum) -> None:
        self.site = site
        self.lock = threading.Lock()
        self.tree = _topic_tree(site)
        tag_rows = list(site.rows.values())
        self.listings: dict[str, tuple[str, str, list[Row]]] = {}  # "topic[/sub]" -> rows
        made: list[Row] = []
        titles = Titles(row.title for row in tag_rows)
        top = 990_000

        def rows_for(topic: tuple[str, str], sub: tuple[str, str] | None) -> list[Row]:
            """A subtopic's own threads (or a topic's, when it has no subtopics)."""
            nonlocal top
            if sub is not None and sub[1] == NETWORKING and tag_rows:  # the tag's own home
                return tag_rows
            slug = (sub or topic)[1]
            area = AREAS.get(slug) or generic_area((sub or topic)[0], topic, sub)
            rng = random.Random(slug)
            count = rng.randint(22, 46)  # two pages or three
            rows = made_rows(area, rng, top, spread_ages(rng, count), titles)
            top -= 5_000
            made.extend(rows)
            return rows

        for topic in self.tree:
            t_slug, t_title = str(topic["slug"]), str(topic["title"])
            t_text = str(topic.get("description") or "")
            subs = [s for s in topic["children"] if isinstance(s, dict)]  # type: ignore[attr-defined]
            if not subs:
                self.listings[t_slug] = (t_title, t_text, rows_for((t_title, t_slug), None))
                continue
            lists = []
            for sub in subs:
                s_slug, s_title = str(sub["slug"]), str(sub["title"])
                rows = rows_for((t_title, t_slug), (s_title, s_slug))
                self.listings[f"{t_slug}/{s_slug}"] = (s_title, str(sub.get("description")
                                                                   or ""), rows)
                lists.append(rows)
            # A topic lists its subtopics' threads together, latest activity first.
            self.listings[t_slug] = (t_title, t_text, _by_activity(*lists))
        self.made = {row.id: row for row in made}
        self.all_rows = _by_activity(tag_rows, made)
        self.by_id = {row.id: row for row in self.all_rows}
        self._searches: dict[str, list[Hit]] = {}

    # -- routing -------------------------------------------------------------------------------
    def answer(self, path: str, query: str) -> Route | None:
        params = dict(parse_qsl(query))
        page = int(params["page"]) if params.get("page", "").isdigit() else 1
        if path.rstrip("/") == "/forums/search":
            return self.search(params.get("q", ""), max(page, 1))
        if path.rstrip("/").lower() == "/forums/allposts":
            rows = _sorted(self.all_rows, params.get("sortBy"), params.get("sortOrder"))
            return self._listing("/forums/allPosts", "All Posts",
                                 "Every thread of the forum, most recent activity first.",
                                 len(rows), rows, page, params, None)
        topic = _TOPIC.match(path)
        if topic is not None:
            key = "/".join(g for g in topic.groups() if g)
            if key not in self.listings:
                return None
            title, description, rows = self.listings[key]
            parent = self.listings[topic.group(1)][0] if topic.group(2) else None
            rows = _sorted(rows, params.get("sortBy"), params.get("sortOrder"))
            # Topic pages show no "N Posts" (as on the site, sometimes); subtopics do.
            return self._listing(path.rstrip("/"), title, description,
                                 len(rows) if parent else None, rows, page, params,
                                 (parent, topic.group(1)) if parent else None)
        thread = _THREAD.match(path)
        if thread is not None and int(thread.group(1)) in self.made:
            with self.lock:
                if route_key(path, "") not in self.site.routes:
                    row = self.made[int(thread.group(1))]
                    self.site.add_thread(row, random.Random(row.id))
            routes = self.site.routes
            return reply_page(routes, path, query) or routes.get(route_key(path, query))
        return None

    def _listing(self, path: str, title: str, description: str, total: int | None,
                 rows: list[Row], page: int, params: dict[str, str],
                 topic: tuple[str, str] | None) -> Route:
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        chunk = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        keep = {k: v for k, v in params.items() if k != "page"}

        def link(n: int) -> str:
            return path + "?" + urlencode({**keep, **({"page": str(n)} if n > 1 else {})})

        return Route(forum_listing_page(path, title, description, total, min(page, pages),
                                        pages, chunk, link, topic))

    # -- search --------------------------------------------------------------------------------
    def search(self, query: str, page: int) -> Route:
        text = " ".join(query.split())
        with self.lock:
            hits = self._searches.get(text.lower())
            if hits is None:
                hits = self._searches[text.lower()] = self._find(text)
        pages = max(1, -(-len(hits) // SEARCH_PAGE))
        chunk = hits[(page - 1) * SEARCH_PAGE: page * SEARCH_PAGE]

        def link(n: int) -> str:
            pairs = [("q", text), ("sortBy", "relevance")] + ([("page", str(n))] if n > 1 else [])
            return "/forums/search?" + urlencode(pairs, quote_via=quote)

        return Route(search_page(text, len(hits), page, pages, chunk, link))

    def _find(self, text: str) -> list[Hit]:
        """Threads whose title or excerpt has every word, then replies that do, title
        matches first; a reply hit follows its thread's."""
        words = [w.lower() for w in _WORDS.findall(text)]
        if not words:
            return []
        replies = self._reply_hits(words)
        first: list[Hit] = []
        later: list[Hit] = []
        for row in self.all_rows:
            title, hay = row.title.lower(), f"{row.title} {row.excerpt}".lower()
            own = [Hit(row)] if all(w in hay for w in words) else []
            bucket = first if own and all(w in title for w in words) else later
            bucket += own + replies.pop(row.id, [])
        return first + later

    def _reply_hits(self, words: list[str]) -> dict[int, list[Hit]]:
        found: dict[int, list[Hit]] = {}
        for key, route in list(self.site.routes.items()):
            match = _THREAD.match(key.split("?", 1)[0])
            row = self.by_id.get(int(match.group(1))) if match else None
            if row is None or row.id in found:
                continue
            body = route.body.decode("utf-8", "replace")
            for post in _ANSWER.finditer(body):
                part = _BODY.search(body, post.end())
                text = plain(part.group(1)) if part else ""
                if text and all(w in text.lower() for w in words):
                    found[row.id] = [Hit(row, int(post.group(1)), text[:300])]
                    break
        return found


def plain(markup: str) -> str:
    """A post body's text on one line: blocks apart, inline markup joined to its words
    ("for <code>neagent</code>." is "for neagent.", not "for neagent .")."""
    spaced = _TAGS.sub(lambda m: " " if m.group(2).lower() in _BLOCKS else "", markup)
    return " ".join(html.unescape(spaced).split())


def _topic_tree(site: Forum) -> list[dict[str, object]]:
    """The topic tree the forum's /forums/topics page embeds (read without the parser)."""
    route = site.routes.get(route_key("/forums/topics", ""))
    if route is None:
        return []
    body = route.body.decode("utf-8", "replace")
    match = re.search(r'<script[^>]*id="topics-data"[^>]*>(.*?)</script>', body, re.S)
    if match is None:
        return []
    data = json.loads(match.group(1).replace("\\&quot;", '"'))

    def decoded(node: dict[str, object]) -> dict[str, object]:
        out = {k: html.unescape(v) if isinstance(v, str) else v for k, v in node.items()}
        kids = node.get("children")
        out["children"] = [decoded(c) for c in kids] if isinstance(kids, list) else []
        return out

    return [decoded(t) for t in data if isinstance(t, dict)]


def _by_activity(*lists: list[Row]) -> list[Row]:
    """The rows of several listings as one, latest activity first (each row once)."""
    rows = {row.id: row for group in lists for row in group}
    return sorted(rows.values(), key=lambda row: _age(row.activity))


def _age(activity: str) -> float:
    hours = hours_of(activity)
    return hours if hours is not None else 1e9


def _sorted(rows: list[Row], by: str | None, order: str | None) -> list[Row]:
    """The sorts the site offers; activity (the default) keeps the forum's own order."""
    keys = {"replies": lambda r: r.replies, "boosts": lambda r: r.boosts,
            "views": lambda r: _count(r.views), "newest": lambda r: r.id,
            "oldest": lambda r: -r.id}
    key = keys.get(by or "")
    if key is None:
        return rows[::-1] if (order or "").upper() == "ASC" else rows
    return sorted(rows, key=key, reverse=(order or "DESC").upper() != "ASC")
