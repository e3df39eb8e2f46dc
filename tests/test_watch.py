"""`reporter watch`: change detection, debounce, error state, the warm PDF renderer (warm,
superseded, never outliving the watcher), the server, and the live reload itself, observed in
a real browser (headless chromium)."""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import io
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.request import urlopen

import pytest

from reporter.cache import folder_of
from reporter.cli import main
from reporter.export.publish import publish
from reporter.files import pid_alive
from reporter.pipeline import BuildResult, build
from reporter.project import Project
from reporter.watch import runner
from reporter.watch.changes import Debounce, changed, snapshot
from reporter.watch.pdf import PdfOutcome, WarmRenderer, remove_orphans
from reporter.watch.reload import OVERLAY_ID, inject
from reporter.watch.runner import Session, Terminal, poll
from reporter.watch.server import PreviewServer
from reporter.watch.state import LiveState
from tests.pdftext import page_texts, squash

BROKEN_YAML = "kind: section\ntitle: [unclosed\n"


def eventually(probe, what: str, timeout: float = 10.0):
    """probe()'s first truthy value, polled every 0.05 s; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := probe()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
    return value


def terminal() -> tuple[Terminal, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Terminal(out, err), out, err


# change detection and debounce


def test_snapshot_sees_added_changed_and_removed_files_not_editor_files(tmp_path):
    for name in ("content", "data", "templates"):
        (tmp_path / name).mkdir()
    (tmp_path / "content/main.yaml").write_text("a: 1\n")
    (tmp_path / "data/values.csv").write_text("x\n1\n")
    (tmp_path / "elsewhere.txt").write_text("not watched\n")
    first = snapshot(tmp_path)
    assert sorted(first) == ["content/main.yaml", "data/values.csv"]

    (tmp_path / "content/main.yaml").write_text("a: 22\n")
    (tmp_path / "data/values.csv").unlink()
    (tmp_path / "templates/extra.css").write_text("p {}\n")
    for name in (".main.yaml.swp", "main.yaml~", "4913", ".git/HEAD"):
        (tmp_path / "content" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "content" / name).write_text("editor\n")
    (tmp_path / "elsewhere.txt").write_text("still not watched\n")
    assert changed(first, snapshot(tmp_path)) == [
        "content/main.yaml",
        "data/values.csv",
        "templates/extra.css",
    ]


def test_an_edit_that_keeps_the_size_is_seen(tmp_path):
    (tmp_path / "content").mkdir()
    path = tmp_path / "content/main.yaml"
    path.write_text("a: 1\n")
    before = snapshot(tmp_path)
    os.utime(path, ns=(1, 1))
    path.write_text("a: 2\n")
    assert changed(before, snapshot(tmp_path)) == ["content/main.yaml"]


def test_debounce_waits_for_quiet_and_caps_a_long_burst():
    debounce = Debounce(quiet=0.2, longest=2.0)
    assert not debounce.due(0.0) and not debounce.pending
    debounce.change(10.0)
    debounce.change(10.1)
    assert debounce.pending
    assert not debounce.due(10.25)  # 0.15 s since the last change
    assert debounce.due(10.3)  # quiet for 0.2 s
    assert not debounce.due(10.4)  # once
    for tick in range(21):  # a change every 0.1 s for 2 s: built at the cap, not never
        debounce.change(20.0 + tick / 10)
        if debounce.due(20.0 + tick / 10 + 0.05):
            break
    assert tick == 20


class Recorder:
    def __init__(self) -> None:
        self.changes: list[list[str]] = []
        self.builds: list[list[str]] = []

    def changed(self, paths=()) -> None:
        self.changes.append(list(paths))

    def rebuild(self, paths=()) -> bool:
        self.builds.append(list(paths))
        return True


def test_a_burst_of_writes_gives_one_build(make_project):
    root = make_project()
    session, stop = Recorder(), threading.Event()
    loop = threading.Thread(target=poll, args=(session, root, stop, 0.05, Debounce(quiet=1.0)))
    loop.start()
    try:
        time.sleep(0.2)
        for name in ("content/main.yaml", "content/footnotes.yaml", "data/values.csv"):
            path = root / name
            path.write_text(path.read_text() + "\n")
            time.sleep(0.1)
        eventually(lambda: session.builds, "a build")
        time.sleep(0.3)
    finally:
        stop.set()
        loop.join()
    assert session.builds == [["content/footnotes.yaml", "content/main.yaml", "data/values.csv"]]
    assert len(session.changes) == 1  # the PDF in flight is cancelled at the first change


# the session: error state, the PDF in the background


def test_a_failed_build_keeps_the_last_good_page_until_the_next_good_one(make_project):
    root = make_project()
    state, (term, out, err) = LiveState(), terminal()
    session = Session(Project.at(root), root / "out", state, term, pdf=False)
    assert session.rebuild()
    good, name, token = state.page()
    assert name == "X-1-2.html" and good == (root / "out/X-1-2.html").read_bytes()
    assert b"reporter-watch" not in good  # the file on disk is reporter build's
    assert state.status() == {"token": token, "error": None, "pdf": "", "pdf_error": None}
    assert "X-1-2.html in " in out.getvalue()

    main_yaml = root / "content/main.yaml"
    original = main_yaml.read_text()
    main_yaml.write_text(BROKEN_YAML)
    assert not session.rebuild(["content/main.yaml"])
    assert state.page() == (good, name, token)  # the last good page, same token: no reload
    assert state.error.startswith("content/main.yaml:3:1: malformed YAML")
    assert f"error: {state.error}" in err.getvalue()  # the same line in the terminal
    assert (root / "out/X-1-2.html").read_bytes() == good

    main_yaml.write_text(original.replace("First paragraph.", "Edited paragraph."))
    assert session.rebuild(["content/main.yaml"])
    html, _, new_token = state.page()
    assert state.error is None and new_token != token and b"Edited paragraph." in html

    assert session.rebuild()  # nothing changed: same page, no reload
    assert state.token == new_token and "(no change to the page)" in out.getvalue()


def test_an_unexpected_exception_is_reported_and_watching_goes_on(make_project):
    def broken_build(*args, **kwargs):
        raise KeyError("boom")

    state, (term, _, err) = LiveState(), terminal()
    session = Session(Project.at(make_project()), Path("out"), state, term, pdf=False,
                      build_html=broken_build)  # fmt: skip
    assert not session.rebuild()
    assert state.error == "internal error: KeyError: 'boom' (run with --debug)"
    assert "error: internal error: KeyError" in err.getvalue()


FAKE_WORKER = """
import json, os, sys, time
print(json.dumps({"ready": True, "pid": os.getpid(), "seconds": 0}), flush=True)
for line in sys.stdin:
    job = json.loads(line)
    while not os.path.exists(GO):
        time.sleep(0.02)
    print(json.dumps({"job": job["job"], "pid": os.getpid(), "builds": 1} | ANSWER), flush=True)
"""


def fake_worker(go: Path | None = None, answer: dict | None = None) -> list[str]:
    """A stand-in for reporter/watch/worker.py that speaks its protocol: it answers each job
    with `answer` once the file `go` exists (never, without one)."""
    values = {"GO": repr(str(go or "/nonexistent/go")), "ANSWER": repr(answer or {})}
    code = FAKE_WORKER
    for name, value in values.items():
        code = code.replace(name, value)
    return [sys.executable, "-c", code]


class Recording(Session):
    """A session that keeps every PDF outcome it is given."""

    def __init__(self, *args, **kwargs) -> None:
        self.outcomes: list[PdfOutcome] = []
        super().__init__(*args, **kwargs)

    def pdf_done(self, outcome: PdfOutcome) -> None:
        self.outcomes.append(outcome)
        super().pdf_done(outcome)


def test_the_pdf_comes_from_a_warm_worker(make_project):
    root = make_project()
    state, (term, out, _) = LiveState(), terminal()
    session = Recording(Project.at(root), root / "out", state, term)
    try:
        assert session.pdfs.wait_ready(60)  # imports done before anything is asked of it
        pid = session.pdfs.pid
        assert session.rebuild()
        eventually(lambda: state.pdf == "written", "the first PDF", 60)
        main_yaml = root / "content/main.yaml"
        main_yaml.write_text(main_yaml.read_text().replace("First paragraph.", "Edited one."))
        assert session.rebuild(["content/main.yaml"])
        eventually(lambda: state.pdf == "written", "the second PDF", 60)
    finally:
        session.close()
    first, second = session.outcomes
    # the same process built both: the second build imported nothing (WeasyPrint included)
    assert (first.pid, first.builds, second.pid, second.builds) == (pid, 1, pid, 2)
    assert second.status == "written" and second.pages == 1 and second.errors == []
    assert sorted(second.files) == ["X-1-2.html", "X-1-2.pdf", "manifest.json"]
    assert "Edited one." in squash(" ".join(page_texts(root / "out/X-1-2.pdf")))
    manifest = json.loads((root / "out/manifest.json").read_text())
    assert sorted(manifest["outputs"]) == ["X-1-2.html", "X-1-2.pdf"]
    reference = build(Project.at(root), out=root.parent / "ref", progress=lambda _: None)
    assert (root / "out/X-1-2.pdf").read_bytes() == reference.pdf.read_bytes()
    assert "X-1-2.pdf in " in out.getvalue() and ", 1 page\n" in out.getvalue()
    assert not pid_alive(pid)  # gone with the session, and so is the folder it built in
    assert not list(root.glob(".out.*"))


def long_section(words: str) -> str:
    paragraph = f"{words} " + "The quick brown fox jumps over the lazy dog. " * 12
    blocks = "".join(f"  - p: {paragraph}\n" for _ in range(150))
    return f"kind: section\nlabel: only\ntitle: The only section\nblocks:\n{blocks}"


def test_a_superseded_build_never_publishes(make_project, monkeypatch, tmp_path):
    published: list[Path] = []  # every PDF the session copied into out/

    def spy(out, files, assets=None):
        published.append(tmp_path / f"published-{len(published)}.pdf")
        published[-1].write_bytes(files["X-1-2.pdf"])
        publish(out, files, assets)

    monkeypatch.setattr(runner, "publish", spy)
    root = make_project({"content/main.yaml": long_section("Version zero.")})
    main_yaml = root / "content/main.yaml"
    state, (term, out, _) = LiveState(), terminal()
    session = Session(Project.at(root), root / "out", state, term)
    try:
        assert session.rebuild()
        eventually(lambda: state.pdf == "written", "the first PDF", 60)
        main_yaml.write_text(long_section("Version one."))
        assert session.rebuild(["content/main.yaml"])
        busy = session.pdfs.pid
        assert session.pdfs.running  # a PDF of a dozen pages takes a while
        main_yaml.write_text(long_section("Version two."))
        session.changed(["content/main.yaml"])  # as the polling loop does, at once
        assert state.pdf == "cancelled" and not session.pdfs.running
        assert not pid_alive(busy) and session.pdfs.pid != busy  # the next one is warming up
        assert session.rebuild(["content/main.yaml"])
        eventually(lambda: state.pdf == "written", "the PDF of the last edit", 60)
    finally:
        session.close()
    texts = [squash(" ".join(page_texts(pdf))) for pdf in published]
    assert len(texts) == 2 and "Version zero." in texts[0] and "Version two." in texts[1]
    assert "Version one." not in " ".join(texts)
    assert out.getvalue().count("wrote ") == 2
    assert "PDF cancelled: superseded by a newer change" in out.getvalue()


def test_the_html_does_not_wait_for_the_pdf_and_a_stale_answer_is_dropped(make_project):
    root = make_project()
    state, (term, out, _) = LiveState(), terminal()
    session = Session(Project.at(root), root / "out", state, term, pdf_command=fake_worker())
    assert session.rebuild()
    # rebuild() returned while the (60 s) PDF build still runs: it did not hold the page up
    assert session.pdfs.running and state.pdf == "building"
    first, worker = state.token, session.pdfs.pid

    session.changed(["content/main.yaml"])  # a newer change: the PDF in flight is stale
    assert not session.pdfs.running and state.pdf == "cancelled"
    assert "PDF cancelled: superseded by a newer change" in out.getvalue()
    assert session.pdfs.pid != worker and not pid_alive(worker)
    # an answer read just before the kill comes too late: nothing is published
    session.pdf_done(PdfOutcome(1, "written", 0.1, pages=1, files=["X-1-2.pdf"]))
    assert state.pdf == "cancelled" and "wrote" not in out.getvalue()

    (root / "content/main.yaml").write_text(BROKEN_YAML)
    assert not session.rebuild(["content/main.yaml"])
    assert state.pdf == "cancelled"  # no PDF of a failed build: the last good outputs stay
    assert state.token == first
    session.close()


def test_a_pdf_failure_on_inputs_newer_than_the_page_is_left_to_the_next_build(
    make_project, tmp_path
):
    root, go = make_project(), tmp_path / "go"
    state, (term, _, err) = LiveState(), terminal()
    answer = {"status": "failed", "errors": [{"text": "content/main.yaml:3:1: bad"}]}
    command = fake_worker(go, answer)
    session = Session(Project.at(root), root / "out", state, term, pdf_command=command)
    session.rebuild()
    (root / "content/main.yaml").write_text(BROKEN_YAML)  # read by the PDF build, not the page
    go.touch()
    eventually(lambda: state.pdf == "cancelled", "the PDF to count as superseded")
    assert state.status()["pdf_error"] is None and "error" not in err.getvalue()
    session.close()


def test_successive_pdf_builds_supersede_each_other(tmp_path):
    outcomes: list[PdfOutcome] = []
    renderer = WarmRenderer(tmp_path, tmp_path / "w", False, outcomes.append, fake_worker())
    first = renderer.pid
    assert renderer.start() == 1 and renderer.running
    assert renderer.start() == 2 and renderer.running  # the first is killed, a new one asked
    second = renderer.pid
    assert second != first and not pid_alive(first)
    assert renderer.cancel() and not renderer.running and not pid_alive(second)
    assert not renderer.cancel()  # nothing in flight
    renderer.close()
    assert outcomes == []  # a superseded build has nothing to say
    assert not pid_alive(renderer.pid) and not (tmp_path / "w").exists()


def test_a_worker_that_dies_fails_its_build_and_the_next_one_is_started(tmp_path):
    outcomes: list[PdfOutcome] = []
    dying = [sys.executable, "-c", "import sys; sys.stdin.readline(); sys.exit('out of luck')"]
    renderer = WarmRenderer(tmp_path, tmp_path / "w", False, outcomes.append, dying)
    first = renderer.pid
    renderer.start()
    eventually(lambda: outcomes, "the failure")
    assert outcomes[0].status == "failed"
    assert outcomes[0].error == "the PDF worker stopped (exit code 1): out of luck"
    renderer.start()  # a new worker for the next build
    assert renderer.pid != first
    renderer.close()


# the server


@pytest.fixture
def server(tmp_path):
    out = tmp_path / "out"
    (out / "assets").mkdir(parents=True)
    (out / "assets/report.css").write_text("p { color: black }\n")
    (out / "X-1-2.pdf").write_bytes(b"%PDF-1.7\n")
    (out / ".X-1-2.html.abc.tmp").write_text("half written")
    (tmp_path / "secret.txt").write_text("outside out/\n")
    (out / "assets/link").symlink_to(tmp_path / "secret.txt")
    state = LiveState()
    state.good(b"<html><body><p>Hello</p></body></html>\n", "X-1-2.html")
    server = PreviewServer(("127.0.0.1", 0), out, state, "proj")
    server.start()
    yield server
    server.stop()


def get(server: PreviewServer, path: str) -> tuple[int, bytes, str]:
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=5)
    connection.request("GET", path)  # sent as is: no client-side normalisation of `..`
    response = connection.getresponse()
    return response.status, response.read(), response.getheader("Content-Type")


def test_the_script_is_injected_only_into_the_served_page(server):
    status, page, kind = get(server, "/")
    assert status == 200 and kind == "text/html; charset=utf-8"
    assert page.startswith(b'<html><body><p>Hello</p><script id="reporter-watch">')
    assert page.endswith(b"</script>\n</body></html>\n")
    assert json.dumps(server.state.token).encode() in page
    assert get(server, "/X-1-2.html")[1] == page
    assert server.state.html == b"<html><body><p>Hello</p></body></html>\n"


def test_inject_without_a_body_end_appends_and_never_closes_the_script_early():
    assert inject(b"<p>x", "t").startswith(b"<p>x<script")
    assert b"</script>" not in inject(b"", "</script>").split(b"</script>")[0][8:]


def test_only_files_in_out_are_served(server):
    assert get(server, "/assets/report.css")[:2] == (200, b"p { color: black }\n")
    assert get(server, "/X-1-2.pdf")[2] == "application/pdf"
    for path in (
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/../../secret.txt",
        "/assets/%2E%2E%2F%2E%2E%2Fsecret.txt",
        "//secret.txt",
        "/assets/link",  # a link leading out
        "/.X-1-2.html.abc.tmp",  # hidden: a write in progress
        "/assets/..%5c..%5csecret.txt",
        "/nothing.css",
    ):
        status, body, _ = get(server, path)
        assert status == 404 and b"outside" not in body, path


def test_the_event_stream_sends_the_status_now_and_after_each_change(server):
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=5)
    connection.request("GET", "/__reporter/events")
    response = connection.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"

    def next_status() -> dict:
        while not (line := response.readline()).startswith(b"data: "):
            pass
        return json.loads(line[6:])

    token = server.state.token
    assert next_status() == {"token": token, "error": None, "pdf": "", "pdf_error": None}
    server.state.failed("content/main.yaml:3:1: malformed YAML")
    assert next_status()["error"] == "content/main.yaml:3:1: malformed YAML"
    server.state.good(b"<p>new</p>", "X-1-2.html")
    status = next_status()
    assert status["error"] is None and status["token"] != token
    connection.close()


def request(server: PreviewServer, head: bytes) -> bytes:
    """The status line of the answer to a request sent as raw bytes."""
    with socket.create_connection(server.server_address[:2], timeout=5) as client:
        client.sendall(head)
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    return answer.split(b"\r\n")[0]


def test_only_requests_addressed_to_the_server_are_answered(server):
    """DNS rebinding: a page of evil.example, its name resolving to 127.0.0.1, sends
    "Host: evil.example:PORT" and must read nothing (the drafts, the PDF, the status)."""
    port = server.server_address[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LocalHost.:{port}"):
        for path in ("/", "/X-1-2.pdf", "/__reporter/status"):
            assert request(server, f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()) \
                == b"HTTP/1.0 200 OK", (host, path)  # fmt: skip
    for host in (f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "127.0.0.1",
                 f"127.0.0.1:{port + 1}", f"127.0.0.1:{port}0", f"::1:{port}", ""):  # fmt: skip
        for path in ("/", "/X-1-2.pdf", "/__reporter/status", "/__reporter/events"):
            head = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
            assert request(server, head) == b"HTTP/1.0 421 Misdirected Request", (host, path)
    two = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\n\r\n"
    for head in (b"GET / HTTP/1.0\r\n\r\n", two.encode()):  # none, or two
        assert request(server, head) == b"HTTP/1.0 421 Misdirected Request"


def test_a_server_on_every_address_answers_to_addresses_not_to_names(tmp_path):
    state = LiveState()
    state.good(b"<p>x</p>", "X-1-2.html")
    server = PreviewServer(("0.0.0.0", 0), tmp_path, state, "proj")
    server.start()
    try:
        port = server.server_address[1]
        answers = {"127.0.0.1": b"200", "192.0.2.7": b"200", "localhost": b"200",
                   "evil.example": b"421"}  # fmt: skip
        for host, status in answers.items():
            head = f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
            assert request(server, head).split()[1] == status, host
    finally:
        server.stop()


def test_a_silent_or_slow_connection_is_closed_and_others_are_served(server):
    """Slowloris: a connection that sends nothing, or its headers a byte at a time, is closed
    once the time for a request is up, while other requests are served; the event stream,
    once its request is in, outlives that time."""
    server.request_timeout = 0.5
    address, port = server.server_address[:2], server.server_address[1]
    events = http.client.HTTPConnection(*address, timeout=5)
    events.request("GET", "/__reporter/events")
    stream = events.getresponse()
    assert stream.status == 200

    silent = socket.create_connection(address, timeout=5)
    started = time.monotonic()
    assert get(server, "/")[0] == 200  # served while `silent` hangs on
    assert silent.recv(1) == b""  # closed by the server (a timeout here raises)
    assert 0.4 < time.monotonic() - started < 3

    slow = socket.create_connection(address, timeout=5)
    started = time.monotonic()
    head = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: {'x' * 100}".encode()
    with contextlib.suppress(OSError):  # a send once the server has closed it fails
        for byte in head:  # a byte every 20 ms: no single read ever waits long
            slow.send(bytes([byte]))
            time.sleep(0.02)
    with contextlib.suppress(ConnectionResetError):
        assert slow.recv(1) == b""  # closed by the server, its request never complete
    assert time.monotonic() - started < 0.5 + 0.5 * len(head) * 0.02
    assert get(server, "/")[0] == 200

    server.state.failed("content/main.yaml:3:1: malformed YAML")
    while (line := stream.readline()) and b"malformed YAML" not in line:
        pass
    assert line.startswith(b"data: {")  # the stream, open for more than 0.5 s, goes on
    for connection in (silent, slow, events):
        connection.close()


def test_a_port_in_use_is_a_usage_error(make_project, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code = main(["watch", str(make_project()), "--port", str(taken.getsockname()[1])])
    assert code == 2
    assert "cannot serve on 127.0.0.1:" in capsys.readouterr().err


# the live reload in a real browser


class Chromium:
    """Headless chromium driven through the DevTools protocol over a pipe
    (--remote-debugging-pipe: JSON messages ending in NUL on fds 3 and 4), stdlib only."""

    FLAGS = (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--remote-debugging-pipe",
    )

    def __init__(self, binary: str, profile: Path) -> None:
        to_browser, self._to_browser = os.pipe()
        self._from_browser, from_browser = os.pipe()

        def on_fds_3_and_4() -> None:  # in the child, before exec
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)
            for fd in high:
                os.close(fd)

        self.process = subprocess.Popen(
            [binary, *self.FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=on_fds_3_and_4,
            close_fds=False,  # fds 3 and 4; Python's own fds are not inheritable anyway
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer, self._ids, self.session = b"", 0, None

    def call(self, method: str, timeout: float = 10.0, **params) -> dict:
        self._ids += 1
        message = {"id": self._ids, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self._ids:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply["result"]
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError(f"chromium did not answer {method}")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium exited")
            self._buffer += chunk

    def open(self, url: str) -> None:
        target = self.call("Target.createTarget", url=url)["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.call("Browser.close", timeout=5)
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


@pytest.fixture
def chromium(tmp_path):
    binary = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not binary:
        pytest.fail(
            "chromium is not installed, and the live-reload test needs a real browser: install "
            "it with `apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM=/path/to/it",
            pytrace=False,
        )
    browser = Chromium(binary, tmp_path / "chromium-profile")
    yield browser
    browser.close()


@pytest.fixture
def watching(make_project, tmp_path):
    """`reporter watch` on a free port, as a user runs it: (root, url, process, stdout, stderr)."""
    root = make_project()
    stdout, stderr = tmp_path / "watch.out", tmp_path / "watch.err"
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "reporter.cli", "watch", str(root), "--port", "0"],
            stdout=out,
            stderr=err,
            cwd=root,
        )
    try:
        eventually(lambda: "serving http" in stdout.read_text(), "the URL", 20)
        url = next(w for w in stdout.read_text().split() if w.startswith("http://"))
        yield root, url, process, stdout, stderr
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_page_reloads_and_shows_errors_in_a_real_browser(chromium, watching):
    root, url, process, stdout, stderr = watching
    chromium.open(url)

    def text() -> str:
        return chromium.evaluate("document.body.innerText") or ""

    def overlay() -> str | None:
        return chromium.evaluate(f"document.getElementById('{OVERLAY_ID}')?.textContent")

    eventually(lambda: "First paragraph." in text(), "the first build in the page", 20)
    main_yaml = root / "content/main.yaml"
    original = main_yaml.read_text()

    # an edit: the page changes by itself (the test never reloads it)
    main_yaml.write_text(original.replace("First paragraph.", "Edited paragraph."))
    eventually(lambda: "Edited paragraph." in text(), "the edit to appear in the page")
    assert "First paragraph." not in text() and overlay() is None

    # broken YAML: the error over the last good page
    main_yaml.write_text(BROKEN_YAML)
    message = eventually(overlay, "the error overlay")
    assert message.startswith("Build failed (showing the last good page):\n")
    assert "content/main.yaml:3:1: malformed YAML" in message
    assert "Edited paragraph." in text()  # the last good page, under the overlay

    # fixed: the overlay goes, the new text comes
    main_yaml.write_text(original.replace("First paragraph.", "Fixed paragraph."))
    eventually(lambda: "Fixed paragraph." in text() and overlay() is None, "the fixed page")

    # the PDF follows in the background; the HTML on disk is `reporter build`'s, no script
    eventually(lambda: status(url)["pdf"] == "written", "the PDF", 20)
    assert (root / "out/X-1-2.pdf").read_bytes().startswith(b"%PDF-")
    reference = build(Project.at(root), out=root.parent / "ref", pdf=False, progress=lambda _: None)
    assert (root / "out/X-1-2.html").read_bytes() == reference.html.read_bytes()

    process.send_signal(signal.SIGINT)  # Ctrl-C
    assert process.wait(10) == 0
    log, errors = stdout.read_text(), stderr.read_text()
    assert "built out/X-1-2.html in" in log and "stopped" in log.splitlines()[-1]
    assert "error: content/main.yaml:3:1: malformed YAML" in errors
    assert "Traceback" not in errors


def status(url: str) -> dict:
    with urlopen(url + "__reporter/status", timeout=5) as response:
        return json.load(response)


def test_a_csv_edited_50_times_under_watch_ends_in_one_consistent_build(watching):
    import hashlib
    import json

    root, _, process, stdout, stderr = watching
    out = root / "out"
    eventually(lambda: (out / "X-1-2.pdf").is_file(), "the first PDF", 30)
    for i in range(50):
        (root / "data/values.csv").write_text(f"name,value\na,{i}.5\nb,2.25\n")
        time.sleep(0.02)

    def settled():
        try:
            manifest = json.loads((out / "manifest.json").read_text())
            files = {name: (out / name).read_bytes() for name in manifest["outputs"]}
        except (OSError, ValueError, KeyError):
            return False
        same = all(hashlib.sha256(files[n]).hexdigest() == h
                   for n, h in manifest["outputs"].items())  # fmt: skip
        return same and "X-1-2.pdf" in files and b">49.5<" in files["X-1-2.html"]

    eventually(settled, "one consistent build of the last edit, PDF included", 60)
    process.send_signal(signal.SIGINT)
    assert process.wait(10) == 0
    assert not list(root.glob(".out.*")), stdout.read_text()  # nothing left behind
    assert "Traceback" not in stderr.read_text()


def test_an_error_found_by_the_worker_reaches_the_overlay_with_its_place(
    chromium, make_project, tmp_path
):
    root = make_project()
    (root / "content/main.yaml").write_text(BROKEN_YAML)
    # the page's own build is left out, so that only the worker meets the broken file
    page = tmp_path / "page/X-1-2.html"
    page.parent.mkdir()
    page.write_text("<!DOCTYPE html><html><body><p>The last good page.</p></body></html>\n")

    def page_only(project, **options):
        return BuildResult(page, None)

    state, (term, _, err) = LiveState(), terminal()
    session = Recording(Project.at(root), root / "out", state, term, build_html=page_only)
    server = PreviewServer(("127.0.0.1", 0), root / "out", state, "proj")
    server.start()
    try:
        assert session.rebuild()
        eventually(lambda: state.pdf == "failed", "the PDF to fail", 60)
        chromium.open(server.url)
        script = f"document.getElementById('{OVERLAY_ID}')?.textContent"
        message = eventually(lambda: chromium.evaluate(script), "the error overlay")
    finally:
        server.stop()
        session.close()
    (error,) = session.outcomes[0].errors  # as data: the place, the message, the hint
    assert (error["file"], error["line"], error["column"]) == ("content/main.yaml", 3, 1)
    assert error["message"].startswith("malformed YAML")
    assert message.startswith("PDF failed:\ncontent/main.yaml:3:1: malformed YAML")
    assert "The last good page." in chromium.evaluate("document.body.innerText")
    assert "error (PDF): content/main.yaml:3:1: malformed YAML" in err.getvalue()


def worker_of(pid: int) -> int:
    """The pid of the warm renderer that the process `pid` started (Linux: /proc)."""

    def found() -> int | None:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                parent = int(stat.read_text().rpartition(")")[2].split()[1])
                command = (stat.parent / "cmdline").read_bytes()
                if parent == pid and b"reporter.watch.worker" in command:
                    return int(stat.parent.name)
        return None

    return eventually(found, "the worker process")


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_no_worker_outlives_watch(watching, how):
    root, url, process, stdout, stderr = watching
    eventually(lambda: status(url)["pdf"] == "written", "the first PDF", 60)
    worker = worker_of(process.pid)
    process.send_signal(getattr(signal, how))
    assert process.wait(10) == {"SIGINT": 0, "SIGTERM": 0, "SIGKILL": -9}[how]
    eventually(lambda: not pid_alive(worker), "the worker to be gone")
    left = sorted(p.name for p in root.glob(".out.*"))
    if how == "SIGKILL":  # nothing could clean up: the next watch does
        assert left == [f".out.watch-{process.pid}"]
        remove_orphans(root / "out")
        left = sorted(p.name for p in root.glob(".out.*"))
    assert left == [] and not list(folder_of(root).glob("*/tmp-*"))
    assert "Traceback" not in stderr.read_text()


def test_a_project_with_editions_previews_the_one_asked_for(make_root, tmp_path):
    """`reporter watch --edition jp` builds that edition's page and PDF, its values in place
    (the worker that makes the PDF gets them too)."""
    root = make_root("editions").root
    log = tmp_path / "watch.err"
    with log.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "reporter.cli", "watch", str(root), "--port", "0",
             "--edition", "jp"],
            stdout=subprocess.DEVNULL, stderr=err, cwd=root,
        )  # fmt: skip
    try:
        pdf = root / "out/T-PROFILE-jp.pdf"
        eventually(lambda: pdf.is_file(), "the edition's PDF", 30)
        assert "previewing edition jp" in log.read_text()
        assert "International migrants in Japan" in (root / "out/T-PROFILE-jp.html").read_text()
        from tests.pdftext import page_texts

        assert "Japan" in page_texts(pdf)[0]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(10)
