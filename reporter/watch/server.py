"""The preview server (http.server, one thread per request): the last good page with the
reload script, the files in out/ (assets, the PDF) and nothing outside it, and the event
stream the page listens to. Every response says `Cache-Control: no-store`, so a reload
fetches changed stylesheets and fonts too.

It answers only requests addressed to it (the Host header names the address and port it
serves; for a loopback address, `localhost` too): a page on another site whose name was made
to resolve to 127.0.0.1 (DNS rebinding) gets 421 and reads nothing. A connection must send
its request within REQUEST_TIMEOUT seconds, and a response waits at most IDLE_TIMEOUT on a
client that stops reading: a silent or trickling connection (slowloris) is closed."""

from __future__ import annotations

import io
import ipaddress
import json
import mimetypes
import shutil
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from reporter.watch.reload import EVENTS, STATUS, inject, placeholder
from reporter.watch.state import LiveState

HEARTBEAT = 15.0  # seconds between keep-alive comments on an idle event stream
REQUEST_TIMEOUT = 10.0  # seconds from the connection to the end of its request's headers
IDLE_TIMEOUT = 30.0  # seconds a response waits on a client that does not read it
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds up the exit
    request_timeout = REQUEST_TIMEOUT
    idle_timeout = IDLE_TIMEOUT

    def __init__(self, address: tuple[str, int], out: Path, state: LiveState, project: str):
        self.out, self.state, self.project = out, state, project
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        self.names = _names(address[0], str(self.server_address[0]), self.server_name)

    def addressed(self, host: str) -> bool:
        """Whether a request's Host header names this server: one of its names (any IP
        address, for a server on all of this machine's) and its port."""
        name, port = _host_and_port(host)
        if port != self.server_address[1]:
            return False
        return name in self.names or (None in self.names and _is_address(name))

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


def _names(given: str, bound: str, fqdn: str) -> frozenset[str | None]:
    """The host names a request may address this server by: the address it was asked to
    serve on and the one it bound; for a loopback address, localhost, 127.0.0.1 and ::1; for
    every address (0.0.0.0, ::), any IP address (None stands for it) and this machine's
    names."""
    names: set[str | None] = {given.lower().strip("[]").rstrip("."), bound.lower()}
    if not _is_address(bound):
        return frozenset(names)
    address = ipaddress.ip_address(bound.split("%")[0])
    if address.is_loopback or given.lower() == "localhost":
        names |= LOOPBACK_NAMES
    if address.is_unspecified:
        names |= LOOPBACK_NAMES | {socket.gethostname().lower(), fqdn.lower(), None}
    return frozenset(names)


def _host_and_port(host: str) -> tuple[str, int]:
    """("127.0.0.1", 8000) for "127.0.0.1:8000", ("::1", 80) for "[::1]"; port -1 when the
    header is malformed."""
    host = host.strip().lower()
    if host.startswith("["):  # an IPv6 address
        name, _, port = host[1:].partition("]")
        if port and not port.startswith(":"):
            return name, -1
        port = port[1:]
    elif host.count(":") > 1:  # an IPv6 address must be in brackets
        return host, -1
    else:
        name, _, port = host.partition(":")
    if not port:
        return name.rstrip("."), 80
    return name.rstrip("."), int(port) if port.isdigit() and len(port) <= 5 else -1


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False
    return True


class _Deadline(io.RawIOBase):
    """A connection's reads, each bounded by the time left until `deadline` (then
    TimeoutError): a client that trickles its headers a byte at a time is closed all the
    same, as one that sends nothing."""

    def __init__(self, connection: socket.socket, deadline: float) -> None:
        self.connection, self.deadline = connection, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took too long")
        self.connection.settimeout(left)
        return self.connection.recv_into(buffer)


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

    def setup(self) -> None:
        """The request is read against a deadline; what follows waits at most
        `idle_timeout` on each send (a client that stops reading)."""
        super().setup()
        self.rfile.close()  # the plain reader: replaced by one with a deadline
        deadline = time.monotonic() + self.server.request_timeout
        self.rfile = io.BufferedReader(_Deadline(self.connection, deadline))

    def parse_request(self) -> bool:
        """The request line and headers; then only the idle timeout applies."""
        ok = super().parse_request()
        self.connection.settimeout(self.server.idle_timeout)
        return ok

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self._respond(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(body=False)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet: no access log
        pass

    def _respond(self, body: bool) -> None:
        path = urlsplit(self.path).path
        html, name, token = self.server.state.page()
        hosts = self.headers.get_all("Host") or []  # HTTP/1.0 may send none: refused too
        try:
            if len(hosts) != 1 or not self.server.addressed(hosts[0]):
                # DNS rebinding: a page of another site, its name now resolving to this
                # address, would read the drafts and the PDF. Nothing of the request is echoed.
                where = self.server.url
                text = f"misdirected request: this server answers to {where} only\n"
                self._send(text.encode(), "text/plain", body, HTTPStatus.MISDIRECTED_REQUEST)
            elif path == EVENTS:
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
