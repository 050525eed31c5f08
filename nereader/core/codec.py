"""Models as plain JSON data and back: how parse results are stored in the cache (no pickle).

A dataclass is written as the list of its field values in field order, a ``Tag`` as
``[name, slug]``, a datetime as ISO text and an enum as its value. Decoders are built once per
class from the type hints, so reading a stored listing costs a ``json.loads`` and a few
constructor calls. Anything that does not fit the shape raises ``ValueError``: the caller then
parses the page again instead of trusting it.
"""

from __future__ import annotations

import dataclasses
import json
import types
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from functools import cache
from operator import attrgetter
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from nereader import __version__
from nereader.core.models import (
    MODEL_SCHEMA,
    PARSER_VERSION,
    Feed,
    ListingPage,
    SearchResults,
    Thread,
    ThreadSummary,
    TopicTree,
)

T = TypeVar("T")
# What made a stored model: the parser (nereader's version and PARSER_VERSION), then the
# model schema. A model of this schema made by another parser still reads, but is made again
# from the stored body on first use; one of another schema does not read at all. (The search
# index tags the list rows it keeps the same way.)
MODEL_TAG = f"{__version__}+p{PARSER_VERSION}/{MODEL_SCHEMA}"
# "row": a whole thread as a list row, as the search index keeps it.
MODELS: dict[str, type[Any]] = {"listing": ListingPage, "thread": Thread, "feed": Feed,
                                "search": SearchResults, "topics": TopicTree,
                                "row": ThreadSummary}


def dump(value: Any) -> bytes:
    """A model as compact UTF-8 JSON."""
    encode: Callable[[Any], Any] = _encoder(type(value))  # type: ignore[arg-type]
    return json.dumps(encode(value), ensure_ascii=False, separators=(",", ":")).encode()


def load(kind: str, data: bytes) -> Any:
    """The model of ``kind`` ("listing", "thread", "feed") stored by :func:`dump`."""
    cls = MODELS.get(kind)
    if cls is None:
        raise ValueError(f"no stored model of kind {kind!r}")
    try:
        decode: Callable[[Any], Any] = _decoder(cls)  # type: ignore[arg-type]
        return decode(json.loads(data))
    except (TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        raise ValueError(f"stored {kind} does not fit the model: {exc}") from exc


def load_many(kind: str, datas: list[str]) -> list[Any]:
    """Many stored models of one kind, read in one JSON pass; one that does not fit the
    model is None (a broken one does not cost the others)."""
    cls = MODELS.get(kind)
    if cls is None:
        raise ValueError(f"no stored model of kind {kind!r}")
    decode: Callable[[Any], Any] = _decoder(cls)  # type: ignore[arg-type]
    try:
        values = json.loads("[" + ",".join(datas) + "]")
    except (ValueError, RecursionError):  # one of them is not JSON: each on its own
        values = [_json_or_none(data) for data in datas]
    if len(values) != len(datas):
        values = [_json_or_none(data) for data in datas]
    out = []
    for value in values:
        try:
            out.append(decode(value))
        except (TypeError, KeyError, IndexError, AttributeError, ValueError, RecursionError):
            out.append(None)
    return out


def _json_or_none(data: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


@cache
def _encoder(tp: Any) -> Callable[[Any], Any]:
    """How to write a value of type ``tp`` as JSON data (built once per type)."""
    origin, args = get_origin(tp), get_args(tp)
    if tp in (int, str, bool, float, Any):
        return _same
    if tp is datetime:
        return datetime.isoformat
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"cannot store the union {tp}")
        one = _encoder(inner[0])
        return lambda v: None if v is None else one(v)
    if origin is tuple:
        item = _encoder(args[0])
        if item is _same:
            return list
        return lambda v: [item(x) for x in v]
    if isinstance(tp, type) and issubclass(tp, Enum):
        return lambda v: v.value
    if isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields"):
        return list
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = get_type_hints(tp)
        names = [f.name for f in dataclasses.fields(tp)]
        parts = [_encoder(hints[name]) for name in names]
        get = attrgetter(*names)
        if all(part is _same for part in parts):
            return lambda v: list(get(v))
        return lambda v: [part(x) for part, x in zip(parts, get(v), strict=True)]
    raise TypeError(f"cannot store a {tp} in the cache")


def _same(value: Any) -> Any:
    return value


def _scalar(kind: type[Any]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if type(value) is kind or (kind is float and type(value) is int):
            return value
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")

    return check


def _datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("expected an ISO date-time")
    return datetime.fromisoformat(value)


@cache
def _decoder(tp: Any) -> Callable[[Any], Any]:
    origin, args = get_origin(tp), get_args(tp)
    if tp is datetime:
        return _datetime
    if tp in (int, str, bool, float):
        return _scalar(tp)
    if tp is Any:
        return _same
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"cannot decode the union {tp}")
        one = _decoder(inner[0])
        return lambda v: None if v is None else one(v)
    if origin is tuple:
        item = _decoder(args[0])
        return lambda v: tuple(item(x) for x in v)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp
    if isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields"):
        hints = get_type_hints(tp)
        parts = [_decoder(hints[name]) for name in tp._fields]
        return _record(tp, parts)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = get_type_hints(tp)
        parts = [_decoder(hints[f.name]) for f in dataclasses.fields(tp)]
        return _record(tp, parts)
    raise TypeError(f"cannot decode {tp}")


def _record(cls: Callable[..., T], parts: list[Callable[[Any], Any]]) -> Callable[[Any], T]:
    def build(value: Any) -> T:
        if not isinstance(value, list) or len(value) != len(parts):
            raise TypeError(f"expected {len(parts)} fields")
        return cls(*[part(v) for part, v in zip(parts, value, strict=True)])

    return build
