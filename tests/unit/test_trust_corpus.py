"""A generated fault-and-input corpus, one class of bug per section (issue 10): each hostile
input is built here, fed to the part that failed, and checked against what must hold."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser

from nereader.cli import main
from nereader.core.bookmarks import BookmarkStore, ReadState
from nereader.core.cache import CachedPage, PageCache, pack
from nereader.core.errors import ParseError, StorageError, UsageError
from nereader.core.export import markdown_export, post_links, thread_markdown
from nereader.core.loader import as_declared
from nereader.core.models import Bookmark, Thread, ThreadStats, ThreadSummary
from nereader.core.pages import reply_pages
from nereader.core.parse import parse_feed, parse_listing, parse_page, parse_thread
from nereader.core.settings import from_environment
from nereader.core.text import parse_activity
from nereader.core.urls import normalise_base, web_url
from nereader.localforum.render import Reply, Row, listing_page, thread_page
from tests.conftest import FETCHED_AT

URL = "https://developer.apple.com/forums/thread/700001"
ROW = Row(700001, "A thread", "excerpt", replies=1, tags=[("Network Extension", "ne")])
QUESTION = Reply(700001, "asker", "<p>question</p>", 1_780_000_000_000)


def page_with(body_html: str, title: str = "A thread") -> bytes:
    row = Row(ROW.id, title, ROW.excerpt, ROW.replies, tags=ROW.tags)
    reply = Reply(700001001, "replier", body_html, 1_780_000_100_000)
    return thread_page(row, QUESTION, [reply], 1, 1, 2)


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def no_traceback(err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err


# -- security: only web links are ever written as links ------------------------------------------
HOSTILE_HREFS = [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "java&#9;script:alert(1)",
    " javascript:alert(1)", "jav&#x0A;ascript:alert(1)", "java&#8203;script:alert(1)",
    "file:///etc/passwd", "smb://evil/share", "ssh://-oProxyCommand=calc/x",
    "x-man-page://ls", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)",
    "http://user:secret@evil.example/", "\x1b]8;;http://evil/\x07",
]
_TARGETS = re.compile(r"\]\(([^)\s]*)\)|<([a-zA-Z][\w+.-]*:[^>\s]*)>")


def link_targets(markdown: str) -> list[str]:
    return [a or b for a, b in _TARGETS.findall(markdown)]


@pytest.mark.parametrize("href", HOSTILE_HREFS)
def test_no_unsafe_link_leaves_the_parser_or_the_renderings(href: str) -> None:
    thread = parse_thread(page_with(f'<p><a href="{href}">click</a> and '
                                    f'<img src="{href}" alt="pic"></p>'), URL, FETCHED_AT)
    reply = thread.posts[1]
    assert "click" in reply.body_markdown  # the text stays, shown as text
    for markdown in (reply.body_markdown, thread_markdown(thread)):
        assert all(web_url(t) for t in link_targets(markdown)), markdown
        rendered = MarkdownIt("commonmark").render(markdown)
        hrefs = re.findall(r'(?:href|src)="([^"]*)"', rendered)
        assert all(web_url(h) for h in hrefs), rendered
    tree = LexborHTMLParser(reply.body_html)
    assert all(web_url(a.attributes.get("href")) for a in tree.css("[href]"))
    assert all(web_url(a.attributes.get("src")) for a in tree.css("[src]"))
    assert all(web_url(u) == u for _, u in post_links(reply))


def test_post_links_refuse_what_an_old_cached_body_holds() -> None:
    post = parse_thread(page_with("<p>x</p>"), URL, FETCHED_AT).posts[1]
    old = type(post)(**{**{f: getattr(post, f) for f in post.__slots__},  # type: ignore[attr-defined]
                        "body_html": '<a href="javascript:x">a</a><a href="https://ok.example/">b</a>'})
    assert post_links(old) == [("b", "https://ok.example/")]


# -- security: the Markdown export escapes what the site and the user wrote ---------------------
TITLES = ["x](javascript:alert(1)) [y", "<script>alert(1)</script>", "![img](file:///etc)",
          "`code` **bold** _it_", "# heading\n- item", "tab\there\x1b[2J\u202e"]
NOTES = ["line one\nline two", "cr\rnel\x85esc\x1b[31m", "sep\u2028par\u2029", 'quote " \\ end',
         "---\nkey: value", ""]


def unyaml(value: str) -> str:
    """The double-quoted YAML scalar the export writes, read back."""
    assert value.startswith('"') and value.endswith('"'), value
    table = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t", "e": "\x1b", "N": "\x85",
             "L": "\u2028", "P": "\u2029"}
    return re.sub(r'\\(x[0-9a-f]{2}|uFEFF|.)', lambda m: chr(int(m.group(1)[1:], 16))
                  if m.group(1)[0] in "xu" else table[m.group(1)], value[1:-1])


@pytest.mark.parametrize(("title", "note"), list(zip(TITLES, NOTES, strict=True)))
def test_markdown_export_is_inert_and_its_front_matter_holds(title: str, note: str) -> None:
    thread = parse_thread(page_with("<p>body</p>", title=title.replace("<", "&lt;")), URL,
                          FETCHED_AT)
    marks = [(Bookmark(thread.id, thread.title, thread.url, note=note, labels=("a b", "[x]")),
              thread),
             (Bookmark(5, title, "javascript:alert(1)", note=note), None)]
    files = markdown_export(marks)
    index = files.pop("index.md")
    assert len(index.rstrip("\n").split("\n")) == 2 + len(marks)  # one line per bookmark
    for text in (index, *files.values()):
        rendered = MarkdownIt("commonmark").render(text)
        assert "<script" not in rendered and "<img" not in rendered
        hrefs = re.findall(r'href="([^"]*)"', rendered)
        assert all(web_url(h) or h.endswith(".md") for h in hrefs), rendered
    (doc,) = files.values()
    head, _, rest = doc.partition("\n---\n")
    assert head.startswith("---\n") and rest.startswith("\n# ")
    front = dict(line.split(": ", 1) for line in head.split("\n")[1:])
    assert unyaml(front["note"]) == note and unyaml(front["title"]) == thread.title
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]", doc)


# -- security: terminal escapes from a user file or an import never reach the terminal ----------
ESCAPES = ["\x1b]52;c;aGVsbG8=\x07", "\x1b[2J\x1b[H", "\x1b]8;;http://evil/\x1b\\link", "\u202e",
           "\x9b31m", "\x07"]


def test_imported_text_is_cleaned_before_it_is_printed(tmp_path: Path) -> None:
    marks = [{"id": i + 1, "title": f"t{e}x", "note": f"n{e}", "labels": [f"l{e}"],
              "tags": [f"g{e}"]} for i, e in enumerate(ESCAPES)]
    export = tmp_path / "in.json"
    export.write_text(json.dumps({"version": 1, "bookmarks": marks}))
    data = ["--data-dir", str(tmp_path / "d"), "--cache-dir", str(tmp_path / "c"), "--offline"]
    assert cli("bookmarks", "import", str(export), *data)[0] == 0
    for extra in ((), ("--json",)):
        code, out, err = cli("bookmarks", "list", *extra, *data)
        assert code == 0 and len(out) > 0
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out + err)


@pytest.mark.parametrize("base", ["http://user:secret@127.0.0.1:9", "https://:secret@h.example",
                                  "http://secret@h.example/forums"])
def test_credentials_in_the_base_url_are_refused_and_never_shown(base: str,
                                                                 tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        normalise_base(base)
    assert "secret" not in str(caught.value)
    code, out, err = cli("list", "--base-url", base, "--cache-dir", str(tmp_path))
    assert code == 2 and "secret" not in out + err
    with pytest.raises(UsageError):
        from_environment({"NEREADER_BASE_URL": base})


# -- crashes: deep nesting, huge numbers, wrong shapes -------------------------------------------
NESTED = {
    "500 divs": "<div>" * 500 + "deep" + "</div>" * 500,
    "350 lists": "<ul><li>a" * 350 + "end" + "</li></ul>" * 350,
    "300 quotes": "<blockquote>q" * 300 + "</blockquote>" * 300,
    "900 inline": "<b><i>" * 450 + "x" + "</i></b>" * 450,
    "900 spans in code": "<pre>" + "<span>" * 900 + "c" + "</span>" * 900 + "</pre>",
}


@pytest.mark.parametrize("name", list(NESTED))
def test_deeply_nested_bodies_read_without_recursion(name: str) -> None:
    thread = parse_thread(page_with(NESTED[name]), URL, FETCHED_AT)
    reply = thread.posts[1]
    assert reply.body_markdown and reply.body_markdown.count("\n    ") < 200
    MarkdownIt("commonmark").render(reply.body_markdown)  # readable by a Markdown reader too


def test_a_page_nested_beyond_reason_is_refused_with_the_reason(tmp_path: Path) -> None:
    page = ("<html><body><main>" + "<div>" * 100_000 + "x" + "</div>" * 100_000
            + "</main></body></html>").encode()
    for parser in (parse_thread, parse_listing, parse_page):
        with pytest.raises(ParseError, match=r"nests elements 1001 deep or more"):
            parser(page)
    saved = tmp_path / "deep.html"
    saved.write_bytes(page)
    code, _, err = cli("parse", str(saved))
    assert code == 4 and "nests elements" in err and err.count("\n") == 1


def test_rss_descriptions_nested_deeply_are_bounded() -> None:
    items = "".join(
        f"<item><title>t{n}</title><link>https://developer.apple.com/forums/thread/{n}</link>"
        f"<description>{body}</description><pubDate>{date}</pubDate></item>"
        for n, (body, date) in enumerate([
            ("&lt;ul&gt;&lt;li&gt;" * 350 + "x", "Mon, 01 Jan 99999999999 00:00:00 GMT"),
            ("&lt;div&gt;" * 5000 + "y", "not a date"),
            ("&lt;p&gt;fine&lt;/p&gt;", "Mon, 01 Jun 2026 10:00:00 GMT")], 1))
    feed = parse_feed(f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
                      f"<link>https://developer.apple.com</link>{items}</channel></rss>")
    assert [i.published_at is not None for i in feed.items] == [False, False, True]
    assert "not shown" in feed.items[1].summary_markdown and feed.items[2].summary_markdown


@pytest.mark.parametrize("text", ["999999y", "999999 years ago", "999999w", "Jan 99999",
                                  "0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00"])
def test_absurd_dates_read_as_unknown(text: str) -> None:
    parse_activity(text, FETCHED_AT)  # no OverflowError
    rows = [Row(1, "t", "e", activity=text)]
    listing = parse_listing(listing_page("x", "X", "d", 1, 1, 1, rows), None, FETCHED_AT)
    assert listing.rows[0].id == 1


STATES: list[object] = [
    {"read": None}, {"read": []}, {"read": "x"}, {"read": {"1": None}},
    {"read": {"x": {"at": 5}}}, {"read": {"1": {"at": "x", "replies": "many"}}},
    {"visits": 5}, {"visits": {"tag": 7}}, [], "text", 5, None, {"read": {"1": [1, 2]}},
]


@pytest.mark.parametrize("state", STATES, ids=[json.dumps(s) for s in STATES])
def test_state_json_of_any_shape_never_crashes_and_keeps_what_it_held(state: object,
                                                                      tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    store = ReadState(tmp_path)
    row = ThreadSummary(1, "t", "u", replies=3)
    store.is_unread(row), store.has_new_activity(row)
    store.mark_read([(2, 1)])
    store.visit("tag")
    aside = list(tmp_path.glob("state.json.corrupt-*"))
    if aside:
        assert json.loads(aside[0].read_text()) == state and store.warnings
    else:
        kept = json.loads(path.read_text())
        for key in ("read", "visits"):
            for k, v in ((state or {}).get(key) or {}).items():  # type: ignore[union-attr]
                if k not in {"2", "tag"}:
                    assert kept[key][k] == v
    assert not ReadState(tmp_path).is_unread(ThreadSummary(2, "t", "u"))


@pytest.mark.parametrize("cut", [0, 1, 10, 17, 21, 40, 200, -1, -50])
def test_a_damaged_cache_value_is_a_miss_that_is_said(cut: int, tmp_path: Path) -> None:
    cache = PageCache(tmp_path)
    page = CachedPage(URL, 200, page_with("<p>x</p>"), None, None, FETCHED_AT, "thread")
    raw = pack(page)
    damaged = raw[:cut] if cut > 0 else raw[:cut] + b"\x00" if cut else b"garbage"
    cache._pages.set(URL, damaged)
    assert cache.get(URL) is None
    assert cache.warnings and "damaged" in cache.warnings[0]
    flipped = bytearray(raw)
    flipped[min(len(raw) - 1, abs(cut) * 7 % len(raw))] ^= 0x40
    cache._pages.set(URL, bytes(flipped))
    assert cache.get(URL) is None
    cache.close()


# -- imports are validated and rejected with the reason ------------------------------------------
IMPORTS = {
    "deep": ("[" * 100_000 + "]" * 100_000, "nests too deeply"),
    "infinity": ('{"version": 1, "bookmarks": [{"id": Infinity}]}', "Infinity"),
    "nan": ('{"version": 1, "bookmarks": [{"id": 1, "replies_seen": NaN}]}', "NaN"),
    "tags string": ('{"bookmarks": [{"id": 1, "tags": "ios"}]}', "tags should be a list"),
    "id true": ('{"bookmarks": [{"id": true}]}', "no usable id (true)"),
    "id 1.9": ('{"bookmarks": [{"id": 1.9}]}', "no usable id (1.9)"),
    "id huge": ('{"bookmarks": [{"id": 1e300}]}', "no usable id"),
    "duplicate": ('{"bookmarks": [{"id": 1}, {"id": 1}]}', "appears twice"),
    "future": ('{"version": 99, "bookmarks": []}', "version is 99"),
    "list": ("[1, 2]", "not a nereader bookmarks export"),
    "binary": ("\udcff", "not UTF-8"),
    "url scheme": ('{"bookmarks": [{"id": 1, "url": "javascript:x"}]}', "url should be"),
    "lone surrogate": ('{"bookmarks": [{"id": 1, "note": "x\\ud800y"}]}', "note should be"),
    "lone surrogate label": ('{"bookmarks": [{"id": 1, "labels": ["\\udfff"]}]}',
                             "labels should be"),
}


@pytest.mark.parametrize("name", list(IMPORTS))
def test_hostile_imports_are_rejected_with_the_reason(name: str, tmp_path: Path) -> None:
    text, reason = IMPORTS[name]
    export = tmp_path / "in.json"
    export.write_bytes(text.encode("utf-8", "surrogateescape"))
    data = ["--data-dir", str(tmp_path / "d"), "--cache-dir", str(tmp_path / "c")]
    code, _, err = cli("bookmarks", "import", str(export), *data)
    assert code == 2 and reason in err and err.count("\n") == 1, err
    no_traceback(err)
    assert not (tmp_path / "d" / "bookmarks.json").exists()  # nothing half-imported


# -- data loss -------------------------------------------------------------------------------------
def test_one_bad_field_never_costs_a_bookmark(tmp_path: Path) -> None:
    raw = [{"id": 1, "title": "Mine", "tags": 5, "note": "keep", "extra": {"mine": True}},
           {"id": "not a number", "title": "kept as is"}, {"id": 2, "title": "Two"}]
    (tmp_path / "bookmarks.json").write_text(json.dumps({"version": 1, "bookmarks": raw}))
    store = BookmarkStore(tmp_path)
    assert [(b.id, b.title, b.tags) for b in store.all()] == [(1, "Mine", ()), (2, "Two", ())]
    assert any("tags" in w for w in store.warnings) and any("usable id" in w for w in
                                                            store.warnings)
    store.update(1, note="changed")
    store.add(Bookmark(3, "Three", "https://x/3"))
    store.remove(2)
    kept = json.loads((tmp_path / "bookmarks.json").read_text())["bookmarks"]
    assert kept[0] == {**raw[0], "note": "changed"} and kept[1] == raw[1]
    assert [k.get("id") for k in kept] == [1, "not a number", 3]


def test_re_adding_never_replaces_a_title_with_a_placeholder(tmp_path: Path) -> None:
    store = BookmarkStore(tmp_path)
    assert store.add(Bookmark(9, "", "https://x/9")).title == "Thread 9"
    assert store.add(Bookmark(9, "The real title", "")).title == "The real title"
    for placeholder in ("", "Thread 9"):
        assert store.add(Bookmark(9, placeholder, "")).title == "The real title"


# -- hangs -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("claimed", "replies", "read"), [
    (1000, 36, 2), (2, 36, 2), (3, 36, 3), (50000, 0, 1), (1000, None, 25), (4, None, 4)])
def test_reply_pages_are_capped_by_the_reply_count(claimed: int, replies: int | None,
                                                   read: int) -> None:
    first = Thread(1, "t", URL, (), stats=ThreadStats(replies=replies), total_pages=claimed)
    assert reply_pages(first) == read


# -- wrong or missing messages ---------------------------------------------------------------------
def test_a_declared_charset_is_honoured() -> None:
    text = "Привет, мир"
    meta = page_with(f"<p>{text}</p>", title=text).replace(
        b'<meta charset="utf-8">', b'<meta charset="windows-1251">')
    thread = parse_thread(meta.decode().encode("cp1251"), URL, FETCHED_AT)
    assert thread.title == text and text in thread.posts[1].body_markdown
    bare = page_with(f"<p>{text}</p>", title=text).replace(b'<meta charset="utf-8">', b"")
    sent = bare.decode().encode("cp1251")
    stored = as_declared(sent, "text/html; charset=windows-1251")
    assert parse_thread(stored, URL, FETCHED_AT).title == text  # the header's word is kept
    assert as_declared(bare, "text/html; charset=utf-8") == bare


def test_a_thread_page_cut_in_half_says_truncated() -> None:
    whole = page_with("<p>" + "words " * 2000 + "</p>")
    for cut in (len(whole) // 2, len(whole) - 30, 3000):
        with pytest.raises(ParseError, match="truncated"):
            parse_thread(whole[:cut], URL, FETCHED_AT)


def test_reading_works_from_a_read_only_folder(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated (tests may run as root, who can write anywhere): every open for writing and
    every rename fails as on a read-only file system."""
    import errno
    import os

    BookmarkStore(tmp_path).add(Bookmark(1, "One", ""))
    (tmp_path / "state.json").write_text("{broken")
    real_open = os.open

    def read_only_open(path: object, flags: int, *args: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system")
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    def read_only_rename(*args: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "open", read_only_open)
    monkeypatch.setattr(os, "replace", read_only_rename)
    monkeypatch.setattr(os, "rename", read_only_rename)
    assert [b.id for b in BookmarkStore(tmp_path).all()] == [1]
    state = ReadState(tmp_path)
    assert state.is_unread(ThreadSummary(1, "t", "u"))  # unreadable, and left as it is
    assert any("reading without it" in w for w in state.warnings)
    with pytest.raises(StorageError, match="is on a read-only file system; remount it"):
        BookmarkStore(tmp_path).add(Bookmark(2, "Two", ""))
    with pytest.raises(StorageError, match="is on a read-only file system; remount it"):
        state.mark_read([(1, 0)])
    monkeypatch.undo()
    assert (tmp_path / "state.json").read_text() == "{broken"
