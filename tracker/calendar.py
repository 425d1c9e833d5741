"""The programme's calendar: dates are UK calendar dates, written the way people write them."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

PROGRAMME_START = date(2021, 4, 1)
"""The Mental Health Safety Improvement Programme's start: the first day reports and maps can show."""


def today() -> date:
    """Today in England (the server may run in UTC)."""
    return datetime.now(LONDON).date()


def _in_london(value: datetime) -> datetime:
    # Stored times are UTC; a naive one is taken as UTC too, as the database gives them back.
    return value.astimezone(LONDON) if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC")).astimezone(LONDON)


def people_date(value: date | datetime | None) -> str:
    """A date as people write it, everywhere in the app: "1 October 2024" (a time: its day in England)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _in_london(value)
    return f"{value.day} {value:%B %Y}"


def people_datetime(value: datetime | None) -> str:
    """A moment as people in England read it: "1 October 2024 at 14:05" (UK time, summer time included)."""
    if value is None:
        return ""
    local = _in_london(value)
    return f"{people_date(local)} at {local:%H:%M}"


def people_month(value: date) -> str:
    """A month as people write it: "October 2024"."""
    return f"{value:%B %Y}"


def iso_day(value: str) -> date:
    """The day an ISO text names ("2024-10-01"); ValueError, saying what is wanted, if it names none."""
    try:
        if len(value) == 10 and value[4] == value[7] == "-":  # not the week form 2024-W40-2
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError(f"{value!r} is not a date written as YYYY-MM-DD")


_ISO_DAY_OR_MONTH = re.compile(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b")


def people_dates_in(text: str) -> str:
    """Text with its ISO days and months (2019-10-21, 2020-03) written as people write them."""

    def rewrite(match: re.Match) -> str:
        year, month, day = int(match[1]), int(match[2]), match[3]
        try:
            return people_date(date(year, month, int(day))) if day else people_month(date(year, month, 1))
        except ValueError:
            return match[0]

    return _ISO_DAY_OR_MONTH.sub(rewrite, text)
