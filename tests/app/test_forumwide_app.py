"""The whole forum in the app: the search dialog asks the site, reply hits open at the reply,
and the listing switcher offers all posts and the topic tree."""

from __future__ import annotations

import re
from pathlib import Path

from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, OptionList, Static

from nereader.localforum import Site
from nereader.screenshots import demo_app, open_thread, settle
from nereader.ui.screens.main import MainScreen
from nereader.ui.screens.search import SearchScreen
from nereader.ui.widgets.thread_list import ThreadList
from nereader.ui.widgets.thread_view import ThreadView


def main_screen(app) -> MainScreen:  # type: ignore[no-untyped-def]
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen


async def test_site_search_in_the_dialog_opens_a_reply(tmp_path: Path) -> None:
    site = Site.bundled()
    app = demo_app(tmp_path, site=site)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(pilot, 828388)  # indexed: one cached hit
        await pilot.press("escape", "ctrl+f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        screen.query_one(Input).value = "sysdiagnose"
        await settle(pilot)
        results = screen.query_one(OptionList)
        assert results.option_count == 1  # typing asks the cache only
        asked = len(site.counters.paths)
        await pilot.press("enter")  # enter asks the site too
        await settle(pilot)
        assert any("/forums/search?q=sysdiagnose" in p for p in site.counters.paths[asked:])
        ids = [results.get_option_at_index(i).id for i in range(results.option_count)]
        assert ids[0] == "s0" and "more" in ids and ids[-1] == "c0"
        prompts = [str(results.get_option_at_index(i).prompt) for i in range(3)]
        assert all(p.startswith("site ") for p in prompts)
        note = str(screen.query_one("#search-note", Static).render())
        assert "results on the site" in note and "1 cached thread match" in note
        hit = next(h for h in screen.site_hits if h.thread_id == 821372)
        index = ids.index(f"s{screen.site_hits.index(hit)}")
        assert results.has_focus
        results.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        view = app.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == 821372
        assert view.current_post is not None and view.current_post.id == hit.reply_id


async def test_site_search_offline_replays_or_says_so(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        screen = app.screen
        screen.query_one(Input).value = "tunnel"
        await pilot.press("enter")
        await settle(pilot)
        online = len(screen.site_hits)  # type: ignore[attr-defined]
        await pilot.press("escape")
        app.service.set_offline(True)
        await pilot.press("ctrl+f")
        await pilot.pause()
        screen = app.screen
        screen.query_one(Input).value = "tunnel"
        await pilot.press("enter")
        await settle(pilot)
        assert len(screen.site_hits) == online > 0  # type: ignore[attr-defined]
        assert "cached result" in str(screen.query_one("#search-note", Static).render())
        screen.query_one(Input).value = "never asked"
        screen.query_one(Input).focus()  # the cached result took the focus
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        note = str(screen.query_one("#search-note", Static).render())
        assert note.startswith("The site: offline") and "not in the cache" in note


async def test_the_switcher_offers_all_posts_and_the_topic_tree(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        shown = palette.query_one(CommandList)
        labels = [str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count)]
        # The listing on screen is not offered again; topics go by their names.
        assert labels[0].startswith("All posts")
        assert not any("networkextension" in label for label in labels)
        assert any(label.startswith("StoreKit (App & System Services)") for label in labels)
        assert any(label.startswith("App & System Services") for label in labels)
        await pilot.press(*"storek")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).state.name == "StoreKit"
        assert main_screen(app).state.ref.key == (
            "topics/app-and-system-services/app-and-system-services-storekit")
        assert len(app.query_one(ThreadList).session.rows) == 20
        # Like `cd -`: the listing before this one comes first, by its name.
        await pilot.press("t")
        await settle(pilot)
        shown = app.screen.query_one(CommandList)
        first = str(shown.get_option_at_index(0).prompt)
        assert first.startswith("Network Extension") and "The listing before this one" in first
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).state.ref.key == "networkextension"
        await pilot.press("t")
        await settle(pilot)
        first = str(app.screen.query_one(CommandList).get_option_at_index(0).prompt)
        assert first.startswith("StoreKit (App & System Services)")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*"all posts")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        state = main_screen(app).state
        assert state.ref.key == "allposts" and state.name == "All Posts"
        assert state.total_posts is not None and state.total_posts > 201


async def test_names_and_queries_in_the_palettes_read_as_typed(tmp_path: Path) -> None:
    """A listing's name, a saved filter's name or query is text, never Textual markup: "[/]"
    in one crashed the palette, "[@click=app.quit]" in one quit the app when clicked."""
    from textual.content import Content

    from nereader.ui.commands import highlighted, literal

    hostile = ["Evil [/] [bold red]RED", "[@click=app.quit]ClickMe[/]", '"[NSString alloc]"',
               "[link=https://evil.example]x[/link]", "back\\slash [b]", "end\\"]
    for text in hostile:
        assert Content.from_markup(literal(text)).plain == text
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.saved = {"my [/] vpn": '"[NSString alloc]" [@click=app.quit]x[/]'}
        await pilot.press("f")
        await settle(pilot)
        shown = app.screen.query_one(CommandList)
        prompts = [str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count)]
        assert any(p.startswith("Filter: my [/] vpn") and '"[NSString alloc]" [@click=app.'
                   in p for p in prompts), prompts
        await pilot.press(*"my [")
        await settle(pilot)
        prompts = [str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count)]
        assert any("my [/] vpn" in p for p in prompts), prompts
        await pilot.press("escape")
        await settle(pilot)
    matcher_text = "Evil [/] Topic"
    from textual.command import Matcher

    content = highlighted(Matcher("evil"), matcher_text)
    assert content.plain == matcher_text and content.spans


async def test_a_topic_titled_in_markup_is_offered_as_written(tmp_path: Path) -> None:
    """The site names the topics: a title with markup in it is shown as it is, and opens."""
    site = Site.bundled()
    body = site.routes["/forums/topics"].body.decode()
    evil = "Evil [/] [@click=app.quit]StoreKit[/]"
    site.replace_body("/forums/topics", body.replace(
        "\\&quot;title\\&quot;: \\&quot;StoreKit\\&quot;",
        f"\\&quot;title\\&quot;: \\&quot;{evil}\\&quot;").encode())
    app = demo_app(tmp_path, site)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        shown = app.screen.query_one(CommandList)
        labels = [str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count)]
        assert any(label.startswith(evil) for label in labels), labels
        await pilot.press(*"evil")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).state.ref.key.endswith("storekit")


async def test_a_site_hit_keeps_its_facts_together_on_their_own_line(tmp_path: Path) -> None:
    app = demo_app(tmp_path, site=Site.bundled())
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        screen.query_one(Input).value = "sysdiagnose"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        results = screen.query_one(OptionList)
        prompts = [results.get_option_at_index(i).prompt for i in range(results.option_count)]
        site = [p.plain for p in prompts if isinstance(p, Text) and p.plain.startswith("site ")]
        assert site
        for prompt in site:  # title / replies · views · age / excerpt: no fact wraps alone
            facts = prompt.split("\n")[1].strip()
            assert re.fullmatch(r"\d+ repl(y|ies) · \S+ views · \S+( · answered)?", facts), facts
