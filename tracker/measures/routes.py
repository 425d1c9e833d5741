"""The measures pages: their blueprint and URL table.

The views live in topical modules of this package; each URL is registered here, its endpoint named
after its view (measures.<function name>).
"""

from __future__ import annotations

from flask import Blueprint

from . import charts

bp = Blueprint("measures", __name__)

URLS: tuple = (
    ("/measures/<code>/chart", ["GET"], charts.chart),
    ("/measures/<code>/chart/download", ["GET"], charts.chart_download),
    ("/measures/<code>/chart/rebases", ["POST"], charts.add_rebase),
    ("/measures/<code>/chart/rebases/<int:rebase_id>/remove", ["POST"], charts.remove_rebase),
)

for rule, methods, view in URLS:
    bp.add_url_rule(rule, view_func=view, methods=methods)
