"""Drive a program in a private tmux server: start it, send keys, poll the screen for changes.

What a person sees is what tmux holds: ``capture-pane -e`` gives the text with its colours, so a
focus change (only a colour) counts as a visible response too.
"""

from __future__ import annotations

import itertools
import math
import os
import shlex
import subprocess
import time
from collections.abc import Callable, Sequence

_SERVERS = itertools.count()


class Tmux:
    """One tmux session on a private socket (never the user's tmux server)."""

    def __init__(self, command: Sequence[str], width: int = 160, height: int = 45,
                 env: dict[str, str] | None = None) -> None:
        self.socket = f"nereader-bench-{os.getpid()}-{next(_SERVERS)}"
        self.session = "bench"
        self.command = command
        self.width, self.height = width, height
        self.env = env or {}

    def _tmux(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, check=False)

    def start(self) -> float:
        """Start the program; returns the moment just before tmux was asked to (perf_counter).

        Bytecode is written and read as on a user's machine (an installed package has its .pyc
        files), whatever PYTHONDONTWRITEBYTECODE says here: run once to warm up."""
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        command = f"env -u PYTHONDONTWRITEBYTECODE {env} {shlex.join(self.command)}"
        started = time.perf_counter()
        self._tmux("new-session", "-d", "-s", self.session, "-x", str(self.width),
                   "-y", str(self.height), command)
        return started

    def screen(self, colours: bool = True) -> str:
        args = ["capture-pane", "-p", "-t", self.session]
        if colours:
            args.insert(2, "-e")
        return self._tmux(*args).stdout

    def send(self, *keys: str) -> float:
        started = time.perf_counter()
        self._tmux("send-keys", "-t", self.session, *keys)
        return started

    def wait(self, ready: Callable[[str], bool], timeout: float = 20.0,
             colours: bool = True) -> float:
        """Poll until ``ready(screen)``; returns the moment it was seen (perf_counter)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if ready(self.screen(colours)):
                return time.perf_counter()
        raise TimeoutError(f"the screen never got ready:\n{self.screen(False)}")

    def settle(self, quiet: float = 0.25, timeout: float = 20.0) -> str:
        """Wait until the screen has not changed for ``quiet`` seconds; returns it."""
        deadline = time.perf_counter() + timeout
        last, since = self.screen(), time.perf_counter()
        while time.perf_counter() < deadline:
            time.sleep(0.01)
            now = self.screen()
            if now != last:
                last, since = now, time.perf_counter()
            elif time.perf_counter() - since >= quiet:
                return now
        return last

    def key_response(self, key: str, timeout: float = 5.0) -> float:
        """Seconds from sending ``key`` to the first change on the screen (inf: none)."""
        before = self.settle()
        sent = self.send(key)
        try:
            seen = self.wait(lambda screen: screen != before, timeout)
        except TimeoutError:
            return math.inf
        return seen - sent

    def stop(self) -> None:
        self._tmux("kill-server")
