"""`nereader follow`, `unfollow`, `following` and `check`: the listings you follow, and news of
them for scripts and cron (`nereader sync` with no listing syncs them all, see ``listing``)."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nereader.cli.common import (
    ProgressBar,
    emit_json,
    failed,
    fit,
    given_flags,
    next_command,
    run,
    warn,
    with_flags,
)
from nereader.core.errors import StorageError, UsageError
from nereader.core.service import ForumService
from nereader.core.text import age_text, clean, plural

if TYPE_CHECKING:
    from nereader.core.models import (
        FollowedSync,
        HomeView,
        ListingStatus,
        NewsReport,
        SyncSummary,
    )

NOTIFY_TIMEOUT = 10.0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    listing_help = "tag slug, topics/TOPIC[/SUB], allposts or a listing URL"
    p = sub.add_parser("follow", parents=[common], help="follow listings (home screen, sync, "
                       "check)", description="Follow listings: each is checked against the "
                       "site (the cache when offline), then saved in the config file.")
    p.add_argument("listings", nargs="+", metavar="LISTING", help=listing_help)
    p.set_defaults(func=cmd_follow)

    p = sub.add_parser("unfollow", parents=[common], help="stop following listings",
                       description="Remove listings from the followed ones.")
    p.add_argument("listings", nargs="+", metavar="LISTING", help=listing_help)
    p.set_defaults(func=cmd_unfollow)

    p = sub.add_parser("following", parents=[common], help="the followed listings and their "
                       "unread counts", description="The followed listings with what the "
                       "cache says: unread threads, threads with new replies since you read "
                       "them, bookmarks with new posts, and the age of the cached copy.")
    p.add_argument("--json", action="store_true", help="a JSON array for scripts")
    p.set_defaults(func=cmd_following)

    p = sub.add_parser("check", parents=[common], help="news of the followed listings since "
                       "the last check (for cron)", description="Revalidate the followed "
                       "listings and bookmarked threads politely (conditional requests) and "
                       "report new threads, threads with new replies since the last check and "
                       "bookmarks with new posts. Nothing is marked read.")
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.add_argument("--exit-code", action="store_true",
                   help="exit 1 when there is news, 0 when there is none (as git diff)")
    p.add_argument("--notify", action="store_true",
                   help="also send a desktop notification when there is news "
                   "(notify-send or osascript)")
    p.set_defaults(func=cmd_check)


def cmd_follow(args: argparse.Namespace) -> int:
    async def body(service: ForumService) -> int:
        for key, name, added in await service.follow(args.listings):
            shown = f"{key} ({clean(name)})" if name != key else key
            print(f"following {shown}" if added else f"already following {shown}")
        return 0

    return run(args, body)


def cmd_unfollow(args: argparse.Namespace) -> int:
    async def body(service: ForumService) -> int:
        removed, missing = await service.unfollow(args.listings)
        for key in removed:
            print(f"unfollowed {key}")
        for key in missing:
            warn(f"not following {key}", args)
        return 0

    return run(args, body, local_only=True)


def cmd_following(args: argparse.Namespace) -> int:
    async def body(service: ForumService) -> int:
        if args.json:
            emit_json(await service.followed_overview())
            return 0
        home = await service.home_view()
        if not home.listings:
            follow = next_command("follow LISTING", given_flags(args), online=True)
            print(f"(following nothing: `{follow}` adds one)")
            return 0
        for line in sections_text(home, given_flags(args)):
            print(line)
        print(overview_table(list(home.listings)))
        return 0

    return run(args, body, local_only=True)


def sections_text(home: HomeView, flags: Sequence[str]) -> list[str]:
    """The home screen's rows above the listings: the inbox and each section, with the
    command that lists their threads (with ``flags``, the global options given)."""
    out = []
    for status in (home.inbox, *home.sections):
        counts = (f"{plural(status.threads, 'thread')} ({status.unread} unread, "
                  f"{status.new_replies} with new replies"
                  + (f", {plural(status.bookmarks_new, 'bookmark')} with new posts"
                     if status.bookmarks_new else "") + ")")
        if status is home.inbox:
            out.append(f"inbox: {counts}: {next_command('inbox', flags)}")
            continue
        over = status.listing or "the inbox"
        problem = f"; {with_flags(status.error, flags)}" if status.error else ""
        command = next_command(f"inbox --section {shlex.quote(status.name)}", flags)
        out.append(f"section {clean(status.name)!r} ({status.query or 'everything'} over "
                   f"{over}): {counts}{problem}: {command}")
    return out


def overview_table(rows: list[ListingStatus]) -> str:
    from rich.cells import cell_len

    width = max(cell_len(_label(r)) for r in rows)
    out = [f"{'listing':<{width}}  {'unread':>6}  {'new replies':>11}  {'bookmarks':>9}  cached"]
    for r in rows:
        age = f"{age_text(r.age_seconds)} ago" if r.age_seconds is not None else "not cached"
        out.append(f"{fit(_label(r), width)}  {r.unread:>6}  {r.new_replies:>11}  "
                   f"{r.bookmarks_new:>9}  {age}")
    return "\n".join(out)


def _label(row: ListingStatus) -> str:
    name = clean(row.name)
    return name if name == row.key else f"{name} ({row.key})"


# -- sync of everything followed (`nereader sync` with no listing) -----------------------------
async def sync_all(service: ForumService, args: argparse.Namespace) -> int:
    """Sync every followed listing and bookmark; print what it did. The exit code is that of
    what failed (0 only when nothing did), as for one listing."""
    summary = await service.sync_followed(args.pages, args.threads, progress=ProgressBar())
    if args.json:
        emit_json(summary)
    else:
        print(sync_text(summary))
    for key, listing in summary.listings.items():
        report_sync(listing, args, f"{key}: ")
    for failure in summary.failures:
        failed(failure, args)
    stopped = next((s.stopped for s in summary.listings.values() if s.stopped), None)
    if stopped:
        raise sync_stopped(stopped, sum(s.threads for s in summary.listings.values()))
    return summary.exit_code


def sync_stopped(why: str, synced: int) -> StorageError:
    """A sync the cache stopped, in one line: what it kept (only when it kept something),
    then why, which ends with what to do."""
    kept = (f" ({plural(synced, 'thread')} synced {'is' if synced == 1 else 'are'} kept, "
            "and the next sync goes on from there)" if synced else "")
    return StorageError(f"sync stopped{kept}: {why}")


def sync_line(key: str, s: SyncSummary) -> str:
    """One listing's sync in one line."""
    were = "1 thread was" if s.resumed == 1 else f"{s.resumed} threads were"
    resumed = f"resumed an interrupted sync ({were} done), " if s.resumed else ""
    offline = (f", {s.offline} of {plural(s.listed, 'thread')} readable offline"
               if s.offline is not None else "")
    return (f"synced {key}: {resumed}{plural(s.listing_pages, 'listing page')} "
            f"({s.listing_fresh} already fresh), {plural(s.threads, 'thread')} fetched "
            f"({plural(s.thread_pages, 'page')}), {s.threads_skipped} unchanged, "
            f"{s.bytes / 1024:.0f} KiB downloaded{offline}, "
            f"{plural(len(s.failures), 'failure')}")


def report_sync(s: SyncSummary, args: argparse.Namespace, prefix: str = "") -> None:
    """What a sync has to say besides its summary, on stderr: a feed standing in for a
    listing page, threads cut at the reply-page cap (warnings), and its failures."""
    for note in (*s.notices, *s.cut):
        warn(f"{prefix}{note}", args)
    for failure in s.failures:
        failed(prefix + failure, args)


def sync_text(summary: FollowedSync) -> str:
    lines = [sync_line(key, s) for key, s in summary.listings.items()]
    lines.append(f"bookmarks: {summary.bookmarks} ({summary.bookmarks_fetched} fetched, "
                 f"{summary.bookmarks_fresh} already fresh, {summary.bookmarks_failed} failed)"
                 if summary.bookmarks else "bookmarks: none")
    fetched = sum(s.threads for s in summary.listings.values())
    size = sum(s.bytes for s in summary.listings.values())
    failures = len(summary.failures) + sum(len(s.failures) for s in summary.listings.values())
    lines.append(f"total: {plural(len(summary.listings), 'listing')}, {plural(fetched, 'thread')} "
                 f"fetched, {size / 1024:.0f} KiB downloaded, {plural(failures, 'failure')}")
    return "\n".join(lines)


# -- news ------------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    async def body(service: ForumService) -> int:
        if service.offline:
            raise UsageError("check needs the network; drop --offline / NEREADER_OFFLINE")
        if not await service.following():
            raise UsageError("following nothing: `nereader follow LISTING` first")
        report = await service.check_news(progress=ProgressBar())
        if args.json:
            from nereader.core.models import to_jsonable

            emit_json({**to_jsonable(report), "news": report.news})
        else:
            print(news_text(report, given_flags(args)))
        for error in report.errors:
            warn(error, args)
        if args.notify and report.news:
            said = notify("nereader: " + headline(report), news_lines(report, 6), args)
            if said is not None and await service.first_time("no-notifier"):
                warn(said, args)
        return 1 if args.exit_code and report.news else 0

    return run(args, body)


def headline(report: NewsReport) -> str:
    threads = sum(len(n.new_threads) for n in report.listings)
    replies = sum(len(n.new_replies) for n in report.listings)
    parts = [plural(threads, "new thread"), f"{replies} with new replies"]
    if report.bookmarks:
        parts.append(plural(len(report.bookmarks), "bookmark") + " with new posts")
    return ", ".join(parts)


def news_lines(report: NewsReport, limit: int | None = None) -> list[str]:
    lines = []
    for n in report.listings:
        lines += [f"new  {clean(i.title)}" for i in n.new_threads]
        lines += [f"+{(i.replies or 0) - i.previous}   {clean(i.title)}"
                  if i.previous is not None else f"↑    {clean(i.title)}" for i in n.new_replies]
    lines += [f"⚑ +{(i.replies or 0) - (i.previous or 0)} {clean(i.title)}"
              for i in report.bookmarks]
    return lines[:limit] if limit is not None else lines


def news_text(report: NewsReport, flags: Sequence[str] = ()) -> str:
    """The check's report; a command a listing's error suggests carries ``flags``."""
    out = []
    for n in report.listings:
        label = n.key if clean(n.name) == n.key else f"{clean(n.name)} ({n.key})"
        if n.error:
            out.append(f"{label}: could not check: {clean(with_flags(n.error, flags))}")
            continue
        if n.notice:
            out.append(f"{label}: {clean(n.notice)}; only new threads can be told")
        if n.first_check:
            out.append(f"{label}: first check; what it shows now is the baseline")
        elif not (n.new_threads or n.new_replies):
            out.append(f"{label}: no news")
        else:
            out.append(f"{label}: {plural(len(n.new_threads), 'new thread')}, "
                       f"{len(n.new_replies)} with new replies")
            for i in n.new_threads:
                replies = ("replies unknown" if i.replies is None
                           else plural(i.replies, "reply", "replies"))
                out.append(f"  new  {i.id:>9}  {clean(i.title)}  ({replies})")
            for i in n.new_replies:
                now = i.replies or 0  # a reply count that is not known is never news
                more = (f"+{plural(now - i.previous, 'reply', 'replies')}"
                        if i.previous is not None else f"{plural(now, 'reply', 'replies')}")
                out.append(f"  ↑    {i.id:>9}  {clean(i.title)}  ({more})")
    if report.bookmarks:
        out.append(f"bookmarks: {len(report.bookmarks)} with new posts")
        for i in report.bookmarks:
            out.append(f"  ⚑    {i.id:>9}  {clean(i.title)}  "
                       f"(+{plural((i.replies or 0) - (i.previous or 0), 'post')})")
    out.append(f"news: {headline(report)}" if report.news else "no news")
    return "\n".join(out)


def notify(title: str, lines: list[str], args: argparse.Namespace) -> str | None:
    """Send a desktop notification; None when sent, else why not (said once by the caller)."""
    import html
    import shutil
    import subprocess

    body = "\n".join(lines)
    if path := shutil.which("notify-send"):
        # Notification servers read the body as markup (links, images, entities): a title
        # from the site must stay the text it is.
        command = [path, "--app-name=nereader", title, html.escape(body, quote=False)]
    elif path := shutil.which("osascript"):
        script = f"display notification {_applescript(body)} with title {_applescript(title)}"
        command = [path, "-e", script]
    else:
        return ("--notify: no notify-send or osascript here, so no desktop notification "
                "(said once; the report above still has the news)")
    try:
        subprocess.run(command, check=True, timeout=NOTIFY_TIMEOUT, capture_output=True)
    except (OSError, subprocess.SubprocessError) as exc:
        warn(f"--notify: {command[0]} failed: {exc}", args)
    return None


def _applescript(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
