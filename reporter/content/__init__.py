"""Content: YAML files -> the document model (sections, paragraphs, footnotes, labels, bindings)."""
