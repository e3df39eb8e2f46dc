"""A watch session: build, serve, then poll for changes and rebuild until Ctrl-C.

Each rebuild writes the HTML exactly as `reporter build --html-only` would (build() with
pdf=False: out/ replaced whole, a failed build leaves the last good outputs), publishes it to the
page, prints one line with the clock time and how long it took (or the error, the same line
`reporter build` gives), then starts the PDF in the background (pdf.py).
"""

from __future__ import annotations

import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from reporter.errors import ReportError, UsageError
from reporter.pipeline import build
from reporter.project import Project
from reporter.watch.changes import Debounce, Snapshot, changed, snapshot
from reporter.watch.pdf import PdfBuilds, PdfOutcome, build_command
from reporter.watch.server import PreviewServer
from reporter.watch.state import LiveState

INTERVAL = 0.3  # seconds between polls
PENDING_INTERVAL = 0.1  # between polls while a change is settling


class Terminal:
    """One line per event, prefixed with the clock time; errors and warnings on stderr."""

    def __init__(self, out=None, err=None) -> None:
        self.out, self.err = out, err
        self._lock = threading.Lock()

    def say(self, message: str, error: bool = False) -> None:
        stream = (self.err or sys.stderr) if error else (self.out or sys.stdout)
        with self._lock:
            print(f"{time.strftime('%H:%M:%S')} {message}", file=stream, flush=True)


class Session:
    """The rebuild logic, apart from the server and the polling loop."""

    def __init__(
        self,
        project: Project,
        out: Path,
        state: LiveState,
        terminal: Terminal,
        pdf: bool = True,
        draft: bool = False,
        debug: bool = False,
        build_html: Callable = build,
        pdf_command: list[str] | None = None,
    ) -> None:
        self.project, self.out, self.state, self.terminal = project, out, state, terminal
        self.draft, self.debug, self.build_html = draft, debug, build_html
        command = pdf_command or build_command(project.root, out, draft)
        self.pdfs = PdfBuilds(command, self.pdf_done) if pdf else None
        self.pdf_path = out / "report.pdf"  # named after the symbol once a build has run
        self.inputs: Snapshot = {}

    def changed(self, paths: Sequence[str] = ()) -> None:
        """Files changed (the build follows once they settle): the PDF in flight is stale."""
        if self.pdfs and self.pdfs.cancel():
            self.terminal.say("PDF cancelled: superseded by a newer change")

    def rebuild(self, paths: Sequence[str] = ()) -> bool:
        if paths:
            more = f" (and {len(paths) - 1} more)" if len(paths) > 1 else ""
            self.terminal.say(f"changed {paths[0]}{more}")
        self.changed()
        self.inputs = snapshot(self.project.root)  # what this build (and its PDF) read
        started = time.perf_counter()
        try:
            result = self.build_html(
                self.project, out=self.out, pdf=False, draft=self.draft, progress=lambda _: None
            )
            html = result.html.read_bytes()
        except ReportError as exc:
            self._failed(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - a bug in reporter must not end the session
            if self.debug:
                traceback.print_exc()
            self._failed(f"internal error: {type(exc).__name__}: {exc} (run with --debug)")
            return False
        seconds = time.perf_counter() - started
        new = self.state.good(html, result.html.name)
        for warning in result.warnings:
            self.terminal.say(f"warning: {warning}", error=True)
        same = "" if new else " (no change to the page)"
        self.terminal.say(f"built {shown(result.html)} in {seconds:.1f} s{same}")
        if self.pdfs:
            self.pdf_path = result.html.with_suffix(".pdf")
            self.state.set_pdf("building")
            self.pdfs.start()
        return True

    def _failed(self, message: str) -> None:
        self.state.failed(message)
        self.terminal.say(f"error: {message}", error=True)

    def pdf_done(self, outcome: PdfOutcome) -> None:
        if outcome.status == "failed" and snapshot(self.project.root) != self.inputs:
            # it read inputs newer than the HTML's: the build they trigger will tell
            outcome.status, outcome.error = "cancelled", ""
        self.state.set_pdf(outcome.status, outcome.error or None)
        if outcome.status == "written":
            pages = f", {outcome.pages} pages" if outcome.pages else ""
            self.terminal.say(f"wrote {shown(self.pdf_path)} in {outcome.seconds:.1f} s{pages}")
        elif outcome.status == "failed":
            for line in outcome.error.splitlines():
                self.terminal.say(f"error (PDF): {line}", error=True)

    def close(self) -> None:
        if self.pdfs and self.pdfs.cancel():
            self.terminal.say("PDF cancelled")


def poll(
    session: Session,
    root: Path,
    stop: threading.Event,
    interval: float = INTERVAL,
    debounce: Debounce | None = None,
    before: Snapshot | None = None,
) -> None:
    """Poll the inputs until `stop` is set; rebuild once each burst of changes settles."""
    debounce = debounce or Debounce()
    before = snapshot(root) if before is None else before
    pending: set[str] = set()
    while not stop.wait(PENDING_INTERVAL if debounce.pending else interval):
        now = snapshot(root)
        paths = changed(before, now)
        if paths:
            if not debounce.pending:
                session.changed(paths)
            pending.update(paths)
            debounce.change(time.monotonic())
            before = now
        if debounce.due(time.monotonic()):
            session.rebuild(sorted(pending))
            pending.clear()


def watch(
    project: Project,
    out: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    pdf: bool = True,
    draft: bool = False,
    debug: bool = False,
    stop: threading.Event | None = None,
    terminal: Terminal | None = None,
) -> int:
    """Serve and rebuild until Ctrl-C (or `stop` is set); 0 when stopped that way."""
    out = (out or project.out()).resolve()
    terminal = terminal or Terminal()
    state = LiveState()
    try:
        server = PreviewServer((host, port), out, state, project.root.name)
    except OSError as exc:
        raise UsageError(f"cannot serve on {host}:{port}: {exc.strerror or exc}",
                         hint="choose another --port (0: any free port)") from None  # fmt: skip
    session = Session(project, out, state, terminal, pdf=pdf, draft=draft, debug=debug)
    stop = stop or threading.Event()
    restore = _sigterm_as_interrupt()
    try:
        server.start()
        terminal.say(f"serving {server.url} (Ctrl-C to stop)")
        before = snapshot(project.root)  # before the build: edits during it are seen after
        session.rebuild()
        poll(session, project.root, stop, before=before)
    except KeyboardInterrupt:
        pass
    finally:
        session.close()
        server.stop()
        restore()
    terminal.say("stopped")
    return 0


def _sigterm_as_interrupt() -> Callable[[], None]:
    """Stop on SIGTERM as on Ctrl-C (main thread only); returns what undoes it."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    return lambda: signal.signal(signal.SIGTERM, previous)


def shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
