"""Chart specs -> deterministic SVG drawn with matplotlib from the computed tables.

A chart reads the same computed table as the printed table, so the two agree by
construction. Output is byte-stable: fixed hash salt per chart (unique ids when several
SVGs share a page), no date, text drawn as paths in the document's own font. Names in a
script Liberation Serif lacks (Arabic, Chinese) are drawn in the system's Noto font for it,
the document's own (templates/assets/report.css), found through fontconfig; a chart whose
document runs right to left is mirrored, as UN Arabic documents draw them: the first category
on the right, the value axis on the right.
"""

from __future__ import annotations

import io
import re
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

from reporter.content.chartspec import ChartSpec
from reporter.errors import ReportError

# Greys and hatches: the figures must read in black-and-white print.
FILLS = ["#303030", "#a0a0a0", "#ffffff", "#606060", "#d0d0d0"]
HATCHES = ["", "", "////", "....", "xx"]
# The system font (a fontconfig family, as report.css names it) for each script Liberation
# Serif lacks, by the code points that call for it
SCRIPT_FONTS = {
    "Noto Naskh Arabic": ((0x0600, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "Noto Serif CJK SC": ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF)),
}


@dataclass
class ChartData:
    categories: list[str]
    series: list[tuple[str, list[float]]]
    line: tuple[str, list[float]] | None


@dataclass
class Chart:
    spec: ChartSpec
    data: ChartData
    svg: str
    number: str = ""  # "I", "II" (filled by the pipeline)


MAX_CATEGORIES = 100  # bars or points along the axis of one chart


def chart_data(spec: ChartSpec, tables: dict) -> ChartData:
    if spec.table not in tables:
        message = f"chart reads table {spec.table!r}, which is not in the document"
        raise ReportError(message, spec.loc, "place the table in the text, or name another")
    table = tables[spec.table]
    rows = {r.id: r for r in table.rows}
    wanted = spec.rows if spec.rows is not None else [r.id for r in table.rows if not r.style]
    for row_id in wanted:
        if row_id not in rows:
            raise ReportError(
                f"table {spec.table!r} has no row {row_id!r}", spec.loc, f"rows: {', '.join(rows)}"
            )

    if len(wanted) > MAX_CATEGORIES:  # drawing costs ~10 ms a bar, and 6 inches hold no more
        raise ReportError(
            f"a chart of {len(wanted):,} categories, more than the {MAX_CATEGORIES:,} a chart "
            "may draw",
            spec.loc,
            "choose the rows to draw (rows:), or show the data as a table",
        )
    numeric = [c.id for c in table.spec.columns if c.kind in ("sum", "formula", "rank")]

    def column(col: str) -> list[float]:
        if col not in numeric:
            raise ReportError(
                f"table {spec.table!r} has no numeric column {col!r}",
                spec.loc,
                f"numeric columns: {', '.join(numeric)}",
            )
        cells = [table.cell(r, col) for r in wanted]
        gap = next((c for c in cells if c.missing), None)
        if gap is not None:  # a bar left out or drawn as 0 would say what the data do not
            raise ReportError(
                f"column {col!r} has no value in row {wanted[cells.index(gap)]!r}: {gap.missing}",
                spec.loc,
                "leave that row out of the chart (rows:), or give the data a value",
            )
        values = [c.value for c in cells]
        if None in values:
            raise ReportError(
                f"column {col!r} has no value in row {wanted[values.index(None)]!r}",
                spec.loc,
                "a rank has no value in a total row: leave that row out of the chart",
            )
        return [float(v) for v in values]

    named = [c.id for c in table.spec.columns if c.territory]
    categories = [str(c) for c in (spec.labels or [_label(rows[r], named) for r in wanted])]
    series = [(str(s.label), column(s.column)) for s in spec.series]
    line = (str(spec.line.label), column(spec.line.column)) if spec.line else None
    return ChartData(categories, series, line)


def _label(row, named: list[str]) -> str:
    """A row's name in the document's language where a `territory:` column gives one (its
    label is the data's); else its label; a row of one record has none: its first text cell."""
    names = [c.value for c in row.cells if c.column in named and isinstance(c.value, str)]
    text = next((c.text for c in row.cells if isinstance(c.value, str)), row.id)
    return names[0] if names else row.label or text


@dataclass(frozen=True)
class Look:
    """What drawing needs of a spec, as plain values (sent to a worker process)."""

    id: str
    kind: str
    unit: str
    right_unit: str
    right_to_left: bool = False  # mirrored: categories from the right, values on the right

    @classmethod
    def of(cls, spec: ChartSpec, right_to_left: bool = False) -> Look:
        """The axis titles only where Liberation Serif can draw them (the unit stands in the
        figure's caption anyway, set by WeasyPrint in the document's fonts); mirrored in a
        document that runs right to left."""
        unit, right = (str(u) if drawable(str(u)) else "" for u in (spec.unit, spec.right_unit))
        return cls(str(spec.id), str(spec.kind), unit, right, right_to_left)


def drawable(text: str) -> bool:
    """Latin, Greek and Cyrillic, and general punctuation: what Liberation Serif covers."""
    return all(ord(c) < 0x0530 or 0x2000 <= ord(c) <= 0x20CF for c in text)


def script_fonts(texts: list[str]) -> list[tuple[str, str]]:
    """(family, file) of the system fonts the `texts` need beyond Liberation Serif (none
    for Latin, Greek and Cyrillic), where fontconfig finds them."""
    wanted = [
        family
        for family, ranges in SCRIPT_FONTS.items()
        if any(lo <= ord(c) <= hi for text in texts for c in text for lo, hi in ranges)
    ]
    found = []
    for family in wanted:
        try:
            match = subprocess.run(["fc-match", "-f", "%{family}\t%{file}", family],
                                   capture_output=True, text=True, check=True).stdout  # fmt: skip
        except (OSError, subprocess.CalledProcessError):
            continue  # no fontconfig: the glyphs are missing, as matplotlib warns
        families, _, path = match.partition("\t")
        if family in families.split(","):
            found.append((family, path))
    return found


def draw_in_worker(jobs: dict[str, tuple[Look, ChartData]], fonts: Path, meanwhile=None) -> dict:
    """SVGs drawn in a worker process (compute/chart_worker.py) while this one does
    `meanwhile` (imports WeasyPrint): on two cores, matplotlib's 0.4 s import and drawing then
    cost no wall-clock time. The worker never outlives the call. A warm process (a watcher's
    or an edition worker's: WeasyPrint already imported) has nothing to overlap, and neither
    has one that writes no PDF: they draw here, matplotlib imported once."""
    import sys

    if not jobs:
        return {}
    if meanwhile is None or "weasyprint" in sys.modules:
        return {key: draw_svg(look, data, fonts) for key, (look, data) in jobs.items()}
    import dataclasses
    import json
    import os
    import subprocess
    import threading

    payload = {
        key: {"look": dataclasses.asdict(look), "data": dataclasses.asdict(data)}
        for key, (look, data) in jobs.items()
    }
    command = [sys.executable, "-m", "reporter.compute.chart_worker", str(os.getpid()), str(fonts)]
    worker = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    result: list[tuple[bytes, bytes]] = []
    talk = threading.Thread(
        target=lambda: result.append(worker.communicate(json.dumps(payload).encode()))
    )
    try:
        talk.start()
        if meanwhile is not None:
            meanwhile()
        talk.join()
        out, err = result[0]
        if worker.returncode != 0:
            raise RuntimeError(f"the chart worker failed:\n{err.decode(errors='replace')}")
        return json.loads(out)
    finally:
        if worker.poll() is None:  # interrupted: the worker goes with the build
            worker.kill()
            worker.wait()


def draw_svg(spec: Look | ChartSpec, data: ChartData, fonts: Path) -> str:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure  # not pyplot: no GUI state, and 0.1 s less to import

    look = spec if isinstance(spec, Look) else Look.of(spec)
    with matplotlib.rc_context(_style(look, data, fonts)):
        fig = Figure(figsize=(6.0, 2.9))
        FigureCanvasSVG(fig)
        ax = fig.subplots()
        label_lines = _bars(ax, look, data)
        ax.set_ylabel(look.unit)
        ax.yaxis.grid(True, linewidth=0.3, color="#b0b0b0")
        ax.set_axisbelow(True)
        handles, labels = ax.get_legend_handles_labels()
        right = None
        if data.line:
            right = ax.twinx()
            positions = range(len(data.categories))
            right.plot(positions, data.line[1], color="#000000", marker="o", markersize=3.5,
                       linewidth=1, label=data.line[0])  # fmt: skip
            right.set_ylim(0, max(data.line[1]) * 1.25)
            right.set_ylabel(look.right_unit)
            more_handles, more_labels = right.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
        if look.right_to_left:
            _mirror(ax, right)
        columns = len(labels) if len(labels) <= 3 else 2  # keep the legend within the plot's width
        below = -0.12 - 0.05 * (label_lines - 1)  # under the category names, however many lines
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, below), ncol=columns)
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(
            buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight"
        )
    svg = buffer.getvalue()
    return _prefix_ids(svg[svg.index("<svg") :], look.id)  # inline: no XML declaration, doctype


def _style(look: Look, data: ChartData, fonts: Path) -> dict:
    """matplotlib's settings: Liberation Serif, and after it the system fonts of the scripts
    it lacks, only where the chart's names need them (other charts are drawn as before)."""
    from matplotlib import font_manager

    for path in sorted(fonts.glob("LiberationSerif-*.ttf")):
        font_manager.fontManager.addfont(str(path))
    texts = [*data.categories, *(label for label, _ in data.series)]
    extra = script_fonts([*texts, data.line[0]] if data.line else texts)
    for _, path in extra:
        font_manager.fontManager.addfont(path)
    family = ["Liberation Serif", *(name for name, _ in extra)] if extra else "Liberation Serif"
    style = {
        "svg.hashsalt": f"reporter-{look.id}",
        "svg.fonttype": "path",
        "font.family": family,
        "font.size": 8,
        "axes.linewidth": 0.5,
        "axes.spines.top": False,
        "axes.spines.right": bool(data.line),
        "xtick.major.width": 0.5,
        "ytick.major.width": 0.5,
        "hatch.linewidth": 0.5,
        "legend.frameon": False,
        "text.parse_math": False,  # "$372" in a label is text, not mathtext
    }
    if look.right_to_left:  # the value axis on the right; on the left only a line's
        style.update({"axes.spines.left": bool(data.line), "axes.spines.right": True})
    return style


def _mirror(ax, right) -> None:
    """Right to left: the first category on the right, the value axis on the right (and a
    line's axis on the left)."""
    ax.invert_xaxis()
    ax.yaxis.tick_right()
    ax.yaxis.set_label_position("right")
    if right is not None:
        right.yaxis.tick_left()
        right.yaxis.set_label_position("left")


def _prefix_ids(svg: str, prefix: str) -> str:
    """Give every id (and every reference to one) the chart's prefix: matplotlib names glyphs
    and groups the same way in every chart, and ids must be unique in the HTML page."""
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)


def _bars(ax, spec: Look, data: ChartData) -> int:
    """Draw the bars; the number of lines the longest category name takes."""
    count = len(data.series)
    positions = list(range(len(data.categories)))
    bottoms = [0.0] * len(positions)
    width = 0.8 / count if spec.kind == "bar" else 0.55
    for i, (label, values) in enumerate(data.series):
        if spec.kind == "bar":
            xs = [p - 0.4 + width * (i + 0.5) for p in positions]
            bottom = None
        else:
            xs, bottom = positions, list(bottoms)
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        ax.bar(xs, values, width, bottom=bottom, label=label, color=FILLS[i % len(FILLS)],
               edgecolor="#000000", linewidth=0.5, hatch=HATCHES[i % len(HATCHES)])  # fmt: skip
    tallest = max(bottoms) if spec.kind == "stacked-bar" else max(max(v) for _, v in data.series)
    ax.set_ylim(0, tallest * 1.12)  # headroom above the tallest bar
    # long names under many bars are wrapped, so that they do not run into each other
    wrap = max(8, 100 // max(len(positions), 1))
    names = [textwrap.fill(c, wrap) for c in data.categories]
    ax.set_xticks(positions, names)
    ax.tick_params(axis="x", length=0)
    return max((name.count("\n") + 1 for name in names), default=1)
