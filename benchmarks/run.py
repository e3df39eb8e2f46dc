"""Benchmarks: how fast reporter is, against WeasyPrint alone, and how it grows.

    python benchmarks/run.py [--runs N] [--scales 1,4,16] [--write docs/benchmarks.md]

Every measurement is a fresh process (as an editor or CI runs it), timed with a monotonic
clock; figures are medians of N runs. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.synthetic import make  # noqa: E402

REPORTER = [sys.executable, "-m", "reporter.cli"]
WEASYPRINT_ALONE = (
    "import sys, weasyprint; weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])"
)
GOALS = {  # ratio: (numerator, denominator, goal)
    "cold build / WeasyPrint alone": ("cold build", "WeasyPrint alone", 1.5),
    "no-op rebuild / cold build": ("no-op rebuild", "cold build", 0.15),
    "check / cold build": ("reporter check", "cold build", 0.3),
    "one-paragraph rebuild / WeasyPrint alone": ("one-paragraph edit", "WeasyPrint alone", 1.2),
}


def run(command: list[str], cwd: Path | None = None) -> tuple[float, int, str]:
    """(seconds, peak memory in MB, stdout) of one fresh process."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        # files, not pipes: a child writing more than a pipe holds would wait for us forever
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            err.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{err.read()}")
        out.seek(0)
        return elapsed, usage.ru_maxrss // 1024, out.read()


def median(command_or_fn, runs: int, before=None) -> float:
    times = []
    for i in range(runs):
        if before:
            before(i)
        times.append(run(command_or_fn)[0] if isinstance(command_or_fn, list) else command_or_fn())
    return statistics.median(times)


def copy_flagship(target: Path) -> Path:
    for name in ("content", "data", "templates"):
        shutil.copytree(ROOT / name, target / name, symlinks=True)
    return target


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def measure(runs: int, work: Path) -> tuple[dict[str, float], dict[str, float]]:
    project = copy_flagship(work / "flagship")
    build = [*REPORTER, "build", str(project)]
    times: dict[str, float] = {}
    times["cold build"] = median([*build, "--fresh"], runs)
    times["no-op rebuild"] = median(build, runs)
    section = project / "content/02-recent-developments.yaml"
    words = iter(f"Paradoxically (take {chr(97 + i)})," for i in range(26))
    current = ["Paradoxically,"]

    def edit_paragraph(_):
        new = next(words)
        replace(section, current[0], new)
        current[0] = new

    times["one-paragraph edit"] = median(build, runs, before=edit_paragraph)
    csv = project / "data/a67254_gfmd_round_tables.csv"
    titles = iter(f"Labour mobility and development ({chr(97 + i)})" for i in range(26))
    title = ["Labour mobility and development"]

    def edit_csv(_):
        new = next(titles)
        replace(csv, title[0], new)
        title[0] = new

    times["one-CSV edit"] = median(build, runs, before=edit_csv)
    times["reporter check"] = median([*REPORTER, "check", str(project)], runs)
    old = work / "old.pdf"
    shutil.copy(project / "out/A-67-254.pdf", old)
    replace(section, current[0], "Surprisingly,")
    run(build)
    times["reporter diff (one word)"] = median(
        [*REPORTER, "diff", str(old), str(project / "out/A-67-254.pdf")], runs
    )
    alone = [
        sys.executable,
        "-c",
        WEASYPRINT_ALONE,
        str(project / "out/A-67-254.html"),
        str(work / "alone.pdf"),
    ]
    times["WeasyPrint alone"] = median(alone, runs)
    # stage times of a cold build, in process
    _, _, out = run([*build, "--fresh", "--timings"])
    stages = {m[2]: float(m[1]) for m in re.finditer(r"(?m)^\s*([\d.]+) s  (.+)$", out)}
    return times, stages


def scale_series(scales: list[int], work: Path) -> list[dict]:
    rows = []
    for n in scales:
        project = make(n, work / f"x{n}")
        build_time, build_mb, out = run([*REPORTER, "build", str(project), "--draft", "--fresh"])
        check_time, check_mb, _ = run([*REPORTER, "check", str(project)])
        pages = m[1] if (m := re.search(r"(\d+) pages?\b", out)) else "?"
        rows.append({"scale": n, "pages": pages, "build": build_time, "build_mb": build_mb,
                     "check": check_time, "check_mb": check_mb})  # fmt: skip
    return rows


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    system = f"{platform.system()} {platform.release()}"
    python = f"Python {platform.python_version()}, WeasyPrint {version('weasyprint')}"
    return f"{os.cpu_count()} cores, {cpu}; {python}, {system}"


def report(times, stages, rows, runs: int) -> str:
    lines = [f"Machine: {machine()}.", f"Medians of {runs} runs, each a fresh process.", ""]
    lines += ["| measurement | seconds |", "|---|--:|"]
    lines += [f"| {name} | {seconds:.2f} |" for name, seconds in times.items()]
    lines += ["", "| ratio | measured | goal | met |", "|---|--:|--:|:-:|"]
    for name, (top, bottom, goal) in GOALS.items():
        ratio = times[top] / times[bottom]
        met = "yes" if ratio <= goal else "no"
        lines.append(f"| {name} | {ratio:.2f} | ≤ {goal} | {met} |")
    lines += ["", "Stages of a cold build (in process):", "", "| stage | seconds |", "|---|--:|"]
    lines += [f"| {name} | {seconds:.3f} |" for name, seconds in stages.items()]
    lines += [
        "",
        "Scale: synthetic reports, every section, table, chart and footnote repeated with varied",
        "data (draft builds: the varied data fail the check by design).",
        "",
        "| scale | pages | build s | build peak MB | check s | check peak MB |",
        "|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        build, check = f"{r['build']:.2f} | {r['build_mb']}", f"{r['check']:.2f} | {r['check_mb']}"
        lines.append(f"| {r['scale']}× | {r['pages']} | {build} | {check} |")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = [f"{k} {last[k] / first[k]:.1f}×" for k in ("build", "check")]
        factor = last["scale"] / first["scale"]
        scale = f"{first['scale']}× to {last['scale']}× ({factor:g}× the content)"
        lines += ["", f"Growth from {scale}: {', '.join(growth)}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", default="1,4,16")
    parser.add_argument("--write", type=Path, help="also write the results into this Markdown file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reporter-bench-") as tmp:
        times, stages = measure(args.runs, Path(tmp))
        rows = scale_series([int(s) for s in args.scales.split(",")], Path(tmp))
    text = report(times, stages, rows, args.runs)
    print(text)
    print(json.dumps({"times": times, "stages": stages, "scale": rows}), file=sys.stderr)
    if args.write:
        write(args.write, text, args)


def write(path: Path, results: str, args) -> None:
    command = (
        f"python benchmarks/run.py --runs {args.runs} --scales {args.scales} --write {args.write}"
    )
    path.write_text(
        "# Benchmarks\n\n"
        f"Produced by `{command}` (about three minutes on 2 cores). Timings are wall-clock\n"
        "seconds; this machine is shared and noisy, so compare ratios measured in one run.\n\n"
        + results
    )


if __name__ == "__main__":
    main()
