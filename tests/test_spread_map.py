"""The spread map page (server side) and the pure modules behind it: the SVG and the outline."""

from __future__ import annotations

import math
import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import delete, select

from tests.helpers import TOMORROW, on_the_day
from tracker.adoption import services
from tracker.adoption.rules import EventInput
from tracker.calendar import today
from tracker.core.graph import AttributedAdoption
from tracker.core.stages import Stage
from tracker.maps import layout, present, service, svg
from tracker.maps.assemble import Community, Edge, Insights, NetworkView, Node, Ranked, Scope
from tracker.maps.drawing import draw
from tracker.maps.outline import ATTRIBUTION, load_outline, parse_outline
from tracker.maps.styles import STAGE_STYLES
from tracker.models import (
    ChangeIdea,
    LearningLink,
    LinkKind,
    LinkStatus,
    Network,
    Organisation,
    OrganisationKind,
    User,
)

ROLES = ("trust", "faculty", "manager", "admin")
PAGE = "/spread-map?ambition=RP&as_of=2025-01-01"
IMAGE = re.compile(r'<img class="app-map__image" id="spread-map-image" src="([^"]+)" alt="([^"]*)"')


def page_svg(client, html: str) -> str:
    """The map the page shows without JavaScript and prints: its image, an SVG of its own address."""
    found = IMAGE.findall(html)
    assert len(found) == 1, "the page has one image of the map"
    response = client.get(unescape(found[0][0]))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


def log(session, ods: str, code: str, stage: str, day: date, **more) -> None:
    """Append one event as the demo manager would (no form, no date check against today)."""
    services.append_event(
        session,
        session.scalar(select(User).filter_by(email="manager@demo.invalid")),
        session.scalar(select(Organisation).filter_by(ods_code=ods)),
        session.scalar(select(ChangeIdea).filter_by(code=code)),
        EventInput(stage=stage, effective_date=day, **more),
    )


# The page ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_sees_the_map(signed_in, role):
    response = signed_in(role).get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Spread map</h1>" in html
    assert 'id="spread-map"' in html and "map.js" in html


def test_anonymous_visitors_are_sent_to_sign_in(seeded, client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_the_menu_leads_to_the_map(signed_in):
    html = signed_in("trust").get("/").get_data(as_text=True)
    assert '<a class="nhsuk-header__navigation-link" href="/spread-map"' in html


def test_the_defaults_are_the_first_ambition_today_and_implementing(signed_in):
    response = signed_in("manager").get("/spread-map")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'data-as-of="{today().isoformat()}"' in html
    assert '<option value="RP" selected>' in html and '<option value="implementing" selected>' in html
    assert 'data-layout="geographic"' in html


@pytest.mark.parametrize(
    "query",
    ["ambition=XX", "ambition=RP&intervention=RP-99", "ambition=RP&intervention=NOPE"],
)
def test_unknown_ambitions_and_ideas_are_not_found(signed_in, query):
    assert signed_in("manager").get(f"/spread-map?{query}").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("as_of=2025-13-01", "The date the map shows must be a real date"),
        ("as_of=yesterday", "The date the map shows must be a real date"),
        ("as_of=2025-1-5", "The date the map shows must be a real date"),  # YYYY-MM-DD only, as the API
        ("as_of=", "Enter the date the map shows"),
        ("as_of=2021-03-31", "must be on or after 1 April 2021"),
        (f"as_of={TOMORROW}", "must be today or in the past"),
        ("min_stage=discontinued", "Choose the stage from which an organisation counts as adopted"),
        ("layout=spiral", "Choose how to lay out the map"),
        ("intervention=SS-01", "Choose one of the ambition&#39;s change ideas, or all of them"),
    ],
)
def test_bad_filters_are_explained_in_an_error_summary(signed_in, query, message):
    response = signed_in("manager").get(f"/spread-map?ambition=RP&{on_the_day(query)}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "nhsuk-error-summary" in html and "There is a problem" in html
    assert message in html
    assert 'id="spread-map"' not in html  # no map for filters that make no sense


def test_the_map_image_has_a_circle_per_open_organisation_the_outline_and_its_attribution(signed_in):
    client = signed_in("manager")
    html = client.get(PAGE).get_data(as_text=True)
    map_svg = page_svg(client, html)
    # 14 trusts, Solent (R1C) closed on 1 October 2024.
    assert map_svg.count("<circle") == 13
    assert 'data-ods="R1C"' not in map_svg
    outline = load_outline()
    assert map_svg.count('class="app-map-outline ') == len(outline.features) == 19
    assert "Source: Office for National Statistics licensed under the Open Government Licence v.3.0." in map_svg
    assert "Contains OS data © Crown copyright and database right 2022 and 2023." in map_svg
    assert 'role="img"' in map_svg and "<title id=" in map_svg and "<desc id=" in map_svg
    assert unescape(IMAGE.search(html)[2]).startswith("13 organisations, placed where they are")  # its text
    # The attribution is also on the page itself, wherever the outline is drawn.
    assert f"Map outline: {ATTRIBUTION}" in html


def test_before_solent_closed_it_is_on_the_map(signed_in):
    client = signed_in("manager")
    html = client.get("/spread-map?ambition=RP&as_of=2024-09-30").get_data(as_text=True)
    assert page_svg(client, html).count("<circle") == 14


def test_the_table_lists_the_same_organisations_and_stages_as_the_map(signed_in, seeded):
    log(seeded, "RNU", "RP-01", "implementing", date(2023, 5, 1))
    log(seeded, "RXY", "RP-02", "testing", date(2024, 2, 1))
    log(seeded, "RWV", "RP-01", "sustained", date(2022, 1, 10))
    seeded.commit()
    client = signed_in("manager")
    html = client.get(PAGE).get_data(as_text=True)
    map_svg = page_svg(client, html)
    circles = dict(re.findall(r'<circle[^>]*data-ods="([A-Z0-9]+)" data-stage="([a-z]+)"', map_svg))
    rows = dict(re.findall(r'<tr class="nhsuk-table__row" data-ods="([A-Z0-9]+)" data-stage="([a-z]+)"', html))
    assert circles == rows
    assert len(rows) == 13
    assert (rows["RNU"], rows["RXY"], rows["RWV"], rows["RTQ"]) == ("implementing", "testing", "sustained", "none")
    assert "<strong>2 of 13</strong> open organisations have adopted" in html
    assert 'class="app-map-node app-map-node--implementing app-map-node--adopted"' in map_svg


def test_one_change_idea_narrows_the_map(signed_in, seeded):
    log(seeded, "RNU", "RP-01", "implementing", date(2023, 5, 1))
    log(seeded, "RXY", "RP-02", "implementing", date(2024, 2, 1))
    seeded.commit()
    html = signed_in("manager").get(PAGE + "&intervention=RP-02").get_data(as_text=True)
    assert "<strong>1 of 13</strong>" in html
    assert '<option value="RP-02" selected>' in html
    assert "Reduce restrictive practice: RP-02" in html


def test_the_downloads_carry_the_same_filters(signed_in):
    html = signed_in("manager").get(PAGE + "&intervention=RP-01&min_stage=testing").get_data(as_text=True)
    query = "ambition=RP&amp;as_of=2025-01-01&amp;min_stage=testing&amp;intervention=RP-01"
    for path in ("/api/v1/network.graphml", "/api/v1/network/nodes.csv", "/api/v1/network/edges.csv"):
        assert f'href="{path}?{query}"' in html


def test_the_insights_are_decision_support_not_prediction(signed_in, seeded):
    log(seeded, "RNU", "RP-01", "implementing", date(2023, 5, 1))
    seeded.commit()
    html = signed_in("manager").get(PAGE).get_data(as_text=True)
    assert "decision support, not prediction" in html
    for heading in (
        "The frontier",
        "Brokers",
        "Communities",
        "Isolated organisations",
        "Adoptions that followed a linked organisation",
        "Adopter categories",
    ):
        assert f"<h3>{heading}</h3>" in html


def test_a_network_with_no_links_still_draws(signed_in, seeded):
    seeded.execute(delete(LearningLink))
    seeded.commit()
    client = signed_in("manager")
    html = client.get(PAGE).get_data(as_text=True)
    map_svg = page_svg(client, html)
    assert map_svg.count("<circle") == 13 and 'class="app-map-link ' not in map_svg
    assert '<p id="spread-map-no-links">' in html and 'id="spread-map-links"' not in html
    assert "No learning links are recorded" in html


def test_the_force_layout_is_chosen_by_the_radios(signed_in):
    client = signed_in("manager")
    html = client.get(PAGE + "&layout=force").get_data(as_text=True)
    assert 'data-layout="force"' in html and 'value="force" checked' in html
    assert page_svg(client, html).count("<circle") == 13  # the printed map is still geographic


TIMELINE = "/spread-map/timeline"


def timeline_of(client, html: str) -> dict:
    """The timeline the page hands map.js the address of (data-timeline-url), as JSON."""
    found = re.search(r'data-timeline-url="([^"]+)"', html)
    assert found, "no data-timeline-url"
    response = client.get(unescape(found[1]))
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def stages_in(timeline: dict, month: int) -> dict[str, tuple[str, bool]]:
    """ODS code → (stage, adopted) in one month of the timeline, for the organisations open then."""
    keys = [stage["key"] for stage in timeline["stages"]]
    found = {}
    for organisation in timeline["organisations"]:
        letter = organisation["states"][month]
        if letter != ".":
            found[organisation["ods"]] = (keys[ord(letter.lower()) - 97], letter.isupper())
    return found


def test_the_timeline_places_organisations_where_the_svg_draws_them(signed_in, seeded):
    log(seeded, "RNU", "RP-01", "implementing", date(2023, 5, 1))
    seeded.commit()
    client = signed_in("manager")
    # Each organisation keeps one place all along the timeline: organisations at one place (Solent and
    # the trust it merged into) sit side by side whenever any of them is open. Before Solent closed,
    # the map of the day draws them so too.
    html = client.get("/spread-map?ambition=RP&as_of=2024-09-30").get_data(as_text=True)
    timeline = timeline_of(client, html)
    circles = re.findall(
        r'<circle[^>]*cx="([0-9.]+)" cy="([0-9.]+)"[^>]*data-ods="([A-Z0-9]+)"', page_svg(client, html)
    )
    assert len(circles) == len(stages_in(timeline, -1)) == 14
    placed = {o["ods"]: (o["x"], o["y"]) for o in timeline["organisations"]}
    assert {ods: (float(x), float(y)) for x, y, ods in circles} == {ods: placed[ods] for _x, _y, ods in circles}
    rnu = next(o for o in timeline["organisations"] if o["ods"] == "RNU")
    assert timeline["networks"][rnu["network"]] == {"code": "OXF", "name": "Health Innovation Oxford and Thames Valley"}
    assert "group" not in rnu  # on the map, no organisation is drawn in its network's group
    assert stages_in(timeline, -1)["RNU"] == ("implementing", True)
    implementing = timeline["stages"][[s["key"] for s in timeline["stages"]].index("implementing")]
    assert (implementing["fill"], implementing["label"]) == (STAGE_STYLES["implementing"].fill, "Implementing")
    # The organisations table's rows are the page's day's, as the timeline's last month.
    rows = dict(re.findall(r'<tr class="nhsuk-table__row" data-ods="([A-Z0-9]+)" data-stage="([a-z]+)"', html))
    assert rows == {ods: stage for ods, (stage, _adopted) in stages_in(timeline, -1).items()}
    assert (timeline["layout"], timeline["months"][-1]["date"]) == ("geographic", "30 September 2024")


def test_the_timeline_runs_from_april_2021_to_the_day(signed_in):
    client = signed_in("manager")
    html = client.get(PAGE).get_data(as_text=True)
    months = timeline_of(client, html)["months"]
    assert months[0] == {"as_of": "2021-04-30", "label": "April 2021", "date": "30 April 2021"}
    assert months[1]["as_of"] == "2021-05-31"
    assert months[-2]["as_of"] == "2024-12-31"
    assert months[-1] == {"as_of": "2025-01-01", "label": "January 2025", "date": "1 January 2025"}  # the day itself
    assert len(months) == 46
    assert f'max="{len(months) - 1}" step="1" value="{len(months) - 1}"' in html


@pytest.mark.parametrize("idea", [None, "RP-02"])
def test_each_month_of_the_timeline_is_the_map_of_its_day(signed_in, seeded, idea):
    """The compact answer's states are, month by month, the stages and adoption the spread map of that
    day shows (tracker.maps.service.network), and its links are that day's."""
    log(seeded, "RNU", "RP-01", "implementing", date(2021, 4, 12))
    log(seeded, "R1C", "RP-02", "testing", date(2021, 4, 20))
    log(seeded, "RXY", "RP-02", "testing", date(2022, 1, 5))
    log(seeded, "RXY", "RP-02", "spreading", date(2023, 3, 1))
    log(seeded, "RXY", "RP-02", "discontinued", date(2024, 2, 10), discontinued_reason="staffing")
    log(seeded, "RWV", "RP-01", "sustained", date(2023, 6, 1))
    seeded.commit()
    client = signed_in("trust")
    query = "/spread-map?ambition=RP&as_of=2025-01-01" + (f"&intervention={idea}" if idea else "")
    timeline = timeline_of(client, client.get(query).get_data(as_text=True))
    for month in (0, 9, 22, 34, 41, 45):
        day = date.fromisoformat(timeline["months"][month]["as_of"])
        found = service.network(seeded, service.Filters("RP", idea, day, Stage.IMPLEMENTING))
        expected = {n.ods: (n.stage or "none", bool(n.adopted)) for n in found.organisations}
        assert stages_in(timeline, month) == expected, day
        organisations = timeline["organisations"]
        drawn = {
            tuple(sorted((organisations[source]["ods"], organisations[target]["ods"])))
            for source, target, _look, first, last in timeline["links"]
            if first <= month <= last
        }
        assert drawn == {(e.source, e.target) for e in found.learning_links}, day
    assert stages_in(timeline, 0)["R1C"] == ("testing", False) and "R1C" not in stages_in(timeline, 45)
    assert stages_in(timeline, 45)["RXY"] == ("discontinued", False)


def test_laid_out_by_links_the_timeline_groups_organisations_by_network(signed_in):
    client = signed_in("trust")
    query = {"ambition": "RP", "as_of": "2025-01-01", "layout": "force"}
    timeline = client.get(TIMELINE, query_string=query).get_json()
    assert timeline["layout"] == "force"
    assert [g["id"] for g in timeline["groups"]] == [f"network:{code}" for code in ("KSS", "OXF", "SW", "WOE", "WSX")]
    assert {o["ods"]: o["group"] for o in timeline["organisations"]}["RNU"] == "network:OXF"
    assert all(0 < o["x"] < timeline["width"] and 0 < o["y"] < timeline["height"] for o in timeline["organisations"])
    assert client.get(TIMELINE, query_string=query).get_json() == timeline  # the same data is drawn the same


@pytest.mark.parametrize("path", [TIMELINE, "/spread-map/map.svg"])
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"ambition": "RP", "as_of": "2021-03-31"}, 400),
        ({"ambition": "RP", "as_of": "soon"}, 400),
        ({"ambition": "RP", "layout": "spiral"}, 400),
        ({"ambition": "XX"}, 404),
        ({"ambition": "RP", "intervention": "NOPE"}, 404),
    ],
)
def test_the_timeline_and_the_image_with_bad_filters_are_refused(signed_in, path, query, status):
    response = signed_in("faculty").get(path, query_string=query)
    assert response.status_code == status
    if status == 400 and path == TIMELINE:
        assert response.get_json()["errors"]


def test_the_outline_image_is_the_outline_alone(signed_in):
    response = signed_in("trust").get("/spread-map/outline.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    outline = response.get_data(as_text=True)
    assert outline.count('class="app-map-outline ') == 19 and "<circle" not in outline and "Contains OS data" in outline


def test_the_page_its_image_and_its_timeline_run_as_many_statements_whatever_the_data(
    signed_in, seeded, statement_counter
):
    seeded.execute(delete(LearningLink))  # links made below, without the seed's
    seeded.commit()
    client = signed_in("manager")
    queries = {"ambition": "RP", "as_of": "2025-01-01", "layout": "force"}

    def counts(day: str) -> list[int]:
        found = []
        for path in ("/spread-map", "/spread-map/map.svg", TIMELINE):
            queries["as_of"] = day  # each request on a day of its own: no adoption figures cached
            with statement_counter() as statements:
                assert client.get(path, query_string=queries).status_code == 200
            found.append(len(statements))
        return found

    small = counts("2025-01-01")
    oxford = seeded.scalar(select(Network).filter_by(code="OXF"))
    for n in range(12):
        seeded.add(
            Organisation(
                ods_code=f"ZZ{n:03d}", name=f"Test trust {n}", kind=OrganisationKind.MENTAL_HEALTH_TRUST, network=oxford
            )
        )
    seeded.flush()
    trusts = list(seeded.scalars(select(Organisation).order_by(Organisation.id)))  # links run from the lower id
    for first, second in zip(trusts, trusts[1:], strict=False):
        seeded.add(
            LearningLink(source=first, target=second, kind=LinkKind.BUDDY_PAIR, weight=2, status=LinkStatus.CONFIRMED)
        )
    for trust in trusts[:10]:
        log(seeded, trust.ods_code, "RP-02", "implementing", date(2024, 2, 1))
    seeded.commit()
    assert counts("2024-12-31") == small


# The outline ---------------------------------------------------------------------------------------


def test_the_shipped_outline_loads():
    outline = load_outline()
    assert (outline.west, outline.south, outline.east, outline.north) == (-6.0, 49.8, 1.8, 52.3)
    assert [f.kind for f in outline.features].count("icb") == 13
    assert outline.attribution == ATTRIBUTION


def test_polygons_and_multipolygons_are_read_and_the_box_found_without_a_bbox():
    outline = parse_outline(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"kind": "land", "name": "A"},
                    "geometry": {"type": "Polygon", "coordinates": [[[0, 50], [1, 50], [1, 51], [0, 50]]]},
                },
                {
                    "type": "Feature",
                    "properties": {"kind": "icb", "name": "B"},
                    "geometry": {
                        "type": "MultiPolygon",
                        "coordinates": [
                            [[[2, 52], [3, 52], [3, 53], [2, 52]]],
                            [[[0, 49], [0.5, 49], [0.5, 49.5], [0, 49]]],
                        ],
                    },
                },
                {
                    "type": "Feature",
                    "properties": {"kind": "point"},
                    "geometry": {"type": "Point", "coordinates": [9, 9]},
                },
            ],
        }
    )
    assert (outline.west, outline.south, outline.east, outline.north) == (0, 49, 3, 53)
    assert [len(f.polygons) for f in outline.features] == [1, 2, 0]
    assert outline.attribution == ATTRIBUTION


# The SVG (pure) -------------------------------------------------------------------------------------

BOX = parse_outline(
    {
        "bbox": [-2.0, 50.0, 0.0, 52.0],
        "features": [
            {
                "properties": {"kind": "land", "name": "Land & sea"},
                "geometry": {"type": "Polygon", "coordinates": [[[-2, 50], [0, 50], [0, 52], [-2, 52], [-2, 50]]]},
            },
            {
                "properties": {"kind": "nhs_region", "name": "Region"},
                "geometry": {"type": "Polygon", "coordinates": [[[-1, 50], [0, 50], [0, 51], [-1, 50]]]},
            },
        ],
    }
)


def org(ods, lat, lon, stage=None, adopted=False, network="N1", name=None):
    return Node(
        id=ods,
        kind="organisation",
        name=name or f"Trust {ods}",
        ods=ods,
        network=network,
        lat=lat,
        lon=lon,
        stage=stage,
        adopted=adopted,
        exposure=0.5,
    )


NO_INSIGHTS = Insights((), (), (), (), (), {})


def network_view(nodes, edges=(), insights=NO_INSIGHTS):
    return NetworkView(
        Scope("RP", None, (1,)), date(2025, 1, 1), Stage.IMPLEMENTING, tuple(nodes), tuple(edges), insights
    )


TINY = network_view(
    [
        Node("collaborative", "collaborative", "The collaborative"),
        Node("network:N1", "network", "Network one", network="N1"),
        org("WEST", 51.0, -1.8, "testing"),
        org("EAST", 51.0, -0.2, "implementing", adopted=True),
        org("NORTH", 51.8, -1.0),
    ],
    [
        Edge("network:N1", "WEST", "membership"),
        Edge("EAST", "WEST", "buddy_pair", 3, "confirmed"),
        Edge("NORTH", "WEST", "geographic_neighbour", 1, "proposed"),
    ],
)


def test_the_projection_puts_east_on_the_right_and_north_at_the_top():
    p = layout.projection_for(BOX)
    west, east, north, south = p.point(-1.5, 51), p.point(-0.5, 51), p.point(-1, 51.5), p.point(-1, 50.5)
    assert west[0] < east[0] and west[1] == east[1]
    assert north[1] < south[1] and north[0] == south[0]


def test_the_projection_fits_the_box_and_keeps_proportions():
    p = layout.projection_for(BOX, width=400, padding=10)
    assert p.point(-2, 52) == pytest.approx((10, 10))
    right, bottom = p.point(0, 50)
    assert right == pytest.approx(390) and bottom == pytest.approx(p.height - 10, abs=0.05)
    assert p.kx / p.ky == pytest.approx(0.6293, abs=1e-4)  # cos 51°: a degree east is shorter than one north


def test_organisations_in_one_place_sit_side_by_side_and_unplaced_ones_wait_top_left():
    p = layout.projection_for(BOX)
    nodes = [org("B", 51, -1), org("A", 51, -1), org("C", 51, -1), org("Z", None, None), org("Y", None, None)]
    positions = layout.place_on_map(nodes, p)
    x, y = p.point(-1, 51)
    assert positions["A"] == pytest.approx((x - p.spacing, y))
    assert positions["B"] == pytest.approx((x, y))
    assert positions["C"] == pytest.approx((x + p.spacing, y))
    start = p.padding + p.spacing / 2
    assert positions["Y"] == pytest.approx((start, start)) and positions["Z"] == pytest.approx(
        (start + p.spacing, start)
    )


def test_the_map_svg_draws_organisations_links_and_the_outline():
    out = svg.map_svg(draw(TINY, BOX), BOX, title="Tiny <map>", description="Three & more")
    assert out.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and out.endswith("</svg>")
    assert out.count("<circle") == 3  # organisations only: no network or collaborative circles
    assert out.count('class="app-map-link ') == 2  # learning links, a path per look; membership is not drawn
    assert out.count('class="app-map-outline ') == 2
    assert "Tiny &lt;map&gt;" in out and "Three &amp; more" in out and "Land &amp; sea" in out
    assert 'role="img"' in out and 'aria-labelledby="spread-map-svg-title spread-map-svg-desc"' in out
    assert ATTRIBUTION.split(" Contains ")[0] in out and "Contains OS data" in out
    assert 'data-ods="EAST" data-stage="implementing"' in out
    assert 'class="app-map-node app-map-node--implementing app-map-node--adopted"' in out
    assert 'fill="#ccedeb" stroke="#00524d"' in out  # presentation attributes, not style=""
    assert 'r="11"' in out and 'r="8"' in out  # adopted organisations are larger
    assert "style=" not in out
    assert 'stroke-dasharray="7 4"' in out  # the proposed link
    assert "<title>Trust EAST (EAST), Network one: Implementing, adopted; exposure 50%</title>" in out


def test_circles_follow_the_projection():
    out = svg.map_svg(draw(TINY, BOX), BOX, title="t", description="d")
    centres = {
        ods: (float(x), float(y))
        for x, y, ods in re.findall(r'<circle[^>]*cx="([0-9.]+)" cy="([0-9.]+)"[^>]*data-ods="([A-Z]+)"', out)
    }
    assert centres["WEST"][0] < centres["EAST"][0]  # east is right
    assert centres["NORTH"][1] < centres["WEST"][1]  # north is up
    assert centres["WEST"][1] == centres["EAST"][1]


def test_a_graph_without_links_or_organisations_still_draws():
    out = svg.map_svg(draw(network_view(TINY.nodes[:2]), BOX), BOX, title="t", description="d")
    assert "<circle" not in out and 'class="app-map-link ' not in out and out.count("<path") == 2


def test_rings_drop_repeated_points_and_degenerate_rings():
    p = layout.projection_for(BOX)
    assert svg.ring_path([(-1, 51), (-1, 51.00001), (-0.5, 51), (-0.5, 51.5), (-1, 51)], p).count(",") == 3
    assert svg.ring_path([(-1, 51), (-1, 51.00001), (-1, 51)], p) == ""


def test_present_names_and_orders_the_insights():
    view = network_view(
        TINY.nodes,
        TINY.edges,
        Insights(
            frontier=(Ranked("WEST", "Trust WEST", 0.25), Ranked("NORTH", "Trust NORTH", 0.75)),
            brokers=(Ranked("WEST", "Trust WEST", 1.0),),
            communities=(Community(1, ("WEST", "EAST"), 1), Community(2, ("NORTH",), 0)),
            isolated=("NORTH",),
            attributable=(AttributedAdoption("WEST", date(2024, 3, 1), ("EAST", "NORTH")),),
            adopter_categories={"early_adopter": ("EAST",), "not_yet": ("NORTH", "WEST"), "laggard": ()},
        ),
    )
    found = present.map_view(view)
    assert [r.ods for r in found.organisations] == ["EAST", "NORTH", "WEST"]
    assert [(r.stage, r.adopted, r.exposure) for r in found.organisations][0] == ("implementing", True, "50%")
    assert [(f.ods, f.detail) for f in found.insights.frontier] == [("NORTH", "75%"), ("WEST", "25%")]
    assert found.insights.communities[0].coverage == "50%"
    # A community of one is not a group: it is counted, and the organisations table gives its number.
    assert len(found.insights.communities) == 1 and found.insights.alone == 1
    assert found.insights.attributable[0].detail == "adopted on 1 March 2024, after Trust EAST and Trust NORTH"
    assert [label for label, _ in found.insights.categories] == ["Early adopter", "Laggard", "Not yet"]
    assert [(link.kind_label, link.proposed) for link in found.links] == [
        ("Buddy pair", False),
        ("Geographic neighbour", True),
    ]
    assert found.adopted == 1


def test_laid_out_by_links_networks_keep_together_apart_from_each_other():
    p = layout.projection_for(BOX)
    nodes = [
        org("A1", 51.0, -1.8, network="N1"),
        org("A2", 51.0, -1.8, network="N1"),  # at one place with A1
        org("A3", 51.1, -1.7, network="N1"),
        org("B1", 51.0, -1.75, network="N2"),  # on the map, among N1's
        org("B2", 51.2, -1.6, network="N2"),
        org("C1", 51.5, -0.5, network=None),
    ]
    links = [
        Edge("A1", "A2", "buddy_pair", 1, "confirmed"),
        Edge("A2", "A3", "buddy_pair", 1, "proposed"),
        Edge("A3", "B1", "other", 1, "confirmed"),
    ]
    start = layout.place_on_map(nodes, p)
    positions = layout.place_by_links(nodes, links, start, {"N1": 60.0, "N2": 60.0})
    assert layout.place_by_links(nodes, links, start, {"N1": 60.0, "N2": 60.0}) == positions  # always the same

    def box(codes):
        xs, ys = [positions[c][0] for c in codes], [positions[c][1] for c in codes]
        return min(xs), min(ys), max(xs), max(ys)

    n1, n2 = box(["A1", "A2", "A3"]), box(["B1", "B2"])
    apart_x = n1[2] + layout.GROUP_MARGIN <= n2[0] - layout.GROUP_MARGIN or n2[2] + layout.GROUP_MARGIN <= n1[0]
    apart_y = n1[3] + layout.GROUP_MARGIN <= n2[1] - layout.GROUP_MARGIN or n2[3] + layout.GROUP_MARGIN <= n1[1]
    assert apart_x or apart_y  # the networks' boxes do not overlap
    assert len(set(positions.values())) == len(nodes)  # no two organisations at one point
    linked = math.dist(positions["A1"], positions["A2"])
    assert 0.5 * layout.LINK_LENGTH < linked < 1.5 * layout.LINK_LENGTH  # a link settles near its length
    assert min(x for x, _y in positions.values()) == pytest.approx(layout.PADDING + layout.GROUP_MARGIN)


def test_the_drawing_by_links_groups_marks_under_their_networks():
    drawn = draw(TINY, BOX, "force")
    assert [g.id for g in drawn.groups] == ["network:N1"]
    assert {m.id: m.group for m in drawn.marks} == {"EAST": "network:N1", "NORTH": "network:N1", "WEST": "network:N1"}
    assert [(line.source, line.target, line.line) for line in drawn.lines] == [
        ("EAST", "WEST", "solid"),
        ("NORTH", "WEST", "dashed"),
    ]
    on_map = draw(TINY, BOX)
    assert on_map.groups == () and all(m.group is None for m in on_map.marks)
    assert (on_map.width, on_map.height) == (layout.projection_for(BOX).width, layout.projection_for(BOX).height)


def test_communities_of_one_are_counted_not_listed(signed_in, seeded):
    """With no learning links every organisation is a community of its own: the table would list each
    one again, so the page counts them and lists only groups of two or more."""
    seeded.execute(delete(LearningLink))
    seeded.commit()
    html = signed_in("trust").get(PAGE).get_data(as_text=True)
    open_count = len(re.findall(r'<tr class="nhsuk-table__row" data-ods=', html))
    assert 'id="spread-map-communities"' not in html
    assert "No two organisations form a community: there are too few learning links." in html
    assert f"{open_count} organisations are each a community of their own, not listed here" in html
