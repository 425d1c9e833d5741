"""When an organisation is open: from its opening date (the first day open) until its closing date
(the first day closed); an unknown date bounds nothing. Organisation.is_open_on is this rule in
Python and in SQL; the log's messages and the organisation pages ask the two halves."""

from __future__ import annotations

from datetime import date


def not_yet_open(opened_on: date | None, day: date) -> bool:
    return opened_on is not None and day < opened_on


def closed_by(closed_on: date | None, day: date) -> bool:
    return closed_on is not None and day >= closed_on


def open_on(opened_on: date | None, closed_on: date | None, day: date) -> bool:
    return not not_yet_open(opened_on, day) and not closed_by(closed_on, day)
