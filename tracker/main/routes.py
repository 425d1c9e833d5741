"""The home page and the pages about the service."""

from flask import Blueprint, render_template

from ..access import public, signed_in
from ..catalogue import queries as catalogue_queries
from ..db import get_session
from ..seed import reference_data

bp = Blueprint("main", __name__)


@bp.get("/")
@signed_in
def home():
    """The ambitions at a glance, with their targets and packages."""
    ambitions = catalogue_queries.ambitions_overview(get_session())
    return render_template("main/home.html", ambitions=ambitions)


@bp.get("/about")
@signed_in
def about():
    """The programme, the collaborative, and where the reference data comes from."""
    data = reference_data()
    return render_template("main/about.html", about=data["about"], compiled=data["compiled"])


@bp.get("/accessibility")
@public
def accessibility():
    """The accessibility statement."""
    return render_template("main/accessibility.html")
