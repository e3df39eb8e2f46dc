"""Diff: what changed between two PDFs or two revisions, in the document's own terms."""
