"""An httpx transport that answers from a Site in-process: the demo mode opens no socket."""

from __future__ import annotations

import asyncio

import httpx

from nereader.localforum.site import Site


class SiteTransport(httpx.AsyncBaseTransport):
    def __init__(self, site: Site) -> None:
        self.site = site

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode("ascii")
        answer = self.site.answer(target, dict(request.headers))
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.action == "reset":
            raise httpx.ReadError("connection reset by the local forum", request=request)
        if answer.action == "truncate":
            raise httpx.RemoteProtocolError("peer closed connection mid-body", request=request)
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body,
                              request=request)
