"""Synthetic reports N times the flagship: every section, table, chart, footnote and quantity
repeated N times under new ids, each copy's data varied (values scaled by 1 + k/100).

    python benchmarks/synthetic.py N TARGET
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ["01-introduction.yaml", "02-recent-developments.yaml", "03-coherence-partnerships.yaml",
            "04-high-level-dialogue.yaml", "05-conclusions.yaml"]  # fmt: skip


def make(times: int, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, target / name)  # links resolved: none may lead out
    (target / "data").mkdir()
    for csv_file in (ROOT / "data").glob("*.csv"):
        shutil.copy(csv_file, target / "data" / csv_file.name)
    content = target / "content"
    ids = _identifiers(content)
    quantities = yaml.safe_load((content / "quantities.yaml").read_text())
    footnotes = (content / "footnotes.yaml").read_text()
    parts = ["summary.yaml", *SECTIONS]
    for k in range(2, times + 1):
        rename = {old: f"{old}-{k}" for old in ids["ids"]} | {q: f"{q}_{k}" for q in quantities}
        for section in SECTIONS:
            text = _rename(((ROOT / "content" / section).read_text()), rename)
            (content / f"{k:02d}-{section}").write_text(text)
            parts.append(f"{k:02d}-{section}")
        for kind in ("tables", "charts"):
            for spec in (ROOT / "content" / kind).glob("*.yaml"):
                text = _rename(spec.read_text(), rename)
                text = re.sub(r"^data: (\S+)", rf"data: \1-{k}", text, flags=re.M)
                (content / kind / f"{spec.stem}-{k}.yaml").write_text(text)
        for data in (ROOT / "data").glob("*.csv"):
            (target / "data" / f"{data.stem}-{k}.csv").write_text(_varied(data.read_text(), k))
        footnotes += "".join(
            f"{key}-{k}: {json.dumps(value, ensure_ascii=False)}\n"  # JSON strings are YAML
            for key, value in yaml.safe_load((ROOT / "content/footnotes.yaml").read_text()).items()
        )
        extra = {}
        for name, body in quantities.items():
            body = dict(body)
            for key in ("formula", "count", "distinct"):
                if key in body:
                    value = _rename(body[key], rename)
                    body[key] = re.sub(r"^(a67254_\w+)", rf"\1-{k}", value)
            extra[rename[name]] = body
        (content / "quantities.yaml").write_text(
            (content / "quantities.yaml").read_text() + yaml.safe_dump(extra, allow_unicode=True)
        )
    (content / "footnotes.yaml").write_text(footnotes)
    document = yaml.safe_load((content / "document.yaml").read_text())
    document["parts"] = parts + ["annex.yaml"]
    (content / "document.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    )
    return target


def _identifiers(content: Path) -> dict[str, set[str]]:
    ids = set(yaml.safe_load((content / "footnotes.yaml").read_text()))
    ids |= {p.stem for p in (content / "tables").glob("*.yaml")}
    ids |= {p.stem for p in (content / "charts").glob("*.yaml")}
    for section in SECTIONS:
        ids |= set(re.findall(r"label: (\S+)", (content / section).read_text()))
    return {"ids": ids}


def _rename(text: str, rename: dict[str, str]) -> str:
    """Ids in markup and in block keys only, never in prose."""

    def swap(match: re.Match) -> str:
        return match[1] + rename.get(match[2], match[2])

    ident = r"([A-Za-z][\w-]*?)"
    for pattern in (rf"(\[\^){ident}(?=\])", rf"(\[[@#]){ident}(?=[\]\.])", rf"(\.\.){ident}(?=\])",
                    rf"(=){ident}(?=[\s}}.])", rf"(src=){ident}(?=}})",
                    rf"((?:table|figure|label): ){ident}(?=\s*$)"):  # fmt: skip
        text = re.sub(pattern, swap, text, flags=re.M)
    return text


def _varied(text: str, k: int) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        writer.writerow([_scale(cell, k) for cell in row])
    return out.getvalue()


def _scale(cell: str, k: int) -> str:
    if cell.isdigit() and not (1900 <= int(cell) <= 2100):  # years stay years
        return str(round(int(cell) * (1 + k / 100)))
    return cell


if __name__ == "__main__":
    make(int(sys.argv[1]), Path(sys.argv[2]))
