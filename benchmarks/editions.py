"""Benchmark of editions: examples/country-profiles (232 profiles) built as a fleet.

    python benchmarks/editions.py [--sample N] [--skip-full]

On a private copy of the example, measures:

1. a cold single-edition build: a fresh `reporter build --edition ID --fresh` process;
2. the time per edition in a warm worker: N editions built one after the other in one process
   (imports paid once), --fresh, divided by N; goal <= 0.4 x (1);
3. N editions with --jobs 1 and --jobs 2 (fresh processes, --fresh); goal jobs 2 / jobs 1
   <= 0.55;
4. the same N on a Dask cluster of 2 local worker processes, started (and warmed by one
   edition) before the clock starts; goal Dask / jobs 2 <= 1.15;
5. the whole fleet with --jobs 2, then the no-op rebuild (goal <= 5 s), then one changed data
   cell: the peak memory of any process of the build (the command or a worker).

Prints a Markdown table; not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.run import REPORTER, machine  # noqa: E402

EXAMPLE = ROOT / "examples/country-profiles"
GOALS = {  # ratio: (numerator, denominator, goal)
    "warm edition / cold single build": ("warm edition", "cold single-edition build", 0.4),
    "jobs 2 / jobs 1": ("jobs 2", "jobs 1", 0.55),
    "Dask (2 workers) / jobs 2": ("Dask, 2 workers", "jobs 2", 1.15),
}


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def copy_example(target: Path) -> Path:
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("out"))  # the default theme
    return target


def warm_per_edition(project: Path, ids: list[str]) -> float:
    """Seconds per edition in one warm process (the first edition, paying the imports, is
    left out)."""
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from reporter.editions import editions_of\n"
        "from reporter.fleet import build_edition\n"
        "from reporter.project import Project\n"
        "root, staging, ids = sys.argv[1], sys.argv[2], sys.argv[3:]\n"
        "found = {e.id: e for e in editions_of(Project(Path(root)))}\n"
        "build_edition(root, ids[0], found[ids[0]].values, staging, True, False, True)\n"
        "started = time.perf_counter()\n"
        "for i in ids[1:]:\n"
        "    build_edition(root, i, found[i].values, staging, True, False, True)\n"
        "print((time.perf_counter() - started) / (len(ids) - 1))\n"
    )
    with tempfile.TemporaryDirectory() as staging:
        out = subprocess.run([sys.executable, "-c", code, str(project), staging, *ids],
                             check=True, capture_output=True, text=True).stdout  # fmt: skip
    return float(out.split()[-1])


def on_dask(project: Path, ids: list[str]) -> float:
    from distributed import LocalCluster

    build = [*REPORTER, "build", str(project), "-q", "--fresh"]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, host="127.0.0.1") as cluster:  # fmt: skip
        scheduler = ["--scheduler", cluster.scheduler_address]
        timed([*build, *scheduler, "--edition", ids[0]])  # the workers import once
        return timed([*build, *scheduler, *(f"--edition={i}" for i in ids)])


def measure(sample: int, full: bool, work: Path) -> tuple[dict[str, float], dict[str, str]]:
    from reporter.editions import editions_of
    from reporter.project import Project

    project = copy_example(work / "country-profiles")
    ids = [e.id for e in editions_of(Project(project))][:sample]
    build = [*REPORTER, "build", str(project), "-q"]
    times: dict[str, float] = {}
    times["cold single-edition build"] = timed([*build, "--fresh", "--edition", ids[0]])
    times["warm edition"] = warm_per_edition(project, ids)
    editions = [f"--edition={i}" for i in ids]
    times["jobs 1"] = timed([*build, "--fresh", "-j", "1", *editions])
    times["jobs 2"] = timed([*build, "--fresh", "-j", "2", *editions])
    times["Dask, 2 workers"] = on_dask(project, ids)
    facts = {"editions in the sample": str(len(ids))}
    if full:
        shutil.rmtree(project / "out", ignore_errors=True)
        times["whole fleet, jobs 2"] = timed([*build, "--fresh", "-j", "2"])
        times["no-op rebuild of the fleet"] = timed(build)
        change_one_cell(project / "data/un_desa_rev2017_origin_destination_total_1990-2017.csv")
        times["one data cell changed (Tuvalu's), jobs 2"] = timed([*build, "-j", "2"])
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        facts["peak memory of a process (command or worker)"] = f"{peak} MB"
        facts["whole fleet"] = f"{len(editions_of(Project(project)))} editions"
    return times, facts


def change_one_cell(matrix: Path) -> None:
    """One origin's count of Tuvalu's migrants in 2017, one less (the file's totals and the
    other countries' records unchanged)."""
    lines = matrix.read_bytes().split(b"\n")
    row = next(i for i, line in enumerate(lines) if line.startswith(b"2017,Tuvalu,"))
    cells = lines[row].split(b",")
    at = next(i for i, cell in enumerate(cells) if i > 2 and cell.strip().isdigit())
    cells[at] = str(int(cells[at]) - 1).encode()
    lines[row] = b",".join(cells)
    matrix.write_bytes(b"\n".join(lines))


def table(times: dict[str, float], facts: dict[str, str]) -> str:
    lines = [f"Machine: {machine()}, {os.cpu_count()} cores.", "",
             "| measurement | seconds |", "|---|--:|"]  # fmt: skip
    lines += [f"| {name} | {seconds:.2f} |" for name, seconds in times.items()]
    lines += ["", "| ratio | measured | goal |", "|---|--:|--:|"]
    for name, (top, bottom, goal) in GOALS.items():
        ratio = times[top] / times[bottom]
        lines.append(f"| {name} | {ratio:.2f} | ≤ {goal} {'✓' if ratio <= goal else '✗'} |")
    lines += [""] + [f"- {name}: {value}" for name, value in facts.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=24, help="editions in the ratios")
    parser.add_argument("--skip-full", action="store_true", help="not the whole fleet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        times, facts = measure(args.sample, not args.skip_full, Path(work))
    sys.stdout.write(table(times, facts))


if __name__ == "__main__":
    main()
