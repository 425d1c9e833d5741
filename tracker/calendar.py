"""The programme's calendar: dates are UK calendar dates."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    """Today in England (the server may run in UTC)."""
    return datetime.now(LONDON).date()
