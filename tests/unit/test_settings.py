"""Settings: every value from every source checked with bounds; precedence; the polite floor."""

from __future__ import annotations

from pathlib import Path

import pytest

from nereader.cli import main
from nereader.core.settings import (
    ConfigError,
    Layer,
    Origin,
    environment_layer,
    flag_layer,
    resolve,
)

BAD_VALUES = [
    ("NEREADER_CACHE_MB", "nan"), ("NEREADER_CACHE_MB", "inf"), ("NEREADER_CACHE_MB", "0"),
    ("NEREADER_RETRIES", "nan"), ("NEREADER_RETRIES", "inf"), ("NEREADER_RETRIES", "1e9"),
    ("NEREADER_RETRIES", "2.5"), ("NEREADER_RETRIES", "-1"),
    ("NEREADER_MIN_GAP", "inf"), ("NEREADER_MIN_GAP", "1e308"), ("NEREADER_MIN_GAP", "-0.5"),
    ("NEREADER_MIN_GAP", "fast"), ("NEREADER_FRESH_LISTING", "nan"),
    ("NEREADER_FRESH_THREAD", "1e12"), ("NEREADER_MAX_IN_FLIGHT", "0"),
    ("NEREADER_MAX_IN_FLIGHT", "100"), ("NEREADER_OFFLINE", "maybe"),
    ("NEREADER_BASE_URL", "file:///etc/passwd"), ("NEREADER_LISTING", "https://example.com/x"),
]


@pytest.mark.parametrize(("var", "value"), BAD_VALUES)
def test_bad_environment_values_are_one_clear_error(var: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve(environment_layer({var: value}), flag_layer(base_url="http://127.0.0.1:1"))
    message = str(caught.value)
    assert message.startswith(f"{var}={value}: ") and "\n" not in message
    assert caught.value.origin == "environment" and caught.value.exit_code == 2


@pytest.mark.parametrize(("var", "value"), [("NEREADER_RETRIES", "1e9"),
                                            ("NEREADER_MIN_GAP", "1e308"),
                                            ("NEREADER_CACHE_MB", "nan")])
def test_the_cli_exits_2_at_once_instead_of_hanging_or_crashing(
        var: str, value: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(var, value)
    assert main(["list", "--base-url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"nereader: error: {var}={value}:") and err.count("\n") == 1


def test_good_values_and_where_they_came_from(tmp_path: Path) -> None:
    file = Layer("file", {"politeness.retries": 5, "freshness.listing": 60,
                          "base_url": "http://127.0.0.1:8"},
                 {"politeness.retries": "line 3", "freshness.listing": "line 5",
                  "base_url": "line 1"}, "config.toml")
    env = environment_layer({"NEREADER_RETRIES": "2", "NEREADER_CACHE_MB": "64",
                             "NEREADER_OFFLINE": "yes"})
    flags = flag_layer(base_url="http://127.0.0.1:9/", offline=False,
                       **{"paths.cache_dir": str(tmp_path / "c")})
    resolved = resolve(file, env, flags, config_dir=tmp_path)
    s = resolved.settings
    assert (s.retries, s.freshness.listing, s.cache_size_limit) == (2, 60.0, 64 * 2**20)
    assert s.base_url == "http://127.0.0.1:9" and s.offline and s.cache_dir == tmp_path / "c"
    origins = resolved.origins
    assert origins["politeness.retries"] == Origin("environment", "NEREADER_RETRIES")
    assert origins["freshness.listing"] == Origin("file", "line 5")
    assert origins["base_url"] == Origin("flag", "--base-url")
    assert origins["paths.cache_dir"] == Origin("flag", "--cache-dir")
    assert "politeness.min_gap" not in origins  # a default
    assert s.config_file == tmp_path / "config.toml"


def test_the_polite_floor_holds_for_a_remote_forum_only() -> None:
    for env in ({"NEREADER_MIN_GAP": "0.1"}, {"NEREADER_MAX_IN_FLIGHT": "3"}):
        with pytest.raises(ConfigError, match="polite floor"):
            resolve(environment_layer(env))
        with pytest.raises(ConfigError, match="polite floor"):
            resolve(environment_layer(env), flag_layer(base_url="https://forums.example"))
        # A loopback forum (the local test forum) may go further, and so may the demo.
        for base in ("http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:2"):
            resolve(environment_layer(env), flag_layer(base_url=base))
        resolve(environment_layer(env), polite_floor=False)
    assert resolve(environment_layer({"NEREADER_MIN_GAP": "0.5"})).settings.min_gap == 0.5


def test_a_file_value_is_blamed_with_its_line() -> None:
    file = Layer("file", {"politeness.min_gap": 0.2}, {"politeness.min_gap": "line 7"},
                 "/x/config.toml")
    with pytest.raises(ConfigError) as caught:
        resolve(file)
    assert str(caught.value).startswith("/x/config.toml line 7: politeness.min_gap must be at "
                                        "least 0.5 s")
    assert caught.value.origin == "file"
    bad = Layer("file", {"follow": ["ok", "https://example.com/x"]}, {"follow": "line 2"}, "f")
    with pytest.raises(ConfigError, match="f line 2: follow"):
        resolve(bad)
    keys = Layer("file", {"keys": {"main.refresh": 3}}, {"keys": "line 9"}, "f")
    with pytest.raises(ConfigError, match="f line 9: keys"):
        resolve(keys)


def test_flags_override_the_environment_which_overrides_the_file() -> None:
    file = Layer("file", {"base_url": "http://127.0.0.1:1", "follow": ["networkextension"],
                          "keys": {"main.refresh": "ctrl+r"}, "theme": "nord"})
    env = environment_layer({"NEREADER_BASE_URL": "http://127.0.0.1:2"})
    assert resolve(file).settings.base_url == "http://127.0.0.1:1"
    assert resolve(file, env).settings.base_url == "http://127.0.0.1:2"
    settings = resolve(file, env, flag_layer(base_url="http://127.0.0.1:3")).settings
    assert settings.base_url == "http://127.0.0.1:3"
    assert settings.following == ("networkextension",) and settings.theme == "nord"
    assert settings.keymap == {"main.refresh": "ctrl+r"}
