"""What WeasyPrint's tagged PDF/A-3 lacks for PDF/UA-1: the identification, a structure tree
that reads as the document does, and page furniture marked as artifacts.

WeasyPrint 70 (weasyprint/pdf/tags.py) builds the structure tree page by page, one element
per box: a paragraph, section or table that runs onto the next page becomes two elements;
footnotes sit in a footnote area at the end of each page's elements; a fixed box (the draft
stamp) is repeated on every page; the anonymous block of a paragraph whose number is taken
out of the flow is a P inside the P; a table's caption stays outside its Table; and the text
of page-margin boxes (running headers, page numbers) is content of elements left out of the
tree, where PDF/UA wants /Artifact. `complete_structure` runs as WeasyPrint's `finisher`, on
its objects before they are written, and mends each of these. Boxes and elements are paired
by walking the boxes as tags.py does (`_tagged_children`); where a pairing does not hold
(another WeasyPrint), that step leaves the elements as they are.
"""

from __future__ import annotations

import pydyf
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.pdf.tags import _get_pdf_tag

from reporter.export.tagged_tables import mend_table

PDF_UA = (
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"'
    b' pdfuaid:part="1"/>'
)
FLATTENED = {"/P", "/Caption", *(f"/H{n}" for n in range(1, 7))}  # never nested in themselves
KEPT_EMPTY = {"/TD", "/TH", "/TR", "/THead", "/TBody", "/TFoot", "/Table", "/Figure"}


def declare_pdf_ua(metadata) -> None:
    """Declare PDF/UA-1 in the XMP metadata next to PDF/A-3 (WeasyPrint writes one variant)."""
    generate = metadata.generate_rdf_metadata

    def with_ua(*args, **kwargs) -> bytes:
        rdf = generate(*args, **kwargs)
        return rdf.replace(b"</rdf:RDF>", PDF_UA + b"</rdf:RDF>", 1)

    metadata.generate_rdf_metadata = with_ua


def complete_structure(document, pdf) -> None:
    """Mend WeasyPrint's structure tree in place (see the module's docstring), then mark as
    /Artifact every marked sequence whose element is not reachable from the root."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    tree = _Tree(pdf)
    pages = [tree.top_level(page, index) for index, page in enumerate(document.pages)]
    notes = _notes(tree, pages)
    _drop_repeated_fixed_boxes(tree, pages)
    _join_pages(tree, pages)
    _place_notes(tree, notes)
    _flatten(tree, tree.document)
    for table in [e for e in tree.walk(tree.document) if e["S"] == "/Table"]:
        mend_table(tree, table)
    _prune(tree, tree.document)
    tree.write_ids()
    tree.repoint_parent_tree()
    _mark_orphans_as_artifacts(tree)


class _Tree:
    """WeasyPrint's structure tree, read and rewritten through pydyf objects."""

    def __init__(self, pdf) -> None:
        self.pdf = pdf
        self.root = self.get(pdf.catalog["StructTreeRoot"])
        self.document = self.get(self.root["K"][0])
        self.replaced: dict[bytes, bytes] = {}  # element merged away -> the one it joined

    def get(self, reference):
        return self.pdf.objects[_number(reference)] if isinstance(reference, bytes) else None

    def kids(self, element) -> list:
        """The structure elements among an element's kids (not MCIDs, MCRs, OBJRs)."""
        found = (self.get(k) for k in element["K"] if isinstance(k, bytes))
        return [k for k in found if _is_element(k)]

    def top_level(self, page, index: int) -> list[tuple]:
        """(box, element) for the Document's kids on this page, or [] if they do not pair."""
        on_page = self.pdf.page_references[index]
        elements = [k for k in self.kids(self.document) if k.get("Pg") == on_page]
        found = [box for child in page._page_box.children for box in _top_boxes(child)]
        return _paired(found, elements, exact=True)

    def pairs(self, box, element) -> list[tuple]:
        """(child box, kid element) in the order tags.py made them; [] if they do not pair.
        Kids joined from later pages follow the box's own, so the box pairs a prefix."""
        children = _tagged_children(box)
        if element["S"] == "/Link":  # the text of a link is its own marked content
            children = [c for c in children if not isinstance(c, boxes.TextBox)]
        return _paired(children, self.kids(element), exact=False)

    def detach(self, parent, element) -> None:
        parent["K"].remove(element.reference)

    def adopt(self, parent, item, page=None, at: int | None = None) -> None:
        """Make `item` (a kid of another element, on `page`: element, OBJR, MCID or MCR) a
        kid of `parent`; an MCID of another page than the parent's becomes an MCR."""
        element = self.get(item)
        if _is_element(element):
            element["P"] = parent.reference
        elif isinstance(item, int) and page is not None and page != parent.get("Pg"):
            item = pydyf.Dictionary({"Type": "/MCR", "Pg": page, "MCID": item})
        parent["K"].insert(len(parent["K"]) if at is None else at, item)

    def absorb(self, survivor, merged) -> None:
        """Move every kid of `merged` to the end of `survivor`; `merged` leaves the tree."""
        for item in list(merged["K"]):
            self.adopt(survivor, item, merged.get("Pg"))
        merged["K"] = pydyf.Array()
        self.replaced[merged.reference] = survivor.reference

    def walk(self, element):
        """The element and every element under it, in reading order."""
        yield element
        for kid in self.kids(element):
            yield from self.walk(kid)

    def write_ids(self) -> None:
        """The IDTree that maps element IDs (table headers, notes) to their elements."""
        ids = {
            element["ID"].string: element.reference
            for element in self.walk(self.document)
            if "ID" in element
        }
        names = pydyf.Array()
        for key in sorted(ids):
            names.extend([pydyf.String(key), ids[key]])
        self.root["IDTree"] = pydyf.Dictionary({"Names": names})

    def repoint_parent_tree(self) -> None:
        """Parent-tree entries of elements merged into others name the survivors."""
        nums = self.get(self.root["ParentTree"])["Nums"]
        for at in range(1, len(nums), 2):
            if isinstance(nums[at], pydyf.Array):
                nums[at] = pydyf.Array(self.survivor(ref) for ref in nums[at])
            else:
                nums[at] = self.survivor(nums[at])

    def survivor(self, reference):
        while reference in self.replaced:
            reference = self.replaced[reference]
        return reference


def _is_element(obj) -> bool:
    return isinstance(obj, dict) and obj.get("Type") == "/StructElem"


def _number(reference) -> int | None:
    return int(reference.split()[0]) if isinstance(reference, bytes) else None


# --- boxes and elements, paired ------------------------------------------------------------


def _top_boxes(box):
    """The boxes of a page that become the Document's kids: html and body give theirs, the
    page-margin boxes none (tags.py builds theirs outside the tree)."""
    box = box._box if isinstance(box, AbsolutePlaceholder) else box
    if isinstance(box, boxes.MarginBox):
        return
    tag = None if box.element is None else box.element_tag
    if tag in ("html", "body") and isinstance(box, boxes.ParentBox) and not _is_line(box):
        for child in box.children:
            yield from _top_boxes(child)
    else:
        yield box


def _is_line(box) -> bool:
    return isinstance(box, boxes.LineBox)


def _tagged_children(box) -> list:
    """The child boxes that get an element of their own, as tags.py walks them: a line's
    boxes instead of the line, a table's captions and row groups under the Table."""
    children = list(getattr(box, "children", ()))
    if box.element is not None and box.element_tag == "table" and box.is_table_wrapper:
        table = box.get_wrapped_table()
        if table is not None:
            children = [g for c in children for g in (c.children if c is table else [c])]
    found = []
    for child in children:
        for grand in child.children if _is_line(child) else [child]:
            found.append(grand._box if isinstance(grand, AbsolutePlaceholder) else grand)
    return found


def _paired(found: list, elements: list, exact: bool) -> list[tuple]:
    if len(found) > len(elements) or (exact and len(found) != len(elements)):
        return []
    pairs = list(zip(found, elements[: len(found)], strict=True))
    return pairs if all(_fits(box, element) for box, element in pairs) else []


def _fits(box, element) -> bool:
    """Could tags.py have made `element` for `box`? (The structure type it gives the box.)"""
    if isinstance(box, boxes.TextBox) or box.element is None:
        return True
    if box.element_tag in ("li", "dt", "dd", "td", "th"):  # list items and nested cells vary
        return True
    return element["S"] == f"/{_get_pdf_tag(box.element_tag)}"


def _same(pair, other) -> bool:
    """Two (box, element) are pieces of one HTML element split across pages."""
    (box, element), (other_box, other_element) = pair, other
    return (
        box.element is not None
        and box.element is other_box.element
        and box.element_tag == other_box.element_tag
        and element["S"] == other_element["S"]
        and not isinstance(box, boxes.TextBox)
    )


def _in_flow(pair) -> bool:
    box = pair[0]
    return not isinstance(box, boxes.FootnoteAreaBox) and box.style["position"] != "fixed"


# --- the mending steps ------------------------------------------------------------------------


def _notes(tree: _Tree, pages: list) -> list:
    """Footnotes become Note elements with an ID (the anchor their calls link to); returned
    with the footnote area each is in, to be placed after their calls."""
    notes = []
    for pairs in pages:
        for box, area in pairs:
            if not isinstance(box, boxes.FootnoteAreaBox):
                continue
            for note_box, note in tree.pairs(box, area):
                note["S"] = "/Note"
                anchor = note_box.style["anchor"]
                if anchor:
                    note["ID"] = pydyf.String(anchor)
                    notes.append((anchor, note, area))
    return notes


def _drop_repeated_fixed_boxes(tree: _Tree, pages: list) -> None:
    """A fixed box (the draft stamp) is drawn on every page: read once, furniture after."""
    seen = set()
    for pairs in pages:
        for box, element in pairs:
            if box.style["position"] == "fixed":
                if box.element in seen:
                    tree.detach(tree.document, element)
                seen.add(box.element)


def _join_pages(tree: _Tree, pages: list) -> None:
    """An element that runs onto the next page, and its last descendants that do, become
    one: pages are joined from the last, so an element first takes in what follows it."""
    for index in range(len(pages) - 2, -1, -1):
        before = [p for p in pages[index] if _in_flow(p)]
        after = [p for p in pages[index + 1] if _in_flow(p)]
        if before and after and _same(before[-1], after[0]):
            _join(tree, before[-1], after[0])
            tree.detach(tree.document, after[0][1])


def _join(tree: _Tree, first: tuple, rest: tuple) -> None:
    (box, element), (next_box, next_element) = first, rest
    mine, theirs = tree.pairs(box, element), tree.pairs(next_box, next_element)
    if element["S"] == "/Table":
        theirs = _drop_repeated_heads(tree, mine, theirs, next_element)
    if mine and theirs and _same(mine[-1], theirs[0]):
        _join(tree, mine[-1], theirs[0])
        tree.detach(next_element, theirs[0][1])
    tree.absorb(element, next_element)


def _drop_repeated_heads(tree: _Tree, mine: list, theirs: list, next_element) -> list:
    """The header rows WeasyPrint repeats on each page of a table leave the tree (their text
    becomes furniture); `_headers` then points the cells below at the first page's."""
    heads = [box.element for box, _ in mine if box.element_tag in ("thead", "tfoot")]
    kept = []
    for box, group in theirs:
        if any(box.element is head for head in heads):
            tree.detach(next_element, group)
        else:
            kept.append((box, group))
    return kept


def _place_notes(tree: _Tree, notes: list) -> None:
    """Each note right after the first call that links to it (a Reference around the call's
    Link), where reading goes on with the text; a note no call links to stays where it is."""
    calls = _first_calls(tree)
    for anchor, note, area in notes:
        if anchor not in calls:
            continue
        holder, call = calls[anchor]
        if call["S"] == "/NonStruct":  # the <sup> around the call's link
            call["S"] = "/Reference"
        tree.detach(area, note)
        tree.adopt(holder, note.reference, at=holder["K"].index(call.reference) + 1)


def _first_calls(tree: _Tree) -> dict:
    """anchor -> (element holding the call, the call: the element around its first Link)."""
    calls = {}
    for link in tree.walk(tree.document):
        if link["S"] != "/Link":
            continue
        target = _destination(tree, link)
        if target and target not in calls:
            call = tree.get(link["P"])
            calls[target] = (tree.get(call["P"]), call)
    return calls


def _destination(tree: _Tree, link) -> str | None:
    for kid in link["K"]:
        objr = tree.get(kid)
        if isinstance(objr, dict) and objr.get("Type") == "/OBJR":
            dest = tree.get(objr["Obj"]).get("Dest")
            if isinstance(dest, pydyf.String):
                return dest.string
    return None


def _flatten(tree: _Tree, element) -> None:
    """A P in a P, an H2 in an H2 (the anonymous block of a paragraph or heading whose
    number is taken out of the flow): its kids join the outer element."""
    for kid in tree.kids(element):
        _flatten(tree, kid)
        if kid["S"] == element["S"] and kid["S"] in FLATTENED:
            at = element["K"].index(kid.reference)
            element["K"].pop(at)
            for offset, item in enumerate(list(kid["K"])):
                tree.adopt(element, item, kid.get("Pg"), at + offset)
            kid["K"] = pydyf.Array()
            tree.replaced[kid.reference] = element.reference


def _prune(tree: _Tree, element) -> None:
    """Elements left with nothing in them (pseudo-elements without text, blocks that only
    draw a rule, footnote areas whose notes moved) leave the tree."""
    for kid in tree.kids(element):
        _prune(tree, kid)
        if not kid["K"] and kid["S"] not in KEPT_EMPTY:
            tree.detach(element, kid)


def _mark_orphans_as_artifacts(tree: _Tree) -> None:
    """Each marked sequence whose element is not reachable from the root (page-margin
    boxes, repeated furniture) becomes an /Artifact sequence; its parent-tree entry null."""
    pdf = tree.pdf
    reachable = _reachable(tree)
    parent_tree = tree.get(tree.root["ParentTree"])["Nums"]
    pages = [pdf.objects[number] for number in pdf.pages["Kids"][::3]]  # [n, 0, "R", …]
    for index, page in enumerate(pages):
        mcids = parent_tree[2 * index + 1]
        orphans = {m for m, ref in enumerate(mcids) if _number(ref) not in reachable}
        stream = pdf.objects[_number(page["Contents"])]
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


def _reachable(tree: _Tree) -> set[int]:
    return {_number(element.reference) for element in tree.walk(tree.document)}
