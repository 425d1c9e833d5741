"""The forecast page (/forecast) and its downloads, through the real database: what a project manager reads
(targets' chances, the model's numbers, the backtest) agrees with the forecast service for the same inputs;
too little history is said, not forecast; bad input is 400 and unknown codes 404; the downloads hold the
page's table; whom to engage next is shown to faculty, managers and administrators and never to trust
staff; and a repeat request is served from the cache in a few statements."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import add_events
from tests.helpers import FormClient, count_statements, figure, page_text, region, rows_of
from tracker.calendar import people_date, people_month, today
from tracker.core.engage import signed_points
from tracker.core.stages import DEFAULT_THRESHOLD
from tracker.forecast import service
from tracker.models import Ambition, AmbitionTarget, Organisation
from tracker.reports.service import ambition_named

PAGE = "/forecast?ambition=RP"
RECOMMENDERS = ("faculty", "manager", "admin")


def _outlook(session, app, network=None, horizon=None):
    """What the service forecasts for the page's inputs (same runs, same seed): the figures to expect."""
    return service.outlook(
        session,
        ambition_named(session, "RP"),
        network,
        DEFAULT_THRESHOLD,
        today(),
        horizon,
        runs=app.config["FORECAST_RUNS"],
    )


def _network(session, code):
    from tracker.reports.service import network_named

    return network_named(session, code)


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]


def _close(shown: list[float], shares: list[float], decimals: int = 1) -> bool:
    """Percentages as shown (rounded) against shares."""
    return len(shown) == len(shares) and all(
        abs(s - v * 100) <= 0.5 * 10**-decimals + 1e-9 for s, v in zip(shown, shares, strict=True)
    )


@pytest.fixture
def board_targets(demo_history):
    """Two dated targets a year from now: 80% of organisations (the demo's reach is below it), and 50%
    (already reached)."""
    ambition = demo_history.scalar(select(Ambition).filter_by(code="RP"))
    year_on = date(today().year + 1, today().month, 1)
    for label, share in (("Board", 80), ("Interim", 50)):
        text = f"At least {share}% of trusts engaged"
        demo_history.add(AmbitionTarget(ambition=ambition, label=label, text=text, target_date=year_on, position=9))
    demo_history.commit()
    return year_on


def test_the_targets_show_the_forecasts_chance_and_crossing(board_targets, demo_history, app, signed_in):
    markup = signed_in("trust").get(PAGE).get_data(as_text=True)
    expected = _outlook(demo_history, app)
    board = next(t for t in expected.targets if t.label == "Board")
    now = [m.observed for m in expected.months if m.observed is not None][-1]
    assert board.probability is not None and 0.5 <= now < 0.8

    rows = {row[0]: row[1:] for row in rows_of(region(markup, "targets"))}
    assert rows["Board"][:2] == [people_date(board_targets), "80%"]
    assert _close(_numbers(rows["Board"][2]), [board.probability], decimals=0)
    crossing = (
        people_month(date.fromisoformat(board.median_month + "-01")) if board.median_month else "Not within the horizon"
    )
    assert rows["Board"][3] == crossing
    assert rows["Interim"][1] == "50%" and rows["Interim"][3] == f"Already reached ({now * 100:.0f}% now)"
    # RP's published targets are dated 2023 and 2024: passed, so no chance, and left off the chart.
    assert rows["Revised"][1:3] == ["100%", "Date passed"] and rows["Original"][2] == "Date passed"
    assert markup.count('class="app-fan__target"') == 2 and "Target 80% by" in markup
    assert "Targets whose date has passed are in the table of targets above" in page_text(markup)
    assert "This is decision support, not a prediction" in page_text(markup)


def test_the_model_in_plain_words_matches_the_fit(demo_history, app, signed_in):
    markup = signed_in("trust").get(PAGE).get_data(as_text=True)
    fit = _outlook(demo_history, app).fit
    assert fit.enough_data
    for name, estimate in (("background", fit.background), ("transmission", fit.transmission)):
        shown = _numbers(figure(markup, name).replace("95%", ""))
        # percentages with a decimal below 10%, whole above: within half a point either way
        assert _close(shown, [estimate.estimate, estimate.low, estimate.high], decimals=0), (name, shown, estimate)
    model = region(markup, "model")
    assert fit.message in page_text(model)  # the ratio in plain words
    p = fit.network_effect_p_value
    assert figure(markup, "p-value").startswith("p < 0.001" if p < 0.001 else f"p = {p:.3f}")
    verdict = "is distinguishable from zero" if p < 0.05 else "is not distinguishable from zero"
    assert verdict in page_text(model)
    assert figure(markup, "observations").startswith(f"{fit.observations} organisation-months at risk")
    assert "strength (1 to 5) divided by 5" in page_text(model)


def test_the_fan_chart_and_its_table_hold_the_forecasts_months(demo_history, app, signed_in):
    markup = signed_in("trust").get(PAGE + "&horizon_months=6").get_data(as_text=True)
    expected = _outlook(demo_history, app, horizon=6)
    assert 'class="app-fan"' in markup and 'class="app-fan__band"' in markup
    rows = rows_of(markup[markup.index('id="fan-table"') :])
    assert len(rows) == len(expected.months) and sum(1 for m in expected.months if m.median is not None) == 6
    for row, month in zip(rows, expected.months, strict=True):
        assert row[0] == people_month(date.fromisoformat(month.month + "-01"))
        for cell, value in zip(row[1:], (month.observed, month.median, month.low, month.high), strict=True):
            assert cell == ("– None" if value is None else f"{value * 100:.1f}%")


def test_the_backtest_sets_the_model_against_both_baselines(demo_history, app, signed_in):
    markup = signed_in("trust").get(PAGE).get_data(as_text=True)
    past = _outlook(demo_history, app).backtest
    rows = rows_of(region(markup, "backtest"))
    assert [r[0].replace(" Closest", "") for r in rows] == [
        "Network model",
        "Straight line",
        "Bass curve",
    ]
    for row, mae in zip(rows, (past.model_mae, past.straight_line_mae, past.bass_mae), strict=True):
        assert row[1] == f"{mae * 100:.1f} points"
    inside = round(past.coverage_of_band * len(past.observed))
    assert rows[0][2].startswith(f"{inside} of {len(past.observed)} months")
    beaten = [
        name
        for name, mae in (("straight line", past.straight_line_mae), ("Bass curve", past.bass_mae))
        if mae < past.model_mae
    ]
    verdict = page_text(region(markup, "backtest"))
    if beaten:
        assert "The network model did worse than" in verdict and all(name in verdict for name in beaten)
    else:
        assert "forecast reach better than both baselines" in verdict


def test_a_model_worse_than_a_baseline_is_said_plainly():
    from tracker.core.backtest import Backtest
    from tracker.forecast.present import backtest_verdict

    past = Backtest(12, (0.1,) * 12, "", model_mae=0.05, straight_line_mae=0.02, bass_mae=0.08)
    assert backtest_verdict(past).startswith(
        "The network model did worse than the straight line over the last 12 months"
    )


@pytest.mark.parametrize("role", ["trust", "manager"])
def test_too_little_history_is_said_instead_of_a_forecast(seeded, signed_in, role):
    response = signed_in(role).get(PAGE)  # no adoption yet
    markup = response.get_data(as_text=True)
    assert response.status_code == 200
    callout = markup[markup.index('id="too-little-data"') :]
    assert "Too little data to fit the model" in page_text(callout[: callout.index("</div>")])
    assert 'class="app-fan"' in markup and "app-fan__band" not in markup  # observed only: no band
    assert all(row[2] == "– None" for row in rows_of(markup[markup.index('id="fan-table"') :]))
    assert "No forecast" in figure(markup, "chance")
    if role == "manager":
        assert "Too little data" in page_text(region(markup, "engage-heading"))


def test_one_networks_short_history_is_said_too(demo_history, app, signed_in):
    markup = signed_in("faculty").get(PAGE + "&network=OXF").get_data(as_text=True)
    fit = _outlook(demo_history, app, network=ambition_named(demo_history, "RP") and _network(demo_history, "OXF")).fit
    assert not fit.enough_data
    assert fit.message in page_text(markup) and "app-fan__band" not in markup
    assert "Health Innovation Oxford and Thames Valley" in page_text(markup)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("&horizon_months=0", "Months to forecast must be a whole number from 1 to 120"),
        ("&horizon_months=121", "Months to forecast must be a whole number from 1 to 120"),
        ("&horizon_months=twelve", "Months to forecast must be a whole number from 1 to 120"),
        ("&min_stage=discontinued", "Choose the stage from which an organisation counts as adopting"),
    ],
)
def test_bad_values_are_400_with_the_error_summary_and_no_forecast(seeded, signed_in, query, message):
    client = signed_in("faculty")
    for url in (PAGE + query, "/forecast/figures.csv?ambition=RP" + query):
        response = client.get(url)
        assert response.status_code == 400
    markup = client.get(PAGE + query).get_data(as_text=True)
    assert "nhsuk-error-summary" in markup and message in page_text(markup)
    assert "fan-chart" not in markup and 'id="engage"' not in markup


@pytest.mark.parametrize("query", ["?ambition=NOPE", "?ambition=RP&network=NOPE"])
def test_unknown_codes_are_404(seeded, signed_in, query):
    client = signed_in("trust")
    assert client.get("/forecast" + query).status_code == 404
    assert client.get("/forecast/figures.xlsx" + query).status_code == 404


def test_the_downloads_hold_the_pages_table(demo_history, signed_in):
    client = signed_in("manager")
    query = "?ambition=RP&min_stage=testing&horizon_months=4"
    markup = client.get("/forecast" + query).get_data(as_text=True)
    shown = rows_of(markup[markup.index('id="fan-table"') :])
    response = client.get("/forecast/figures.csv" + query)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f'forecast-RP-testing-{today().isoformat()}.csv"')
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["month", "observed_reach", "forecast_median", "band_80_low", "band_80_high"]
    assert len(table) - 1 == len(shown)
    for row, page_row in zip(table[1:], shown, strict=True):
        assert people_month(date.fromisoformat(row[0] + "-01")) == page_row[0]
        for value, cell in zip(row[1:], page_row[1:], strict=True):
            assert cell == ("– None" if value == "" else f"{float(value) * 100:.1f}%")
    assert sum(1 for row in table[1:] if row[2]) == 4

    book = load_workbook(io.BytesIO(client.get("/forecast/figures.xlsx" + query).data), read_only=True)
    sheet = list(book.active.iter_rows(values_only=True))
    assert list(sheet[0]) == table[0] and len(sheet) == len(table)
    assert [r[0] for r in sheet[1:]] == [r[0] for r in table[1:]]
    for got, want in zip(sheet[1:], table[1:], strict=True):
        got = (*got, None, None, None, None)[1:5]  # read-only rows leave out trailing empty cells
        assert [None if v is None else round(v, 4) for v in got] == [float(v) if v else None for v in want[1:]]


@pytest.mark.parametrize("role", RECOMMENDERS)
def test_recommenders_see_whom_to_engage_next(demo_history, app, signed_in, role):
    markup = signed_in(role).get(PAGE).get_data(as_text=True)
    engagement = service.engage(
        demo_history,
        ambition_named(demo_history, "RP"),
        None,
        DEFAULT_THRESHOLD,
        today(),
        runs=app.config["FORECAST_RUNS"],
    )
    section = markup[markup.index('id="engage"') : markup.index("</section>")]
    assert engagement.organisations and not engagement.message
    assert re.findall(r'data-ods="([^"]+)"', section) == [s.ods for s in engagement.organisations]
    gains = [figure(part, "gain") for part in section.split('data-ods="')[1:]]
    assert gains == [f"{signed_points(s.gain)} percentage points" for s in engagement.organisations]
    text = page_text(section)
    first = engagement.organisations[0]
    assert f"95% interval {signed_points(first.low)} to {signed_points(first.high)}" in text
    assert all(reason in text for reason in first.reasons)
    assert people_month(date.fromisoformat(engagement.month + "-01")) in text
    picked = {s.ods for s in engagement.organisations}
    for alternative in engagement.alternatives:  # one picked already is no alternative to another
        shown = f"({alternative.ods}, {signed_points(alternative.gain)} points" in text
        assert shown == (alternative.ods not in picked)
    assert f"engage={service.K}" in section  # the highlighted spread map
    assert 'href="#engage"' in markup


def test_trust_staff_never_see_recommendations_nor_any_organisation_as_a_target(demo_history, app, signed_in):
    engagement = service.engage(
        demo_history,
        ambition_named(demo_history, "RP"),
        None,
        DEFAULT_THRESHOLD,
        today(),
        runs=app.config["FORECAST_RUNS"],
    )
    named = [s.ods for s in (*engagement.organisations, *engagement.alternatives)]
    assert named  # what a manager is shown
    markup = signed_in("trust").get(PAGE).get_data(as_text=True)
    assert "Whom to engage next" not in markup and 'id="engage"' not in markup and "data-ods" not in markup
    assert not [ods for ods in named if f"({ods})" in markup]
    assert "engage=" not in markup


@pytest.mark.parametrize("role", ["trust", "manager"])
def test_the_page_links_to_the_what_if_the_coverage_and_for_recommenders_the_highlighted_map(
    demo_history, signed_in, role
):
    markup = signed_in(role).get(PAGE).get_data(as_text=True)
    assert 'href="/forecast/what-if?ambition=RP&amp;min_stage=implementing"' in markup and "What if?" in markup
    assert 'href="/coverage?ambition=RP"' in markup
    assert ("/spread-map?engage=5&amp;ambition=RP&amp;min_stage=implementing" in markup) == (role == "manager")
    if role == "trust":
        assert "engage=" not in markup


def test_the_coverage_report_and_the_dashboard_link_to_the_forecast(demo_history, signed_in):
    client = signed_in("trust")
    coverage = client.get("/coverage?ambition=RP&network=OXF").get_data(as_text=True)
    assert "/forecast?ambition=RP&amp;min_stage=implementing&amp;network=OXF" in coverage
    home = client.get("/").get_data(as_text=True)
    assert 'href="/forecast?ambition=RP"' in home and 'href="/forecast">Forecast</a>' in home


@pytest.mark.parametrize(("role", "statements"), [("trust", 5), ("faculty", 5)])
def test_a_repeat_is_served_from_the_cache_in_a_few_statements(make_app, demo_history, role, statements):
    app = make_app(COVERAGE_CACHE_SIZE=16)
    client = FormClient(app.test_client())
    client.sign_in_as(role)

    def warm_after_cold():
        with count_statements(app) as cold:
            first = page_text(client.get(PAGE).get_data(as_text=True))
        with count_statements(app) as warm:  # the same page (the sign-out form's CSRF token carries the time)
            assert page_text(client.get(PAGE).get_data(as_text=True)) == first
        assert len(warm) < len(cold)
        return len(warm)

    # the signed-in user with the ids of their networks (what a kept page is kept for: access.viewer_key); the
    # filters' ambitions, targets and networks; the data version the kept page is filed under (tracker.page_cache)
    assert warm_after_cold() == statements
    codes = demo_history.scalars(select(Organisation.ods_code).order_by(Organisation.ods_code)).all()[:2]
    add_events(demo_history, [(ods, "RP-03", "implementing", date(2025, 1, 5)) for ods in codes])
    assert warm_after_cold() == statements  # after a write (a new data version): the same few statements


@pytest.mark.parametrize("code", ["SSH", "SS"])
def test_every_ambition_has_its_forecast_page(demo_history, signed_in, code):
    markup = signed_in("faculty").get(f"/forecast?ambition={code}").get_data(as_text=True)
    title = demo_history.scalar(select(Ambition.title).filter_by(code=code))
    assert f"Forecast – {title}" in page_text(markup)
    if code == "SSH":  # its only target has no date
        assert "This ambition has no dated target, so there is no chance to give" in page_text(markup)
