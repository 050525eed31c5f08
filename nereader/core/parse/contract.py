"""The page contract, checked: what the parsers find on a page of each kind, and which rule fails.

``nereader doctor`` runs these. Each check runs the parser itself (its verdict and its error are
the app's) and then counts what the parser's own rules find (the row survey of ``rows``, the
post rules of ``thread``), so a check can never pass where the parser fails, or the reverse.
``problems`` are the rules that fail so that the page is not read as it should be;
``notes`` are fields the contract has that the page lacks while it still reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nereader.core.errors import ParseError
from nereader.core.models import (
    CheckKind,
    Feed,
    ListingPage,
    PageCheck,
    PostKind,
    SearchResults,
    Thread,
    TopicTree,
)
from nereader.core.parse.common import load_html, main_of, now_utc, pagination, thread_links
from nereader.core.parse.feed import parse_feed
from nereader.core.parse.listing import (
    POST_COUNT,
    POST_COUNT_AT,
    feed_link,
    header_count,
    parse_listing,
)
from nereader.core.parse.rows import FIELDS, Survey, survey_rows
from nereader.core.parse.search import RESULT_COUNT, RESULT_COUNT_AT, parse_search
from nereader.core.parse.thread import QUESTION, find_question, parse_thread, post_nodes
from nereader.core.parse.topics import parse_topics
from nereader.core.urls import base_of

Model = ListingPage | Thread | Feed | SearchResults | TopicTree
Fields = dict[str, int | str]
UNKNOWN_AUTHOR = "(unknown)"  # what the thread parser names a post whose author it cannot read


def check_page(kind: CheckKind, body: bytes, url: str, fetched_at: datetime | None = None
               ) -> tuple[PageCheck, Model | None]:
    """One page checked against the contract of its kind, and the parser's model of it (None
    when the parser refused the page)."""
    now = now_utc(fetched_at)
    fields: Fields = {}
    problems: list[str] = []
    notes: list[str] = []
    model: Model | None = None
    try:
        model = _PARSERS[kind](body, url, now)
    except ParseError as exc:
        problems.append(str(exc))
    except Exception as exc:  # a parser bug is a finding too, never the doctor's crash
        problems.append(f"the {kind} parser failed: {type(exc).__name__}: {exc}")
    try:
        _SURVEYS[kind](body, url, now, model, fields, problems, notes)
    except ParseError as exc:  # not HTML at all: the parser said so already
        if not problems:
            problems.append(str(exc))
    check = PageCheck(kind, url, not problems, fields, tuple(dict.fromkeys(problems)),
                      tuple(notes))
    return check, model


# -- the parsers, as the app calls them -----------------------------------------------------
def _listing(body: bytes, url: str, now: datetime) -> Model:
    return parse_listing(body, url, now)


def _thread(body: bytes, url: str, now: datetime) -> Model:
    return parse_thread(body, url, now)  # read as text only: the survey says the contract failed


def _feed(body: bytes, url: str, now: datetime) -> Model:
    return parse_feed(body, url)


def _search(body: bytes, url: str, now: datetime) -> Model:
    return parse_search(body, url, now)


def _topics(body: bytes, url: str, now: datetime) -> Model:
    return parse_topics(body, url, now)


_PARSERS = {"listing": _listing, "thread": _thread, "feed": _feed, "search": _search,
            "topics": _topics}


# -- what each kind's rules find ------------------------------------------------------------
def _rows(main: Any, survey: Survey, fields: Fields, notes: list[str], what: str) -> None:
    """The row survey's counts: every field of a row, in how many rows it was found."""
    fields["thread links"] = len(thread_links(main))
    fields["row elements"] = survey.elements
    fields["rows"] = survey.heads
    if not survey.heads:
        return  # no row to count fields in
    for name in FIELDS:
        fields[name] = survey.found.get(name, 0)
    rows = survey.rows
    fields["excerpts"] = sum(1 for r in rows if r.excerpt)
    fields["tags"] = sum(1 for r in rows if r.tags)
    fields["answered"] = sum(1 for r in rows if r.answered)
    fields["recommended"] = sum(1 for r in rows if r.apple_recommended)
    if rows and not fields["excerpts"]:
        notes.append(f"no {what} row has an excerpt (.excerpt)")
    if rows and not fields["tags"]:
        notes.append(f"no {what} row has tags (a.tag, a.topic under .article-tags)")


def _pages(main: Any, fields: Fields) -> None:
    current, total = pagination(main)
    fields["pagination"] = (f"page {current or '?'} of {total or '?'}"
                            if current or total else "none")


def _survey_listing(body: bytes, url: str, now: datetime, model: Model | None,
                    fields: Fields, problems: list[str], notes: list[str]) -> None:
    _, tree = load_html(body)
    main = main_of(tree)
    survey = survey_rows(main, base_of(url), now, "listing")
    _rows(main, survey, fields, notes, "listing")
    problems += survey.problems
    total = header_count(main, POST_COUNT, POST_COUNT_AT)
    fields["total posts"] = "none" if total is None else total
    _pages(main, fields)
    fields["feed link"] = "yes" if feed_link(main, tree) is not None else "no"
    if total is None and "/forums/tags/" in url:
        notes.append('no "N Posts" count on a tag page: its total shows as unknown')
    if isinstance(model, ListingPage) and not model.rows and total:
        problems.append(f"the page says {total} posts but shows no rows")


def _survey_thread(body: bytes, url: str, now: datetime, model: Model | None,
                   fields: Fields, problems: list[str], notes: list[str]) -> None:
    _, tree = load_html(body)
    main = main_of(tree)
    question = find_question(main)
    fields["question section"] = "no" if question is None else "yes"
    if isinstance(model, Thread):
        fields["structure"] = model.structure.value
    if question is None:
        problems.append(f"no question section ({', '.join(QUESTION)})")
        return
    elements = post_nodes(main, question)
    fields["post elements"] = len(elements)
    if not isinstance(model, Thread) or model.degraded:
        return
    posts = model.posts
    fields["posts"] = len(posts)
    fields["replies"] = sum(1 for p in posts if p.kind is PostKind.ANSWER)
    fields["comments"] = sum(1 for p in posts if p.kind is PostKind.COMMENT)
    fields["authors"] = sum(1 for p in posts if p.author.name != UNKNOWN_AUTHOR)
    fields["dates"] = sum(1 for p in posts if p.created_at is not None)
    fields["bodies"] = sum(1 for p in posts if p.body_markdown.strip())
    fields["staff badges"] = sum(1 for p in posts if p.apple_staff)
    fields["roles"] = sum(1 for p in posts if p.role)
    fields["accepted"] = sum(1 for p in posts if p.accepted)
    fields["recommended"] = sum(1 for p in posts if p.apple_recommended)
    stats = model.stats
    known = [name for name in ("replies", "boosts", "views", "participants")
             if getattr(stats, name) is not None]
    fields["stats"] = ", ".join(known) or "none"
    fields["title"] = "yes" if model.title else "no"
    fields["tags"] = len(model.tags)
    _pages(main, fields)
    if len(posts) < len(elements):
        problems.append(f"{len(elements) - len(posts)} of {len(elements)} post elements "
                        "could not be read (no data-post-id, or no body: "
                        "[data-action='content-post-body-content'])")
    for name, rule in (("authors", "data-authorname / [data-action='author-name']"),
                       ("dates", "data-timestamp / time[datetime]")):
        have = fields[name]
        if have == 0:
            problems.append(f"no post has its {name[:-1]} ({rule})")
        elif isinstance(have, int) and have < len(posts):
            notes.append(f"{len(posts) - have} of {len(posts)} posts have no {name[:-1]} "
                         f"({rule})")
    if not known:
        notes.append("the question shows no stats (.content-post-metadata .post-info)")
    if not model.title:
        problems.append("no title (h1[data-action='post-title'])")


def _survey_feed(body: bytes, url: str, now: datetime, model: Model | None,
                 fields: Fields, problems: list[str], notes: list[str]) -> None:
    if not isinstance(model, Feed):
        return
    items = model.items
    fields["items"] = len(items)
    fields["thread links"] = sum(1 for i in items if i.id is not None)
    fields["titles"] = sum(1 for i in items if i.title)
    fields["dates"] = sum(1 for i in items if i.published_at is not None)
    fields["authors"] = sum(1 for i in items if i.author)
    fields["content"] = sum(1 for i in items if i.summary_markdown)
    if not items:
        notes.append("the feed lists no threads")
    elif not fields["thread links"]:
        problems.append("no item links to a thread (<link> to /forums/thread/ID): the feed "
                        "cannot stand in for its listing")
    elif not fields["dates"]:
        notes.append("no item has a date (<pubDate>)")


def _survey_search(body: bytes, url: str, now: datetime, model: Model | None,
                   fields: Fields, problems: list[str], notes: list[str]) -> None:
    _, tree = load_html(body)
    main = main_of(tree)
    survey = survey_rows(main, base_of(url), now, "search")
    _rows(main, survey, fields, notes, "search")
    problems += survey.problems
    if survey.heads:
        fields["reply hits"] = sum(1 for r in survey.rows if r.reply_id is not None)
    total = header_count(main, RESULT_COUNT, RESULT_COUNT_AT)
    fields["total results"] = "none" if total is None else total
    _pages(main, fields)
    if isinstance(model, SearchResults) and not model.hits:
        notes.append("the search found nothing: its rows could not be checked")


def _survey_topics(body: bytes, url: str, now: datetime, model: Model | None,
                   fields: Fields, problems: list[str], notes: list[str]) -> None:
    _, tree = load_html(body)
    fields["topics data"] = ("script#topics-data" if tree.css_first("script#topics-data")
                             is not None else "none (topic cards)")
    if not isinstance(model, TopicTree):
        return
    fields["topics"] = len(model.topics)
    fields["subtopics"] = sum(len(t.children) for t in model.topics)
    if not fields["subtopics"]:
        notes.append("no topic has subtopics")


_SURVEYS = {"listing": _survey_listing, "thread": _survey_thread, "feed": _survey_feed,
            "search": _survey_search, "topics": _survey_topics}
