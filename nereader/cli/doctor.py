"""`nereader doctor`: is the site still shaped as nereader reads it? One page of each kind,
checked, and a short report to paste into a bug report."""

from __future__ import annotations

import argparse
import platform
from collections.abc import Sequence
from typing import Any

from nereader.cli.common import (
    ProgressBar,
    build_settings,
    emit_json,
    given_flags,
    next_command,
    run,
)
from nereader.core.errors import FetchError, LayoutChangedError
from nereader.core.models import DoctorReport, PageCheck, to_jsonable
from nereader.core.service import ForumService
from nereader.core.text import age_text, clean, plural
from nereader.core.urls import DEFAULT_BASE, parse_listing_ref, redact, split

WIDTH = 100
REPORT_START = "--- report: paste it into a bug report ---"
REPORT_END = "--- end of report ---"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("doctor", parents=[common], help="check that the site reads as expected",
                       description="Fetch one page of each kind nereader reads (the listing, "
                       "one of its threads, its RSS feed, a site search, the topic tree), "
                       "politely and through the cache, and report what of each page was "
                       "found, which rule failed, and what stands in for a broken page. Exit "
                       "0: every page reads; 4: a page kind is broken; 3: a page could not "
                       "be had. Offline it checks the cached copies.")
    p.add_argument("tag", nargs="?", metavar="LISTING",
                   help="tag slug, topics/PATH, allposts or a listing URL (default: the "
                   "config's default_listing)")
    p.add_argument("--json", action="store_true",
                   help='{"checks": [{"kind", "url", "ok", "fields", "problems", ...}], ...}')
    p.add_argument("--refresh", action="store_true", help="ask the site even for fresh copies")
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    settings = build_settings(args)
    ref = parse_listing_ref(args.tag if args.tag is not None else settings.default_listing)[0]

    async def body(service: ForumService) -> int:
        report = await service.doctor(ref, refresh=args.refresh, progress=ProgressBar())
        if args.json:
            emit_json(report_json(report))
        else:
            base = service.settings.base_url
            print(report_text(report, site_label(base, bool(getattr(args, "demo", False))),
                              base, given_flags(args)))
        if report.broken:
            return LayoutChangedError.exit_code
        if not all(c.checked for c in report.checks):
            return FetchError.exit_code
        return 0

    return run(args, body)


def report_json(report: DoctorReport) -> dict[str, Any]:
    data: dict[str, Any] = to_jsonable(report)
    data["ok"] = not report.broken and all(c.checked for c in report.checks)
    return data


def site_label(base_url: str, demo: bool) -> str:
    """Which forum, as the shared report may say it: the site's host, or only that it was
    another one (a base URL can name a machine of the user's)."""
    if demo:
        return "the demo forum"
    return split(DEFAULT_BASE).netloc if base_url == DEFAULT_BASE else "a custom base URL"


def _where(check: PageCheck) -> str:
    """The page's path on the forum (no host); a page with none was not picked (the thread
    is picked from the listing)."""
    if not check.url:
        return f"(no {check.kind} picked)"
    parts = split(check.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _verdict(check: PageCheck) -> str:
    return "not checked" if not check.checked else "ok" if check.ok else "BROKEN"


def _source(check: PageCheck) -> str:
    if not check.checked:
        return ""
    if check.source == "network":
        return "from the site"
    age = age_text(check.age_seconds or 0)
    return f"cached {age} ago" + (", stale" if check.source == "stale" else "")


def _wrapped(items: list[str], indent: str = "    ") -> list[str]:
    """Items joined with " · " in lines of at most WIDTH, never breaking an item."""
    lines: list[str] = []
    line = ""
    for item in items:
        joined = f"{line} · {item}" if line else item
        if line and len(indent) + len(joined) > WIDTH:
            lines.append(indent + line)
            joined = item
        line = joined
    return [*lines, indent + line] if line else lines


def _pairs(check: PageCheck) -> str:
    """The fields as name=value words ("row_elements=20 pagination=page_1_of_11")."""
    return " ".join(f"{name.replace(' ', '_')}="
                    + clean(str(value)).replace(", ", ",").replace(" ", "_")
                    for name, value in check.fields.items())


def report_text(report: DoctorReport, site: str, base: str, flags: Sequence[str] = ()) -> str:
    """The checks for a person, then the short report to paste (no paths, no bookmarks);
    ``flags``: the global options given, which a command it suggests carries."""
    mode = "offline: checking the cached copies" if report.offline else "online"
    out = [f"nereader doctor · {report.listing} · {site} · {mode}", ""]
    for check in report.checks:
        where, source = _where(check), _source(check)
        head = f"{check.kind:<8} {_verdict(check):<11} {clean(where)}"
        out.append(head + (f"  ({source})" if source else ""))
        if check.fields:
            out += _wrapped([f"{name} {clean(str(value))}"
                             for name, value in check.fields.items()])
        word = "problem" if check.checked else "why"
        out += [f"    {word}: {clean(redact(p))}" for p in check.problems]
        out += [f"    note: {clean(n)}" for n in check.notes]
        if check.fallback:
            out.append(f"    stands in: {clean(check.fallback)}")
        elif check.checked and not check.ok:
            out.append("    stands in: nothing (the app says the layout changed)")
    broken = [c.kind for c in report.checks if c.checked and not c.ok]
    unchecked = [c.kind for c in report.checks if not c.checked]
    out.append("")
    if broken:
        out.append(f"broken: {', '.join(broken)}; the site has changed. Please paste the "
                   "report below into a bug report.")
    elif len(unchecked) == len(report.checks):
        online = next_command(f"doctor {report.listing}", flags, online=True)
        out.append(f"no page could be checked: none is cached; run `{online}` while online"
                   if report.offline else "no page could be checked: is the network up? (A "
                   "proxy is read from HTTPS_PROXY.)")
    elif unchecked:
        out.append(f"not checked: {', '.join(unchecked)}; the rest reads as expected.")
    else:
        out.append(f"all {plural(len(report.checks), 'page kind')} read as expected.")
    out += ["", REPORT_START, *short_report(report, site, base), REPORT_END]
    return "\n".join(out)


def short_report(report: DoctorReport, site: str, base: str) -> list[str]:
    """One line per page kind: what a maintainer needs, and nothing of the user's (no local
    paths, no bookmarks, no host but the site's: the base URL goes from every message)."""

    def said(text: str) -> str:
        return clean(redact(text)).replace(base, "")

    when = report.checked_at.strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"nereader {report.version} · python {platform.python_version()} · {when} · "
             f"{site} · {'offline' if report.offline else 'online'} · listing {report.listing}"]
    for check in report.checks:
        line = f"{check.kind} {_verdict(check)}"
        if check.checked:
            line += f" {clean(_where(check))} [{check.source}] {_pairs(check)}"
        if check.problems:
            line += " | " + " | ".join(said(p) for p in check.problems)
        if check.fallback:
            line += f" | stands in: {clean(check.fallback)}"
        lines.append(line)
    return lines
