"""What WeasyPrint's tagged PDF/A-3 lacks for PDF/UA-1: the identification, and page
furniture marked as artifacts.

WeasyPrint 70 marks the text of page-margin boxes (running headers, page numbers) as content
of structure elements that are left out of the structure tree; PDF/UA wants such page
furniture marked as /Artifact instead. This runs as WeasyPrint's `finisher`, on its objects
before they are written: each marked sequence whose element is not reachable from the tree's
root becomes an /Artifact sequence, and its entry in the parent tree is cleared.
"""

from __future__ import annotations

import pydyf

PDF_UA = (
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"'
    b' pdfuaid:part="1"/>'
)


def declare_pdf_ua(metadata) -> None:
    """Declare PDF/UA-1 in the XMP metadata next to PDF/A-3 (WeasyPrint writes one variant)."""
    generate = metadata.generate_rdf_metadata

    def with_ua(*args, **kwargs) -> bytes:
        rdf = generate(*args, **kwargs)
        return rdf.replace(b"</rdf:RDF>", PDF_UA + b"</rdf:RDF>", 1)

    metadata.generate_rdf_metadata = with_ua


def mark_furniture_as_artifacts(document, pdf) -> None:
    if "StructTreeRoot" not in pdf.catalog:
        return
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    reachable = _reachable(pdf, root)
    parent_tree = _object(pdf, root["ParentTree"])["Nums"]
    pages = [pdf.objects[number] for number in pdf.pages["Kids"][::3]]  # [n, 0, "R", …]
    for index, page in enumerate(pages):
        mcids = parent_tree[2 * index + 1]
        orphans = {m for m, ref in enumerate(mcids) if _number(ref) not in reachable}
        stream = _object(pdf, page["Contents"])
        for mcid in _as_artifacts(stream, orphans):
            mcids[mcid] = "null"


def _as_artifacts(stream, orphans: set[int]) -> list[int]:
    """Rewrite `/Tag <</MCID n>> BDC` as `/Artifact BMC` for the orphans; the MCIDs done."""
    items, done = stream.stream, []
    for at in range(len(items) - 2):
        properties = items[at + 1]
        if (
            isinstance(properties, pydyf.Dictionary)
            and items[at + 2] == b"BDC"
            and properties.get("MCID") in orphans
        ):
            done.append(properties["MCID"])
            items[at : at + 3] = ["/Artifact", b"BMC", b""]
    return done


def _reachable(pdf, root) -> set[int]:
    seen, todo = set(), list(root["K"])
    while todo:
        kid = todo.pop()
        if isinstance(kid, bytes) and (number := _number(kid)) not in seen:
            seen.add(number)
            element = pdf.objects[number]
            if isinstance(element, dict) and element.get("Type") == "/StructElem":
                todo.extend(element["K"])
    return seen


def _number(reference) -> int | None:
    return int(reference.split()[0]) if isinstance(reference, bytes) else None


def _object(pdf, reference):
    return pdf.objects[_number(reference)]
