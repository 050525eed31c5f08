"""The local forum's routing vocabulary: a page (Route), the key a path and query route by, and
the ``?answerId=`` rule that finds the reply page holding a reply."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

HTML = "text/html; charset=utf-8"
PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class Route:
    body: bytes
    status: int = 200
    content_type: str = HTML

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


def route_key(path: str, query: str) -> str:
    """The routing key of a path and query: parameters sorted, page=1 and sortOrder's case
    ignored, as the site treats them."""
    pairs = [
        (k, v.upper() if k == "sortOrder" else v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if not (k == "page" and v == "1")
    ]
    pairs.sort()
    return path.rstrip("/") + ("?" + urlencode(pairs) if pairs else "")


_THREAD = re.compile(r"^/forums/thread/(\d{1,12})/?$")


def reply_page(routes: Mapping[str, Route], path: str, query: str) -> Route | None:
    """``/forums/thread/<id>?answerId=<reply>``: the page of the thread that holds the reply
    (None: the site's usual fallback, page 1)."""
    match = _THREAD.match(path)
    params = dict(parse_qsl(query))
    reply = params.get("answerId", "")
    if match is None or not reply.isdigit():
        return None
    needle = f'data-post-id="{reply}"'.encode()
    for n in range(1, 1001):
        route = routes.get(route_key(path, f"page={n}"))
        if route is None:
            return None
        if needle in route.body:
            return route
    return None
