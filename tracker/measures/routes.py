"""The measures pages: their blueprint and URL table.

The views live in topical modules of this package; each URL is registered here, its endpoint named
after its view (measures.<function name>).
"""

from __future__ import annotations

from flask import Blueprint

from . import value_import, value_pages

bp = Blueprint("measures", __name__)

URLS: tuple = (
    ("/organisations/<ods>/values", ["GET"], value_pages.values),
    ("/organisations/<ods>/values/<code>/new", ["GET", "POST"], value_pages.new_value),
    ("/values/<int:value_id>/edit", ["GET", "POST"], value_pages.edit_value),
    ("/measures/import", ["GET", "POST"], value_import.import_values),
    ("/measures/import/template.csv", ["GET"], value_import.import_template),
)

for rule, methods, view in URLS:
    bp.add_url_rule(rule, view_func=view, methods=methods)
