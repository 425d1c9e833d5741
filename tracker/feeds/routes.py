"""The data dictionary page: every feed for Power BI and Excel, its address, filters and columns
(what tracker.feeds.dictionary says, and what the feeds write)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

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
        # Power BI's Web.Contents keeps the site's address fixed and takes the feed as a path relative to it.
        site_root=url_for("main.home", _external=True),
        example_path=url_for("api.feed", name="events", fmt="csv").removeprefix(request.script_root + "/"),
        breadcrumbs=[("Home", url_for("main.home")), ("Spreadsheets", url_for("spreadsheets.export"))],
    )
