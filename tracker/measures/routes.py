"""The measures pages: their blueprint and URL table.

The views live in topical modules of this package; each URL is registered here, its endpoint named
after its view (measures.<function name>).
"""

from __future__ import annotations

from flask import Blueprint

from . import charts, measure_pages, summary_pages, value_import, value_pages, ward_pages

bp = Blueprint("measures", __name__)

GET, POST, GET_POST = ["GET"], ["POST"], ["GET", "POST"]

URLS: tuple = (
    ("/measures", GET, measure_pages.measures),
    ("/measures/new", GET_POST, measure_pages.new_measure),
    ("/measures/<code>", GET, measure_pages.measure),
    ("/measures/<code>/edit", GET_POST, measure_pages.edit_measure),
    ("/organisations/<ods>/wards", GET, ward_pages.wards),
    ("/organisations/<ods>/wards/new", GET_POST, ward_pages.new_ward),
    ("/wards/<int:ward_id>/edit", GET_POST, ward_pages.edit_ward),
    ("/measures/<code>/chart", GET, charts.chart),
    ("/measures/<code>/chart/download", GET, charts.chart_download),
    ("/measures/<code>/chart/rebases", POST, charts.add_rebase),
    ("/measures/<code>/chart/rebases/<int:rebase_id>/remove", POST, charts.remove_rebase),
    ("/organisations/<ods>/values", GET, value_pages.values),
    ("/organisations/<ods>/values/<code>/new", GET_POST, value_pages.new_value),
    ("/values/<int:value_id>/edit", GET_POST, value_pages.edit_value),
    ("/measures/import", GET_POST, value_import.import_values),
    ("/measures/import/template.csv", GET, value_import.import_template),
    ("/measures/summary", GET, summary_pages.summary),
    ("/measures/summary.<any(csv, xlsx):fmt>", GET, summary_pages.summary_download),
)

for rule, methods, view in URLS:
    bp.add_url_rule(rule, view_func=view, methods=methods)
