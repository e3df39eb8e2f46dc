"""Data: CSV tables from data/, read with provenance and clear, located errors."""
