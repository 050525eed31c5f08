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
    """How to read a value of type ``tp`` back (built once per type). A record (a dataclass,
    a NamedTuple) gets a function of its own, written out as source and compiled, as
    ``dataclasses`` writes ``__init__``: a stored listing is a few thousand fields, and a
    call per field was most of the time spent reading the inbox from the cache."""
    if tp is datetime:
        return _datetime
    if tp in (int, str, bool, float):
        return _scalar(tp)
    if tp is Any:
        return _same
    if _is_record(tp):
        return _record(tp)
    return _compiled(tp)


def _is_record(tp: Any) -> bool:
    named = isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields")
    return named or (dataclasses.is_dataclass(tp) and isinstance(tp, type))


def _compiled(tp: Any) -> Callable[[Any], Any]:
    """A decoder for any other type (an optional, a tuple, an enum), compiled."""
    names: dict[str, Any] = {}
    body = _expression(tp, "value", names, [0])
    return _compile(f"def decode(value):\n    return {body}\n", names)


def _record(cls: type[T]) -> Callable[[Any], T]:
    hints = get_type_hints(cls)
    fields = (list(cls._fields) if not dataclasses.is_dataclass(cls)  # type: ignore[attr-defined]
              else [f.name for f in dataclasses.fields(cls)])
    names: dict[str, Any] = {"cls": cls}
    counter = [0]
    args = [_expression(hints[name], f"v{n}", names, counter) for n, name in enumerate(fields)]
    unpack = "".join(f"v{n}, " for n in range(len(fields)))
    source = (
        "def build(value):\n"
        f"    if type(value) is not list or len(value) != {len(fields)}:\n"
        f"        raise TypeError('expected {len(fields)} fields')\n"
        f"    {unpack}= value\n"
        f"    return cls({', '.join(args)})\n")
    return _compile(source, names)


def _compile(source: str, names: dict[str, Any]) -> Callable[[Any], Any]:
    namespace = {**names, "_bad": _bad}
    exec(compile(source, "<nereader.core.codec>", "exec"), namespace)
    return namespace["build" if "def build" in source else "decode"]  # type: ignore[no-any-return]


def _expression(tp: Any, var: str, names: dict[str, Any], counter: list[int]) -> str:
    """Python source that reads ``var`` as a ``tp`` (TypeError, or ValueError for an enum,
    when it is not one)."""
    origin, args = get_origin(tp), get_args(tp)
    if tp is Any:
        return var
    if tp in (int, str, bool):
        return f"({var} if type({var}) is {tp.__name__} else _bad({var}, {tp.__name__!r}))"
    if tp is float:
        return (f"({var} if type({var}) is float or type({var}) is int "
                f"else _bad({var}, 'float'))")
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"cannot decode the union {tp}")
        return f"(None if {var} is None else {_expression(inner[0], var, names, counter)})"
    if origin is tuple:
        counter[0] += 1
        item = f"x{counter[0]}"
        return f"tuple([{_expression(args[0], item, names, counter)} for {item} in {var}])"
    counter[0] += 1
    helper = f"d{counter[0]}"
    if tp is datetime:
        names[helper] = _datetime
    elif isinstance(tp, type) and issubclass(tp, Enum):
        names[helper] = _member(tp)
    elif _is_record(tp):
        names[helper] = _decoder(tp)
    else:
        raise TypeError(f"cannot decode {tp}")
    return f"{helper}({var})"


def _member(enum: type[Enum]) -> Callable[[Any], Enum]:
    """An enum's member by its value, looked up (calling the class is several times slower);
    a value it does not have is a ValueError, as the call's."""
    members = {m.value: m for m in enum}

    def member(value: Any) -> Enum:
        try:
            return members[value]
        except (KeyError, TypeError):  # TypeError: an unhashable value (a list)
            return enum(value)

    return member


def _bad(value: Any, kind: str) -> Any:
    raise TypeError(f"expected {kind}, got {type(value).__name__}")
