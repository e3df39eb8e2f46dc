"""Small text helpers the reports and the command share: counted nouns, one line per kind."""

from __future__ import annotations

from collections.abc import Mapping


def plural(count: int, singular: str, plural: str = "") -> str:
    """The count and its noun: "1 page", "2 pages", "1 erratum", "0 errata"."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def fill(forms: Mapping[str, str], kind: str, /, **fields: object) -> str:
    """The line for an item of `kind`: its form in `forms` (a str.format template) filled
    with `fields`; the fields are inserted as they are, never read as templates."""
    return forms[kind].format(**fields)
