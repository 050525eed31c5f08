"""A missing page is its own answer (exit 6, one line, what is missing and what to do), apart
from network failures (exit 3); bad thread ids and other forums' URLs are usage errors before
any request. Everything runs on the in-process demo forum."""

from __future__ import annotations

import json

import pytest

from nereader.cli import EXIT_CODES


@pytest.mark.parametrize(("args", "said"), [
    (("list", "nosuchtag"), "no such listing 'nosuchtag'"),
    (("sync", "nosuchtag"), "no such listing 'nosuchtag'"),
    (("list", "--page", "12"), "networkextension has no page 12: it has 11 pages"),
    # The site serves its last page (or its one page, without pagination) for a page past
    # it: past the last page all the same, with the count, never a changed layout (exit 4).
    (("list", "topics/code-signing", "--page", "9"),
     "topics/code-signing has no page 9: it has 5 pages"),
    (("search", "--site", "panic", "--page", "2"),
     "page 2 of the site's results for 'panic' is past the last page (1)"),
    (("search", "--site", "nefilterdataprovider", "--page", "3"),
     "page 3 of the site's results for 'nefilterdataprovider' is past the last page (2)"),
    (("show", "999999"), "no such thread 999999"),
])
def test_not_found_is_exit_6_with_one_line(demo_cli, args: tuple[str, ...], said: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = demo_cli(*args)
    assert code == 6 and out == ""
    assert err.startswith("nereader: error: ") and err.count("\n") == 1
    assert said in err


def test_a_page_past_the_end_names_the_count_from_the_cache_too(demo_cli) -> None:  # type: ignore[no-untyped-def]
    assert demo_cli("list")[0] == 0  # page 1 is now cached
    code, _, err = demo_cli("list", "--page", "40", "--offline")
    assert code == 3  # offline, page 40 is simply not cached: a retry online may help
    code, _, err = demo_cli("list", "--page", "40")
    assert code == 6 and "it has 11 pages" in err


def test_the_help_documents_exit_6() -> None:
    assert "6  not found" in EXIT_CODES and "3  network failure" in EXIT_CODES


def test_bookmarking_a_thread_the_site_does_not_have_saves_nothing(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = demo_cli("bookmarks", "add", "999999")
    assert code == 6 and out == "" and "no such thread 999999" in err
    assert err.count("\n") == 1
    assert json.loads(demo_cli("bookmarks", "list", "--json")[1]) == []


def test_bookmarking_offline_still_saves_with_a_warning_for_the_demo(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = demo_cli("bookmarks", "add", "827377", "--offline")
    assert code == 0 and "bookmarked 827377" in out
    assert "drop --offline" in err and "while online" not in err
    assert [m["id"] for m in json.loads(demo_cli("bookmarks", "list", "--json")[1])] == [827377]


def test_an_offline_miss_in_the_demo_says_drop_offline(demo_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = demo_cli("show", "827377", "--offline")
    assert code == 3 and out == "" and err.count("\n") == 1
    assert "drop --offline" in err and "while online" not in err


@pytest.mark.parametrize(("thread", "said"), [
    ("0", "thread ids start at 1"),
    ("https://developer.apple.com/forums/thread/0", "thread ids start at 1"),
    ("https://example.com/forums/thread/821372", "on example.com, but the forum is "
     "developer.apple.com"),
])
def test_bad_threads_are_usage_errors_before_any_request(demo_cli, thread: str, said: str) -> None:  # type: ignore[no-untyped-def]
    for command in (("show",), ("bookmarks", "add")):
        code, out, err = demo_cli(*command, thread)
        assert code == 2 and out == "" and said in err and err.count("\n") == 1


@pytest.mark.parametrize("thread", ["/forums/thread/821372", "forums/thread/821372",
                                    "forums.developer.apple.com/thread/821372",
                                    "https://developer.apple.com/forums/thread/821372"])
def test_urls_of_this_forum_or_with_no_host_are_read(demo_cli, thread: str) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = demo_cli("show", thread, "--json")
    assert code == 0 and json.loads(out)["id"] == 821372


def test_a_mistyped_listing_gets_the_near_ones_from_list_and_follow_alike(demo_cli) -> None:  # type: ignore[no-untyped-def]
    """``list`` and ``follow`` word a missing listing the same way, naming the listings it
    may have meant among those the cache, the followed ones and the topic tree know."""
    code, _, err = demo_cli("list", "netwrkextension")
    assert code == 6 and "did you mean" not in err  # nothing known yet: no guess
    assert demo_cli("list")[0] == 0 and demo_cli("topics")[0] == 0  # now cached
    said = ("no such listing 'netwrkextension' on the site (it answered 404); did you mean "
            "networkextension (Network Extension)? `nereader topics")
    for command in (("list", "netwrkextension"), ("follow", "netwrkextension")):
        code, out, err = demo_cli(*command)
        assert code == 6 and out == "" and err.count("\n") == 1, command
        assert said in err, command
    code, _, err = demo_cli("list", "storekit")  # a tag of that name: the subtopic, by name
    assert code == 6 and ("did you mean topics/app-and-system-services/app-and-system-services-"
                          "storekit (StoreKit (App & System Services))?") in err
    code, _, err = demo_cli("follow", "network-extension", "wi-fi-aware")
    assert code == 6 and "'network-extension'" in err and "networkextension (Network" in err
    assert demo_cli("following")[1].startswith("(following nothing")  # nothing saved
