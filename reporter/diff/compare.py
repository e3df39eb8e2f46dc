"""Compare two document models: paragraphs aligned by content (so an inserted paragraph does
not flood the output with renumbering), then footnotes, table cells and figures. Models read
off the pages (version 0) align their footnotes by content too, and tell a change in a table
by its row."""

from __future__ import annotations

import difflib
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

SIMILAR = 0.5  # paragraphs at least this alike (difflib ratio) are "changed", not removed + added
CONTEXT = 4  # words shown around a change


@dataclass
class Change:
    kind: (
        str  # paragraph | added | removed | renumbered | footnote | heading | cell | figure | table
    )
    where: str  # "para. 23", "Table 1, South-North, 2010", …
    old: str = ""
    new: str = ""
    words: list[tuple[str, str, str]] = field(default_factory=list)  # (context, old, new)
    order: int = 0  # where a paragraph change stands in the new document's reading order


def compare(old: dict, new: dict) -> list[Change]:
    read = old.get("version") == 0 or new.get("version") == 0  # read off the pages
    changes = _paragraphs(old["paragraphs"], new["paragraphs"], loose=read)
    changes += _keyed("heading", old.get("headings", []), new.get("headings", []), _heading_key)
    if read:
        # a note has no id but its number: aligned by text, as paragraphs are, so that a note
        # added or removed does not change every note after it
        changes += _paragraphs(old["footnotes"], new["footnotes"], "footnote", loose=True)
    else:
        changes += _footnotes(old.get("footnotes", []), new.get("footnotes", []))
    changes += _tables(old.get("tables", []), new.get("tables", []))
    changes += _figures(old.get("figures", []), new.get("figures", []))
    return changes


def word_changes(old: str, new: str) -> list[tuple[str, str, str]]:
    """(context before, old words, new words) for each run of changed words."""
    a, b = old.split(), new.split()
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            out.append(
                (" ".join(a[max(0, i1 - CONTEXT) : i1]), " ".join(a[i1:i2]), " ".join(b[j1:j2]))
            )
    return out


def _paragraphs(
    old: list[dict], new: list[dict], kind: str = "paragraph", loose: bool = False
) -> list[Change]:
    """Paragraphs (or a text model's footnotes) aligned by text; those in a region that
    differs are paired with the most similar one, and a shift in numbers is summed up.
    `loose`: text read off pages, where a line break may hide a space or make one up
    ("A/60/623" set as "A/" and "60/623"): the same text but for spaces is the same."""
    changes: list[Change] = []
    renumbered: list[tuple[int, int]] = []
    texts_a, texts_b = [_key(p, loose) for p in old], [_key(p, loose) for p in new]
    matcher = difflib.SequenceMatcher(None, texts_a, texts_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for a, b in zip(old[i1:i2], new[j1:j2], strict=True):
                if a["number"] != b["number"] and a["number"] and b["number"]:
                    renumbered.append((a["number"], b["number"]))
            continue
        for change in _pair_up(old[i1:i2], new[j1:j2], renumbered, kind, loose):
            change.order += j1
            changes.append(change)
    if renumbered:
        changes.append(Change("renumbered", _ranges(renumbered, kind), order=len(new)))
    return sorted(changes, key=lambda change: change.order)


def _key(entry: dict, loose: bool) -> str:
    return "".join(entry["text"].split()) if loose else entry["text"]


def _pair_up(
    old: list[dict], new: list[dict], renumbered: list, kind: str, loose: bool
) -> list[Change]:
    """Within a region that differs, match each new paragraph with its most similar old one."""
    changes, unused = [], list(old)
    for index, paragraph in enumerate(new):
        scored = [
            (difflib.SequenceMatcher(None, o["text"], paragraph["text"]).ratio(), i)
            for i, o in enumerate(unused)
        ]
        best = max(scored, default=(0.0, -1))
        if best[0] >= SIMILAR:
            before = unused.pop(best[1])
            if before["number"] != paragraph["number"] and before["number"] and paragraph["number"]:
                renumbered.append((before["number"], paragraph["number"]))
            if not (loose and _same(before, paragraph)):
                changes += _edited(kind, before, paragraph, index)
        else:
            changes.append(_whole(kind, "added", paragraph, index))
    return changes + [_whole(kind, "removed", p, len(new)) for p in unused]


def _same(before: dict, after: dict) -> bool:
    """Text read off pages that reads the same (its renumbering is said once for all): the
    same but for spaces, or a table with the same words however its cells are wrapped."""
    if "words" in before and before.get("words") == after.get("words"):
        return True
    return _key(before, True) == _key(after, True)


def _edited(kind: str, before: dict, after: dict, order: int) -> list[Change]:
    if "rows" in before and "rows" in after:
        return _rows(before, after, order)
    words = word_changes(before["text"], after["text"])
    if kind == "paragraph":
        return [Change(kind, after["key"], before["key"], after["key"], words, order=order)]
    return [Change(kind, after["key"], before["text"], after["text"], words, order=order)]


def _rows(before: dict, after: dict, order: int) -> list[Change]:
    """A table or figure read off the pages, by the rows that changed ("Table 1, South-North:
    … ~~74.3~~ → **74.5**"); rows set on other lines but with the same words are no change."""
    a, b, changes = before["rows"], after["rows"], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i2 - i1 == j2 - j1:  # as many rows on both sides: row by row
            pairs = [(a[i], b[j], b[j]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
        else:  # else the region as one
            pairs = [(" ".join(a[i1:i2]), " ".join(b[j1:j2]), (b[j1:j2] or a[i1:i2])[0])]
        for was, now, row in pairs:
            if "".join(was.split()) != "".join(now.split()):
                words = word_changes(was, now)
                where = f"{after['key']}, {_label(row)}"
                changes.append(Change("paragraph", where, where, where, words, order=order))
    return changes


def _label(row: str) -> str:
    """A row's label: its words before the first figure, or its first three words."""
    words = row.split()
    label = list(itertools.takewhile(lambda w: not re.match(r"\(?[\d.,]+\)?$", w), words))
    return " ".join(label or words[:3])[:40]


def _whole(kind: str, how: str, entry: dict, order: int) -> Change:
    """A paragraph ("para. 31: added: …") or a footnote ("footnote 8 (new): …") added or removed."""
    if kind == "paragraph":
        text = {"new": entry["text"]} if how == "added" else {"old": entry["text"]}
        return Change(how, entry["key"], order=order, **text)
    if how == "added":
        return Change(kind, f"{entry['key']} (new)", new=entry["text"], order=order)
    return Change(kind, f"{entry['key']} (removed)", old=entry["text"], order=order)


def _ranges(pairs: list[tuple[int, int]], kind: str = "paragraph") -> str:
    """'paras. 41-88 are now 42-89' — consecutive runs with the same shift, collapsed."""
    runs: list[list[int]] = []
    for a, b in sorted(pairs):
        if runs and a == runs[-1][1] + 1 and b - a == runs[-1][2]:
            runs[-1][1] = a
        else:
            runs.append([a, a, b - a])
    parts = []
    for first, last, shift in runs:
        span = f"{first}" if first == last else f"{first}-{last}"
        moved = f"{first + shift}" if first == last else f"{first + shift}-{last + shift}"
        parts.append(f"{'paras.' if kind == 'paragraph' else 'footnotes'} {span} are now {moved}")
    return "; ".join(parts)


def _heading_key(entry: dict) -> str:
    return entry["text"]


def _keyed(kind: str, old: list[dict], new: list[dict], key) -> list[Change]:
    a, b = [key(x) for x in old], [key(x) for x in new]
    changes = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            changes.append(Change(kind, new[j1]["where"] if j1 < j2 else old[i1]["where"],
                                  " | ".join(a[i1:i2]), " | ".join(b[j1:j2])))  # fmt: skip
    return changes


def _footnotes(old: list[dict], new: list[dict]) -> list[Change]:
    by_id = {n["id"]: n for n in old}
    changes = []
    for note in new:
        before = by_id.pop(note["id"], None)
        if before is None:
            changes.append(Change("footnote", f"footnote {note['number']} (new)", new=note["text"]))
        elif before["text"] != note["text"]:
            words = word_changes(before["text"], note["text"])
            changes.append(
                Change(
                    "footnote", f"footnote {note['number']}", before["text"], note["text"], words
                )
            )
        elif before["number"] != note["number"]:
            changes.append(
                Change("footnote", f"footnote {before['number']} is now {note['number']}")
            )
    changes += [
        Change("footnote", f"footnote {n['number']} (removed)", old=n["text"])
        for n in by_id.values()
    ]
    return changes


def _by_id(kind: str, word: str, old: list[dict], new: list[dict], details) -> list[Change]:
    """Tables or figures matched by id: added, removed, retitled, and `details` of the rest."""
    before = {item["id"]: item for item in old}
    changes = []
    for item in new:
        name = f"{word} {item['number']}"
        previous = before.pop(item["id"], None)
        if previous is None:
            changes.append(Change(kind, f"{name} (new)", new=item["title"]))
            continue
        if previous["title"] != item["title"]:
            changes.append(Change(kind, f"{name}, title", previous["title"], item["title"]))
        changes += details(name, previous, item)
    removed = [
        Change(kind, f"{word} {i['number']} (removed)", old=i["title"]) for i in before.values()
    ]
    return changes + removed


def _tables(old: list[dict], new: list[dict]) -> list[Change]:
    return _by_id("table", "Table", old, new, _cells)


def _cells(name: str, previous: dict, table: dict) -> list[Change]:
    changes = []
    columns = _column_names(table["columns"])
    rows = {r["id"]: r for r in previous["rows"]}
    for row in table["rows"]:
        old_row = rows.pop(row["id"], None)
        label = row["label"] or row["id"]
        if old_row is None:
            changes.append(Change("table", f"{name}, row {label} (new)"))
            continue
        for column, text in row["cells"].items():
            was = old_row["cells"].get(column)
            if was != text:
                where = f"{name}, {label}, {columns.get(column, column)}"
                changes.append(Change("cell", where, was or "", text))
    return changes + [
        Change("table", f"{name}, row {r['label'] or r['id']} (removed)") for r in rows.values()
    ]


def _column_names(columns: dict[str, str]) -> dict[str, str]:
    """The leaf heading, or the whole heading path where leaves repeat ("1990" twice)."""
    leaves = {cid: path.rsplit(" / ", 1)[-1] for cid, path in columns.items()}
    counts = Counter(leaves.values())  # linear: a model's columns are not trusted
    return {cid: leaf if counts[leaf] == 1 else columns[cid] for cid, leaf in leaves.items()}


def _figures(old: list[dict], new: list[dict]) -> list[Change]:
    return _by_id("figure", "Figure", old, new, _values)


def _values(name: str, previous: dict, figure: dict) -> list[Change]:
    changes = []
    for series, values in figure["series"].items():
        for category, value in values.items():
            was = previous["series"].get(series, {}).get(category)
            if was is None or abs(was - value) > 1e-9:
                changes.append(
                    Change("figure", f"{name}, {series}, {category}", _num(was), _num(value))
                )
    return changes


def _num(value) -> str:
    return "" if value is None else f"{value:.4g}"
