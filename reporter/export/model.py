"""The document model as JSON, embedded in the PDF so that two builds can be compared by
paragraph, footnote, table cell and figure, whatever the line breaks and pagination."""

from __future__ import annotations

import json

from reporter.content.inline import plain_text
from reporter.content.model import Document, FigureBlock, Heading, Paragraph, place

ATTACHMENT_NAME = "reporter-model.json"
MODEL_VERSION = 1


def document_model(doc: Document, tables: dict, charts: dict) -> dict:
    paragraphs, headings = [], []
    unnumbered = 0
    for part, holder, block in doc.walk():
        where = holder.number or part.kind
        if block is None:
            headings.append({"where": where, "text": plain_text(holder.title)})
            unnumbered = 0
        elif isinstance(block, Paragraph):
            if block.number:
                key = place(part, holder, block)
            else:  # unique keys for the summary's and annexes' unnumbered paragraphs
                unnumbered += 1
                key = f"{part.kind} {holder.number} text {unnumbered}".replace("  ", " ")
            text = plain_text(block.inlines)
            entry = {"key": key, "number": block.number, "label": block.label}
            paragraphs.append(entry | {"where": where, "text": text})
        elif isinstance(block, Heading):
            headings.append({"where": where, "text": plain_text(block.inlines)})
    return {
        "version": MODEL_VERSION,
        "symbol": doc.meta["symbol"],
        "title": doc.meta["title"],
        "paragraphs": paragraphs,
        "headings": headings,
        "footnotes": [
            {"number": n.number, "id": n.id, "text": plain_text(n.inlines)}
            for n in sorted(doc.footnotes.values(), key=lambda n: n.number)
            if n.number
        ],
        "tables": [_table(t) for t in sorted(tables.values(), key=lambda t: t.number)],
        "figures": [_figure(c) for c in sorted(charts.values(), key=lambda c: c.number)],
        "figure_order": [b.id for b in doc.blocks() if isinstance(b, FigureBlock)],
    }


def _table(table) -> dict:
    headings = {}
    for column in table.spec.columns:
        headings[column.id] = " / ".join(plain_text(level) for level in column.heading)
    return {
        "id": table.spec.id,
        "number": table.number,
        "title": plain_text(table.spec.title),
        "columns": headings,
        "rows": [
            {"id": row.id, "label": row.label, "cells": {c.column: c.text for c in row.cells}}
            for row in table.rows
        ],
    }


def _figure(chart) -> dict:
    data = chart.data
    series = {
        label: dict(zip(data.categories, values, strict=True)) for label, values in data.series
    }
    if data.line:
        series[data.line[0]] = dict(zip(data.categories, data.line[1], strict=True))
    return {
        "id": chart.spec.id,
        "number": chart.number,
        "title": plain_text(chart.spec.title),
        "series": series,
    }


def model_json(model: dict) -> bytes:
    return (json.dumps(model, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
