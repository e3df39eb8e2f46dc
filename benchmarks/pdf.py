"""Benchmark of what the archival, accessible, self-verifying PDF costs: size and time.

    python benchmarks/pdf.py [--runs N]

For the flagship and one edition of examples/country-profiles, built once, the same HTML is
rendered in this process (WeasyPrint warm, medians of N, interleaved) three ways:

1. plain: WeasyPrint's default PDF with the embedded document model only (before issue 18);
2. tagged: PDF/A-3a, tagged, PDF/UA-1 declared, furniture as artifacts (export/pdf.py);
3. tagged + evidence: as reporter builds it, the content, data, tables, check and manifest
   attached.

Then `reporter check FILE.pdf` (a fresh process, in an empty folder) against `reporter check`
on the project. Prints Markdown tables; not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import calendar
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.run import REPORTER, copy_flagship, machine, run  # noqa: E402


def renderings(project, result) -> dict:
    """name -> (function rendering the built HTML that way, returning the PDF's bytes)."""
    import weasyprint

    from reporter.export.pdf import render_pdf
    from reporter.export.readback import attachments

    html = result.html.read_text(encoding="utf-8")
    carried = attachments(result.pdf)
    model = {"reporter-model.json": (carried["reporter-model.json"], "Supplement")}
    evidence = {name: (data, "Data") for name, data in carried.items()}
    epoch = calendar.timegm(time.gmtime(0))
    base = str(project.templates) + "/"

    def plain() -> bytes:
        files = [weasyprint.Attachment(file_obj=io.BytesIO(model["reporter-model.json"][0]),
                                       name="reporter-model.json")]  # fmt: skip
        document = weasyprint.HTML(string=html, base_url=base).render()
        return document.write_pdf(attachments=files)

    def tagged(files) -> bytes:
        allowed = [project.assets, result.html.parent]
        return render_pdf(html, project.templates, allowed, "BENCH", epoch, files)[0]

    return {
        "plain": plain,
        "tagged": lambda: tagged(model),
        "tagged + evidence": lambda: tagged(evidence),
    }


def measure(project, result, runs: int) -> dict[str, tuple[float, int]]:
    ways = renderings(project, result)
    times: dict[str, list[float]] = {name: [] for name in ways}
    sizes = {}
    for _ in range(runs):
        for name, render in ways.items():
            started = time.perf_counter()
            sizes[name] = len(render())
            times[name].append(time.perf_counter() - started)
    return {name: (statistics.median(times[name]), sizes[name]) for name in ways}


def check_times(project_path: Path, pdf: Path, runs: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as empty:
        of_pdf = [run([*REPORTER, "check", str(pdf), "-q"], Path(empty))[0] for _ in range(runs)]
    of_project = [run([*REPORTER, "check", str(project_path), "-q"])[0] for _ in range(runs)]
    return statistics.median(of_pdf), statistics.median(of_project)


def copy_profiles(work: Path) -> Path:
    """A copy of examples/country-profiles (built with the default theme)."""
    import shutil

    project = work / "profiles"
    shutil.copytree(
        ROOT / "examples/country-profiles", project, ignore=shutil.ignore_patterns("out")
    )
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from reporter.pipeline import build
    from reporter.project import Project

    print(machine(), "\n")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        flagship = Project.at(copy_flagship(work / "flagship"))
        result = build(flagship, out=work / "out", progress=lambda _: None)
        table("the flagship (16 pages)", measure(flagship, result, args.runs))
        of_pdf, of_project = check_times(flagship.root, result.pdf, args.runs)
        print(f"| `reporter check FILE.pdf` (fresh process, empty folder) | {of_pdf:.2f} s |")
        print(f"| `reporter check PATH` (the project) | {of_project:.2f} s |\n")
        profiles = copy_profiles(work)
        out = work / "profiles-out"
        subprocess_build = [*REPORTER, "build", str(profiles), "--edition", "germany.en",
                            "--out", str(out), "-q"]  # fmt: skip
        run(subprocess_build)
        pdf = next((out / "germany.en").glob("*.pdf"))
        germany = Project(profiles.resolve(), edition_params(profiles, "germany.en"))
        built = type(result)(html=pdf.with_suffix(".html"), pdf=pdf)
        table(
            "one edition of examples/country-profiles (germany.en)",
            measure(germany, built, args.runs),
        )


def edition_params(project: Path, ident: str) -> tuple:
    from reporter.editions import editions_of
    from reporter.project import Project

    [found] = [e for e in editions_of(Project.at(project)) if e.id == ident]
    return found.values


def table(title: str, rows: dict[str, tuple[float, int]]) -> None:
    plain_time, plain_size = rows["plain"]
    print(f"{title}\n\n| PDF | render s | × plain | size KB | × plain |\n|---|--:|--:|--:|--:|")
    for name, (seconds, size) in rows.items():
        print(f"| {name} | {seconds:.2f} | {seconds / plain_time:.2f} | {size / 1024:.0f} |"
              f" {size / plain_size:.2f} |")  # fmt: skip
    print()


if __name__ == "__main__":
    main()
