"""An httpx transport that answers from a Site in-process: the demo mode opens no socket."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import httpx

from nereader.localforum.ages import NOW, moved
from nereader.localforum.site import Site


class SiteTransport(httpx.AsyncBaseTransport):
    """``today``: serve the pages as if on that day (the demo), every date in them moved by as
    much as it is past the day they were made; None serves them as they are (the tests)."""

    def __init__(self, site: Site, today: datetime | None = None) -> None:
        self.site = site
        self.today = today
        delta = (today - NOW) if today is not None else timedelta(0)
        self.delta = max(timedelta(0), timedelta(minutes=delta // timedelta(minutes=1)))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode("ascii")
        asked = dict(request.headers)
        if self.delta:
            asked = self._unmoved_validator(asked)
        answer = self.site.answer(target, asked)
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.action == "reset":
            raise httpx.ReadError("connection reset by the local forum", request=request)
        if answer.action == "truncate":
            raise httpx.RemoteProtocolError("peer closed connection mid-body", request=request)
        headers, body = answer.headers, answer.body
        if self.delta:
            headers, body = self._moved(headers, body)
        return httpx.Response(answer.status, headers=headers, content=body, request=request)

    @property
    def _day(self) -> str:
        """What a moved page's ETag carries: the same page moved another day is another body."""
        return f"-{self.delta // timedelta(minutes=1)}m"

    def _unmoved_validator(self, headers: dict[str, str]) -> dict[str, str]:
        """The request's ETag as the site gave it, when it names a page moved as this one
        moves them; a page moved another day is sent again (no 304 for another body)."""
        out = {k: v for k, v in headers.items() if k.lower() != "if-none-match"}
        tag = next((v for k, v in headers.items() if k.lower() == "if-none-match"), None)
        if tag is not None and tag.endswith(self._day + '"'):
            out["if-none-match"] = tag[: -len(self._day) - 1] + '"'
        elif tag is not None:
            out = {k: v for k, v in out.items() if k.lower() != "if-modified-since"}
        return out

    def _moved(self, headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
        headers = dict(headers)
        if headers.get("ETag", "").endswith('"'):
            headers["ETag"] = headers["ETag"][:-1] + self._day + '"'
        if "Last-Modified" in headers:
            with_delta = parsedate_to_datetime(headers["Last-Modified"]) + self.delta
            headers["Last-Modified"] = format_datetime(with_delta, usegmt=True)
        kind = headers.get("Content-Type", "")
        if body and ("html" in kind or "xml" in kind):
            today = NOW + self.delta
            body = moved(body.decode("utf-8", "surrogateescape"), self.delta,
                         today).encode("utf-8", "surrogateescape")
        return headers, body
