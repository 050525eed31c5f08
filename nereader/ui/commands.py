"""Command palette providers: switch listing by slug or URL, from the recent ones (the one before
the listing on screen first, so that ``t`` enter goes back, as ``cd -`` does), all posts, or the
forum's topic tree, each by its name ("Networking (App & System Services)"), with completion as
you type; every key binding as a command, its keys written as people write them; and the
listing in each of the site's sorts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import NamedTuple, Protocol, runtime_checkable

from textual.app import SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.screen import Screen

from nereader.core.errors import UsageError
from nereader.core.models import Topic
from nereader.core.text import clean
from nereader.core.urls import ALLPOSTS, SORTS, parse_listing_ref, topic_names
from nereader.ui.bindings import key_text

TOPICS_WAIT = 2.0  # seconds the palette waits for the topic tree on first use


# The palette reads a plain string as Textual markup (its prompt, its help, a matcher's
# highlight): a listing's name, a topic's title, a saved filter's name or query come from the
# site or the user, and "[/]" in one would crash the palette, "[@click=app.quit]" act.
def literal(text: str) -> str:
    """Text as markup that reads back as exactly that text."""
    return text.replace("[", "\\[")


def highlighted(matcher: Matcher, text: str) -> Content:
    """``text`` as it is, the letters the query matched styled as the palette styles them."""
    content = Content(text)
    _, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


@runtime_checkable
class ListingSwitcher(Protocol):
    """Something (the app) that can open a listing and knows the recent ones and the topics."""

    def recent_listings(self) -> list[str]: ...

    def current_listing(self) -> str | None: ...

    def listing_left(self) -> str | None: ...

    def listing_names(self) -> dict[str, str]: ...

    def open_listing(self, key: str) -> None: ...

    async def listing_topics(self, wait: float) -> list[Topic]: ...


class Choice(NamedTuple):
    """A listing the switcher offers: what it shows (and matches), what opens it, a hint."""

    label: str
    key: str
    help: str


def listing_key(url: str, fallback: str) -> str:
    try:
        return parse_listing_ref(url)[0].key
    except UsageError:
        return fallback


def choices(recent: list[str], topics: list[Topic], names: dict[str, str] | None = None,
            current: str | None = None, left: str | None = None) -> list[Choice]:
    """The recent listings but the one on screen, the one before it first (t, enter goes
    back); with no listing on screen (the home screen), the one just ``left`` first. Then
    all posts, then every topic with its subtopics. Each is shown by its name (``names``,
    else the topic tree's, else its key); the hint says what it is."""
    tree = topic_names(topics)
    known = {**tree, **(names or {})}
    out: list[Choice] = []
    if current is None and left is not None:
        recent = [left, *(k for k in recent if k != left)]
    for n, key in enumerate(k for k in recent if k != current):
        name = clean(tree.get(key) or known.get(key) or key)
        what = ("The listing before this one" if n == 0 and current else
                "The listing you left" if n == 0 and left else "Recently opened")
        out.append(Choice(name, key, what if name == key else f"{what} · {key}"))
    out.append(Choice("All posts", ALLPOSTS, "Every thread of the forum, newest activity first"))
    for topic in topics:
        key = listing_key(topic.url, f"topics/{topic.slug}")
        out.append(Choice(clean(topic.title), key,
                          f"Topic · {clean(topic.description) or key}"))
        for sub in topic.children:
            sub_key = listing_key(sub.url, f"{key}/{sub.slug}")
            out.append(Choice(clean(tree.get(sub_key, sub.title)), sub_key,
                              f"Subtopic · {clean(sub.description) or sub_key}"))
    offered: dict[str, Choice] = {}
    for choice in out:  # a recent topic or all posts is offered once, among the recent ones
        offered.setdefault(choice.key, choice)
    return list(offered.values())


class TagProvider(Provider):
    """Type a slug, a topic's name or a listing URL; recent listings, all posts and the topic
    tree are offered."""

    def _switcher(self) -> ListingSwitcher | None:
        app = self.app
        return app if isinstance(app, ListingSwitcher) else None

    async def _choices(self, switcher: ListingSwitcher) -> list[Choice]:
        return choices(switcher.recent_listings(), await switcher.listing_topics(TOPICS_WAIT),
                       switcher.listing_names(), switcher.current_listing(),
                       switcher.listing_left())

    async def discover(self) -> Hits:
        switcher = self._switcher()
        if switcher is None:
            return
        for choice in await self._choices(switcher):
            yield DiscoveryHit(Content(choice.label), partial(switcher.open_listing, choice.key),
                               text=choice.label, help=literal(choice.help))

    async def search(self, query: str) -> Hits:
        switcher = self._switcher()
        if switcher is None:
            return
        matcher = self.matcher(query)
        text = query.strip()
        for choice in await self._choices(switcher):
            # The label and the key both complete: "netw", "storekit", "topics/code-s".
            score = max(matcher.match(choice.label), matcher.match(choice.key) * 0.95)
            if score > 0:
                shown = (highlighted(matcher, choice.label) if matcher.match(choice.label)
                         else Content(f"{choice.label}  ({choice.key})"))
                yield Hit(score, shown, partial(switcher.open_listing, choice.key),
                          text=choice.label, help=literal(choice.help))
        if not text:
            return
        typed = text.removeprefix("Tag:").strip()
        try:
            ref = parse_listing_ref(typed)[0]
        except UsageError:
            return
        # What was typed is opened (not the key): another forum's URL is refused there.
        yield Hit(1.0, Content(f"Open: {ref.key}"), partial(switcher.open_listing, typed),
                  help="Open this tag, topic or listing in the list")


def binding_commands(screen: Screen[object], run: Callable[[object, str], None]
                     ) -> Iterable[SystemCommand]:
    """Every key binding of the focused pane as a command, so nothing is key-only: one entry
    per action, its keys as people write them ("Help (?)", "Filter (/)"). Textual's own
    navigation bindings (no id) stay keys."""
    keys: dict[tuple[int, str], list[str]] = {}
    found: dict[tuple[int, str], tuple[object, Binding]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system or not binding.description or binding.id is None:
            continue
        where = (id(active.node), binding.action)
        keys.setdefault(where, [])
        if key_text(binding) not in keys[where]:
            keys[where].append(key_text(binding))
        found.setdefault(where, (active.node, binding))
    titles: set[str] = set()
    for where, (node, binding) in found.items():
        title = f"{binding.description} ({', '.join(keys[where])})"
        if title in titles:
            continue
        titles.add(title)
        yield SystemCommand(literal(title), literal(binding.tooltip or ""),
                            partial(run, node, binding.action))


SORT_TITLES = {"newest": "Newest", "oldest": "Oldest", "lastUpdated": "Last updated",
               "replies": "Most replies", "boosts": "Most boosts", "views": "Most views"}


def site_sorts(reload: Callable[[str | None, str | None], None]) -> Iterator[SystemCommand]:
    """The main screen's entries: one per site sort (and the site's own order), each reloading
    the listing in that order (``reload(sort, order)``)."""
    for sort in SORTS:
        yield SystemCommand(f"Site sort: {SORT_TITLES[sort]}",
                            "Reload the listing in this order from the site",
                            partial(reload, sort, "DESC"))
    yield SystemCommand("Site sort: default", "The site's own order", partial(reload, None, None))


class PaletteHost(Protocol):
    """What the palette offers of the app besides the bindings: cache info, saved filters."""

    saved: dict[str, str]

    def action_cache_info(self) -> object: ...

    def apply_filter(self, query: str) -> None: ...

    def run_binding(self, node: object, action: str) -> None: ...


def palette(app: PaletteHost, screen: Screen[object],
            inherited: Iterable[SystemCommand]) -> Iterable[SystemCommand]:
    """The command palette: Textual's commands (but its Quit and Keys, which would repeat
    ours), cache info, the screen's own, the saved filters and every key binding."""
    for command in inherited:
        if command.title not in {"Quit", "Keys"}:
            yield command
    yield SystemCommand("Cache info", "Pages, size and folder of the cache",
                        app.action_cache_info)
    own = getattr(screen, "system_commands", None)
    if own is not None:
        yield from own()
    for name, query in app.saved.items():
        yield SystemCommand(literal(f"Saved filter: {name}"), literal(query),
                            partial(app.apply_filter, query))
    yield from binding_commands(screen, app.run_binding)
