"""The programme's calendar: dates are UK calendar dates."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    """Today in England (the server may run in UTC)."""
    return datetime.now(LONDON).date()


def people_date(value: date | datetime | None) -> str:
    """A date as people write it, everywhere in the app: "1 October 2024"."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"
