"""Settings and paths: built once by the CLI from flags and environment, passed to constructors."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

from nereader import __version__
from nereader.core.errors import UsageError
from nereader.core.urls import DEFAULT_BASE, normalise_base

APP = "nereader"
PROJECT_URL = "https://github.com/nereader/nereader"
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Freshness:
    """How long a cached page counts as fresh, in seconds, per page kind."""

    listing: float = 600.0
    thread: float = 1800.0
    feed: float = 600.0


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
    max_in_flight: int = 2
    min_gap: float = 0.5
    retries: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 10.0
    retry_after_cap: float = 60.0
    network_down_for: float = 30.0
    cache_size_limit: int = 512 * 1024 * 1024
    freshness: Freshness = field(default_factory=Freshness)

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise UsageError(f"{name} must be a number, not {raw!r}") from exc
    if value < 0:
        raise UsageError(f"{name} must not be negative")
    return value


def from_environment(
    env: Mapping[str, str] | None = None,
    *,
    base_url: str | None = None,
    offline: bool | None = None,
    cache_dir: str | None = None,
    data_dir: str | None = None,
    min_gap: float | None = None,
) -> Settings:
    """Settings from ``NEREADER_*`` variables, with explicit flags taking precedence."""
    env = os.environ if env is None else env
    defaults = Settings()
    base = normalise_base(base_url or env.get("NEREADER_BASE_URL") or DEFAULT_BASE)
    off = offline if offline else (env.get("NEREADER_OFFLINE", "").strip().lower() in _TRUE)
    cache = cache_dir or env.get("NEREADER_CACHE_DIR")
    data = data_dir or env.get("NEREADER_DATA_DIR")
    config = env.get("NEREADER_CONFIG_DIR")
    gap = min_gap if min_gap is not None else _float(env, "NEREADER_MIN_GAP", defaults.min_gap)
    fresh = Freshness(
        listing=_float(env, "NEREADER_FRESH_LISTING", defaults.freshness.listing),
        thread=_float(env, "NEREADER_FRESH_THREAD", defaults.freshness.thread),
        feed=_float(env, "NEREADER_FRESH_FEED", defaults.freshness.feed),
    )
    size = _float(env, "NEREADER_CACHE_MB", defaults.cache_size_limit / 2**20)
    retries = int(_float(env, "NEREADER_RETRIES", defaults.retries))
    return replace(
        defaults,
        base_url=base,
        offline=bool(off),
        cache_dir=Path(cache).expanduser() if cache else defaults.cache_dir,
        data_dir=Path(data).expanduser() if data else defaults.data_dir,
        config_dir=Path(config).expanduser() if config else defaults.config_dir,
        min_gap=gap,
        freshness=fresh,
        cache_size_limit=int(size * 2**20),
        retries=retries,
    )
