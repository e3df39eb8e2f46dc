"""reporter/content/model.py: the document model's own values — the HTML id of a part, from
its label, or else from its kind and number, clean of stray hyphens."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.content.model import Part
from reporter.errors import Location

HERE = Location(Path("content/x.yaml"), 1)


@pytest.mark.parametrize(
    ("kind", "number", "label", "html_id"),
    [
        ("summary", "", None, "summary"),
        ("annex", "", None, "annex"),  # a single annex is not numbered
        ("annex", "II", None, "annex-ii"),
        ("section", "IV", None, "section-iv"),
        ("subsection", "II.C", None, "subsection-ii-c"),
        ("section", "IV", "dialogue", "dialogue"),
        ("summary", "", "overview", "overview"),
    ],
)
def test_a_parts_html_id_is_its_label_or_its_kind_and_number(kind, number, label, html_id):
    part = Part(kind, [], [], HERE, label=label, number=number)
    assert part.html_id == html_id
