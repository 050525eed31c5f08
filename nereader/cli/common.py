"""What every command shares: global options, building the service, output and progress."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from nereader.core.errors import OfflineError, UsageError
from nereader.core.service import ForumService, load_settings
from nereader.core.settings import Origin, Resolved, Settings, config_dir_of, flag_layer
from nereader.core.text import age_text, clean, echo, one_line
from nereader.core.urls import ThreadRef, parse_thread_ref, redact

# What a command prints with (the models, asyncio) loads when it runs: routing a command, or
# printing help, needs none of it.
if TYPE_CHECKING:
    from nereader.core.models import ServiceEvent, Sourced, ThreadSummary

# Options every command (and the app) takes, before or after the command.
GLOBAL_FLAGS = {
    "--offline": "never touch the network; read only the cache (NEREADER_OFFLINE=1)",
    "--demo": "use the bundled fixture forum instead of the site (no network)",
    "--debug": "show tracebacks on errors (NEREADER_DEBUG=1)",
}
GLOBAL_VALUES = {
    "--base-url": "forum base URL, http(s) only (NEREADER_BASE_URL)",
    "--cache-dir": "page cache folder (NEREADER_CACHE_DIR)",
    "--data-dir": "bookmarks and state folder (NEREADER_DATA_DIR)",
}


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def whole_number(text: str) -> int:
    """An option's number (``--page``, ``--limit``): ASCII digits only, as a script writes
    them (``int`` would also take "١٢" or "1_0" for 12 and 10)."""
    digits = text.strip()
    if not digits.isascii() or not digits.lstrip("+-").isdigit() or len(digits) > 12:
        raise argparse.ArgumentTypeError(f"not a whole number in digits 0-9: {echo(text)}")
    return int(digits)


def add_globals(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """The global options; ``suppress`` keeps a command's copy from resetting a value given
    before the command (argparse applies a subparser's defaults last)."""
    group = parser.add_argument_group("global options")
    for flag, text in GLOBAL_FLAGS.items():
        group.add_argument(flag, action="store_true", help=text,
                           default=argparse.SUPPRESS if suppress else False)
    for flag, text in GLOBAL_VALUES.items():
        group.add_argument(flag, metavar="URL" if "url" in flag else "DIR", help=text,
                           default=argparse.SUPPRESS if suppress else None)


# -- the next command ------------------------------------------------------------------------
# Commands that need the network: a hint to run one never carries --offline.
_ONLINE = ("sync", "check", "bookmarks check")
# Commands that read a file or the config, for which the forum's flags mean nothing.
_LOCAL = ("parse", "completion", "config edit", "config path")
_HINT = re.compile(r"`nereader ([^`]*)`")


def given_flags(args: argparse.Namespace | Sequence[str]) -> list[str]:
    """The global options the user gave that a next command must repeat to reach the same
    forum and folders (``--demo``, ``--base-url``, ``--cache-dir``, ``--data-dir``, then
    ``--offline``), from parsed ``args`` or the raw words. Environment variables carry over
    by themselves; flags do not."""
    if not isinstance(args, argparse.Namespace):
        words = Parser(add_help=False)
        add_globals(words, suppress=False)
        try:
            args = words.parse_known_args(list(args))[0]
        except (UsageError, SystemExit):  # a global option without its value
            return []
    out = ["--demo"] if getattr(args, "demo", False) else []
    for name in ("base_url", "cache_dir", "data_dir"):
        value = getattr(args, name, None)
        if value:
            out += [f"--{name.replace('_', '-')}", shlex.quote(str(value))]
    if getattr(args, "offline", False):
        out.append("--offline")
    return out


def next_command(command: str, flags: Sequence[str], online: bool = False) -> str:
    """``nereader COMMAND`` with the flags the user gave (``given_flags``); ``online``: the
    command needs the network, so ``--offline`` stays out. The flags go before a ``--``, after
    which every word is an argument."""
    words = command.split()
    if online or words[:1] == ["sync"] or " ".join(words[:2]) in _ONLINE or "--refresh" in words:
        flags = [f for f in flags if f != "--offline"]
    if any(command.startswith(local) for local in _LOCAL):
        flags = []
    if not flags:
        return f"nereader {command}"
    head, dashes, tail = command.partition(" -- ")
    return f"nereader {head} {' '.join(flags)}{dashes}{tail}"


def with_flags(message: str, flags: Sequence[str]) -> str:
    """A message's suggested commands (`` `nereader ...` ``, as the core writes them) with the
    flags the user gave, so that running one reaches the same forum and folders."""
    if not flags:
        return message
    online = "while online" in message
    return _HINT.sub(lambda m: f"`{next_command(m.group(1), flags, online)}`", message)


def network_next_step(argv: Sequence[str]) -> str:
    """What to do when the site could not be reached (and what was asked for is not cached,
    or the cached copy would have been served): the network or a proxy; the app on what is
    cached (with the folders given); or the same command on the made-up demo forum (not in
    the folders given, which hold the site's pages)."""
    flags = [f for f in given_flags(argv) if f != "--offline"]
    offline = next_command("--offline", flags)
    words: list[str] = []
    skip = False
    for i, word in enumerate(argv):
        if skip:
            skip = False
        elif word == "--":
            words += argv[i:]
            break
        elif word in GLOBAL_VALUES:
            skip = True
        elif word.split("=")[0] in GLOBAL_VALUES or word in GLOBAL_FLAGS:
            continue
        else:
            words.append(word)
    demo = next_command(shlex.join(words), ["--demo"])
    return (f"; is the network up (or a proxy needed: HTTPS_PROXY)? `{offline}` reads what is "
            f"cached, `{demo}` tries a made-up forum")


# -- output ----------------------------------------------------------------------------------
def read_bounded(target: str, limit: int, what: str) -> bytes:
    """A file's bytes (``-``: standard input), refused past ``limit`` before it is all read:
    /dev/zero or a named pipe has no size to check first."""
    try:
        if target == "-":
            data = sys.stdin.buffer.read(limit + 1) if sys.stdin is not None else b""
        else:
            with Path(target).open("rb") as f:
                data = f.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {target}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise UsageError(f"{target} is over {limit // 2**20} MiB; not {what}")
    return data


def emit_json(data: Any) -> None:
    import json

    from nereader.core.models import to_jsonable

    # JSON stays exact on any terminal: \u escapes where the output cannot hold a character.
    utf = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "") == "utf8"
    json.dump(to_jsonable(data), sys.stdout, ensure_ascii=not utf, indent=2)
    sys.stdout.write("\n")


def warn(message: str, args: argparse.Namespace) -> None:
    """One line on stderr: terminal escapes removed, a line break shown as ``\\n``; a command
    it suggests carries the flags the user gave (``args``: the command's)."""
    message = with_flags(message, given_flags(args))
    print(f"nereader: warning: {one_line(clean(redact(message)))}", file=sys.stderr)


def failed(message: str, args: argparse.Namespace) -> None:
    """A failure a command goes on past (a sync's thread), indented on stderr; a command it
    suggests carries the flags the user gave."""
    print(f"  failed: {one_line(clean(with_flags(message, given_flags(args))))}", file=sys.stderr)


def report_source(result: Sourced[Any], args: argparse.Namespace) -> None:
    if result.stale:
        warn(result.warning or f"showing a cached copy {age_text(result.age_seconds)} old",
             args)


def on_event(event: ServiceEvent, args: argparse.Namespace) -> None:
    from nereader.core.models import Notice

    if isinstance(event, Notice):
        warn(event.message, args)


class ProgressBar:
    """A one-line progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{phase:8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ")
        sys.stderr.flush()
        if done >= total:
            sys.stderr.write("\n")


def fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` terminal cells: padded, or cut with "…" (a wide
    character or an emoji counts as the cells it takes, a combining mark as none)."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) > width:
        return set_cell_size(text, max(0, width - 1)) + "…"
    return set_cell_size(text, width)


def table(rows: list[ThreadSummary]) -> str:
    import shutil

    from nereader.core.marks import answer_marks

    cols = shutil.get_terminal_size((100, 24)).columns
    numbers = f"{'replies':>7} {'boosts':>6} {'views':>6} {'active':>7}"
    # Each row starts with the thread's id, to copy into `nereader show ID`.
    idw = max(len("id"), *(len(str(r.id)) for r in rows)) if rows else 2
    title_width = max(20, cols - len(numbers) - idw - 6)
    out = [f"{'id':>{idw}} {'':2} {'title':<{title_width}} {numbers}"]
    for r in rows:
        title = fit(clean(r.title), title_width)
        views = clean(r.views_text) or count_text(r.views)
        out.append(f"{r.id:>{idw}} {answer_marks(r)} {title} "
                   f"{count_text(r.replies):>7} {count_text(r.boosts):>6} {views:>6} "
                   f"{clean(r.activity_text):>7}")
    return "\n".join(out)


def count_text(value: int | None) -> str:
    """A count as shown; one that is not known (a feed's row) is "?", never 0."""
    return "?" if value is None else str(value)


# -- the service -----------------------------------------------------------------------------
def resolve_settings(args: argparse.Namespace, lenient: bool = False) -> Resolved:
    """Defaults, the config file, the environment, then the flags; every value checked (a bad
    one is a one-line error naming its source, exit 2). ``lenient`` (the app, ``config``)
    leaves out a bad config file and keeps its error in ``file_error``."""
    demo = bool(getattr(args, "demo", False))
    flags = flag_layer(base_url=getattr(args, "base_url", None),
                       offline=getattr(args, "offline", False), **{
                           "paths.cache_dir": getattr(args, "cache_dir", None),
                           "paths.data_dir": getattr(args, "data_dir", None)})
    env = dict(os.environ)
    users = None
    if demo:
        # The demo follows listings and keeps its settings in a config file of its own; the
        # theme, [keys] and saved filters stay the user's own (the main config folder's).
        users = config_dir_of(env)[0]
        env["NEREADER_CONFIG_DIR"] = str(users / "demo")
    resolved = load_settings(env, flags, lenient=lenient, polite_floor=not demo,
                             preferences=users)
    if demo:
        # The demo's pages have the site's own URLs: in the user's folders (default, file or
        # environment) they would mix with the real ones, so there they live in a demo
        # subfolder. Folders given on the command line are used as given. Its forum is
        # in-process, so it needs no politeness.
        settings = resolved.settings
        own = {name for name in ("paths.cache_dir", "paths.data_dir")
               if resolved.origins.get(name, Origin()).kind != "flag"}
        resolved = replace(resolved, settings=settings.with_(
            cache_dir=settings.cache_dir / "demo" if "paths.cache_dir" in own
            else settings.cache_dir,
            data_dir=settings.data_dir / "demo" if "paths.data_dir" in own
            else settings.data_dir, min_gap=0.0), origins={**resolved.origins, **dict.fromkeys(
                (*own, "config_dir", "politeness.min_gap"), Origin("flag", "--demo"))})
    elif (local := local_forum(resolved.settings.base_url)) is not None:
        # Nor does a forum on this machine (the local test forum) touch the user's own
        # folders: its threads are not the site's, so in the default folders its bookmarks,
        # read state and pages live apart, one folder per port. Folders given are used as given.
        settings = resolved.settings
        default = {name for name in ("paths.cache_dir", "paths.data_dir")
                   if resolved.origins.get(name, Origin()).kind == "default"}
        resolved = replace(resolved, settings=settings.with_(
            cache_dir=settings.cache_dir / local if "paths.cache_dir" in default
            else settings.cache_dir,
            data_dir=settings.data_dir / local if "paths.data_dir" in default
            else settings.data_dir))
    return resolved


def build_settings(args: argparse.Namespace) -> Settings:
    return resolve_settings(args).settings


def thread_ref(args: argparse.Namespace, text: str) -> ThreadRef:
    """A thread id or URL; a URL of another forum than the one configured is refused."""
    return parse_thread_ref(text, build_settings(args).base_url)


def local_forum(base_url: str) -> str | None:
    """A folder name for a forum served from this machine ("local-8765"), else None."""
    parts = urlsplit(base_url)
    if (parts.hostname or "").lower() not in {"127.0.0.1", "localhost", "::1"}:
        return None
    return f"local-{parts.port or (443 if parts.scheme == 'https' else 80)}"


def build_service(args: argparse.Namespace, local_only: bool = False,
                  settings: Settings | None = None) -> ForumService:
    """The service for a command; ``local_only`` commands never open a socket."""
    settings = settings or build_settings(args)
    if local_only:
        settings = settings.with_(offline=True)
    transport = None
    if getattr(args, "demo", False):
        from nereader.localforum import demo_transport

        transport = demo_transport()
    return ForumService(settings, transport=transport,
                        events=lambda event: on_event(event, args))


def run(args: argparse.Namespace, body: Callable[[ForumService], Awaitable[int]],
        local_only: bool = False) -> int:
    import asyncio

    async def go() -> int:
        service = build_service(args, local_only)
        try:
            return await body(service)
        except OfflineError as exc:
            if not getattr(args, "demo", False) or local_only:
                raise
            # The demo's forum is built in: only --offline keeps a page from it.
            raise OfflineError(f"--offline and {exc.url or 'that page'} is not in the demo's "
                               "cache; drop --offline (the demo serves every page)",
                               exc.url) from exc
        finally:
            await service.aclose()

    return asyncio.run(go())


def debug_wanted(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("NEREADER_DEBUG") == "1"
