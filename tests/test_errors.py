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
