"""Whom to engage next, highlighted on the spread map (issue 12): the page's picks are the forecast
service's, in order, on the server's SVG, in the live map's data and in the table; with too little data
the page says so; trust staff get no field and a forced highlight is refused; bad input is a 400."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape

import pytest

from tests.factories import add_events
from tests.helpers import FormClient, count_statements, get_json
from tracker.calendar import today
from tracker.core.engage import signed_points as points
from tracker.core.stages import DEFAULT_THRESHOLD, threshold_named
from tracker.forecast import service
from tracker.reports.service import ambition_named

PAGE = "/spread-map?ambition=RP"
RUNS = min(200, service.ENGAGE_RUNS)  # tests' FORECAST_RUNS, as the page and the API use it
IMAGE = re.compile(r'<img class="app-map__image" id="spread-map-image" src="([^"]+)"')
BADGE = re.compile(r'<g class="app-map-engage" data-ods="([^"]+)" data-rank="(\d+)">')
PICK_ROW = re.compile(r'<tr class="nhsuk-table__row" data-ods="([^"]+)" data-rank="(\d+)">')
ALTERNATIVE_ROW = re.compile(r'<tr class="nhsuk-table__row" data-ods="([^"]+)" data-instead-of="([^"]+)">')
ENGAGE = re.compile(r"data-engage='([^']*)'")


def map_svg(client, html: str) -> str:
    """The page's image of the map (the SVG it shows without JavaScript and prints)."""
    return client.get(unescape(IMAGE.search(html).group(1))).get_data(as_text=True)


def expected(session, day=None, k=5, stage=DEFAULT_THRESHOLD) -> service.Engagement:
    ambition = ambition_named(session, "RP")
    return service.engage(session, ambition, None, stage, day or today(), k, runs=RUNS)


def highlighted(client, html: str) -> tuple[list[str], list[str], list[str]]:
    """The ODS codes highlighted, in rank order: on the page's SVG, in the table and in map.js's data."""
    on_svg = [(int(rank), ods) for ods, rank in BADGE.findall(map_svg(client, html))]
    in_table = [(int(rank), ods) for ods, rank in PICK_ROW.findall(html)]
    picks = json.loads(unescape(ENGAGE.search(html).group(1)))
    assert [pick["rank"] for pick in picks] == list(range(1, len(picks) + 1))
    return [o for _r, o in sorted(on_svg)], [o for _r, o in sorted(in_table)], [p["ods"] for p in picks]


def test_the_highlight_is_the_forecast_services_choice_in_order(demo_history, signed_in):
    engagement = expected(demo_history)
    picks = [s.ods for s in engagement.organisations]
    # The demo history has enough data; 4 of its 13 open organisations have yet to adopt, so 4 are chosen.
    assert engagement.message == "" and len(picks) == min(5, engagement.candidates) >= 3

    client = signed_in("faculty")
    html = client.get(PAGE + "&engage=5").get_data(as_text=True)
    assert highlighted(client, html) == (picks, picks, picks)
    assert [int(rank) for _ods, rank in PICK_ROW.findall(html)] == list(range(1, len(picks) + 1))
    # Each pick's gain and interval in percentage points, and its reasons, as the service gives them.
    for s in engagement.organisations:
        assert f"{points(s.gain)} points (95% interval {points(s.low)} to {points(s.high)})" in html
        assert all(unescape(reason) in unescape(html) for reason in s.reasons)
    # Every candidate is picked here: no near-equivalent is left that is not itself a pick.
    assert {a.ods for a in engagement.alternatives} <= set(picks)
    assert not ALTERNATIVE_ROW.findall(html) and 'id="spread-map-engage-no-alternatives"' in html
    assert '<h2 id="spread-map-engage-heading">Whom to engage next</h2>' in html
    assert 'id="spread-map-engage-key"' in html  # the key explains the ring and the number
    assert f"Ringed and numbered in order: the {len(picks)} organisations to engage next." in html  # SVG's desc
    if len(picks) < 5:
        assert f"only {engagement.candidates} open organisations have yet to adopt" in html


def test_k_stage_and_a_past_day_are_the_maps(demo_history, signed_in):
    day, stage = date(2024, 6, 30), threshold_named("testing")
    engagement = expected(demo_history, day, k=3, stage=stage)
    picks = [s.ods for s in engagement.organisations]
    assert picks
    # The day and the stage matter here, so the page cannot be using today's or the default's.
    assert picks != [s.ods for s in expected(demo_history, k=3, stage=stage).organisations]
    assert picks != [s.ods for s in expected(demo_history, day, k=3).organisations]
    client = signed_in("manager")
    html = client.get(PAGE + "&engage=3&min_stage=testing&as_of=2024-06-30").get_data(as_text=True)
    assert highlighted(client, html) == (picks, picks, picks)


def test_a_k_from_a_link_is_shown_as_chosen_and_alternatives_listed(demo_history, signed_in):
    client = signed_in("admin")
    html = client.get(PAGE + "&engage=2").get_data(as_text=True)
    assert '<option value="2" selected>The best 2</option>' in html
    engagement = expected(demo_history, k=2)
    picks = [s.ods for s in engagement.organisations]
    assert highlighted(client, html) == (picks, picks, picks) and len(picks) == 2
    # The near-equivalent alternatives outside the picks, each with the pick it could replace, in the
    # service's order (a pick the search also named as another's near-equivalent is no alternative).
    alternatives = [(a.ods, a.instead_of) for a in engagement.alternatives if a.ods not in picks]
    assert alternatives and ALTERNATIVE_ROW.findall(html) == alternatives
    for a in engagement.alternatives:
        if a.ods not in picks:
            assert f"{points(a.gain)} points (95% interval {points(a.low)} to {points(a.high)})" in html


def test_without_engage_nothing_is_highlighted_and_the_field_offers_it(demo_history, signed_in):
    client = signed_in("faculty")
    html = client.get(PAGE).get_data(as_text=True)
    assert '<label class="nhsuk-label " for="engage">Highlight whom to engage next</label>' in html
    assert '<option value="" selected>No highlight</option>' in html
    for k in (3, 5, 10):
        assert f'<option value="{k}">The best {k}</option>' in html
    assert highlighted(client, html) == ([], [], [])
    assert "Whom to engage next</h2>" not in html and 'id="spread-map-engage-key"' not in html


def test_too_little_data_is_said_instead_of_highlighting(seeded, signed_in):
    message = expected(seeded).message
    assert message.startswith("Too little data")
    client = signed_in("manager")
    html = client.get(PAGE + "&engage=5").get_data(as_text=True)
    assert f'<p id="spread-map-engage-message">{message}</p>' in unescape(html)
    assert highlighted(client, html) == ([], [], [])
    assert 'id="spread-map-engage-table"' not in html and 'id="spread-map-engage-key"' not in html


def test_the_maps_other_tables_and_insights_remain(demo_history, signed_in):
    html = signed_in("faculty").get(PAGE + "&engage=5").get_data(as_text=True)
    for heading in ("Organisations", "Learning links", "Network insights", "Downloads"):
        assert f">{heading}</h2>" in html
    picks = expected(demo_history).organisations
    assert html.count('<tr class="nhsuk-table__row" data-ods=') >= 13 + len(picks)  # every organisation, the picks


@pytest.mark.parametrize("role", ["faculty", "manager", "admin"])
def test_recommenders_get_the_field(seeded, signed_in, role):
    assert 'name="engage"' in signed_in(role).get(PAGE).get_data(as_text=True)


def test_trust_staff_get_no_field_and_a_forced_highlight_is_refused(demo_history, signed_in):
    client = signed_in("trust")
    plain = client.get(PAGE)
    assert plain.status_code == 200
    html = plain.get_data(as_text=True)
    assert 'name="engage"' not in html and "Whom to engage next" not in html
    assert highlighted(client, html) == ([], [], [])
    # A shared link without a highlight (engage left empty) is the plain map.
    assert client.get(PAGE + "&engage=").status_code == 200
    picks = [s.ods for s in expected(demo_history).organisations]
    for query in ("&engage=5", "&engage=1", "&engage=abc"):
        for url in (PAGE, "/spread-map/map.svg?ambition=RP", "/spread-map/timeline?ambition=RP"):
            refused = client.get(url + query)
            assert refused.status_code == 403
            body = refused.get_data(as_text=True)
            assert "data-rank" not in body and not any(ods in body for ods in picks)


@pytest.mark.parametrize("value", ["0", "21", "abc", "1.5", "-1", "5x", "１"])
def test_a_malformed_highlight_is_explained_in_the_error_summary(seeded, signed_in, value):
    client = signed_in("faculty")
    response = client.get(f"{PAGE}&engage={value}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert '<a href="#engage">Choose how many organisations to highlight: a whole number from 1 to 20</a>' in html
    assert 'id="spread-map"' not in html
    timeline = client.get(f"/spread-map/timeline?ambition=RP&engage={value}")
    assert timeline.status_code == 400 and "engage" in timeline.get_json()["errors"]
    assert client.get(f"/spread-map/map.svg?ambition=RP&engage={value}").status_code == 400


def test_the_timeline_carries_no_highlight(demo_history, signed_in):
    """The highlight is as of the page's day only: the page lists its picks (data-engage), and map.js
    rings them when it draws that day. The timeline's address carries no engage."""
    client = signed_in("faculty")
    html = client.get(PAGE + "&engage=5").get_data(as_text=True)
    address = unescape(re.search(r'data-timeline-url="([^"]+)"', html)[1])
    assert "engage" not in address
    assert "engage" not in json.dumps(get_json(client, address)) and "rank" not in json.dumps(get_json(client, address))


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_the_graph_api_names_no_pick_whoever_asks(demo_history, signed_in, role):
    """It shares the map's service (tracker.maps.service.network), which knows nothing of engagement."""
    client = signed_in(role)
    plain = get_json(client, "/api/v1/network?ambition=RP")
    assert get_json(client, "/api/v1/network?ambition=RP&engage=5") == plain  # the parameter means nothing there
    assert "engage" not in json.dumps(plain) and "rank" not in json.dumps(plain)


def test_the_highlight_links_to_the_forecast_page(demo_history, signed_in):
    client = signed_in("faculty")
    html = client.get(PAGE + "&engage=3").get_data(as_text=True)
    assert 'href="/forecast?ambition=RP&amp;min_stage=implementing" id="spread-map-forecast-link"' in html
    plain = client.get(PAGE).get_data(as_text=True)
    assert 'id="spread-map-forecast-link"' not in plain


def test_statements_with_the_highlight_are_few_and_fixed_once_cached(make_app, demo_history):
    app = make_app(COVERAGE_CACHE_SIZE=16)
    client = FormClient(app.test_client())
    client.sign_in_as("faculty")

    def warm(url):
        assert client.get(url).status_code == 200  # computes and caches
        with count_statements(app) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    plain, highlighted_ = warm(PAGE), warm(PAGE + "&engage=5")
    # Both pages are kept whole (tracker.page_cache): the user, the form's choices and the data version.
    assert highlighted_ == plain
    rows = [("RTQ", "RP-04", "implementing", date(2024, 3, 1)), ("RWV", "RP-04", "implementing", date(2024, 5, 1))]
    add_events(demo_history, rows)
    assert warm(PAGE + "&engage=5") == highlighted_


def test_gains_read_as_signed_percentage_points():
    assert (points(0.042), points(-0.012), points(-0.0001), points(0.0)) == ("+4.2", "-1.2", "+0.0", "+0.0")


def test_the_svg_rings_and_numbers_only_the_picks_in_rank_order(demo_history, signed_in):
    client = signed_in("faculty")
    html = client.get(PAGE + "&engage=2").get_data(as_text=True)
    svg = map_svg(client, html)
    groups = re.findall(r'<g class="app-map-engage" data-ods="([^"]+)" data-rank="(\d)">(.*?)</g>', svg)
    assert [int(rank) for _ods, rank, _body in groups] == [1, 2]
    for ods, rank, body in groups:
        assert body.startswith(f"<title>To engage next, number {rank}: ") and f"({ods})" in body
        assert body.count('class="app-map-engage__ring"') == 1  # the ring, not colour alone...
        assert body.endswith(f">{rank}</text>")  # ...and the number
