"""Copying to the clipboard: the platform's command, OSC 52 through the terminal, or by hand.

Copying uses the platform's command when there is one (pbcopy, wl-copy, xclip, xsel,
clip.exe), besides OSC 52 through the terminal, and gives a plain account of which way went.

OSC 52 is silent when it fails: tmux drops it unless ``set-clipboard`` is ``on``, and macOS
Terminal ignores it. So a copy that has no command to go through and no working OSC 52 says
so, and the app shows the text to select instead. Blocking work (running the command, asking
tmux) happens in a thread.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App

TMUX_HINT = "tmux: `set -g set-clipboard on` in ~/.tmux.conf lets nereader copy for you"
Runner = Callable[[Sequence[str], bytes], bool]


@dataclass(frozen=True, slots=True)
class Copied:
    """How a copy went: ``how`` names the way (None: no way known to work), ``hint`` says
    what would make it work."""

    how: str | None
    hint: str = ""


def _run(argv: Sequence[str], data: bytes) -> bool:
    try:
        done = subprocess.run(list(argv), input=data, timeout=3, check=False,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _ask(argv: Sequence[str]) -> str:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=2,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


class Clipboard:
    """Finds the ways to copy on this machine; ``copy`` tries them (call it in a thread)."""

    def __init__(self, env: Mapping[str, str] | None = None,
                 which: Callable[[str], str | None] = shutil.which,
                 run: Runner = _run, ask: Callable[[Sequence[str]], str] = _ask,
                 platform: str = sys.platform) -> None:
        self.env = os.environ if env is None else env
        self.which = which
        self.run = run
        self.ask = ask
        self.platform = platform

    def commands(self) -> list[list[str]]:
        """The clipboard commands this machine has, best first."""
        env, found = self.env, []
        wanted: list[list[str]] = []
        if self.platform == "darwin":
            wanted.append(["pbcopy"])
        if env.get("WAYLAND_DISPLAY"):
            wanted.append(["wl-copy"])
        if env.get("DISPLAY"):
            wanted += [["xclip", "-selection", "clipboard"], ["xsel", "--clipboard", "--input"]]
        if self.platform == "win32" or env.get("WSL_DISTRO_NAME"):
            wanted.append(["clip.exe"])
        for argv in wanted:
            if self.which(argv[0]):
                found.append(argv)
        return found

    def osc52(self) -> tuple[bool | None, str]:
        """Whether OSC 52 reaches the clipboard: True, False (with why), None (cannot tell)."""
        if self.env.get("TERM_PROGRAM") == "Apple_Terminal":
            return False, "macOS Terminal ignores OSC 52"
        if self.env.get("TMUX"):
            setting = self.ask(["tmux", "show-options", "-gv", "set-clipboard"])
            if setting != "on":
                return False, TMUX_HINT
            return True, ""
        return None, ""

    def copy(self, text: str) -> Copied:
        """Try the commands; report the first that worked, else how OSC 52 will fare."""
        data = text.encode("utf-8")
        for argv in self.commands():
            if self.run(argv, data):
                return Copied(argv[0])
        works, why = self.osc52()
        if works is False:
            return Copied(None, why)
        return Copied("the terminal (OSC 52)" if works else "the terminal (OSC 52, if it "
                      "supports it)")


class CopyRequested(Message):
    """A widget wants ``text`` on the clipboard; ``what`` names it in the one notice."""

    def __init__(self, text: str, what: str = "") -> None:
        super().__init__()
        self.text = text
        self.what = what


async def copy_or_show(app: App[None], clipboard: Clipboard, text: str, what: str = "") -> None:
    """Copy (in a thread) and say, once, what went which way; or show the text to copy by
    hand."""
    copied = await asyncio.to_thread(clipboard.copy, text)
    if copied.how is not None:
        app.notify(f"Copied {what + ' ' if what else ''}through {copied.how}.",
                   title="Clipboard", timeout=3, markup=False)
        return
    from nereader.ui.screens.dialogs import CopyScreen

    app.push_screen(CopyScreen(text, copied.hint))
