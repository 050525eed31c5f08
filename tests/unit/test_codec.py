"""The codec's compiled decoders: every kind of stored model reads back as it was written, and
anything of another shape is refused as the field-by-field decoders refused it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from nereader.core import codec
from nereader.core.models import (
    Author,
    ListingKind,
    ListingPage,
    Post,
    PostKind,
    RowSource,
    Tag,
    Thread,
    ThreadStats,
    ThreadSummary,
)

WHEN = datetime(2026, 6, 12, 12, 0, tzinfo=UTC)
ROW = ThreadSummary(7, "A title", "https://example.com/7", "excerpt", None, 2, 30, "30", "4m",
                    WHEN, Tag("Networking", "net"), None, (Tag("iOS", "ios"),), True, False,
                    "quinn", RowSource.FEED)
PAGE = ListingPage(ListingKind.TOPIC, "net", "Networking", "", None, 2, 9, "replies", "DESC",
                   None, WHEN, (ROW, ROW), RowSource.PAGE, "a notice")
THREAD = Thread(7, "A title", "https://example.com/7", (
    Post(7, PostKind.QUESTION, Author("quinn", None), "<p>hi</p>", "hi", created_at=WHEN),
    Post(8, PostKind.COMMENT, Author("eskimo", "https://x"), "", "", parent_id=7,
         apple_staff=True, role="DTS", accepted=True, boosts=3)),
    tags=(Tag("iOS", "ios"),), stats=ThreadStats(replies=1, views=9), fetched_at=WHEN)


@pytest.mark.parametrize(("kind", "model"), [("listing", PAGE), ("thread", THREAD)])
def test_a_model_reads_back_as_it_was_written(kind: str, model: object) -> None:
    assert codec.load(kind, codec.dump(model)) == model


def bad_row(index: int, value: object) -> bytes:
    data = json.loads(codec.dump(PAGE))
    data[11][0][index] = value
    return json.dumps(data).encode()


@pytest.mark.parametrize(("index", "value"), [
    (0, "7"),  # an id that is text
    (0, True),  # a bool is no int
    (1, None),  # a title that is not optional
    (4, 2.5),  # a count that is a float
    (9, 12),  # a time that is no ISO text
    (12, [["iOS"]]),  # a tag of one field
    (13, "yes"),
    (16, "newspaper"),  # no such row source
    (16, ["page"]),  # nor a list
])
def test_a_field_of_another_shape_is_refused(index: int, value: object) -> None:
    with pytest.raises(ValueError):
        codec.load("listing", bad_row(index, value))


def test_a_record_of_another_length_is_refused() -> None:
    data = json.loads(codec.dump(PAGE))
    data[11][1] = data[11][1][:-1]
    with pytest.raises(ValueError, match="expected 17 fields"):
        codec.load("listing", json.dumps(data).encode())
    assert codec.load_many("listing", [codec.dump(PAGE).decode(), json.dumps(data)]) == [
        PAGE, None]
