"""reporter/content/load.py: the content files read into the document — an unknown key named
with a suggestion, a page size that cannot inject CSS, and a content file left out of the
parts warned of."""

from __future__ import annotations

import pytest

from reporter.content.load import load_document
from reporter.errors import ReportError
from reporter.pipeline import load
from reporter.project import Project


def test_unknown_key_suggests(make_project):
    root = make_project()
    path = root / "content/main.yaml"
    path.write_text(path.read_text().replace("title:", "tilte:"))
    with pytest.raises(ReportError) as err:
        load(Project.at(root))
    assert (
        str(err.value)
        == "content/main.yaml:3:1: unknown key 'tilte' in part (did you mean 'title'?)"
    )


def test_page_size_cannot_inject_css(make_project):
    root = make_project()
    path = root / "content/document.yaml"
    path.write_text(path.read_text() + "page_size: 'A4; } body { background: url(http://x) '\n")
    with pytest.raises(ReportError, match="is not a page size"):
        load(Project.at(root))


def test_a_content_file_left_out_of_the_parts_is_a_warning(make_project):
    root = make_project({"content/02-forgotten.yaml": "kind: section\n"})
    assert load_document(root).warnings == [
        "content/02-forgotten.yaml: not a part of the document (list it under parts: in "
        "content/document.yaml, or remove it)"
    ]
