"""reporter: YAML content + CSV data + Jinja templates -> HTML and PDF, figures checked."""

__version__ = "0.1.0"
