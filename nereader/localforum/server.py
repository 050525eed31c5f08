"""The local forum over real HTTP on a loopback port, with the fault switches of Site."""

from __future__ import annotations

import contextlib
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from nereader.localforum.site import Site


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.site.lock:
            self.server.site.counters.connections += 1
            self.server.open.add(self.connection)

    def finish(self) -> None:
        with self.server.site.lock:
            self.server.open.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def do_GET(self) -> None:
        site = self.server.site
        with site.lock:
            site.counters.in_flight += 1
            site.counters.max_in_flight = max(site.counters.max_in_flight,
                                              site.counters.in_flight)
            site.counters.started.append(time.monotonic())
        try:
            self._serve(site)
        finally:
            with site.lock:
                site.counters.in_flight -= 1

    def _serve(self, site: Site) -> None:
        answer = site.answer(self.path, dict(self.headers.items()))
        if answer.delay:
            time.sleep(answer.delay)
        if answer.action == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        self.send_response(answer.status)
        for key, value in answer.headers.items():
            self.send_header(key, value)
        body = answer.body
        if answer.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            step = 64 * 1024
            try:
                for i in range(0, len(body), step):
                    chunk = body[i : i + step]
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if answer.action == "truncate":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if answer.status != 304:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site: Site, host: str, port: int) -> None:
        self.site = site
        self.open: set[socket.socket] = set()  # kept-alive connections, closed on stop
        super().__init__((host, port), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client killed mid-request (the sync resume tests do it on purpose) is no error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class ForumServer:
    """Start with ``with ForumServer(site) as server: server.base_url``."""

    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self._server = _Server(site, host, port)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True, name="local-forum")

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ForumServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop as a killed server does: the port refuses, and kept-alive connections close
        (a handler thread would otherwise go on answering them)."""
        self._server.shutdown()
        self._server.server_close()
        with self.site.lock:
            kept = list(self._server.open)
        for connection in kept:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> ForumServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        self._server.serve_forever()
