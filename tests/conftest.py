"""Shared test helpers: fixture pages live in tests/fixtures/forums (never ../shared)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from hypothesis import settings

from nereader.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "forums"
FETCHED_AT = datetime(2026, 6, 12, 12, 0, tzinfo=UTC)

# Property tests draw the same examples on every run, in every worker and on every machine: a
# failure fails again until fixed, and a green run cannot turn red on a lucky draw.
# `pytest --hypothesis-profile=explore` draws new examples each run (keeping any failure in
# .hypothesis/ to replay).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile("repeatable")


def pytest_configure(config: pytest.Config) -> None:
    """A repeatable run writes nothing into the checkout: Hypothesis keeps its other files
    (a cache of the constants it reads from the code) in a folder of this process's own."""
    if config.getoption("hypothesis_profile", None) in (None, "repeatable"):
        home = tempfile.mkdtemp(prefix="nereader-hypothesis-")
        os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = home
        config.add_cleanup(partial(shutil.rmtree, home, ignore_errors=True))


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


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the network: a connection anywhere but this machine fails at once
    (the local forum's loopback port, Unix sockets and socket pairs stay open)."""
    import ipaddress
    import socket

    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def local(address: object) -> bool:
        if not isinstance(address, tuple):
            return True  # a Unix socket's path
        host = str(address[0])
        try:
            return host == "localhost" or ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False

    def guarded(sock: socket.socket, address: object) -> None:
        if not local(address):
            raise OSError(101, f"a test tried to reach {address!r}: tests never use the network")
        connect(sock, address)  # type: ignore[arg-type]

    def guarded_ex(sock: socket.socket, address: object) -> int:
        return connect_ex(sock, address) if local(address) else 101  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)


@pytest.fixture
def demo_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path):  # type: ignore[no-untyped-def]
    """The CLI on the in-process demo forum, in throwaway folders: (code, stdout, stderr)."""

    def go(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--demo", "--cache-dir", str(tmp_path / "c"),
                     "--data-dir", str(tmp_path / "d")])
        out, err = capsys.readouterr()
        return code, out, err

    return go
