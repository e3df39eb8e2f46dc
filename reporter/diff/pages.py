"""Pages as images: which pages' rendering changed, and where on the page."""

from __future__ import annotations

from dataclasses import dataclass, field

SCALE = 1.0  # 72 dpi: enough to see a changed word, cheap to render
THRESHOLD = 24  # grey-level difference that counts as a change (anti-aliasing stays below)
GAP = 10  # pixels: changed rows closer than this belong to one region
MAX_PIXELS = 4_000_000  # of a page drawn: 16 MB in colour, 4 MB in grey


@dataclass
class PageChange:
    number: int  # 1-based, in the new document (or the old one when it has more pages)
    regions: list[tuple[int, int, int, int]] = field(default_factory=list)  # boxes in pixels
    status: str = "changed"  # changed | added | removed


class PageImages:
    """A document's pages as greyscale PIL images, each drawn when it is asked for (one at a
    time: a diff holds two pages, not two documents), at SCALE or smaller: at most
    MAX_PIXELS (a page of 14,400 pt square is drawn at 0.14 of it)."""

    def __init__(self, document) -> None:
        self.document = document  # pypdfium2, of pages walked within bounds (export/readback)

    def __len__(self) -> int:
        return len(self.document)

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(index)
        page = self.document[index]
        try:
            width, height = page.get_size()
            scale = min(SCALE, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
            return page.render(scale=scale).to_pil().convert("L")
        finally:
            page.close()


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
