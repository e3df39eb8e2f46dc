"""Pages as images: which pages' rendering changed, and where on the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SCALE = 1.0  # 72 dpi: enough to see a changed word, cheap to render
THRESHOLD = 24  # grey-level difference that counts as a change (anti-aliasing stays below)
GAP = 10  # pixels: changed rows closer than this belong to one region


@dataclass
class PageChange:
    number: int  # 1-based, in the new document (or the old one when it has more pages)
    regions: list[tuple[int, int, int, int]] = field(default_factory=list)  # boxes in pixels
    status: str = "changed"  # changed | added | removed


def render_pages(pdf: Path) -> list:
    """PIL images of every page."""
    from reporter.export.readback import open_pdf

    document = open_pdf(pdf)
    try:
        return [page.render(scale=SCALE).to_pil().convert("L") for page in document]
    finally:
        document.close()


def changed_regions(old, new) -> list[tuple[int, int, int, int]]:
    import numpy as np

    if old.size != new.size:
        return [(0, 0, *new.size)]
    diff = np.abs(np.asarray(old, dtype=np.int16) - np.asarray(new, dtype=np.int16)) > THRESHOLD
    rows = np.flatnonzero(diff.any(axis=1))
    regions = []
    if not len(rows):
        return regions
    start = previous = rows[0]
    for row in [*rows[1:], None]:
        if row is not None and row - previous <= GAP:
            previous = row
            continue
        columns = np.flatnonzero(diff[start : previous + 1].any(axis=0))
        regions.append((int(columns[0]), int(start), int(columns[-1]) + 1, int(previous) + 1))
        if row is not None:
            start = previous = row
    return regions


def compare_pages(old_pages: list, new_pages: list) -> list[PageChange]:
    changes = []
    for number, (old, new) in enumerate(zip(old_pages, new_pages, strict=False), start=1):
        if old.tobytes() != new.tobytes():
            changes.append(PageChange(number, changed_regions(old, new)))
    for number in range(len(old_pages) + 1, len(new_pages) + 1):
        changes.append(PageChange(number, status="added"))
    for number in range(len(new_pages) + 1, len(old_pages) + 1):
        changes.append(PageChange(number, status="removed"))
    return changes
