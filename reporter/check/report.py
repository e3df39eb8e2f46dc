"""Check results for people (text) and for CI (json, junit, github annotations)."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from reporter.check.run import CheckReport, Finding

FORMATS = ("text", "json", "junit", "github")


def summary(report: CheckReport) -> str:
    return (
        f"{report.bound} bound: {report.count('pass')} passed, {report.count('fail')} failed, "
        f"{report.count('errata')} errata; {report.count('declared')} declared; "
        f"{len(report.unbound)} unbound; {len(report.notes)} table notes"
    )


def _value(f: Finding) -> str:
    return "" if f.value is None else f"{f.value:.4g}"


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


def render(report: CheckReport, fmt: str, verbose: bool = False, unbound: bool = False) -> str:
    if fmt == "json":
        return as_json(report)
    if fmt == "junit":
        return as_junit(report)
    if fmt == "github":
        return as_github(report)
    return as_text(report, verbose, unbound)
