"""A post's images drawn in the terminal: its graphics protocol where it has one (Kitty's,
Sixel), coloured half blocks otherwise. textual-image draws all three.

textual-image asks the terminal what it can draw when it is imported, and a terminal can
only answer while nothing else reads it: so it is imported once, when an image is first
shown, with the app suspended for that moment (start-up never loads it). Images come through
the service: the forum's own host only, the page cache, its politeness and size cap.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from nereader.core.errors import NereaderError
from nereader.core.models import PostImage
from nereader.core.service import ForumService
from nereader.core.text import plural
from nereader.ui.bindings import bindings_of
from nereader.ui.hints import hinted
from nereader.ui.widgets.post_lines import image_label

if TYPE_CHECKING:
    from PIL.Image import Image as Picture


def image_widget(app: App[Any]) -> Callable[..., Widget]:
    """The widget that draws an image in this terminal: textual-image's for the graphics
    protocol it found (Sixel, Kitty's), else its coloured half blocks (never its plain
    characters: a terminal without graphics still has colours)."""
    if "textual_image.widget" not in sys.modules:
        try:
            with app.suspend():  # the terminal answers textual-image's questions now
                importlib.import_module("textual_image.widget")
        except SuspendNotSupported:  # no terminal to ask (headless): half blocks
            importlib.import_module("textual_image.widget")
    from textual_image.renderable import Image as Found
    from textual_image.renderable import SixelImage as SixelFound
    from textual_image.renderable import TGPImage as TGPFound
    from textual_image.widget import HalfcellImage, SixelImage, TGPImage

    if Found is SixelFound:
        return SixelImage
    if Found is TGPFound:
        return TGPImage
    return HalfcellImage


def decode(data: bytes) -> Picture:
    """The image's pixels (in a thread: a large one takes a while); ValueError when the bytes
    are not an image Pillow reads, or one too large to decode safely."""
    from PIL import Image, UnidentifiedImageError

    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError,
            SyntaxError) as exc:  # Pillow's plugins raise all of these for a bad file
        raise ValueError(f"the image could not be read ({type(exc).__name__}: {exc})") from exc
    return picture


class ImageScreen(ModalScreen[None]):
    """The images of one post, one at a time: n/p (→/←) between them, o the browser."""

    BINDINGS = bindings_of("ImageScreen")

    def __init__(self, service: ForumService, images: tuple[PostImage, ...], start: int,
                 title: str) -> None:
        super().__init__()
        self.service = service
        self.images = images
        self.index = max(0, min(start, len(images) - 1))
        self.title_text = title
        self.shown: Widget | None = None  # the image's widget, once drawn

    def compose(self) -> ComposeResult:
        with Vertical(id="images"):
            yield Static(id="image-caption")
            yield Vertical(id="image-frame")
            keys = "n/p: next/previous · " if len(self.images) > 1 else ""
            yield Static(Text(f"{keys}o: open in the browser · esc: close", style="dim"),
                         id="image-keys")

    def on_mount(self) -> None:
        self.query_one("#images").border_title = f"Images of {self.title_text}"
        self.show(self.index)

    @property
    def image(self) -> PostImage:
        return self.images[self.index]

    def show(self, index: int) -> None:
        self.index = index
        self._caption()
        self._say("Loading the image…")
        self.run_worker(self._load(index), group="image", exclusive=True)

    def _caption(self, drawn: str = "") -> None:
        """What the image is; once drawn, its own size (the page's may differ) and bytes."""
        label = image_label(self.image, self.index + 1, len(self.images), size=not drawn)
        self.query_one("#image-caption", Static).update(Text(label + drawn))

    def _say(self, message: str) -> None:
        frame = self.query_one("#image-frame")
        frame.remove_children()
        self.shown = None
        frame.mount(Static(Text(message), classes="image-message"))

    async def _load(self, index: int) -> None:
        image = self.images[index]
        try:
            result = await self.service.image(image.url)
        except NereaderError as exc:
            self._say(f"Could not load the image: {hinted(self, str(exc))}\n\n{image.url}")
            return
        try:
            picture = await asyncio.to_thread(decode, result.value)
        except ValueError as exc:
            self._say(f"{exc}\n\n{image.url}")
            return
        drawer = image_widget(self.app)
        frame = self.query_one("#image-frame")
        await frame.remove_children()
        self.shown = drawer(picture, classes="picture")
        await frame.mount(self.shown)
        size = f" · {picture.width}×{picture.height} px, {_size(len(result.value))}"
        self._caption(size + (f" · {result.warning}" if result.stale and result.warning else ""))

    def action_step(self, delta: int) -> None:
        if len(self.images) > 1:
            self.show((self.index + delta) % len(self.images))
        else:
            self.notify("This post has one image.", timeout=2)

    def action_open_browser(self) -> None:
        self.app.open_url(self.image.url)  # the app says how it went


def _size(count: int) -> str:
    return plural(count, "byte") if count < 1024 else f"{count / 1024:,.0f} KiB"
