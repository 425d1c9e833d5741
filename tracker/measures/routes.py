"""The measures pages: their blueprint and URL table.

The views live in topical modules of this package; each URL is registered here, its endpoint named
after its view (measures.<function name>).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("measures", __name__)

URLS: tuple = ()

for rule, methods, view in URLS:
    bp.add_url_rule(rule, view_func=view, methods=methods)
