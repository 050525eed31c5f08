"""Site sort on the local forum: a tag's listing pages re-rendered in ``sortBy``/``sortOrder``
order from the rows the forum knows, so "Site sort" in ``--demo`` visibly works."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from nereader.localforum.render import Row, listing_page

_SUFFIX = {"": 1, "k": 1_000, "m": 1_000_000}


@dataclass(frozen=True, slots=True)
class TagRows:
    """Every row of a tag in the site's own order (latest activity first), and its pages."""

    slug: str
    name: str
    description: str
    total_posts: int
    per_page: int
    rows: tuple[Row, ...]


def _views(text: str) -> float:
    """ "8.4k" -> 8400; the local forum reads its own rows, not the site's (no parser here)."""
    text = text.strip().lower().replace(",", "")
    suffix = text[-1:] if text[-1:] in _SUFFIX else ""
    try:
        return float(text.removesuffix(suffix) or 0) * _SUFFIX[suffix]
    except ValueError:
        return 0.0


# Larger key first under DESC (the site's default order for a sort).
_KEYS: dict[str, Callable[[int, Row], float]] = {
    "newest": lambda n, r: r.id,  # thread ids grow with time
    "oldest": lambda n, r: -r.id,
    "lastUpdated": lambda n, r: -n,  # the default listing is by latest activity
    "replies": lambda n, r: r.replies,
    "boosts": lambda n, r: r.boosts,
    "views": lambda n, r: _views(r.views),
}


def sorted_page(tag: TagRows, query: str) -> bytes | None:
    """The listing page a ``sortBy=...&sortOrder=...&page=N`` query asks for, or None when
    the query names no sort this forum knows (or a page past the end)."""
    params = dict(parse_qsl(query))
    key = _KEYS.get(params.get("sortBy", ""))
    if key is None:
        return None
    try:
        page = int(params.get("page", "1"))
    except ValueError:
        return None
    descending = params.get("sortOrder", "DESC").upper() != "ASC"
    ranked = sorted(enumerate(tag.rows), key=lambda item: key(*item), reverse=descending)
    rows = [row for _, row in ranked]
    total_pages = max(1, -(-len(rows) // tag.per_page))
    if not 1 <= page <= total_pages:
        return None
    chunk = rows[(page - 1) * tag.per_page : page * tag.per_page]
    return listing_page(tag.slug, tag.name, tag.description, tag.total_posts, page,
                        total_pages, chunk)
