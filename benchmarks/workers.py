"""Benchmark of reporter/workers.py: WeasyPrint documents built here, in warm local workers,
and on a Dask cluster.

    python benchmarks/workers.py [--tasks 40] [--runs 3] [--sizes tiny,small]

Each run renders TASKS documents with `run_tasks(render, …, warm="weasyprint")`, in two
sizes: tiny (one page: a heading, 5 paragraphs, a table; about 0.05 s warm) and small (7
pages, 80 paragraphs and table rows; about 0.25 s warm, as a short report). It measures,
interleaved so that the machine's load weighs on all of them alike:

1. jobs=1: a fresh process, timed from before run_tasks (which imports WeasyPrint) to its end.
2. jobs=2: a fresh process, likewise: run_tasks spawns 2 workers, each imports WeasyPrint.
   For both, the CPU seconds of the process and its workers are shown too: on a machine
   that others load, the wall clock says more about them than about run_tasks.
3. Dask: a LocalCluster of 2 worker processes (1 thread each, loopback), started before the
   clock as an existing cluster would be. Its workers import WeasyPrint with their first
   task: the first run is cold, later runs find them warm.

Goals (the issue): jobs=2 / jobs=1 <= 0.55, Dask / jobs=2 <= 1.15. The import (about 1 s)
is paid once in every configuration and cannot be shared by 2 workers, so the first ratio
can only come near 0.5 when the documents take much longer than the import. Prints the best
and the median of the runs, and the ratios of the best; not a test: nothing here asserts a
time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOALS = {"jobs=2 / jobs=1": 0.55, "Dask / jobs=2": 1.15}
DOCUMENT = """<html lang="en"><head><style>
  @page {{ size: A4; margin: 2cm }} body {{ font-family: serif; font-size: 11pt }}
  td, th {{ border-bottom: .5pt solid; padding: 2pt 6pt; text-align: right }}
</style></head><body>
<h1>Edition {n}</h1>
{paragraphs}
<table><tr><th>Year</th><th>Stock</th><th>Share</th></tr>{rows}</table>
</body></html>"""
PARAGRAPH = (
    "<p>In {year}, the number of international migrants in edition {n} reached {stock:,}, "
    "a share of {share:.1f} per cent of the population; refugees were one in eight.</p>"
)


def render(n: int, rows: int) -> int:
    """One document to PDF; its number of pages (what a build would report back)."""
    import weasyprint

    data = [(1990 + i, 1000 * (n + 1) * (i + 3), 2.5 + i / 3) for i in range(rows)]
    html = DOCUMENT.format(
        n=n,
        paragraphs="\n".join(
            PARAGRAPH.format(year=y, n=n, stock=s, share=sh) for y, s, sh in data[: max(5, rows)]
        ),
        rows="".join(f"<tr><td>{y}</td><td>{s:,}</td><td>{sh:.1f}</td></tr>" for y, s, sh in data),
    )
    document = weasyprint.HTML(string=html).render()
    document.write_pdf()
    return len(document.pages)


SIZES = {"tiny": (7, 1), "small": (80, 7)}  # table rows (and paragraphs), pages


def work(count: int, size: str) -> dict[str, tuple]:
    return {f"e{n:03}": (n, SIZES[size][0]) for n in range(count)}


def fresh(jobs: int, count: int, size: str) -> tuple[float, float]:
    """Seconds of run_tasks in a fresh process (the import of reporter.workers excluded), and
    the CPU seconds of that process and its workers (all of it, imports included)."""
    code = (
        "import time; from reporter.workers import run_tasks; "
        "from benchmarks.workers import render, work, check; t = time.perf_counter(); "
        f"o = run_tasks(render, work({count}, {size!r}), jobs={jobs}, warm='weasyprint', "
        "progress=False); "
        f"t = time.perf_counter() - t; check(o, {size!r}); print(t)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)  # the workers, reaped by it, are counted in
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"jobs={jobs} failed")
    return float(out), usage.ru_utime + usage.ru_stime


def on_dask(address: str, count: int, size: str) -> float:
    from reporter.workers import run_tasks

    started = time.perf_counter()
    outcomes = run_tasks(
        render, work(count, size), scheduler=address, warm="weasyprint", progress=False
    )
    elapsed = time.perf_counter() - started
    check(outcomes, size)
    return elapsed


def check(outcomes: dict, size: str) -> None:
    pages = SIZES[size][1]
    assert all(o.ok and o.value == pages for o in outcomes.values()), outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="tiny,small")
    args = parser.parse_args()
    from distributed import LocalCluster

    sizes = args.sizes.split(",")
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    cpu: dict[tuple[str, str], list[float]] = defaultdict(list)
    for size in sizes:  # a cluster each: the first Dask run of each size is cold
        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
            host="127.0.0.1",
        ) as cluster:  # fmt: skip
            for run in range(args.runs):
                for jobs in (1, 2):
                    seconds, used = fresh(jobs, args.tasks, size)
                    times[size, f"jobs={jobs}"].append(seconds)
                    cpu[size, f"jobs={jobs}"].append(used)
                dask = "Dask, cold" if run == 0 else "Dask"
                times[size, dask].append(on_dask(cluster.scheduler_address, args.tasks, size))
    print(f"{args.tasks} documents, {args.runs} runs (Dask, cold: the first run only)")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| documents | configuration | best s | median s | per document | CPU s |")
    print("|---|---|---:|---:|---:|---:|")
    best = {key: min(t) for key, t in times.items()}
    for (size, name), seconds in times.items():
        used = f"{statistics.median(cpu[size, name]):.2f}" if (size, name) in cpu else ""
        per = best[size, name] / args.tasks * 1000
        middle = statistics.median(seconds)
        print(f"| {size} | {name} | {min(seconds):.2f} | {middle:.2f} | {per:.0f} ms | {used} |")
    print("\nRatios of the best runs (the least disturbed by the machine's other work):\n")
    print("| documents | ratio | measured | goal |\n|---|---|---:|---:|")
    for size in sizes:
        jobs1, jobs2 = best[size, "jobs=1"], best[size, "jobs=2"]
        dask = best.get((size, "Dask"), best[size, "Dask, cold"])
        ratios = {
            "jobs=2 / jobs=1": jobs2 / jobs1,
            "Dask / jobs=2": dask / jobs2,
            "Dask, cold / jobs=2": best[size, "Dask, cold"] / jobs2,
        }
        for name, ratio in ratios.items():
            goal = f"<= {GOALS[name]}" if name in GOALS else ""
            print(f"| {size} | {name} | {ratio:.2f} | {goal} |")


if __name__ == "__main__":
    # the tasks must come from an importable module (workers import them by name), not __main__
    from benchmarks.workers import main as run_from_module

    run_from_module()
