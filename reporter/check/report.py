"""Check results for people (text, markdown) and for CI (json, junit, github annotations)."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from reporter.check.run import CheckReport, Finding

FORMATS = ("text", "json", "junit", "github", "markdown")


def summary(report: CheckReport) -> str:
    return (
        f"{report.bound} bound: {report.count('pass')} passed, {report.count('fail')} failed, "
        f"{report.count('errata')} errata; {report.count('declared')} declared; "
        f"{len(report.unbound)} unbound; {len(report.notes)} table notes"
    )


def _value(f: Finding) -> str:
    return "" if f.value is None else shown_number(f.value)


def shown_number(value: float) -> str:
    """4 significant digits, never in exponent form: 45.72, 0.3175, 155,204."""
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"


def _line(f: Finding) -> str:
    head = f"{f.where}: {f.place}: “{f.text}”"
    computed = f"{f.quantity} = {_value(f)}"
    if f.status == "fail" and f.message:
        return f"{head}: {f.message}"
    if f.status == "fail":
        return f"{head} does not match {computed} (rule: {f.rule})"
    if f.status == "errata":
        return f"{head} vs {computed} (rule: {f.rule}); erratum: {f.message}"
    if f.status == "declared":
        return f"{head} declared, {f.rule}"
    return f"{head} = {computed} ({f.rule})"


def as_text(report: CheckReport, verbose: bool = False, unbound: bool = False) -> str:
    out = []
    for f in report.failed:
        out.append(f"FAIL {_line(f)}")
    errata = [f for f in report.findings if f.status == "errata"]
    if errata:
        out.append("errata (published figures the data do not support, kept deliberately):")
        out += [f"  {_line(f)}" for f in errata]
    if report.notes:
        out.append("table notes (printed values, rounding):")
        out += [f"  {n}" for n in report.notes]
    if verbose:
        out += [f"ok   {_line(f)}" for f in report.findings if f.status in ("pass", "declared")]
    if unbound:
        out.append("unbound numbers (bind them, or declare their source):")
        out += [f"  {where}: {place}: {number}" for where, place, number in report.unbound]
    out.append(summary(report))
    return "\n".join(out) + "\n"


def as_json(report: CheckReport) -> str:
    data = {
        "summary": {
            "bound": report.bound,
            "passed": report.count("pass"),
            "failed": report.count("fail"),
            "errata": report.count("errata"),
            "declared": report.count("declared"),
            "unbound": len(report.unbound),
        },
        "figures": [
            {
                "status": f.status,
                "figure": f.text,
                "file": str(f.where.path),
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
            {"file": str(w.path), "line": w.line, "column": w.column, "place": p, "number": n}
            for w, p, n in report.unbound
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def as_junit(report: CheckReport) -> str:
    suite = ET.Element(
        "testsuite",
        name="reporter check",
        tests=str(len(report.findings)),
        failures=str(report.count("fail")),
        errors="0",
        skipped="0",
    )
    for f in report.findings:
        case = ET.SubElement(
            suite, "testcase", classname=str(f.where.path), name=f"{f.place}: {f.text} [{f.where}]"
        )
        if f.status == "fail":
            ET.SubElement(case, "failure", message=_line(f)).text = _line(f)
        elif f.status in ("errata", "declared"):
            ET.SubElement(case, "system-out").text = _line(f)
    if report.notes:
        ET.SubElement(suite, "system-out").text = "\n".join(report.notes)
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def as_github(report: CheckReport) -> str:
    out = []
    for f in report.findings:
        level = {"fail": "error", "errata": "warning"}.get(f.status)
        if level:
            w = f.where
            place = f"file={w.path},line={w.line},col={w.column}"
            out.append(f"::{level} {place},title=reporter check::{_escape(_line(f))}")
    out += [f"::notice title=reporter check (table)::{_escape(n)}" for n in report.notes]
    out.append(summary(report))
    return "\n".join(out) + "\n"


def as_markdown(report: CheckReport, title: str, baseline: CheckReport | None = None) -> str:
    """A write-up of what fails, place by place; with `baseline` (the same prose checked
    against the project's own data), each figure's value there too."""
    before = {(f.where, f.quantity): f.value for f in baseline.findings} if baseline else {}
    failing = [f for f in report.failed if f.quantity]
    lines = [f"# {title}", "", f"**{summary(report)}.**", ""]
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
        lines += [f"### {place[:1].upper()}{place[1:]} ({found[0].where})", "", head]
        lines.append("|---" * head.count(" | ") + "|---|")
        for f in found:
            cells = [f.text, f"`{f.quantity}`"]
            cells += [_markdown_value(before.get((f.where, f.quantity)))] if baseline else []
            cells += [_markdown_value(f.value), f.message or f.rule]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    others = [f for f in report.failed if not f.quantity]
    if others:
        lines += ["## Other failures", ""]
        lines += [f"- {f.where}: {f.place}: {f.message}" for f in others] + [""]
    errata = [f for f in report.findings if f.status == "errata"]
    if errata:
        lines += ["## Errata (published figures kept deliberately)", ""]
        lines += [f"- {_line(f)}" for f in errata] + [""]
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
) -> str:
    if fmt == "markdown":
        return as_markdown(report, title, baseline)
    if fmt == "json":
        return as_json(report)
    if fmt == "junit":
        return as_junit(report)
    if fmt == "github":
        return as_github(report)
    return as_text(report, verbose, unbound)
