"""Render: the numbered document model + computed tables -> one HTML document (Jinja)."""
