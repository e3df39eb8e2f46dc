"""Export: HTML -> PDF with WeasyPrint, behind a URL fetcher that reads only the project."""
