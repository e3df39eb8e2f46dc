"""Compute: quantities, tables and charts from data -> values (pure functions over DataFrames)."""
