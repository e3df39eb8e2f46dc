"""Hostile PDFs: mutations of a real reporter PDF (tests/roots/basic, built once per session).

A mutation is a list of steps, each a tuple a failing example prints as its reproducer:

- pages: removed, duplicated (up to thousands: the same page object again and again),
  reversed, rotated oddly, with a huge or absurd MediaBox (14,400 pt, /UserUnit), their
  content replaced by garbage or by a 64 MB stream of spaces;
- the page tree: a cycle (the tree as its own kid, a page as its own parent), a /Count that
  lies, /Kids that is not an array;
- a forger's edits: pages duplicated, or an input replaced, with the manifest (not signed)
  edited to match, so that the PDF goes past the first comparisons;
- attachments: renamed (`content/../x`, an absolute path, a backslash, a NUL, 2,000 levels
  deep, an empty name, the name of another), removed, replaced (deep JSON, a manifest of the
  wrong shape, hostile YAML and CSV), oversized (a FlateDecode stream of 1 GiB in 1 MB),
  multiplied (a thousand more);
- the bytes: truncated, the xref damaged, a range zeroed, garbage before or after.

Structural steps go through pikepdf; steps that pikepdf would repair on save (a /Count that
lies, a cycle) are made in the saved bytes, whose xref table is then written again so that
the lie is all a reader meets.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zlib

import pikepdf
from hypothesis import strategies as st

from tests.hostile.xlsxs import Deflated
from tests.hostile.yamls import laughs, nested

MODEL = "reporter-model.json"
MANIFEST = "manifest.json"
NAMES = ["content/../x.yaml", "/etc/passwd", "data\\x.csv", "content/\x00x.yaml",
         "content/" + "a/" * 2_000 + "x.yaml", "", "content", "data/", "content/document.yaml",
         MANIFEST, "content/./x.yaml", "../x", "data/\u202ecsv.exe", "C:\\x.yaml"]  # fmt: skip
JSON_BODIES = {
    "deep": "[" * 100_000 + "]" * 100_000,
    "deep-object": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "inputs-list": json.dumps({"inputs": []}),
    "parameters-list": json.dumps({"parameters": [1, 2]}),
    "parameters-nested": json.dumps({"parameters": {"a": {"b": [1]}}}),
    "inputs-numbers": json.dumps({"inputs": {"content/document.yaml": 5}}),
    "null": "null",
    "list": "[]",
    "not-json": "{",
    "nan": '{"inputs": NaN}',
    "huge-number": '{"parameters": {"a": 1e999}}',
    "model-wrong-types": json.dumps({"paragraphs": [{"key": 1}], "tables": "x"}),
    "model-deep-cells": json.dumps(
        {
            "paragraphs": [],
            "tables": [
                {
                    "id": "t",
                    "number": 1,
                    "title": "",
                    "columns": {},
                    "rows": [{"id": "r", "label": "", "cells": {"c": [[[]]]}}],
                }
            ],
        }
    ),
}
CONTENT_BODIES = {
    "laughs": laughs(10, 9),
    "datasets-1e400": "hosts:\n  sql: select 'a' as region, 1e400 as migrants_2019\n",
    "deep": nested(10_000, "flow-list", "x"),
    "tag": "a: !!python/object/apply:os.system [echo pwned]\n",
    "csv-1e400": "name,value\na,1e400\n",
    "binary": "\x00\xff\xfe",
    # tests/roots/basic/data/hosts.csv with one figure changed (13132 -> 23132)
    "hosts-changed": "country,region,migrants_2019\nGermany,Europe,23132\nFrance,Europe,8335\n"
    "Italy,Europe,5900\nSaudi Arabia,Asia,13122\nUnited Arab Emirates,Asia,7400\n",
}


def zlib_zeros(size: int) -> bytes:
    """A zlib stream (FlateDecode) of `size` zero bytes, about size / 1000 long."""
    raw = Deflated.of([(b"\0", size)]).data
    return b"\x78\xda" + raw + struct.pack(">I", ((size % 65521) << 16) | 1)


# --- structural steps, on a pikepdf.Pdf --------------------------------------------------------


def _page(pdf: pikepdf.Pdf, index: int):
    return pdf.pages[index % len(pdf.pages)]


def remove_page(pdf, index):
    if len(pdf.pages) > 1:
        del pdf.pages[index % len(pdf.pages)]


def duplicate_page(pdf, index, times):
    page = _page(pdf, index)
    for _ in range(times):
        pdf.pages.append(page)


def reverse_pages(pdf):
    pdf.pages.reverse()


def rotate(pdf, index, angle):
    _page(pdf, index).obj.Rotate = angle


def media_box(pdf, index, box):
    _page(pdf, index).obj.MediaBox = pikepdf.Array(box)


def user_unit(pdf, index, unit):
    _page(pdf, index).obj.UserUnit = unit


def replace_contents(pdf, index, kind):
    page = _page(pdf, index)
    if kind == "garbage":
        data = b"BT /F1 1e9 Tf 1e30 0 Td (x) Tj ET q 1 0 0 1 0 0 cm Q ] >> << [ (unclosed"
        page.obj.Contents = pdf.make_stream(data)
    elif kind == "spaces":  # 64 MB of spaces in a 64 KB stream
        stream = pdf.make_stream(b"")
        raw = Deflated.of([(b" ", 64 << 20)])
        adler = 1
        for _ in range(64):
            adler = zlib.adler32(b" " * (1 << 20), adler)
        stream.write(b"\x78\xda" + raw.data + struct.pack(">I", adler),
                     filter=pikepdf.Name.FlateDecode)  # fmt: skip
        page.obj.Contents = stream
    elif kind == "none" and "/Contents" in page.obj:
        del page.obj.Contents
    elif kind == "no-resources" and "/Resources" in page.obj:
        del page.obj.Resources


def attachment_renamed(pdf, old, new):
    if old not in pdf.attachments:
        return
    spec = pdf.attachments[old]
    data = spec.get_file().read_bytes()
    del pdf.attachments[old]
    pdf.attachments[new] = pikepdf.AttachedFileSpec(pdf, data, filename=new)


def attachment_removed(pdf, name):
    if name in pdf.attachments:
        del pdf.attachments[name]


def attachment_replaced(pdf, name, body):
    text = JSON_BODIES.get(body, CONTENT_BODIES.get(body, body))
    pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, text.encode("utf-8", "surrogatepass"),
                                                     filename=name)  # fmt: skip


def attachment_bomb(pdf, name, size, declared):
    """`name` replaced by `size` zero bytes, deflated; its /Params /Size says `declared`."""
    spec = pikepdf.AttachedFileSpec(pdf, b"x", filename=name)
    pdf.attachments[name] = spec
    stream = pdf.attachments[name].obj.EF.F
    stream.write(zlib_zeros(size), filter=pikepdf.Name.FlateDecode)
    stream.Params = pikepdf.Dictionary(Size=declared)
    stream.HostileBomb = True  # never decoded here (see _manifest)


def attachments_multiplied(pdf, count):
    for number in range(count):
        pdf.attachments[f"content/extra-{number}.yaml"] = pikepdf.AttachedFileSpec(
            pdf, b"a: 1\n", filename=f"content/extra-{number}.yaml"
        )


# A forger edits the manifest too (it is not signed): what it records of the pages and the
# attachments made to match the PDF, so that the PDF goes past the first comparisons.


def _manifest(pdf) -> dict | None:
    """The attached manifest, or None when an earlier step removed or spoiled it."""
    try:
        if "/HostileBomb" in pdf.attachments[MANIFEST].obj.EF.F:
            return None  # 1 GiB: not decoded in the test process
        manifest = json.loads(pdf.attachments[MANIFEST].get_file().read_bytes())
        return manifest if isinstance(manifest.get("pdf"), dict) else None
    except (KeyError, ValueError, AttributeError, pikepdf.PdfError):
        return None


def _save_manifest(pdf, manifest: dict) -> None:
    data = json.dumps(manifest).encode()
    pdf.attachments[MANIFEST] = pikepdf.AttachedFileSpec(pdf, data, filename=MANIFEST)


def duplicate_page_forged(pdf, index, times):
    """The page duplicated, and the manifest's record of it too."""
    manifest = _manifest(pdf)
    pages = manifest["pdf"]["pages"] if manifest else []
    recorded = pages[index % len(pages)] if pages else None
    duplicate_page(pdf, index, times)
    if manifest and recorded:
        pages += [recorded] * times
        _save_manifest(pdf, manifest)


def attachment_forged(pdf, name, body):
    """An input attached with other bytes, its sha256 and size in the manifest to match."""
    import hashlib

    attachment_replaced(pdf, name, body)
    data = pdf.attachments[name].get_file().read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    manifest = _manifest(pdf)
    if manifest:
        manifest.setdefault("inputs", {})[name] = digest
        manifest["pdf"].setdefault("attachments", {})[name] = {"sha256": digest, "size": len(data)}
        _save_manifest(pdf, manifest)


STRUCTURAL = {f.__name__: f for f in (remove_page, duplicate_page, reverse_pages, rotate,
              media_box, user_unit, replace_contents, attachment_renamed, attachment_removed,
              attachment_replaced, attachment_bomb, attachments_multiplied,
              duplicate_page_forged, attachment_forged)}  # fmt: skip


# --- steps on the saved bytes (uncompressed objects, an xref table written again) ------------


def relink(data: bytes) -> bytes:
    """`data` with its xref table and startxref written again for where its objects are now
    (a PDF saved by pikepdf without object streams, edited in place)."""
    start = data.rindex(b"\nxref\n") + 1
    trailer = re.search(rb"trailer\s*(<<.*?>>)\s*startxref", data[start:], re.S)
    assert trailer, "no trailer"
    body = data[:start]
    offsets = {int(m[1]): m.start(1) for m in re.finditer(rb"(?m)^(\d+) 0 obj\b", body)}
    size = max(offsets) + 1
    rows = [b"0000000000 65535 f \n"] + [
        b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
        for n in range(1, size)
    ]
    table = b"xref\n0 %d\n" % size + b"".join(rows)
    return body + table + b"trailer " + trailer[1] + b"\nstartxref\n%d\n%%%%EOF\n" % start


def count_lie(data, count):
    return relink(re.sub(rb"/Count \d+", b"/Count %d" % count, data, count=1))


def tree_cycle(data, where):
    """The page tree made a cycle: the root as its own kid, or the first page as its own
    parent and kid (the objects edited in the saved bytes)."""
    root = re.search(rb"(?m)^(\d+) 0 obj\s*<<[^>]*?/Type /Pages", data)
    if root is None:
        return data
    number = root[1]
    if where == "root-kid":
        data = re.sub(rb"/Kids \[", b"/Kids [ " + number + b" 0 R", data, count=1)
    else:
        data = re.sub(rb"/Parent \d+ 0 R", b"/Kids [ " + number + b" 0 R ] /Parent "
                      + number + b" 0 R /Type /Pages", data, count=1)  # fmt: skip
    return relink(data)


def kids_not_array(data):
    return relink(re.sub(rb"/Kids \[[^\]]*\]", b"/Kids /Nope", data, count=1))


def truncated(data, fraction):
    return data[: int(len(data) * fraction)]


def startxref_wrong(data, offset):
    return re.sub(rb"startxref\s+\d+", b"startxref\n%d" % offset, data)


def xref_garbled(data):
    return data.replace(b"\nxref\n", b"\nxreg\n").replace(b" 00000 n", b" 0000x n")


def zeroed(data, fraction, length):
    at = int(len(data) * fraction)
    return data[:at] + b"\0" * length + data[at + length :]


def garbage(data, where):
    junk = b"%PDF-1.7\n%\xff\xff\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\n"
    return junk + data if where == "before" else data + junk * 10


# those that write the xref table again first, then those that break it
RAW = {f.__name__: f for f in (count_lie, tree_cycle, kids_not_array, truncated,
       startxref_wrong, xref_garbled, zeroed, garbage)}  # fmt: skip
RELINKED = ("count_lie", "tree_cycle", "kids_not_array")


def mutate(original: bytes, steps: list[tuple]) -> bytes:
    """`original` with each step applied: structural ones first (pikepdf), then those on the
    bytes (those that keep the xref table sound before those that break it)."""
    pdf = pikepdf.open(io.BytesIO(original))
    for name, *args in steps:
        if name in STRUCTURAL:
            STRUCTURAL[name](pdf, *args)
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False,
             static_id=True)  # fmt: skip
    data = out.getvalue()
    on_bytes = [step for step in steps if step[0] in RAW]
    for name, *args in sorted(on_bytes, key=lambda step: step[0] not in RELINKED):
        data = RAW[name](data, *args)
    return data


# --- the strategy ------------------------------------------------------------------------------

INDEX = st.integers(0, 3)
STEPS = st.one_of(
    st.tuples(st.just("remove_page"), INDEX),
    st.tuples(st.just("duplicate_page"), INDEX, st.sampled_from([1, 3, 40])),
    st.tuples(st.just("reverse_pages")),
    st.tuples(st.just("rotate"), INDEX, st.sampled_from([90, 45, -1, 10**9])),
    st.tuples(st.just("media_box"), INDEX, st.sampled_from(
        [[0, 0, 14400, 14400], [0, 0, -1, -1], [0, 0, 0, 0], [0, 0, 1e30, 1e30], [],
         [pikepdf.Name.A, 0, 1, 1], [0, 0, 1e-30, 1e-30]])),
    st.tuples(st.just("user_unit"), INDEX, st.sampled_from([75_000, 0, -1])),
    st.tuples(st.just("replace_contents"), INDEX,
              st.sampled_from(["garbage", "spaces", "none", "no-resources"])),
    st.tuples(st.just("attachment_renamed"),
              st.sampled_from(["content/document.yaml", "data/hosts.csv", MANIFEST, MODEL]),
              st.sampled_from(NAMES)),
    st.tuples(st.just("attachment_removed"),
              st.sampled_from([MANIFEST, MODEL, "content/document.yaml", "data/hosts.csv"])),
    st.tuples(st.just("attachment_replaced"), st.sampled_from([MANIFEST, MODEL]),
              st.sampled_from(sorted(JSON_BODIES))),
    st.tuples(st.just("attachment_replaced"),
              st.sampled_from(["content/document.yaml", "content/01-trends.yaml",
                               "data/hosts.csv"]),
              st.sampled_from(sorted(CONTENT_BODIES))),
    st.tuples(st.just("attachment_bomb"),
              st.sampled_from(["data/hosts.csv", MANIFEST, MODEL, "check.json"]),
              st.sampled_from([1 << 20, 64 << 20, 1 << 30]), st.sampled_from([142, 10**12])),
    st.tuples(st.just("attachments_multiplied"), st.sampled_from([10, 1_000])),
    st.tuples(st.just("duplicate_page_forged"), INDEX, st.sampled_from([1, 40])),
    st.tuples(st.just("attachment_forged"),
              st.sampled_from(["content/document.yaml", "content/01-trends.yaml",
                               "data/hosts.csv", "data/datasets.yaml"]),
              st.sampled_from(sorted(CONTENT_BODIES))),
    st.tuples(st.just("count_lie"), st.sampled_from([0, 1, 10**9, 2**31])),
    st.tuples(st.just("tree_cycle"), st.sampled_from(["root-kid", "page-parent"])),
    st.tuples(st.just("kids_not_array")),
    st.tuples(st.just("truncated"), st.sampled_from([0.1, 0.5, 0.99])),
    st.tuples(st.just("startxref_wrong"), st.sampled_from([0, 5, 10**12])),
    st.tuples(st.just("xref_garbled")),
    st.tuples(st.just("zeroed"), st.sampled_from([0.0, 0.3, 0.7]), st.sampled_from([16, 4096])),
    st.tuples(st.just("garbage"), st.sampled_from(["before", "after"])),
)  # fmt: skip
MUTATIONS = st.lists(STEPS, min_size=1, max_size=3)
