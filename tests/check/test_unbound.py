"""reporter/check/unbound.py: numbers and ranks in the prose bound to nothing — listed by
--unbound wherever they stand (paragraphs, footnotes), and failing a strict check — while
years, dates, times and symbols are not numbers to bind."""

from __future__ import annotations

from reporter.cli import main
from tests.stock import check, stock_project


def test_unbound_numbers_are_listed(checked, capsys):
    path = checked / "content/main.yaml"
    path.write_text(
        path.read_text().replace(
            "The total was", "In 2012, 17 experts said on 3 May at 10 a.m. (A/67/150) the total was"
        )
    )
    assert main(["check", str(checked), "--unbound"]) == 0
    out = capsys.readouterr().out
    listed = [x.rsplit(": ", 1)[1] for x in out.splitlines() if x.startswith("  content/")]
    assert listed == ["17"]


def test_unbound_lists_ranks_and_numbers_in_every_place(make_project, capsys):
    text = "Ruritania hosts the sixth largest number of migrants, and [@first-table] shows 12."
    root = stock_project(make_project, text)
    footnotes = root / "content/footnotes.yaml"
    footnotes.write_text("note: Counted in 3 rounds.\n")
    part = root / "content/main.yaml"
    part.write_text(part.read_text().replace("shows 12.", "shows 12.[^note]"))
    code, out = check(root, capsys, "--unbound")
    assert code == 0  # not strict: listed only
    listed = out.split("unbound numbers", 1)[1]
    assert "para. 1: sixth largest" in listed and "para. 1: 12" in listed
    assert "footnote 1: 3" in listed
    code, out = check(root, capsys, "--strict")
    assert code == 1
    assert "“sixth largest”: neither bound to the data nor declared" in out


def test_years_are_not_quantities_even_with_no_space_around_them():
    """Chinese writes 2017年 (no space, so no word boundary): still a year; 12017 and 2017.5
    are not years, nor is 2017%."""
    from reporter.check.unbound import NOT_QUANTITIES

    def years(text: str) -> list[str]:
        return [m.group() for m in NOT_QUANTITIES.finditer(text)]

    assert years("2017年修订本，1990–2017年") == ["2017", "1990–2017"]
    assert years("In 2017, and 1990-1999.") == ["2017", "1990-1999"]
    assert years("12017 and 2017.5 and 2017%") == []
