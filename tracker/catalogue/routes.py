"""Browse and maintain the change-package catalogue."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)
