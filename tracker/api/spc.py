"""The SPC calculation API: an XmR chart of any series sent, for analysts working in Power BI, R or Excel.

POST /api/v1/spc is stateless (nothing is read or written) and open to every signed-in role and API
token. It hands the series to the pure core, tracker.core.spc (NHSRplotthedots 0.2.2's calculation:
its docstring says how each limit, rule, icon and warning is taken). Body, a JSON object:
  "values"                 required: numbers or null (a missing value), in date order, at most 10,000;
                           no booleans, NaN or infinities, and none larger than 10^15 either way
  "dates"                  required: one "YYYY-MM-DD" per value, strictly increasing (read as every date
                           of the API is, by tracker.api.params.day_named over tracker.calendar.iso_day)
  "improvement_direction"  "increase", "decrease" or "neutral" (default, also when null: "neutral")
  "target"                 a number, or null (default: no target, so no assurance icon)
  "fix_after_n_points"     a whole number from 12 (the core's minimum) to 10,000, or null (default:
                           limits from every point of each group)
  "rebase_dates"           days among "dates" where a new group with its own limits starts (default none)
  "screen_outliers"        true (default, also when null: NHSRplotthedots' default) leaves moving ranges
                           of 3.267 × the mean moving range or more out of the limits; false keeps them
                           (NHS England's Excel tool)
Answers:
  200 {"points": [{"date", "value", "mean", "lpl", "upl", "two_sigma_lower", "two_sigma_upper",
       "special_cause_flag", "point_type", "rule"}, …], "variation_icon", "assurance_icon", "warnings"}:
       a limit that cannot be computed is null; assurance_icon is null without a target or when the
       direction is neutral; rule is the reference's label ("Above UCL", …), null for common cause
  401 no credentials, or a bad bearer token
  422 anything wrong with the body, by field: {"error": {…, "fields": {field: message}}}

CSRF, as for the other POSTs of the API: a caller signed in by session cookie must send the CSRF
token in the X-CSRFToken header; a caller with an API token sends no cookie and needs none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..access import signed_in
from ..core import spc as core
from ..editing import InvalidInput
from ..extensions import csrf
from .guard import check_csrf
from .params import day_named
from .writes import BodyShape, invalid_body, json_body

MAX_POINTS = 10_000
LARGEST_VALUE = 10**15  # below 2^53, so a float holds every whole number; far larger, sums could overflow
FIELDS = (
    "values",
    "dates",
    "improvement_direction",
    "target",
    "fix_after_n_points",
    "rebase_dates",
    "screen_outliers",
)
BODY = BodyShape(fields=FIELDS, required=(), optional_text=("improvement_direction",))
NUMBER = "a number from -10^15 to 10^15 (no NaN or infinity)"


@dataclass(frozen=True)
class SpcRequest:
    values: list[float | None]
    dates: list[date]
    improvement: str
    target: float | None
    fix_after: int | None
    rebase_at: frozenset[int]
    screen_outliers: bool


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return -LARGEST_VALUE <= value <= LARGEST_VALUE


def _list(body: dict, name: str, errors: dict[str, str], *, required: bool) -> list | None:
    value = body.get(name)
    if value is None:
        if required:
            errors[name] = f"{name} is required: a list of at most {MAX_POINTS:,} items"
        return None
    if not isinstance(value, list):
        errors[name] = f"{name} must be a list"
        return None
    if len(value) > MAX_POINTS:
        errors[name] = f"{name} must hold at most {MAX_POINTS:,} items, not {len(value):,}"
        return None
    return value


def _values(body: dict, errors: dict[str, str]) -> list[float | None] | None:
    values = _list(body, "values", errors, required=True)
    if values is None:
        return None
    if not values:
        errors["values"] = "values must hold at least one value"
        return None
    for i, value in enumerate(values):
        if value is not None and not _is_number(value):
            errors["values"] = f"values[{i}] must be {NUMBER}, or null for a missing value; it is {_shown(value)}"
            return None
    return [None if v is None else float(v) for v in values]


def _days(body: dict, name: str, errors: dict[str, str], *, required: bool) -> list[date] | None:
    texts = _list(body, name, errors, required=required)
    if texts is None:
        return None
    days = []
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            errors[name] = f"{name}[{i}] must be a date in the form YYYY-MM-DD; it is {_shown(text)}"
            return None
        try:
            days.append(day_named(f"{name}[{i}]", text))
        except ValueError as error:
            errors[name] = str(error)
            return None
    return days


def _dates(body: dict, values: list | None, errors: dict[str, str]) -> list[date] | None:
    days = _days(body, "dates", errors, required=True)
    if days is None:
        return None
    for i in range(1, len(days)):
        if days[i] <= days[i - 1]:
            errors["dates"] = (
                f"dates must be strictly increasing: dates[{i}] ({days[i].isoformat()}) is not after "
                f"dates[{i - 1}] ({days[i - 1].isoformat()})"
            )
            return None
    if values is not None and len(days) != len(values):
        errors["dates"] = f"dates must hold one date for each value: {len(values):,} values, {len(days):,} dates"
        return None
    return days


def _rebase_at(body: dict, dates: list[date] | None, errors: dict[str, str]) -> frozenset[int]:
    days = _days(body, "rebase_dates", errors, required=False)
    if days is None or dates is None:
        return frozenset()
    index = {day: i for i, day in enumerate(dates)}
    for day in days:
        if day not in index:
            errors["rebase_dates"] = f"rebase_dates must be among the dates: {day.isoformat()} is not"
            return frozenset()
    return frozenset(index[day] for day in days)


def _target(body: dict, errors: dict[str, str]) -> float | None:
    target = body.get("target")
    if target is None:
        return None
    if not _is_number(target):
        errors["target"] = f"target must be {NUMBER}, or null for no target"
        return None
    return float(target)


def _fix_after(body: dict, errors: dict[str, str]) -> int | None:
    fix_after = body.get("fix_after_n_points")
    if fix_after is None:
        return None
    if (
        isinstance(fix_after, bool)
        or not isinstance(fix_after, int)
        or not core.MIN_FIX_AFTER <= fix_after <= MAX_POINTS
    ):
        errors["fix_after_n_points"] = (
            f"fix_after_n_points must be a whole number from {core.MIN_FIX_AFTER} to {MAX_POINTS:,}, "
            "or null to take the limits from every point"
        )
        return None
    return fix_after


def _improvement(text: str | None, errors: dict[str, str]) -> str:
    if text is None or "improvement_direction" in errors:
        return "neutral"
    if text not in core.DIRECTIONS:
        errors["improvement_direction"] = "improvement_direction must be " + ", ".join(core.DIRECTIONS)
        return "neutral"
    return text


def _screen(body: dict, errors: dict[str, str]) -> bool:
    screen = body.get("screen_outliers")
    if screen is None:
        return True
    if not isinstance(screen, bool):
        errors["screen_outliers"] = "screen_outliers must be true or false"
        return True
    return screen


def _shown(value: Any) -> str:
    """A wrong item as a message may quote it: a short text, or what kind of thing it is."""
    if isinstance(value, str):
        return repr(value[:40])
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "out of range" if not isinstance(value, float) or math.isfinite(value) else "not finite"
    return {list: "a list", dict: "an object"}.get(type(value), "something else")


def parse_spc_request(body: Any) -> SpcRequest:
    """The body of POST /spc, checked: raises InvalidInput naming each field in error."""
    text, errors = BODY.read(body)
    values = _values(body, errors)
    dates = _dates(body, values, errors)
    wanted = SpcRequest(
        values=values or [],
        dates=dates or [],
        improvement=_improvement(text["improvement_direction"], errors),
        target=_target(body, errors),
        fix_after=_fix_after(body, errors),
        rebase_at=_rebase_at(body, dates, errors),
        screen_outliers=_screen(body, errors),
    )
    if errors:
        raise InvalidInput(errors)
    return wanted


def _point(day: date, point: core.SpcPoint) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "value": point.value,
        "mean": point.mean,
        "lpl": point.lpl,
        "upl": point.upl,
        "two_sigma_lower": point.two_sigma_lower,
        "two_sigma_upper": point.two_sigma_upper,
        "special_cause_flag": point.special_cause,
        "point_type": point.point_type,
        "rule": point.rule,
    }


@signed_in
@csrf.exempt
def spc():
    """The XmR chart of the series sent: each point's limits and type, the icons (see the module docstring)."""
    check_csrf()
    try:
        wanted = parse_spc_request(json_body())
    except InvalidInput as error:
        return invalid_body(error.errors)
    result = core.spc(
        wanted.values,
        improvement=wanted.improvement,
        target=wanted.target,
        fix_after=wanted.fix_after,
        rebase_at=wanted.rebase_at,
        screen_outliers=wanted.screen_outliers,
    )
    return {
        "points": [_point(day, point) for day, point in zip(wanted.dates, result.points, strict=True)],
        "variation_icon": result.variation_icon,
        "assurance_icon": result.assurance_icon,
        "warnings": list(result.warnings),
    }
