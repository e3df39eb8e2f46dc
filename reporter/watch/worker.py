"""The warm renderer: a process that imports the pipeline and WeasyPrint once, then builds
the PDF on request, for as long as `reporter watch` runs.

    python -m reporter.watch.worker PARENT_PID

Reads one job a line on stdin, {"job": N, "root": …, "out": …, "draft": …}, and answers each
with one JSON line on stdout: {"job": N, "status": "written", "pages", "files", "warnings",
"seconds", "timings", "pid", "builds"} or {"job": N, "status": "failed", "errors": [{"text", "file",
"line", "column", "message", "hint"}, …]}. Before the first answer, once its imports are
done, it says {"ready": true, "pid", "seconds"}. Anything else that writes to stdout (a
library's print) goes to stderr, so the answers stay parseable.

The build is `reporter build`'s (pipeline.build, same cache), into the folder the job names;
its PDF is rendered within the render's budget in a render worker this process starts warm,
once, and keeps (export/budget.py).
Like the chart worker, it asks the kernel to kill it when its parent dies, and it stops on
SIGTERM (a build in progress is interrupted and cleans up after itself) or at the end of its
input.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import signal
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from reporter.compute.chart_worker import die_with_parent
from reporter.errors import ReportError

# What a build imports on the way to a PDF (most of it lazily): imported before the first job
# so that no job pays for it; pandas for the tables, which an edited CSV recomputes.
WARM = (
    "weasyprint",
    "pypdfium2",
    "pikepdf",  # attaches the evidence (export/evidence.py)
    "pandas",
    "reporter.pipeline",
    "reporter.render.html",
    "reporter.export.pdf",
    "reporter.export.model",
    "reporter.export.evidence",
    "reporter.export.manifest",
    "reporter.export.publish",
    "reporter.compute.charts",
    "reporter.compute.tables",
)


def warm_up() -> None:
    """Import what a build needs and lay out one line, which sets up fontconfig and Pango;
    then start the render worker the PDFs are rendered in, within their budget (forked from
    this process, so warm too: export/budget.py), and have it lay out its own line."""
    for name in WARM:
        importlib.import_module(name)
    import weasyprint

    from reporter.export.pdf import warm_up as warm_renderer

    weasyprint.HTML(string="<p>warm</p>").write_pdf()
    # what is alive now lives as long as the process: out of the collector's way for good
    gc.collect()
    gc.freeze()
    warm_renderer()


def error_data(exc: ReportError) -> dict:
    where = exc.where
    return {
        "text": str(exc),
        "file": str(where.path) if where else None,
        "line": where.line if where else 0,
        "column": where.column if where else 0,
        "message": exc.message,
        "hint": exc.hint,
    }


def run(job: dict, builds: int) -> dict:
    """One job's answer. The collector is off during the build: WeasyPrint makes hundreds of
    thousands of objects and the collections they trigger cost about a tenth of the render;
    the garbage is collected after the answer is sent."""
    from reporter.pipeline import build
    from reporter.project import Project

    answer: dict = {"job": job["job"], "pid": os.getpid(), "builds": builds}
    started = time.perf_counter()
    gc.disable()
    try:
        params = tuple(tuple(pair) for pair in job.get("params", ()))
        project = replace(Project.at(Path(job["root"])), params=params)
        result = build(project, out=Path(job["out"]), pdf=True, draft=job["draft"],
                       progress=lambda _: None, fresh=False)  # fmt: skip
    except ReportError as exc:
        return answer | {"status": "failed", "errors": [error_data(e) for e in (exc, *exc.others)]}
    except Exception as exc:  # noqa: BLE001 - a bug in reporter: said, and the worker goes on
        text = f"internal error: {type(exc).__name__}: {exc} (run with --debug)"
        return answer | {"status": "failed", "errors": [{"text": text}],
                         "traceback": traceback.format_exc()}  # fmt: skip
    return answer | {
        "status": "written",
        "pages": result.pages,
        "files": sorted(p.name for p in result.html.parent.iterdir() if p.is_file()),
        "warnings": result.warnings,
        "seconds": time.perf_counter() - started,
        "timings": result.timings,  # seconds by stage
    }


def answers_channel() -> TextIO:
    """The real stdout, for the answers; fd 1 and sys.stdout then point at stderr."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel


def send(channel: TextIO, message: dict) -> None:
    channel.write(json.dumps(message) + "\n")
    channel.flush()


def stop(signum, frame) -> None:
    raise KeyboardInterrupt  # a build in progress unwinds: its temporary files are removed


def main() -> None:
    die_with_parent(int(sys.argv[1]))
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the watcher's to handle
    channel = answers_channel()
    started = time.perf_counter()
    try:
        warm_up()
        send(channel, {"ready": True, "pid": os.getpid(),
                       "seconds": time.perf_counter() - started})  # fmt: skip
        builds = 0
        while line := sys.stdin.readline():
            builds += 1
            send(channel, run(json.loads(line), builds))
            gc.enable()
            gc.collect()
    except (KeyboardInterrupt, BrokenPipeError):
        pass


if __name__ == "__main__":
    main()
