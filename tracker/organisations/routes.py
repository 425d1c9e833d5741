"""Networks and organisations: browse and maintain."""

from flask import Blueprint

bp = Blueprint("organisations", __name__)
