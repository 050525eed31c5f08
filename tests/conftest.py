"""Shared test helpers: fixture pages live in tests/fixtures/forums (never ../shared)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nereader.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "forums"
FETCHED_AT = datetime(2026, 6, 12, 12, 0, tzinfo=UTC)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def expected() -> dict:  # type: ignore[type-arg]
    return json.loads(fixture_text("expected.json"))


@pytest.fixture(autouse=True)
def _no_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's real cache, data or config directories."""
    root = tmp_path_factory.mktemp("home")
    for var in ("NEREADER_CACHE_DIR", "NEREADER_DATA_DIR", "NEREADER_CONFIG_DIR"):
        monkeypatch.setenv(var, str(root / var.lower()))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(root / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "xdg-config"))
    monkeypatch.delenv("NEREADER_BASE_URL", raising=False)
    monkeypatch.delenv("NEREADER_OFFLINE", raising=False)


@pytest.fixture
def demo_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path):  # type: ignore[no-untyped-def]
    """The CLI on the in-process demo forum, in throwaway folders: (code, stdout, stderr)."""

    def go(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--demo", "--cache-dir", str(tmp_path / "c"),
                     "--data-dir", str(tmp_path / "d")])
        out, err = capsys.readouterr()
        return code, out, err

    return go
