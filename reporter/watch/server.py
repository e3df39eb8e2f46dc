"""The preview server (http.server, one thread per request): the last good page with the
reload script, the files in out/ (assets, the PDF) and nothing outside it, and the event
stream the page listens to. Every response says `Cache-Control: no-store`, so a reload
fetches changed stylesheets and fonts too."""

from __future__ import annotations

import json
import mimetypes
import shutil
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from reporter.watch.reload import EVENTS, STATUS, inject, placeholder
from reporter.watch.state import LiveState

HEARTBEAT = 15.0  # seconds between keep-alive comments on an idle event stream


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds up the exit

    def __init__(self, address: tuple[str, int], out: Path, state: LiveState, project: str):
        self.out, self.state, self.project = out, state, project
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"

    def start(self) -> threading.Thread:
        thread = threading.Thread(
            target=self.serve_forever, args=(0.1,), name="reporter-watch-http"
        )
        thread.daemon = True
        thread.start()
        return thread

    def stop(self) -> None:
        self.state.close()
        self.shutdown()
        self.server_close()


def in_out(out: Path, url_path: str) -> Path | None:
    """The file in `out` that a URL path names, or None if it names none or anything outside
    (`..`, absolute or hidden parts, a link leading out)."""
    path = unquote(urlsplit(url_path).path)
    parts = [part for part in path.split("/") if part]
    if "\0" in path or "\\" in path or any(part.startswith(".") for part in parts):
        return None
    root = out.resolve()
    target = root.joinpath(*parts).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "reporter-watch"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self._respond(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(body=False)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet: no access log
        pass

    def _respond(self, body: bool) -> None:
        path = urlsplit(self.path).path
        html, name, token = self.server.state.page()
        try:
            if path == EVENTS:
                self._events()
            elif path == STATUS:
                self._send(
                    json.dumps(self.server.state.status()).encode(), "application/json", body
                )
            elif path == "/" or (name and path == f"/{name}"):
                page = (
                    inject(html, token)
                    if html is not None
                    else placeholder(token, self.server.project)
                )
                self._send(page, "text/html; charset=utf-8", body)
            else:
                self._file(in_out(self.server.out, self.path), body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away

    def _send(self, data: bytes, kind: str, body: bool, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _file(self, target: Path | None, body: bool) -> None:
        if target is None:
            self._send(b"not found\n", "text/plain", body, HTTPStatus.NOT_FOUND)
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        with target.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(0)
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(size))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                shutil.copyfileobj(handle, self.wfile)

    def _events(self) -> None:
        """Server-Sent Events: the status now, then again after every change, until the
        browser leaves or the server stops."""
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b"retry: 500\n\n")  # reconnect quickly after a restart
        version = state.version
        while not state.closed:
            self.wfile.write(f"data: {json.dumps(state.status())}\n\n".encode())
            self.wfile.flush()
            while (now := state.wait(version, HEARTBEAT)) == version and not state.closed:
                self.wfile.write(b": ping\n\n")  # finds out whether the browser is still there
                self.wfile.flush()
            version = now
