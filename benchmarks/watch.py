"""Benchmark of `reporter watch`'s PDF refresh: the warm renderer against WeasyPrint alone.

    python benchmarks/watch.py [--runs N]

On a copy of the flagship whose cache is warm (as after the first build of a session), one
paragraph is edited before each round, and each round measures, interleaved so that the
machine's load weighs on all of them alike:

1. PDF refresh, warm: a watch session (runner.Session, as `reporter watch` runs it, with its
   warm worker) rebuilds; seconds from the rebuild's start to the PDF published in out/. The
   page is built alongside. Polling and debounce (0.2 to 0.5 s after the save) are not in it.
2. The worker's own build of that PDF (pipeline.build, from its answer), and its Writing PDF
   stage (WeasyPrint's render, the embedded model, the cache's check of the PDF).
3. WeasyPrint alone: a fresh process renders the built HTML, import included, exactly as
   benchmarks/run.py measures it. The goal is 1 <= 0.7 x 3.
4. WeasyPrint's render of the same HTML in this process, warm: the floor a warm process
   cannot go below; with Python's cyclic garbage collector on, and off (as the worker runs).
5. Before the warm renderer: the PDF as `reporter watch` made it, a fresh `reporter build`.

Prints a Markdown table of medians; not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.run import REPORTER, WEASYPRINT_ALONE, copy_flagship, machine, run  # noqa: E402

GOAL = 0.7  # PDF refresh / WeasyPrint alone
# since issue 18 reporter's PDFs are tagged PDF/A-3a: WeasyPrint alone making that kind too
WEASYPRINT_TAGGED = WEASYPRINT_ALONE.replace(
    "(sys.argv[2])", "(sys.argv[2], pdf_variant='pdf/a-3a')"
)
WORD = "Paradoxically"  # where the edits rewrite a sentence of content/02-recent-developments.yaml


class Edits:
    """A new wording of one sentence of the flagship before each round."""

    def __init__(self, project: Path) -> None:
        self.path = project / "content/02-recent-developments.yaml"
        self.current = f"{WORD},"
        self.count = 0

    def __call__(self) -> None:
        new = f"{WORD} (take {chr(97 + self.count // 26)}{chr(97 + self.count % 26)}),"
        text = self.path.read_text(encoding="utf-8")
        assert self.current in text, self.current
        self.path.write_text(text.replace(self.current, new, 1), encoding="utf-8")
        self.current, self.count = new, self.count + 1


def refresh(session, state) -> tuple[float, float, float]:
    """Seconds from the rebuild to the PDF in out/, of the worker's build, of its PDF stage."""
    started = time.perf_counter()
    assert session.rebuild(["content/02-recent-developments.yaml"])
    while state.pdf == "building":
        time.sleep(0.005)
    seconds = time.perf_counter() - started
    assert state.pdf == "written", state.status()
    answer = session.answers[-1]
    return seconds, answer.seconds, answer.timings["Writing PDF"]


# a warm process: WeasyPrint imported and one render done; then one render timed with the
# cyclic collector on, one with it off
WARM_RENDER = """
import gc, sys, time, weasyprint
def render():
    started = time.perf_counter()
    weasyprint.HTML(filename=sys.argv[1]).write_pdf()
    return time.perf_counter() - started
render()
gc.collect()
on = render()
gc.collect()
gc.disable()
print(on, render())
"""


def measure(runs: int, work: Path) -> tuple[dict[str, list[float]], float]:
    """Seconds of each measurement in each round, and the worker's start (imports) once."""
    from reporter.project import Project
    from reporter.watch.runner import Session, Terminal
    from reporter.watch.state import LiveState

    class Timed(Session):
        """A session that keeps the worker's answers."""

        def __init__(self, *args) -> None:
            self.answers: list = []
            super().__init__(*args)

        def pdf_done(self, outcome) -> None:
            self.answers.append(outcome)
            super().pdf_done(outcome)

    project = copy_flagship(work / "flagship")
    run([*REPORTER, "build", str(project)])  # the cache, as after a session's first build
    html = project / "out/A-67-254.html"
    state, quiet = LiveState(), Terminal(io.StringIO(), io.StringIO())
    started = time.perf_counter()
    session = Timed(Project.at(project), project / "out", state, quiet)
    session.pdfs.wait_ready(60)
    ready = time.perf_counter() - started
    edit, times = Edits(project), {}
    try:
        edit()
        refresh(session, state)  # the session's first PDF: the worker's first build
        for _ in range(runs):
            edit()
            rounds = dict(zip(("refresh", "worker", "stage"), refresh(session, state), strict=True))
            rounds["alone"] = run([sys.executable, "-c", WEASYPRINT_ALONE, str(html),
                                   str(work / "alone.pdf")])[0]  # fmt: skip
            rounds["alone, tagged"] = run([sys.executable, "-c", WEASYPRINT_TAGGED, str(html),
                                           str(work / "tagged.pdf")])[0]  # fmt: skip
            warm = run([sys.executable, "-c", WARM_RENDER, str(html)])[2].split()
            rounds["render, collector on"], rounds["render, collector off"] = map(float, warm)
            edit()
            rounds["before"] = run([*REPORTER, "build", str(project)])[0]
            for name, value in rounds.items():
                times.setdefault(name, []).append(value)
    finally:
        session.close()
    return times, ready


def report(times: dict[str, list], ready: float, runs: int) -> str:
    median = {name: statistics.median(values) for name, values in times.items()}
    refresh, alone = median["refresh"], median["alone"]
    rows = [
        ("PDF refresh after a one-paragraph edit, warm worker (`reporter watch`)", refresh),
        ("… of which the worker's build (pipeline.build, cache warm)", median["worker"]),
        ("… of which its Writing PDF stage (WeasyPrint, attachment, check)", median["stage"]),
        ("WeasyPrint alone (fresh process, import included)", alone),
        ("WeasyPrint alone, the same kind of PDF (tagged PDF/A-3a)", median["alone, tagged"]),
        ("WeasyPrint render in a warm process, collector on", median["render, collector on"]),
        ("WeasyPrint render in a warm process, collector off", median["render, collector off"]),
        ("before: a fresh `reporter build`, as `reporter watch` ran it", median["before"]),
        ("the worker's start: imports and a one-line render, once a session", ready),
    ]
    lines = [f"Machine: {machine()}.", f"Medians of {runs} rounds, interleaved.", ""]
    lines += ["| measurement | seconds |", "|---|--:|"]
    lines += [f"| {name} | {seconds:.2f} |" for name, seconds in rows]
    ratio = refresh / alone
    lines += ["", "| ratio | measured | goal | met |", "|---|--:|--:|:-:|"]
    lines.append(f"| PDF refresh / WeasyPrint alone | {ratio:.2f} | ≤ {GOAL} | "
                 f"{'yes' if ratio <= GOAL else 'no'} |")  # fmt: skip
    tagged = refresh / median["alone, tagged"]
    lines.append(f"| PDF refresh / WeasyPrint alone making a tagged PDF/A-3a | {tagged:.2f} | | |")
    floor = median["render, collector off"] / alone
    lines.append(f"| warm render (collector off) / WeasyPrint alone | {floor:.2f} | | |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reporter-bench-watch-") as tmp:
        times, ready = measure(args.runs, Path(tmp))
    print(report(times, ready, args.runs))


if __name__ == "__main__":
    main()
