"""Text read off a PDF's lines, made comparable: lines joined into running text with the
hyphenation at line ends undone (a real compound such as "South-South" keeps its hyphen),
spaces, ligatures and hyphen characters normalised."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

SOFT = "\u00ad"  # a soft hyphen: the break is the typesetter's, never the author's
KEEP = "\ufffe"  # a hyphen at a line end that may be the author's (pdfium writes U+FFFE for it)
DROP = "\uffff"  # a U+2010 at a line end: what WeasyPrint and browsers draw when they hyphenate
_BREAK = re.compile(f"([^\\s{KEEP}{DROP}]*)([{KEEP}{DROP}])(?=([^\\s{KEEP}{DROP}]*))")
_WORD = re.compile(r"\w+(?:-\w+)*")
_CJK = re.compile(
    "[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)
_SAME = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        SOFT: None,
        "\u200b": None,
        "\u2060": None,
        "\ufeff": None,
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
    }
)


def clean(text: str) -> str:
    """One space between words (no-break and thin spaces too), ligatures spelt out, hyphens
    (U+2010, U+2011) as hyphen-minus."""
    return " ".join(text.translate(_SAME).split())


def vocabulary(lines: Iterable[str]) -> Counter[str]:
    """How often each word is written whole (lower case, compounds with their hyphens), from
    everything but the words broken at a line end: the evidence for undoing a break."""
    words: Counter[str] = Counter()
    for line in lines:
        line = re.sub(f"\\S*[-\u2010{SOFT}{KEEP}]$", " ", line.strip())
        line = re.sub(f"(.?){KEEP}(.?)", _compound, line)
        line = re.sub(f"\\S*{KEEP}\\S*", " ", line)
        words.update(word.lower() for word in _WORD.findall(clean(line)))
    return words


def _compound(match: re.Match) -> str:
    """A break before a capital or next to a digit is a compound's hyphen: evidence too."""
    before, after = match[1], match[2]
    sure = before.isdigit() or after.isdigit() or after.isupper()
    return before + ("-" if sure else KEEP) + after


def join(lines: Iterable[str], words: Counter[str]) -> str:
    """The lines as running text: a hyphen at a line end is dropped where it only breaks a
    word, and kept where the word is a compound (see `keeps_hyphen`)."""
    text = ""
    for line in lines:
        line = line.strip()
        if line:
            text = _glue(text, line)
    return clean(_BREAK.sub(lambda m: m[1] + ("-" if _keeps(m, words) else ""), text))


def _glue(text: str, line: str) -> str:
    if not text:
        return line
    if text.endswith(SOFT):
        return text[:-1] + line
    if text.endswith(KEEP):
        return text + line
    if re.search(r"\w[-\u2010]$", text) and line[0].isalnum():
        return text[:-1] + (KEEP if text[-1] == "-" else DROP) + line
    if re.search(r"\S[/\u2013\u2014]$", text):  # a line may break after a slash or a dash
        return text + line
    if _CJK.match(text[-1]) and _CJK.match(line[0]):  # Chinese and Japanese: no spaces
        return text + line
    return text + " " + line


def _keeps(match: re.Match, words: Counter[str]) -> bool:
    before = re.search(r"[\w-]*$", match[1])[0]
    after = re.match(r"[\w-]*", match[3])[0]
    return keeps_hyphen(before, after, words, default=match[2] == KEEP)


def keeps_hyphen(before: str, after: str, words: Counter[str], default: bool = True) -> bool:
    """Whether "before-" at a line end and "after" on the next line are one hyphenated word.
    Hyphenation never breaks before a capital or next to a digit ("South-South",
    "Secretary-General", "post-2015"); otherwise the document's own words decide ("follow-up"
    written whole elsewhere, or "development"), and when they are silent, the kind of hyphen."""
    if not before or not after or not before[-1].isalpha() or not after[0].isalpha():
        return True
    if after[0].isupper():
        return True
    whole, compound = words[(before + after).lower()], words[f"{before}-{after}".lower()]
    if whole != compound:
        return compound > whole
    return default


def bag(rows: list[str], words: Counter[str]) -> list[str]:
    """The words of rows whose order is the layout's more than the text's (a table's cells,
    wrapped one way by one typesetter and another way by the next), sorted. A word broken at
    the end of a cell's line is made whole again with the first word of a row below (within
    three) when the vocabulary knows the whole: "coher-" … "ence and" is "coherence"."""
    tokens = [row.split() for row in rows]
    for i, row in enumerate(tokens):
        if row and re.search(r"\w-$", row[-1]):
            below = [later for later in tokens[i + 1 : i + 4] if later and later[0][0].isalpha()]
            if below:
                _mend(row, below[0], words)
    return sorted(token for row in tokens for token in row)


def _mend(row: list[str], below: list[str], words: Counter[str]) -> None:
    stem, tail = row[-1][:-1], re.match(r"[\w-]*", below[0])[0]
    whole, compound = words[(stem + tail).lower()], words[f"{stem}-{tail}".lower()]
    if whole or compound:
        row[-1] = (stem + tail if whole >= compound else f"{stem}-{tail}") + below[0][len(tail) :]
        del below[0]
