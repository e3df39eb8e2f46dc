"""Diff results as text for the terminal and as a review page for the browser."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from reporter.diff.compare import Change
from reporter.diff.pages import PageChange
from reporter.text import fill, plural

CHANGE_FORMS = {  # a change of another kind: "where: old → new"
    "added": "{where}: added: {new}",
    "removed": "{where}: removed: {old}",
    "renumbered": "renumbered: {where}",
}


def change_line(change: Change) -> str:
    if change.kind in ("paragraph", "footnote") and change.words:
        return _word_edits(change)
    if change.kind in CHANGE_FORMS:
        old, new = _clip(change.old), _clip(change.new)
        return fill(CHANGE_FORMS, change.kind, where=change.where, old=old, new=new)
    if change.old or change.new:
        return f"{change.where}: {change.old or '∅'} → {change.new or '∅'}"
    return change.where


def _word_edits(change: Change) -> str:
    moved = change.kind == "paragraph" and change.old not in ("", change.where)
    where = f"{change.where} (was {change.old})" if moved else change.where
    edits = "; ".join(
        f"…{' ' + context if context else ''} " + _edit(old, new)
        for context, old, new in change.words
    )
    return f"{where}: {edits}"


def _edit(old: str, new: str) -> str:
    if old and new:
        return f"~~{old}~~ → **{new}**"
    return f"~~{old}~~" if old else f"**{new}**"


def _clip(text: str, size: int = 90) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def page_line(pages: list[PageChange], old_count: int, new_count: int) -> str:
    if not pages:
        return f"pages: rendering unchanged ({plural(new_count, 'page')})"
    listed = ", ".join(
        str(p.number) + ("" if p.status == "changed" else f" ({p.status})") for p in pages
    )
    return f"pages changed: {listed} (of {old_count} → {new_count})"


def as_text(
    changes: list[Change], pages: list[PageChange], counts: tuple[int, int], exact: bool
) -> str:
    how = "document models embedded in both PDFs" if exact else "text extracted from the pages"
    lines = (
        [f"{plural(len(changes), 'change')}, compared by {how}:"]
        if changes
        else [f"no change in the text ({how})"]
    )
    lines += [change_line(c) for c in changes]
    lines.append(page_line(pages, *counts))
    return "\n".join(lines) + "\n"


def write_review(
    folder: Path, changes, pages, old_images, new_images, names: tuple[str, str]
) -> Path:
    """folder/index.html: changed pages side by side, changed regions outlined, text changes."""
    from PIL import ImageDraw

    if folder.exists():
        shutil.rmtree(folder)
    (folder / "pages").mkdir(parents=True)
    rows = []
    for page in pages:
        cells = []
        for side, images in (("old", old_images), ("new", new_images)):
            if page.number > len(images):
                cells.append("<td class='missing'>no such page</td>")
                continue
            image = images[page.number - 1].convert("RGB")
            draw = ImageDraw.Draw(image)
            for box in page.regions:
                draw.rectangle(
                    [box[0] - 3, box[1] - 3, box[2] + 3, box[3] + 3], outline=(220, 0, 0), width=2
                )
            name = f"pages/{side}-{page.number}.png"
            image.save(folder / name, optimize=True)
            cells.append(f"<td><img src='{name}' alt='{side} page {page.number}'></td>")
        title = f"<tr><th colspan='2'>Page {page.number} ({page.status})</th></tr>"
        rows.append(f"{title}<tr>{''.join(cells)}</tr>")
    items = (
        "".join(f"<li>{_html_change(c)}</li>" for c in changes) or "<li>No change in the text.</li>"
    )
    page = REVIEW.format(
        old=html.escape(names[0]),
        new=html.escape(names[1]),
        items=items,
        rows="".join(rows) or NO_PAGES,
    )
    (folder / "index.html").write_text(page, encoding="utf-8")
    return folder / "index.html"


def _html_change(change: Change) -> str:
    text = html.escape(change_line(change))
    for mark, tag in (("~~", "del"), ("**", "ins")):
        parts = text.split(mark)
        text = "".join(p if i % 2 == 0 else f"<{tag}>{p}</{tag}>" for i, p in enumerate(parts))
    return text


NO_PAGES = "<tr><td colspan='2'>The pages render identically.</td></tr>"
REVIEW = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>reporter diff</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 2em; color: #111; }}
del {{ background: #fdd; }} ins {{ background: #dfd; text-decoration: none; font-weight: bold; }}
table {{ border-collapse: collapse; }} td {{ vertical-align: top; padding: 6px; }}
th {{ text-align: left; padding-top: 1.5em; }}
img {{ width: 100%; max-width: 600px; border: 1px solid #999; }}
</style></head><body>
<h1>What changed</h1><p>Old: <code>{old}</code><br>New: <code>{new}</code></p>
<ul>{items}</ul>
<h2>Pages</h2><table><tr><th>Old</th><th>New</th></tr>{rows}</table>
</body></html>
"""
