"""The TOML config file: read into a settings layer (with line numbers), and edited in place.

Reading uses ``tomllib``. nereader itself writes only two top-level keys (``follow`` and
``theme``), so instead of a round-tripping TOML library it edits those lines alone and keeps
every other byte of a hand-edited file (comments, order, layout); each edit is parsed back
and must give exactly the intended document, or nothing is written.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from nereader.core.errors import StorageError
from nereader.core.settings import (
    CONFIG_FILE,
    FILE_ONLY,
    SPEC,
    SPECS,
    ConfigError,
    Layer,
    Resolved,
    config_dir_of,
    environment_layer,
    resolve,
)
from nereader.core.store import atomic_write_text, file_lock

TABLES = sorted({s.name.split(".")[0] for s in SPECS if "." in s.name})
_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_ASSIGN = re.compile(r"""^\s*(["']?)([A-Za-z0-9_.-]+)\1\s*=""")
_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")

TEMPLATE = """\
# nereader's configuration (TOML). Environment variables and flags override what is here;
# `nereader config show` prints every setting and where its value came from.

# Listings to follow (tag slugs, topics/TOPIC[/SUB], allposts or listing URLs). With any,
# `nereader` opens on the home screen. `nereader follow` / `unfollow` and F in the app edit it.
# follow = ["networkextension"]

# default_listing = "networkextension"   # what `nereader` opens with nothing followed
# base_url = "https://developer.apple.com"
# offline = false
# theme = "textual-dark"                 # saved when you pick a theme in the app

[paths]
# cache_dir = "~/.cache/nereader"
# data_dir = "~/.local/share/nereader"

[freshness]  # seconds a cached page counts as fresh
# listing = 600
# thread = 1800
# feed = 600

[politeness]  # a remote forum: at least 0.5 s between request starts, at most 2 in flight
# min_gap = 0.5
# max_in_flight = 2
# retries = 3

[cache]
# size_mb = 512

[keys]  # remap the app's keys by binding id (press ? in the app to see them)
# "main.refresh" = "ctrl+r"
# "app.quit" = "q,ctrl+q"
"""


def config_file(config_dir: Path) -> Path:
    return config_dir / CONFIG_FILE


# -- reading -----------------------------------------------------------------------------------
def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StorageError(f"cannot read the config file {path}: "
                           f"{getattr(exc, 'strerror', None) or exc}") from exc


def _toml(text: str) -> dict[str, Any]:
    """``tomllib.loads``, where any failure is a TOMLDecodeError: values nested deeper than
    its recursion goes, or a number too long to convert, included."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise
    except RecursionError:
        raise tomllib.TOMLDecodeError("values are nested too deeply") from None
    except (ValueError, OverflowError, MemoryError) as exc:
        raise tomllib.TOMLDecodeError(str(exc).split(";")[0]) from None


def parse(text: str, path: Path) -> dict[str, Any]:
    """The document, or a ConfigError naming the line of the first syntax error."""
    try:
        return _toml(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _AT.search(message)
        where = (f" line {at.group(1)}, column {at.group(2)}" if at
                 else " at the end of the file" if "(at end of document)" in message else "")
        reason = _AT.sub("", message).replace(" (at end of document)", "")
        raise ConfigError(f"{path}{where}: {reason[:1].lower()}{reason[1:]} (not valid TOML)",
                          "file") from None


def lines_of(text: str) -> dict[str, str]:
    """Where each setting is assigned ("line N"), by dotted name (the first assignment)."""
    found: dict[str, str] = {}
    table = ""
    for n, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = header.group(1)
            found.setdefault(table, f"line {n}")
            continue
        assign = _ASSIGN.match(line)
        if assign:
            key = assign.group(2)
            found.setdefault(f"{table}.{key}" if table else key, f"line {n}")
    return found


def read_layer(path: Path) -> Layer:
    """The file's settings by name; unknown names and misplaced values are errors with lines."""
    text = read_text(path)
    if text is None:
        return Layer("file", {}, {}, str(path))
    data = parse(text, path)
    where = lines_of(text)
    values: dict[str, object] = {}
    for key, value in data.items():
        if key in SPEC or key in FILE_ONLY:
            values[key] = value
        elif key in TABLES and isinstance(value, dict):
            for sub, inner in value.items():
                name = f"{key}.{sub}"
                if name not in SPEC:
                    raise _unknown(path, where, name)
                values[name] = inner
        else:
            raise _unknown(path, where, key)
    return Layer("file", values, where, str(path))


def _unknown(path: Path, where: Mapping[str, str], name: str) -> ConfigError:
    known = ", ".join([*(s.name for s in SPECS), *FILE_ONLY])
    return ConfigError(f"{path} {where.get(name, '')}: unknown setting {name!r} "
                       f"(known: {known})".replace(" :", ":"), "file")


def load_settings(env: Mapping[str, str] | None, flags: Layer, *, lenient: bool = False,
                  polite_floor: bool = True) -> Resolved:
    """Defaults, the file, the environment, the flags. A bad file is an error, or with
    ``lenient`` (the app) is left out and its error kept in ``file_error``."""
    config_dir, origin = config_dir_of(env)
    env_layer = environment_layer(env)
    options: dict[str, Any] = {"config_dir": config_dir, "config_origin": origin,
                               "polite_floor": polite_floor}
    try:
        return resolve(read_layer(config_file(config_dir)), env_layer, flags, **options)
    except (ConfigError, StorageError) as exc:
        if not lenient or (isinstance(exc, ConfigError) and exc.origin != "file"):
            raise
        problem = str(exc)
    return replace(resolve(env_layer, flags, **options), file_error=problem)


# -- writing -----------------------------------------------------------------------------------
def create(path: Path) -> bool:
    """Write the commented template unless a file is there; True if it was written."""
    with file_lock(path.with_name(path.name + ".lock")):
        if read_text(path) is not None:
            return False
        atomic_write_text(path, TEMPLATE)
        return True


def toml_value(value: object) -> str:
    """A string or a list of strings as TOML (a JSON string is a TOML basic string)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        if len(value) <= 1:
            return "[" + ", ".join(toml_value(v) for v in value) + "]"
        return "[\n" + "".join(f"    {toml_value(v)},\n" for v in value) + "]"
    raise TypeError(f"nereader does not write {type(value).__name__} values")


def edit_top_level(path: Path, key: str, change: Callable[[object], object]) -> object:
    """Set a top-level key to ``change(current value or None)`` under the config lock (None
    removes it). The rest of the file is kept as it is; returns the new value."""
    with file_lock(path.with_name(path.name + ".lock")):
        text = read_text(path)
        if text is None:
            text = TEMPLATE
        data = parse(text, path)
        value = change(data.get(key))
        if value == data.get(key):
            return value
        expected = dict(data)
        if value is None:
            expected.pop(key, None)
        else:
            expected[key] = value
        new_text = _rewritten(text, key, value, expected)
        if new_text is None:
            raise StorageError(f"could not update {key!r} in {path} without disturbing the "
                               "rest of it; edit it by hand (nereader config edit)")
        atomic_write_text(path, new_text)
        return value


def _rewritten(text: str, key: str, value: object, expected: dict[str, Any]) -> str | None:
    """The file with ``key`` set to ``value`` (None: removed), or None if no edit gives
    exactly ``expected``. Candidates, best first: a list edited entry by entry (its comments
    kept), the assignment replaced, a new assignment after the leading comments."""
    lines = text.splitlines(keepends=True)
    assignment = [] if value is None else [f"{key} = {toml_value(value)}\n"]
    candidates: list[list[str]] = []
    for start, line in enumerate(lines):
        match = _ASSIGN.match(line)
        if match and match.group(2) == key:
            end = _value_end(lines, start)
            if end is None:
                continue
            entries = _entry_edit(lines[start:end], value)
            if entries is not None:
                candidates.append(lines[:start] + entries + lines[end:])
            candidates.append(lines[:start] + assignment + lines[end:])
    if value is not None:
        at = 0  # after the leading comments: always the top level, before any table
        while at < len(lines) and (not lines[at].strip() or lines[at].lstrip().startswith("#")):
            at += 1
        head = lines[:at]
        if head and not head[-1].endswith("\n"):
            head[-1] += "\n"
        gap = ["\n"] if at < len(lines) and _HEADER.match(lines[at]) else []
        candidates.append(head + assignment + gap + lines[at:])
    for candidate in candidates:
        new_text = "".join(candidate)
        try:
            if _toml(new_text) == expected:
                return new_text
        except tomllib.TOMLDecodeError:
            continue
    return None


def _entry_edit(span: list[str], value: object) -> list[str] | None:
    """A multi-line list of strings edited line by line: entries gone are dropped, new ones
    go before the closing bracket; the other lines (and their comments) stay as they are."""
    if not isinstance(value, list) or len(span) < 3 or not span[-1].lstrip().startswith("]"):
        return None
    try:
        old = _toml("".join(span))
    except tomllib.TOMLDecodeError:
        return None
    current = next(iter(old.values()), None)
    if not isinstance(current, list):
        return None
    kept = [line for line in span[1:-1] if _entry(line) is None or _entry(line) in value]
    indent = next((line[: len(line) - len(line.lstrip())] for line in span[1:-1]
                   if _entry(line) is not None), "    ")
    added = [f"{indent}{toml_value(item)},\n" for item in value if item not in current]
    return [span[0], *kept, *added, span[-1]]


def _entry(line: str) -> str | None:
    """The string a line of a multi-line list holds, if it holds exactly one."""
    stripped = line.strip()
    if not stripped.startswith(('"', "'")):
        return None
    try:
        found = _toml(f"x = [{stripped}\n]").get("x")
    except tomllib.TOMLDecodeError:
        return None
    return found[0] if isinstance(found, list) and len(found) == 1 else None


def _value_end(lines: list[str], start: int) -> int | None:
    """The line after an assignment's value (which may span lines, e.g. an array)."""
    for end in range(start + 1, min(len(lines), start + 500) + 1):
        try:
            _toml("".join(lines[start:end]))
        except tomllib.TOMLDecodeError:
            continue
        return end
    return None
