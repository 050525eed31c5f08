"""`nereader bookmarks` and `nereader cache`: the user's bookmarks and the page cache."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from nereader.cli.common import (
    ProgressBar,
    emit_json,
    given_flags,
    next_command,
    read_bounded,
    run,
    thread_ref,
    warn,
    with_flags,
)
from nereader.core.errors import UsageError
from nereader.core.service import ForumService
from nereader.core.text import clean, plural, split_note

if TYPE_CHECKING:
    from nereader.core.models import Bookmark

BOOKMARK_ACTIONS = ("list", "add", "remove", "export", "import", "check")
CACHE_ACTIONS = ("info", "clear")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("bookmarks", parents=[common],
                       help="list, add, remove, export, import or check bookmarks",
                       description="Bookmarks are pinned in the cache, so they read offline.")
    p.add_argument("action", nargs="?", choices=BOOKMARK_ACTIONS, help="default: list")
    p.add_argument("target", nargs="?", metavar="THREAD|FILE",
                   help="thread id or URL (add, remove); FILE (import)")
    p.add_argument("--note", help="with add: a note")
    p.add_argument("--label", action="append", default=[], help="with add: a label (repeat)")
    p.add_argument("--markdown", metavar="DIR",
                   help="with export: one Markdown file per thread plus index.md")
    p.add_argument("--json", action="store_true", help="JSON for scripts")
    p.set_defaults(func=cmd_bookmarks)

    p = sub.add_parser("cache", parents=[common], help="cache info or clear",
                       description="The page cache: its size, or clear it (pinned pages stay).")
    p.add_argument("action", nargs="?", choices=CACHE_ACTIONS, help="default: info")
    p.add_argument("--all", action="store_true", help="with clear: remove pinned pages too")
    p.add_argument("--json", action="store_true", help="JSON for scripts")
    p.set_defaults(func=cmd_cache)


def cmd_bookmarks(args: argparse.Namespace) -> int:
    action = args.action or "list"
    if action in {"add", "remove"} and not args.target:
        raise UsageError(f"bookmarks {action} needs a thread id or URL")
    if action == "import" and not args.target:
        raise UsageError("bookmarks import needs a FILE")
    handler = {"add": _add, "remove": _remove, "import": _import, "export": _export,
               "check": _check, "list": _list}[action]

    async def body(service: ForumService) -> int:
        return await handler(service, args)

    local = action in {"list", "remove", "import"} or (action == "export" and not args.markdown)
    return run(args, body, local_only=local)  # local state only: no socket


async def _add(service: ForumService, args: argparse.Namespace) -> int:
    ref = thread_ref(args, args.target)
    before = await service.get_bookmark(ref.id)
    mark, warning = await service.bookmark(ref.id, args.note or "", tuple(args.label))
    if before is not None and args.note is not None and mark.note != split_note(args.note)[0]:
        # --note replaces the note: an empty one (or labels alone, '#todo') clears it, where
        # adding keeps what the bookmark has over what it is not given.
        mark, _ = await service.set_bookmark_note(ref.id, args.note, mark.labels)
    if warning and args.demo and service.offline:  # the demo's forum serves every page
        warning = (f"saved, but not yet available offline: --offline and thread {ref.id} is "
                   "not in the demo's cache; drop --offline to fetch it")
    if warning:
        warn(warning, args)
    if args.json:
        emit_json(mark)
    elif before is None:
        print(f"bookmarked {mark.id}: {clean(mark.title)}")
    else:
        print(f"already bookmarked {mark.id}: {clean(mark.title)}; {changes(before, mark)}")
    return 0


def changes(before: Bookmark, after: Bookmark) -> str:
    """What adding a bookmark again changed: its note (replaced by a new one), its labels
    (added to; none goes), or nothing."""
    said = []
    if after.note != before.note:
        said.append(f"note cleared (was {clean(before.note)!r})" if not after.note else
                    f"note replaced: {clean(before.note)!r} → {clean(after.note)!r}"
                    if before.note else f"note added: {clean(after.note)!r}")
    if added := [label for label in after.labels if label not in before.labels]:
        said.append(f"{plural(len(added), 'label')} added: "
                    + " ".join(f"#{clean(label)}" for label in added))
    return "; ".join(said) or "nothing changed"


async def _remove(service: ForumService, args: argparse.Namespace) -> int:
    ref = thread_ref(args, args.target)
    if not await service.unbookmark(ref.id):
        raise UsageError(f"thread {ref.id} is not bookmarked")
    print(f"removed bookmark {ref.id}")
    return 0


MAX_IMPORT_BYTES = 64 * 1024 * 1024


def read_export(target: str) -> object:
    """The JSON of an export file: strict (no NaN or Infinity), bounded in size and depth."""
    try:
        text = read_bounded(target, MAX_IMPORT_BYTES, "a bookmarks export").decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"cannot read {target}: not UTF-8 text ({exc.reason})") from exc

    def constant(name: str) -> object:
        raise ValueError(f"{name} is not a JSON number")

    import json

    try:
        return json.loads(text, parse_constant=constant)
    except RecursionError:
        raise UsageError(f"cannot read {target}: its JSON nests too deeply") from None
    except ValueError as exc:
        raise UsageError(f"cannot read {target}: not valid JSON ({exc})") from exc


async def _import(service: ForumService, args: argparse.Namespace) -> int:
    import asyncio

    data = await asyncio.to_thread(read_export, args.target)
    added, updated = await service.import_bookmarks(data)
    check = next_command("bookmarks check", given_flags(args))
    print(f"imported {plural(added, 'new bookmark')}, merged {updated}"
          + (f"; `{check}` fetches them for offline reading" if added else ""))
    return 0


async def _export(service: ForumService, args: argparse.Namespace) -> int:
    if not args.markdown:
        emit_json(await service.export_bookmarks())
        return 0
    count, problems = await service.export_markdown(Path(args.markdown))
    for problem in problems:
        warn(problem, args)
    print(f"wrote {plural(count, 'thread')} and index.md to {args.markdown}")
    return 0


async def _check(service: ForumService, args: argparse.Namespace) -> int:
    changes = await service.check_bookmarks(ProgressBar())
    if args.json:
        emit_json([{"id": c.bookmark.id, "title": c.bookmark.title,
                    "new_posts": list(c.new_posts), "replies": c.total_replies,
                    "comments": c.comments,
                    "error": c.error, "stale": c.stale} for c in changes])
    else:
        for c in changes:
            head = f"{c.bookmark.id}  {clean(c.bookmark.title)}"
            if c.error:
                print(f"{head}: failed: {clean(with_flags(c.error, given_flags(args)))}")
            elif c.new_posts:
                print(f"{head}: +{plural(len(c.new_posts), 'new reply', 'new replies')}")
            else:
                print(f"{head}: no new replies" + (" (offline copy)" if c.stale else ""))
    return 3 if changes and all(c.error for c in changes) else 0


async def _list(service: ForumService, args: argparse.Namespace) -> int:
    marks = await service.bookmarks()
    if args.json:
        emit_json(marks)
    elif not marks:
        print(f"no bookmarks yet: {next_command('bookmarks add THREAD', given_flags(args))} "
              "(or b in the app)")
    else:
        for m in marks:
            labels = " ".join(f"#{label}" for label in m.labels)
            note = f" — {m.note}" if m.note else ""
            print(clean(f"{m.id}  {m.title}  {labels}{note}".rstrip()))
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    async def body(service: ForumService) -> int:
        if (args.action or "info") == "clear":
            removed = await service.cache_clear(include_pinned=args.all)
            kept = "" if args.all else " (pinned pages kept; --all removes them too)"
            if removed is None:  # a damaged store went whole: what it held is unknown
                print(f"removed the damaged cache's files; the cache is empty again{kept}")
            else:
                print(f"removed {plural(removed, 'cached page')}{kept}")
            return 0
        info = await service.cache_info()
        if args.json:
            emit_json(info)
        else:
            print(f"cache: {info.directory}\n"
                  f"pages: {info.pages} ({info.pinned} pinned)\n"
                  f"size:  {info.bytes / 2**20:.1f} MiB of {info.size_limit / 2**20:.0f} MiB "
                  f"({info.pinned_bytes / 2**20:.1f} MiB pinned, never evicted)"
                  + (f"\nread-only: {info.read_only}" if info.read_only else ""))
        return 0

    return run(args, body, local_only=True)  # cache commands never need the network
