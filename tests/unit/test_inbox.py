"""The inbox and the sections, computed from the cache on the bundled forum: one row per thread
across the followed listings and the bookmarks, newest first, what is new in each, read on
opening; sections from the config file (checked, with the line and column of a bad query) and
added to it with the rest of the file kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from nereader.core.errors import UsageError
from nereader.core.export import inbox_json
from nereader.core.models import Inbox
from nereader.core.service import ForumService
from nereader.core.settings import ConfigError, Section, Settings
from nereader.core.urls import parse_listing_ref
from nereader.localforum import Site, SiteTransport
from tests.net.test_bookmarks_service import add_reply

NETEXT = "networkextension"
NETWORKING = "topics/app-and-system-services/app-and-system-services-networking"


@pytest.fixture
def site() -> Site:
    return Site.bundled()


@pytest.fixture
async def service(tmp_path: Path, site: Site) -> AsyncIterator[ForumService]:
    (tmp_path / "config").mkdir()
    settings = Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data",
                        config_dir=tmp_path / "config", min_gap=0.0)
    svc = ForumService(settings, transport=SiteTransport(site))
    yield svc
    await svc.aclose()


def config(service: ForumService) -> Path:
    return service.settings.config_file


def ids(inbox: Inbox) -> list[int]:
    return [item.row.id for item in inbox.items]


async def test_one_row_per_thread_across_listings_newest_first(service: ForumService) -> None:
    await service.follow([NETEXT, NETWORKING])  # the demo's Networking holds the same threads
    await service.open_thread(828388)
    inbox = await service.inbox()
    assert 828388 not in ids(inbox) and len(ids(inbox)) == len(set(ids(inbox))) == 19
    first = inbox.items[0]
    assert first.row.id == 829114 and first.unread and first.listings == (NETEXT, NETWORKING)
    assert inbox.where(first) == "Network Extension +1"
    when = [item.row.activity_at for item in inbox.items]
    assert when == sorted(when, reverse=True)  # type: ignore[type-var]
    item = inbox_json(first, inbox.names)
    assert (item["id"], item["listing"], item["unread"], item["new_replies"]) == (
        829114, NETEXT, True, 0)
    assert [x["key"] for x in item["listings"]] == [NETEXT, NETWORKING]
    assert "listings" not in inbox_json(replace(first, listings=(NETEXT,)), inbox.names)
    everything = await service.inbox(include_read=True)
    assert 828388 in ids(everything) and len(everything.items) == 20
    home = await service.home_view()
    assert (home.inbox.threads, home.inbox.unread) == (19, 19)
    assert [s.unread for s in home.listings] == [19, 19]  # each listing counts it too


async def test_new_replies_and_a_bookmarks_new_posts(service: ForumService,
                                                     site: Site) -> None:
    await service.follow([NETEXT])
    await service.bookmark(828388)  # seen as it is now
    await service.open_thread(828388)
    await service.open_thread(821372)  # read with its 36 replies
    rows = (await service.listing(parse_listing_ref(NETEXT)[0])).value.rows
    await service.mark_all_read([r for r in rows if r.id != 829114])
    assert ids(await service.inbox()) == [829114]
    add_reply(site)  # a reply to the bookmark, and the listing row of 821372 says 37
    page = site.routes["/forums/tags/networkextension"].body
    site.replace_body("/forums/tags/networkextension", page.replace(b">36<", b">37<"))
    await service.refresh_followed(force=True)
    inbox = await service.inbox()
    by_id = {item.row.id: item for item in inbox.items}
    assert set(by_id) == {829114, 828388, 821372}
    assert (by_id[821372].new_replies, by_id[821372].unread) == (1, False)
    assert (by_id[828388].new_posts, by_id[828388].bookmarked) == (1, True)
    home = await service.home_view()
    assert (home.inbox.new_replies, home.inbox.bookmarks_new) == (1, 1)
    await service.open_thread(828388)  # read: out of the inbox
    await service.mark_all_read([by_id[821372].row])  # marked read, as M does
    assert ids(await service.inbox()) == [829114]


async def test_a_bookmark_in_no_followed_listing(service: ForumService) -> None:
    await service.bookmark(828388)
    inbox = await service.inbox()
    assert ids(inbox) == [828388] and inbox.items[0].listings == ()
    assert inbox.where(inbox.items[0]) == "Bookmarks"
    assert inbox_json(inbox.items[0], inbox.names)["listing"] == "bookmarks"
    await service.follow([NETEXT, NETWORKING])  # now it is in followed listings' rows
    found = {item.row.id: item for item in (await service.inbox()).items}
    assert found[828388].listings == (NETEXT, NETWORKING) and found[828388].bookmarked


async def test_sections_over_the_inbox_and_over_a_listing(service: ForumService) -> None:
    await service.follow([NETEXT])
    await service.open_thread(828388)
    config(service).write_text(
        'follow = ["networkextension"]\n\n'
        '[[sections]]\nname = "Answered"\nquery = "is:answered sort:-replies"\n\n'
        '[[sections]]\nname = "Busy, read or not"\nlisting = "networkextension"\n'
        'query = "replies:>7"\n\n'
        '[[sections]]\nname = "Elsewhere"\nlisting = "storekit"\n')
    answered = await service.section("answered")  # the case of a name does not matter
    replies = [item.row.replies for item in answered.items]
    assert replies and replies == sorted(replies, reverse=True)  # type: ignore[type-var]
    assert all(item.row.answered and item.unread for item in answered.items)
    busy = await service.section("Busy, read or not")
    assert 828388 in ids(busy) and busy.listing == NETEXT  # read, still in the listing's rows
    assert all((item.row.replies or 0) > 7 for item in busy.items)
    elsewhere = await service.section("Elsewhere")
    assert elsewhere.items == () and "storekit is not in the cache" in elsewhere.note
    home = await service.home_view()
    assert [(s.name, s.threads) for s in home.sections] == [
        ("Answered", len(answered.items)), ("Busy, read or not", len(busy.items)),
        ("Elsewhere", 0)]
    assert home.sections[2].error == elsewhere.note
    with pytest.raises(UsageError, match=r"no section named 'nope'.*'Answered'"):
        await service.section("nope")


@pytest.mark.parametrize(("text", "message"), [
    ('[[sections]]\nname = "A"\nquery = "is:unanswerd"\n',
     "line 3: sections[1].query is not a filter query: bad filter at column 4: unknown "
     "is:unanswerd"),
    ('[[sections]]\nname = "A"\n\n[[sections]]\nname = "a"\nquery = "x"\n',
     "line 5: sections[2].name 'a' names two sections"),
    ('[[sections]]\nname = "A"\nwhere = "x"\n', "line 3: sections[1].where is not a key of a "
     "section"),
    ('[[sections]]\nquery = "x"\n', "line 1: sections[1] needs a name"),
    ('[[sections]]\nname = "A"\nlisting = "no such thing"\n', "line 3: sections[1].listing"),
    ('sections = "Staff"\n', "line 1: sections must be tables"),
])
async def test_a_bad_section_is_one_line_naming_its_line(service: ForumService, text: str,
                                                         message: str) -> None:
    config(service).write_text(text)
    with pytest.raises(ConfigError) as caught:
        await service.sections()
    assert message in str(caught.value) and "\n" not in str(caught.value)


async def test_a_section_is_added_to_the_file_as_it_is(service: ForumService) -> None:
    original = '# mine\nfollow = ["networkextension"]  # kept\n\n[keys]\n"app.quit" = "q"\n'
    config(service).write_text(original)
    await service.add_section(Section("Staff", "is:staff", NETEXT))
    await service.add_section(Section("Unanswered", "is:unanswered"))
    text = config(service).read_text()
    assert text.startswith(original)
    assert await service.sections() == [Section("Staff", "is:staff", NETEXT),
                                        Section("Unanswered", "is:unanswered")]
    with pytest.raises(ConfigError, match="'staff' names two sections"):
        await service.add_section(Section("staff", "x"))
    assert config(service).read_text() == text
