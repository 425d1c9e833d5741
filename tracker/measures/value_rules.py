"""The rules of a monthly value that need no database: plain values in, a checked value or the
problems by field out (no Flask, no session). The service adds the rules that need stored rows.

Fields: month (YYYY-MM, stored as its first day; from the programme's first month to the current
one), numerator (a number, 0 or more), denominator (a rate's: a number above 0; a count has none)
and note. Numbers come as text (forms, CSV) or as JSON numbers; NaN and infinity are no numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..calendar import PROGRAMME_START, people_month
from ..core.measures import first_of_month
from ..core.opening import open_on

NOTE_MAX = 2000
LARGEST = 1e12  # far beyond any month's incidents or bed days; keeps typing slips out of the charts
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_NUMBER = re.compile(r"-?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?|-?\.\d+")  # 1,234.5 as well as 1234.5


@dataclass(frozen=True)
class ValueInput:
    """A value as sent: month as "YYYY-MM" text (or a date), numbers as text or numbers."""

    month: object
    numerator: object
    denominator: object = None
    note: str = ""


@dataclass(frozen=True)
class Checked:
    month: date
    numerator: float
    denominator: float | None
    note: str


@dataclass(frozen=True)
class Names:
    """What the measure calls its numerator and denominator ("" when it has none: a count)."""

    numerator: str
    denominator: str

    @property
    def is_rate(self) -> bool:
        return bool(self.denominator)


def month_of(value: object) -> tuple[date | None, str | None]:
    """The first day of the month a value names (YYYY-MM, or a date), or why it names none."""
    if isinstance(value, date):
        return first_of_month(value), None
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None, "Enter the month, for example 2024-03"
    match = _MONTH.fullmatch(text)
    if match and 1 <= int(match[2]) <= 12 and int(match[1]) >= 1:
        return date(int(match[1]), int(match[2]), 1), None
    return None, f"'{text[:40]}' is not a month: write it as YYYY-MM, for example 2024-03"


def month_problem(month: date, today: date) -> str | None:
    """A month before the programme or after the current one is refused."""
    if month > first_of_month(today):
        return f"{people_month(month)} is in the future: values can be recorded up to {people_month(today)}"
    if month < first_of_month(PROGRAMME_START):
        return f"{people_month(month)} is before the programme started in {people_month(PROGRAMME_START)}"
    return None


def number_of(value: object, label: str) -> tuple[float | None, str | None]:
    """A number sent as text or JSON (None when blank), or why it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    not_a_number = f"The {label} must be a number, for example 12"
    if isinstance(value, bool) or (isinstance(value, float) and math.isnan(value)):
        return None, not_a_number
    if isinstance(value, int | float):
        number = float(value) if abs(value) < 1e300 else math.inf  # float() of a 400-digit int overflows
    elif isinstance(value, str) and _NUMBER.fullmatch(text := value.strip()):
        number = float(text.replace(",", ""))
    else:
        return None, not_a_number
    if number < 0:
        return None, f"The {label} cannot be negative: enter 0 or more"
    if number > LARGEST:
        return None, f"The {label} must be less than {LARGEST:,.0f}"
    return number, None


def check_input(data: ValueInput, names: Names, today: date) -> tuple[Checked | None, dict[str, str]]:
    """The value, checked; or None and every problem by field (month, numerator, denominator, note)."""
    errors: dict[str, str] = {}
    month, error = month_of(data.month)
    if month is not None:
        error = month_problem(month, today)
    if error:
        errors["month"] = error
    numerator_label = f"numerator ({names.numerator.lower()})"
    numerator, error = number_of(data.numerator, numerator_label)
    if error:
        errors["numerator"] = error
    elif numerator is None:
        errors["numerator"] = f"Enter the {numerator_label}, 0 or more"
    denominator = None
    if names.is_rate:
        denominator_label = f"denominator ({names.denominator.lower()})"
        denominator, error = number_of(data.denominator, denominator_label)
        if error:
            errors["denominator"] = error
        elif denominator is None:
            errors["denominator"] = f"Enter the {denominator_label}: this measure is a rate"
        elif denominator == 0:
            errors["denominator"] = f"The {denominator_label} must be more than 0: a rate cannot be worked out over 0"
            denominator = None
    elif not (data.denominator is None or (isinstance(data.denominator, str) and not data.denominator.strip())):
        errors["denominator"] = "This measure is a count: leave the denominator empty"
    note = data.note if isinstance(data.note, str) else ""
    if not isinstance(data.note, str | None):
        errors["note"] = "The note must be text"
    elif len(note.strip()) > NOTE_MAX:
        errors["note"] = f"The note must be {NOTE_MAX:,} characters or fewer"
    if errors:
        return None, errors
    assert month is not None and numerator is not None
    return Checked(month, numerator, denominator, note.strip()), errors


def last_day(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1) - timedelta(days=1)


def open_in_month(opened_on: date | None, closed_on: date | None, month: date) -> bool:
    """Open on at least one day of the month (the first day, or the day it opened if later)."""
    day = max(month, opened_on) if opened_on else month
    return day <= last_day(month) and open_on(opened_on, closed_on, day)
