"""The measures pages: their blueprint and URL table.

The views live in topical modules of this package; each URL is registered here, its endpoint named
after its view (measures.<function name>).
"""

from __future__ import annotations

from flask import Blueprint

from . import measure_pages, ward_pages

bp = Blueprint("measures", __name__)

GET, GET_POST = ["GET"], ["GET", "POST"]

URLS: tuple = (
    ("/measures", GET, measure_pages.measures),
    ("/measures/new", GET_POST, measure_pages.new_measure),
    ("/measures/<code>", GET, measure_pages.measure),
    ("/measures/<code>/edit", GET_POST, measure_pages.edit_measure),
    ("/organisations/<ods>/wards", GET, ward_pages.wards),
    ("/organisations/<ods>/wards/new", GET_POST, ward_pages.new_ward),
    ("/wards/<int:ward_id>/edit", GET_POST, ward_pages.edit_ward),
)

for rule, methods, view in URLS:
    bp.add_url_rule(rule, view_func=view, methods=methods)
