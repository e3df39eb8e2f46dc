"""A matrix of migrants by destination and origin as published, wide, with ".." for no value
(WIDE); the SQL dataset that unpivots it into one record per corridor (LONG); and a project
of a data folder holding them (data_project): shared by the tests of data/ and the manifest."""

from __future__ import annotations

import textwrap
from pathlib import Path

WIDE = """\
Year,Destination,Total,Alpha,Beta
1990,Alpha,30,..,30
1990,Beta,15,10,..
2000,Alpha,45,..,40
2000,Beta,20,12,..
"""


LONG = """
    matrix:
      file: wide.csv
      na: ".."
    long:
      sql: |
        unpivot matrix on columns(* exclude (Year, Destination, Total))
        into name origin value persons
"""


def data_project(tmp_path: Path, datasets: str, files: dict[str, str] | None = None) -> Path:
    """tmp_path with data/wide.csv (WIDE), data/datasets.yaml (`datasets`) and `files` in data/."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "wide.csv").write_text(WIDE)
    for name, text in (files or {}).items():
        (data / name).write_text(text)
    (data / "datasets.yaml").write_text(textwrap.dedent(datasets).lstrip())
    return tmp_path
