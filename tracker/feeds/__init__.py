"""Flat feeds for Power BI and Excel: their data dictionary, queries, encoding, and the dictionary page."""
