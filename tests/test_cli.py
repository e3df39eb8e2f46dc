"""The `reporter` command: outputs, exit codes, one-line errors, last good output kept; global
options anywhere, help with examples and exit codes, progress only on a terminal, counts in
words, and the check's summary, errata and unbound numbers as people read them."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reporter.cli import main
from reporter.errors import ReportError

ROOT = Path(__file__).resolve().parent.parent

# a bound figure that holds, and a table whose total row reads a record its parts leave out
# (c), so that the table's own check fails while every figure passes
TABLE_FAILS = {
    "content/main.yaml": """
        kind: section
        label: only
        title: The only section
        blocks:
          - p: The value of a was [1.5]{=first-table.a.v}.[^note]
          - table: first-table
    """,
    "content/tables/first-table.yaml": """
        title: Values
        data: values
        stub: Name
        rows:
          - {id: a, label: A, where: {group: g, name: a}}
          - {id: b, label: B, where: {group: g, name: b}}
          - {id: total, label: Total, where: {group: g}, style: total}
        columns:
          - {id: v, heading: Value, sum: value}
    """,
    "data/values.csv": """
        name,group,value
        a,g,1.5
        b,g,2.25
        c,g,5
    """,
}
# a figure the data do not support, kept as an erratum
ERRATUM = {
    "content/main.yaml": """
        kind: section
        label: only
        title: The only section
        blocks:
          - p: The total was [3.9]{=first-table.total.v}, of which a [1.5]{=first-table.a.v}.[^note]
          - table: first-table
    """,
    "content/errata.yaml": """
        - figure: '3.9'
          quantity: first-table.total.v
          reason: The published text says 3.9; the data give 3.75.
    """,
}


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The command in a process of its own: stderr a pipe, not a terminal."""
    return subprocess.run(
        [sys.executable, "-m", "reporter.cli", *args], capture_output=True, text=True, cwd=cwd
    )


class Terminal(io.StringIO):
    """stderr as a terminal, to see what the build draws there."""

    def isatty(self) -> bool:
        return True


# --- build: outputs, exit codes, errors ------------------------------------------------------


def test_build_writes_html_and_pdf_named_after_the_symbol(make_project, capsys):
    root = make_project()
    assert main(["build", str(root)]) == 0
    assert (root / "out/X-1-2.html").is_file()
    assert (root / "out/X-1-2.pdf").read_bytes().startswith(b"%PDF-")
    captured = capsys.readouterr()
    # was: six progress lines on stderr on every build; stderr is not a terminal here
    assert captured.err == ""
    assert re.fullmatch(r"wrote .*X-1-2\.html, .*X-1-2\.pdf, 1 page in [\d.]+ s.*\n", captured.out)


def test_failed_build_keeps_last_good_output(make_project, capsys):
    root = make_project()
    assert main(["build", str(root)]) == 0
    good_pdf = (root / "out/X-1-2.pdf").read_bytes()
    good_html = (root / "out/X-1-2.html").read_bytes()
    (root / "content/main.yaml").write_text("kind: section\ntitle: [unclosed\n")
    assert main(["build", str(root)]) == 1
    err = capsys.readouterr().err
    assert "error: content/main.yaml:3:1: malformed YAML" in err
    assert "Traceback" not in err
    assert (root / "out/X-1-2.pdf").read_bytes() == good_pdf
    assert (root / "out/X-1-2.html").read_bytes() == good_html
    assert not list((root / "out").glob(".*.tmp"))


def test_template_error_names_template_line(make_project, capsys):
    root = make_project()
    template = root / "templates/document.html.j2"
    template.write_text(
        template.read_text().replace("{{ meta.symbol }}</span>", "{{ meta.symbl }}</span>")
    )
    assert main(["build", str(root), "--html-only"]) == 1
    err = capsys.readouterr().err
    assert "templates/document.html.j2:" in err and "symbl" in err


def test_not_a_project_is_a_usage_error(tmp_path, capsys):
    assert main(["build", str(tmp_path)]) == 2
    assert "not a report project" in capsys.readouterr().err


def test_bad_option_is_a_usage_error():
    result = run("build", "--no-such-option")
    assert result.returncode == 2
    # one line, naming the command whose --help tells the options
    assert result.stderr == (
        "reporter build: error: unrecognized arguments: --no-such-option "
        "(see 'reporter build --help')\n"
    )


def test_non_utf8_content_is_reported(make_project, capsys):
    root = make_project()
    (root / "content/footnotes.yaml").write_bytes("note: caf\xe9\n".encode("latin-1"))
    assert main(["build", str(root), "--html-only"]) == 1
    assert "content/footnotes.yaml:1: not UTF-8 (byte 0xe9)" in capsys.readouterr().err


def test_a_failing_build_names_every_failing_check_and_a_draft_says_so(make_project, capsys):
    root = make_project(
        {
            **TABLE_FAILS,
            "content/main.yaml": TABLE_FAILS["content/main.yaml"].replace("[1.5]", "[2.5]"),
        }
    )
    assert main(["build", str(root), "--html-only"]) == 1
    errors = [x for x in capsys.readouterr().err.splitlines() if x.startswith("error: ")]
    assert len(errors) == 2  # the figure, and the table's total
    assert "“2.5” does not match" in errors[0]
    assert "Table 1, Value, Total: parts 1.5 + 2.3 = 3.8, printed 8.8" in errors[1]
    assert main(["build", str(root), "--html-only", "--draft"]) == 0
    err = capsys.readouterr().err
    assert (
        "warning: draft: 1 bound: 0 passed, 1 failed, 0 errata; 0 declared; 0 unbound; "
        "table checks: 1 failed, 0 notes ('reporter check' lists the failures)"
    ) in err


# --- usage: version, help, global options ----------------------------------------------------


def test_version_and_no_command(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0
    assert re.fullmatch(r"reporter \d+\.\d+\.\d+\n", capsys.readouterr().out)
    assert main([]) == 2  # the help, on stderr: a command is missing
    assert "usage: reporter" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--no-such"], "reporter: error: unrecognized arguments: --no-such"),
        (["biuld"], "reporter: error: argument COMMAND: invalid choice: 'biuld'"),
        (["check", "--format", "xml"], "reporter check: error: argument --format"),
        (["-q", "check", "-v"], "reporter check: error: -q/--quiet and -v/--verbose exclude"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as exit:
        main(args)
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_top_level_help_describes_the_tool_its_commands_and_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "Thin" not in out  # a note for developers, not users
    description = out.split("\n\n")[1]
    assert "\n" not in description and "HTML and PDF" in description
    for command in ("build", "check", "diff", "watch", "new"):
        assert re.search(rf"^  {command}  +\w", out, re.M), command
    for code in ("0", "1", "2", "130"):
        assert re.search(rf"^  {code} +\w", out.split("exit codes:")[1], re.M), code


@pytest.mark.parametrize("command", ["build", "check", "new", "diff", "watch"])
def test_each_command_has_a_description_examples_and_exit_codes(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    description = out.split("\n\n")[1]
    assert "\n" not in description and description.endswith(".")
    examples = out.split("examples:\n")[1].split("\n\n")[0].splitlines()
    assert examples and all(e.startswith(f"  reporter {command}") for e in examples)
    assert re.search(r"exit codes:\n  0 +\w.*\n  [12] +\w", out)


def test_check_format_help_names_every_format_and_the_default(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    help_text = out.split("--format FORMAT ")[1].split(" --unbound")[0]
    for fmt in ("text (default):", "json:", "junit:", "github:", "markdown:"):
        assert fmt in help_text


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_go_before_or_after_the_command(where, make_project, capsys):
    root = make_project(ERRATUM)

    def call(option: str, *args: str) -> int:
        argv = [option, *args] if where == "before" else [*args, option]
        return main(argv)

    assert call("-v", "check", str(root)) == 0  # check -v: passing figures too
    assert "ok   content/main.yaml" in capsys.readouterr().out
    assert call("-q", "build", str(root), "--html-only") == 0
    assert capsys.readouterr() == ("", "")  # no "wrote …", no notes
    assert call("--verbose", "build", str(root), "--html-only") == 0
    captured = capsys.readouterr()  # build -v: each stage, and the cache
    assert "  Reading content" in captured.err and "  cache: " in captured.out
    (root / "content/main.yaml").write_text("kind: section\ntitle: [unclosed\n")
    with pytest.raises(ReportError):  # --debug: the exception itself, for a traceback
        call("--debug", "build", str(root))


# --- build: progress, counts, notes ------------------------------------------------------------


def test_progress_is_a_bar_on_a_terminal_cleared_at_the_end(make_project, monkeypatch, capsys):
    root = make_project()
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["build", str(root)]) == 0
    drawn = terminal.getvalue()
    frames = [f for f in drawn.split("\r") if f.strip()]
    assert frames[0].startswith("Reading content") and "0/6" in frames[0]
    assert frames[-1].startswith("Writing PDF") and "5/6" in frames[-1]
    assert drawn.endswith("\r") and drawn.split("\r")[-2].strip() == ""  # cleared
    assert "\n" not in drawn  # nothing left behind but the "wrote" line on stdout
    assert "1 page in" in capsys.readouterr().out


def test_no_progress_with_quiet_even_on_a_terminal(make_project, monkeypatch, capsys):
    root = make_project()
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert main(["build", str(root), "--html-only", "-q"]) == 0
    assert sys.stderr.getvalue() == ""
    assert capsys.readouterr().out == ""


def test_without_a_terminal_tqdm_is_not_even_imported(make_project):
    root = make_project()
    script = (
        "import sys; from reporter.cli import main; "
        f"code = main(['build', {str(root)!r}, '--html-only']); "
        "print('tqdm' in sys.modules); sys.exit(code)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "False"
    assert result.stderr == ""


def test_build_prints_the_errata_as_check_does(make_project, capsys):
    root = make_project(ERRATUM)
    assert main(["check", str(root)]) == 0
    out = capsys.readouterr().out
    listed = out.split("kept deliberately):\n  ")[1].splitlines()[0]
    assert listed.endswith("erratum: The published text says 3.9; the data give 3.75.")
    assert "0 failed, 1 erratum;" in out  # was "1 errata"
    assert main(["build", str(root), "--html-only"]) == 0
    assert f"note: {listed}\n" in capsys.readouterr().err
    assert main(["build", str(root), "--html-only", "-q"]) == 0
    assert capsys.readouterr().err == ""


# --- check: summary, table failures, unbound numbers ----------------------------------------


def test_the_summary_counts_figures_and_table_checks_apart(make_project, capsys):
    root = make_project(TABLE_FAILS)
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr().out
    # the figure holds: the failure is the table's, and it is not counted as a figure
    assert out.splitlines()[-1] == (
        "1 bound: 1 passed, 0 failed, 0 errata; 0 declared; 0 unbound; "
        "table checks: 1 failed, 0 notes"
    )
    assert main(["check", str(root), "--format", "json"]) == 1
    summary = __import__("json").loads(capsys.readouterr().out)["summary"]
    assert (summary["failed"], summary["table_checks_failed"]) == (0, 1)


def test_the_flagship_against_2017_bound_figures_add_up(capsys):
    code = main(["check", str(ROOT), "--data", str(ROOT / "data/desa-rev2017")])
    last = capsys.readouterr().out.splitlines()[-1]
    found = re.fullmatch(
        r"(\d+) bound: (\d+) passed, (\d+) failed, (\d+) errat(?:um|a); .*"
        r"table checks: (\d+) failed, \d+ notes?",
        last,
    )
    assert code == 1 and found, last
    bound, passed, failed, errata, tables = map(int, found.groups())
    assert bound == passed + failed + errata and failed and tables


def test_a_failing_table_says_its_label_once(make_project, capsys):
    root = make_project(TABLE_FAILS)
    assert main(["check", str(root)]) == 1
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("FAIL"))
    assert line.startswith("FAIL content/tables/first-table.yaml:1:1: Table 1, Value, Total: ")
    assert line.count("Table 1") == 1
    assert main(["check", str(root), "--format", "markdown"]) == 1
    listed = capsys.readouterr().out.split("## Other failures\n\n")[1].splitlines()[0]
    assert listed.startswith("- content/tables/first-table.yaml:1:1: Table 1, Value, Total: ")


@pytest.mark.parametrize(
    ("fmt", "said"),
    [
        ("text", "unbound numbers: none (every number is bound to the data or declared)"),
        ("markdown", "## Unbound numbers\n\nNone (every number is bound to the data or declared)."),
    ],
)
def test_no_unbound_number_is_said_not_an_empty_header(fmt, said, make_project, capsys):
    root = make_project(ERRATUM)
    assert main(["check", str(root), "--unbound", "--format", fmt]) == 0
    assert said in capsys.readouterr().out


def test_quiet_check_prints_the_failures_alone(make_project, capsys):
    root = make_project(TABLE_FAILS)
    assert main(["check", "-q", str(root)]) == 1
    assert [x[:5] for x in capsys.readouterr().out.splitlines()] == ["FAIL "]
    passing = make_project(ERRATUM)
    assert main(["check", "-q", str(passing)]) == 0
    assert capsys.readouterr().out == ""


# --- the command's code and its documentation ------------------------------------------------


def test_new_counts_in_words(tmp_path, capsys):
    assert main(["new", str(tmp_path / "r"), "-v"]) == 0
    out = capsys.readouterr().out
    count = int(re.search(r"\((\d+) files\)", out)[1])
    assert len([x for x in out.splitlines() if x.startswith("  ")]) == count


def test_the_readme_documents_every_option_and_the_exit_codes():
    from reporter.cli import _parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = _parser()
    commands = next(a for a in parser._actions if a.dest == "==SUPPRESS==" and a.choices)
    for name, command in [("reporter", parser), *commands.choices.items()]:
        for action in command._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert f"{option}" in readme, (name, option)
    for needed in ("--quiet", "--verbose", "--debug", "130", "143", "Chromium"):
        assert needed in readme


@pytest.mark.parametrize("command", ["check", "diff"])
def test_a_file_system_error_in_check_or_diff_is_exit_2_not_fails_or_differs(
    command, tmp_path, monkeypatch, capsys
):
    """For check and diff, 1 means "a figure fails" / "the documents differ": a file that
    cannot be read is 2, as a ReportError is."""
    import errno

    from reporter.diff import run as diff_run
    from reporter.verify import run as verify_run

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "a.pdf"))

    monkeypatch.setattr(verify_run, "verify_pdf", refused)
    monkeypatch.setattr(diff_run, "diff_pdfs", refused)
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes(b"%PDF-1.7\n")
    paths = [str(tmp_path / "a.pdf")] + ([str(tmp_path / "b.pdf")] if command == "diff" else [])
    assert main([command, *paths]) == 2
    assert capsys.readouterr().err.startswith("error: ")
