"""UN DESA migrant stock: the commands that bring it into a project and compare editions.

    python -m reporter.data.desa classification XLSX OUT.csv   # the 2020 annex -> country,group CSV
    python -m reporter.data.desa corridors DATA_DIR NAME       # print a derived dataset as CSV
    python -m reporter.data.desa flagship-2017 OUTDIR          # OUTDIR/flagship-vs-2017.md

Exit codes: 0 done, 1 a data or project error (one line naming file:line), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reporter.errors import ReportError

FLAGSHIP_DATA = "a67254_migrant_stock_by_corridor"
REV2017 = Path("data/desa-rev2017")
COMMAND = "python -m reporter.data.desa flagship-2017 docs"

INTRO = """\
The flagship's prose and tables (`content/`, unchanged) checked against the 2017 revision of
the UN DESA migrant stock by origin and destination instead of the report's own data. In
`data/desa-rev2017/`, `datasets.yaml` derives `a67254_migrant_stock_by_corridor`, the file
Table 1 reads, from the 2017 country matrix in the same shape (origin, destination, year,
migrants_thousands; 1990 and 2010): each country is classified North (more developed
regions) or South, and the migrants whose origin the file does not give are a third origin,
`Unallocated` ([derived-datasets.md](derived-datasets.md)). The round tables behind Table 2
are not revised: that folder links the flagship's file.

Run from the repository root:"""


def flagship_2017(outdir: Path, root: Path) -> tuple[int, int, Path]:
    """Check the flagship against the 2017 revision; write OUTDIR/flagship-vs-2017.md."""
    from reporter.data.revision_report import write_revision_report

    outdir.mkdir(parents=True, exist_ok=True)
    out = outdir / "flagship-vs-2017.md"
    code, failing = write_revision_report(
        root,
        root / REV2017,
        out,
        "A/67/254 against the 2017 revision",
        COMMAND,
        INTRO,
        compare_table(root),
    )
    return code, failing, out


def compare_table(root: Path) -> str:
    """The published corridors and the 2017 revision's, side by side, in millions."""
    from reporter.compute.tables import load_frame
    from reporter.data.datasets import derived_frame

    published = load_frame(root, FLAGSHIP_DATA)
    revised = derived_frame(root, FLAGSHIP_DATA, root / REV2017)

    def cell(frame, origin, destination, year) -> str:
        rows = frame[(frame.year == year) & (frame.destination.isin(destination))]
        rows = rows[rows.origin.isin(origin)]
        return f"{rows.migrants_thousands.sum() / 1000:.1f}" if len(rows) else "–"

    lines = [
        "| millions | 1990, A/67/254 | 1990, rev. 2017 | 2010, A/67/254 | 2010, rev. 2017 |",
        "|---|--:|--:|--:|--:|",
    ]
    origins = list(dict.fromkeys(revised.origin))
    destinations = list(dict.fromkeys(revised.destination))
    rows = [(f"{o}-{d}", [o], [d]) for o in origins for d in destinations]
    rows.append(("Grand total", origins, destinations))
    for label, origin, destination in rows:
        cells = [
            cell(f, origin, destination, y) for y in (1990, 2010) for f in (published, revised)
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reporter.data.desa", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    cls = commands.add_parser("classification", help="convert the 2020 annex (.xlsx) to CSV")
    cls.add_argument("xlsx", type=Path)
    cls.add_argument("out", type=Path)
    cor = commands.add_parser("corridors", help="print a dataset derived in DATA_DIR as CSV")
    cor.add_argument("data_dir", type=Path)
    cor.add_argument("name")
    flag = commands.add_parser("flagship-2017", help="write OUTDIR/flagship-vs-2017.md")
    flag.add_argument("outdir", type=Path)
    flag.add_argument(
        "--project", type=Path, default=Path("."), help="the flagship project (default: here)"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except ReportError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "classification":
        from reporter.data.xlsx_annex import write_classification

        count = write_classification(args.xlsx, args.out)
        print(f"wrote {args.out}: {count} countries and areas")
        return 0
    if args.command == "corridors":
        from reporter.data.datasets import derived_frame

        # paths are shown, and links must stay, inside the folder this is run from
        frame = derived_frame(Path.cwd().resolve(), args.name, args.data_dir.resolve())
        if frame is None:
            print(
                f"error: {args.data_dir}/datasets.yaml declares no {args.name!r}", file=sys.stderr
            )
            return 1
        sys.stdout.write(frame.to_csv(index=False, lineterminator="\n"))
        return 0
    from reporter.project import Project

    code, failing, out = flagship_2017(args.outdir, Project.at(args.project).root)
    print(f"wrote {out}: reporter check exit code {code}, {failing} figures no longer hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
