"""Which way a copy goes: the platform's clipboard command, else OSC 52 (said honestly)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from nereader.ui.clipboard import TMUX_HINT, Clipboard


def board(env: dict[str, str], have: set[str], works: set[str] | None = None,
          tmux: str = "", platform: str = "linux") -> tuple[Clipboard, list[list[str]]]:
    ran: list[list[str]] = []

    def run(argv: Sequence[str], data: bytes) -> bool:
        ran.append(list(argv))
        assert data == "héllo".encode()
        return argv[0] in (have if works is None else works)

    return Clipboard(env=env, which=lambda name: name if name in have else None, run=run,
                     ask=lambda argv: tmux, platform=platform), ran


@pytest.mark.parametrize(
    ("env", "have", "platform", "expected"),
    [
        ({}, {"pbcopy"}, "darwin", [["pbcopy"]]),
        ({"WAYLAND_DISPLAY": "w"}, {"wl-copy", "xclip"}, "linux", [["wl-copy"]]),
        ({"DISPLAY": ":0"}, {"xclip", "xsel"}, "linux",
         [["xclip", "-selection", "clipboard"], ["xsel", "--clipboard", "--input"]]),
        ({"DISPLAY": ":0"}, {"xsel"}, "linux", [["xsel", "--clipboard", "--input"]]),
        ({}, {"xclip", "wl-copy"}, "linux", []),  # no display: nothing to talk to
        ({"WSL_DISTRO_NAME": "Ubuntu"}, {"clip.exe"}, "linux", [["clip.exe"]]),
    ],
)
def test_commands_found(env: dict[str, str], have: set[str], platform: str,
                        expected: list[list[str]]) -> None:
    clipboard, _ = board(env, have, platform=platform)
    assert clipboard.commands() == expected


def test_the_first_command_that_works_is_named() -> None:
    clipboard, ran = board({"DISPLAY": ":0"}, {"xclip", "xsel"}, works={"xsel"})
    assert clipboard.copy("héllo").how == "xsel"
    assert [argv[0] for argv in ran] == ["xclip", "xsel"]


@pytest.mark.parametrize(
    ("env", "tmux", "how", "hint"),
    [
        ({"TMUX": "x"}, "on", "the terminal (OSC 52)", ""),
        ({"TMUX": "x"}, "external", None, TMUX_HINT),
        ({"TMUX": "x"}, "", None, TMUX_HINT),
        ({"TERM_PROGRAM": "Apple_Terminal"}, "", None, "macOS Terminal ignores OSC 52"),
        ({}, "", "the terminal (OSC 52, if it supports it)", ""),
    ],
)
def test_without_a_command_osc52_is_judged(env: dict[str, str], tmux: str, how: str | None,
                                           hint: str) -> None:
    clipboard, ran = board(env, set(), tmux=tmux)
    copied = clipboard.copy("héllo")
    assert (copied.how, copied.hint) == (how, hint) and ran == []
