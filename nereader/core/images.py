"""Images of posts as fetched: what a body is, read from its first bytes (no decoding here)."""

from __future__ import annotations

from datetime import datetime

from nereader.core.errors import ParseError

# The formats a post's image comes in, by the bytes they start with.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
)


def image_format(data: bytes) -> str | None:
    """"png", "jpeg", "gif", "webp" or "bmp" by the body's first bytes; None for anything else
    (an HTML error page, a bot check, a truncated body)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((name for magic, name in _MAGIC if data.startswith(magic)), None)


def checked_image(body: bytes, url: str, fetched_at: datetime) -> bytes:
    """The loader's "parser" for an image: the body itself, once it is seen to be one, so an
    error page served in its place is never cached as the image."""
    if image_format(body) is None:
        head = body[:40].decode("latin-1").split("\n")[0]
        raise ParseError(f"{url} is not an image (it starts {head!r})")
    return body
