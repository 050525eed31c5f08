"""The thread view's keys and help text (from the binding registry) and the style names it is
drawn with."""

from __future__ import annotations

from textual.binding import BindingType

from nereader.ui.bindings import bindings_of, help_intro

HELP = help_intro("detail")

COMPONENT_CLASSES = {
    "thread-view--title", "thread-view--meta", "thread-view--mark", "thread-view--label",
    "thread-view--header", "thread-view--staff", "thread-view--accepted", "thread-view--badge",
    "thread-view--new", "thread-view--locked", "thread-view--banner", "thread-view--rule",
    "thread-view--link",
    "thread-view--code-inline", "thread-view--quote", "thread-view--heading",
    "thread-view--code", "thread-view--code-label", "thread-view--code-number",
    "thread-view--bar", "thread-view--bar-current", "thread-view--bar-staff",
    "thread-view--bar-accepted", "thread-view--bar-new", "thread-view--clip",
    "thread-view--hint", "thread-view--match", "thread-view--match-current",
    "thread-view--message", "thread-view--error",
}

BINDINGS: list[BindingType] = bindings_of("ThreadView")
