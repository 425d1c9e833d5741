"""GET /api/v1/forecast and /api/v1/engage: the issue's JSON shape, too little data, bad input, who may see
what, the cache, statement counts and determinism, through the real database."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import add_events
from tests.helpers import FormClient, assert_error, count_statements, get_json
from tracker.cache import MetricsCache
from tracker.calendar import today
from tracker.core.stages import DEFAULT_THRESHOLD
from tracker.forecast import service
from tracker.models import Adoption, LearningLink, LinkStatus, Organisation, Stage
from tracker.reports.service import ambition_named

FORECAST = "/api/v1/forecast?ambition=RP"
ENGAGE = "/api/v1/engage?ambition=RP"
TOP = {
    "ambition",
    "network",
    "min_stage",
    "as_of",
    "horizon_months",
    "runs",
    "seed",
    "enough_data",
    "message",
    "model",
    "months",
    "targets",
    "backtest",
}


def test_the_forecast_has_the_issues_shape(demo_history, signed_in):
    body = get_json(signed_in("trust"), FORECAST)  # trust staff see forecasts
    assert set(body) == TOP
    assert body["enough_data"] is True and body["runs"] == 200
    model = body["model"]
    assert set(model) == {"background", "transmission", "log_likelihood", "network_effect_p_value", "observations"}
    for name in ("background", "transmission"):
        assert set(model[name]) == {"estimate", "low", "high"}
        assert 0 <= model[name]["low"] <= model[name]["estimate"] <= model[name]["high"] <= 1
    assert model["observations"] > 0 and 0 <= model["network_effect_p_value"] <= 1
    months = body["months"]
    assert all(set(m) == {"month", "observed", "median", "low", "high"} for m in months)
    observed = [m for m in months if m["observed"] is not None]
    ahead = [m for m in months if m["median"] is not None]
    assert observed[0]["month"] == "2021-04" and observed[-1]["month"] == today().strftime("%Y-%m")
    assert len(observed) + len(ahead) == len(months) and len(ahead) == body["horizon_months"]
    assert all(m["median"] is None and m["low"] is None for m in observed)
    assert all(0 <= m["low"] <= m["median"] <= m["high"] <= 1 and m["observed"] is None for m in ahead)
    # RP's targets are dated 2023 and 2024: past, so no chance is forecast; reach: every organisation.
    assert body["targets"] == [
        {"date": "2023-09-30", "reach": 1.0, "probability": None},
        {"date": "2024-03-31", "reach": 1.0, "probability": None},
    ]
    assert body["horizon_months"] == service.BEYOND
    assert set(body["backtest"]) == {"model_mae", "straight_line_mae", "bass_mae", "coverage_of_band", "message"}
    assert body["backtest"]["straight_line_mae"] >= 0 and body["backtest"]["message"]


def test_a_horizon_and_a_network_may_be_chosen(demo_history, signed_in):
    client = signed_in("faculty")
    body = get_json(client, FORECAST + "&horizon_months=3&min_stage=testing")
    assert (body["min_stage"], body["horizon_months"], body["enough_data"]) == ("testing", 3, True)
    assert [m["month"] for m in body["months"] if m["median"] is not None] == _next_months(3)
    one = get_json(client, FORECAST + "&network=OXF")
    assert one["network"] == "OXF" and one["model"]["observations"] < body["model"]["observations"]


def _next_months(count):
    year, month = today().year, today().month
    labels = []
    for _ in range(count):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        labels.append(f"{year:04d}-{month:02d}")
    return labels


def test_too_little_data_is_said_not_forecast(seeded, signed_in):
    body = get_json(signed_in("trust"), FORECAST)
    assert body["enough_data"] is False
    assert body["message"].startswith("Too little data to fit the model")
    model = body["model"]
    assert model["background"] is None and model["transmission"] is None and model["log_likelihood"] is None
    assert model["network_effect_p_value"] is None and model["observations"] > 0  # at risk, none adopting
    assert all(m["median"] is None and m["observed"] == 0.0 for m in body["months"])
    assert all(t["probability"] is None for t in body["targets"])
    assert body["backtest"]["model_mae"] is None and body["backtest"]["coverage_of_band"] is None


def test_too_little_data_recommends_nobody(seeded, signed_in):
    engagement = get_json(signed_in("manager"), ENGAGE)
    assert engagement["organisations"] == [] and engagement["alternatives"] == []
    assert engagement["message"].startswith("Too little data")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("", "ambition"),
        ("?ambition=", "ambition"),
        ("?ambition=RP&min_stage=discontinued", "min_stage"),
        ("?ambition=RP&network=", "network"),
        ("?ambition=RP&horizon_months=0", "horizon_months"),
        ("?ambition=RP&horizon_months=121", "horizon_months"),
        ("?ambition=RP&horizon_months=twelve", "horizon_months"),
        ("?ambition=RP&horizon_months=", "horizon_months"),
        ("?ambition=NOPE&horizon_months=-1", "horizon_months"),  # form before codes: 400 before 404
    ],
)
def test_bad_forecast_parameters_are_400_naming_them(seeded, signed_in, query, parameter):
    assert_error(get_json(signed_in("trust"), "/api/v1/forecast" + query, 400), 400, parameter)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("?ambition=RP&k=0", "k"), ("?ambition=RP&k=21", "k"), ("?ambition=RP&k=1.5", "k"), ("?k=2", "ambition")],
)
def test_bad_engage_parameters_are_400_naming_them(seeded, signed_in, query, parameter):
    assert_error(get_json(signed_in("faculty"), "/api/v1/engage" + query, 400), 400, parameter)


@pytest.mark.parametrize("url", ["/api/v1/forecast", "/api/v1/engage"])
@pytest.mark.parametrize(("query", "named"), [("?ambition=NOPE", "NOPE"), ("?ambition=RP&network=NOPE", "NOPE")])
def test_unknown_codes_are_404(seeded, signed_in, url, query, named):
    body = get_json(signed_in("manager"), url + query, 404)
    assert_error(body, 404)
    assert named in body["error"]["message"]


@pytest.mark.parametrize(("role", "status"), [("trust", 403), ("faculty", 200), ("manager", 200), ("admin", 200)])
def test_only_faculty_managers_and_admins_see_recommendations(seeded, signed_in, role, status):
    assert signed_in(role).get(ENGAGE).status_code == status


def test_anonymous_callers_are_refused(seeded, client):
    assert client.get(FORECAST).status_code == 401
    assert client.get(ENGAGE).status_code == 401


def test_whom_to_engage_names_open_organisations_yet_to_adopt(demo_history, signed_in):
    body = get_json(signed_in("faculty"), ENGAGE + "&k=2")
    assert body["message"] == "" and body["k"] == 2 and body["target"] is None  # RP's targets have passed
    picks = body["organisations"]
    assert 1 <= len(picks) <= 2 <= body["candidates"] or len(picks) == body["candidates"]
    for pick in picks:
        assert set(pick) == {"ods", "gain", "low", "high", "reasons"}
        assert pick["low"] <= pick["gain"] <= pick["high"] and pick["reasons"]
    assert len({p["ods"] for p in picks}) == len(picks)
    assert all(a["instead_of"] in {p["ods"] for p in picks} for a in body["alternatives"])
    gains = [p["gain"] for p in picks]
    assert gains == sorted(gains, reverse=True)  # greedy: each next pick adds no more than the last


def test_the_same_request_gives_the_same_numbers(demo_history, signed_in):
    client = signed_in("manager")
    assert get_json(client, FORECAST) == get_json(client, FORECAST)
    assert get_json(client, ENGAGE) == get_json(client, ENGAGE)


def _organisations_yet_to_adopt(session, count):
    codes = session.scalars(select(Organisation.ods_code).order_by(Organisation.ods_code)).all()
    return codes[:count]


def test_statements_do_not_grow_with_the_history(demo_history, app):
    ambition = ambition_named(demo_history, "RP")
    day = today()

    def counted():
        with count_statements(app) as statements:
            service.outlook(demo_history, ambition, None, DEFAULT_THRESHOLD, day, runs=50)
            service.engage(demo_history, ambition, None, DEFAULT_THRESHOLD, day, runs=50)
        return len(statements)

    before = counted()
    rows = [
        (ods, "RP-04", "implementing", date(2024, 1 + i % 12, 1))
        for i, ods in enumerate(_organisations_yet_to_adopt(demo_history, 12))
    ]
    add_events(demo_history, rows)
    assert counted() == before


def test_a_repeat_is_served_from_the_cache_and_a_write_changes_the_answer(demo_history, app):
    ambition = ambition_named(demo_history, "RP")
    cache, day = MetricsCache(16), today()

    def outlook():
        return service.outlook(demo_history, ambition, None, DEFAULT_THRESHOLD, day, runs=50, cache=cache)

    first = outlook()
    with count_statements(app) as warm:
        assert outlook() is first
    assert len(warm) == 1  # the data version: its triggers watch the ledger and the learning links

    codes = _organisations_yet_to_adopt(demo_history, 40)
    add_events(demo_history, [(ods, "RP-03", "implementing", date(2025, 1, 5)) for ods in codes])
    after = outlook()
    assert after is not first and after.months != first.months

    link = demo_history.scalar(
        select(LearningLink).filter_by(status=LinkStatus.CONFIRMED, end_date=None).order_by(LearningLink.id)
    )
    link.weight = 1 if link.weight != 1 else 5
    demo_history.commit()
    changed = outlook()
    assert changed is not after  # a changed learning graph moves the data version, and the panel
    demo_history.delete(link)
    demo_history.commit()
    assert outlook() is not changed


def test_a_write_that_leaves_the_panel_as_it_was_reads_the_panel_but_fits_nothing_again(demo_history, app):
    """A note on a record that keeps its stage moves the data version but not the monthly history the
    model is fitted on: the outlook and whom to engage are those already worked out."""
    ambition = ambition_named(demo_history, "RP")
    cache, day = MetricsCache(16), today()

    def both():
        return (
            service.outlook(demo_history, ambition, None, DEFAULT_THRESHOLD, day, runs=50, cache=cache),
            service.engage(demo_history, ambition, None, DEFAULT_THRESHOLD, day, runs=50, cache=cache),
        )

    first = both()
    record = demo_history.scalar(select(Adoption).filter_by(stage=Stage.IMPLEMENTING).order_by(Adoption.id))
    ods, code, using = record.organisation.ods_code, record.change_idea.code, (record.wards_using or 0) + 1
    add_events(demo_history, [(ods, code, "implementing", day, using, max(using, record.wards_in_scope or 0))])
    again = both()
    assert again[0] is first[0]  # the very outlook kept: not fitted again
    assert again[1] == first[1]

    # Adopting earlier than it did (history from before the programme) changes the panel: fitted again.
    add_events(demo_history, [(ods, code, "implementing", date(2020, 6, 1))])
    assert both()[0] is not first[0]


def test_an_adoption_logged_leaves_the_graph_measures_cached(demo_history):
    """Betweenness and communities depend on the learning graph alone: a ledger write recomputes the
    recommendation but not them."""
    ambition = ambition_named(demo_history, "RP")
    cache, day = MetricsCache(16), today()

    def engaged():
        return service.engage(demo_history, ambition, None, DEFAULT_THRESHOLD, day, runs=50, cache=cache)

    first = engaged()
    assert first.organisations and cache.hits == 0
    codes = [s.ods for s in first.organisations[:1]]
    add_events(demo_history, [(ods, "RP-03", "implementing", date(2025, 1, 5)) for ods in codes])
    second = engaged()
    assert second is not first and codes[0] not in [s.ods for s in second.organisations]
    assert cache.hits == 1  # the graph measures, kept by the graph's content


def test_the_api_serves_a_repeat_from_the_cache(make_app, demo_history):
    app = make_app(COVERAGE_CACHE_SIZE=16)
    client = FormClient(app.test_client())
    client.sign_in_as("faculty")
    with count_statements(app) as cold:
        first = get_json(client, FORECAST)
    with count_statements(app) as warm:
        assert get_json(client, FORECAST) == first
    assert len(warm) < len(cold) and len(warm) <= 6
    with count_statements(app) as cold:
        engaged = get_json(client, ENGAGE)
    with count_statements(app) as warm:
        assert get_json(client, ENGAGE) == engaged
    assert len(warm) < len(cold)
