"""Every kind of bad input: one line naming file:line(:col), what is wrong and what to do;
exit 1, no traceback, and the last good PDF and HTML left as they were."""

from __future__ import annotations

import pytest

from reporter.cli import main


def _replace(name, old, new):
    def edit(root):
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new), encoding="utf-8")

    return edit


def _write(name, data: bytes):
    def edit(root):
        (root / name).write_bytes(data)

    return edit


TEMPLATE = "templates/document.html.j2"
TABLE = "content/tables/first-table.yaml"
CASES = {
    "malformed YAML": (_write("content/main.yaml", b"kind: section\ntitle: [oops\n"),
                       "content/main.yaml:3:1: malformed YAML"),
    "YAML not UTF-8": (_write("content/footnotes.yaml", "note: caf\xe9\n".encode("latin-1")),
                       "content/footnotes.yaml:1: not UTF-8"),
    "missing part file": (_replace("content/document.yaml", "main.yaml", "mian.yaml"),
                          "content/mian.yaml: file not found"),
    "unknown key": (_replace("content/main.yaml", "- table: first-table", "- tabel: first-table"),
                    "content/main.yaml:8:5: unknown key 'tabel' in blocks[2] "
                    "(did you mean 'table'?)"),
    "malformed CSV": (_write("data/values.csv", b"name,value\na,1.5\nb,2,25\n"),
                      "data/values.csv:3: more cells than the header's 2"),
    "CSV not UTF-8": (_write("data/values.csv", "name,value\nå,1\n".encode("utf-16")),
                      "data/values.csv:1: not UTF-8"),
    "missing column": (_write("data/values.csv", b"name,amount\na,1.5\nb,2.25\n"),
                       f"{TABLE}:8:5: data/values.csv has no column 'value'"),
    "text in a numeric column": (_write("data/values.csv", b"name,value\na,1.5\nb,lots\n"),
                                 "data/values.csv:3:2: column 'value' has 'lots' where a number"),
    "missing data file": (_replace(TABLE, "data: values", "data: valeus"),
                          "first-table.yaml:2:7: no dataset 'valeus': no data/valeus.csv"),
    "absolute part name": (_replace("content/document.yaml", "[main.yaml]", "[/etc/passwd]"),
                           "content/document.yaml: part '/etc/passwd' leaves its folder"),
    "table id with a path": (_replace("content/main.yaml", "- table: first-table", "- table: ../x"),
                             "content/main.yaml:8:12: table '../x' is not an id"),
    "unknown footnote": (_replace("content/main.yaml", "[^note]", "[^nope]"),
                         "content/main.yaml:5:24: unknown footnote 'nope'"),
    "unknown label": (_replace("content/main.yaml", "[@first-table]", "[@second-table]"),
                      "content/main.yaml:7:30: unknown label 'second-table'"),
    "unknown table": (_replace("content/main.yaml", "- table: first-table", "- table: frist-table"),
                      "content/main.yaml:8:12: unknown table 'frist-table'"),
    "Jinja syntax": (_replace(TEMPLATE, "{{ meta.title }}</h1>", "{{ meta.title }</h1>"),
                     f"{TEMPLATE}:"),
    "Jinja undefined": (_replace(TEMPLATE, "{{ meta.symbol }}</span>", "{{ meta.symbl }}</span>"),
                        f"{TEMPLATE}:"),
}  # fmt: skip


@pytest.fixture
def good(make_project):
    root = make_project()
    assert main(["build", str(root)]) == 0
    return root, (root / "out/X-1-2.pdf").read_bytes(), (root / "out/X-1-2.html").read_bytes()


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input(case, good, capsys):
    root, pdf, html = good
    capsys.readouterr()
    edit, message = CASES[case]
    edit(root)
    assert main(["build", str(root)]) == 1
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and message in errors[0], err
    assert "(" in errors[0]  # every message ends with what to do, in parentheses
    assert "Traceback" not in err
    assert (root / "out/X-1-2.pdf").read_bytes() == pdf
    assert (root / "out/X-1-2.html").read_bytes() == html


def test_interrupted_build_leaves_outputs(good, monkeypatch, capsys):
    root, pdf, html = good
    import reporter.pipeline

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(reporter.pipeline, "export_pdf", interrupt)
    (root / "content/footnotes.yaml").write_text("note: A changed note.\n")
    assert main(["build", str(root)]) == 130
    assert "interrupted: outputs left as they were" in capsys.readouterr().err
    assert (root / "out/X-1-2.pdf").read_bytes() == pdf
    assert (root / "out/X-1-2.html").read_bytes() == html


def test_debug_shows_the_traceback(make_project):
    root = make_project({"content/footnotes.yaml": "nothing: here\n"})
    from reporter.errors import ReportError

    with pytest.raises(ReportError):
        main(["build", str(root), "--debug"])


def test_one_run_reports_every_error(good, capsys):
    root, pdf, _ = good
    main_yaml = root / "content/main.yaml"
    text = main_yaml.read_text()
    text = text.replace("- table: first-table", "- tabel: first-table")  # blocks[2]
    text = text.replace("  - p: First paragraph.", "  - para: First paragraph.")  # blocks[0]
    main_yaml.write_text(text)
    assert main(["build", str(root)]) == 1
    errors = [x for x in capsys.readouterr().err.splitlines() if x.startswith("error: ")]
    assert [e.split(": ", 2)[1] for e in errors] == [
        "content/main.yaml:5:5",
        "content/main.yaml:8:5",
    ]
    assert "unknown key 'para' in blocks[0]" in errors[0]
    assert "unknown key 'tabel' in blocks[2]" in errors[1]
    assert (root / "out/X-1-2.pdf").read_bytes() == pdf


def test_every_unknown_reference_is_reported(make_project, capsys):
    root = make_project()
    path = root / "content/main.yaml"
    text = path.read_text().replace("[@first-table]", "[@one] [@two]").replace("[^note]", "[^nope]")
    path.write_text(text)
    assert main(["build", str(root), "--html-only"]) == 1
    errors = [x for x in capsys.readouterr().err.splitlines() if x.startswith("error: ")]
    assert len(errors) == 3
    assert "unknown footnote 'nope'" in errors[0]
    assert "unknown label 'one'" in errors[1] and "unknown label 'two'" in errors[2]


# Messages are printed safely: a name or a value from the project can neither start a line of
# its own (a CI log reads "::error …" at the start of a line as a command) nor reorder what a
# reader sees (bidi controls), nor print gigabytes.

HOSTILE_NAME = "evil\n::error file=README.md::pwned\u202egnp.yaml"
LEGIBLE = "ألمانيا, 德国, Côte d'Ivoire, Россия, São Tomé, ‹›, “”, …"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x00\x1b[31m\x7f\x85\x9f", "\\x00\\x1b[31m\\x7f\\x85\\x9f"),
        ("\u202egnp.exe", "\\u202egnp.exe"),
        ("\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u061c",
         "\\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069\\u061c"),
        ("line\u2028separator\u2029", "line\\u2028separator\\u2029"),
        (LEGIBLE, LEGIBLE),
    ],
)  # fmt: skip
def test_printable_escapes_control_and_bidi_characters_and_nothing_else(raw, shown):
    from reporter.errors import printable

    assert printable(raw) == shown
    assert printable(shown) == shown  # once is enough


def test_printable_bounds_a_message_and_the_place_and_hint_stay_visible():
    from pathlib import Path

    from reporter.errors import MAX_SHOWN, Location, ReportError, printable

    huge = "x\u202e" * 5_000_000  # 10 million characters
    assert len(printable(huge)) <= MAX_SHOWN and printable(huge).endswith(
        "[10,000,000 characters in all]"
    )
    assert "\\u202e" in printable(huge) and "\u202e" not in printable(huge)
    error = ReportError(huge, Location(Path("data/values.csv"), 3, 2), "write a number")
    line = str(error)
    assert line.startswith("data/values.csv:3:2: x\\u202ex") and line.endswith(" (write a number)")
    assert len(line) < 2 * MAX_SHOWN and "\n" not in line
    assert printable(line, 4 * MAX_SHOWN) == line


def test_a_file_name_with_a_newline_or_a_bidi_control_is_escaped_in_warnings_and_errors(
    make_project, capsys
):
    """The name starts no line of its own ("::error" is a GitHub Actions command at the start
    of a line) and U+202E reverses nothing."""
    root = make_project()
    (root / "content" / HOSTILE_NAME).write_text("kind: section\ntitle: Left out\n")
    assert main(["build", str(root), "--html-only"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "warning: content/evil\\n::error file=README.md::pwned\\u202egnp.yaml: not a part of the"
        " document (list it under parts: in content/document.yaml, or remove it)"
    ]
    document = root / "content/document.yaml"
    document.write_text(
        document.read_text().replace("[main.yaml]", '["a\\n::error::b\\u202e.yaml"]')
    )
    assert main(["build", str(root), "--html-only"]) == 1
    err = capsys.readouterr().err
    assert not any(line.startswith("::") for line in err.splitlines()) and "\u202e" not in err
    assert "error: content/a\\n::error::b\\u202e.yaml: file not found" in err


def test_a_value_of_a_million_characters_is_cut_in_its_message(make_project, capsys):
    """A hostile cell is quoted, not printed whole: the place and what to do stay visible."""
    root = make_project({"data/values.csv": "name,value\na,1.5\nb,2" + "x\u202e" * 500_000 + "\n"})
    assert main(["build", str(root), "--html-only"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: data/values.csv:3:2: column 'value' has '2x\\u202ex")
    assert line.endswith("(write a number, or declare the file's NA markers and thousands "
                         "separator)")  # fmt: skip
    assert len(line) < 3_000  # the data layer quotes 80 characters of it, escaped here
