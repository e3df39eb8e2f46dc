"""Hostile content that is valid YAML: a project (tests/roots/basic) whose part, table spec,
quantities and footnotes are replaced by generated structures — the keys reporter reads,
holding values of every wrong type and size, markup bombs, references to nothing — and
checked by reporter.pipeline.check_project (load, schema, inline markup, numbering, tables,
quantities, the figure check) in a forked child each: a report or one ReportError line,
never another exception, an abort (the schema is validated in Rust), more than 1 GiB of
memory or more than 30 s."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.pipeline import check_project
from reporter.project import Project
from tests.conftest import copy_root
from tests.hostile.conftest import HOSTILE
from tests.hostile.isolate import assert_contained, run_isolated

PART_KEYS = ["kind", "label", "title", "blocks", "p", "text", "heading", "table", "figure",
             "schedule", "items", "time", "subsections", "when", "x"]  # fmt: skip
TABLE_KEYS = ["title", "data", "stub", "rows", "columns", "id", "label", "where", "sum",
              "formula", "text", "style", "format", "decimals", "scale", "unit", "sort", "top",
              "each", "group_by", "rank", "notes", "footnotes", "other", "na", "total"]  # fmt: skip
QUANTITY_KEYS = ["sum", "count", "distinct", "min", "max", "mean", "share", "rank", "formula",
                 "where", "of", "among", "sort", "unit", "missing"]  # fmt: skip
TEXTS = ["", "a", "hosts", "hosts.total.stock", "europe", "section", "annex", "summary",
         "[^desa]" * 3, "[^nope]", "[@nope]", "[#nope]", "[1]{=nope}", "[1]{=hosts.x.y}",
         "[47.9 million]{=hosts.total.stock}", "*" * 500, "[" * 3_000, "{=" * 2_000,
         "[^desa]" * 10_001, "x" * 1_000_000, "{{country}}", "\u202e", "1e400",
         "100 * stock / stock[total]", "stock ** stock ** stock ** 99", "migrants_2019",
         "../../etc/passwd", "-migrants_2019", "region", "Europe"]  # fmt: skip
NUMBERS = [0, -1, 1, 10**15, 10**16, 1e300, 2**63, 0.5]


def values(keys: list[str]):
    leaf = st.sampled_from(TEXTS) | st.sampled_from(NUMBERS) | st.booleans() | st.none()
    return st.recursive(
        leaf,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(keys), inner, max_size=5)
        ),
        max_leaves=14,
    )


ROOT = Path(__file__).resolve().parents[1] / "roots/basic/content"


def original(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text())


FORMULAS = ["100 * stock / stock[total]", "stock / 0", "stock ** stock ** 99", "stock[nope]",
            "(" * 500 + "stock" + ")" * 500, "+".join(["stock"] * 5_000), "1e400", "q",
            ""]  # fmt: skip


@st.composite
def projects(draw) -> dict[str, object]:
    """{file: the YAML structure written there}: the basic root's content, each file kept as
    it is or changed in one to three places — a text made a markup bomb, a block or a row
    repeated thousands of times, a formula, a number or a quantity made hostile, or any key
    given any value — so that most examples go past the schema into the pipeline."""
    part, table = original("01-trends.yaml"), original("tables/hosts.yaml")
    notes, quantities = original("footnotes.yaml"), {}
    for _ in range(draw(st.integers(1, 3))):
        change = draw(st.sampled_from(["text", "text", "title", "blocks", "rows", "formula",
                                       "number", "quantity", "note", "any"]))  # fmt: skip
        text = draw(st.sampled_from(TEXTS))
        if change == "text":
            part["blocks"][draw(st.integers(0, 1))]["p"] = text
        elif change == "title":
            (part if draw(st.booleans()) else table)["title"] = text
        elif change == "blocks":
            block = {"p": draw(st.sampled_from(TEXTS[:12]))}
            part["blocks"] += [block] * draw(st.sampled_from([10, 500]))
        elif change == "rows":
            row = {"label": "R", "where": {"region": draw(st.sampled_from(["Europe", text]))}}
            count = draw(st.sampled_from([10, 500]))
            table["rows"][:0] = [dict(row, id=f"r{i}") for i in range(count)]
        elif change == "formula":
            table["columns"][1]["formula"] = draw(st.sampled_from(FORMULAS))
        elif change == "number":
            key = draw(st.sampled_from(["decimals", "scale"]))
            table["columns"][0][key] = draw(st.sampled_from(NUMBERS))
        elif change == "quantity":
            kind = draw(st.sampled_from(["formula", "sum", "share", "rank", "mean"]))
            targets = ["hosts.migrants_2019", "hosts", "nope.x", text]
            target = draw(st.sampled_from(FORMULAS if kind == "formula" else targets))
            quantities["q"] = {kind: target}
            if kind != "formula":
                quantities["q"]["where"] = {"region": text}
            part["blocks"][0]["p"] = "It was [47.9 million]{=q}."
        elif change == "note":
            notes[draw(st.sampled_from(["desa", "oecd"]))] = text
        else:
            where = draw(st.sampled_from([part, table, table["columns"][0], part["blocks"][0]]))
            keys = PART_KEYS if where is part else TABLE_KEYS
            where[draw(st.sampled_from(keys))] = draw(values(keys))
    files = {"content/01-trends.yaml": part, "content/tables/hosts.yaml": table,
             "content/footnotes.yaml": notes}  # fmt: skip
    if quantities:
        files["content/quantities.yaml"] = quantities
    return files


def part(paragraph: str) -> dict:
    return {"kind": "section", "label": "trends", "title": "T", "blocks": [{"p": paragraph}]}


@pytest.fixture(scope="module")
def basic(tmp_path_factory) -> Path:
    return copy_root("basic", tmp_path_factory.mktemp("content") / "basic").root


def check_in_child(base: Path, folder: Path, files: dict[str, object]):
    root = folder / "basic"
    shutil.copytree(base, root)
    for name, value in files.items():
        (root / name).write_text(yaml.safe_dump(value, allow_unicode=True, width=10**9))

    def call():
        _, report = check_project(Project.at(root))
        return {"problems": [], "failed": len(report.failed)}

    outcome = run_isolated(call, timeout=30)
    assert_contained(outcome)
    return outcome


@settings(HOSTILE, max_examples=15)
@given(projects())
def test_any_content_is_checked_or_is_one_located_error(scratch, basic, files):
    check_in_child(basic, scratch(), files)


NASTIEST = {  # each a test of its own, so that each shows apart when it fails
    "10,001 footnote calls": {"content/01-trends.yaml": part("[^desa]" * 10_001)},
    "a paragraph of 1 MB": {"content/01-trends.yaml": part("x" * 1_000_000)},
    "1,000 bound figures": {"content/01-trends.yaml": part("[47.9]{=hosts.total.stock} " * 1_000)},
    "5,000 rows of one id": {
        "content/tables/hosts.yaml": {"title": "H", "data": "hosts", "rows": [{"id": "a"}] * 5000,
                                      "columns": [{"id": "v", "sum": "migrants_2019"}]}
    },
    "a quantity defined by itself": {"content/quantities.yaml": {"q": {"formula": "q"}}},
}  # fmt: skip


@pytest.mark.parametrize("case", NASTIEST)
def test_the_nastiest_content_is_checked_or_is_one_located_error(scratch, basic, case):
    check_in_child(basic, scratch(), NASTIEST[case])


def test_the_content_harness_checks_the_project(scratch, basic):
    outcome = check_in_child(basic, scratch(), {})
    assert outcome.kind == "returned" and '"failed": 0' in outcome.detail
