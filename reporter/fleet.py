"""Every edition of a project, built or checked: each a whole report of its own, built by the
engine in this process, in warm local workers (`jobs`) or on a Dask cluster (`scheduler`).

out/ID/ holds each edition's HTML, PDF and manifest; out/index.html links them with their
status; out/editions.json records what each was built from. The whole is published as one
unit (export/publish.py). An edition whose inputs have not changed since it was published is
carried over as it is; one that fails keeps its last good outputs, marked so in the index.
"""

from __future__ import annotations

import html
import json
import os
import shutil
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path

from reporter.cache import digest
from reporter.check.report import summary
from reporter.check.run import Finding
from reporter.content.inline import Computed, Figure, walk
from reporter.editions import Edition, editions_of, select
from reporter.errors import Location
from reporter.export.publish import staged, write_file
from reporter.pipeline import build, check_project
from reporter.project import Project, snapshot
from reporter.workers import Outcome, run_tasks

RECORD = "editions.json"


@dataclass
class FleetResult:
    out: Path
    built: dict[str, dict] = field(default_factory=dict)  # id -> what build_edition returned
    reused: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # id -> the error, one line


def build_fleet(
    project: Project,
    out: Path,
    wanted: list[str],
    jobs: int = 1,
    scheduler: str | None = None,
    pdf: bool = True,
    draft: bool = False,
    fresh: bool = False,
    progress: bool | None = None,
) -> FleetResult:
    """Build the editions named (all by default) into out/ID/, and out/index.html."""
    record = {} if fresh else _read_record(out)
    result = FleetResult(out)
    with snapshot(project, out) as read, staged(out) as staging:
        every = editions_of(read)
        editions = select(every, wanted)
        inputs = digest(_inputs_digest(read.digests), str(pdf), str(draft))
        keys = {e.id: digest(inputs, repr(e.values)) for e in editions}
        tasks = {}
        for edition in editions:
            if _reusable(record.get(edition.id), keys[edition.id], out / edition.id):
                _carry_over(out / edition.id, staging / edition.id)
                result.reused.append(edition.id)
            else:
                edition_of = replace(read, params=edition.values)
                tasks[edition.id] = (edition_of, edition.id, str(staging), pdf, draft, fresh)
        outcomes = run_tasks(
            build_edition, tasks, jobs, scheduler, warm="weasyprint", progress=progress
        )
        record = _settle(outcomes, keys, record, out, staging, result)
        _write_index(staging, project.root.name, every, record)
        _share_assets(read.assets, staging)
    return result


def build_edition(
    project: Project, ident: str, staging: str, pdf: bool, draft: bool, fresh: bool
) -> dict:
    """One edition (the snapshot with its values), built by the engine into staging/ID/ (a
    task: runs in a worker)."""
    quiet = lambda _: None  # noqa: E731 - a worker has no terminal
    done = build(project, Path(staging) / ident, pdf=pdf, draft=draft, progress=quiet, fresh=fresh)
    return {
        "html": done.html.name,
        "pdf": done.pdf.name if done.pdf else None,
        "pages": done.pages,
        "check": summary(done.check),
        "warnings": done.warnings,
    }


def check_fleet(
    project: Project,
    wanted: list[str],
    jobs: int = 1,
    scheduler: str | None = None,
    strict: bool = False,
    progress: bool | None = None,
) -> dict[str, Outcome]:
    """Every edition named (all by default) checked: id -> Outcome(value=CheckReport). In a
    project in several languages, each edition is also compared with the same edition in the
    first language: the same runs of text, binding the same quantities."""
    with snapshot(project) as read:
        every = editions_of(read)
        editions = select(every, wanted)
        first = {e.base: e for e in reversed(every) if e.language == every[0].language}
        needed = editions + [
            first[e.base] for e in editions if e.language and first[e.base] not in editions
        ]
        tasks = {e.id: (replace(read, params=e.values), strict) for e in needed}
        outcomes = run_tasks(check_edition, tasks, jobs, scheduler, progress=progress)
    _across_languages(editions, first, outcomes)
    return {e.id: outcomes[e.id] for e in editions}


def check_edition(project: Project, strict: bool):
    """One edition's check report (the snapshot with its values), with the bindings of each
    run of its text (a task: runs in a worker)."""
    doc, report = check_project(project, strict=strict)
    report.bindings = bindings(doc)
    return report


def bindings(doc) -> list[tuple[str, tuple[str, ...], Location]]:
    """(place, the quantities bound or computed in it, sorted, where) for every run of text."""
    found = []
    for place, inlines in doc.runs():
        names: list[str] = []
        at = None
        for node in walk(inlines):
            at = (
                at or getattr(node, "loc", None) or getattr(getattr(node, "raw", None), "loc", None)
            )
            if isinstance(node, Figure):
                names += node.quantities
            elif isinstance(node, Computed):
                names.append(node.quantity)
        # in any order: word order differs between languages, what is bound does not
        found.append((place, tuple(sorted(names)), at or Location(Path("content"))))
    return found


def _across_languages(editions: list[Edition], first: dict, outcomes: dict[str, Outcome]) -> None:
    """Each language's edition against the first language's (`first`: base id -> edition):
    a run missing, added or bound to other quantities fails there."""
    for edition in editions:
        reference = first.get(edition.base)
        if not edition.language or reference is None or reference.id == edition.id:
            continue  # not in languages: no other edition says the same
        mine, theirs = outcomes[edition.id], outcomes[reference.id]
        if mine.ok and theirs.ok:
            mine.value.findings += _differences(
                theirs.value.bindings, mine.value.bindings, reference.language, edition.language
            )


def _differences(reference: list, own: list, first: str, language: str) -> list[Finding]:
    """Where a language's runs of text part from the first language's (one finding where
    they stop lining up), and each run that binds other quantities."""
    found = []
    for k in range(max(len(reference), len(own))):
        theirs = reference[k] if k < len(reference) else None
        mine = own[k] if k < len(own) else None
        if theirs is not None and mine is not None and theirs[:2] == mine[:2]:
            continue
        if mine is None:
            place, where = theirs[0], theirs[2]
            why = f"in {first} only: the {language} edition has nothing at this place"
        elif theirs is None or theirs[0] != mine[0]:
            place, where = mine[0], mine[2]
            why = f"not in the {first} edition at this place (a block added or missing)"
        else:
            place, where = mine[0], mine[2]
            ours, reference_bound = (", ".join(x[1]) or "nothing" for x in (mine, theirs))
            why = f"binds {ours}; in {first}: {reference_bound}"
        found.append(Finding("fail", place, where, place, message=why, kind="language"))
        if theirs is None or mine is None or theirs[0] != mine[0]:
            break
    return found


def _inputs_digest(digests: dict[str, str]) -> str:
    """The bytes of every file an edition may read (the snapshot's digests of them), and the
    versions of what renders it."""
    renderers = [version(name) for name in ("weasyprint", "matplotlib", "reporter")]
    return digest(json.dumps(digests, sort_keys=True), *renderers)


def _read_record(out: Path) -> dict:
    try:
        return json.loads((out / RECORD).read_text(encoding="utf-8"))["editions"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # no record, or a damaged one: every edition is built again


def _reusable(entry: dict | None, key: str, folder: Path) -> bool:
    return (
        bool(entry)
        and entry.get("key") == key
        and entry.get("status") == "ok"
        and (folder / "manifest.json").is_file()
    )


def _carry_over(source: Path, target: Path) -> None:
    """An edition's published folder into the new out/: hard links where the file system
    allows (nothing is copied), copies elsewhere."""
    try:
        shutil.copytree(source, target, copy_function=os.link)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


def _share_assets(assets: Path, staging: Path) -> None:
    """One copy of the theme's assets, out/assets/, which every edition's assets/ links to
    (hard links: each edition's folder still stands on its own)."""
    shared = staging / "assets"
    if not assets.is_dir() or shared.exists():
        return
    shutil.copytree(assets, shared)
    for own in staging.glob("*/assets/**/*"):
        twin = shared.joinpath(*own.relative_to(staging).parts[2:])  # ID/assets/REST -> REST
        if own.is_file() and twin.is_file() and own.read_bytes() == twin.read_bytes():
            own.unlink()
            try:
                os.link(twin, own)
            except OSError:  # a file system without hard links: a copy, as before
                shutil.copyfile(twin, own)


def _settle(
    outcomes: dict, keys: dict, record: dict, out: Path, staging: Path, result: FleetResult
) -> dict:
    """What each edition ends as: built, reused, or failed with its last good outputs kept
    (and then built again next time); editions not asked for this time stay as they were."""
    new_record = dict(record)
    for ident in result.reused:
        new_record[ident] = {**record[ident], "key": keys[ident]}
    for ident, outcome in sorted(outcomes.items()):
        if outcome.ok:
            result.built[ident] = outcome.value
            new_record[ident] = {"status": "ok", "key": keys[ident], **outcome.value}
            continue
        result.failed[ident] = outcome.error
        kept = (out / ident / "manifest.json").is_file()
        if kept:
            _carry_over(out / ident, staging / ident)
        old = record.get(ident, {}) if kept else {}
        new_record[ident] = {**old, "status": "failed", "error": outcome.error, "key": ""}
    for ident in set(record) - set(keys):
        if (out / ident).is_dir():
            _carry_over(out / ident, staging / ident)
    return new_record


def _write_index(staging: Path, name: str, every: list[Edition], record: dict) -> None:
    editions = {e.id: e for e in every}
    rows = []
    for ident in editions:
        if ident not in record:
            continue
        rows.append(_index_row(ident, editions[ident], record[ident]))
    title = html.escape(f"{name}: {len(rows)} editions")
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<table>\n"
        "<tr><th>edition</th><th>outputs</th><th>status</th></tr>\n"
        + "".join(rows)
        + "</table>\n</body>\n</html>\n"
    )
    write_file(staging / "index.html", page.encode("utf-8"))
    data = {"editions": {k: record[k] for k in sorted(record) if k in editions}}
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    write_file(staging / RECORD, text.encode("utf-8"))
    write_file(staging / "manifest.json", b'{"fleet": "editions.json"}\n')


def _index_row(ident: str, edition: Edition, entry: dict) -> str:
    name = html.escape(edition.values[0][1])
    links = " ".join(
        f'<a href="{html.escape(ident)}/{html.escape(entry[kind])}">{kind.upper()}</a>'
        for kind in ("html", "pdf")
        if entry.get(kind)
    )
    if entry["status"] == "ok":
        status = html.escape(entry.get("check", "ok"))
    else:
        kept = " (the last good outputs are kept)" if entry.get("html") else ""
        status = f"failed{kept}: {html.escape(entry.get('error', ''))}"
    return f'<tr id="{html.escape(ident)}"><td>{name}</td><td>{links}</td><td>{status}</td></tr>\n'
