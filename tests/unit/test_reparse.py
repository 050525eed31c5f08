"""Re-parsing from the cache: a result stored by another parser is made again from the stored
body on first use, with no request, keeping the page's fetch time and validators; a body that
no longer parses keeps the older result while it reads, and is no copy when it does not."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from nereader.core import parsers
from nereader.core.cache import MODEL_TAG, CachedPage, PageCache
from nereader.core.errors import OfflineError
from nereader.core.loader import Loader
from nereader.core.models import MODEL_SCHEMA, ServiceEvent, Structure, Thread
from nereader.core.parse import parse_thread
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from tests.conftest import FETCHED_AT, fixture_bytes

URL = "https://developer.apple.com/forums/thread/828388"
BODY = fixture_bytes("thread-828388.html")
OLDER = f"0.0.9+p0/{MODEL_SCHEMA}"  # an older nereader's parser, models of this shape
OTHER_SHAPE = f"0.0.9+p0/{MODEL_SCHEMA - 1}"
YEAR = 365 * 86400.0


def offline(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data", offline=True)


def store(settings: Settings, body: bytes, model: Thread | None, tag: str) -> None:
    cache = PageCache(settings.cache_dir)
    cache.put(CachedPage(URL, 200, body, '"v1"', "Fri, 12 Jun 2026 12:00:00 GMT", FETCHED_AT,
                         "thread", model, model_tag=tag))
    cache.close()


async def load(settings: Settings) -> tuple[Thread, Loader]:
    events: list[ServiceEvent] = []
    loader = Loader(settings, events.append)
    result = await loader.load(URL, "thread", parsers.thread, YEAR)
    assert await loader.fetcher() is None  # offline: no request was possible, none was needed
    return result.value, loader


async def test_an_older_parsers_result_is_made_again_from_the_stored_body(
        tmp_path: Path) -> None:
    settings = offline(tmp_path)
    good = parse_thread(BODY, URL, FETCHED_AT)
    store(settings, BODY, replace(good, title="what an older parser read"), OLDER)
    thread, loader = await load(settings)
    assert thread.title == good.title  # read again, by this parser
    stored = loader.cache.get(URL)
    assert stored is not None and stored.parsed_here and stored.model.title == good.title
    assert (stored.etag, stored.last_modified, stored.fetched_at) == (
        '"v1"', "Fri, 12 Jun 2026 12:00:00 GMT", FETCHED_AT)
    await loader.aclose()


async def test_a_parser_fix_reaches_a_thread_cached_as_text_at_once(tmp_path: Path) -> None:
    """An older nereader could read only the page's text; this one reads its posts, offline."""
    settings = offline(tmp_path)
    text_only = replace(parse_thread(BODY, URL, FETCHED_AT), structure=Structure.TEXT_ONLY,
                        notice="not recognised")
    store(settings, BODY, text_only, OLDER)
    service = ForumService(settings)
    try:
        result = await service.thread(828388)
    finally:
        await service.aclose()
    assert result.value.structure is Structure.POSTS and len(result.value.posts) > 1


async def test_a_body_that_no_longer_parses_keeps_the_older_result(tmp_path: Path) -> None:
    settings = offline(tmp_path)
    older = replace(parse_thread(BODY, URL, FETCHED_AT), title="an older reading")
    store(settings, b"<html><body>garbled", older, OLDER)
    thread, loader = await load(settings)
    assert thread.title == "an older reading"
    await loader.aclose()


async def test_a_whole_older_reading_beats_a_text_only_one(tmp_path: Path) -> None:
    settings = offline(tmp_path)
    older = parse_thread(BODY, URL, FETCHED_AT)
    redesigned = fixture_bytes("thread-830512-redesigned.html").replace(b"830512", b"828388")
    store(settings, redesigned, older, OLDER)
    thread, loader = await load(settings)
    assert thread.structure is Structure.POSTS and thread.title == older.title
    await loader.aclose()


async def test_a_result_of_another_shape_that_no_longer_parses_is_no_copy(
        tmp_path: Path) -> None:
    settings = offline(tmp_path)
    store(settings, b"<html><body>garbled", parse_thread(BODY, URL, FETCHED_AT), OTHER_SHAPE)
    with pytest.raises(OfflineError, match="no longer reads"):
        await load(settings)


def test_the_tag_names_the_parser_and_the_schema() -> None:
    parser, _, schema = MODEL_TAG.rpartition("/")
    assert schema == str(MODEL_SCHEMA) and "+p" in parser
