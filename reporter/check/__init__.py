"""Check: every figure stated in prose against the value computed from data."""
