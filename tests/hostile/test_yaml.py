"""Hostile YAML content files through reporter.content.yamlsource.load_yaml, in a forked
child each: plain values (text that knows its place, lists, mappings with text keys, finite
numbers of at most 10^15, dates), or one ReportError line naming the file; never another
exception, an abort, more than 1 GiB of memory or more than 10 s."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from reporter.content.yamlsource import load_yaml
from tests.hostile.checks import yaml_problems
from tests.hostile.conftest import HOSTILE
from tests.hostile.isolate import assert_contained, run_isolated
from tests.hostile.yamls import laughs, nested, yaml_files

SHOWN = Path("content/x.yaml")


def load_in_child(folder: Path, data: bytes):
    path = folder / SHOWN
    path.parent.mkdir()
    path.write_bytes(data)
    outcome = run_isolated(lambda: yaml_problems(load_yaml(path, SHOWN)), timeout=10)
    assert_contained(outcome)
    if outcome.kind == "report-error":
        assert outcome.detail.startswith(str(SHOWN)), outcome.detail
    return outcome


@settings(HOSTILE, max_examples=40)
@given(yaml_files())
def test_any_yaml_loads_plain_values_or_is_one_located_error(scratch, data):
    load_in_child(scratch(), data)


NASTIEST = {  # each a test of its own, so that each shows apart when it fails
    "billion laughs": laughs(10, 9).encode(),
    "an alias inside its anchor": b"a: &r [*r]\n",
    "10,000 levels": nested(10_000, "block-map", "x").encode(),
    "a list as a key": b"? [a, b]\n: 1\n",
    "a surrogate escape": b'a: "\\ud800"\n',
    "30 February": b"a: 2020-02-30\n",
    "!!int of nothing": b"a: !!int\n",
    "!!bool of a word": b"a: !!bool x\n",
    "a %TAG to Python": b"%TAG !e! tag:yaml.org,2002:\n--- !e!python/name:os.system x\n",
    "a timestamp out of range": b"a: !!timestamp 2001-12-14t21:59:43.10-99:99\n",
}


@pytest.mark.parametrize("case", NASTIEST)
def test_the_nastiest_yaml_loads_or_is_one_located_error(scratch, case):
    load_in_child(scratch(), NASTIEST[case])


def test_the_child_sees_what_a_yaml_file_holds(scratch):
    good = load_in_child(scratch(), b"a: [1, b, 2020-01-31]\n")
    assert good.kind == "returned" and good.detail == "[]"
    bad = load_in_child(scratch(), b"a: !!python/name:os.system\n")
    assert bad.kind == "report-error" and "is not allowed" in bad.detail
