"""Add and change measures.

Each function is one unit of work: it checks every rule, writes and commits, or raises InvalidInput
(by field: code, ambition, name, kind, numerator, denominator, scale, direction, target, ...) or
EditConflict having written nothing. The forms turn text into numbers and dates; the rules live here,
so that every caller (pages, command line, API) gets the same answers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..editing import InvalidInput, check_version, commit_edit
from ..limits import LARGEST_INT
from ..models import Ambition, Direction, Measure, MeasureKind, MeasureValue
from .measure_units import stored_unit

CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
CODE_LENGTH = (2, 16)
CODE_FORMAT = (
    "Enter a code of 2 to 16 capital letters, numbers and hyphens that starts with a letter, like RP-RESTRAINT"
)
NAME_MAX, PART_MAX, TEXT_MAX, URL_MAX = 200, 200, 5000, 500

CHOOSE_AMBITION = "Choose the ambition the measure belongs to"
ENTER_NAME = "Enter the name of the measure"
CHOOSE_KIND = "Choose the kind of measure"
ENTER_NUMERATOR = "Enter what the numerator counts, like Restraint incidents"
CHOOSE_DIRECTION = "Choose which way is an improvement"
SCALE_WHOLE = "Enter the scale as a whole number of 1 or more, like 1000"
SCALE_NEEDS_DENOMINATOR = (
    "A scale other than 1 needs a denominator: enter the denominator, or set the scale to 1 for a count"
)
TARGET_NUMBER = "Enter the target as a number, like 5 or 2.5, or leave it blank"
WEB_ADDRESS = "Enter a web address that starts with https:// or http://"


def code_taken(code: str) -> str:
    return f"A measure with the code {code} already exists"


def name_taken(ambition: Ambition, name: str) -> str:
    return f"{ambition.title} already has a measure called {name}"


@dataclass(frozen=True)
class MeasureDetails:
    """What an editor may set on a measure (its code is set once, when it is added)."""

    ambition: str  # ambition code
    name: str
    kind: MeasureKind | str
    numerator: str
    direction: Direction | str
    denominator: str = ""
    scale: int = 1
    target: float | None = None
    definition: str = ""
    source_note: str = ""
    source_url: str = ""


def _choice(enum_type, value, field: str, message: str, errors: dict[str, str]):
    try:
        return enum_type(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        errors[field] = message
        return None


def _web_address(url: str) -> bool:
    """An http or https address with a host: never javascript:, data: and the like."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[" and the like
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in url)


def _text(value: str, field: str, limit: int, what: str, errors: dict[str, str], required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = required
    elif len(value) > limit:
        errors[field] = f"The {what} must be {limit:,} characters or fewer"
    return value


def _checked(
    session: Session, details: MeasureDetails, editing: Measure | None = None
) -> tuple[Ambition | None, dict, dict[str, str]]:
    """The ambition and the column values the details give, and every problem with them by field."""
    errors: dict[str, str] = {}
    ambition = None
    if not (details.ambition or "").strip():
        errors["ambition"] = CHOOSE_AMBITION
    else:
        code = details.ambition.strip().upper()
        ambition = session.scalar(select(Ambition).where(Ambition.code == code))
        if ambition is None:
            errors["ambition"] = f"No ambition has the code {code}"
    values = {
        "name": _text(details.name, "name", NAME_MAX, "name", errors, required=ENTER_NAME),
        "kind": _choice(MeasureKind, details.kind, "kind", CHOOSE_KIND, errors),
        "numerator": _text(details.numerator, "numerator", PART_MAX, "numerator", errors, required=ENTER_NUMERATOR),
        "denominator": _text(details.denominator, "denominator", PART_MAX, "denominator", errors),
        "direction": _choice(Direction, details.direction, "direction", CHOOSE_DIRECTION, errors),
        "definition": _text(details.definition, "definition", TEXT_MAX, "definition", errors),
        "source_note": _text(details.source_note, "source_note", TEXT_MAX, "source note", errors),
        "source_url": _text(details.source_url, "source_url", URL_MAX, "source address", errors),
        "scale": details.scale,
        "target": details.target,
    }
    if values["source_url"] and "source_url" not in errors and not _web_address(values["source_url"]):
        errors["source_url"] = WEB_ADDRESS
    scale = details.scale
    if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= LARGEST_INT:
        errors["scale"] = SCALE_WHOLE
    elif scale != 1 and not values["denominator"]:
        errors["scale"] = SCALE_NEEDS_DENOMINATOR
    target = details.target
    if target is not None and (
        isinstance(target, bool) or not isinstance(target, int | float) or not math.isfinite(target)
    ):
        errors["target"] = TARGET_NUMBER
    if ambition is not None and values["name"] and "name" not in errors:
        same = select(Measure.id).where(
            Measure.ambition_id == ambition.id, func.lower(Measure.name) == values["name"].lower()
        )
        if editing is not None:
            same = same.where(Measure.id != editing.id)
        if session.scalar(same) is not None:
            errors["name"] = name_taken(ambition, values["name"])
    if "scale" not in errors and "denominator" not in errors:
        values["unit"] = stored_unit(values["denominator"], scale)
    return ambition, values, errors


def _last_position(session: Session, ambition: Ambition) -> int:
    """The position after the ambition's last measure: a new or moved measure goes to the end."""
    last = session.scalar(select(func.max(Measure.position)).where(Measure.ambition_id == ambition.id))
    return 0 if last is None else last + 1


def _code_taken(session: Session, code: str) -> bool:
    return session.scalar(select(Measure.id).where(Measure.code == code)) is not None


def _taken_meanwhile(session: Session, code: str | None, ambition: Ambition, name: str):
    """For commit_edit: a code or name another editor took between our check and the write is refused
    as the check would have refused it (PostgreSQL; SQLite serialises writers, so the check sees it)."""

    def refusal():
        if code is not None and _code_taken(session, code):
            return InvalidInput({"code": code_taken(code)})
        same = select(Measure.id).where(Measure.ambition_id == ambition.id, Measure.name == name)
        if session.scalar(same) is not None:
            return InvalidInput({"name": name_taken(ambition, name)})
        return None

    return refusal


def create_measure(session: Session, code: str, details: MeasureDetails, is_demo: bool = False) -> Measure:
    """Add a measure at the end of its ambition's list."""
    code = (code or "").strip().upper()
    ambition, values, errors = _checked(session, details)
    if not code:
        errors["code"] = "Enter the code of the measure"
    elif not (CODE_LENGTH[0] <= len(code) <= CODE_LENGTH[1] and CODE.match(code)):
        errors["code"] = CODE_FORMAT
    elif _code_taken(session, code):
        errors["code"] = code_taken(code)
    if errors:
        raise InvalidInput(errors)
    assert ambition is not None
    measure = Measure(code=code, ambition=ambition, position=_last_position(session, ambition), is_demo=is_demo)
    for name, value in values.items():
        setattr(measure, name, value)
    session.add(measure)
    commit_edit(session, on_integrity=_taken_meanwhile(session, code, ambition, values["name"]))
    return measure


def update_measure(
    session: Session, measure: Measure, details: MeasureDetails, expected_version: int | None
) -> Measure:
    """Change everything but the code; a measure moved to another ambition goes to the end of its list."""
    check_version(measure, expected_version)
    ambition, values, errors = _checked(session, details, editing=measure)
    if bool(values["denominator"]) != measure.is_rate and "denominator" not in errors:
        recorded = session.scalar(select(func.count()).where(MeasureValue.measure_id == measure.id))
        if recorded:
            # Stored numerators would silently change meaning (or lose their denominators).
            was, now = ("a rate", "a count") if measure.is_rate else ("a count", "a rate")
            errors["denominator"] = (
                f"{recorded} monthly value{'s are' if recorded != 1 else ' is'} recorded for this measure as {was}, "
                f"so it cannot become {now}: add a new measure instead"
            )
    if errors:
        raise InvalidInput(errors)
    assert ambition is not None
    if ambition.id != measure.ambition_id:
        measure.position = _last_position(session, ambition)
        measure.ambition = ambition
    for name, value in values.items():
        if getattr(measure, name) != value:  # an unchanged column stays out of the audit row
            setattr(measure, name, value)
    commit_edit(session, measure, on_integrity=_taken_meanwhile(session, None, ambition, values["name"]))
    return measure
