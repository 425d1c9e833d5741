"""The JSON API, version 1."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import (  # noqa: E402, F401  (registers the views on bp, which they import)
    adoptions,
    coverage,
    graph,
    links,  # noqa: E402,F401  (learning links)
    routes,
)
