"""Thread pages: posts, markers, comments, reply pages, and pages that are not threads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from nereader.core.errors import ChallengeError, ErrorPageError, NotAThreadError, ParseError
from nereader.core.models import Post, PostKind, Structure, Tag, Thread
from nereader.core.parse import merge_thread_pages, parse_thread
from tests.conftest import FETCHED_AT, fixture_text

BASE = "https://developer.apple.com/forums/thread/"



def accepted_post(thread: Thread) -> Post | None:
    return next((p for p in thread.posts if p.accepted), None)

def test_828388_accepted_staff_answer_with_code_and_comment() -> None:
    t = parse_thread(fixture_text("thread-828388.html"), BASE + "828388", FETCHED_AT)
    assert t.id == 828388 and t.title.startswith("NEFilterDataProvider activation")
    assert t.tags == (Tag("Network Extension", "networkextension"), Tag("iOS", "ios"))
    assert t.topic == Tag("App & System Services", "app-and-system-services")
    assert not t.locked
    assert (t.stats.replies, t.stats.boosts, t.stats.views, t.stats.participants) == (8, 0, 416, 4)
    kinds = [p.kind for p in t.posts]
    assert kinds.count(PostKind.QUESTION) == 1 and kinds.count(PostKind.COMMENT) == 1
    assert kinds.count(PostKind.ANSWER) == 8
    q = t.posts[0]
    assert q.kind is PostKind.QUESTION and q.author.name == "gamblock_app"
    assert q.created_at == datetime(2026, 6, 9, 15, 0, tzinfo=UTC)
    accepted = accepted_post(t)
    assert accepted is not None and accepted.id == 828389022 == t.accepted_answer_id
    assert accepted.apple_staff and accepted.role == "DTS Engineer"
    assert accepted.author.url == "https://developer.apple.com/forums/profile/DTS%20Engineer"
    assert "```\nlet manager = NEURLFilterManager.shared\n" in accepted.body_markdown
    assert "<pre><code>let manager" in accepted.body_html
    comment = next(p for p in t.posts if p.kind is PostKind.COMMENT)
    assert comment.parent_id == 828389022 and comment.author.name == "gamblock_app"
    assert not comment.apple_staff and not comment.accepted
    assert "`NEURLFilterManager`" in comment.body_markdown
    # the comment comes right after its reply
    ids = [p.id for p in t.posts]
    assert ids.index(828389023) == ids.index(828389022) + 1
    assert sum(p.accepted for p in t.posts) == 1
    assert [p.boosts for p in t.posts[:3]] == [0, 2, 2]


def test_707294_locked_staff_recommended() -> None:
    t = parse_thread(fixture_text("thread-707294.html"), BASE + "707294", FETCHED_AT)
    assert t.locked and len(t.posts) == 1
    q = t.posts[0]
    assert q.apple_staff and q.apple_recommended and q.role == "DTS Engineer"
    assert t.stats.views == 3300 and t.accepted_answer_id is None
    assert t.stats.views_text == "3.3k"  # as the site wrote it: it gave no more precision


def test_821372_both_reply_pages() -> None:
    p1 = parse_thread(fixture_text("thread-821372-p1.html"), BASE + "821372", FETCHED_AT)
    p2 = parse_thread(fixture_text("thread-821372-p2.html"), BASE + "821372?page=2", FETCHED_AT)
    assert (p1.page, p1.total_pages, p2.page, p2.total_pages) == (1, 2, 2, 2)
    whole = merge_thread_pages([p2, p1])
    replies = [p for p in whole.posts if p.kind is not PostKind.QUESTION]
    assert len(replies) == 36 == whole.stats.replies
    assert whole.posts[0].kind is PostKind.QUESTION
    assert len({p.id for p in whole.posts}) == len(whole.posts)
    created = [p.created_at for p in replies]
    assert created == sorted(created)  # type: ignore[type-var]
    assert any(p.apple_staff for p in replies) and whole.has_staff_reply
    assert "```\npanic(cpu 0 caller" in whole.posts[0].body_markdown


def test_accepted_markers_all_variants() -> None:
    html = fixture_text("thread-828388.html")
    html = html.replace('<div class="top-answer-badge solved">Accepted Answer</div>', "")
    html = html.replace('<div class="answered-by">', '<div class="x">')
    assert accepted_post(parse_thread(html)) is None
    for marker in ('data-solved="true" ', 'data-x="1" class="accepted-answer" '):
        variant = html.replace('id="828390022" ', f'id="828390022" {marker}', 1)
        if "accepted-answer" in marker:
            variant = variant.replace('class="content-post answer" id="828390022"', 'id="828390022"')
        t = parse_thread(variant)
        post = accepted_post(t)
        assert post is not None and post.id == 828390022, marker
    answered_by = html.replace(
        '<div class="x">Answered by <a href="/forums/thread/828388?answerId=828389022',
        '<div class="answered-by">Answered by <a href="/forums/thread/828388?answerId=828391022',
    )
    t = parse_thread(answered_by)
    assert t.accepted_answer_id == 828391022 and accepted_post(t) is not None


def test_recommended_variants() -> None:
    html = fixture_text("thread-707294.html").replace(
        '<div class="apple-recommended-badge">Apple Recommended</div>', ""
    )
    assert not parse_thread(html).posts[0].apple_recommended
    for marker in ('<span class="apple-recommended">AR</span>',):
        variant = html.replace('<div class="post-header">', marker + '<div class="post-header">', 1)
        assert parse_thread(variant).posts[0].apple_recommended
    variant = html.replace('data-post-type="QUESTION"', 'data-post-type="QUESTION" data-recommended="true"')
    assert parse_thread(variant).posts[0].apple_recommended


def test_missing_optional_fields() -> None:
    html = fixture_text("thread-828388.html")
    for cls in ("author-role", "content-post-metadata", "post-info", "thread-tags", "boost-button"):
        html = html.replace(f'class="{cls}', f'class="gone-{cls}')
    html = html.replace("data-timestamp=", "data-ts=").replace("data-authorname=", "data-an=")
    t = parse_thread(html)
    assert t.stats.replies is None
    assert all(p.role is None for p in t.posts)
    # dates fall back to the title of .post-date, names to the author link
    assert t.posts[0].created_at == datetime(2026, 6, 9, 15, 0, tzinfo=UTC)
    assert t.posts[0].author.name == "gamblock_app"


@pytest.mark.parametrize(
    ("name", "error"),
    [("challenge.html", ChallengeError), ("not-found.html", ErrorPageError)],
)
def test_not_thread_pages(name: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_thread(fixture_text(name), BASE + "777001")


def test_a_thread_page_without_its_question_is_read_as_text() -> None:
    """The post structure is gone but the page has the thread's text: that text, as one post,
    marked so (never silently); too little text is no thread at all."""
    html = fixture_text("thread-828388.html").replace("content-post question", "content-post q")
    html = html.replace('data-post-type="QUESTION"', 'data-post-type="Q"')
    thread = parse_thread(html, BASE + "828388")
    assert thread.structure is Structure.TEXT_ONLY and thread.degraded and thread.notice
    assert thread.id == 828388 and len(thread.posts) == 1
    assert "Content filters on iOS are only supported" in thread.posts[0].body_markdown
    assert thread.stats.replies is None and thread.total_pages == 1
    bare = ('<html><head><link rel="canonical" href="https://developer.apple.com/forums/thread/'
            '828388"></head><body><main><h1>A title</h1><p>Too short.</p></main></body></html>')
    with pytest.raises(NotAThreadError, match="question section"):
        parse_thread(bare)
    with pytest.raises(NotAThreadError):  # a later reply page never stands for the thread
        parse_thread(html, BASE + "828388?page=2")


def test_listing_page_is_not_a_thread() -> None:
    with pytest.raises(NotAThreadError):
        parse_thread(fixture_text("tag-networkextension-p1.html"))


def test_truncated_thread() -> None:
    html = fixture_text("thread-821372-p1.html")
    with pytest.raises(ParseError, match="truncated"):
        parse_thread(html[: int(len(html) * 0.7)])


def test_hostile_text_is_cleaned_at_the_boundary() -> None:
    html = fixture_text("thread-828388.html").replace(
        "Any update on this?", "Any \x1b[31mupdate\x1b[0m\x07 on \x1b]8;;http://evil\x1b\\this\x9b2J?"
    )
    t = parse_thread(html.replace("gamblock_app", "gamb\x1b[2Klock_app"))
    last = t.posts[-1]
    assert "Any update on this?" in last.body_markdown
    assert not any(ch in last.body_markdown + last.body_html for ch in "\x1b\x07\x9b")
    assert t.posts[0].author.name == "gamblock_app"


@pytest.mark.parametrize(("cell", "expected"), [
    ('<span class="post-info-title">Replies</span> 36', 36),
    ('<span class="post-info-title">Replies:</span> <b>36</b>', 36),
    ("36 replies", 36),
    ('<span class="label">Replies</span><span class="value">1.2k</span>', 1200),
    ('<span class="post-info-title">Replies</span> many', None),  # unknown, never 0
    ('<span class="post-info-title">Replies</span>', None),
])
def test_thread_stats_read_the_number_or_nothing(cell: str, expected: int | None) -> None:
    html = fixture_text("thread-821372-p1.html").replace(
        '<span class="post-info-title">Replies</span> 36', cell, 1)
    stats = parse_thread(html).stats
    assert stats.replies == expected and stats.views == 4000 and stats.participants == 14
    assert stats.views_text == "4k" and "4k views" in stats.counts()


def _whole() -> str:
    return fixture_text("thread-821372-p1.html")


@pytest.mark.parametrize("edit", [
    pytest.param(lambda h: h.replace("</html>", ""), id="no-closing-html"),
    pytest.param(lambda h: h.replace("</body>", "").replace("</html>", ""),
                 id="no-closing-body-or-html"),
    pytest.param(lambda h: h + "<!-- " + "x" * 5000 + " -->\n", id="5kb-comment-after-html"),
    pytest.param(lambda h: h + "<script>" + "var a=1;\n" * 800 + "</script>",
                 id="analytics-script-after-html"),
    pytest.param(lambda h: h.replace("</html>", "</HTML >"), id="spaced-upper-tag"),
])
def test_a_whole_page_in_any_legal_shape_is_not_called_truncated(edit: Callable[[str], str]) -> None:
    html = edit(_whole())
    assert parse_thread(html, None, FETCHED_AT).posts


@pytest.mark.parametrize("cut", [0.3, 0.7, 0.95])
def test_a_page_cut_off_is_still_truncated(cut: float) -> None:
    html = _whole().replace("</body>", "").replace("</html>", "")
    with pytest.raises(ParseError, match="truncated"):
        parse_thread(html[: int(len(html) * cut)], None, FETCHED_AT)
