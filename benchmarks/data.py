"""Benchmarks of the data layer: a published file read and reshaped in SQL, and a check over a
50 MB CSV.

    python benchmarks/data.py [--runs N]

1. UN DESA's 2017 origin x destination matrix (1.5 MB, 1,890 rows x 235 columns, `..` for
   none) read as published and unpivoted to one record per year, destination and origin in
   DuckDB: the work `reporter build` does for examples/migration-2017's `stock` dataset.
   Warm (in one process, imports paid) and cold (a fresh process, imports included).
2. `reporter check` on a small project whose table reads a 50 MB CSV (about 530,000 rows),
   in a fresh process: seconds and peak memory.

Prints a Markdown table; not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.run import run  # noqa: E402

EXAMPLE = ROOT / "examples" / "migration-2017"
MATRIX = EXAMPLE / "data" / "un_desa_rev2017_origin_destination_total_1990-2017.csv"
UNPIVOT = """unpivot matrix on columns(* exclude (Year, Destination, Total))
into name origin value persons"""
LOAD = f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from reporter.data.readers import ReadOptions, read_file
from reporter.data.sql import run_query
from reporter.errors import Location
matrix = read_file("matrix", Path({str(MATRIX)!r}), Path("matrix.csv"),
                   ReadOptions(na=("..",), end="blank-row"))
long = run_query("long", {UNPIVOT!r}, {{"matrix": matrix}}, Location(Path("datasets.yaml")))
print(len(long.frame))
"""


def warm_matrix(runs: int) -> tuple[float, float, int]:
    """Medians of (read, unpivot) in this process after one run that pays the imports."""
    from reporter.data.readers import ReadOptions, read_file
    from reporter.data.sql import run_query
    from reporter.errors import Location

    options = ReadOptions(na=("..",), end="blank-row")
    reads, unpivots, records = [], [], 0
    for _ in range(runs + 1):
        started = time.perf_counter()
        matrix = read_file("matrix", MATRIX, Path("matrix.csv"), options)
        read = time.perf_counter()
        long = run_query("long", UNPIVOT, {"matrix": matrix}, Location(Path("datasets.yaml")))
        reads.append(read - started)
        unpivots.append(time.perf_counter() - read)
        records = len(long.frame)
    return statistics.median(reads[1:]), statistics.median(unpivots[1:]), records


def big_project(target: Path, megabytes: int = 50) -> Path:
    """A project whose one table sums a column of a CSV of about `megabytes` MB."""
    files = {
        "content/document.yaml": "symbol: X/1\ntitle: Big data\ndate: 2020-01-31\n"
        "parts: [main.yaml]\n",
        "content/main.yaml": "kind: section\nlabel: only\ntitle: Only\nblocks:\n"
        "  - p: Text.\n  - table: big\n",
        "content/tables/big.yaml": textwrap.dedent("""\
            title: By year
            data: big
            rows:
              - {id: y1990, label: "1990", where: {year: 1990}}
              - {id: y2010, label: "2010", where: {year: 2010}}
              - {id: total, label: Total, style: grand-total}
            columns:
              - {id: n, heading: Thousands, sum: migrants_thousands}
            stub: Year
        """),
    }
    for name, text in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(text)
    (target / "data").mkdir()
    rng = random.Random(1)
    with (target / "data" / "big.csv").open("w") as handle:
        handle.write("origin,destination,year,migrants_thousands,note\n")
        n = 0
        while handle.tell() < megabytes * 1_000_000 - 200:
            handle.write(
                f"Country {rng.randint(1, 232)},Area {rng.randint(1, 232)},"
                f"{rng.choice((1990, 2010))},{rng.randint(1, 99_999_999) / 1000},free text {n}\n"
            )
            n += 1
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    read, unpivot, records = warm_matrix(args.runs)
    cold = statistics.median(run([sys.executable, "-c", LOAD])[0] for _ in range(args.runs))
    with tempfile.TemporaryDirectory() as tmp:
        project = big_project(Path(tmp))
        size = (project / "data" / "big.csv").stat().st_size
        checks = [run([sys.executable, "-m", "reporter.cli", "check", str(project)])
                  for _ in range(args.runs)]  # fmt: skip
    seconds = statistics.median(c[0] for c in checks)
    peak = max(c[1] for c in checks)
    print(f"Medians of {args.runs} runs.\n")
    print("| measurement | seconds | goal |\n|---|--:|--:|")
    print(f"| 2017 matrix: read as published (warm) | {read:.3f} | |")
    print(f"| 2017 matrix: unpivot to {records:,} records in DuckDB (warm) | {unpivot:.3f} | |")
    print(f"| 2017 matrix: read + unpivot (warm) | {read + unpivot:.3f} | < 0.3 |")
    print(f"| 2017 matrix: read + unpivot, fresh process (imports included) | {cold:.3f} | |")
    print(f"| `reporter check`, a table over a {size / 1e6:.0f} MB CSV (peak {peak} MB) "
          f"| {seconds:.2f} | < 2 |")  # fmt: skip


if __name__ == "__main__":
    main()
