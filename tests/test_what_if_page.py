"""The what-if page (/forecast/what-if): the forecast with organisations engaged beside the baseline, the
recommendation only for those who may see it, and spread simulated from chosen adopters, through the real
database. With the demo history (to 30 June 2025), Reduce restrictive practice (RP) has four open organisations
not yet adopting at implementing: RXX and RXY (KSS), RW1 (WSX) and RVN (WOE); R1C closed in October 2024."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import add_events, add_organisation
from tests.helpers import FormClient, count_statements, page_text, pct, rows_of
from tracker.calendar import today
from tracker.core.stages import DEFAULT_THRESHOLD
from tracker.forecast import service, whatif
from tracker.forecast.queries import panel_for
from tracker.models import Ambition, AmbitionTarget
from tracker.reports.service import ambition_named, scope

URL = "/forecast/what-if"
RP = URL + "?ambition=RP"


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, page_text(response.get_data(as_text=True))[:2000]
    return response.get_data(as_text=True)


def table(markup: str, table_id: str) -> list[list[str]]:
    return rows_of(markup[markup.index(f'id="{table_id}"') :])


def add_target(session, code: str = "RP", text: str = "90% of trusts engaged", day: date | None = None) -> None:
    """A dated target ahead of today, so that its chance is forecast."""
    ambition = session.scalar(select(Ambition).filter_by(code=code))
    day = day or date(today().year + 1, 12, 31)
    session.add(AmbitionTarget(ambition_id=ambition.id, label="Stretch", text=text, target_date=day, position=9))
    session.commit()


def share(text: str) -> float:
    return float(text.rstrip("%")) / 100


# --- the scenario -------------------------------------------------------------------------------


def test_engaging_organisations_raises_the_forecast_and_the_chance_of_the_target(demo_history, signed_in):
    add_target(demo_history)
    page = get(signed_in("trust"), RP + "&engage=RXX&codes=RW1&scenario=show")  # trust staff run scenarios too
    assert 'id="baseline-chart"' in page and 'id="scenario-chart"' in page
    months = table(page, "comparison-table")
    assert len(months) == service.default_horizon(ambition_named(demo_history, "RP"), _months_now())
    baseline = [share(row[1]) for row in months]
    scenario = [share(row[3]) for row in months]
    assert all(s >= b for s, b in zip(scenario, baseline, strict=True))
    assert scenario[-1] > baseline[-1]
    stretch = next(row for row in table(page, "targets-table") if row[0].startswith("Stretch"))
    assert stretch[1] == "90.0%"
    assert share(stretch[3]) > share(stretch[2]) and stretch[4].startswith("up ")
    summary = page_text(re.search(r"<p data-summary>(.*?)</p>", page, re.S).group(1))
    assert "Southern Health NHS Foundation Trust) (RW1)" in summary and "(RXX)" in summary and "up " in summary
    # The picks stay ticked for the next change.
    assert re.search(r'value="RXX" aria-describedby="engage-RXX-hint" checked', page)
    assert re.search(r'value="RW1" aria-describedby="engage-RW1-hint" checked', page)


def _months_now() -> int:
    first = 2021 * 12 + 3  # April 2021, the programme's first month
    return today().year * 12 + today().month - 1 - first + 1


def test_engaging_nobody_gives_identical_columns(demo_history, signed_in):
    add_target(demo_history)
    page = get(signed_in("faculty"), RP + "&scenario=show")
    rows = table(page, "comparison-table")
    assert rows and all(row[1] == row[3] and row[2] == row[4] and row[5] == "no change" for row in rows)
    stretch = next(row for row in table(page, "targets-table") if row[0].startswith("Stretch"))
    assert stretch[2] == stretch[3] and stretch[4] == "no change"
    assert "With nobody engaged, the scenario is the baseline" in page_text(page)


def test_a_past_target_is_not_forecast(demo_history, signed_in):
    page = get(signed_in("manager"), RP + "&engage=RVN&scenario=show")
    assert ["Original, 31 March 2024", "100.0%", "– Not forecast", "– Not forecast", "Date passed: not forecast"] in (
        table(page, "targets-table")
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("&codes=ZZZ9", "No organisation has the ODS code ZZZ9"),
        ("&codes=RNU", "Already adopting (at implementing or further along), so engaging it changes nothing: RNU"),
        ("&codes=R1C", "Closed, so it cannot be engaged: R1C"),
        ("&network=KSS&codes=RXX+RVN", "Not in Health Innovation Kent Surrey Sussex, so not in this forecast: RVN"),
        ("&engage=RXX&codes=12!,RW1", "Not ODS codes: 12!"),
        ("&codes=" + "+".join(f"A{i:03d}" for i in range(101)), "at most 100 organisations"),
    ],
)
def test_codes_that_cannot_be_engaged_are_named_and_nothing_is_forecast(demo_history, signed_in, query, message):
    page = get(signed_in("faculty"), RP + query + "&scenario=show", 400)
    assert message in page_text(page)
    assert "There is a problem" in page and 'href="#codes"' in page
    assert 'id="scenario-result"' not in page and 'class="app-fan"' not in page


def test_several_reasons_are_each_given(demo_history, signed_in):
    text = page_text(get(signed_in("faculty"), RP + "&codes=ZZZ9,RNU,RXX&engage=R1C&scenario=show", 400))
    assert "ZZZ9" in text and "so engaging it changes nothing: RNU" in text and "cannot be engaged: R1C" in text
    assert "RXX" not in re.search(r"There is a problem(.*?)What if", text).group(1)


def test_too_little_data_is_said_instead_of_a_forecast(seeded, signed_in):
    page = get(signed_in("manager"), URL + "?ambition=RP&codes=RNU&scenario=show")
    assert "No forecast: " in page_text(page) and "data-too-little-data" in page
    assert 'class="app-fan"' not in page


@pytest.mark.parametrize("query", ["?ambition=NOPE", "?ambition=SS&network=NOPE"])
def test_unknown_ambition_or_network_is_404(seeded, signed_in, query):
    get(signed_in("trust"), URL + query, 404)


def test_the_filters_and_options_are_checked(seeded, signed_in):
    client = signed_in("trust")
    assert "Choose the stage from which an organisation counts as adopting" in page_text(
        get(client, RP + "&min_stage=nowhere", 400)
    )


# --- the recommendation -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["faculty", "manager", "admin"])
def test_recommenders_may_take_the_recommendation(demo_history, signed_in, role):
    client = signed_in(role)
    assert "Use the recommendation" in get(client, RP)
    page = get(client, RP + "&scenario=recommend")
    chosen = service.engage(
        demo_history, ambition_named(demo_history, "RP"), None, DEFAULT_THRESHOLD, today(), runs=200
    )
    picks = [s.ods for s in chosen.organisations]
    assert picks and "The recommendation: engage" in page
    for ods in picks:
        assert f'value="{ods}" aria-describedby="engage-{ods}-hint" checked' in page
    assert set(re.findall(r'<input type="hidden" name="engage" value="(\w+)">', page)) == set(picks)
    assert 'id="scenario-chart"' in page


def test_trust_staff_never_see_or_get_the_recommendation(demo_history, signed_in):
    client = signed_in("trust")
    page = get(client, RP)
    assert "Use the recommendation" not in page and 'value="recommend"' not in page
    refused = get(client, RP + "&scenario=recommend", 403)
    assert "The recommendation" not in refused and "checked" not in refused


def test_the_page_links_to_the_forecast_for_the_same_filters(demo_history, signed_in):
    page = get(signed_in("trust"), RP + "&network=KSS&min_stage=testing")
    assert 'href="/forecast?ambition=RP&amp;min_stage=testing&amp;network=KSS"' in page


# --- the simulation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "process", "adopters", "p"),
    [
        (
            "&model=independent_cascade&adopters=RNU,+RX2&p=0.4&runs=300&seed=7",
            "independent_cascade",
            ["RNU", "RX2"],
            0.4,
        ),
        ("&model=linear_threshold&adopters=rnu&runs=200&seed=3", "linear_threshold", ["RNU"], None),
    ],
)
def test_the_simulation_is_whatifs(seeded, signed_in, query, process, adopters, p):
    page = get(signed_in("trust"), URL + "?ambition=RP&cascade=run" + query)
    panel = panel_for(seeded, scope(seeded, ambition_named(seeded, "RP"), None), DEFAULT_THRESHOLD, today())
    runs, seed = (300, 7) if p else (200, 3)
    spread = whatif.simulate(panel, process, adopters, runs=runs, seed=seed, p=p or whatif.P)
    said = page_text(re.search(r"<p data-spread>(.*?)</p>", page, re.S).group(1))
    assert f"reaches {spread.expected:.1f} of the {spread.organisations} organisations" in said
    assert f"(10th to 90th percentile: {spread.low:g} to {spread.high:g})" in said
    rows = table(page, "reached-table")
    assert [row[-1] for row in rows] == [pct(share) for _, share in spread.reached]
    assert [re.search(r"\((\w+)\)", row[0]).group(1) for row in rows] == [ods for ods, _ in spread.reached]
    started = [row for row in rows if row[0].endswith("Start")]
    assert len(started) == len(adopters) and all(row[-1] == "100.0%" for row in started)
    assert rows[0][1].startswith("Health Innovation")  # the network's name


def test_the_simulation_starts_from_todays_adopters_by_default(demo_history, signed_in):
    page = get(signed_in("faculty"), URL + "?ambition=SS&cascade=run&model=linear_threshold&adopters=")
    panel = panel_for(
        demo_history, scope(demo_history, ambition_named(demo_history, "SS"), None), DEFAULT_THRESHOLD, today()
    )
    adopters = sorted(o for o in panel.adopters_before(panel.months) if panel.is_open(o, panel.months - 1))
    spread = whatif.simulate(panel, "linear_threshold", adopters, runs=500, seed=0)
    assert f"Starting from {len(adopters)} organisations" in page_text(page)
    assert [row[-1] for row in table(page, "reached-table")] == [pct(share) for _, share in spread.reached]
    assert f'value="{", ".join(adopters)}"' in page  # the box shows them, to change


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("&adopters=ZZZ9,RNU", "Not an organisation of the learning graph of this ambition: ZZZ9"),
        ("&network=KSS&adopters=RNU", "Not an organisation of the learning graph in Health Innovation Kent"),
        ("&adopters=R!", "Not ODS codes: R!"),
        ("&model=sir", "Choose the process"),
        ("&p=0", "Enter p as a number over 0, up to 1"),
        ("&p=1.5", "Enter p as a number over 0, up to 1"),
        ("&p=nan", "Enter p as a number over 0, up to 1"),
        ("&runs=0", "Enter the runs as a whole number from 1 to 2,000"),
        ("&runs=2001", "Enter the runs as a whole number from 1 to 2,000"),
        ("&seed=-1", "Enter the seed as a whole number from 0 to 4,294,967,295"),
    ],
)
def test_bad_simulation_inputs_are_named_and_nothing_is_run(seeded, signed_in, query, message):
    query = query if "adopters=" in query else query + "&adopters=RNU"
    page = get(signed_in("trust"), URL + "?ambition=RP&cascade=run" + query, 400)
    assert message in page_text(page) and "There is a problem" in page
    assert 'id="simulation-result"' not in page


def test_nobody_adopting_asks_for_codes(seeded, signed_in):
    page = get(signed_in("trust"), URL + "?ambition=RP&cascade=run", 400)
    assert "No organisation is adopting yet: enter the ODS codes" in page_text(page)


def test_both_results_stay_when_either_part_is_run_again(demo_history, signed_in):
    page = get(signed_in("manager"), RP + "&engage=RXX&scenario=show&cascade=run&model=linear_threshold&runs=100")
    assert 'id="scenario-result"' in page and 'id="simulation-result"' in page
    scenario_form, cascade_form = re.findall(r"<form method=\"get\".*?</form>", page, re.S)
    assert '<input type="hidden" name="cascade" value="run">' in scenario_form
    assert 'name="model" value="linear_threshold"' in scenario_form and 'name="runs" value="100"' in scenario_form
    assert '<input type="hidden" name="scenario" value="show">' in cascade_form
    assert '<input type="hidden" name="engage" value="RXX">' in cascade_form


# --- statements and the cache -------------------------------------------------------------------


def test_statements_do_not_grow_with_the_picks_or_the_data(app, demo_history, signed_in):
    client = signed_in("manager")
    few = RP + "&engage=RXX&scenario=show&cascade=run&adopters=RNU&runs=50"
    many = RP + "&engage=RXX&engage=RW1&codes=RVN&scenario=show&cascade=run&adopters=RNU,RX2,RWX,RH5&runs=50"
    with count_statements(app) as before:
        get(client, few)
    with count_statements(app) as after:
        get(client, many)
    add_events(demo_history, [("RXX", "RP-01", "implementing", date(2025, 6, 1))])
    with count_statements(app) as more_data:
        get(client, RP + "&engage=RW1&engage=RVN&scenario=show&cascade=run&adopters=RNU,RXX&runs=50")
    assert len(before) == len(after) == len(more_data) <= 12, before


def test_a_repeat_comes_from_the_cache_and_the_key_holds_the_picks(make_app, demo_history):
    app = make_app(COVERAGE_CACHE_SIZE=16)
    client = FormClient(app.test_client())
    client.sign_in_as("faculty")
    one = RP + "&engage=RXX&scenario=show"
    with count_statements(app) as cold:
        first = get(client, one)
    with count_statements(app) as warm:  # the same page (the sign-out form's CSRF token carries the time)
        assert page_text(get(client, one)) == page_text(first)
    assert len(warm) < len(cold)
    other = get(client, RP + "&engage=RW1&scenario=show")
    assert table(other, "comparison-table") != table(first, "comparison-table")


@pytest.mark.parametrize("value", ["9" * 400, "x" * 5000, "-1", "1e309", "inf", "\u0661\u0662", " ", "RNU," * 300])
def test_no_field_of_either_part_gives_a_server_error(seeded, signed_in, value):
    client = signed_in("faculty")
    names = ("engage", "codes", "scenario", "model", "adopters", "p", "runs", "seed", "cascade", "network", "min_stage")
    for name in names:
        query = {"ambition": "RP", "scenario": "show", "cascade": "run", "adopters": "RNU", name: value}
        response = client.get(URL, query_string=query)
        assert response.status_code in (200, 400, 404), (name, response.status_code)


def test_at_national_scale_codes_are_typed_instead_of_ticked(seeded, signed_in):
    for i in range(120):
        add_organisation(seeded, f"N{i:03d}", network="KSS")
    seeded.commit()
    client = signed_in("faculty")
    page = get(client, URL + "?ambition=RP")
    assert "too many to list here" in page and 'type="checkbox"' not in page
    assert 'type="checkbox"' in get(client, URL + "?ambition=RP&network=OXF")  # one network: boxes again
    typed = get(client, URL + "?ambition=RP&codes=N001+n002&scenario=show")
    assert 'value="N001, N002"' in typed and "No forecast: " in page_text(typed)


def test_the_form_alone_reads_the_panel_once_between_writes(make_app, demo_history):
    """The page before any scenario lists whom one may engage from the panel: kept per state of the data,
    a second visit reads no spell and no link, and a write reads them again."""
    app = make_app(COVERAGE_CACHE_SIZE=16)
    client = FormClient(app.test_client())
    client.sign_in_as("faculty")

    def panel_reads() -> list[str]:
        with count_statements(app) as statements:
            get(client, RP)
        return [s for s in statements if "adoption_spells" in s or "learning_links" in s]

    assert panel_reads()
    assert panel_reads() == []
    add_events(demo_history, [("RXX", "RP-01", "implementing", date(2025, 6, 1))])
    assert panel_reads()
