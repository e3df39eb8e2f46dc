"""A watch session: build, serve, then poll for changes and rebuild until Ctrl-C.

Each rebuild writes the HTML exactly as `reporter build --html-only` would (build() with
pdf=False: out/ replaced whole, a failed build leaves the last good outputs), publishes it to the
page and prints one line with the clock time and how long it took (or the error, the same line
`reporter build` gives). The warm renderer (pdf.py) builds the PDF at the same time, on the
other core (on two cores this hides the page's build, about 0.1 s, from the PDF's time); it is
published after the page, unless a newer change came first.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from reporter.errors import MAX_LINE, ReportError, UsageError, printable
from reporter.export.publish import publish
from reporter.files import shown
from reporter.pipeline import build
from reporter.project import Project
from reporter.watch.changes import Debounce, Snapshot, changed, snapshot
from reporter.watch.pdf import PdfOutcome, WarmRenderer, private_folder, remove_orphans
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
            line = printable(message, MAX_LINE)  # a changed file's name may hold a newline
            print(f"{time.strftime('%H:%M:%S')} {line}", file=stream, flush=True)


class Session:
    """The rebuild logic, apart from the server and the polling loop.

    out/ has two writers, both in this process: the page's builds (the polling thread) and the
    publication of the warm renderer's builds (its reading thread). One lock orders them: a
    PDF is published only while its build is the latest one asked for, after its page, and
    never once a newer change has been seen."""

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
        self.inputs: Snapshot = {}
        self._writing = threading.Lock()  # out/ has one writer at a time
        self._job: int | None = None  # the PDF build that may be published when it is done
        self._warnings: list[str] = []  # printed with the page: not again with its PDF
        self.pdfs = None
        if pdf:  # started now: it does its imports while the first page is built
            folder = private_folder(out)
            self.pdfs = WarmRenderer(
                project.root, folder, draft, self.pdf_done, pdf_command, project.params
            )

    def changed(self, paths: Sequence[str] = ()) -> None:
        """Files changed (the build follows once they settle): the PDF in flight is stale."""
        with self._writing:
            self._job = None
        if self.pdfs and self.pdfs.cancel():
            self.state.set_pdf("cancelled")
            self.terminal.say("PDF cancelled: superseded by a newer change")

    def rebuild(self, paths: Sequence[str] = ()) -> bool:
        if paths:
            more = f" (and {len(paths) - 1} more)" if len(paths) > 1 else ""
            self.terminal.say(f"changed {paths[0]}{more}")
        self.changed()
        self.inputs = snapshot(self.project.root)  # what this build (and its PDF) read
        with self._writing:
            job = self.pdfs.start() if self.pdfs else None  # the PDF alongside the page
            built = self._page()
            self._job = job if built else None  # a failed page: its PDF is never published
            if built and self.pdfs:
                self.state.set_pdf("building")
        return built

    def _page(self) -> bool:
        """Build the HTML, publish it to the page; False (the error shown) if it failed."""
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
        self._warnings = list(result.warnings)
        for warning in result.warnings:
            self.terminal.say(f"warning: {warning}", error=True)
        same = "" if new else " (no change to the page)"
        self.terminal.say(f"built {shown(result.html)} in {seconds:.1f} s{same}")
        return True

    def _failed(self, message: str) -> None:
        self.state.failed(message)
        self.terminal.say(f"error: {message}", error=True)

    def pdf_done(self, outcome: PdfOutcome) -> None:
        """A PDF build's outcome (from the renderer's thread): published if it is still the
        latest build asked for and the inputs have not changed since."""
        with self._writing:
            if outcome.job != self._job:
                return  # superseded, or its page failed: nothing to say
            self._job = None
            if snapshot(self.project.root) != self.inputs:
                # it read inputs newer than the page's: the build they trigger will tell
                self.state.set_pdf("cancelled")
                return
            if outcome.status == "written":
                self._publish(outcome)
            self.state.set_pdf(outcome.status, outcome.error or None)
            self._report(outcome)

    def _publish(self, outcome: PdfOutcome) -> None:
        """The worker's build, copied into out/ as one unit (export/publish.py)."""
        built = self.pdfs.folder / "out"
        try:
            files = {name: (built / name).read_bytes() for name in outcome.files}
            if "manifest.json" not in files:  # not a whole build: out/ would no longer be one
                raise ReportError(f"the PDF worker's build lacks a manifest: {outcome.files}")
            publish(self.out, files, built / "assets")
        except (ReportError, OSError) as exc:
            outcome.status, outcome.errors = "failed", [{"text": str(exc)}]

    def _report(self, outcome: PdfOutcome) -> None:
        for warning in outcome.warnings:
            if warning not in self._warnings:
                self.terminal.say(f"warning: {warning}", error=True)
        if outcome.status == "written":
            pdf = next((self.out / n for n in outcome.files if n.endswith(".pdf")), self.out)
            plural = "" if outcome.pages == 1 else "s"
            pages = f", {outcome.pages} page{plural}" if outcome.pages else ""
            self.terminal.say(f"wrote {shown(pdf)} in {outcome.seconds:.1f} s{pages}")
            return
        if self.debug and outcome.traceback:
            print(outcome.traceback, file=self.terminal.err or sys.stderr)
        for line in outcome.error.splitlines():
            self.terminal.say(f"error (PDF): {line}", error=True)

    def close(self) -> None:
        with self._writing:
            self._job = None
        if self.pdfs:
            if self.pdfs.running:
                self.terminal.say("PDF cancelled")
            self.pdfs.close()


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
    if pdf:
        remove_orphans(out)
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
