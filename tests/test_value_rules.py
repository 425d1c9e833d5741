"""The rules of a monthly value that need no database, on plain values (no app)."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.measures.value_rules import Names, ValueInput, check_input, month_of, number_of, open_in_month

RATE = Names("Restraint incidents", "Occupied bed days")
COUNT = Names("Incidents of self-harm", "")
TODAY = date(2025, 6, 30)


@pytest.mark.parametrize(
    ("sent", "number"),
    [("12", 12.0), (" 2,890 ", 2890.0), ("1.5", 1.5), (".5", 0.5), ("0", 0.0), (7, 7.0), (2.25, 2.25), (None, None)],
)
def test_numbers_as_typed_or_sent(sent, number):
    assert number_of(sent, "numerator") == (number, None)


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("twelve", "must be a number"),
        ("NaN", "must be a number"),
        ("inf", "must be a number"),
        ("1e5", "must be a number"),
        ("12,34", "must be a number"),
        (float("nan"), "must be a number"),
        (True, "must be a number"),
        ("-1", "cannot be negative"),
        (-0.5, "cannot be negative"),
        (float("inf"), "must be less than 1,000,000,000,000"),
        (10**400, "must be less than"),
        ("9" * 400, "must be less than"),
    ],
)
def test_what_is_no_number_or_a_negative_one(sent, message):
    number, error = number_of(sent, "numerator")
    assert number is None and message in error


@pytest.mark.parametrize(
    ("sent", "month"),
    [("2024-03", date(2024, 3, 1)), ("2024-3", date(2024, 3, 1)), (date(2024, 3, 17), date(2024, 3, 1))],
)
def test_a_month_is_stored_as_its_first_day(sent, month):
    assert month_of(sent) == (month, None)


@pytest.mark.parametrize("sent", ["2024-13", "2024-00", "0000-01", "March 2024", "2024-03-01", "", None])
def test_what_is_no_month(sent):
    month, error = month_of(sent)
    assert month is None and error


def test_the_months_allowed_run_from_april_2021_to_this_month():
    def month_error(text):
        return check_input(ValueInput(text, 1, 10), RATE, TODAY)[1].get("month")

    assert month_error("2021-04") is None and month_error("2025-06") is None
    assert month_error("2021-03") == "March 2021 is before the programme started in April 2021"
    assert month_error("2025-07") == "July 2025 is in the future: values can be recorded up to June 2025"


def test_a_rate_needs_a_denominator_above_zero_and_a_count_has_none():
    assert check_input(ValueInput("2024-03", "4", "0"), RATE, TODAY)[1] == {
        "denominator": "The denominator (occupied bed days) must be more than 0: a rate cannot be worked out over 0"
    }
    assert "this measure is a rate" in check_input(ValueInput("2024-03", "4", ""), RATE, TODAY)[1]["denominator"]
    assert check_input(ValueInput("2024-03", "4", "10"), COUNT, TODAY)[1] == {
        "denominator": "This measure is a count: leave the denominator empty"
    }
    checked, errors = check_input(ValueInput("2024-03", "0", None, "  quiet month "), COUNT, TODAY)
    assert errors == {} and (checked.numerator, checked.denominator, checked.note) == (0.0, None, "quiet month")


@pytest.mark.parametrize(
    ("opened_on", "closed_on", "open"),
    [
        (None, None, True),
        (date(2024, 3, 31), None, True),  # opened on the month's last day
        (date(2024, 4, 1), None, False),
        (None, date(2024, 3, 2), True),  # open on the 1st
        (None, date(2024, 3, 1), False),  # closed from the month's first day
    ],
)
def test_open_in_a_month_means_open_on_at_least_one_of_its_days(opened_on, closed_on, open):
    assert open_in_month(opened_on, closed_on, date(2024, 3, 1)) is open
