"""Minified pages read as their pretty-printed selves: white space between tags carries nothing.

A site is free to serve its pages minified (no white space between tags: CSS lays the header
out, not the line breaks). Each fixture page is parsed as it is and with the white space
between some or all of its tags taken out (never inside ``<pre>``), with its count element's
class renamed too (the "N Posts" count is then found in the header's text), and the two
readings must agree.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from nereader.core.errors import LayoutChangedError
from nereader.core.parse import parse_listing, parse_search, parse_thread
from nereader.core.parse.common import text_of
from nereader.core.parse.topics import parse_topics
from tests.conftest import FETCHED_AT, fixture_text

SITE = "https://developer.apple.com/forums/"
_GAP = re.compile(r">(\s+)<")
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.S | re.I)

LISTINGS = [
    ("tag-networkextension-p1.html", SITE + "tags/networkextension"),
    ("tag-networkextension-p2.html", SITE + "tags/networkextension?page=2"),
    ("tag-networkextension-p11.html", SITE + "tags/networkextension?page=11"),
    ("tag-empty.html", None),
]
SEARCHES = [
    ("search-nefilterdataprovider-p1.html", None),
    ("search-nefilterdataprovider-p2.html", None),
    ("search-empty.html", None),
]
THREADS = [
    ("thread-707294.html", SITE + "thread/707294"),
    ("thread-821372-p1.html", SITE + "thread/821372"),
    ("thread-821372-p2.html", SITE + "thread/821372?page=2"),
    ("thread-828388.html", SITE + "thread/828388"),
    ("thread-830512-redesigned.html", SITE + "thread/830512"),
]


def minify(text: str, keep: Callable[[], bool] = lambda: False) -> str:
    """The page with the white space between tags taken out (where ``keep`` says no), as a
    minifier does; ``<pre>`` keeps its own."""
    parts = _PRE.split(text)
    return "".join(part if i % 2 else _GAP.sub(lambda m: m.group(0) if keep() else "><", part)
                   for i, part in enumerate(parts))


def uncounted(text: str) -> str:
    """The page with its count element renamed: the count is read from the header's text."""
    return text.replace('class="post-count"', 'class="toolbar-note"')


def _parse(name: str, text: str, url: str | None) -> Any:
    if name.startswith("tag-"):
        return parse_listing(text, url, FETCHED_AT)
    if name.startswith("search-"):
        return parse_search(text, url, FETCHED_AT)
    if name.startswith("topics"):
        return parse_topics(text, url, FETCHED_AT)
    return _comparable(parse_thread(text, url, FETCHED_AT))


def _comparable(thread: Any) -> Any:
    """A thread with its posts' bodies as their words: white space between inline elements
    of a post is the post's own text (``<a>x</a> <b>y</b>``), which a minifier changes."""
    def words(text: str) -> str:
        return "".join(text.split())

    posts = tuple(dataclasses.replace(p, body_html=words(p.body_html),
                                      body_markdown=words(p.body_markdown))
                  for p in thread.posts)
    return dataclasses.replace(thread, posts=posts)


@pytest.mark.parametrize(("name", "url"), LISTINGS + SEARCHES + THREADS
                         + [("topics.html", SITE + "topics")])
@pytest.mark.parametrize("renamed", [False, True], ids=["as-is", "count-renamed"])
def test_minified_page_parses_as_the_pretty_one(name: str, url: str | None,
                                                renamed: bool) -> None:
    text = fixture_text(name)
    if renamed:
        text = uncounted(text)
    assert minify(text) != text
    assert _parse(name, minify(text), url) == _parse(name, text, url)


@pytest.mark.parametrize(("name", "url"), LISTINGS + SEARCHES)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.differing_executors])
@given(seed=st.integers(0, 2**32 - 1), share=st.floats(0.0, 1.0))
def test_partly_minified_listing_keeps_its_count(name: str, url: str | None, seed: int,
                                                  share: float) -> None:
    """Any mix of gaps kept and taken out reads the same count and rows."""
    text = uncounted(fixture_text(name))
    pretty = _parse(name, text, url)
    rng = random.Random(seed)
    assert _parse(name, minify(text, lambda: rng.random() < share), url) == pretty


def test_count_renamed_is_still_read_from_the_text() -> None:
    """The renamed pages are no easier: their count is there to be read (or the tests above
    would compare two unknowns)."""
    page = parse_listing(uncounted(fixture_text("tag-networkextension-p1.html")), LISTINGS[0][1],
                         FETCHED_AT)
    assert (page.total_posts, page.total_pages) == (201, 11)


_ROW = re.search(r"<article.*?</article>", fixture_text("tag-networkextension-p1.html"),
                 re.S).group(0)  # type: ignore[union-attr]


@pytest.mark.parametrize("head", [
    "<h1>T</h1><p>201 Posts</p>",
    "<h1>T</h1><a href='/forums/tags/rssFeed/t'>RSS for tag</a><span>201 Posts</span>",
    "<h1>T</h1>\n<p>201 Posts</p>\n",
])
def test_touching_tags_keep_the_post_count(head: str) -> None:
    page = parse_listing(f"<html><body><main>{head}{_ROW}</main></body></html>")
    assert (page.total_posts, page.total_pages) == (201, 11)


def test_empty_tag_minified_is_empty_not_a_changed_layout() -> None:
    page = parse_listing("<html><body><main><h1>x</h1><p>0 Posts</p></main></body></html>")
    assert (page.total_posts, page.rows) == (0, ())


def test_minified_rows_without_a_count_still_refuse() -> None:
    """The separator does not invent a count: rows and no "N Posts" read as unknown."""
    page = parse_listing(f"<html><body><main><h1>T</h1><p>Posts</p>{_ROW}</main></body></html>")
    assert page.total_posts is None
    with pytest.raises(LayoutChangedError):
        parse_listing("<html><body><main><h1>x</h1><p>Posts</p></main></body></html>")


def _split_row(title: str, excerpt: str) -> str:
    """The first fixture row with its title and excerpt replaced (markup and all)."""
    row = re.sub(r'<span class="underline">.*?</span></a>',
                 f'<span class="underline">{title}</span></a>', _ROW, count=1, flags=re.S)
    return re.sub(r'<p class="excerpt">.*?</p>', f'<p class="excerpt">{excerpt}</p>', row,
                  count=1, flags=re.S)


def test_inline_tags_inside_a_word_keep_the_word_whole() -> None:
    """Inline elements part nothing: a title styled mid-word and an excerpt whose search
    match is highlighted mid-word ("Eo<mark>ns</mark>") read as the words they show."""
    row = _split_row("Local Pu<b>sh</b>-app<em>-push</em>-provider",
                     "Eo<mark>ns</mark> ago we were <a href='#'>appr</a><strong>oved</strong>")
    page = parse_listing(f"<html><body><main><h1>T</h1><p>201 Posts</p>{row}</main></body>"
                         "</html>")
    assert page.rows[0].title == "Local Push-app-push-provider"
    assert page.rows[0].excerpt.startswith("Eons ago we were approved")


@pytest.mark.parametrize(("html", "text"), [
    ("<h1>Network Ex<span>tension</span></h1>", "Network Extension"),
    ("<p>1,<b>234</b> Posts</p>", "1,234 Posts"),
    ("<p>a<code>b</code><small>c</small><sub>d</sub><sup>e</sup><abbr>f</abbr><time>g</time>"
     "<u>h</u><s>i</s><i>j</i></p>", "abcdefghij"),
    ("<div><h1>T</h1><p>201 Posts</p></div>", "T 201 Posts"),
    ("<ul><li>a</li><li>b</li></ul><table><tr><td>c</td><td>d</td></tr></table>", "a b c d"),
    ("<p>one<br>two</p><p>x<!-- note -->y<script>z()</script></p>", "one two xy"),
])
def test_text_parts_words_only_at_block_edges(html: str, text: str) -> None:
    tree = LexborHTMLParser(f"<html><body><section>{html}</section></body></html>")
    assert text_of(tree.css_first("section")) == text


def test_a_count_split_by_an_inline_tag_reads_whole() -> None:
    page = parse_listing(f"<html><body><main><h1>T</h1><p>1,<b>234</b> Posts</p>{_ROW}</main>"
                         "</body></html>")
    assert page.total_posts == 1234
