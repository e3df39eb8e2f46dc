"""reporter/check/figures.py: a figure parsed as written — its qualifier, value, decimals and
scale — and text that is no figure refused."""

from __future__ import annotations

import pytest

from reporter.check.figures import NotAFigure, parse_figure


@pytest.mark.parametrize("text", ["the North", "46 million people", "1990-2010 period"])
def test_not_figures(text):
    with pytest.raises(NotAFigure):
        parse_figure(text)


def test_figure_as_written():
    stated = parse_figure("approximately 4.8 million")
    assert (stated.qualifier, stated.value, stated.decimals, stated.scale) == ("about", 4.8, 1, 1e6)
