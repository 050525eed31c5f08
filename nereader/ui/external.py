"""Reading a thread in the user's own pager or editor, with the app suspended meanwhile."""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from textual.app import App, SuspendNotSupported

Kind = Literal["pager", "editor"]
# Programs that open a file at a line when given "+N" before it.
_PLUS_LINE = {"less", "more", "most", "vi", "vim", "nvim", "view", "nano", "pico", "emacs",
              "emacsclient", "micro", "kak", "ne", "joe", "mg", "jed"}


def command(kind: Kind, path: Path, line: int,
            environ: Mapping[str, str] = os.environ) -> list[str]:
    """The command line that shows ``path`` at ``line``: ``$PAGER`` (``less -R`` by default)
    or ``$VISUAL`` / ``$EDITOR`` (``vi``)."""
    if kind == "pager":
        spec = environ.get("PAGER") or "less -R"
    else:
        spec = environ.get("VISUAL") or environ.get("EDITOR") or "vi"
    argv = shlex.split(spec) or ["less"]
    program = Path(argv[0]).name
    if line > 1 and program == "less":
        argv.append(f"+{line}g")  # "+N" alone is no command to less
    elif line > 1 and program in _PLUS_LINE:
        argv.append(f"+{line}")
    elif line > 1 and program in {"hx", "helix", "code", "subl"}:
        return [*argv, *(["-g"] if program == "code" else []), f"{path}:{line}"]
    return [*argv, str(path)]


def _write(text: str, name: str) -> Path:
    handle, raw = tempfile.mkstemp(prefix=f"nereader-{name}-", suffix=".md")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    return Path(raw)


def _run(argv: list[str]) -> int:
    return subprocess.run(argv, check=False).returncode


async def show_text(app: App[object], kind: Kind, text: str, name: str, line: int = 1) -> None:
    """Write ``text`` to a temporary file, run the pager or editor on it with the app suspended,
    and remove the file. Problems become notifications; the app always comes back."""
    path = await asyncio.to_thread(_write, text, name)
    argv = command(kind, path, line)
    try:
        # Blocking on purpose: while the program owns the terminal nothing else may draw.
        with app.suspend():
            code = _run(argv)
        if code not in (0, None):
            app.notify(f"{shlex.join(argv[:-1])} ended with exit code {code}",
                       severity="warning", markup=False)
    except SuspendNotSupported:
        app.notify("This terminal cannot hand the screen to another program.",
                   severity="error")
    except OSError as exc:
        variable = "$PAGER" if kind == "pager" else "$EDITOR"
        app.notify(f"Could not run {argv[0]!r} ({exc.strerror or exc}); set {variable}.",
                   severity="error", markup=False)
    finally:
        await asyncio.to_thread(path.unlink, True)
