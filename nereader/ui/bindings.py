"""Every key binding of the app, by scope: the one table each class takes its ``BINDINGS``
from, that ``?`` lists, that ``[keys]`` is checked against and that conflicts are found in.

It imports Textual's binding module alone (no screen, no widget), so the command line checks
a config file's ``[keys]`` without loading the app, and no id depends on what happens to be
imported. A scope is one pane or dialog; its ids start with its name (``detail.copy_code``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from textual.binding import Binding, BindingType, InvalidBinding, Keymap
from textual.keys import REPLACED_KEYS, Keys, key_to_character

# Textual's own keys on every app: ctrl+q quits (a priority binding, no id, so it cannot be
# remapped, only taken), ctrl+p opens the command palette.
TEXTUAL_QUIT = "ctrl+q"
TEXTUAL_APP_KEYS = {TEXTUAL_QUIT: "Textual's quit", "ctrl+p": "the command palette"}

_NAMES = {"question_mark": "?", "slash": "/", "escape": "esc", "enter": "enter",
          "space": "space", "pageup": "PgUp", "pagedown": "PgDn", "tab": "tab",
          "up": "↑", "down": "↓", "left": "←", "right": "→", "home": "home", "end": "end",
          "backspace": "⌫", "left_square_bracket": "[", "right_square_bracket": "]"}


def key_text(binding: Binding) -> str:
    """A binding's keys as people write them: ``?``, ``/``, ``ctrl+f``, ``j/↓``."""
    if binding.key_display:
        return binding.key_display
    return "/".join(_key_name(key) for key in binding.key.split(","))


def _key_name(key: str) -> str:
    *modifiers, last = key.split("+")
    return "+".join([*modifiers, _NAMES.get(last, last)]) if last else key


@dataclass(frozen=True)
class Scope:
    """The bindings one pane or dialog answers to, and what its help says before them."""

    name: str  # the ids' prefix
    title: str  # the help's heading
    intro: str  # prose, never a list of keys: the keys are listed from the bindings
    tables: Mapping[str, list[BindingType]]  # by the class that takes them as BINDINGS
    # Ids bound to one key on purpose: the action's check_action says which applies.
    shared: tuple[frozenset[str], ...] = ()
    # The scope whose keys also work here, further out (None: a dialog, which is modal).
    outer: str | None = None
    bindings: tuple[Binding, ...] = field(init=False)

    def __post_init__(self) -> None:
        found = tuple(b for table in self.tables.values() for b in table
                      if isinstance(b, Binding))
        object.__setattr__(self, "bindings", found)

    def is_shared(self, ids: Iterable[str]) -> bool:
        wanted = set(ids)
        return any(wanted <= pair for pair in self.shared)


# -- the groups the help folds into one line (Textual's Binding.Group) --------------------------
_CODE_N = Binding.Group("Copy the code block labelled 'code N'")
_THREAD_LINE = Binding.Group("Scroll down / up a line")
_THREAD_PAGE = Binding.Group("Scroll down / up a page")
_THREAD_ENDS = Binding.Group("The top / the bottom of the thread")
_CODE_HALF = Binding.Group("Scroll the code block in view sideways by half a screen")
_LIST_ROW = Binding.Group("The row above / below")
_LIST_PAGE = Binding.Group("A page up / down")
_LIST_ENDS = Binding.Group("The first / the last row")
_HOME_ROW = Binding.Group("The row below / above")
_HOME_ENDS = Binding.Group("The first / the last row")
_HELP_LINE = Binding.Group("Scroll the help down / up a line")
_HELP_PAGE = Binding.Group("Scroll the help down / up a page")
_HELP_ENDS = Binding.Group("The top / the bottom of the help")


APP = Scope("app", "Anywhere", "", {"NereaderApp": [
    Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit nereader"),
    Binding("question_mark", "toggle_help", "Help", key_display="?", id="app.help",
            tooltip="Show the keys of the focused pane"),
    # Over the pane's own esc, only while the help is open (README: esc closes every panel).
    Binding("escape", "close_help", "Close help", priority=True, id="app.close_help",
            tooltip="Hide the keys help"),
    Binding("t", "switch_listing", "Tag", id="app.tag",
            tooltip="Switch listing: a slug or URL, a recent one, all posts or a topic"),
    Binding("f", "saved_filters", "Filters", id="app.saved_filters",
            tooltip="Apply a saved filter"),
    Binding("ctrl+f", "search", "Search", id="app.search",
            tooltip="Search the cached threads as you type; enter searches the site too"),
    Binding("L", "library", "Library", show=False, id="app.library",
            tooltip="What the cache holds: listings and bookmarks, with their age"),
    Binding("ctrl+o", "toggle_offline", "Offline", id="app.offline",
            tooltip="Toggle offline mode (cache only)"),
    Binding("F", "follow", "Follow", show=False, id="app.follow",
            tooltip="Follow the listing on screen (again: unfollow)"),
    Binding("H", "home", "Home", show=False, id="app.home",
            tooltip="The home screen: every followed listing with its unread counts"),
]})

MAIN = Scope("main", "List and thread", "", {"MainScreen": [
    Binding("escape", "escape", "Clear filter", id="main.escape",
            tooltip="Clear the filter (again: what esc did before)"),
    Binding("slash", "filter", "Filter", id="main.filter", tooltip="Filter the list"),
    Binding("r", "refresh", "Refresh", id="main.refresh",
            tooltip="Refresh every loaded page in place (or the thread being read)"),
    Binding("A", "load_all", "Load all", id="main.load_all", tooltip="Load every page"),
    Binding("tab", "switch_pane", "Pane", show=False, id="main.switch_pane",
            tooltip="Move between list and detail"),
    Binding("v", "toggle_bookmarks", "Bookmarks", id="main.bookmarks",
            tooltip="Show the bookmarks in the list (again: back to the listing)"),
    Binding("e", "edit_bookmark", "Note", show=False, id="main.edit_bookmark",
            tooltip="Edit the bookmark's note and #labels (on a thread not bookmarked: "
                    "bookmark it with them)"),
    Binding("M", "mark_all_read", "Mark read", show=False, id="main.mark_all_read",
            tooltip="Mark every listed thread read"),
    # In the key bar only while the inbox or a section is listed (MainScreen.active_bindings).
    Binding("U", "next_unread", "Next unread", show=False, id="main.next_unread",
            tooltip="Read the next unread thread of the list, after the one just read "
            "(in the inbox: the next one in it)"),
]}, outer="app")

LIST = Scope("list", "Thread list", """
✓ answered · ★ Apple recommended · ⚑ bookmarked · • unread and active since
your last visit (· older) · ↑ new replies since you read it (`+3` beside the
count says how many) · `#label` a bookmark's labels.

The list loads a page of the listing at a time: reaching the end of the loaded
rows loads the next. Sorting orders the rows loaded so far; the filter bar has
a help of its own.
""", {"ThreadList": [
    Binding("up,k", "cursor_up", "Up", show=False, id="list.up", group=_LIST_ROW),
    Binding("down,j", "cursor_down", "Down", show=False, id="list.down", group=_LIST_ROW),
    Binding("pageup", "page_up", "Page up", show=False, id="list.pageup", group=_LIST_PAGE),
    Binding("pagedown,space", "page_down", "Page down", show=False, id="list.pagedown",
            group=_LIST_PAGE),
    Binding("home,g", "first", "First", show=False, id="list.first", group=_LIST_ENDS),
    Binding("end,G", "last", "Last", show=False, id="list.last", group=_LIST_ENDS),
    Binding("enter", "select", "Open", id="list.open", tooltip="Read the thread"),
    Binding("s", "cycle_sort", "Sort", id="list.sort", tooltip="Sort by the next column"),
    Binding("S", "reverse_sort", "Reverse", show=False, id="list.reverse",
            tooltip="Reverse the sort order"),
    Binding("b", "bookmark", "Bookmark", id="list.bookmark",
            tooltip="Bookmark the thread (again: remove the bookmark)"),
]}, outer="main")

FILTER = Scope("filter", "Filter bar", """
Words are ANDed (case and accents ignored) over title, excerpt and tags.

- `"a phrase"`, `-word`, `vpn OR proxy`
- `replies:>5` `views:>=1k` `boosts:1..3` (`>` `>=` `<` `<=` `=` ranges)
- `activity:<7d` (newer than) `activity:>2w` `activity:>=2026-05-01`
- `is:answered` `is:unanswered` `is:recommended` `is:bookmarked`
  `is:unread` `is:new` `is:staff`
- `tag:ios` `author:name` `sort:replies` `sort:-views`
- `label:todo` `note:word` (your bookmarks' labels and notes;
  plain words find notes too)
- `-is:answered` negates any qualifier

An unfinished last word (`views:`) waits for the rest, and a bad query
shows where it went wrong: meanwhile the list shows the last query you
settled on (paused on, or ended with a space or enter), never one that
only parsed on the way (`boosts:3` on the way to `boosts:3..1`).
""", {"FilterInput": [
    Binding("up", "history(-1)", "Older", id="filter.older", tooltip="Previous query"),
    Binding("down", "history(1)", "Newer", id="filter.newer", tooltip="Next query"),
    Binding("ctrl+s", "save", "Save filter", id="filter.save",
            tooltip="Save this query under a name"),
    # The field's own enter, named so that the help lists it (the key bar need not).
    Binding("enter", "submit", "Done", show=False, id="filter.done",
            tooltip="Back to the list, the filter kept"),
]}, outer="main")

DETAIL = Scope("detail", "Thread", """
Every reply page is loaded; comments sit under their reply (z folds them). Apple staff
posts carry a badge, the accepted answer is marked ✓, and posts new since you last read
the thread are marked NEW. A post's images are listed under it.

Code blocks are labelled *code N*; a line too long scrolls sideways on its own (the mouse
too) while the rest of the post stays put. Text can be selected with the mouse. A link to
a forum thread opens here (⌫ comes back); any other link opens in the browser.
""", {"ThreadView": [
    # n and N belong to an active find (after Enter), to post navigation otherwise: the
    # first binding of a key whose action is allowed wins.
    Binding("n", "next_match", "Next match", id="detail.next_match",
            tooltip="Jump to the next match of the find"),
    Binding("N", "previous_match", "Prev match", id="detail.previous_match",
            tooltip="Jump to the previous match of the find"),
    Binding("n,J", "next_post", "Next post", id="detail.next",
            tooltip="Jump to the next post"),
    Binding("p,K", "previous_post", "Prev post", id="detail.previous",
            tooltip="Jump to the previous post"),
    Binding("a", "accepted", "Accepted", id="detail.accepted",
            tooltip="Jump to the accepted answer"),
    Binding("U", "next_new", "Next new", show=False, id="detail.next_new",
            tooltip="Jump to the next post new since you last read the thread; past the "
            "last one, read the next unread thread"),
    Binding("z", "fold", "Fold", show=False, id="detail.fold",
            tooltip="Fold or unfold the comments under the post in view"),
    Binding("Z", "fold_all", "Fold all", show=False, id="detail.fold_all",
            tooltip="Fold or unfold the comments under every post"),
    Binding("slash", "find", "Find", id="detail.find",
            tooltip="Find text in the thread (n/N: next/previous match, esc: end)"),
    Binding("c", "copy_code", "Copy code", id="detail.copy_code",
            tooltip="Copy the current post's code block (again: the next one)"),
    *[
        # One entry in the help for all nine keys: 2-9 are "system" bindings (not listed).
        Binding(str(n), f"copy_numbered({n})", "Copy code N", show=False, key_display="1-9",
                id=f"detail.copy_{n}", tooltip="Copy the code block labelled 'code N'",
                system=n > 1, group=_CODE_N)
        for n in range(1, 10)
    ],
    Binding("o", "open_browser", "Browser", id="detail.open",
            tooltip="Open the thread (at the current post) in the browser"),
    Binding("u", "copy_url", "Copy URL", id="detail.copy_url",
            tooltip="Copy the current post's URL"),
    Binding("l", "links", "Links", id="detail.links",
            tooltip="Open a link of this post (a forum thread opens here)"),
    Binding("backspace,left_square_bracket", "trail(-1)", "Back a thread", show=False,
            id="detail.trail_back", tooltip="Back to the thread a link was followed from"),
    Binding("shift+backspace,right_square_bracket", "trail(1)", "Forward a thread", show=False,
            id="detail.trail_forward", tooltip="Forward again to the thread gone back from"),
    Binding("i", "images", "Images", show=False, id="detail.images",
            tooltip="View the current post's images"),
    Binding("R", "reply", "Reply on site", show=False, id="detail.reply",
            tooltip="Open the thread's reply form on the site, in the browser"),
    Binding("w", "toggle_wrap", "Wrap", id="detail.wrap",
            tooltip="Wrap long code lines (again: scroll them sideways)"),
    Binding("P", "external('pager')", "Pager", show=False, id="detail.pager",
            tooltip="Read the thread in $PAGER (less -R), back at the same post"),
    Binding("E", "external('editor')", "Editor", show=False, id="detail.editor",
            tooltip="Open the thread's Markdown in $EDITOR, back at the same post"),
    Binding("right", "sideways(8)", "Code →", show=False, id="detail.right",
            tooltip="Scroll the code block in view to the right"),
    Binding("left", "sideways(-8)", "Code ←", show=False, id="detail.left",
            tooltip="Scroll the code block in view to the left"),
    Binding("shift+right", "sideways(1000)", "Code ⇥", show=False, id="detail.right_page",
            system=True, group=_CODE_HALF),
    Binding("shift+left", "sideways(-1000)", "Code ⇤", show=False, id="detail.left_page",
            system=True, group=_CODE_HALF),
    Binding("j,down", "line(1)", "Down", show=False, id="detail.down", system=True,
            group=_THREAD_LINE),
    Binding("k,up", "line(-1)", "Up", show=False, id="detail.up", system=True,
            group=_THREAD_LINE),
    Binding("space,pagedown", "page(1)", "Page down", show=False, id="detail.pagedown",
            system=True, group=_THREAD_PAGE),
    Binding("pageup", "page(-1)", "Page up", show=False, id="detail.pageup", system=True,
            group=_THREAD_PAGE),
    Binding("g,home", "end(False)", "Top", show=False, id="detail.top", system=True,
            group=_THREAD_ENDS),
    Binding("G,end", "end(True)", "Bottom", show=False, id="detail.bottom", system=True,
            group=_THREAD_ENDS),
    Binding("b", "bookmark", "Bookmark", id="detail.bookmark",
            tooltip="Bookmark this thread (again: remove the bookmark)"),
    # esc ends an active find (after Enter), else goes back: two bindings, as for n and N,
    # so that the key bar says which.
    Binding("escape", "end_find", "End find", id="detail.end_find",
            tooltip="End the find: no more highlights, n/N move between posts again"),
    Binding("escape", "back", "Back", id="detail.back", tooltip="Go back to the list"),
]}, shared=(frozenset({"detail.next_match", "detail.next"}),
            frozenset({"detail.end_find", "detail.back"})), outer="main")

FIND = Scope("find", "Find bar", """
Matches light up as you type; a capital letter makes the find match case. A pattern not
found says so, and the bar stays open to edit it.
""", {"FindInput": [
    Binding("escape", "cancel", "End find", id="find.cancel",
            tooltip="End the find and go back to where it began"),
    Binding("enter", "submit", "Jump", id="find.jump",
            tooltip="Jump to the first match below; then n/N move between them"),
]}, outer="main")

HOME = Scope("home", "Home screen", """
One row per followed listing: its unread threads, threads with new replies, bookmarks with
new posts, and the age of the cached copy. The filter matches the listing; `is:unread`,
`is:new`, `is:bookmarked` and `activity:<1h` keep the listings with such threads.
""", {
    "HomeTable": [
        Binding("j", "cursor_down", "Down", show=False, id="home.down", group=_HOME_ROW),
        Binding("k", "cursor_up", "Up", show=False, id="home.up", group=_HOME_ROW),
        Binding("g", "scroll_top", "Top", show=False, id="home.top", group=_HOME_ENDS),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="home.bottom",
                group=_HOME_ENDS),
        # DataTable's own enter, here so that the help lists it (and [keys] can move it).
        Binding("enter", "select_cursor", "Open", id="home.open",
                tooltip="Open the highlighted row in the list (the inbox, a section, a listing)"),
    ],
    "HomeScreen": [
        # esc clears the filter while there is one to clear, else goes back: two bindings,
        # as for the thread's esc, so that the key bar says which.
        Binding("escape", "clear_filter", "Clear filter", id="home.clear_filter",
                tooltip="Clear the filter (from the filter bar: back to the rows)"),
        Binding("escape", "back", "Back", id="home.back",
                tooltip="Back to the listing the home screen was opened over"),
        Binding("slash", "filter", "Filter", id="home.filter", tooltip="Filter the listings"),
        Binding("r", "refresh", "Refresh", id="home.refresh",
                tooltip="Revalidate every followed listing and bookmark, politely"),
        # The app's F (follow the listing on screen) reads "unfollow the row" here.
        Binding("F", "unfollow", "Unfollow", show=False, id="home.unfollow",
                tooltip="Stop following the highlighted listing"),
    ],
}, shared=(frozenset({"home.clear_filter", "home.back"}),), outer="app")

# The keys help owns the keyboard while it is shown (``KeysHelp.is_modal``): no key reaches
# the pane behind it, only these and the app's priority keys (esc closes it, ctrl+q quits).
HELP = Scope("help", "This help", "", {"KeysHelp": [
    # Shown in the key bar as "j Scroll", so the bar says how to move the help.
    Binding("j,down", "line(1)", "Scroll", id="help.down", group=_HELP_LINE),
    Binding("k,up", "line(-1)", "Up", show=False, id="help.up", group=_HELP_LINE),
    Binding("pagedown,space", "page(1)", "Page down", show=False, id="help.pagedown",
            group=_HELP_PAGE),
    Binding("pageup", "page(-1)", "Page up", show=False, id="help.pageup", group=_HELP_PAGE),
    Binding("g,home", "end(False)", "Top", show=False, id="help.top", group=_HELP_ENDS),
    Binding("G,end", "end(True)", "Bottom", show=False, id="help.bottom", group=_HELP_ENDS),
    Binding("escape,question_mark,q", "close", "Close help", id="help.close",
            tooltip="Hide the help; the keys go to the pane again"),
]})

SEARCH = Scope("search", "Search", "", {
    "SearchInput": [Binding("enter", "submit", "Search site", id="search.site",
                            tooltip="Search the site too (its cached result when offline)")],
    "SearchScreen": [
        Binding("escape,q", "dismiss(None)", "Close", id="search.close"),
        Binding("down", "focus_results", "Results", show=False, id="search.results"),
    ],
})

LIBRARY = Scope("library", "Library", "", {
    "LibraryScreen": [Binding("escape,q", "dismiss(None)", "Close", id="library.close")]})
NOTE = Scope("note", "Bookmark note", "", {
    # The field's own enter, named so that the key bar shows how to save.
    "NoteInput": [Binding("enter", "submit", "Save", id="note.save",
                          tooltip="Save the note and #labels (bookmarking the thread)")],
    "NoteScreen": [Binding("escape,q", "dismiss(False)", "Cancel", id="note.cancel")]})
PROMPT = Scope("prompt", "Prompt", "", {
    "PromptInput": [Binding("enter", "submit", "Save", id="prompt.save")],
    "NamePrompt": [Binding("escape,q", "dismiss(None)", "Cancel", id="prompt.cancel")],
})
CONFIRM = Scope("confirm", "Confirmation", "", {"ConfirmScreen": [
    Binding("y,enter", "dismiss(True)", "Yes", id="confirm.yes"),
    Binding("escape,n,q", "dismiss(False)", "No", id="confirm.no"),
]})
LINKS = Scope("links", "Links", "", {
    "LinksScreen": [Binding("escape,q", "dismiss(None)", "Close", id="links.close")]})
COPY = Scope("copy", "Copy by hand", "", {
    "CopyScreen": [Binding("escape,q", "dismiss(None)", "Close", id="copy.close")],
    # On the text box itself: it has the focus, and its own home/end would go to the top.
    "CopyText": [
        Binding("home", "line_end(False)", "Line start", id="copy.line_start",
                tooltip="Scroll to the start of the lines"),
        Binding("end", "line_end(True)", "Line end", id="copy.line_end",
                tooltip="Scroll to the end of the longest line"),
        Binding("shift+left", "page_sideways(-1)", "Page left", id="copy.page_left",
                tooltip="Scroll left by a page"),
        Binding("shift+right", "page_sideways(1)", "Page right", id="copy.page_right",
                tooltip="Scroll right by a page"),
    ]})
IMAGES = Scope("images", "Images", "", {"ImageScreen": [
    Binding("escape,q", "dismiss(None)", "Close", id="images.close"),
    Binding("right,n,j", "step(1)", "Next", id="images.next", tooltip="The next image"),
    Binding("left,p,k", "step(-1)", "Previous", id="images.previous",
            tooltip="The previous image"),
    Binding("o", "open_browser", "Browser", id="images.open",
            tooltip="Open the image in the browser"),
]})

SCOPES: dict[str, Scope] = {s.name: s for s in (
    APP, MAIN, LIST, FILTER, DETAIL, FIND, HOME, HELP, SEARCH, LIBRARY, NOTE, PROMPT, CONFIRM,
    LINKS, COPY, IMAGES)}
_OWNERS: dict[str, Scope] = {owner: s for s in SCOPES.values() for owner in s.tables}


def bindings_of(owner: str) -> list[BindingType]:
    """The ``BINDINGS`` of the class named ``owner`` (the same list every time)."""
    return _OWNERS[owner].tables[owner]


def key_of(binding_id: str, keymap: Keymap) -> str:
    """The keys of the binding ``binding_id`` as people write them, ``[keys]`` applied (for
    prose that names a key: a title, a hint)."""
    binding = next((b for _, b in all_bindings() if b.id == binding_id), None)
    if binding is None:
        raise KeyError(binding_id)
    return key_text(remapped(binding, keymap))


def help_intro(scope: str) -> str:
    """A scope's prose for a help panel (the class's ``HELP``)."""
    return SCOPES[scope].intro


def owners() -> dict[str, Scope]:
    """Every class that takes a table, by name, with its scope."""
    return dict(_OWNERS)


def scope_of(cls: type) -> Scope | None:
    """The scope of a screen's or widget's class (or of the class it inherits its keys from)."""
    for base in cls.__mro__:
        found = _OWNERS.get(base.__name__)
        if found is not None and base.__dict__.get("BINDINGS") is found.tables[base.__name__]:
            return found
    return None


def all_bindings() -> Iterator[tuple[Scope, Binding]]:
    for scope in SCOPES.values():
        for binding in scope.bindings:
            yield scope, binding


def known_ids() -> set[str]:
    return {b.id for _, b in all_bindings() if b.id}


def unknown_ids(keymap: Keymap) -> list[str]:
    known = known_ids()
    return sorted(k for k in keymap if k not in known)


# -- key names -------------------------------------------------------------------------------
# The modifiers Textual reads from a terminal, and the names of its keys that are not one
# character ("escape", "pagedown", "f5"; "slash" and the other names it gives characters).
MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
_KEY_NAMES = {k.value.rpartition("+")[2] for k in Keys if not k.value.startswith("<")}
_KEY_NAMES |= set(REPLACED_KEYS)
# What people write for a key that Textual names otherwise.
_SAID = {"esc": "escape", "return": "enter", "del": "delete", "ins": "insert",
         "pgup": "pageup", "pgdn": "pagedown", "page_up": "pageup", "page_down": "pagedown",
         "bs": "backspace", "spacebar": "space", "control": "ctrl", "option": "alt",
         "cmd": "super", "command": "super", "win": "super"}


def character_of(key: str) -> str | None:
    """The character a key types (``slash``: ``/``), None for a key that types none."""
    # "slash" is a key Textual renamed from its Unicode name ("solidus"): look that up too.
    return key_to_character(key) or key_to_character(REPLACED_KEYS.get(key, key))


def _one_key(key: str) -> str:
    """A key as Textual names it (``?``: ``question_mark``), or "" for one that is blank."""
    try:
        return next(iter(Binding.make_bindings([Binding(key, "")]))).key
    except InvalidBinding:
        return ""


def is_key(key: str) -> bool:
    """Whether Textual can ever report this key (``ctrl+r``, ``f5``, ``question_mark``), as
    named after ``_one_key``: not ``ctrl+`` or ``esc``, which no key press is called."""
    *modifiers, name = key.split("+")
    if not name or any(m not in MODIFIERS for m in modifiers):
        return False
    if len(name) == 1:  # a character; with a modifier, a letter or a digit (ctrl+/ is never
        return not modifiers or name.isalnum()  # seen: Textual says ctrl+slash)
    return name in _KEY_NAMES or _named_character(name)


def _named_character(name: str) -> bool:
    """Whether ``name`` is what Textual calls a character that is no letter or digit
    (``question_mark``, ``left_square_bracket``); not any Unicode name (``esc`` names a
    control character, ``latin_small_letter_e_with_acute`` a letter, which is its own key)."""
    character = key_to_character(name)
    return (character is not None and len(character) == 1 and character.isprintable()
            and not character.isalnum())


def _meant(key: str) -> str | None:
    """The key a name that is none probably means (``esc``: ``escape``; ``ctrl+/``:
    ``ctrl+slash``)."""
    *modifiers, name = key.split("+")
    fixed = [_SAID.get(m.lower(), m.lower()) for m in modifiers]
    if len(name) == 1:
        name = _one_key(name.lower() if modifiers else name)
    else:
        name = _SAID.get(name.lower(), name.lower())
        if name not in _KEY_NAMES and not _named_character(name):
            near = difflib.get_close_matches(name, sorted(_KEY_NAMES), n=1, cutoff=0.75)
            name = near[0] if near else name
    guess = "+".join([*fixed, name])
    return guess if guess != key and is_key(guess) else None


# -- keys after remapping ----------------------------------------------------------------------
def named_keys(keys: str) -> list[str]:
    """A key list as Textual names its keys (``?`` is ``question_mark``), each once, blanks
    left out; names that are no key stay (``is_key`` tells them)."""
    return list(dict.fromkeys(k for k in map(_one_key, keys.split(",")) if k))


def normal_keys(keys: str) -> list[str]:
    """The keys of a key list Textual can report (``named_keys`` that are keys)."""
    return [k for k in named_keys(keys) if is_key(k)]


def _remap(binding: Binding, keymap: Keymap) -> list[str]:
    """The keys ``keymap`` gives a binding; none when it gives it no key that can be
    pressed, and then the binding keeps its own (as ``textual_keymap`` hands it over)."""
    value = keymap.get(binding.id or "")
    return normal_keys(value) if value else []


def keys_of(binding: Binding, keymap: Keymap) -> list[str]:
    """The keys a binding answers to once ``keymap`` is applied: its own, unless the keymap
    gives it keys that can be pressed."""
    return _remap(binding, keymap) or normal_keys(binding.key)


def is_remapped(binding: Binding, keymap: Keymap) -> bool:
    """Whether the keymap moves the binding to keys of its own choosing (a value with no
    key that can be pressed leaves it where it was)."""
    return bool(_remap(binding, keymap))


def remapped(binding: Binding, keymap: Keymap) -> Binding:
    """The binding as the keymap leaves it (a remapped key has no ``key_display``)."""
    if is_remapped(binding, keymap):
        return binding.with_key(",".join(keys_of(binding, keymap)))
    return binding


def _usable(keymap: Keymap) -> dict[str, str]:
    """The keymap's known ids with a key that can be pressed, at those keys alone."""
    known = known_ids()
    return {k: ",".join(keys) for k, v in keymap.items()
            if k in known and v and (keys := normal_keys(v))}


def textual_keymap(keymap: Keymap) -> dict[str, str]:
    """The keymap to hand Textual: the known ids at the keys of theirs that can be pressed
    (an id given none keeps its own keys), plus every binding that shares a key with a
    remapped one in its class, at its own keys. Textual drops a remapped binding's old keys
    from the class's table whole, with whatever else was bound to them (``n`` is next match
    and next post), and puts back only the bindings the keymap names."""
    out = _usable(keymap)
    for scope in SCOPES.values():
        for bindings in scope.tables.values():
            rows = [b for b in bindings if isinstance(b, Binding) and b.id]
            grew = True
            while grew:
                grew = False
                taken = {key for b in rows if b.id in out for key in normal_keys(b.key)}
                for b in rows:
                    if b.id not in out and taken & set(normal_keys(b.key)):
                        out[b.id or ""] = b.key
                        grew = True
    return out


# -- conflicts ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Conflict:
    """What a keymap breaks, naming the ids involved: a key name that is no key, two
    bindings on one key where only one can act, or no key left that quits."""

    key: str
    ids: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return self.message


def _where(scope: Scope) -> str:
    return "anywhere" if scope is APP else f"in the {scope.title.lower()}"


def _on_key(keymap: Keymap) -> dict[str, dict[str, list[Binding]]]:
    """By scope, each key's bindings once ``keymap`` is applied."""
    out: dict[str, dict[str, list[Binding]]] = {}
    for scope in SCOPES.values():
        keys = out[scope.name] = {}
        for binding in scope.bindings:
            for key in keys_of(binding, keymap):
                if binding not in keys.setdefault(key, []):
                    keys[key].append(binding)
    return out


def _overlaps(on_key: dict[str, dict[str, list[Binding]]]
              ) -> dict[tuple[str, str, str, str], tuple[Binding, Binding]]:
    """Two bindings on one key where one scope's is in the way of the other's: in one scope,
    or an inner scope's over an outer one's (which then never acts there)."""
    found: dict[tuple[str, str, str, str], tuple[Binding, Binding]] = {}
    for scope in SCOPES.values():
        for key, bindings in on_key[scope.name].items():
            for n, first in enumerate(bindings):
                for second in bindings[n + 1:]:
                    if first.id != second.id and not scope.is_shared(
                            (first.id or "", second.id or "")):
                        found[(key, scope.name, first.id or "", second.id or "")] = (
                            first, second)
            outer = scope.outer
            while outer is not None:
                for inner in bindings:
                    for other in on_key[outer].get(key, []):
                        if not other.priority:
                            found[(key, outer, inner.id or "", other.id or "")] = (inner, other)
                outer = SCOPES[outer].outer
    return found


def bad_keys(keymap: Keymap) -> list[Conflict]:
    """The keymap's values that name something no key press is called (``ctrl+``, ``esc``),
    each with the key probably meant: left out, and a binding given no other key keeps its
    own; and a key named twice."""
    known = known_ids()
    found: list[Conflict] = []
    for binding_id, value in keymap.items():
        if binding_id not in known or not value:
            continue
        named = [k for k in map(_one_key, value.split(",")) if k]
        kept = normal_keys(value)
        own = next(b for _, b in all_bindings() if b.id == binding_id)
        outcome = ", left out" if kept else f", so {binding_id} keeps its own ({key_text(own)})"
        for key in dict.fromkeys(k for k in named if not is_key(k)):
            meant = _meant(key)
            found.append(Conflict(key, (binding_id,), (
                f"{binding_id}: {key!r} is not a key"
                + (f" (did you mean {meant!r}?)" if meant else "") + outcome)))
        for key in dict.fromkeys(k for k in named if named.count(k) > 1):
            found.append(Conflict(key, (binding_id,),
                                  f"{binding_id}: {_key_name(key)!r} is named twice"))
    return found


def conflicts(keymap: Keymap) -> list[Conflict]:
    """What a keymap breaks, each naming the ids involved: a key name that is no key
    (``bad_keys``), one key with two actions in one scope (pairs bound on purpose aside), a
    remapped key that hides an outer scope's binding there, a key taken from Textual's own
    (quit, the palette), and no key left that quits. Overlaps the app has without any keymap
    are by design (``/`` finds in a thread but filters the list) and not reported."""
    found = bad_keys(keymap)
    keymap = _usable(keymap)
    if not keymap:
        return found
    on_key = _on_key(keymap)
    by_design = _overlaps(_on_key({}))
    for (key, where, first, second), (a, _b) in _overlaps(on_key).items():
        if (key, where, first, second) in by_design:
            continue
        inner = _scope_of_binding(a)
        if inner.name == where:
            message = (f"key {_key_name(key)!r} is bound to both {first} and {second} "
                       f"{_where(inner)}")
            moved = [i for i in (first, second) if i in keymap]
            if len(moved) == 1:  # Textual gives the key to the binding the keymap moved there
                message += f": {moved[0]}, remapped, takes it"
        else:
            message = (f"key {_key_name(key)!r} of {first} ({inner.title.lower()}) hides "
                       f"{second} ({SCOPES[where].title.lower()}) there")
        found.append(Conflict(key, (first, second), message))
    for scope in SCOPES.values():
        if not _reaches_app(scope):
            continue
        for key, what in TEXTUAL_APP_KEYS.items():
            for binding in on_key[scope.name].get(key, []):
                if binding.id not in keymap or (key == TEXTUAL_QUIT and binding.action == "quit"):
                    continue
                found.append(Conflict(key, (binding.id or "",), (
                    f"key {_key_name(key)!r} of {binding.id} takes the place of {what}"
                    if scope is APP else
                    f"key {_key_name(key)!r} of {binding.id} never acts: {what} has it")))
    app_keys = on_key["app"]
    quits = [key for key, bindings in app_keys.items()
             if all(b.action == "quit" for b in _winners(bindings, keymap))]
    if TEXTUAL_QUIT not in app_keys:
        quits.append(TEXTUAL_QUIT)
    if not quits:
        quitter = next(b for b in APP.bindings if b.action == "quit")
        takers = tuple(dict.fromkeys(
            b.id or "" for key in [*keys_of(quitter, keymap), TEXTUAL_QUIT]
            for b in app_keys.get(key, []) if b is not quitter))
        found.append(Conflict(TEXTUAL_QUIT, (quitter.id or "", *takers), (
            f"no key quits nereader: the keys of {quitter.id} and {TEXTUAL_QUIT} are taken "
            f"by {' and '.join(takers)}")))
    return found


def _winners(bindings: list[Binding], keymap: Keymap) -> list[Binding]:
    """The bindings that keep a key: remapped ones push out those that had it by default."""
    moved = [b for b in bindings if b.id in keymap]
    return moved or bindings


def _scope_of_binding(binding: Binding) -> Scope:
    return next(s for s in SCOPES.values() if binding in s.bindings)


def _reaches_app(scope: Scope) -> bool:
    """Whether the app's keys (Textual's among them) work where this scope's do."""
    at: str | None = scope.name
    while at is not None:
        if at == "app":
            return True
        at = SCOPES[at].outer
    return False


# -- help --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One line of a scope's help: a binding, or a group of them folded into one."""

    keys: list[str]  # the keys (as remapped), each as people write it
    text: str
    bindings: tuple[Binding, ...]  # as the registry has them (``keys_of`` gives their keys)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(b.id or "" for b in self.bindings)


def help_entries(scope: Scope, keymap: Keymap) -> list[Entry]:
    """Every binding with a description, in the order of the tables; a group's bindings
    (Textual's ``Binding.Group``: the nine ``copy code N`` keys, scrolling down and up) fold
    into one line where its first binding is."""
    entries: list[Entry] = []
    groups: dict[Binding.Group, list[Binding]] = {}
    for binding in scope.bindings:
        if binding.group is not None:
            groups.setdefault(binding.group, []).append(binding)
    done: set[Binding.Group] = set()
    for binding in scope.bindings:
        if not binding.description:
            continue
        group = binding.group
        if group is None:
            entries.append(Entry([key_text(remapped(binding, keymap))],
                                 binding.tooltip or binding.description, (binding,)))
            continue
        if group in done:
            continue
        done.add(group)
        members = groups[group]
        shown = [remapped(b, keymap) for b in members]
        display = next((b.key_display for b in shown if b.key_display), None)
        if display and all(b is m for b, m in zip(shown, members, strict=True)):
            keys = [display]  # "1-9" while none of the nine is remapped
        else:
            keys = [key_text(b.with_key(b.key)) for b in shown]  # each its own keys
        entries.append(Entry(keys, group.description, tuple(members)))
    return entries
