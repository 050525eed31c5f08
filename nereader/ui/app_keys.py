"""The app-wide keys (ids are what a config file's [keys] table remaps)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

APP_BINDINGS: list[BindingType] = [
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
]
