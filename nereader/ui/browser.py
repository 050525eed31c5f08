"""Opening a URL in the user's web browser without letting a text browser draw over the app.

Python's ``webbrowser`` picks the browser (``$BROWSER`` first). A console browser (lynx,
w3m, www-browser, a ``$BROWSER`` command: ``webbrowser.GenericBrowser`` itself, or elinks)
runs in the foreground on the app's own terminal, so it runs with the app suspended, as the
pager does, and the app comes back where it was. A window browser starts in the background.
With no browser at all the URL is shown to copy by hand, with the reason.

Textual's ``App.open_url`` calls ``webbrowser.open`` on the event loop with the app still
drawing: that is what left lynx and the app fighting over the screen.
"""

from __future__ import annotations

import asyncio
import webbrowser
from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported

if TYPE_CHECKING:
    from textual.app import App


def is_console(browser: webbrowser.BaseBrowser) -> bool:
    """Whether ``browser`` takes over the terminal until it quits (``BackgroundBrowser``, a
    subclass of ``GenericBrowser``, does not)."""
    return type(browser) is webbrowser.GenericBrowser or isinstance(browser, webbrowser.Elinks)


def _name(browser: webbrowser.BaseBrowser) -> str:
    return str(getattr(browser, "name", "") or type(browser).__name__)


def _find() -> webbrowser.BaseBrowser | None:
    try:
        return webbrowser.get()
    except webbrowser.Error:
        return None


def _show(app: App[None], url: str, why: str) -> None:
    from nereader.ui.screens.dialogs import CopyScreen

    app.push_screen(CopyScreen(url, why, lead="Could not open a browser"))


async def open_url(app: App[None], url: str) -> None:
    """Open ``url``: a console browser with the app suspended, a window browser in the
    background, or (no browser, or it failed) the URL shown to copy by hand."""
    # webbrowser looks the browsers up once (it may ask xdg-settings): not on the event loop.
    browser = await asyncio.to_thread(_find)
    if browser is None:
        _show(app, url, "no web browser found (set $BROWSER to one)")
        return
    name = _name(browser)
    if is_console(browser):
        try:
            # Blocking on purpose: while the browser owns the terminal nothing else may draw.
            with app.suspend():
                opened = browser.open(url)
        except SuspendNotSupported:
            _show(app, url, f"{name} is a text browser and this terminal cannot be handed "
                  "over to it")
            return
        if not opened:  # it did not start, or ended with an error: the URL is still wanted
            _show(app, url, f"{name} ended with an error")
        return
    if not await asyncio.to_thread(browser.open, url):
        _show(app, url, f"{name} did not start")
        return
    app.notify(f"Opening {url}", markup=False)
