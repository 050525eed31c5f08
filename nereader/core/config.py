"""The TOML config file: read into a settings layer (with line numbers), and edited in place.

Reading uses ``tomllib`` (exact errors with line and column). Writing (``follow``, the theme,
a ``config edit`` merged with what changed meanwhile) edits the document with ``tomlkit``,
which keeps everything else of a hand-edited file: comments, order, layout, CRLF line endings
and a byte order mark. Each edit is parsed back and must give exactly the intended document,
or nothing is written; every write happens under the file's lock.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nereader.core.errors import StorageError
from nereader.core.models import ConfigEdit, ConfigSaved
from nereader.core.settings import (
    CONFIG_FILE,
    FILE_ONLY,
    PREFERENCES,
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

if TYPE_CHECKING:  # tomlkit loads with the first write: reading needs only tomllib
    from tomlkit import TOMLDocument
    from tomlkit.items import Array

TABLES = sorted({s.name.split(".")[0] for s in SPECS if "." in s.name})
_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]")
_ASSIGN = re.compile(r"""^\s*(?:"([^"\\]*)"|'([^']*)'|([A-Za-z0-9_.-]+))\s*=""")
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

[reading]
# jump_to_new = true   # a thread read before opens at its first new post

[keys]  # remap the app's keys by binding id (`nereader config keys` lists them)
# "main.refresh" = "ctrl+r"
# "app.quit" = "q,ctrl+q"
"""


def config_file(config_dir: Path) -> Path:
    return config_dir / CONFIG_FILE


BOM = "\ufeff"  # a byte order mark: some Windows editors start a UTF-8 file with one


# -- reading -----------------------------------------------------------------------------------
def read_text(path: Path) -> str | None:
    """The file's text exactly (line endings and a byte order mark kept); None if absent."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"cannot read the config file {path}: "
                           f"{exc.strerror or exc}") from exc
    return decode(data, path)


def decode(data: bytes, path: Path) -> str:
    """UTF-8, or a ConfigError naming the first byte that is not, with its line and column."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[start:exc.start].decode("utf-8", "replace").removeprefix(BOM)) + 1
        raise ConfigError(f"{path} line {line}, column {column}: byte 0x{data[exc.start]:02x} "
                          "is not UTF-8 (save the file as UTF-8)", "file") from None


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
    """The document (a byte order mark at the start is allowed), or a ConfigError naming the
    line and column of the first syntax error, and the character there when it is one that
    cannot be seen (a byte order mark further on, a control character)."""
    body = text.removeprefix(BOM)
    try:
        return _toml(body)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _AT.search(message)
        where = (f" line {at.group(1)}, column {at.group(2)}" if at
                 else " at the end of the file" if "(at end of document)" in message else "")
        reason = _AT.sub("", message).replace(" (at end of document)", "")
        seen = _unseen(body, int(at.group(1)), int(at.group(2))) if at else ""
        raise ConfigError(f"{path}{where}: {reason[:1].lower()}{reason[1:]}{seen} "
                          "(not valid TOML)", "file") from None


def _unseen(text: str, line: int, column: int) -> str:
    """What stands at a position, when no editor would show it."""
    lines = text.split("\n")
    row = lines[line - 1] if 0 < line <= len(lines) else ""
    char = row[column - 1] if 0 < column <= len(row) else ""
    if not char or char in " \t" or unicodedata.category(char) not in {"Cf", "Cc", "Zs"}:
        return ""
    if char == BOM:
        return ": a byte order mark (U+FEFF) there, which belongs only at the very start"
    name = unicodedata.name(char, "a control character").lower()
    return f": the character there is U+{ord(char):04X} ({name})"


def lines_of(text: str) -> dict[str, str]:
    """Where each setting is assigned ("line N"), by dotted name (the first assignment); the
    entries of an array of tables by number from 1 (``sections[2]``, ``sections[2].query``),
    and so the entries of an array (``follow[3]``) where each one starts. Lines are counted
    as TOML counts them (a line feed ends one); a value over several lines (an array, a
    multi-line string) is read to its end, so that nothing inside it is taken for a key."""
    found: dict[str, str] = {}
    table = ""
    arrays: dict[str, int] = {}
    lines = text.split("\n")
    n = 0
    while n < len(lines):
        line = lines[n]
        n += 1
        entry = _ARRAY_HEADER.match(line)
        if entry:
            name = entry.group(1)
            arrays[name] = arrays.get(name, 0) + 1
            table = f"{name}[{arrays[name]}]"
            found.setdefault(name, f"line {n}")
            found[table] = f"line {n}"
            continue
        header = _HEADER.match(line)
        if header:
            table = header.group(1)
            found.setdefault(table, f"line {n}")
            continue
        assign = _ASSIGN.match(line)
        if assign:
            key = next(part for part in assign.groups() if part is not None)
            name = f"{table}.{key}" if table else key
            found.setdefault(name, f"line {n}")
            starts, last = _value_lines(lines, n - 1, assign.end())
            for i, at in enumerate(starts, 1):
                found.setdefault(f"{name}[{i}]", f"line {at}")
            n = max(n, last)
    return found


def _value_lines(lines: list[str], row: int, column: int) -> tuple[list[int], int]:
    """The value assigned on ``lines[row]`` from ``column`` on (the file already parsed, so
    it is valid TOML): the line each entry of an array starts on, and the line it ends on
    (numbered from 1)."""
    text = "\n".join(lines[row:])
    line = row + 1
    starts: list[int] = []
    open_: list[str] = []  # the brackets open around the scan: "[" an array, "{" a table
    entry_next = False  # in the array assigned, where its next entry starts
    i = column
    while i < len(text):
        char = text[i]
        if char == "\n":
            line += 1
        elif char == "#":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        if char in " \t\r\n":
            i += 1
            continue
        if entry_next and char not in ",]":
            starts.append(line)
            entry_next = False
        if char in "\"'":
            quote = char * 3 if text.startswith(char * 3, i) else char
            j = i + len(quote)
            while j < len(text) and not text.startswith(quote, j):
                j += 2 if char == '"' and text[j] == "\\" else 1
            j += len(quote)
            while len(quote) == 3 and j < len(text) and text[j] == char:  # """a"""" ends there
                j += 1
            line += text.count("\n", i, j)
            i = j
        elif char in "[{":
            open_.append(char)
            entry_next = open_ == ["["]
            i += 1
        elif char in "]}":
            open_.pop()
            i += 1
        elif char == "," and open_ == ["["]:
            entry_next = True
            i += 1
        elif not open_:  # a bare value (number, date, true): the line ends it
            return starts, line
        else:
            i += 1
        if not open_:
            return starts, line
    return starts, line


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
                  polite_floor: bool = True, preferences: Path | None = None) -> Resolved:
    """Defaults, the file, the environment, the flags. A bad file is an error, or with
    ``lenient`` (the app) is left out and its error kept in ``file_error``.

    ``preferences``: the user's own config folder, when the config folder is another
    forum's (the demo's). Its file's theme and [keys] then come over that forum's (which
    keeps everything else: followed listings, its own settings); a theme only that forum's
    file has, saved there before the two were shared, still applies."""
    config_dir, origin = config_dir_of(env)
    env_layer = environment_layer(env)
    shared = preferences if preferences is not None and preferences != config_dir else None
    options: dict[str, Any] = {"config_dir": config_dir, "config_origin": origin,
                               "polite_floor": polite_floor, "user_config_dir": shared}
    files: list[Layer] = []
    problems: list[str] = []
    left_out: list[Path] = []
    wanted = [(config_file(config_dir), False)]
    if shared is not None:
        wanted.append((config_file(shared), True))
    for path, only_preferences in wanted:
        try:
            layer = read_layer(path)
            # Each file's values checked on their own, the whole file even where only its
            # preferences are taken: a file that stops the commands of one forum stops them
            # on another too, rather than being read in part in silence.
            resolve(layer, polite_floor=False)
            if only_preferences:
                layer = _preferences(layer)
        except (ConfigError, StorageError) as exc:
            if not lenient:
                raise
            problems.append(str(exc))
            left_out.append(path)
            continue
        files.append(layer)
    try:
        resolved = resolve(*files, env_layer, flags, **options)
    except ConfigError as exc:  # the polite floor, across the files and the rest
        if not lenient or exc.origin != "file":
            raise
        problems.append(str(exc))
        left_out = [path for path, _ in wanted]
        resolved = resolve(env_layer, flags, **options)
    return replace(resolved, file_error="; ".join(problems),
                   left_out=tuple(left_out)) if problems else resolved


def _preferences(layer: Layer) -> Layer:
    """The theme and [keys] of the user's own file, each place named with the file (two
    files are in play: "…/config.toml line 3")."""
    values = {k: v for k, v in layer.values.items() if k in PREFERENCES}
    where = {k: f"{layer.source} {v}" for k, v in layer.where.items()
             if k.split(".")[0] in PREFERENCES}
    return Layer("file", values, where)  # the places name the file already



# -- writing -----------------------------------------------------------------------------------
class _Gone:
    """A key that is not there (removed, or never set)."""

    def __repr__(self) -> str:
        return "(not set)"


_GONE = _Gone()
Leaf = tuple[str, ...]  # a setting's place: ("follow",), ("keys", "main.refresh")


def _lock(path: Path) -> contextlib.AbstractContextManager[None]:
    return file_lock(path.with_name(path.name + ".lock"))


def create(path: Path) -> bool:
    """Write the commented template unless a file is there; True if it was written."""
    with _lock(path):
        if read_text(path) is not None:
            return False
        atomic_write_text(path, TEMPLATE)
        return True


def edit_top_level(path: Path, key: str, change: Callable[[object], object]) -> object:
    """Set a top-level key to ``change(current value or None)`` under the config lock (None
    removes it). The rest of the file is kept as it is; returns the new value."""
    with _lock(path):
        text = read_text(path)
        if text is None:
            text = TEMPLATE
        data = parse(text, path)
        value = change(data.get(key))
        if value == data.get(key):
            return value
        changes: dict[Leaf, object] = {(key,): _GONE if value is None else value}
        new_text = edited(text, changes, _applied(data, changes))
        if new_text is None:
            raise StorageError(f"could not update {key!r} in {path} without disturbing the "
                               "rest of it; edit it by hand (nereader config edit)")
        atomic_write_text(path, new_text)
        return value


def add_table(path: Path, key: str, table: dict[str, str],
              check: Callable[[list[object]], object]) -> None:
    """Append ``table`` to the array of tables ``key`` (``[[sections]]``) under the config
    lock, the rest of the file kept as it is. ``check`` is given the new array and raises
    ValueError when it is not one to save (a name taken meanwhile)."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    with _lock(path):
        text = read_text(path)
        if text is None:
            text = TEMPLATE
        data = parse(text, path)
        current = data.get(key, [])
        if not isinstance(current, list):
            raise ConfigError(f"{path}: {key} is not an array of tables; fix it first "
                              "(nereader config edit)", "file")
        check([*current, table])
        expected = {**data, key: [*current, table]}
        bom = BOM if text.startswith(BOM) else ""
        body = text.removeprefix(BOM)
        crlf = "\r\n" in body and "\n" not in body.replace("\r\n", "")
        try:
            document = tomlkit.parse(body)
            entry = tomlkit.table()
            for name, value in table.items():
                entry[name] = value
            entry.add(tomlkit.nl())
            if key in document:
                document[key].append(entry)
            else:
                array = tomlkit.aot()
                array.append(entry)
                document[key] = array
            out = document.as_string()
        except (TOMLKitError, ValueError, TypeError, KeyError, AttributeError):
            out = ""
        if crlf:
            out = re.sub(r"(?<!\r)\n", "\r\n", out)
        try:
            same = bool(out) and _toml(out) == expected
        except tomllib.TOMLDecodeError:
            same = False
        if not same:
            raise StorageError(f"could not add to {key!r} in {path} without disturbing the "
                               "rest of it; add it by hand (nereader config edit)")
        atomic_write_text(path, bom + out)


def edited(text: str, changes: Mapping[Leaf, object], expected: dict[str, Any]) -> str | None:
    """``text`` with each leaf set to its value (``_GONE``: removed), every other byte kept, or
    None if no edit gives exactly ``expected``. A list is edited entry by entry where it can
    be (the other entries keep their comments), else replaced."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    bom = BOM if text.startswith(BOM) else ""
    body = text.removeprefix(BOM)
    crlf = "\r\n" in body and "\n" not in body.replace("\r\n", "")
    for in_place in (True, False):
        try:
            document = tomlkit.parse(body)
            for leaf, value in changes.items():
                _set(document, leaf, value, in_place)
            out = document.as_string()
        except (TOMLKitError, ValueError, TypeError, KeyError):
            continue
        if crlf:  # what tomlkit adds ends in "\n"; the file's own lines end in "\r\n"
            out = re.sub(r"(?<!\r)\n", "\r\n", out)
        try:
            if _toml(out) == expected:
                return bom + out
        except tomllib.TOMLDecodeError:
            continue
    return None


def _set(document: TOMLDocument, leaf: Leaf, value: object, in_place: bool) -> None:
    import tomlkit
    from tomlkit.items import Array

    container: Any = document
    for part in leaf[:-1]:
        if part not in container:
            if value is _GONE:
                return
            container[part] = tomlkit.table()
        container = container[part]
    key = leaf[-1]
    if value is _GONE:
        if key in container:
            del container[key]
        return
    current = container.get(key)
    if in_place and isinstance(current, Array) and isinstance(value, list):
        _edit_array(current, value)
    elif isinstance(value, list) and len(value) > 1 and not isinstance(current, list):
        array = tomlkit.array()
        array.extend(value)
        container[key] = array.multiline(True)  # one listing a line, as people write them
    else:
        container[key] = value


def _edit_array(array: Array, value: list[Any]) -> None:
    """Entries gone are deleted and new ones appended; the others (and their comments) stay."""
    for index in reversed(range(len(array))):
        if array[index] not in value:
            del array[index]
    for item in value:
        if item not in array:
            array.append(item)


def _applied(data: Mapping[str, Any], changes: Mapping[Leaf, object]) -> dict[str, Any]:
    """A parsed document with the changes made (what ``edited`` must give)."""
    out: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    for leaf, value in changes.items():
        at = out
        for part in leaf[:-1]:
            if not isinstance(at.get(part), dict):
                if value is _GONE:
                    break
                at[part] = {}
            at = at[part]
        else:
            if value is _GONE:
                at.pop(leaf[-1], None)
            else:
                at[leaf[-1]] = value
    return out


def _leaves(data: Mapping[str, Any]) -> dict[Leaf, object]:
    """Each setting by its place: top-level keys, and the keys of each table (a table with
    nothing in it sets nothing)."""
    out: dict[Leaf, object] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                out[(key, sub)] = inner
        else:
            out[(key,)] = value
    return out


# -- `config edit`: a copy edited, then saved under the lock -----------------------------------
def begin_edit(path: Path) -> ConfigEdit:
    """A private copy of the config file beside it (same bytes: BOM and CRLF too), for an
    editor. The file itself stays free for ``follow`` or the app's theme meanwhile."""
    before = read_text(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"{path.stem}.", suffix=f".edit{path.suffix}",
                                    dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write((before or "").encode("utf-8"))
    except OSError as exc:
        raise StorageError(f"cannot make a copy of {path} to edit: "
                           f"{exc.strerror or exc}") from exc
    return ConfigEdit(path, Path(name), before)


def finish_edit(edit: ConfigEdit) -> ConfigSaved:
    """Save the edited copy over the config file, under its lock. If the file is still what
    the copy started from, the copy replaces it byte for byte. If it changed meanwhile, the
    settings changed there are carried into the copy; a setting changed both there and in
    the copy refuses the save (ConfigError), and the copy stays, named in the message."""
    try:
        text = read_text(edit.copy) or ""
    except ConfigError as exc:  # not UTF-8: never written over the file
        raise ConfigError(f"{exc}; {edit.path} is unchanged", "file") from None
    with _lock(edit.path):
        now = read_text(edit.path)
        if text == (edit.before or "") or now == text:  # nothing to write
            _discard(edit.copy)
            return ConfigSaved(text != (edit.before or ""))
        if now == edit.before:
            atomic_write_text(edit.path, text)
            _discard(edit.copy)
            return ConfigSaved(True)
        merged, kept = _merge(edit, text, now or "")
        atomic_write_text(edit.path, merged)
    _discard(edit.copy)
    return ConfigSaved(True, kept)


def _merge(edit: ConfigEdit, text: str, now: str) -> tuple[str, tuple[str, ...]]:
    keep = f"; your edit is kept in {edit.copy}"
    try:
        mine = parse(text, edit.copy)
        before, theirs = parse(edit.before or "", edit.path), parse(now, edit.path)
    except ConfigError as exc:
        raise ConfigError(f"{edit.path} changed while you edited it, and the two cannot be put "
                          f"together: {exc}{keep}", "file") from None
    old, new, there = _leaves(before), _leaves(mine), _leaves(theirs)
    meanwhile = {k for k in old.keys() | there.keys() if old.get(k, _GONE) != there.get(k, _GONE)}
    edited_here = {k for k in old.keys() | new.keys() if old.get(k, _GONE) != new.get(k, _GONE)}
    clash = sorted(".".join(k) for k in meanwhile & edited_here
                   if new.get(k, _GONE) != there.get(k, _GONE))
    if clash:
        raise ConfigError(f"{edit.path}: {', '.join(clash)} changed while you edited it "
                          f"(a follow, unfollow or theme saved meanwhile), so your edit is not "
                          f"saved{keep}", "file")
    changes = {k: there.get(k, _GONE) for k in meanwhile - edited_here}
    merged = edited(text, changes, _applied(mine, changes))
    if merged is None:
        raise ConfigError(f"{edit.path} changed while you edited it and the two could not be "
                          f"put together{keep}", "file")
    return merged, tuple(sorted(".".join(k) for k in changes))


def discard_edit(edit: ConfigEdit) -> bool:
    """Remove the copy unless it holds an edit (True: removed)."""
    try:
        text = read_text(edit.copy)
    except (ConfigError, StorageError):
        return False
    if text is not None and text != (edit.before or ""):
        return False
    _discard(edit.copy)
    return True


def _discard(copy: Path) -> None:
    with contextlib.suppress(OSError):
        copy.unlink()
