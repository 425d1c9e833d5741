"""The data dictionary page: every feed for Power BI and Excel, its address, filters and columns
(what tracker.feeds.dictionary says, and what the feeds write)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from ..access import signed_in
from .dictionary import FEEDS, TYPES

bp = Blueprint("feeds", __name__, url_prefix="/spreadsheets")


@bp.get("/data-dictionary")
@signed_in
def dictionary():
    """The feeds and their columns, with how to connect Power BI, Excel, R and Python to them."""
    return render_template(
        "feeds/dictionary.html",
        feeds=list(FEEDS.values()),
        types=TYPES,
        api_root=url_for("api.feed", name="events", fmt="csv", _external=True).removesuffix("feeds/events.csv"),
        breadcrumbs=[("Home", url_for("main.home")), ("Spreadsheets", url_for("spreadsheets.export"))],
    )
