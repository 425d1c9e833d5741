"""A measure's SPC chart page (/measures/<code>/chart), its downloads and its rebases, through the real
database: the series rules (an organisation's whole value or its wards' sum, a network pooled, gaps),
what the page shows for a known series, who may add and remove rebases, and the statement count."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import add_events, add_spc_values, add_ward
from tests.helpers import page_text, rows_of
from tracker.editing import InvalidInput
from tracker.measures import rebases, series
from tracker.models import Measure, Rebase

CODE = "RP-RESTRAINT"
START = date(2023, 1, 1)
CHART = f"/measures/{CODE}/chart"
# A shift: 12 months around 10.5 per 1,000 bed days, then 8 around 8.5 (restraint: lower is better).
SHIFT = [10, 11] * 6 + [8, 9] * 4


def _chart(session, **args) -> series.ChartSeries:
    measure = series.measure_named(session, CODE)
    return series.chart_series(session, measure, series.scope_from(session, args))


def _table(markup: str) -> list[list[str]]:
    return rows_of(markup[markup.index('id="spc-table"') :])


# --- the series rules, through the database ---------------------------------------------------------


def test_an_organisation_is_its_whole_value_else_its_wards_summed_and_a_ward_is_its_own(seeded):
    north, south = add_ward(seeded, "RNU", "North").id, add_ward(seeded, "RNU", "South").id
    add_spc_values(seeded, CODE, "RNU", START, [3, 4, 5], denominator=500, ward_id=north)
    add_spc_values(seeded, CODE, "RNU", START, [1, 2, None], denominator=500, ward_id=south)
    add_spc_values(seeded, CODE, "RNU", date(2023, 2, 1), [20], denominator=2000)  # February as a whole

    whole = _chart(seeded, organisation="RNU")
    assert whole.months == [date(2023, 1, 1), date(2023, 2, 1), date(2023, 3, 1)]
    assert whole.values == [4.0, 10.0, 10.0]  # (3+1)/1000, the whole value 20/2000, then North alone
    assert _chart(seeded, ward=str(north)).values == [6.0, 8.0, 10.0]
    assert _chart(seeded, ward=str(south)).values == [2.0, 4.0]


def test_a_network_pools_its_organisations_and_a_missing_month_is_a_gap(seeded):
    add_spc_values(seeded, CODE, "RNU", START, [1, None, 3], denominator=100)
    add_spc_values(seeded, CODE, "RWX", START, [9, None, 1], denominator=900)
    add_spc_values(seeded, CODE, "RW1", START, [50, 50, 50], denominator=100)  # another network

    network = _chart(seeded, network="OXF")
    assert network.values == [10.0, None, 4.0]  # 10/1000 and 4/1000 pooled, not averages of rates
    assert [p.value for p in network.result.points] == [10.0, None, 4.0]
    collaborative = _chart(seeded)
    assert collaborative.values == pytest.approx([60 * 1000 / 1100, 50 * 1000 / 100, 54 * 1000 / 1100])


# --- the page, per scope and per role ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["trust", "faculty", "manager", "admin"])
def test_every_signed_in_role_sees_each_scope(seeded, signed_in, role):
    ward = add_ward(seeded, "RNU", "Ward 3").id
    add_spc_values(seeded, CODE, "RNU", START, SHIFT, ward_id=ward)
    client = signed_in(role)
    for query, heading in (
        ("?organisation=RNU", "Oxford Health"),
        (f"?ward={ward}", "Ward 3"),
        ("?network=OXF", "Oxford"),
        ("", "The whole collaborative"),
    ):
        response = client.get(CHART + query)
        assert response.status_code == 200, query
        text = page_text(response.get_data(as_text=True))
        assert heading in text
        assert "Restraint" in text and "<svg" in response.get_data(as_text=True)
        assert len(_table(response.get_data(as_text=True))) == len(SHIFT)
    markup = client.get(CHART + "?organisation=RNU").get_data(as_text=True)
    assert ('id="rebases"' in markup) and (("Add the rebase" in markup) == (role in ("manager", "admin")))


@pytest.mark.parametrize(
    "query, status, message",
    [
        (
            "?organisation=RNU&network=OXF",
            400,
            "Choose one of organisation, ward or network, not organisation and network",
        ),
        ("?ward=abc", 400, "The ward must be given by its number"),
        ("?organisation=XXX", 404, "No organisation has the ODS code XXX"),
        ("?network=NOPE", 404, "No network has the code NOPE"),
        ("?ward=999999", 404, "No ward has the number 999999"),
    ],
)
def test_a_muddled_or_unknown_scope_is_refused_plainly(seeded, signed_in, query, status, message):
    response = signed_in("trust").get(CHART + query)
    assert response.status_code == status
    if message:
        assert message in page_text(response.get_data(as_text=True))


def test_an_unknown_measure_is_not_found(seeded, signed_in):
    assert signed_in("trust").get("/measures/NOPE/chart").status_code == 404


def test_a_chart_with_no_values_too_few_or_all_the_same_says_so(seeded, signed_in):
    client = signed_in("trust")
    assert "No values have been recorded for this chart yet" in page_text(
        client.get(CHART + "?organisation=RNU").get_data(as_text=True)
    )
    add_spc_values(seeded, CODE, "RNU", START, [4, None, 6])  # no two neighbouring months
    text = page_text(client.get(CHART + "?organisation=RNU").get_data(as_text=True))
    assert "Not enough points" in text and "2 months with a value" in text and "Short group" in text
    add_spc_values(seeded, CODE, "RWX", START, [5, 5, 5])
    text = page_text(client.get(CHART + "?organisation=RWX").get_data(as_text=True))
    assert "No limits" in text and "Every month has the same value" in text and "Not enough points" not in text
    unscreened = page_text(client.get(CHART + "?organisation=RWX&screen=off").get_data(as_text=True))
    assert "No limits" not in unscreened


def test_a_shift_below_the_mean_is_special_cause_improvement_for_a_decrease_measure(seeded, signed_in):
    add_spc_values(seeded, CODE, "RNU", START, SHIFT, is_demo=True)
    markup = signed_in("faculty").get(CHART + "?organisation=RNU").get_data(as_text=True)
    rows = _table(markup)
    mean = sum(SHIFT) / len(SHIFT)  # 9.7: one group, no rebase
    assert rows[0][:3] == ["Jan 2023", "10.00", f"{mean:.2f}"]
    for row in rows[12:]:
        assert row[5:] == ["Special cause improvement", "7 points in a row below the mean"]
    assert rows[0][5:] == ["Special cause concern", "7 points in a row above the mean"]
    text = page_text(markup)
    assert (
        "Improvement (lower). Special cause variation of an improving nature: the measure is significantly lower."
        in text
    )
    assert "Assurance: none, as the measure has no target" in text
    assert "Demo" in text and "moving ranges screened" in text
    assert markup.count('data-kind="improvement"') == 8 + 8  # the chart's points and the table's rows
    assert "Aug 2024: 9.00, special cause improvement (7 points in a row below the mean)" in markup


def test_without_screening_the_limits_use_every_moving_range(seeded, signed_in):
    add_spc_values(seeded, CODE, "RNU", START, [10, 10, 10, 10, 30, 10, 10, 10])
    client = signed_in("trust")
    screened_page = client.get(CHART + "?organisation=RNU").get_data(as_text=True)
    unscreened_page = client.get(CHART + "?organisation=RNU&screen=off").get_data(as_text=True)
    # Moving ranges 0, 0, 0, 20, 20, 0, 0: mean 40/7. Screened, both 20s (not below 3.267 × 40/7) go and
    # the mean moving range is 0, so the upper limit is the mean, 12.5; unscreened it is 12.5 + 2.66 × 40/7.
    assert _table(screened_page)[0][4] == "12.50"
    assert _table(unscreened_page)[0][4] == f"{12.5 + 2.66 * 40 / 7:.2f}"
    assert "with moving ranges screened" in page_text(screened_page)
    assert "every moving range, unscreened, as NHS England's Excel tool does" in page_text(unscreened_page)
    assert f'href="{CHART}?organisation=RNU&amp;screen=off"' in screened_page


def test_a_target_gives_an_assurance_icon(seeded, signed_in):
    measure = seeded.scalar(select(Measure).filter_by(code=CODE))
    measure.target = 1.0  # far below the lower limit of a decrease measure: consistently missed
    seeded.commit()
    add_spc_values(seeded, CODE, "RNU", START, SHIFT)
    text = page_text(signed_in("trust").get(CHART + "?organisation=RNU").get_data(as_text=True))
    assert "Target: fail. The process is expected to fail the target consistently." in text
    assert "Target: 1.00" in text


def test_adoption_events_of_the_ambition_are_marked_on_the_organisations_chart(seeded, signed_in):
    add_spc_values(seeded, CODE, "RNU", START, SHIFT)
    add_events(
        seeded,
        [
            ("RNU", "RP-01", "considering", date(2023, 6, 10)),  # replaced on its own day: never the state
            ("RNU", "RP-01", "testing", date(2023, 6, 10)),
            ("RWX", "RP-02", "testing", date(2023, 7, 1)),
            ("RNU", "RP-03", "testing", date(2022, 7, 1)),  # before the chart's first month
        ],
    )
    add_events(seeded, [("RNU", "RP-01", "implementing", date(2023, 12, 5))])
    client = signed_in("trust")
    markup = client.get(CHART + "?organisation=RNU").get_data(as_text=True)
    events = page_text(markup[markup.index('id="events"') : markup.index('id="table"')])
    assert "1 Jun 2023: RP-01" in events and "testing" in events
    assert "2 Dec 2023: RP-01" in events and "implementing" in events
    assert "RP-02" not in events and "considering" not in events and "RP-03" not in events
    network = client.get(CHART + "?network=OXF").get_data(as_text=True)
    assert 'id="events"' not in network
    assert f'href="{CHART}?network=OXF&amp;events=show">Mark the adoption events' in network
    shown = client.get(CHART + "?network=OXF&events=show").get_data(as_text=True)
    assert "RWX: RP-02" in page_text(shown)


# --- rebases ------------------------------------------------------------------------------------------


def _rebases(session) -> list[tuple[date, str]]:
    session.rollback()  # a fresh read: what the requests committed
    return [(r.month, r.reason) for r in session.scalars(select(Rebase).order_by(Rebase.month))]


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_only_managers_and_admins_may_add_or_remove_rebases(seeded, signed_in, role):
    add_spc_values(seeded, CODE, "RNU", START, SHIFT)
    client = signed_in(role)
    page = CHART + "?organisation=RNU"
    response = client.submit(
        f"{CHART}/rebases?organisation=RNU", {"month": "2024-01-01", "reason": "Huddles"}, page=page
    )
    assert response.status_code == 403
    assert (
        client.submit(f"{CHART}/rebases/1/remove?organisation=RNU", {"row_version": "1"}, page=page).status_code == 403
    )
    assert _rebases(seeded) == []


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_manager_adds_a_rebase_and_the_limits_break_there_then_removes_it(seeded, signed_in, role):
    add_spc_values(seeded, CODE, "RNU", START, SHIFT)
    client = signed_in(role)
    page = CHART + "?organisation=RNU"
    response = client.submit(
        f"{CHART}/rebases?organisation=RNU", {"month": "2024-01-01", "reason": "Safety huddles implemented"}, page=page
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/chart?organisation=RNU#rebases")
    assert _rebases(seeded) == [(date(2024, 1, 1), "Safety huddles implemented")]
    markup = client.get(page).get_data(as_text=True)
    rows = _table(markup)
    assert rows[11][2] == "10.50" and rows[12][2] == "8.50"  # each group its own mean
    assert rows[12][0] == "Jan 2024 (rebase)"
    assert "Limits worked out afresh from Jan 2024: Safety huddles implemented" in markup
    assert "Short group" in page_text(markup)  # the second group has 8 months

    rebase = seeded.scalar(select(Rebase))
    stale = client.submit(f"{CHART}/rebases/{rebase.id}/remove?organisation=RNU", {"row_version": "7"}, page=page)
    assert stale.status_code == 302 and len(_rebases(seeded)) == 1
    assert "someone else changed or removed this rebase" in page_text(client.get(page).get_data(as_text=True))
    removed = client.submit(f"{CHART}/rebases/{rebase.id}/remove?organisation=RNU", {"row_version": "1"}, page=page)
    assert removed.status_code == 302 and _rebases(seeded) == []
    assert "The rebase from January 2024 has been removed" in page_text(client.get(page).get_data(as_text=True))


@pytest.mark.parametrize(
    "data, message",
    [
        ({"month": "", "reason": "Huddles"}, "Choose the month the new limits start from"),
        ({"month": "2030-01-01", "reason": "Huddles"}, "Choose a month of this chart"),
        ({"month": "January", "reason": "Huddles"}, "Choose a month of this chart"),
        ({"month": "2023-01-01", "reason": "Huddles"}, "The chart's first month already starts its limits"),
        ({"month": "2023-03-01", "reason": "   "}, "Enter the reason for the rebase"),
        ({"month": "2023-03-01", "reason": "x" * 501}, "The reason must be 500 characters or fewer"),
        ({"month": "2023-06-01", "reason": "Again"}, "June 2023 is already a rebase of this chart"),
    ],
)
def test_a_bad_rebase_gets_a_clear_message_and_writes_nothing(seeded, signed_in, data, message):
    add_spc_values(seeded, CODE, "RNU", START, SHIFT)
    client = signed_in("manager")
    page = CHART + "?organisation=RNU"
    client.submit(f"{CHART}/rebases?organisation=RNU", {"month": "2023-06-01", "reason": "Huddles"}, page=page)
    response = client.submit(f"{CHART}/rebases?organisation=RNU", data, page=page)
    assert response.status_code == 400
    assert message in page_text(response.get_data(as_text=True))
    assert _rebases(seeded) == [(date(2023, 6, 1), "Huddles")]


@pytest.mark.parametrize(
    "scope", [{"organisation": "RNU"}, {"network": "OXF"}, {}], ids=["organisation", "network", "all"]
)
def test_a_month_rebased_by_someone_else_meanwhile_is_refused_and_written_once(seeded, scope):
    add_spc_values(seeded, CODE, "RNU", START, SHIFT)
    measure = series.measure_named(seeded, CODE)
    chart = series.chart_series(seeded, measure, series.scope_from(seeded, scope))  # read before either add
    rebases.add_rebase(seeded, chart, "2023-06-01", "First", None)
    with pytest.raises(InvalidInput) as refused:
        rebases.add_rebase(seeded, chart, "2023-06-01", "Second", None)  # its chart says June is free
    assert refused.value.errors == {"month": "June 2023 is already a rebase of this chart: choose another month"}
    assert _rebases(seeded) == [(date(2023, 6, 1), "First")]


def test_a_rebase_belongs_to_its_chart_alone(seeded, signed_in):
    ward = add_ward(seeded, "RNU", "Ward 3").id
    add_spc_values(seeded, CODE, "RNU", START, SHIFT, ward_id=ward)
    client = signed_in("manager")
    for query, reason in (("?network=OXF", "Network"), (f"?ward={ward}", "Ward"), ("", "Everyone")):
        page = CHART + query
        response = client.submit(f"{CHART}/rebases{query}", {"month": "2023-06-01", "reason": reason}, page=page)
        assert response.status_code == 302, query
    seeded.rollback()
    scopes = {
        r.reason: (r.organisation_id, r.ward_id, r.network_id is not None) for r in seeded.scalars(select(Rebase))
    }
    assert scopes == {"Network": (None, None, True), "Ward": (None, ward, False), "Everyone": (None, None, False)}
    for query, reason in (("?network=OXF", "Network"), (f"?ward={ward}", "Ward"), ("", "Everyone")):
        markup = client.get(CHART + query).get_data(as_text=True)
        assert page_text(markup[markup.index('id="rebases"') :]).count("June 2023:") == 1, query
        assert f"June 2023: {reason}" in page_text(markup)
    organisation = client.get(CHART + "?organisation=RNU").get_data(as_text=True)
    assert "This chart has no rebases" in page_text(organisation) and "(rebase)" not in organisation

    rebase = seeded.scalar(select(Rebase).filter_by(reason="Network"))
    other = client.submit(
        f"{CHART}/rebases/{rebase.id}/remove?organisation=RNU", {"row_version": "1"}, page=CHART + "?organisation=RNU"
    )
    assert other.status_code == 400 and len(_rebases(seeded)) == 3
    assert "That rebase belongs to another chart" in page_text(other.get_data(as_text=True))


# --- downloads ----------------------------------------------------------------------------------------


def test_the_downloads_hold_the_tables_figures(seeded, signed_in):
    add_spc_values(seeded, CODE, "RNU", START, SHIFT)
    client = signed_in("trust")
    response = client.get(f"{CHART}/download?organisation=RNU&format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="spc-RP-RESTRAINT-RNU.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == len(SHIFT)
    assert rows[0]["month"] == "2023-01-01" and float(rows[0]["value"]) == 10.0
    assert float(rows[0]["numerator"]) == 10 and float(rows[0]["denominator"]) == 1000
    assert float(rows[0]["mean"]) == pytest.approx(9.7)
    assert rows[-1]["point_type"] == "Special cause improvement"
    assert rows[-1]["rule"] == "7 points in a row below the mean"
    assert rows[-1]["screened_moving_ranges"] == "true"

    book = load_workbook(io.BytesIO(client.get(f"{CHART}/download?organisation=RNU&format=xlsx&screen=off").data))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("month", "value", "numerator")
    assert len(values) == len(SHIFT) + 1 and values[-1][9] == "Special cause improvement"
    assert values[1][-1] == "false"


def test_a_download_of_an_unknown_format_is_refused(seeded, signed_in):
    response = signed_in("trust").get(f"{CHART}/download?organisation=RNU&format=pdf")
    assert response.status_code == 400
    assert "Choose the format csv or xlsx" in page_text(response.get_data(as_text=True))


# --- statements ---------------------------------------------------------------------------------------


def test_the_chart_runs_the_same_statements_whatever_the_organisations_and_months(seeded, signed_in, statement_counter):
    client = signed_in("manager")
    counts = []
    rounds = (
        [("RNU", START, 6)],
        [("RNU", date(2023, 7, 1), 24), ("RWX", START, 30)],  # then two organisations, 30 months
    )
    for k, additions in enumerate(rounds):
        for ods, start, months in additions:
            add_spc_values(seeded, CODE, ods, start, list(range(months)))
        add_events(seeded, [("RWX" if k else "RNU", "RP-01", "testing", date(2023, 2 + k, 1))])
        for url in (CHART + "?network=OXF&events=show", CHART + "?organisation=RNU", CHART):
            with statement_counter() as statements:
                assert client.get(url).status_code == 200
            counts.append(len(statements))
    assert counts[:3] == counts[3:]
    # the user; the measure, the scope, values, rebases, events (none to read for the collaborative)
    assert max(counts) <= 7
