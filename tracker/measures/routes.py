"""The measures pages: their blueprint and URL table.

The views live in topical modules of this package; each URL is registered here, its endpoint named
after its view (measures.<function name>).
"""

from __future__ import annotations

from flask import Blueprint

from . import summary_pages

bp = Blueprint("measures", __name__)

URLS: tuple = (
    ("/measures/summary", ["GET"], summary_pages.summary),
    ("/measures/summary.<any(csv, xlsx):fmt>", ["GET"], summary_pages.summary_download),
)

for rule, methods, view in URLS:
    bp.add_url_rule(rule, view_func=view, methods=methods)
