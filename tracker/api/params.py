"""The API's query parameters: each read once, the same way in every endpoint.

Unknown parameters are ignored; a known one that is empty or malformed is BadParameter, which the
JSON error handler answers as 400 naming it. Dates are parsed by tracker.calendar.iso_day and
threshold stages by tracker.core.stages.threshold_named: the API adds only its messages.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from flask import abort, request
from werkzeug.exceptions import BadRequest

from ..calendar import iso_day
from ..core.stages import DEFAULT_THRESHOLD, LADDER, Stage, threshold_named

T = TypeVar("T")


class BadParameter(BadRequest):
    """A malformed query parameter; the JSON answer names it (tracker.errors reads .parameter)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


def or_404(row: T | None) -> T:
    """What a URL or a code parameter names; 404 when it names nothing."""
    if row is None:
        abort(404)
    return row


def day_named(name: str, value: str) -> date:
    """The day a parameter or body field holds, written exactly YYYY-MM-DD; ValueError naming it."""
    try:
        return iso_day(value.strip())
    except ValueError:
        raise ValueError(f"{name} must be a date in the form YYYY-MM-DD") from None


def parse_day(name: str, value: str) -> date:
    """A day parameter's value as a date, else BadParameter."""
    try:
        return day_named(name, value)
    except ValueError as error:
        raise BadParameter(name, str(error)) from None


def day_parameter(name: str, default: date | None = None) -> date | None:
    """The day a parameter names, default when it is absent."""
    value = request.args.get(name)
    return default if value is None else parse_day(name, value)


def code_parameter(name: str) -> str | None:
    """The value of a code filter, None when absent; an empty value is a malformed request."""
    value = request.args.get(name)
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise BadParameter(name, f"{name} must not be empty: give a code, or leave {name} out")
    return value


def threshold_parameter() -> Stage:
    """The min_stage parameter (default implementing); discontinued is no threshold, and empty is malformed."""
    value = request.args.get("min_stage")
    if value is None:
        return DEFAULT_THRESHOLD
    try:
        if value.strip():
            return threshold_named(value.strip())
    except ValueError:
        pass
    raise BadParameter("min_stage", f"min_stage must be one of {', '.join(LADDER)}")
