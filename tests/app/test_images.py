"""A post's images: listed under it (alt text, size), `i` draws them in an image screen (here,
headless, the coloured half-block fallback), through the polite cache, offline too once seen;
an image on another host or a body that is no image says so."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from nereader.localforum import Site
from nereader.localforum.routes import Route
from nereader.screenshots import demo_app, open_thread, settle
from nereader.ui.app import NereaderApp
from nereader.ui.screens.images import ImageScreen, image_widget
from nereader.ui.widgets.thread_view import ThreadView
from tests.app.test_app import notifications
from tests.app.test_reading import SIZE, screen_text, site_with

PICTURE = "/forums/content/attachment/panic.png"
ELSEWHERE = "https://images.example.com/diagram.png"


def png(width: int, height: int) -> bytes:
    """Red over blue: the top half-cells red, the bottom ones blue."""
    picture = Image.new("RGB", (width, height), (255, 0, 0))
    picture.paste((0, 0, 255), (0, height // 2, width, height))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def pictured_site() -> Site:
    site = site_with(image=("<p>Thanks for the detailed report.",
                            f'<p><img src="{PICTURE}" alt="the panic log" width="64" '
                            f'height="32"> <img src="{ELSEWHERE}" alt="a diagram"></p>'
                            "<p>Thanks for the detailed report."))
    site.add(PICTURE, Route(png(64, 32), content_type="image/png"))
    return site


async def opened_images(app: NereaderApp, pilot) -> ImageScreen:  # type: ignore[no-untyped-def]
    await pilot.press("i")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ImageScreen)
    return screen


async def test_images_are_listed_and_drawn_in_half_blocks(tmp_path: Path) -> None:
    site = pictured_site()
    app = demo_app(tmp_path, site)
    said = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        view = app.query_one(ThreadView)
        await pilot.press("i")
        assert said[-1] == "This post has no images."  # the question has none
        await pilot.press("n")
        text = "\n".join(screen_text(view))
        assert "▣ Image 1 of 2: the panic log · 64×32" in text
        assert "▣ Image 2 of 2: a diagram" in text
        screen = await opened_images(app, pilot)
        assert type(screen.shown).__name__ == "HalfcellImage"  # no terminal graphics here
        assert image_widget(app) is type(screen.shown)
        picture = app.export_screenshot()
        assert "▀" in picture and "#ff0000" in picture.lower() and "#0000ff" in picture.lower()
        caption = str(screen.query_one("#image-caption").render())
        assert caption.startswith("Image 1 of 2: the panic log · 64×32 px, ")
        await pilot.press("n")  # the second image is on another host: never fetched
        await settle(pilot)
        assert screen.shown is None and "not on the forum's host" in "\n".join(
            str(w.render()) for w in screen.query(".image-message"))
        await pilot.press("escape")
        assert app.screen is not screen and isinstance(app.query_one(ThreadView), ThreadView)


async def test_an_image_seen_online_shows_offline(tmp_path: Path) -> None:
    site = pictured_site()
    app = demo_app(tmp_path, site)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        await pilot.press("n")
        await opened_images(app, pilot)
        await pilot.press("escape", "ctrl+o")  # offline now
        requests = site.counters.requests
        screen = await opened_images(app, pilot)
        assert type(screen.shown).__name__ == "HalfcellImage"
        assert site.counters.requests == requests


@pytest.mark.parametrize("body", [b"<html><h1>Sign in</h1></html>", b"\x89PNG\r\n\x1a\nbroken"])
async def test_what_is_not_an_image_says_so(tmp_path: Path, body: bytes) -> None:
    site = pictured_site()
    site.add(PICTURE, Route(body, content_type="image/png"))
    app = demo_app(tmp_path, site)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, 828388)
        await pilot.press("n")
        screen = await opened_images(app, pilot)
        message = "\n".join(str(w.render()) for w in screen.query(".image-message"))
        assert screen.shown is None
        assert ("is not an image" if body.startswith(b"<") else "could not be read") in message
