"""A hostile tester's pages: bot checks and JavaScript shells, the wrong page number, rows that
lost their links, odd digits and charsets, stray end tags. Inputs are built here from the
fixtures; the oracle for nesting is the HTML parser itself."""

from __future__ import annotations

import random
import re

import pytest
from selectolax.lexbor import LexborHTMLParser

from nereader.core.errors import ChallengeError, LayoutChangedError, ParseError, PastTheEnd
from nereader.core.loader import as_declared
from nereader.core.parse import common, parse_listing, parse_page, parse_search, parse_thread
from nereader.core.parse.guard import MAX_NESTING, charset, decode, nesting
from nereader.core.parse.markdown import to_markdown
from nereader.core.urls import thread_id_from_href
from tests.conftest import FETCHED_AT, FIXTURES, fixture_bytes, fixture_text

BASE = "https://developer.apple.com/forums"
TAG = f"{BASE}/tags/networkextension"
THREAD = f"{BASE}/thread/821372"

# -- 1. bot checks, interstitials and JavaScript shells never read as "0 threads" --------------
CLOUDFLARE = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    '<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" '
    'role="main"><div class="main-content"><h1 class="zone-name-title h1">developer.apple.com'
    '</h1><h2 id="challenge-running" class="h2">Verifying you are human. This may take a few '
    'seconds.</h2><div id="challenge-body-text" class="core-msg spacer">developer.apple.com '
    'needs to review the security of your connection before proceeding.</div></div></div>'
    "<script>(function(){window._cf_chl_opt={cvId: '3'};var cpo=document.createElement("
    "'script');cpo.src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=1';"
    "}());</script></body></html>")


def page(title: str, body: str, head: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head>"
            f"<body>{body}</body></html>")


CHALLENGES = {
    "cloudflare": CLOUDFLARE,
    "checking browser": page("developer.apple.com", "<h1>developer.apple.com</h1>"
                             "<p>Checking your browser before accessing the site.</p>"),
    "script only": page("developer.apple.com", "<h1>developer.apple.com</h1><p>One moment"
                        "</p><script src='/cdn-cgi/challenge-platform/scripts/x.js'></script>"),
    "captcha widget": page("Apple", "<h1>Apple</h1><form action='/verify'><div class="
                           "'g-recaptcha' data-sitekey='x'></div></form>"),
    "access denied": page("Access Denied", "<h1>Access Denied</h1><p>You don't have "
                          "permission to access this server. Reference #18.1</p>"),
    "turnstile": page("Apple", "<h1>Apple</h1><div class='cf-turnstile'></div>"),
    "noscript only": page("Apple Developer", "<noscript>Please enable JavaScript and cookies "
                          "to continue</noscript><script>location.reload()</script>"),
    "meta refresh": page("Apple Developer", "<h1>Apple Developer</h1><p>Redirecting</p>",
                         "<meta http-equiv='refresh' content='5'>"),
}


@pytest.mark.parametrize("name", sorted(CHALLENGES))
@pytest.mark.parametrize("parser", [parse_listing, parse_thread, parse_page])
def test_bot_checks_and_interstitials_are_challenges(name: str, parser: object) -> None:
    with pytest.raises(ChallengeError, match="bot check or interstitial"):
        parser(CHALLENGES[name], TAG if parser is parse_listing else THREAD,  # type: ignore[operator]
               FETCHED_AT)


def test_a_javascript_shell_is_a_layout_change() -> None:
    shell = page("Network Extension | Apple Developer Forums",
                 "<div id='app'></div><script src='/forums/app.js'></script>")
    with pytest.raises(LayoutChangedError, match="nothing without JavaScript"):
        parse_listing(shell, TAG, FETCHED_AT)


def _js_list() -> str:
    """Page 1 with its list wrappers emptied and no "N Posts": a list filled in by script."""
    text = fixture_text("tag-networkextension-p1.html")
    text = re.sub(r"<article\b.*?</article>", "", text, flags=re.DOTALL)
    text = re.sub(r'<span class="post-count">[^<]*</span>', "", text)
    return re.sub(r'<nav class="pagination".*?</nav>', "", text, flags=re.DOTALL)


def test_a_list_rendered_by_javascript_is_a_layout_change_not_an_empty_tag() -> None:
    with pytest.raises(LayoutChangedError, match="no rows, no thread links and no post count"):
        parse_listing(_js_list(), TAG, FETCHED_AT)


def test_an_empty_tag_is_recognised_by_its_count_or_its_words() -> None:
    empty = parse_listing(fixture_text("tag-empty.html"), f"{BASE}/tags/wi-fi-aware")
    assert empty.rows == () and empty.total_posts == 0
    said = _js_list().replace('<div class="content-list-wrapper desktop-view">',
                              '<div class="content-list-wrapper desktop-view"><p>No posts '
                              "yet.</p>")
    assert parse_listing(said, TAG, FETCHED_AT).rows == ()


@pytest.mark.parametrize("title", ["Captcha in WKWebView", "Access denied on keychain item",
                                   "Just a moment: checking your browser in a web view"])
def test_threads_and_rows_about_bot_checks_are_not_bot_checks(title: str) -> None:
    thread = fixture_text("thread-707294.html").replace("Network Extension Resources", title)
    assert parse_thread(thread, f"{BASE}/thread/707294", FETCHED_AT).title == title
    listing = fixture_text("tag-networkextension-p1.html").replace("Network Extension", title)
    assert len(parse_listing(listing, TAG, FETCHED_AT).rows) == 20


@pytest.mark.parametrize("path", sorted(p.name for p in FIXTURES.glob("*.html")))
def test_every_fixture_reads_as_it_did(path: str) -> None:
    """No false alarm on a real page: only the two non-content fixtures and the redesigned
    listing (a site that changed) raise; the redesigned thread reads as text only."""
    content = fixture_bytes(path)
    if path in ("challenge.html", "not-found.html", "tag-packet-tunnel-provider-redesigned.html"):
        with pytest.raises(ParseError):
            parse_page(content)
        return
    page = parse_page(content)
    assert getattr(page, "degraded", False) == ("redesigned" in path)


# -- 2. a page that is not the page asked for ---------------------------------------------------
def test_a_reply_page_served_as_another_page_is_refused() -> None:
    p1, p2 = fixture_text("thread-821372-p1.html"), fixture_text("thread-821372-p2.html")
    with pytest.raises(ParseError, match="served page 1 of thread 821372 when page 2"):
        parse_thread(p1, f"{THREAD}?page=2", FETCHED_AT)
    with pytest.raises(ParseError, match="served page 2 of thread 821372 when page 1"):
        parse_thread(p2, THREAD, FETCHED_AT)
    assert parse_thread(p2, f"{THREAD}?page=2", FETCHED_AT).page == 2
    assert parse_thread(p2, f"{THREAD}?answerId=821393022", FETCHED_AT).page == 2
    assert parse_thread(p2, None, FETCHED_AT).page == 2  # `nereader parse` without a URL


def test_a_page_without_pagination_is_the_only_page() -> None:
    """No pagination: one page, so page 2 is past the last page (1), not a layout change."""
    single = fixture_text("thread-707294.html")
    with pytest.raises(PastTheEnd, match="thread 707294 has no page 2: it has 1 page") as past:
        parse_thread(single, f"{BASE}/thread/707294?page=2", FETCHED_AT)
    assert past.value.total == 1 and past.value.exit_code == 6
    assert parse_thread(single, f"{BASE}/thread/707294", FETCHED_AT).page == 1
    one = re.sub(r'<nav class="pagination".*?</nav>', "",
                 fixture_text("search-nefilterdataprovider-p1.html"), flags=re.DOTALL)
    with pytest.raises(PastTheEnd, match="has no page 3: it has 1 page"):
        parse_search(one, f"{BASE}/search?q=NEFilterDataProvider&sortBy=relevance&page=3")


def test_the_last_page_served_for_a_page_past_it_says_how_many_there_are() -> None:
    """A site that answers ?page=12 with its last page (11): past the end, with the count."""
    last = fixture_text("tag-networkextension-p11.html")
    with pytest.raises(PastTheEnd, match="has no page 12: it has 11 pages") as past:
        parse_listing(last, f"{TAG}?page=12")
    assert past.value.total == 11
    # The last page as a span, not a link, leaves the links' highest number one short.
    bare = re.sub(r'data-current-page="11" data-total-pages="11"', "", last)
    bare = re.sub(r'<a[^>]*aria-current="page"[^>]*>11</a>',
                  '<span class="current" aria-current="page">11</span>', bare)
    assert common.pagination(LexborHTMLParser(bare).body)[0] == 11  # type: ignore[arg-type]
    with pytest.raises(PastTheEnd, match="it has 11 pages"):
        parse_listing(bare, f"{TAG}?page=12")


def test_listing_and_search_pages_are_checked_too() -> None:
    with pytest.raises(ParseError, match="served page 1 of listing networkextension"):
        parse_listing(fixture_text("tag-networkextension-p1.html"), f"{TAG}?page=3")
    assert parse_listing(fixture_text("tag-networkextension-p2.html"), f"{TAG}?page=2").page == 2
    with pytest.raises(ParseError, match=r"served page 1 of the search .NEFilterDataProvider. when page 2"):
        parse_search(fixture_text("search-nefilterdataprovider-p1.html"),
                     f"{BASE}/search?q=NEFilterDataProvider&sortBy=relevance&page=2")


# -- 4. rows that lost their title link -----------------------------------------------------------
def _without_links(keep: int) -> str:
    text = fixture_text("tag-networkextension-p1.html")
    desktop, _, mobile = text.partition('<div class="content-list-wrapper mobile-view">')
    seen = 0

    def unlink(m: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        if seen <= keep:
            return m.group(0)
        return "<span>" + re.sub(r"<[^>]*>", "", m.group(0)) + "</span>"  # no link left

    desktop = re.sub(r"<a [^>]*data-action=.post-title.[^>]*>.*?</a>", unlink, desktop,
                     flags=re.DOTALL)
    return desktop + '<div class="content-list-wrapper mobile-view">' + mobile


def test_rows_that_lost_their_title_links_are_a_layout_change() -> None:
    with pytest.raises(LayoutChangedError, match=r"19 of 20 rows cannot be read \(no title link"):
        parse_listing(_without_links(1), TAG, FETCHED_AT)


def test_one_odd_row_is_skipped() -> None:
    assert len(parse_listing(_without_links(19), TAG, FETCHED_AT).rows) == 19


# -- 5. odd digits and charsets ---------------------------------------------------------------------
def test_non_ascii_digits_in_ids_are_not_ids() -> None:
    listing = fixture_text("tag-networkextension-p1.html").replace('value="', 'value="²', 1)
    assert len(parse_listing(listing, TAG, FETCHED_AT).rows) == 20
    thread = fixture_text("thread-707294.html").replace('data-post-id="707294"',
                                                        'data-post-id="²"')
    assert parse_thread(thread, f"{BASE}/thread/707294", FETCHED_AT).id == 707294


@pytest.mark.parametrize("name", ["idna", "rot13", "punycode", "utf-7", "u16", "utf_16le",
                                  "U32", "utf_32", "UTF-16", "undefined", "hex", "nonsense"])
def test_only_real_text_encodings_are_taken_from_a_page(name: str) -> None:
    body = fixture_bytes("thread-707294.html").replace(b'charset="utf-8"', b"")
    body = re.sub(rb"<meta charset=[^>]*>", f'<meta charset="{name}">'.encode(), body)
    assert charset(body) == "utf-8"
    assert parse_page(body, f"{BASE}/thread/707294").id == 707294  # type: ignore[union-attr]


def test_a_header_charset_that_is_no_text_encoding_is_ignored() -> None:
    body = fixture_bytes("tag-networkextension-p1.html")
    for header in ("text/html; charset=idna", "text/html; charset=rot13",
                   "text/html; charset=undefined"):
        assert as_declared(body, header) == body
        assert decode(body, header.split("=")[1]).startswith("<!DOCTYPE")
    assert charset(b"<p>x</p>", "latin-1") == "iso8859-1"
    assert charset("<p>x</p>".encode("utf-16-le"), "utf-16-le") == "utf-16-le"


# -- 6. images stand apart from the text around them -------------------------------------------
def test_image_alt_text_does_not_run_into_the_next_text() -> None:
    html = ('<div><p><img src="javascript:alert(1)" alt="img]js"><img src="https://x.example/'
            'i.png" alt="pic">after</p><p>a<img alt="b">c</p></div>')
    md = to_markdown(LexborHTMLParser(html).css_first("div"), "https://developer.apple.com")
    assert "js [image: pic](https://x.example/i.png) after" in md
    assert "a b c" in md


# -- 3. nesting: an upper bound of what the parser builds --------------------------------------
def built_depth(html: str) -> int:
    """How deep lexbor nests the page (the oracle)."""
    tree = LexborHTMLParser(html)
    best, stack = 0, [(tree.root, 1)]
    while stack:
        node, depth = stack.pop()
        best = max(best, depth)
        child = node.child
        while child is not None:
            if child.is_element_node:
                stack.append((child, depth + 1))
            child = child.next
    return best


SHAPES = ["<div></i>", "<div></span>", "<div><b></div>", "<b><div></b>", "<table><td>",
          "<table><tr><td><div>", "<div><table></div>", "<a><div></a>", "<x><div></x>",
          "<ul><li>", "<svg><g>", "<b><i></b>", "<font><div></font>", "<p><div></p>",
          "<form><div></form>", "<dl><dt><div>", "<i><b><div></i>", "<svg><path d=x/>",
          "<svg><g title=' />'>", "<div><b class=c{i}></div>x", "<p><b class=c{i}></p>x",
          "<div><b class=c{i}></div><span>", "<div><span></div></span>", "<h1><div>",
          "<option><div>", "<tr><div>", "<math><mi><div>", "<li><div></li>"]


@pytest.mark.parametrize("shape", SHAPES)
def test_the_depth_estimate_is_never_below_what_lexbor_builds(shape: str) -> None:
    body = "".join(shape.replace("{i}", str(i)) for i in range(300))
    html = "<html><body>" + body + "</body></html>" + "<br>" * MAX_NESTING
    assert nesting(html) >= min(built_depth(html), MAX_NESTING + 1)


def test_stray_end_tags_no_longer_hide_the_depth(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused before lexbor spends minutes on it: the HTML parser is never handed the page."""
    handed: list[int] = []

    def parser(text: str) -> LexborHTMLParser:
        handed.append(len(text))
        raise AssertionError("lexbor was handed the hostile page")

    monkeypatch.setattr(common, "LexborHTMLParser", parser)
    hostile = "<html><body>" + "<div></i>" * 150_000 + "</body></html>"
    with pytest.raises(ParseError, match="nests elements"):
        parse_page(hostile, TAG)
    assert handed == []


@pytest.mark.parametrize("path", sorted(p.name for p in FIXTURES.glob("*.html")))
def test_real_pages_are_estimated_close_to_their_depth(path: str) -> None:
    text = fixture_text(path) + "<br>" * MAX_NESTING  # past the shortcut for small pages
    assert built_depth(text) <= nesting(text) <= built_depth(text) + 5


# -- fuzz: only ParseError leaves the parse entry points -------------------------------------
SNIPPETS = ["</i>", "<table>", 'value="²"', '<meta charset="idna">', 'data-current-page="x"',
            "<svg>", "<!--", "</div>", "<script>", '<a data-action="post-title" href="/forums/'
            'thread/²">', "&#8217;", "\x00", "Replies ²", "<nav class=pagination "
            "data-current-page=99999999999999999999>", "<section class='content-post question'>"]


@pytest.mark.parametrize("path", sorted(p.name for p in FIXTURES.glob("*.html")))
def test_mutated_fixtures_fail_only_with_parse_errors(path: str) -> None:
    original = fixture_text(path)
    rng = random.Random(path)
    for _ in range(12):
        text = original
        for _ in range(rng.randint(1, 4)):
            at, to = sorted(rng.randrange(len(text) + 1) for _ in range(2))
            how = rng.randrange(4)
            if how == 0:
                text = text[:at] + text[to:to + rng.randint(0, 400)] + text[to:]
            elif how == 1:
                text = text[:at] + rng.choice(SNIPPETS) + text[at:]
            elif how == 2:
                text = text[:at] + text[min(to, at + 2000):]
            else:
                text = text[:at] + text[at:to][::-1] + text[to:]
        for url in (None, TAG, f"{TAG}?page=2", THREAD, f"{THREAD}?page=2"):
            try:
                parse_page(text.encode("utf-8", "surrogatepass"), url, FETCHED_AT)
            except ParseError:
                pass


# -- a row's link to another host names no thread of this forum --------------------------------
@pytest.mark.parametrize("href", [
    "https://evil.example.com/forums/thread/999",
    "http://127.0.0.2/forums/thread/999",
    "//evil.example.com/forums/thread/999",
    "javascript:/forums/thread/999",
    "data:text/html,/forums/thread/999",
])
def test_a_foreign_row_link_does_not_override_the_rows_id(href: str) -> None:
    text = fixture_text("tag-networkextension-p1.html").replace(
        'href="/forums/thread/829114"', f'href="{href}"', 1)
    ids = [r.id for r in parse_listing(text, TAG, FETCHED_AT).rows]
    assert 829114 in ids and 999 not in ids


@pytest.mark.parametrize(("href", "base", "found"), [
    ("/forums/thread/7", "https://developer.apple.com", 7),
    ("forums/thread/7?page=2", "https://developer.apple.com", 7),
    ("https://developer.apple.com/forums/thread/7#3", "https://developer.apple.com", 7),
    ("http://forums.developer.apple.com/thread/7", "https://developer.apple.com", 7),
    ("http://127.0.0.1:8080/forums/thread/7", "http://127.0.0.1:8080", 7),
    ("http://127.0.0.1:9090/forums/thread/7", "http://127.0.0.1:8080", None),
    ("http://127.0.0.2/forums/thread/7", "https://developer.apple.com", None),
    ("javascript:/forums/thread/8", "https://developer.apple.com", None),
    ("javascript:/forums/thread/8", None, None),
    ("127.0.0.2/forums/thread/7", "https://developer.apple.com", None),
    ("/forums/thread/0", "https://developer.apple.com", None),
])
def test_thread_ids_come_only_from_the_forums_own_links(href: str, base: str | None,
                                                        found: int | None) -> None:
    assert thread_id_from_href(href, base) == found
