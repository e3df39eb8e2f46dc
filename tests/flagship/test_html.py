"""The flagship's HTML: every element id is unique and clean (no empty part, no stray hyphen),
and every link inside the document leads to one of them."""

from __future__ import annotations

import re

import pytest


@pytest.fixture(scope="module")
def html(built) -> str:
    return built.html.read_text(encoding="utf-8")


def test_ids_are_unique_and_clean(html):
    ids = re.findall(r'\sid="([^"]*)"', html)
    assert ids and len(ids) == len(set(ids))
    assert [i for i in ids if not i or i[0] == "-" or i[-1] == "-" or "--" in i] == []
    assert "summary" in ids  # the summary has no label: its id is its kind


def test_every_link_inside_the_document_resolves(html):
    ids = set(re.findall(r'\sid="([^"]*)"', html))
    targets = set(re.findall(r'href="#([^"]*)"', html))
    assert targets and targets - ids == set()
