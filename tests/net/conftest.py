"""A real local forum on 127.0.0.1 for the fetcher, cache, service and CLI tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from nereader.cli import main
from nereader.core.service import ForumService
from nereader.core.settings import Settings
from nereader.localforum.server import ForumServer
from nereader.localforum.site import Site
from tests.conftest import FIXTURES


@pytest.fixture
def site() -> Site:
    return Site.from_directory(FIXTURES)


@pytest.fixture
def server(site: Site) -> Iterator[ForumServer]:
    with ForumServer(site) as srv:
        yield srv


@pytest.fixture
def cli(server: ForumServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch):
    """The CLI against the local forum server: (exit code, stdout, stderr)."""
    monkeypatch.setenv("NEREADER_MIN_GAP", "0")
    monkeypatch.setenv("NEREADER_RETRIES", "1")

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--base-url", server.base_url, "--cache-dir", str(tmp_path / "c")])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def make_settings(base_url: str, cache_dir: Path, **changes: object) -> Settings:
    settings = Settings(
        base_url=base_url, cache_dir=cache_dir, data_dir=cache_dir.parent / "data",
        min_gap=0.0, backoff_base=0.01, backoff_cap=0.05, retry_after_cap=2.0,
        connect_timeout=2.0, read_timeout=5.0,
    )
    return settings.with_(**changes)


@pytest.fixture
def settings(server: ForumServer, tmp_path: Path) -> Settings:
    return make_settings(server.base_url, tmp_path / "cache")


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[ForumService]:
    svc = ForumService(settings)
    yield svc
    await svc.aclose()
