"""Editions: one project built into many reports, one per value of a parameter.

content/document.yaml declares the parameter and where its values come from:

    editions:
      parameter: country        # {{country}} in any text of content/ files
      dataset: destinations     # one edition per record of this dataset…
      column: name              # …whose value is this column's
      id: code                  # the edition's folder, out/CODE/ (default: the value, slugged)
      with: [region]            # more columns, each a parameter: {{region}}
      names: {name: code}       # {{name}}: the value's name in the edition's language (CLDR,
                                #   from the M49 code in column `code`)
      where: {kind: country}    # which records (default: all)

or `values: [France, Spain]`. `{{edition}}` is always the edition's id. Each edition is a
whole report, built and checked by the engine (pipeline.py) with its values in place.
A name in the edition's language is CLDR's (content/languages.py `territory_name`); in
English, and where CLDR has no one name for the code, it is the edition's value: the data's
names are UN English, and `{{country}}` stays the data's for `where:` filters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from reporter.compute.select import matching
from reporter.content import schema
from reporter.content.languages import territory_name
from reporter.content.where import parse_where
from reporter.content.yamlsource import Map, load_yaml, where
from reporter.data.datasets import Datasets
from reporter.data.tabular import as_text, require_columns
from reporter.errors import Location, ReportError, UsageError, suggest
from reporter.project import Project

DOCUMENT = Path("content/document.yaml")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
RESERVED = ("assets", "index.html", "editions.json", "manifest.json")  # out/'s own names


@dataclass(frozen=True)
class Edition:
    id: str
    values: tuple[tuple[str, str], ...]  # (parameter, value), {{edition}} included
    base: str = ""  # with languages: the id without the language (germany of germany.fr)
    language: str = ""


def editions_of(project: Project) -> list[Edition]:
    """The project's editions in declared order; [] when it declares none."""
    document = load_yaml(project.root / DOCUMENT, DOCUMENT)  # placeholders as written
    if not isinstance(document, Map) or document.get("editions") is None:
        return []
    schema.validate(document, "document", Location(DOCUMENT))
    spec = document["editions"]
    at = where(spec, Location(DOCUMENT))
    if "values" in spec:
        rows = [(str(value), slug(value), ()) for value in spec["values"]]
    else:
        rows = _rows_of_dataset(project, spec, at)
    editions = _editions(str(spec["parameter"]), rows, at)
    names = [str(name) for name in spec.get("names") or {}]
    if spec.get("languages") is not None:
        editions = _in_languages(project, editions, spec["languages"], where(spec["languages"], at))
    language = str(document.get("language") or "en")  # without languages: the document's
    language = language if _ID.fullmatch(language) else "en"  # "{{language}}": not known here
    return [_named(e, names, e.language or language) for e in editions] if names else editions


def _named(edition: Edition, names: list[str], language: str) -> Edition:
    """The edition with its `names:` parameters, read as M49 codes, made names in
    `language`."""
    value = edition.values[0][1]
    values = tuple(
        (key, (territory_name(code, language) or value) if key in names else code)
        for key, code in edition.values
    )
    return Edition(edition.id, values, edition.base, edition.language)


def _in_languages(project: Project, editions: list, languages, at: Location) -> list[Edition]:
    """Each edition in each language (id.LANGUAGE), the language's words as parameters:
    content/languages/LANGUAGE.yaml. A language may be limited to some editions:
    `- ar: [germany, france]`. The first language is the reference of the others."""
    wanted = [(str(x), None) if not isinstance(x, Map) else _limited(x, at) for x in languages]
    words = {code: _words(project, code, at) for code, _ in wanted}
    reference = next(iter(words.values()))
    for code, found in words.items():
        missing = sorted(set(reference) - set(found))
        if missing:
            raise ReportError(
                f"content/languages/{code}.yaml lacks {', '.join(missing)}",
                Location(Path(f"content/languages/{code}.yaml")),
                f"give every word of content/languages/{wanted[0][0]}.yaml in {code} too",
            )
    known = {e.id for e in editions}
    out = []
    for code, only in wanted:
        unknown = sorted(set(only or ()) - known)
        if unknown:
            hint = suggest(unknown[0], known) or "name editions by their ids"
            raise ReportError(f"languages: {code}: no edition {unknown[0]!r}", at, hint)
        for e in editions:
            if only is None or e.id in only:
                values = (*e.values, ("language", code), *words[code].items())
                out.append(Edition(f"{e.id}.{code}", values, e.id, code))
    return out


def _limited(entry: Map, at: Location) -> tuple[str, list[str]]:
    ((code, ids),) = entry.items()
    return str(code), [str(i) for i in ids or []]


def _words(project: Project, code: str, at: Location) -> dict[str, str]:
    """content/languages/CODE.yaml: name -> text, a parameter each ({{name}})."""
    shown = Path("content/languages") / f"{code}.yaml"
    if not (project.root / shown).is_file():
        return {}
    found = load_yaml(project.root / shown, shown)  # as written: words hold no placeholders
    if found is None:
        return {}
    if not isinstance(found, Map) or not all(isinstance(v, str) for v in found.values()):
        raise ReportError("a language's words: one 'name: text' per line", Location(shown))
    return {str(k): str(v) for k, v in found.items()}


def select(editions: list[Edition], wanted: list[str]) -> list[Edition]:
    """The editions named by `--edition ID` (all when none is named)."""
    if not wanted:
        return editions
    by_id = {e.id: e for e in editions}
    unknown = [w for w in wanted if w not in by_id]
    if unknown:
        hint = (
            suggest(unknown[0], by_id)
            or f"{len(by_id)} editions, e.g. {', '.join(list(by_id)[:5])}"
        )
        raise UsageError(f"no edition {unknown[0]!r}", hint=hint)
    return [by_id[w] for w in dict.fromkeys(wanted)]


def slug(value: str) -> str:
    """A value as a folder name: Côte d'Ivoire -> cote-d-ivoire."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _rows_of_dataset(project: Project, spec: Map, at: Location) -> list[tuple]:
    datasets = Datasets(project.root)
    data = datasets(str(spec["dataset"]), at)
    id_column, more = spec.get("id"), [str(c) for c in spec.get("with") or []]
    names = {str(name): str(column) for name, column in (spec.get("names") or {}).items()}
    columns = [str(spec["column"]), *([str(id_column)] if id_column else []), *more]
    require_columns(data, [*columns, *names.values()], at)
    taken = [str(spec["parameter"]), "edition", *more]
    if clash := next((name for name in names if name in taken), None):
        raise ReportError(f"names: {clash!r} is already a parameter", at, "give the name another")
    frame = matching(data, parse_where(spec.get("where"), at), at)
    rows = []
    for _, record in frame.iterrows():
        value = as_text(record[columns[0]])
        ident = as_text(record[str(id_column)]) if id_column else slug(value)
        pairs = [(c, as_text(record[c])) for c in more]
        pairs += [(name, _code(record[column])) for name, column in names.items()]
        rows.append((value, ident, tuple(pairs)))
    return rows


def _code(value: object) -> str:
    """An M49 code as text ("276"); "" for none (a row the classification lacks)."""
    return "" if value is None or value != value else as_text(value)


def _editions(parameter: str, rows: list[tuple], at: Location) -> list[Edition]:
    editions, seen = [], {}
    for value, ident, more in rows:
        if not _ID.fullmatch(ident) or ".." in ident or ident in RESERVED:
            raise ReportError(
                f"edition {value!r} has no usable id ({ident!r})",
                at,
                "ids name folders: letters, digits, . _ -; give editions an id: column",
            )
        if ident in seen:
            raise ReportError(
                f"two editions have the id {ident!r} ({seen[ident]!r} and {value!r})",
                at,
                "give editions an id: column whose values differ",
            )
        seen[ident] = value
        values = ((parameter, value), ("edition", ident), *more)
        editions.append(Edition(ident, values))
    if not editions:
        raise ReportError("editions: no edition (the where: selects no record)", at)
    return editions
