"""The JSON API, version 1."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import adoptions, routes  # noqa: F401  (registers the views on bp)
