"""The render's budget (reporter/export/budget.py, pdf.py, fetch.py): every hostile input that
made the PDF render run for minutes, take gigabytes or drop an image in silence is now one
error line, exit 1, in bounded memory, with no traceback and no process left behind.

Each case is built through the CLI in a subprocess of its own session (so that anything it
leaves running is found), under RLIMIT_AS, and the peak resident memory of the build and of
its render worker is read from wait4. The time budget is set low through its environment
variable (REPORTER_RENDER_SECONDS) where a test needs a render to overrun it."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from reporter.export import budget as budget_module
from reporter.export import fetch as fetch_module
from reporter.export.budget import Budget, run_bounded, stop_workers
from reporter.export.fetch import MAX_IMAGE_PIXELS, MAX_SVG_ELEMENTS
from reporter.watch.pdf import WarmRenderer
from tests.conftest import ROOT, write_files

GiB = 1 << 30
ADDRESS_SPACE = 3 * GiB  # RLIMIT_AS of a build: what it may map, the render worker included
RESIDENT = GiB  # what a build over budget may have resident, at its peak, in any process


@dataclass
class Run:
    code: int
    out: str
    err: str
    peak: int  # bytes: the largest resident set of the build or its render worker
    seconds: float
    survivors: list[int]  # processes of the build's session still running after it
    temporary: list[str]  # what it left in its temporary folder ($TMPDIR)


def reporter(root: Path, *args: str, env: dict | None = None, timeout: float = 120) -> Run:
    """`reporter build ROOT ARGS` in a session of its own, under RLIMIT_AS."""
    out, err = root.parent / f"{root.name}.out", root.parent / f"{root.name}.err"
    temporary = root.parent / f"{root.name}.tmp"
    temporary.mkdir(exist_ok=True)

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "reporter.cli", "build", str(root), *args],
            stdout=stdout, stderr=stderr, cwd=root.parent, start_new_session=True,
            env={**os.environ, "TMPDIR": str(temporary), **(env or {})}, preexec_fn=limited,
        )  # fmt: skip
        status, usage = wait(process.pid, started + timeout)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    left, survivors = sorted(p.name for p in temporary.iterdir()), session(process.pid)
    for pid in survivors:  # found, and said; but not left running when the test fails
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return Run(process.returncode, out.read_text(), err.read_text(), usage.ru_maxrss * 1024,
               seconds, survivors, left)  # fmt: skip


def wait(pid: int, deadline: float):
    while time.monotonic() < deadline:
        found, status, usage = os.wait4(pid, os.WNOHANG)
        if found:
            return status, usage
        time.sleep(0.05)
    os.killpg(pid, signal.SIGKILL)
    os.wait4(pid, 0)
    pytest.fail("the build ran past the test's time: nothing stopped it")


def session(sid: int) -> list[int]:
    """Processes of session `sid` still running (zombies, which run nothing, aside)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def one_error(run: Run, line: str) -> None:
    """The build failed with exactly this error line, and nothing else happened."""
    assert run.err.splitlines() == [line], run.err
    assert run.code == 1, run.err
    assert run.survivors == []
    assert run.temporary == []
    assert run.peak < RESIDENT, f"{run.peak / GiB:.2f} GiB"


def png(width: int, height: int, rgb: bool = False) -> bytes:
    """A valid PNG, black: 1 bit a pixel (small to make and to store, but converted to RGB
    by WeasyPrint), or 8-bit RGB, which Pillow decodes to 4 bytes a pixel at once."""
    rows = zlib.compressobj(9)
    row = b"\x00" * (1 + (width * 3 if rgb else (width + 7) // 8))
    data = b"".join(rows.compress(row) for _ in range(height)) + rows.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8 if rgb else 1, 2 if rgb else 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def use_bomb(levels: int = 10, fan: int = 10) -> str:
    """2.6 KB of SVG: `levels` groups, each using the one below `fan` times (fan**levels)."""
    groups = "".join(
        f'<g id="l{i}">' + f'<use xlink:href="#l{i - 1}"/>' * fan + "</g>" for i in range(1, levels)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="10" height="10"><defs><rect id="l0" width="1" height="1"/>{groups}</defs>'
        f'<use xlink:href="#l{levels - 1}"/></svg>'
    )


@pytest.fixture
def themed(make_root):
    """The basic root with its own copy of the theme, whose stylesheet puts `asset` before
    every h1 (a CSS url(), as a theme would for an emblem)."""

    def make(asset: str, body: bytes | str):
        project = make_root("basic", own_templates=True)
        css = project.assets / "report.css"
        write_files(project.root, {f"templates/assets/{asset}": body})
        css.write_text(css.read_text() + f"\nh1::before {{ content: url({asset}) }}\n")
        return project.root

    return make


# --- images and SVGs: refused from their header, before they are decoded or drawn -------------


def test_a_13000_pixel_square_png_is_refused_before_it_is_decoded(themed):
    """It cost 1.5 GB to decode (and under RLIMIT_AS it was dropped from the PDF, silently)."""
    run = reporter(themed("emblem.png", png(13_000, 13_000)))
    one_error(run, (
        "error: templates/assets/emblem.png: an image of 13,000 × 13,000 pixels, more than "
        f"the {MAX_IMAGE_PIXELS:,} pixels the PDF may hold (scale it down to at most "
        f"{MAX_IMAGE_PIXELS:,} pixels, e.g. 5,000 × 5,000)"
    ))  # fmt: skip
    assert run.seconds < 30


def test_a_30000_pixel_square_png_is_refused_not_dropped(themed):
    """Over Pillow's own guard: WeasyPrint left it out of the PDF and the build went on."""
    run = reporter(themed("emblem.png", png(30_000, 30_000)))
    one_error(run, (
        "error: templates/assets/emblem.png: an image of 900,000,000 pixels, more than the "
        f"{MAX_IMAGE_PIXELS:,} pixels the PDF may hold (scale it down to at most "
        f"{MAX_IMAGE_PIXELS:,} pixels, e.g. 5,000 × 5,000)"
    ))  # fmt: skip


def test_an_svg_use_bomb_is_refused_before_it_is_drawn(themed):
    """2.6 KB whose <use> expand to 10¹⁰ elements: the render never ended."""
    assert len(use_bomb()) < 3000
    run = reporter(themed("emblem.svg", use_bomb()), timeout=60)
    one_error(run, (
        f"error: templates/assets/emblem.svg: an SVG that expands to more than "
        f"{MAX_SVG_ELEMENTS:,} elements (<use> of elements that use others, or too many "
        "elements) (draw repeated shapes without nesting <use>, simplify it, or draw it as a PNG)"
    ))  # fmt: skip
    assert run.seconds < 30


def test_an_svg_referring_to_itself_is_refused(themed):
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<g id="loop"><rect width="1" height="1"/><use href="#loop"/></g></svg>'
    )
    run = reporter(themed("emblem.svg", svg), timeout=60)
    one_error(run, (
        "error: templates/assets/emblem.svg: an SVG whose references loop: #loop refers to "
        "itself (remove the reference to itself)"
    ))  # fmt: skip


def test_images_within_the_limits_are_drawn(themed):
    """A 2,000 × 1,000 PNG and an SVG using a shape 100 times: built as before."""
    use = "".join(f'<use href="#dot" x="{i}"/>' for i in range(100))
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="10">'
        f'<defs><circle id="dot" r="1"/></defs>{use}</svg>'
    )
    root = themed("emblem.svg", svg)
    write_files(root, {"templates/assets/photo.png": png(2_000, 1_000)})
    css = root / "templates/assets/report.css"
    css.write_text(css.read_text() + "\nh2::before { content: url(photo.png) }\n")
    run = reporter(root)
    assert run.code == 0, run.err
    assert run.err == "" and run.survivors == [] and run.temporary == []


# --- the render's own budget: time, memory, pages ---------------------------------------------


def inline_bomb(project_root: Path) -> None:
    """The bomb written into the template itself: no fetch, so only the render's time stops
    it (WeasyPrint draws it inside `except BaseException`, for ever)."""
    template = project_root / "templates/document.html.j2"
    text = template.read_text()
    at = text.index(">", text.index("<body")) + 1
    template.write_text(text[:at] + use_bomb() + text[at:])


def test_a_render_over_its_time_is_stopped(make_root):
    project = make_root("basic", own_templates=True)
    inline_bomb(project.root)
    run = reporter(project.root, env={"REPORTER_RENDER_SECONDS": "2"}, timeout=60)
    one_error(run, (
        "error: content/document.yaml: rendering the PDF took more than 2 s, and was stopped "
        "(a table, an image or an SVG too large? REPORTER_RENDER_SECONDS sets the limit "
        "(docs/security.md))"
    ))  # fmt: skip
    assert run.seconds < 30


def test_a_render_over_its_memory_is_stopped(themed):
    """A 5,000 × 5,000 image is within the pixel limit; decoded (100 MB) it is not within
    80 MB: WeasyPrint catches the MemoryError and leaves the image out, the render does not."""
    root = themed("photo.png", png(5_000, 5_000, rgb=True))
    run = reporter(root, env={"REPORTER_RENDER_MEMORY_MB": "80"})
    # a MemoryError in Python, or a C library (Pango's font thread) that cannot allocate first
    said = r"(needs more than|stopped \(SIG[A-Z]+\), most likely out of)"
    assert re.fullmatch(
        rf"error: content/document.yaml: rendering the PDF {said} the 80 MB of memory it "
        r"may add \(a table, an image or an SVG too large\? REPORTER_RENDER_MEMORY_MB sets "
        r"the limit \(docs/security.md\)\)\n",
        run.err,
    ), run.err
    one_error(run, run.err.strip())


def test_a_pdf_over_its_pages_is_refused(make_root):
    project = make_root("basic")
    run = reporter(project.root, env={"REPORTER_RENDER_PAGES": "1"})
    one_error(run, (
        "error: content/document.yaml: the PDF has more than 1 page (a table or a list too "
        "long? REPORTER_RENDER_PAGES sets the limit (docs/security.md))"
    ))  # fmt: skip
    assert not (project.root / "out").exists()


def test_a_bad_limit_in_the_environment_is_a_usage_error(make_root):
    project = make_root("basic")
    run = reporter(project.root, env={"REPORTER_RENDER_SECONDS": "soon"})
    assert run.err.splitlines() == [
        "error: REPORTER_RENDER_SECONDS='soon' is not a positive number (unset it for the "
        "default, 300)"
    ]
    assert run.code == 2 and run.survivors == []


# --- a table too long for a PDF: refused at its spec, before the render -----------------------

PER_RECORD = {
    "content/main.yaml": """
        kind: section
        label: only
        title: The only section
        blocks:
          - p: Every record.[^note]
          - table: records
    """,
    "content/tables/records.yaml": """
        title: Every record
        data: records
        rows:
          each: record
          id: "{name}"
        columns:
          - {id: name, heading: Name, text: name}
          - {id: value, heading: Value, sum: value}
    """,
}


def test_a_per_record_table_over_the_row_budget_is_refused_at_its_spec(make_project):
    """A table of one row per record of a 0.6 MB CSV ran past 300 s and 3 GB in the render."""
    root = make_project(PER_RECORD)
    rows = "".join(f"r{i},{i}\n" for i in range(budget_module.TABLE_ROWS + 1))
    (root / "data/records.csv").write_text("name,value\n" + rows, encoding="utf-8")
    run = reporter(root)
    one_error(run, (
        f"error: content/tables/records.yaml:3:1: table records has "
        f"{budget_module.TABLE_ROWS + 1:,} rows, more than the {budget_module.TABLE_ROWS:,} a "
        "table of the PDF may have (filter or group its rows, or split the table, or build "
        "--html-only; REPORTER_RENDER_TABLE_ROWS sets the limit)"
    ))  # fmt: skip
    html_only = reporter(root, "--html-only")
    assert html_only.code == 0, html_only.err


# --- interrupts during a render ---------------------------------------------------------------


@pytest.mark.parametrize(("signum", "group", "code"), [
    (signal.SIGINT, True, 130),  # Ctrl-C: the whole process group
    (signal.SIGTERM, False, 143),  # kill PID: the build alone
])  # fmt: skip
def test_an_interrupt_during_a_render_stops_it_and_keeps_the_last_good_out(
    make_root, signum, group, code
):
    project = make_root("basic", own_templates=True)
    assert reporter(project.root).code == 0
    good = {p.name: p.read_bytes() for p in (project.root / "out").iterdir() if p.is_file()}
    inline_bomb(project.root)
    temporary = project.root.parent / "tmp"
    temporary.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "reporter.cli", "build", str(project.root), "--fresh"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        cwd=project.root.parent, env={**os.environ, "TMPDIR": str(temporary)},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(session(process.pid)) < 2:  # the build and its render worker
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.1)
        time.sleep(3)  # well into the render, which would never end
        (os.killpg if group else os.kill)(process.pid, signum)
        _, err = process.communicate(timeout=30)
    finally:  # a build that did not stop is not left running
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == code
    assert err.decode().splitlines() == ["interrupted: outputs left as they were"]
    assert session(process.pid) == []
    assert list(temporary.iterdir()) == []  # the render worker's folder, WeasyPrint's fonts
    now = {p.name: p.read_bytes() for p in (project.root / "out").iterdir() if p.is_file()}
    assert now == good


# --- the render worker, in process ------------------------------------------------------------


def test_the_render_worker_is_forked_once_and_reused_until_stopped():
    first = run_bounded(os.getpid, (), Budget())
    assert first != os.getpid()
    assert run_bounded(os.getpid, (), Budget()) == first  # warm: the same worker
    stop_workers()
    assert session(os.getsid(0)).count(first) == 0
    assert run_bounded(os.getpid, (), Budget()) not in (first, os.getpid())
    stop_workers()


def test_a_worker_over_its_time_is_killed_and_replaced():
    before = run_bounded(os.getpid, (), Budget())
    with pytest.raises(Exception, match=r"took more than 0.5 s") as err:
        run_bounded(time.sleep, (30,), Budget(seconds=0.5))
    assert "REPORTER_RENDER_SECONDS" in err.value.hint
    assert before not in session(os.getsid(0))
    assert run_bounded(os.getpid, (), Budget()) != before
    stop_workers()


def test_an_error_in_the_worker_is_raised_here_with_its_trace():
    with pytest.raises(ZeroDivisionError) as err:
        run_bounded(divmod, (1, 0), Budget())
    assert "in the PDF renderer" in "".join(err.value.__notes__)
    assert run_bounded(abs, (-3,), Budget()) == 3  # the worker goes on
    stop_workers()


# --- the editions' workers --------------------------------------------------------------------


def test_every_editions_render_is_bounded_in_warm_workers(make_root):
    """`-j 2`: each worker renders in a render worker of its own; one over its time is killed,
    and the worker goes on with the next edition, whose render is killed in turn."""
    project = make_root("editions", own_templates=True)
    inline_bomb(project.root)
    run = reporter(project.root, "-j", "2", env={"REPORTER_RENDER_SECONDS": "2"}, timeout=120)
    assert run.code == 1 and run.survivors == [] and run.temporary == []
    assert run.err.splitlines() == [
        f"error: edition {edition}: content/document.yaml: rendering the PDF took more than "
        "2 s, and was stopped (a table, an image or an SVG too large? REPORTER_RENDER_SECONDS "
        "sets the limit (docs/security.md))"
        for edition in ("de", "es", "fr", "jp", "ke")
    ]
    assert run.peak < RESIDENT


# --- reporter watch's warm renderer -----------------------------------------------------------


def test_watch_renders_within_the_budget_and_goes_on(make_root, tmp_path, monkeypatch):
    """The PDF of `reporter watch` comes from its warm worker, which renders in a render worker
    of its own: a render over its time fails that PDF alone, the next one is written."""
    monkeypatch.setenv("REPORTER_RENDER_SECONDS", "3")
    project = make_root("basic", own_templates=True)
    template = project.root / "templates/document.html.j2"
    good = template.read_text()
    inline_bomb(project.root)
    outcomes = []
    renderer = WarmRenderer(project.root, tmp_path / "w", False, outcomes.append)
    watch_worker = renderer.pid  # the leader of its own session
    try:
        assert renderer.wait_ready(60)
        renderer.start()
        wait_until(lambda: outcomes, 60)
        template.write_text(good)
        renderer.start()
        wait_until(lambda: len(outcomes) == 2, 60)
    finally:
        renderer.close()
    failed, written = outcomes
    assert failed.status == "failed" and [e["text"] for e in failed.errors] == [
        "content/document.yaml: rendering the PDF took more than 3 s, and was stopped (a "
        "table, an image or an SVG too large? REPORTER_RENDER_SECONDS sets the limit "
        "(docs/security.md))"
    ]
    assert written.status == "written" and written.pid == failed.pid == watch_worker
    wait_until(lambda: session(watch_worker) == [], 10)


def wait_until(probe, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not probe():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_limits_are_documented():
    text = (ROOT / "docs/security.md").read_text(encoding="utf-8")
    for name, value in {
        "MAX_IMAGE_PIXELS": f"{fetch_module.MAX_IMAGE_PIXELS:,} pixels",
        "MAX_SVG_BYTES": f"{fetch_module.MAX_SVG_BYTES:,} bytes",
        "MAX_SVG_ELEMENTS": f"{fetch_module.MAX_SVG_ELEMENTS:,} elements",
        "MAX_SVG_NESTING": f"nested {fetch_module.MAX_SVG_NESTING} deep",
        "RENDER_SECONDS": f"{budget_module.RENDER_SECONDS} s",
        "RENDER_MEMORY_MB": f"{budget_module.RENDER_MEMORY_MB} MB of memory",
        "RENDER_PAGES": f"{budget_module.RENDER_PAGES:,} pages",
        "TABLE_ROWS": f"| rows of one table in the PDF | {budget_module.TABLE_ROWS:,} |",
    }.items():
        assert f"`{name}`" in text and value in text, name
    for variable in budget_module.ENVIRONMENT.values():
        assert f"`{variable}`" in text
