"""The topic tree: the embedded JSON as the site writes it, its drift, and the cards fallback."""

from __future__ import annotations

import json

import pytest

from nereader.core.errors import ChallengeError, LayoutChangedError, ParseError
from nereader.core.models import TopicTree
from nereader.core.parse import PageKind, detect_kind, parse_page, parse_topics
from tests.conftest import FETCHED_AT, fixture_bytes, fixture_text

URL = "https://developer.apple.com/forums/topics"
SITE = "https://developer.apple.com/forums/topics/"
# (title, slug, number of subtopics)
TREE = [("App & System Services", "app-and-system-services", 6),
        ("Code Signing", "code-signing", 3),
        ("Developer Tools & Services", "developer-tools-and-services", 2),
        ("Privacy & Security", "privacy-and-security", 1),
        ("Accessibility & Inclusion", "accessibility-and-inclusion", 1)]


def test_the_fixture_tree() -> None:
    tree = parse_topics(fixture_bytes("topics.html"), URL, FETCHED_AT)
    assert [(t.title, t.slug, len(t.children)) for t in tree.topics] == TREE
    first = tree.topics[0]
    assert first.url == SITE + "app-and-system-services"
    assert first.description == "Build apps that use Apple services and system frameworks."
    networking = first.children[0]
    assert (networking.title, networking.slug) == ("Networking",
                                                   "app-and-system-services-networking")
    assert networking.url == SITE + "app-and-system-services/app-and-system-services-networking"
    assert networking.description == "Networking in App & System Services."
    assert tree.topics[3].description == "Keep people's data safe."  # &#39; decoded
    assert first.children[4].title == "Processes & Concurrency"
    assert detect_kind(fixture_bytes("topics.html")) is PageKind.TOPICS
    assert isinstance(parse_page(fixture_bytes("topics.html"), URL), TopicTree)


def _with_script(body: str) -> str:
    html = fixture_text("topics.html")
    start = html.index('<script type="application/json" id="topics-data">')
    end = html.index("</script>", start) + len("</script>")
    return html[:start] + body + html[end:]


DATA = [{"id": 1, "title": "Graphics &amp; Games", "slug": "graphics-and-games",
         "url": "/forums/topics/graphics-and-games", "description": "Metal &amp; more",
         "children": [{"id": 2, "title": "Metal", "slug": "graphics-and-games-metal",
                       "url": "/forums/topics/graphics-and-games/graphics-and-games-metal",
                       "children": [{"title": "Deeper", "slug": "graphics-and-games-deep"}]}]}]


@pytest.mark.parametrize(
    ("template", "site_quotes"),
    [
        ('<script type="application/json" id="topics-data">{}</script>', False),  # plain JSON
        ('<script type="application/json" id="topics-data">{}</script>', True),  # \\&quot;
        ('<script id="topics-data">window.__topics = {};</script>', False),  # an assignment
        ('<script type="application/json" id="topics-data">{{"topics": {}}}</script>', False),
    ],
)
def test_json_drift(template: str, site_quotes: bool) -> None:
    raw = json.dumps(DATA)
    if site_quotes:
        raw = raw.replace('"', "\\&quot;")
    tree = parse_topics(_with_script(template.format(raw)), URL, FETCHED_AT)
    topic = tree.topics[0]
    assert (topic.title, topic.slug, topic.description) == ("Graphics & Games",
                                                            "graphics-and-games", "Metal & more")
    # the third level is kept under the topic: the site's URLs have two
    assert [c.slug for c in topic.children] == ["graphics-and-games-metal",
                                                "graphics-and-games-deep"]
    assert topic.children[1].url == SITE + "graphics-and-games/graphics-and-games-deep"


def test_quotes_written_as_entities() -> None:
    raw = json.dumps(DATA).replace('"', "&quot;")
    tree = parse_topics(_with_script(
        f'<script type="application/json" id="topics-data">{raw}</script>'), URL, FETCHED_AT)
    assert tree.topics[0].title == "Graphics & Games"


def test_no_script_reads_the_cards() -> None:
    tree = parse_topics(_with_script(""), URL, FETCHED_AT)
    assert [(t.title, t.slug) for t in tree.topics] == [(t, s) for t, s, _ in TREE]
    assert tree.topics[3].description == "Keep people's data safe."
    assert all(t.children == () for t in tree.topics)  # unknown, not invented


def test_an_unreadable_script_is_a_layout_change() -> None:
    with pytest.raises(LayoutChangedError, match="topics-data"):
        parse_topics(_with_script('<script id="topics-data">[{"title": </script>'), URL)


def test_a_script_without_topics_is_a_layout_change() -> None:
    with pytest.raises(LayoutChangedError, match="no topic"):
        parse_topics(_with_script('<script id="topics-data">[{"id": 3}]</script>'), URL)


def test_no_script_and_no_cards_is_a_layout_change() -> None:
    html = _with_script("")
    start = html.index('<ul class="topic-cards">')
    end = html.index("</ul>", start) + 5
    with pytest.raises(LayoutChangedError):
        parse_topics(html[:start] + html[end:], URL)


@pytest.mark.parametrize(("name", "error"), [("challenge.html", ChallengeError),
                                             ("tag-empty.html", ParseError)])
def test_other_pages(name: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_topics(fixture_bytes(name), URL)


def test_truncated_is_refused() -> None:
    data = fixture_bytes("topics.html")
    with pytest.raises(ParseError):
        parse_topics(data[: len(data) // 2], URL)
