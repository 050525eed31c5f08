"""The thread view's keys, its help text and the style names it is drawn with."""

from __future__ import annotations

from textual.binding import Binding, BindingType

HELP = """
## Thread

Every reply page is loaded; comments sit under their reply. Apple staff posts carry a badge,
the accepted answer is marked ✓, posts new since you last opened a bookmark are marked NEW.

- `n`/`p` (`J`/`K`): next / previous post, `a`: the accepted answer
- `j`/`k`, `space`, `g`/`G`: scroll, page, top / bottom
- `←`/`→` (`shift`: by half a screen, or the mouse): scroll the code block in view;
  `w` wraps long lines instead
- `/`: find in the thread (Enter jumps to the first match below, then `n`/`N` move
  between matches; `esc` ends the find; a pattern not found keeps the bar open)
- `c`: copy the current post's code block (again: the next), `1`-`9`: copy *code N*
- `o`: open in the browser, `u`: copy the post's URL, `l` (or a click): open a link
- `P` / `E`: read the thread in `$PAGER` / `$EDITOR`
- `b`: bookmark, `e`: its note and #labels, `r`: refresh (or retry a thread that failed)
- `esc`: back to the list
"""

COMPONENT_CLASSES = {
    "thread-view--title", "thread-view--meta", "thread-view--mark", "thread-view--label",
    "thread-view--header", "thread-view--staff", "thread-view--accepted", "thread-view--badge",
    "thread-view--new", "thread-view--locked", "thread-view--rule", "thread-view--link",
    "thread-view--code-inline", "thread-view--quote", "thread-view--heading",
    "thread-view--code", "thread-view--code-label", "thread-view--code-number",
    "thread-view--bar", "thread-view--bar-current", "thread-view--bar-staff",
    "thread-view--bar-accepted", "thread-view--bar-new", "thread-view--clip",
    "thread-view--hint", "thread-view--match", "thread-view--match-current",
    "thread-view--message", "thread-view--error",
}

BINDINGS: list[BindingType] = [
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
    Binding("slash", "find", "Find", id="detail.find",
            tooltip="Find text in the thread (n/N: next/previous match, esc: end)"),
    Binding("c", "copy_code", "Copy code", id="detail.copy_code",
            tooltip="Copy the current post's code block (again: the next one)"),
    *[
        # One entry in the help for all nine keys: 2-9 are "system" bindings (not listed).
        Binding(str(n), f"copy_numbered({n})", "Copy code N", show=False, key_display="1-9",
                id=f"detail.copy_{n}", tooltip="Copy the code block labelled 'code N'",
                system=n > 1)
        for n in range(1, 10)
    ],
    Binding("o", "open_browser", "Browser", id="detail.open",
            tooltip="Open the thread (at the current post) in the browser"),
    Binding("u", "copy_url", "Copy URL", id="detail.copy_url",
            tooltip="Copy the current post's URL"),
    Binding("l", "links", "Links", id="detail.links", tooltip="Open a link of this post"),
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
            system=True),
    Binding("shift+left", "sideways(-1000)", "Code ⇤", show=False, id="detail.left_page",
            system=True),
    Binding("j,down", "line(1)", "Down", show=False, id="detail.down", system=True),
    Binding("k,up", "line(-1)", "Up", show=False, id="detail.up", system=True),
    Binding("space,pagedown", "page(1)", "Page down", show=False, id="detail.pagedown",
            system=True),
    Binding("pageup", "page(-1)", "Page up", show=False, id="detail.pageup", system=True),
    Binding("g,home", "end(False)", "Top", show=False, id="detail.top", system=True),
    Binding("G,end", "end(True)", "Bottom", show=False, id="detail.bottom", system=True),
    Binding("b", "bookmark", "Bookmark", id="detail.bookmark",
            tooltip="Bookmark this thread (again: remove the bookmark)"),
    # esc ends an active find (after Enter), else goes back: two bindings, as for n and N,
    # so that the key bar says which.
    Binding("escape", "end_find", "End find", id="detail.end_find",
            tooltip="End the find: no more highlights, n/N move between posts again"),
    Binding("escape", "back", "Back", id="detail.back", tooltip="Go back to the list"),
]
