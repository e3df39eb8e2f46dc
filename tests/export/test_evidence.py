"""reporter/export/evidence.py: a table attached to the PDF as computed (tables/ID.csv); a cell
with no value is an empty value and its printed mark, and `reporter check FILE.pdf` re-verifies
a PDF that has one."""

from __future__ import annotations

from reporter.cli import main
from reporter.export.readback import attachments
from reporter.pipeline import build
from reporter.project import Project


def test_a_pdf_with_a_cell_with_no_value_carries_it_and_verifies(make_project, tmp_path, capsys):
    root = make_project({"data/values.csv": "name,value\na,1.5\nb,\n"})  # b: no value
    result = build(Project.at(root), out=tmp_path / "out", progress=lambda _: None)
    table = attachments(result.pdf)["tables/first-table.csv"]
    assert table == b"row,label,v,v:printed\na,A,1.5,1.5\ntotal,Total,,..\n"
    assert main(["check", str(result.pdf)]) == 0, capsys.readouterr()
