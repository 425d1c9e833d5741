"""The dates an organisation may have: plain checks shared by the forms, the services and the seed,
and where an organisation stands on a day (open by Organisation.is_open_on, not yet open, or closed).

An NHS organisation cannot have opened or closed before the NHS existed, and the tracker records what
has happened, not what is planned: no date is in the future. A planned merger is recorded on the day
(or later, backdated). So a typing slip like 2999 or 1899 is refused instead of silently hiding an
organisation, or its whole history, from every figure.
"""

from __future__ import annotations

from datetime import date

from ..calendar import people_date
from ..core.opening import closed_by, not_yet_open

NHS_FOUNDED = date(1948, 7, 5)


def opening_error(opened_on: date | None, today: date, subject: str = "organisation") -> str | None:
    """Why the date an organisation (or a ward: subject) opened is not plausible, or None."""
    if opened_on is None:
        return None
    if opened_on < NHS_FOUNDED:
        return (
            f"The open from date must be on or after {people_date(NHS_FOUNDED)}, when the NHS began "
            f"(leave it blank for an older {subject})"
        )
    if opened_on > today:
        return "The open from date must be today or in the past"
    return None


def closing_error(closed_on: date | None, today: date, subject: str = "organisation") -> str | None:
    """Why the date an organisation (or a ward: subject) closed is not plausible, or None."""
    if closed_on is None:
        return None
    if closed_on < NHS_FOUNDED:
        return f"The date the {subject} closed must be on or after {people_date(NHS_FOUNDED)}, when the NHS began"
    if closed_on > today:
        return f"The date the {subject} closed must be today or in the past"
    return None


def order_error(opened_on: date | None, closed_on: date | None, subject: str = "organisation") -> str | None:
    """Why an organisation (or a ward: subject) cannot have closed on that date, given when it opened, or None."""
    if opened_on is not None and closed_on is not None and closed_on < opened_on:
        return f"The date the {subject} closed must be on or after the date it opened, {people_date(opened_on)}"
    return None


def date_errors(
    opened_on: date | None, closed_on: date | None, today: date, subject: str = "organisation"
) -> dict[str, str]:
    """Every problem with a pair of dates, by field (opened_on, closed_on)."""
    errors = {}
    if message := opening_error(opened_on, today, subject):
        errors["opened_on"] = message
    if message := closing_error(closed_on, today, subject):
        errors["closed_on"] = message
    if not errors and (message := order_error(opened_on, closed_on, subject)):
        errors["closed_on"] = message
    return errors


def opens_later(organisation, day: date) -> bool:
    """Not yet open on day: it opens after it."""
    return not_yet_open(organisation.opened_on, day)


def has_closed(organisation, day: date) -> bool:
    """Closed by day: not open on it (Organisation.is_open_on), and not because it has yet to open."""
    return closed_by(organisation.closed_on, day)
