"""Time loading and classifying the full UN DESA 2017 origin-destination matrix.

    python benchmarks/desa_load.py [RUNS]

Reads the 1.5 MB matrix (1,890 rows x 232 origins, 7 years) as published, reads the
classification, classifies every origin and destination and computes the corridors for all
seven years: the work a build does for a derived dataset (reporter/data/datasets.py). Prints
the first run (pandas imported, cold) and the median of the following runs; exits 1 when the
first run takes a second or more.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "examples" / "migration-2017" / "data"
MATRIX = "un_desa_rev2017_origin_destination_total_1990-2017.csv"
CLASSIFICATION = "desa_development_groups_2020.csv"
BUDGET = 1.0  # seconds, first run included


def load_and_classify():
    from reporter.content.yamlsource import Map, load_yaml
    from reporter.data.classification import read_classification
    from reporter.data.corridors import Group, corridor_frame, origin_labels
    from reporter.data.odmatrix import read_matrix
    from reporter.errors import Location

    entry: Map = load_yaml(DATA / "datasets.yaml")["desa2017_corridors"]
    at = Location(Path("datasets.yaml"))
    matrix = read_matrix(DATA / MATRIX, Path(MATRIX))
    classes = read_classification(
        DATA / CLASSIFICATION, Path(CLASSIFICATION), "development_group", at
    )
    groups = [Group(label, name, at) for name, label in entry["groups"].items()]
    names = {name: (target, at) for name, target in entry["names"].items()}
    labels = origin_labels(matrix, classes, Path(CLASSIFICATION), groups, names)
    return corridor_frame(matrix, labels, groups, sorted(set(matrix.years)), "Unallocated")


def main(runs: int = 10) -> int:
    started = time.perf_counter()
    frame = load_and_classify()
    first = time.perf_counter() - started
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        load_and_classify()
        times.append(time.perf_counter() - started)
    print(f"records: {len(frame)} (7 years x 2 destination groups x 3 origins)")
    print(f"first run (imports included): {first * 1000:.0f} ms")
    print(f"median of {runs} further runs: {statistics.median(times) * 1000:.0f} ms")
    return 0 if first < BUDGET else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
