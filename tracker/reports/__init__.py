"""Spread coverage per ambition: SQL aggregates (queries.py) and the arithmetic on them (coverage.py)."""
