"""A site that serves what no forum should: pages over the size cap, absurd counts, bad feeds."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from nereader.cli import main
from nereader.localforum.routes import Route
from nereader.localforum.server import ForumServer
from nereader.localforum.site import Faults, Site
from tests.conftest import fixture_bytes


def test_a_page_over_the_size_cap_is_exit_4_not_a_network_failure(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    """The same page comes back as large on every try: a retry cannot help (exit 3 says it
    may), so it is the page's problem (exit 4), said once, and nothing is retried."""
    site.faults = Faults(oversize=9 * 1024 * 1024)
    code, out, err = cli("list")
    assert (code, out) == (4, "")
    assert "is 9.0 MiB, over the 8 MiB cap" in err and "a retry will not help" in err
    assert err.count("\n") == 1 and site.counters.requests == 1


def test_a_page_over_the_size_cap_is_a_broken_page_in_doctor(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    site.faults = Faults(oversize=9 * 1024 * 1024, only_path="/forums/tags/networkextension")
    code, out, _ = cli("doctor", "--json")
    listing = json.loads(out)["checks"][0]
    assert code == 4 and listing["source"] == "network" and not listing["ok"]
    assert "over the 8 MiB cap" in listing["problems"][0]


HUGE_REPLIES, HUGE_PAGES = 10**9, 10**8


def _endless_thread(site: Site) -> None:
    """Thread 821372 as a hostile site serves it: its first page claims a billion replies
    over 10^8 pages, and every page asked for after it is page 2 again, numbered as asked."""
    first = fixture_bytes("thread-821372-p1.html").replace(
        b'<span class="post-info-title">Replies</span> 36',
        f'<span class="post-info-title">Replies</span> {HUGE_REPLIES}'.encode()).replace(
        b'data-total-pages="2"', f'data-total-pages="{HUGE_PAGES}"'.encode())
    site.add("/forums/thread/821372", Route(first))
    again = fixture_bytes("thread-821372-p2.html")

    def repeat(path: str, query: str) -> Route | None:
        page = dict(parse_qsl(query)).get("page", "")
        if path != "/forums/thread/821372" or not page.isdigit() or int(page) < 2:
            return None
        return Route(again.replace(b'data-current-page="2" data-total-pages="2"',
                                   f'data-current-page="{page}" data-total-pages="{HUGE_PAGES}"'
                                   .encode()))

    site.generators.insert(0, repeat)


def test_a_thread_whose_pages_repeat_ends_there_and_says_so(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    """It fetched up to the 1,000-page cap (500 s at the site's pace) for the same page, and
    said only that the thread was cut."""
    _endless_thread(site)
    code, out, err = cli("show", "821372", "--json")
    data = json.loads(out)
    assert code == 0 and len(data["posts"]) == 37
    assert (data["total_pages"], data["pages_not_read"]) == (2, 0)
    assert "reply page 3 holds no post the pages before it did not" in err
    assert "the thread ends at page 2" in err and "is cut" not in err
    assert f"its count of {HUGE_PAGES:,} pages is not believed" in err  # the site's claim
    assert "reply page 3 holds no post" in data["cut"]  # a script can tell it is not whole
    assert site.counters.requests <= 12  # page 1, and a few read ahead of page 3
    code, out, err = cli("show", "821372", "--json", "--offline")  # the same from the cache
    offline = json.loads(out)
    assert code == 0 and len(offline["posts"]) == 37 and offline["cut"] == data["cut"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_show_counts_the_pages_on_a_terminal_on_one_line(server: ForumServer, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEREADER_MIN_GAP", "0")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    code = main(["show", "821372", "--markdown", "--base-url", server.base_url, "--cache-dir",
                 str(tmp_path / "c"), "--data-dir", str(tmp_path / "d")])
    said = terminal.getvalue()
    assert code == 0 and "\n" not in said
    assert "\rreading the thread: page 1 of 2…" in said
    assert "\rreading the thread: page 2 of 2…" in said and said.endswith("\r\x1b[K")


def test_show_piped_says_nothing_of_its_pages(cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("show", "821372", "--markdown")
    assert code == 0 and err == ""
