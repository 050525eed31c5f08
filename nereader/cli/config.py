"""`nereader config path|edit|show|keys`: where the config file is, edit it, the effective
settings, and the app's keys with the ids ``[keys]`` remaps them by."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nereader.cli.common import emit_json, resolve_settings, warn
from nereader.core.errors import UsageError
from nereader.core.service import (
    begin_config_edit,
    create_config,
    discard_config_edit,
    finish_config_edit,
)
from nereader.core.settings import SPECS, ConfigError, Origin, Resolved, Settings

if TYPE_CHECKING:
    from nereader.ui.bindings import Conflict

ACTIONS = ("path", "edit", "show", "keys")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("config", parents=[common], help="the config file: path, edit, show, keys",
                       description="The TOML config file in the config folder: print its path, "
                       "open it in $VISUAL/$EDITOR (created from a commented template), show "
                       "every effective setting and where it came from (default, file, "
                       "environment, flag), or list the app's keys by the binding ids that "
                       "[keys] remaps.")
    p.add_argument("action", nargs="?", choices=ACTIONS, help="default: show")
    p.add_argument("--json", action="store_true",
                   help="with path, show or keys: JSON for scripts")
    p.set_defaults(func=cmd_config)


def cmd_config(args: argparse.Namespace) -> int:
    action = args.action or "show"
    resolved = resolve_settings(args, lenient=True)
    path = resolved.settings.config_file
    if action == "path":
        files = paths(resolved.settings, bool(getattr(args, "demo", False)))
        if args.json:
            emit_json([{"name": name, "path": str(where), "holds": holds}
                       for name, where, holds in files])
        else:
            width = max(len(name) for name, _, _ in files)
            place = max(len(str(where)) for _, where, _ in files)
            for name, where, holds in files:
                print(f"{name:<{width}}  {where!s:<{place}}  {holds}")
        return 0
    if action == "edit":
        return _edit(args)
    if action == "keys":
        return _keys(resolved, args)
    unknown = unknown_keys(resolved)
    clashes = key_conflicts(resolved)
    if args.json:
        emit_json({"config_file": str(path), "error": resolved.file_error,
                   "settings": effective(resolved), "unknown_keys": unknown,
                   "key_conflicts": [{"key": c.key, "ids": list(c.ids), "message": c.message}
                                     for c in clashes]})
    else:
        print(show_text(resolved))
    warn_keys(resolved, unknown, clashes, args)
    left_out(resolved)
    return 0


def left_out(resolved: Resolved) -> None:
    """A config file that does not read is an error (exit 2), as it is for every other
    command: `config show` is how a file is checked (by hand, in a script, after an edit),
    so its exit code says so too. The settings printed before it are the ones without the
    file, those the app starts with."""
    if resolved.file_error:
        raise ConfigError(f"{resolved.file_error}; the settings shown leave the file out, "
                          "as the app does", "file")


def _edit(args: argparse.Namespace) -> int:
    """The editor works on a copy; the copy is saved under the file's lock, so a ``follow``
    (or a theme picked in the app) while the editor is open is kept, not written over."""
    path = resolve_settings(args, lenient=True).settings.config_file
    if create_config(path):
        print(f"created {path} from the template", file=sys.stderr)
    shared = resolve_settings(args, lenient=True).settings.preferences_file
    if shared != path:
        print(f"the theme and [keys] are in {shared} (shared with the live site); this is "
              "the demo's own file", file=sys.stderr)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise UsageError(f"set $VISUAL or $EDITOR to edit the config file, or edit {path} "
                         "with any text editor")
    edit = begin_config_edit(path)
    try:
        subprocess.run([*shlex.split(editor), str(edit.copy)], check=True)
    except (OSError, ValueError, subprocess.CalledProcessError) as exc:
        kept = "" if discard_config_edit(edit) else f"; your edit is kept in {edit.copy}"
        raise UsageError(f"could not run the editor {editor!r}: {exc}; {path} is unchanged"
                         f"{kept}") from exc
    saved = finish_config_edit(edit)
    if saved.kept:
        print(f"kept what changed in {path} while you edited it: {', '.join(saved.kept)}",
              file=sys.stderr)
    after = resolve_settings(args, lenient=True)
    if after.file_error:
        print(f"nereader: error: {after.file_error}", file=sys.stderr)
        return 2
    warn_keys(after, unknown_keys(after), key_conflicts(after), args)
    print(f"{path}: {'OK' if saved.changed else 'OK, unchanged'}")
    return 0


def paths(settings: Settings, demo: bool) -> list[tuple[str, Path, str]]:
    """Each file and folder nereader keeps things in, and what it holds. The preferences (the
    theme, [keys], saved filters) are the user's whatever forum is read; with --demo, the
    demo's followed listings, bookmarks, read state and pages are its own."""
    shared = settings.preferences_file != settings.config_file
    own = "the demo's " if demo else ""
    files = [("config file", settings.preferences_file,
              "theme and [keys], shared with --demo and the live site" if shared
              else "settings, followed listings, theme and [keys]")]
    if shared:
        files.append(("demo config" if demo else "forum config", settings.config_file,
                      f"{own}settings and followed listings"))
    files += [
        ("saved filters", settings.preferences_dir / "filters.json",
         "named filter queries (ctrl+s in the filter bar)"
         + (", shared like the theme" if shared else "")),
        ("data folder", settings.data_dir,
         f"{own}bookmarks, read state, recent listings, filter history, news and the "
         "search index"),
        ("cache folder", settings.cache_dir, f"{own}pages, for offline reading"),
    ]
    return files


def unknown_keys(resolved: Resolved) -> list[str]:
    """The [keys] binding ids the app has no binding for (it says so when it starts, too)."""
    if not resolved.settings.keys:
        return []
    from nereader.ui.bindings import unknown_ids  # the registry: no screen, no widget loads

    return unknown_ids(resolved.settings.keymap)


def key_conflicts(resolved: Resolved) -> list[Conflict]:
    """Keys [keys] leaves with two actions, or no key that quits (the app says so too)."""
    if not resolved.settings.keys:
        return []
    from nereader.ui.bindings import conflicts

    return conflicts(resolved.settings.keymap)


def warn_keys(resolved: Resolved, unknown: list[str], clashes: list[Conflict],
              args: argparse.Namespace) -> None:
    """One warning line per unknown id (with its line in the file) and per conflict."""
    for binding in unknown:
        where = resolved.origins.get(f"keys.{binding}")
        warn(f"[keys] {binding!r}{f' ({where.where})' if where and where.where else ''} names "
             "no binding of the app, which leaves it out; `nereader config keys` lists the "
             "binding ids", args)
    for clash in clashes:
        lines = [where.where for i in clash.ids
                 if (where := resolved.origins.get(f"keys.{i}")) and where.where]
        at = f" ({', '.join(lines)})" if lines else ""
        warn(f"[keys] {clash}{at}", args)


def _keys(resolved: Resolved, args: argparse.Namespace) -> int:
    """Every binding by scope: its id, its keys (as [keys] leaves them), what it does."""
    from nereader.ui.bindings import SCOPES, is_remapped, key_text, keys_of, remapped

    keymap = resolved.settings.keymap
    rows = [{"id": b.id, "scope": scope.name, "keys": keys_of(b, keymap),
             "shown": key_text(remapped(b, keymap)), "description": b.description,
             "tooltip": b.tooltip, "remapped": is_remapped(b, keymap)}
            for scope in SCOPES.values() for b in scope.bindings]
    if args.json:
        emit_json([{k: v for k, v in row.items() if k != "shown"} for row in rows])
    else:
        width = max(len(str(row["id"])) for row in rows)
        kwidth = min(16, max(len(str(row["shown"])) for row in rows))
        for scope in SCOPES.values():
            print(f"{scope.title} ({scope.name}.*)")
            for row in rows:
                if row["scope"] == scope.name:
                    mark = "  (remapped)" if row["remapped"] else ""
                    print(f"  {row['id']!s:<{width}}  {row['shown']!s:<{kwidth}}  "
                          f"{row['tooltip'] or row['description']}{mark}")
    warn_keys(resolved, unknown_keys(resolved), key_conflicts(resolved), args)
    left_out(resolved)
    return 0


def _values(settings: Settings) -> dict[str, Any]:
    """Every setting's effective value, by the name the file uses."""
    fresh = settings.freshness
    return {
        "base_url": settings.base_url, "offline": settings.offline,
        "default_listing": settings.default_listing, "theme": settings.theme,
        "paths.cache_dir": str(settings.cache_dir), "paths.data_dir": str(settings.data_dir),
        "config_dir": str(settings.config_dir),
        "freshness.listing": fresh.listing, "freshness.thread": fresh.thread,
        "freshness.feed": fresh.feed, "politeness.min_gap": settings.min_gap,
        "politeness.max_in_flight": settings.max_in_flight,
        "politeness.retries": settings.retries,
        "cache.size_mb": settings.cache_size_limit / 2**20,
        "follow": list(settings.following), "keys": dict(settings.keys),
        "sections": [f"{s.name} ({s.query or 'everything'} over {s.listing or 'the inbox'})"
                     for s in settings.sections],
    }


def effective(resolved: Resolved) -> dict[str, dict[str, Any]]:
    out = {}
    for name, value in _values(resolved.settings).items():
        origin = resolved.origins.get(name, Origin())
        out[name] = {"value": value, "origin": origin.kind, "where": origin.where}
    return out


def show_text(resolved: Resolved) -> str:
    settings = resolved.settings

    def state(path: Path, missing: str) -> str:
        return missing if not path.exists() else (
            "has an error, left out" if path in resolved.left_out else "read")

    lines = [f"config file: {settings.config_file} "
             f"({state(settings.config_file, 'not there (defaults)')})"]
    if settings.preferences_file != settings.config_file:
        lines.append(f"theme and [keys] from: {settings.preferences_file} "
                     f"({state(settings.preferences_file, 'not there')})")
    lines.append("")
    rows = []
    for name, item in effective(resolved).items():
        value = item["value"]
        if name == "keys":
            for binding, keys in value.items():
                rows.append((f"keys.{binding}", keys,
                             str(resolved.origins.get(f"keys.{binding}") or _origin(item))))
            if not value:
                rows.append(("keys", "(none remapped)", _origin(item)))
            continue
        shown = (", ".join(value) or "(none)") if isinstance(value, list) else (
            "(the app's default)" if value is None else
            str(value).lower() if isinstance(value, bool) else
            f"{value:g}" if isinstance(value, float) else str(value))
        rows.append((name, shown, _origin(item)))
    width = max(len(r[0]) for r in rows)
    vwidth = min(60, max(len(r[1]) for r in rows))
    lines += [f"{n:<{width}}  {v:<{vwidth}}  {o}" for n, v, o in rows]
    lines += ["", "Environment variables: " + ", ".join(s.env for s in SPECS if s.env)
              + ", NEREADER_CONFIG_DIR"]
    return "\n".join(lines)


def _origin(item: dict[str, Any]) -> str:
    return str(Origin(item["origin"], item["where"]))
