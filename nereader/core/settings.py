"""Settings: defaults, then the config file, the environment and the flags, each value checked.

Pure (no files read here): ``core.config`` reads the TOML file into a ``Layer``; the CLI builds
the environment and flag layers; ``resolve`` validates every value against its bounds and says
where a bad one came from, and records where each good one came from (``config show``).
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import platformdirs

from nereader import __version__
from nereader.core.errors import UsageError
from nereader.core.text import echo
from nereader.core.urls import (
    DEFAULT_BASE,
    DEFAULT_TAG,
    normalise_base,
    parse_listing_ref,
    redact,
    split,
)

APP = "nereader"
PROJECT_URL = "https://github.com/nereader/nereader"
CONFIG_FILE = "config.toml"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# The friendly floor for any forum that is not on this machine: at least this long between
# request starts and at most this many requests in flight.
POLITE_GAP = 0.5
POLITE_IN_FLIGHT = 2
_YEAR = 365 * 86400.0
_BINDING_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")

OriginKind = Literal["default", "file", "environment", "flag"]


class ConfigError(UsageError):
    """A setting that cannot be used; the message names where it came from."""

    def __init__(self, message: str, origin: OriginKind) -> None:
        super().__init__(message)
        self.origin = origin


@dataclass(frozen=True, slots=True)
class Freshness:
    """How long a cached page counts as fresh, in seconds, per page kind."""

    listing: float = 600.0
    thread: float = 1800.0
    feed: float = 600.0


@dataclass(frozen=True, slots=True)
class Section:
    """A home-screen section: a filter query over the inbox, or over the cached rows of one
    listing (``listing``, a listing key)."""

    name: str
    query: str = ""
    listing: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    base_url: str = DEFAULT_BASE
    offline: bool = False
    cache_dir: Path = field(default_factory=lambda: Path(platformdirs.user_cache_dir(APP)))
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir(APP)))
    config_dir: Path = field(default_factory=lambda: Path(platformdirs.user_config_dir(APP)))
    user_agent: str = f"nereader/{__version__} (+{PROJECT_URL})"
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_bytes: int = 8 * 1024 * 1024
    max_in_flight: int = POLITE_IN_FLIGHT
    min_gap: float = POLITE_GAP
    retries: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 10.0
    retry_after_cap: float = 60.0
    network_down_for: float = 30.0
    cache_size_limit: int = 512 * 1024 * 1024
    freshness: Freshness = field(default_factory=Freshness)
    default_listing: str = DEFAULT_TAG
    theme: str | None = None
    following: tuple[str, ...] = ()  # listing keys, as the config file holds them
    keys: tuple[tuple[str, str], ...] = ()  # binding id -> keys, from the [keys] table
    # The user's own config folder when ``config_dir`` is another forum's (the demo's): the
    # preferences (the theme, [keys], saved filters) are the user's, whatever forum is read.
    user_config_dir: Path | None = None
    sections: tuple[Section, ...] = ()  # the home screen's sections, from [[sections]]
    jump_to_new: bool = True  # a thread read before opens at its first new post

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def config_file(self) -> Path:
        """The config file of the forum read: its settings and followed listings."""
        return self.config_dir / CONFIG_FILE

    @property
    def preferences_dir(self) -> Path:
        """Where the user's preferences live: the theme and [keys] (in its config file) and
        the saved filters."""
        return self.user_config_dir or self.config_dir

    @property
    def preferences_file(self) -> Path:
        """The config file the theme and [keys] are read from and the theme is saved to."""
        return self.preferences_dir / CONFIG_FILE

    @property
    def keymap(self) -> dict[str, str]:
        return dict(self.keys)


@dataclass(frozen=True, slots=True)
class Spec:
    """One setting: its name in the file (``table.key``), its variable and flag, its bounds."""

    name: str
    kind: Literal["url", "bool", "path", "seconds", "count", "number", "listing", "text"]
    env: str | None = None
    flag: str | None = None
    low: float = 0.0
    high: float = 0.0
    help: str = ""


SPECS: tuple[Spec, ...] = (
    Spec("base_url", "url", "NEREADER_BASE_URL", "--base-url", help="the forum (http or https)"),
    Spec("offline", "bool", "NEREADER_OFFLINE", "--offline", help="read the cache only"),
    Spec("default_listing", "listing", "NEREADER_LISTING",
         help="what `nereader` opens with nothing followed (a slug, topic path or URL)"),
    Spec("theme", "text", "NEREADER_THEME", help="the app's theme (saved when picked)"),
    Spec("paths.cache_dir", "path", "NEREADER_CACHE_DIR", "--cache-dir", help="page cache"),
    Spec("paths.data_dir", "path", "NEREADER_DATA_DIR", "--data-dir",
         help="bookmarks, read state, the search index"),
    Spec("freshness.listing", "seconds", "NEREADER_FRESH_LISTING", high=_YEAR,
         help="seconds a cached listing page counts as fresh"),
    Spec("freshness.thread", "seconds", "NEREADER_FRESH_THREAD", high=_YEAR,
         help="seconds a cached thread page counts as fresh"),
    Spec("freshness.feed", "seconds", "NEREADER_FRESH_FEED", high=_YEAR,
         help="seconds a cached feed counts as fresh"),
    Spec("politeness.min_gap", "seconds", "NEREADER_MIN_GAP", high=60.0,
         help=f"seconds between request starts (at least {POLITE_GAP} for a remote forum)"),
    Spec("politeness.max_in_flight", "count", "NEREADER_MAX_IN_FLIGHT", low=1, high=8,
         help=f"requests at once (at most {POLITE_IN_FLIGHT} for a remote forum)"),
    Spec("politeness.retries", "count", "NEREADER_RETRIES", high=10,
         help="retries of a failed request"),
    Spec("cache.size_mb", "number", "NEREADER_CACHE_MB", low=1, high=1024 * 1024,
         help="page cache size in MiB (pinned pages are never evicted)"),
    Spec("reading.jump_to_new", "bool", "NEREADER_JUMP_TO_NEW",
         help="open a thread read before at its first post new since (else at its top)"),
)
SPEC = {s.name: s for s in SPECS}
# A list of listings, a table of binding id = "keys", and tables of sections ([[sections]]).
FILE_ONLY = ("follow", "keys", "sections")
# What the user's own config file gives whatever forum is read (the demo's included).
PREFERENCES = ("theme", "keys")
MAX_SECTION_NAME = 60


class EntryError(ValueError):
    """A problem with one entry of a setting, ``at`` naming it (``sections[2].query``), so
    the message can point at that entry's line rather than the setting's first."""

    def __init__(self, message: str, at: str) -> None:
        super().__init__(message)
        self.at = at


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a setting's value came from: ``where`` is a file line, a variable or a flag."""

    kind: OriginKind = "default"
    where: str = ""

    def __str__(self) -> str:
        return f"{self.kind} ({self.where})" if self.where else self.kind


@dataclass(frozen=True, slots=True)
class Layer:
    """Raw values from one source, by setting name, and where in the source each one is."""

    kind: Literal["file", "environment", "flag"]
    values: Mapping[str, object]
    where: Mapping[str, str] = field(default_factory=dict)
    source: str = ""  # the file's path, for messages

    def blame(self, name: str, raw: object, problem: str) -> ConfigError:
        where = self.place(name)
        if self.kind == "file":
            head = f"{self.source} {where}: {name}" if self.source else f"{where}: {name}"
            return ConfigError(f"{head} {problem}", "file")
        shown = redact(raw if isinstance(raw, str) else repr(raw))  # a URL's password stays out
        return ConfigError(f"{where}={shown}: {problem}" if self.kind == "environment"
                           else f"{where} {shown}: {problem}", self.kind)

    def place(self, name: str) -> str:
        """Where a setting, or one entry of it, is: an entry (``sections[2].query``,
        ``keys.app.quit``, ``follow[3]``) at its own line, else at the nearest one around it
        that has one (``sections[2]``, then ``sections``; ``keys``)."""
        at = name
        while at:
            if at in self.where:
                return self.where[at]
            at = at[:at.rindex("[")] if at.endswith("]") else at.rpartition(".")[0]
        return name


@dataclass(frozen=True, slots=True)
class Resolved:
    """The effective settings, each value's origin, and a config file problem if there was one."""

    settings: Settings
    origins: Mapping[str, Origin]
    file_error: str | None = None
    left_out: tuple[Path, ...] = ()  # the config files left out for ``file_error`` (lenient)


def environment_layer(env: Mapping[str, str] | None = None) -> Layer:
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    where: dict[str, str] = {}
    for spec in SPECS:
        if spec.env and env.get(spec.env, "").strip():
            values[spec.name], where[spec.name] = env[spec.env], spec.env
    return Layer("environment", values, where)


def flag_layer(**flags: object) -> Layer:
    """Flags by setting name; None (and a False switch) means the flag was not given."""
    values = {name: v for name, v in flags.items() if v is not None and v is not False}
    return Layer("flag", values, {name: SPEC[name].flag or name for name in values})


def config_dir_of(env: Mapping[str, str] | None = None) -> tuple[Path, Origin]:
    """The config folder (where the file is, so the file cannot move it)."""
    env = os.environ if env is None else env
    if raw := env.get("NEREADER_CONFIG_DIR"):
        try:
            return _home(raw), Origin("environment", "NEREADER_CONFIG_DIR")
        except ValueError as exc:
            raise ConfigError(f"NEREADER_CONFIG_DIR={raw}: {exc}", "environment") from None
    return Settings().config_dir, Origin()


def resolve(*layers: Layer, config_dir: Path | None = None, config_origin: Origin = Origin(),
            polite_floor: bool = True, file_error: str | None = None,
            user_config_dir: Path | None = None) -> Resolved:
    """Defaults overridden by each layer in turn (file, environment, flags): every value is
    checked, and a remote forum is never asked faster than the polite floor."""
    defaults = Settings() if config_dir is None else Settings(config_dir=config_dir)
    if user_config_dir is not None and user_config_dir != defaults.config_dir:
        defaults = replace(defaults, user_config_dir=user_config_dir)
    values: dict[str, object] = {}
    origins: dict[str, Origin] = {"config_dir": config_origin}
    blame: dict[str, tuple[Layer, object]] = {}
    keys: dict[str, str] = {}
    for layer in layers:
        for name, raw in layer.values.items():
            spec = SPEC.get(name)
            try:
                values[name] = (_coerce(spec, raw, layer.kind) if spec
                                else _file_only(name, raw))
            except EntryError as exc:
                raise layer.blame(exc.at, raw, str(exc)) from None
            except ValueError as exc:
                raise layer.blame(name, raw, str(exc)) from None
            origins[name] = Origin(layer.kind, layer.where.get(name, ""))
            if name == "keys":  # each binding on its own line ("keys.app.quit")
                pairs: tuple[tuple[str, str], ...] = values[name]  # type: ignore[assignment]
                origins.update({f"keys.{k}": Origin(layer.kind, layer.where.get(f"keys.{k}", ""))
                                for k, _ in pairs})
                # A later file's [keys] remaps its ids over an earlier one's, id by id.
                keys.update(pairs)
                values[name] = tuple(keys.items())
            blame[name] = (layer, raw)
    size = values.get("cache.size_mb")
    settings = replace(
        defaults,
        base_url=str(values.get("base_url", defaults.base_url)),
        offline=bool(values.get("offline", defaults.offline)),
        cache_dir=_path(values.get("paths.cache_dir"), defaults.cache_dir),
        data_dir=_path(values.get("paths.data_dir"), defaults.data_dir),
        min_gap=float(_get(values, "politeness.min_gap", defaults.min_gap)),
        max_in_flight=int(_get(values, "politeness.max_in_flight", defaults.max_in_flight)),
        retries=int(_get(values, "politeness.retries", defaults.retries)),
        cache_size_limit=(int(float(size) * 2**20) if isinstance(size, int | float)
                          else defaults.cache_size_limit),
        freshness=Freshness(
            listing=float(_get(values, "freshness.listing", defaults.freshness.listing)),
            thread=float(_get(values, "freshness.thread", defaults.freshness.thread)),
            feed=float(_get(values, "freshness.feed", defaults.freshness.feed))),
        default_listing=str(values.get("default_listing", defaults.default_listing)),
        theme=str(values["theme"]) if "theme" in values else None,
        following=tuple(values.get("follow", ())),  # type: ignore[arg-type]
        keys=tuple(values.get("keys", ())),  # type: ignore[arg-type]
        sections=tuple(values.get("sections", ())),  # type: ignore[arg-type]
        jump_to_new=bool(values.get("reading.jump_to_new", defaults.jump_to_new)),
    )
    if polite_floor and not is_loopback(settings.base_url):
        host = split(settings.base_url).hostname
        for name, bad in (("politeness.min_gap", settings.min_gap < POLITE_GAP),
                          ("politeness.max_in_flight", settings.max_in_flight > POLITE_IN_FLIGHT)):
            if bad and name in blame:
                layer, raw = blame[name]
                limit = (f"at least {POLITE_GAP} s" if name.endswith("gap")
                         else f"at most {POLITE_IN_FLIGHT}")
                raise layer.blame(name, raw, f"must be {limit} for {host} (the polite floor; "
                                  "only a loopback base URL may go further)")
    return Resolved(settings, origins, file_error)


def is_loopback(base_url: str) -> bool:
    host = (split(base_url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def from_environment(
    env: Mapping[str, str] | None = None,
    *,
    base_url: str | None = None,
    offline: bool | None = None,
    cache_dir: str | None = None,
    data_dir: str | None = None,
    min_gap: float | None = None,
) -> Settings:
    """Settings from ``NEREADER_*`` variables, with explicit flags taking precedence (no file)."""
    config_dir, origin = config_dir_of(env)
    flags = flag_layer(base_url=base_url, offline=offline, **{
        "paths.cache_dir": cache_dir, "paths.data_dir": data_dir,
        "politeness.min_gap": min_gap})
    return resolve(environment_layer(env), flags, config_dir=config_dir,
                   config_origin=origin).settings


# -- checking one value ----------------------------------------------------------------------
def _get(values: Mapping[str, object], name: str, default: float) -> float:
    value = values.get(name, default)
    return value if isinstance(value, int | float) else default


def _path(value: object, default: Path) -> Path:
    return value if isinstance(value, Path) else default


def _number(raw: object) -> float:
    if isinstance(raw, bool):
        raise ValueError("must be a number, not true/false")
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if not text.isascii():  # float() reads "١" (Arabic-Indic one) as 1: not a setting's digits
            raise ValueError(f"must be a number in ASCII digits (0-9), not {echo(raw)}")
        try:
            return float(text)
        except ValueError:
            pass
    shown = echo(raw) if isinstance(raw, str) else repr(raw)
    raise ValueError(f"must be a number, not {shown}")


def _coerce(spec: Spec, raw: object, source: str = "flag") -> object:
    """The value of one setting, or ValueError saying what is wrong with it (``source``: the
    layer it comes from, which says what a relative path is relative to)."""
    kind = spec.kind
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in _TRUE | _FALSE:
            return word in _TRUE
        raise ValueError(f"must be true or false (1/0, yes/no, on/off), not {raw!r}")
    if kind in {"seconds", "count", "number"}:
        value = _number(raw)
        whole = kind == "count"
        if not math.isfinite(value) or not spec.low <= value <= spec.high or (
                whole and value != int(value)):
            what = {"seconds": "a number of seconds", "count": "a whole number"}.get(
                kind, "a number")
            raise ValueError(f"must be {what} from {_bound(spec.low)} to {_bound(spec.high)}, "
                             f"not {raw!r}")
        return int(value) if whole else value
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"must be {_what(kind, raw)}, not {raw!r}")
    if kind == "url":
        try:
            return _idna_checked(normalise_base(raw))
        except UsageError as exc:
            reason = str(exc)
            if reason.startswith("base URL "):  # "base URL must be ...": the setting's words
                raise ValueError(reason.removeprefix("base URL ")) from None
            raise ValueError(f"must be {_what(kind, raw)}, not {redact(raw.strip())!r} (it "
                             "does not read as a URL)") from None
    if kind == "path":
        return _home(raw, relative_ok=source == "flag")
    if kind == "listing":
        return _listing_key(raw)
    if len(raw) > 100 or not raw.isprintable():
        raise ValueError(f"must be a short name, not {raw!r}")
    return raw.strip()


# What a setting of each kind must be, as its message says it, and an example.
_WHAT = {"url": ("the forum's address, http:// or https:// with a host",
                 '"https://developer.apple.com"'),
         "path": ("a folder", '"~/.cache/nereader"'),
         "listing": ("a listing: a tag slug, topics/TOPIC[/SUB], allposts or a listing URL",
                     '"networkextension"'),
         "text": ("a name", '"nord"'),
         "keys": ("one key or several separated by commas, in Textual's key names",
                  '"r,ctrl+r"; the comma key is "comma"')}


def _what(kind: str, raw: object) -> str:
    """What a setting must be ("in quotes" first when the file gave something else than
    text: a number, a table)."""
    what, example = _WHAT[kind]
    return f"{'' if isinstance(raw, str) else 'in quotes: '}{what} (e.g. {example})"


def _home(raw: str, relative_ok: bool = False) -> Path:
    """A folder as given: ``~`` expanded; a relative one is the current folder's when given
    as a flag, and refused anywhere else (an environment variable or the file is read from
    whatever folder nereader runs in, so the folder would change with it)."""
    try:
        path = Path(raw.strip()).expanduser()
    except RuntimeError:  # ~nosuchuser, or no HOME at all
        raise ValueError(f"cannot be expanded: no home folder for {raw.split('/')[0]}") from None
    if path.is_absolute():
        return path
    if relative_ok:
        try:
            return Path.cwd() / path
        except OSError:  # the current folder was removed
            raise ValueError("is relative, and the current folder is gone") from None
    raise ValueError("must be an absolute path (or start with ~): a relative one would be "
                     "another folder in each folder nereader runs from")


def _idna_checked(base: str) -> str:
    """A base URL whose punycode (``xn--``) host decodes, as httpx decodes it each request."""
    host = split(base).hostname or ""
    if any(label.startswith("xn--") for label in host.split(".")):
        import idna  # httpx's own dependency, and what it decodes punycode hosts with

        try:
            idna.decode(host)
        except ValueError as exc:  # idna.IDNAError is a UnicodeError, so a ValueError
            raise ValueError(f"the host {host!r} is not a valid IDNA name ({exc})") from None
    return base


def _bound(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _listing_key(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"must be {_what('listing', raw)}, not {raw!r}")
    try:
        return parse_listing_ref(raw)[0].key
    except UsageError:
        raise ValueError(f"must be {_what('listing', raw)}, not {raw.strip()!r}") from None


def follow_keys(raw: object) -> tuple[str, ...]:
    """The ``follow`` list as listing keys: ValueError when it is not a list, EntryError
    naming the entry (``follow[2]``) that is not a listing."""
    if not isinstance(raw, list):
        raise ValueError(f'must be a list of listings, e.g. ["networkextension"], not {raw!r}')
    keys = []
    for n, entry in enumerate(raw, 1):
        try:
            keys.append(_listing_key(entry))
        except ValueError as exc:
            raise EntryError(str(exc), f"follow[{n}]") from None
    return tuple(dict.fromkeys(keys))


def _file_only(name: str, raw: object) -> object:
    """``follow`` (listings) and ``keys`` (binding id = keys): the file alone holds them."""
    if name == "follow":
        return follow_keys(raw)
    if name == "keys":
        if not isinstance(raw, dict):
            raise ValueError(f'must be a table of binding id = "keys" ([keys], then '
                             f'"main.refresh" = "ctrl+r"), not {raw!r}')
        return tuple(_key_entry(key, value) for key, value in raw.items())
    if name == "sections":
        return section_list(raw)
    raise ValueError("is not a setting nereader knows")


def _key_entry(binding: str, value: object) -> tuple[str, str]:
    """One ``[keys]`` entry, its keys tidied (``"r, ctrl+r"``: ``"r,ctrl+r"``); a problem is
    an EntryError naming the entry (``keys.app.quit``), so the message points at its line.
    Whether each key is one Textual knows is the app's to say (``ui.bindings``)."""
    at = f"keys.{binding}"
    if isinstance(value, dict):  # app.quit = "q", unquoted: TOML reads {"app": {"quit": ...}}
        leaf = binding
        while isinstance(value, dict) and value:
            inner, value = next(iter(value.items()))
            leaf += f".{inner}"
        raise EntryError(f'needs quotes: write "{leaf}" = "..."; unquoted, TOML reads the '
                         "dots of a binding id as tables", f"keys.{leaf}")
    if not _BINDING_ID.match(binding):
        raise EntryError("is not a binding id (ids look like main.refresh; `nereader config "
                         "keys` lists them)", at)
    if not isinstance(value, str):
        raise EntryError(f"must be {_what('keys', value)}, not {value!r}", at)
    keys = [key.strip() for key in value.split(",")]
    if not any(keys):
        raise EntryError(f"names no key, so {binding} would have none: it must be "
                         f"{_what('keys', value)}, not {value!r}", at)
    if not all(keys):
        raise EntryError(f"has an empty key between commas: it must be "
                         f"{_what('keys', value)}, not {value!r}", at)
    return binding, ",".join(keys)


_SECTION_KEYS = ("name", "query", "listing")


def section_list(raw: object) -> tuple[Section, ...]:
    """``[[sections]]`` as sections: each a table with a ``name``, a ``query`` in the filter
    language, and optionally a ``listing`` (default: the inbox). A problem is an EntryError
    naming the entry and key (``sections[2].query``); a bad query gives the filter
    language's own error, with its column."""
    from nereader.core.query import Query, QueryError  # only for a file with sections

    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise ValueError('must be tables, each [[sections]] with name = "..." and '
                         'query = "..." (and listing = "..." for a listing\'s threads)')
    out: list[Section] = []
    names: set[str] = set()
    for n, entry in enumerate(raw, 1):
        at = f"sections[{n}]"
        for key in entry:
            if key not in _SECTION_KEYS:
                raise EntryError(f"is not a key of a section (use {', '.join(_SECTION_KEYS)})",
                                 f"{at}.{key}")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise EntryError('needs a name: name = "..."', f"{at}.name" if "name" in entry
                             else at)
        name = " ".join(name.split())
        if len(name) > MAX_SECTION_NAME or not name.isprintable():
            raise EntryError(f"must be a short line of text (at most {MAX_SECTION_NAME} "
                             f"characters), not {name!r}", f"{at}.name")
        if name.casefold() in names:
            raise EntryError(f"{name!r} names two sections; each needs its own name",
                             f"{at}.name")
        names.add(name.casefold())
        query = entry.get("query", "")
        if not isinstance(query, str):
            raise EntryError(f"must be a filter query in quotes, not {query!r}", f"{at}.query")
        try:
            Query.parse(query)
        except QueryError as exc:
            raise EntryError(f"is not a filter query: {exc.one_line(query)}",
                             f"{at}.query") from None
        listing = entry.get("listing")
        if listing is not None:
            try:
                listing = _listing_key(listing)
            except ValueError as exc:
                raise EntryError(str(exc), f"{at}.listing") from None
        out.append(Section(name, query.strip(), listing))
    return tuple(out)
