"""Check results for people (text, markdown) and for CI (json, junit, github annotations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree as ET

from reporter.check.run import CheckReport, Finding
from reporter.errors import MAX_LINE, UNPRINTABLE_BEYOND_ASCII, UsageError, printable
from reporter.text import fill, plural

FORMATS = ("text", "json", "junit", "github", "markdown")


class Counts(NamedTuple):
    """What the summary counts: the bound figures add up (passed + failed + errata), and the
    checks that are not a figure are counted apart."""

    passed: int
    failed: int  # figures
    errata: int
    declared: int
    unbound: int
    unbound_failed: int  # the project being strict
    stale_errata: int  # errata that no longer apply
    table_checks_failed: int  # the tables' own checks (totals, ratios)
    languages_failed: int  # runs of text that part from the first language's edition
    evidence_failed: int  # a published PDF: what differs from the evidence it carries
    table_notes: int


def counts(report: CheckReport) -> Counts:
    """Failures that are not a figure are counted by their kind: a stale erratum, a number a
    strict project leaves unbound, a table's own check."""
    others = [f for f in report.failed if not f.is_figure]
    strict = sum(f.kind == "unbound" for f in others)
    stale = sum(f.kind == "erratum" for f in others)
    return Counts(
        passed=report.count("pass"),
        failed=len(report.failed) - len(others),
        errata=report.count("errata"),
        declared=report.count("declared"),
        unbound=len(report.unbound),
        unbound_failed=strict,
        stale_errata=stale,
        table_checks_failed=sum(f.kind == "table" for f in others),
        languages_failed=sum(f.kind == "language" for f in others),
        evidence_failed=sum(f.kind == "evidence" for f in others),
        table_notes=len(report.notes),
    )


def summary(report: CheckReport) -> str:
    """33 bound: 14 passed, 18 failed, 1 erratum; 71 declared; 0 unbound; table checks: 14
    failed, 2 notes."""
    n = counts(report)
    line = (
        f"{report.bound} bound: {n.passed} passed, {n.failed} failed, "
        f"{plural(n.errata, 'erratum', 'errata')}; {n.declared} declared; {n.unbound} unbound"
    )
    if n.unbound_failed:
        line += f" ({n.unbound_failed} failing: the project is strict)"
    if n.stale_errata:
        line += f"; {plural(n.stale_errata, 'stale erratum', 'stale errata')}"
    if n.languages_failed:
        line += f"; {plural(n.languages_failed, 'difference')} from the first language"
    if n.evidence_failed:
        line += f"; {plural(n.evidence_failed, 'difference')} from the evidence the PDF carries"
    return f"{line}; table checks: {n.table_checks_failed} failed, {plural(n.table_notes, 'note')}"


def _value(f: Finding) -> str:
    return "" if f.value is None else shown_number(f.value)


def shown_number(value: float) -> str:
    """4 significant digits, never in exponent form: 45.72, 0.3175, 155,204."""
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"


LINE_FORMS = {  # a figure's line, by its status
    "pass": "{head} = {computed} ({rule})",
    "fail": "{head} does not match {computed} (rule: {rule})",
    "errata": "{head} vs {computed} (rule: {rule}); erratum: {message}",
    "declared": "{head} declared, {rule}",
}


def _line(f: Finding) -> str:
    """file:line:col: what the finding says, printable() (every format prints it)."""
    return printable(f"{f.where}: {finding_text(f)}", MAX_LINE)


def _shown(text: object) -> str:
    """Text from the project (a note, a name, an error) printable(), line by line."""
    return "\n".join(printable(line, MAX_LINE) for line in str(text).split("\n"))


def finding_text(f: Finding) -> str:
    """What a finding says, without its location: the build's errors and every format's
    lines use it, so a failure reads the same wherever it is shown."""
    if f.kind == "language":  # a run of text, not one figure
        return f"{f.place}: {f.message}"
    if f.status == "fail" and f.message:
        # a table's check names its table and cell itself
        return (
            f.message
            if not f.is_figure and f.message.startswith(f.text)
            else (f"{f.place}: “{f.text}”: {f.message}")
        )
    head = f"{f.place}: “{f.text}”"
    computed = f"{f.quantity} = {_value(f)}"
    return fill(LINE_FORMS, f.status, head=head, computed=computed, rule=f.rule, message=f.message)


def errata_lines(report: CheckReport) -> list[str]:
    """One line per published figure kept as an erratum: `reporter check` lists them under
    a heading, `reporter build` prints them as notes, in the same words."""
    return [_line(f) for f in report.findings if f.status == "errata"]


def as_text(
    report: CheckReport, verbose: bool = False, unbound: bool = False, quiet: bool = False
) -> str:
    """Failures, errata, table notes, (verbose) passing figures, (unbound) unbound numbers
    and the summary; `quiet`: the failures alone."""
    out = [f"FAIL {_line(f)}" for f in report.failed]
    if quiet:
        return "".join(line + "\n" for line in out)
    errata = errata_lines(report)
    if errata:
        out.append("errata (published figures the data do not support, kept deliberately):")
        out += [f"  {line}" for line in errata]
    if report.notes:
        out.append("table notes (printed values, rounding):")
        out += [f"  {_shown(n)}" for n in report.notes]
    if verbose:
        out += [f"ok   {_line(f)}" for f in report.findings if f.status in ("pass", "declared")]
    if unbound and report.unbound:
        out.append("unbound numbers (bind them, or declare their source):")
        out += [f"  {_shown(f'{w}: {p}: {n}')}" for w, p, n in report.unbound]
    elif unbound:
        out.append(f"unbound numbers: none {ALL_BOUND}")
    out.append(summary(report))
    return "\n".join(out) + "\n"


ALL_BOUND = "(every number is bound to the data or declared)"


def as_json(report: CheckReport, root: Path | None = None) -> str:
    """Every figure, for programs; paths relative to `root` when given (the PDF's copy)."""

    def path(where) -> str:
        if root is not None and where.path.is_absolute() and where.path.is_relative_to(root):
            return where.path.relative_to(root).as_posix()
        return str(where.path)

    data = {
        "summary": {"bound": report.bound, **counts(report)._asdict()},
        "figures": [
            {
                "status": f.status,
                "figure": f.text,
                "file": path(f.where),
                "line": f.where.line,
                "column": f.where.column,
                "place": f.place,
                "quantity": f.quantity or None,
                "value": f.value,
                "rule": f.rule,
                "message": f.message,
            }
            for f in report.findings
        ],
        "table_notes": report.notes,
        "unbound": [
            {"file": path(w), "line": w.line, "column": w.column, "place": p, "number": n}
            for w, p, n in report.unbound
        ],
    }
    return _json(data)


def _json(data: object) -> str:
    """JSON with the text as it is but for the bidi controls and line separators, written
    as \\u escapes (json escapes the other controls): the same data for a program, nothing
    reordered for a reader."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return UNPRINTABLE_BEYOND_ASCII.sub(lambda m: f"\\u{ord(m[0]):04x}", text) + "\n"


def as_junit(report: CheckReport) -> str:
    return junit_suites({"reporter check": report})


def junit_suites(reports: dict[str, CheckReport | str]) -> str:
    """JUnit XML with one test suite per report (an edition each), one test case per figure;
    a report that could not be made (its error, a string) is a suite with one error."""
    suites = ET.Element("testsuites")
    for name, report in reports.items():
        if isinstance(report, str):
            suite = ET.SubElement(suites, "testsuite", name=name, tests="1", failures="0",
                                  errors="1", skipped="0")  # fmt: skip
            case = ET.SubElement(suite, "testcase", classname=name, name="the edition is read")
            ET.SubElement(case, "error", message=_shown(report)).text = _shown(report)
        else:
            suites.append(_junit_suite(name, report))
    head, _, body = ET.tostring(suites, encoding="unicode", xml_declaration=True).partition("\n")
    # the body on one line: a newline in a text (an edition's errors, one a line) as a
    # character reference, so that no line of it starts a workflow command in a CI log
    return f"{head}\n{body.replace(chr(10), '&#10;')}\n"


def _junit_suite(name: str, report: CheckReport) -> ET.Element:
    suite = ET.Element(
        "testsuite",
        name=name,
        tests=str(len(report.findings)),
        failures=str(report.count("fail")),
        errors="0",
        skipped="0",
    )
    for f in report.findings:
        name = printable(f"{f.place}: {f.text} [{f.where}]", MAX_LINE)
        case = ET.SubElement(suite, "testcase", classname=printable(f.where.path), name=name)
        if f.status == "fail":
            ET.SubElement(case, "failure", message=_line(f)).text = _line(f)
        elif f.status in ("errata", "declared"):
            ET.SubElement(case, "system-out").text = _line(f)
    if report.notes:
        ET.SubElement(suite, "system-out").text = "\n".join(map(_shown, report.notes))
    return suite


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: object) -> str:
    """A workflow command's property (file=…): escaped as GitHub reads it back (a newline
    as %0A, so the annotation is on that file), its separators too, then printable()."""
    escaped = _escape(str(value)).replace(":", "%3A").replace(",", "%2C")
    return printable(escaped, MAX_LINE)


def as_github(report: CheckReport) -> str:
    out = []
    for f in report.findings:
        level = {"fail": "error", "errata": "warning"}.get(f.status)
        if level:
            w = f.where
            place = f"file={_property(w.path)},line={w.line},col={w.column}"
            out.append(f"::{level} {place},title=reporter check::{_escape(_line(f))}")
    out += [f"::notice title=reporter check (table)::{_escape(_shown(n))}" for n in report.notes]
    out.append(summary(report))
    return "\n".join(out) + "\n"


def as_markdown(
    report: CheckReport, title: str, baseline: CheckReport | None = None, unbound: bool = False
) -> str:
    """A write-up of what fails, place by place; with `baseline` (the same prose checked
    against the project's own data), each figure's value there too; with `unbound`, the
    numbers left unbound."""
    before = {(f.where, f.quantity): f.value for f in baseline.findings} if baseline else {}
    failing = [f for f in report.failed if f.quantity]
    lines = [f"# {printable(title)}", "", f"**{summary(report)}.**", ""]
    if not failing:
        lines += ["Every figure bound to the data holds.", ""]
    by_place: dict[str, list[Finding]] = {}
    for f in failing:
        by_place.setdefault(f.place, []).append(f)
    if by_place:
        lines += ["## Figures that do not hold", ""]
    head = "| figure | bound to | value | rule |"
    if baseline:
        head = "| figure | bound to | with the project's data | with these data | rule |"
    for place, found in by_place.items():
        heading = printable(f"{place[:1].upper()}{place[1:]} ({found[0].where})", MAX_LINE)
        lines += [f"### {heading}", "", head]
        lines.append("|---" * head.count(" | ") + "|---|")
        for f in found:
            cells = [f.text, f"`{f.quantity}`"]
            cells += [_markdown_value(before.get((f.where, f.quantity)))] if baseline else []
            cells += [_markdown_value(f.value), f.message or f.rule]
            lines.append("| " + " | ".join(printable(c).replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    others = [f for f in report.failed if not f.quantity]
    if others:
        lines += ["## Other failures", ""]
        lines += [f"- {_line(f)}" for f in others] + [""]
    errata = errata_lines(report)
    if errata:
        lines += ["## Errata (published figures kept deliberately)", ""]
        lines += [f"- {line}" for line in errata] + [""]
    if unbound:
        lines += ["## Unbound numbers", ""]
        listed = [f"- {_shown(f'{w}: {p}: {n}')}" for w, p, n in report.unbound]
        lines += (listed or [f"None {ALL_BOUND}."]) + [""]
    return "\n".join(lines)


def _markdown_value(value: float | None) -> str:
    return "–" if value is None else shown_number(value)


def render(
    report: CheckReport,
    fmt: str,
    verbose: bool = False,
    unbound: bool = False,
    title: str = "reporter check",
    baseline: CheckReport | None = None,
    quiet: bool = False,
) -> str:
    """The report in `fmt` (one of FORMATS); `quiet` shortens the text format to failures."""
    if fmt == "markdown":
        return as_markdown(report, title, baseline, unbound)
    if fmt == "json":
        return as_json(report)
    if fmt == "junit":
        return as_junit(report)
    if fmt == "github":
        return as_github(report)
    return as_text(report, verbose, unbound, quiet)


def fleet_report(outcomes: dict, fmt: str, verbose: bool = False, quiet: bool = False):
    """(the report of every edition's check in `fmt`, whether any failed). `outcomes`: edition
    id -> an outcome whose value is the CheckReport, or whose error says why there is none."""
    reports = {
        ident: outcomes[ident].value if outcomes[ident].ok else outcomes[ident].error
        for ident in sorted(outcomes)
    }
    failed = any(isinstance(r, str) or r.failed for r in reports.values())
    if fmt == "junit":
        return junit_suites(reports), failed
    if fmt == "json":
        data = {i: r if isinstance(r, str) else json.loads(as_json(r)) for i, r in reports.items()}
        return _json({"editions": data}), failed
    if fmt == "github":
        text = "".join(
            f"::error::edition {i}: {_escape(_shown(r))}\n" if isinstance(r, str) else as_github(r)
            for i, r in reports.items()
        )
        return text, failed
    if fmt != "text":
        raise UsageError(f"--format {fmt} is for one document", hint="give --edition ID")
    return _fleet_text(reports, verbose, quiet), failed


def _fleet_text(reports: dict, verbose: bool, quiet: bool) -> str:
    out, failing = [], 0
    for ident, report in reports.items():
        if isinstance(report, str):
            out += [f"ERROR [{ident}] {line}" for line in _shown(report).split("\n")]
            failing += 1
            continue
        out += [f"FAIL [{ident}] {_line(f)}" for f in report.failed]
        failing += bool(report.failed)
        if verbose:
            out.append(f"[{ident}] {summary(report)}")
    if not quiet:
        passing = len(reports) - failing
        out.append(f"{plural(len(reports), 'edition')}: {passing} pass, {failing} fail")
    return "".join(line + "\n" for line in out)
