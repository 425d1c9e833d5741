"""Coverage over the API (/api/v1/coverage and /coverage/series), against figures worked by hand.

The hand-worked world is the reference data (14 organisations in 5 networks; ambition RP with the
four published ideas RP-01 … RP-04) plus a few events. A property test then checks the API against
a plain recomputation from the events list, written here from DOMAIN.md and nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.factories import add_ambition, add_draft_package, add_events, add_organisation
from tests.helpers import (
    RANK,
    Org,
    assert_error,
    every_organisation,
    figure,
    forget_pages,
    get_json,
    month_ends,
    pct,
    region,
    rows_of,
)
from tracker.models import (
    Ambition,
    ChangeIdea,
    Organisation,
    OrganisationKind,
)

ROLES = ("trust", "faculty", "manager", "admin")
ALL_ODS = sorted(["RNU", "RWX", "RW1", "R1C", "R1F", "RDY", "RX2", "RXX", "RXY", "RVN", "RTQ", "RJ8", "RWV", "RH5"])
NETWORK_SIZES = {"KSS": 3, "OXF": 2, "SW": 3, "WOE": 2, "WSX": 4}


# --- helpers ------------------------------------------------------------------------------------


def close(actual, expected, path: str = "") -> None:
    """Deep equality, floats to within 1e-12 (exact fractions, summed in another order)."""
    if isinstance(expected, float):
        assert isinstance(actual, float), f"{path}: {actual!r} is not a float"
        assert math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-12), f"{path}: {actual!r} != {expected!r}"
    elif isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), (
            f"{path}: keys {sorted(actual)} != {sorted(expected)}"
        )
        for key in expected:
            close(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{path}: {actual!r} != {expected!r}"
        for position, (a, e) in enumerate(zip(actual, expected, strict=True)):
            close(a, e, f"{path}[{position}]")
    else:
        assert actual == expected and type(actual) is type(expected), f"{path}: {actual!r} != {expected!r}"


def coverage(client, query: str, status: int = 200):
    return get_json(client, f"/api/v1/coverage?{query}", status)


def series(client, query: str, status: int = 200):
    return get_json(client, f"/api/v1/coverage/series?{query}", status)


def zero_networks(sizes=NETWORK_SIZES, **reached):
    """by_network with nobody reached, except the networks given as code=(reached, depth)."""
    rows = []
    for code, total in sizes.items():
        n, depth = reached.get(code, (0, 0.0))
        rows.append(
            {
                "network": code,
                "organisations_total": total,
                "organisations_reached": n,
                "reach": n / total,
                "depth": depth,
            }
        )
    return rows


def ideas(*adopters: int, total: int = 14):
    titles = TITLES
    return [
        {"intervention": f"RP-0{n}", "title": titles[f"RP-0{n}"], "adopters": a, "share": a / total}
        for n, a in enumerate(adopters, start=1)
    ]


TITLES: dict[str, str] = {}


@pytest.fixture
def client_as(signed_in, seeded):
    """A client signed in as trust staff, with the seeded session's transaction ended."""
    TITLES.update({i.code: i.title for i in seeded.scalars(select(ChangeIdea))})
    client = signed_in("trust")
    seeded.commit()
    return client


# The hand-worked world --------------------------------------------------------------------------
#
#   RNU (OXF)  RP-01 implementing 2022-03-01 (2 of 5 wards); RP-02 testing 2022-04-10 (1 of 4)
#   RWX (OXF)  RP-01 spreading 2022-06-15 (? of 6 wards); then, logged later but dated earlier,
#              considering 2022-01-10
#   RW1 (WSX)  RP-03 considering 2022-02-01, sustained 2023-01-01
#   RXY (KSS)  RP-04 implementing 2022-05-01, discontinued 2022-09-01
#   RVN (WOE)  RP-02 testing 2021-12-01 (0 of 3 wards)
WORLD = [
    ("RNU", "RP-01", "implementing", date(2022, 3, 1), 2, 5),
    ("RNU", "RP-02", "testing", date(2022, 4, 10), 1, 4),
    ("RWX", "RP-01", "spreading", date(2022, 6, 15), None, 6),
    ("RW1", "RP-03", "considering", date(2022, 2, 1)),
    ("RW1", "RP-03", "sustained", date(2023, 1, 1)),
    ("RXY", "RP-04", "implementing", date(2022, 5, 1)),
    ("RXY", "RP-04", "discontinued", date(2022, 9, 1)),
    ("RVN", "RP-02", "testing", date(2021, 12, 1), 0, 3),
    ("RWX", "RP-01", "considering", date(2022, 1, 10)),  # backdated: logged after the spreading
]


@pytest.fixture
def world(seeded, client_as):
    add_events(seeded, WORLD)
    return client_as


# --- the point report, by hand --------------------------------------------------------------------


def test_at_the_end_of_2022_implementing(world):
    """RNU (RP-01) and RWX (RP-01) are reached; RNU's testing, RW1's considering, RXY's
    discontinued and RVN's testing do not count. Wards: RNU 2/5, RNU's testing 0/4 (below the
    threshold, so in scope only), RVN 0/3 (RWX's count of wards using is unknown) = 2/12."""
    body = coverage(world, "ambition=RP&as_of=2022-12-31")
    close(
        body,
        {
            "ambition": "RP",
            "as_of": "2022-12-31",
            "min_stage": "implementing",
            "network": None,
            "organisations_total": 14,
            "organisations_reached": 2,
            "reach": 2 / 14,
            "depth": (1 / 4 + 1 / 4) / 14,
            "ward_coverage": 2 / 12,
            "by_network": zero_networks(OXF=(2, 0.25)),
            "by_intervention": ideas(2, 0, 0, 0),
            "not_reached": [o for o in ALL_ODS if o not in ("RNU", "RWX")],
        },
    )


def test_min_stage_is_the_default_threshold(world):
    assert coverage(world, "ambition=RP&as_of=2022-12-31") == coverage(
        world, "ambition=RP&as_of=2022-12-31&min_stage=implementing"
    )


def test_testing_counts_at_min_stage_testing_but_not_at_implementing(world):
    body = coverage(world, "ambition=RP&as_of=2022-12-31&min_stage=testing")
    # RNU now has two ideas (RP-01, RP-02), RWX one, RVN one (RP-02 testing).
    close(
        {k: body[k] for k in ("min_stage", "organisations_reached", "reach", "depth", "by_intervention", "by_network")},
        {
            "min_stage": "testing",
            "organisations_reached": 3,
            "reach": 3 / 14,
            "depth": (2 / 4 + 1 / 4 + 1 / 4) / 14,
            "by_intervention": ideas(2, 2, 0, 0),
            "by_network": zero_networks(OXF=(2, (2 / 4 + 1 / 4) / 2), WOE=(1, (1 / 4) / 2)),
        },
    )
    assert body["ward_coverage"] == 3 / 12  # RNU's testing now uses its ward


def test_discontinued_never_counts_even_at_considering(world):
    body = coverage(world, "ambition=RP&as_of=2022-12-31&min_stage=considering")
    # RW1's considering counts now; RXY's discontinued does not.
    assert body["organisations_reached"] == 4
    close(body["depth"], (2 + 1 + 1 + 1) / 4 / 14)
    assert "RXY" in body["not_reached"] and "RW1" not in body["not_reached"]
    assert [i["adopters"] for i in body["by_intervention"]] == [2, 2, 1, 0]


def test_before_discontinuing_the_idea_counted(world):
    assert coverage(world, "ambition=RP&as_of=2022-08-31")["by_intervention"][3]["adopters"] == 1
    assert coverage(world, "ambition=RP&as_of=2022-09-01")["by_intervention"][3]["adopters"] == 0


def test_sustained_threshold(world):
    assert coverage(world, "ambition=RP&as_of=2022-12-31&min_stage=sustained")["organisations_reached"] == 0
    body = coverage(world, "ambition=RP&as_of=2023-01-01&min_stage=sustained")
    assert (body["organisations_reached"], body["not_reached"]) == (1, [o for o in ALL_ODS if o != "RW1"])
    assert coverage(world, "ambition=RP&as_of=2023-01-01&min_stage=spreading")["organisations_reached"] == 2  # + RWX


def test_the_events_own_day_counts_and_the_day_before_does_not(world):
    assert coverage(world, "ambition=RP&as_of=2022-02-28")["organisations_reached"] == 0
    body = coverage(world, "ambition=RP&as_of=2022-03-01")
    assert (body["organisations_reached"], body["ward_coverage"]) == (1, 2 / (5 + 3))  # RNU 2/5, RVN 0/3
    assert coverage(world, "ambition=RP&as_of=2022-06-14")["by_intervention"][0]["adopters"] == 1
    assert coverage(world, "ambition=RP&as_of=2022-06-15")["by_intervention"][0]["adopters"] == 2


def test_a_backdated_event_does_not_override_a_later_dated_one(world):
    """RWX's considering (dated 2022-01-10) was logged after its spreading (2022-06-15)."""
    considering = coverage(world, "ambition=RP&as_of=2022-12-31&min_stage=considering")
    assert "RWX" not in considering["not_reached"]
    assert "RWX" not in coverage(world, "ambition=RP&as_of=2022-12-31")["not_reached"]
    # Before the spreading, the backdated considering is what holds.
    assert "RWX" not in coverage(world, "ambition=RP&as_of=2022-01-10&min_stage=considering")["not_reached"]
    assert "RWX" in coverage(world, "ambition=RP&as_of=2022-01-09&min_stage=considering")["not_reached"]
    assert "RWX" in coverage(world, "ambition=RP&as_of=2022-06-14")["not_reached"]


def test_events_on_the_same_day_go_by_the_order_logged(world, seeded):
    add_events(
        seeded, [("RDY", "RP-01", "implementing", date(2023, 3, 1)), ("RDY", "RP-01", "testing", date(2023, 3, 1))]
    )
    add_events(
        seeded, [("RH5", "RP-01", "testing", date(2023, 3, 1)), ("RH5", "RP-01", "implementing", date(2023, 3, 1))]
    )
    not_reached = coverage(world, "ambition=RP&as_of=2023-03-01")["not_reached"]
    assert "RDY" in not_reached and "RH5" not in not_reached


def test_a_day_before_any_data_is_zeros(world):
    body = coverage(world, "ambition=RP&as_of=2020-01-01")
    close(
        body,
        {
            "ambition": "RP",
            "as_of": "2020-01-01",
            "min_stage": "implementing",
            "network": None,
            "organisations_total": 14,
            "organisations_reached": 0,
            "reach": 0.0,
            "depth": 0.0,
            "ward_coverage": None,
            "by_network": zero_networks(),
            "by_intervention": ideas(0, 0, 0, 0),
            "not_reached": ALL_ODS,
        },
    )
    assert coverage(world, "ambition=RP&as_of=0001-01-01")["reach"] == 0.0
    assert coverage(world, "ambition=RP&as_of=9999-12-31")["organisations_reached"] == 3  # RNU, RWX, RW1


def test_as_of_defaults_to_today_in_england(world, monkeypatch):
    import tracker.api.coverage as api_coverage

    monkeypatch.setattr(api_coverage, "today", lambda: date(2022, 3, 1))
    body = coverage(world, "ambition=RP")
    assert (body["as_of"], body["organisations_reached"]) == ("2022-03-01", 1)


def test_a_closed_organisation_counts_until_the_day_it_closed(world, seeded):
    """Solent (R1C, WSX) closed on 1 October 2024 into RW1; RW1 does not inherit its adoption."""
    add_events(seeded, [("R1C", "RP-01", "implementing", date(2023, 5, 1), 3, 4)])
    before = coverage(world, "ambition=RP&as_of=2024-09-30")
    after = coverage(world, "ambition=RP&as_of=2024-10-01")
    # Reached on 30 September: RNU, RWX, RW1 (sustained), R1C.
    close(
        {k: before[k] for k in ("organisations_total", "organisations_reached", "reach", "depth", "ward_coverage")},
        {
            "organisations_total": 14,
            "organisations_reached": 4,
            "reach": 4 / 14,
            "depth": (1 + 1 + 1 + 1) / 4 / 14,
            "ward_coverage": (2 + 0 + 0 + 3) / (5 + 4 + 3 + 4),  # RNU's RP-02 is testing
        },
    )
    close(
        {k: after[k] for k in ("organisations_total", "organisations_reached", "reach", "depth", "ward_coverage")},
        {
            "organisations_total": 13,
            "organisations_reached": 3,
            "reach": 3 / 13,
            "depth": 3 / 4 / 13,
            "ward_coverage": 2 / 12,
        },
    )
    assert [n for n in after["by_network"] if n["network"] == "WSX"] == [
        {"network": "WSX", "organisations_total": 3, "organisations_reached": 1, "reach": 1 / 3, "depth": 1 / 4 / 3}
    ]
    assert "R1C" not in after["not_reached"] and "R1C" not in before["not_reached"]
    assert [i["adopters"] for i in before["by_intervention"]] == [3, 0, 1, 0]
    assert [i["adopters"] for i in after["by_intervention"]] == [2, 0, 1, 0]  # RP-01 is not RW1's


def test_the_successor_counts_with_its_own_events(world, seeded):
    add_events(
        seeded,
        [("R1C", "RP-02", "implementing", date(2023, 5, 1)), ("RW1", "RP-02", "implementing", date(2024, 10, 1))],
    )
    assert [i["adopters"] for i in coverage(world, "ambition=RP&as_of=2024-09-30")["by_intervention"]][1] == 1  # R1C
    assert [i["adopters"] for i in coverage(world, "ambition=RP&as_of=2024-10-01")["by_intervention"]][1] == 1  # RW1
    body = coverage(world, "ambition=RP&as_of=2024-10-01&network=WSX")
    close(body["depth"], (2 / 4) / 3)  # RW1 has RP-02 and RP-03; R1F and RDY nothing


def test_the_network_filter(world):
    body = coverage(world, "ambition=RP&as_of=2022-12-31&network=OXF")
    close(
        body,
        {
            "ambition": "RP",
            "as_of": "2022-12-31",
            "min_stage": "implementing",
            "network": "OXF",
            "organisations_total": 2,
            "organisations_reached": 2,
            "reach": 1.0,
            "depth": 0.25,
            "ward_coverage": 2 / 9,  # RNU only (its testing in scope only): RVN is in WOE
            "by_network": [
                {"network": "OXF", "organisations_total": 2, "organisations_reached": 2, "reach": 1.0, "depth": 0.25}
            ],
            "by_intervention": ideas(2, 0, 0, 0, total=2),
            "not_reached": [],
        },
    )
    kss = coverage(world, "ambition=RP&as_of=2022-08-31&network=KSS")
    assert (kss["organisations_total"], kss["organisations_reached"], kss["ward_coverage"]) == (3, 1, None)
    assert kss["not_reached"] == ["RX2", "RXX"]


def test_an_organisation_outside_any_network_is_its_own_group(world, seeded):
    seeded.add(Organisation(ods_code="ZZ1", name="Unaffiliated trust", kind=OrganisationKind.OTHER_PROVIDER))
    seeded.commit()
    add_events(seeded, [("ZZ1", "RP-02", "implementing", date(2022, 1, 1))])
    body = coverage(world, "ambition=RP&as_of=2022-12-31")
    assert body["by_network"][-1] == {
        "network": None,
        "organisations_total": 1,
        "organisations_reached": 1,
        "reach": 1.0,
        "depth": 0.25,
    }
    assert body["organisations_total"] == 15 and body["organisations_reached"] == 3
    assert coverage(world, "ambition=RP&as_of=2022-12-31&network=OXF")["organisations_total"] == 2


def test_an_ambition_with_no_ideas_is_zeros(world, seeded):
    seeded.add(Ambition(code="NX", title="An ambition with no package yet"))
    seeded.commit()
    body = coverage(world, "ambition=NX&as_of=2022-12-31")
    close(
        body,
        {
            "ambition": "NX",
            "as_of": "2022-12-31",
            "min_stage": "implementing",
            "network": None,
            "organisations_total": 14,
            "organisations_reached": 0,
            "reach": 0.0,
            "depth": 0.0,
            "ward_coverage": None,
            "by_network": zero_networks(),
            "by_intervention": [],
            "not_reached": ALL_ODS,
        },
    )
    points = series(world, "ambition=NX&start=2022-01-01&end=2022-03-31")["points"]
    assert points == [{"month": m, "reach": 0.0, "depth": 0.0} for m in ("2022-01", "2022-02", "2022-03")]


def test_ideas_of_draft_packages_do_not_count(world, seeded):
    add_draft_package(seeded)  # DR-01 and DR-02, in a draft package of RP
    add_events(
        seeded,
        [
            ("RH5", "DR-01", "sustained", date(2022, 1, 1), 5, 5),
            ("RNU", "DR-02", "implementing", date(2022, 1, 1), 1, 1),
        ],
    )
    body = coverage(world, "ambition=RP&as_of=2022-12-31")
    assert [i["intervention"] for i in body["by_intervention"]] == ["RP-01", "RP-02", "RP-03", "RP-04"]
    assert "RH5" in body["not_reached"]
    close([body["depth"], body["ward_coverage"]], [(1 / 4 + 1 / 4) / 14, 2 / 12])
    assert series(world, "ambition=RP&start=2022-01-01&end=2022-01-31")["points"][0]["reach"] == 0.0


def test_ward_coverage_uses_only_the_latest_events_with_both_counts(world, seeded):
    # RNU's RP-01 moves on with no counts: its 2/5 is no longer the latest, so drops out.
    add_events(
        seeded,
        [("RNU", "RP-01", "spreading", date(2023, 2, 1)), ("RTQ", "RP-03", "testing", date(2023, 2, 1), 4, None)],
    )
    close(coverage(world, "ambition=RP&as_of=2023-02-01&min_stage=testing")["ward_coverage"], (1 + 0) / (4 + 3))
    close(coverage(world, "ambition=RP&as_of=2023-01-31&min_stage=testing")["ward_coverage"], 3 / 12)


def test_ward_coverage_counts_wards_using_only_at_or_above_the_threshold(world, seeded):
    """Wards in scope count from every latest record that gives both numbers; wards using only
    from those at or above the threshold, never from a discontinued one. As of the end of 2022:
    RNU RP-01 implementing 2/5, RNU RP-02 testing 1/4, RVN RP-02 testing 0/3, RTQ RP-03
    discontinued 2/6, RDY RP-01 considering 1/2: 20 wards in scope at every threshold."""
    add_events(
        seeded,
        [
            ("RTQ", "RP-03", "implementing", date(2022, 3, 1), 2, 6),
            ("RTQ", "RP-03", "discontinued", date(2022, 10, 1), 2, 6),
            ("RDY", "RP-01", "considering", date(2022, 2, 1), 1, 2),
        ],
    )
    by_threshold = {"considering": 2 + 1 + 1, "testing": 2 + 1, "implementing": 2, "sustained": 0}
    for stage, using in by_threshold.items():
        query = f"ambition=RP&as_of=2022-12-31&min_stage={stage}"
        close(coverage(world, query)["ward_coverage"], using / 20, stage)
    # Before the discontinuing, RTQ's implementing used its two wards.
    close(coverage(world, "ambition=RP&as_of=2022-09-30")["ward_coverage"], (2 + 2) / 20)
    # The report page and its download show the same figure.
    query = "?ambition=RP&as_of=2022-12-31&min_stage=testing"
    assert figure(world.get("/coverage" + query).get_data(as_text=True), "ward-coverage") == "15.0%"
    summary = world.get("/coverage/summary.csv" + query).get_data(as_text=True).splitlines()
    row = dict(zip(summary[0].split(","), summary[1].split(","), strict=True))
    assert float(row["ward_coverage"]) == pytest.approx(3 / 20)


# --- the monthly series -----------------------------------------------------------------------


def test_series_by_hand(world):
    body = series(world, "ambition=RP&start=2022-01-01&end=2022-12-31")
    # Reached at each month end: RNU from March, RXY May to August, RWX from June.
    reached = [0, 0, 1, 1, 2, 3, 3, 3, 2, 2, 2, 2]
    pairs = reached  # one idea each
    close(
        body,
        {
            "ambition": "RP",
            "min_stage": "implementing",
            "network": None,
            "start": "2022-01-01",
            "end": "2022-12-31",
            "points": [
                {"month": f"2022-{m:02d}", "reach": r / 14, "depth": p / (14 * 4)}
                for m, r, p in zip(range(1, 13), reached, pairs, strict=True)
            ],
        },
    )
    testing = series(world, "ambition=RP&start=2021-11-15&end=2022-02-01&min_stage=testing&network=WOE")
    assert (testing["start"], testing["network"], testing["min_stage"]) == ("2021-11-15", "WOE", "testing")
    close(
        testing["points"],
        [{"month": "2021-11", "reach": 0.0, "depth": 0.0}]
        + [{"month": m, "reach": 0.5, "depth": 1 / 8} for m in ("2021-12", "2022-01", "2022-02")],
    )


def test_series_values_equal_the_point_coverage_at_each_month_end_and_at_the_end(world, seeded):
    add_events(
        seeded, [("R1C", "RP-01", "implementing", date(2023, 5, 1)), ("RW1", "RP-02", "testing", date(2024, 10, 1))]
    )
    for query in ("ambition=RP", "ambition=RP&min_stage=considering", "ambition=RP&network=WSX&min_stage=testing"):
        body = series(world, f"{query}&start=2021-06-20&end=2024-11-03")
        assert len(body["points"]) == 42
        for point in body["points"]:
            year, month = map(int, point["month"].split("-"))
            month_end = min(date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1), date(2024, 11, 3))
            figures = coverage(world, f"{query}&as_of={month_end}")
            close(
                point,
                {"month": point["month"], "reach": figures["reach"], "depth": figures["depth"]},
                f"{query} {month_end}",
            )


def test_a_series_ending_mid_month_ends_with_the_figures_as_of_its_end(world):
    """RWX's spreading is dated 15 June 2022: a series ending on 10 June ends with June as of
    10 June (RNU and RXY reached), as the coverage report's chart and table for that day do."""
    body = series(world, "ambition=RP&start=2022-01-01&end=2022-06-10")
    point = coverage(world, "ambition=RP&as_of=2022-06-10")
    assert body["points"][-1] == {"month": "2022-06", "reach": point["reach"], "depth": point["depth"]}
    assert (point["reach"], point["depth"]) == (2 / 14, 2 / 56)
    assert body["points"][-2] == {"month": "2022-05", "reach": 2 / 14, "depth": 2 / 56}  # as of 31 May

    markup = world.get("/coverage?ambition=RP&as_of=2022-06-10").get_data(as_text=True)
    monthly = region(markup, "monthly")
    table = rows_of(monthly[monthly.index("nhsuk-details") :])
    last = body["points"][-1]
    assert table[-1] == ["10 June 2022", "14", "2", pct(last["reach"]), pct(last["depth"])]


def test_series_defaults(world, monkeypatch):
    import tracker.api.coverage as api_coverage

    monkeypatch.setattr(api_coverage, "today", lambda: date(2022, 5, 20))
    body = series(world, "ambition=RP")
    assert (body["start"], body["end"], body["min_stage"], body["network"]) == (
        "2021-04-01",
        "2022-05-20",
        "implementing",
        None,
    )
    assert [p["month"] for p in body["points"]][:2] == ["2021-04", "2021-05"]
    assert body["points"][-1] == {"month": "2022-05", "reach": 2 / 14, "depth": 2 / 56}


def test_series_at_the_edges_of_the_calendar(world):
    assert len(series(world, "ambition=RP&start=9999-01-01&end=9999-12-31")["points"]) == 12
    assert series(world, "ambition=RP&start=0001-01-01&end=0001-02-01")["points"][0] == {
        "month": "0001-01",
        "reach": 0.0,
        "depth": 0.0,
    }
    assert len(series(world, "ambition=RP&start=2000-01-01&end=2049-12-31")["points"]) == 600


# --- access, parameters, statement counts -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_read_coverage(signed_in, seeded, role):
    client = signed_in(role)
    seeded.commit()
    assert coverage(client, "ambition=RP")["ambition"] == "RP"
    assert series(client, "ambition=RP&start=2024-01-01&end=2024-03-01")["points"][0]["month"] == "2024-01"


@pytest.mark.parametrize(
    "url", ["/api/v1/coverage?ambition=RP", "/api/v1/coverage/series?ambition=RP", "/api/v1/coverage?ambition=XX"]
)
def test_anonymous_callers_get_401(seeded, client, url):
    seeded.commit()
    assert_error(get_json(client, url, 401), 401)


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("", "ambition"),
        ("as_of=2024-01-01", "ambition"),
        ("ambition=", "ambition"),
        ("ambition=%20", "ambition"),
        ("ambition=RP&as_of=2024-13-01", "as_of"),
        ("ambition=RP&as_of=2023-02-29", "as_of"),
        ("ambition=RP&as_of=yesterday", "as_of"),
        ("ambition=RP&as_of=20240101", "as_of"),
        ("ambition=RP&as_of=", "as_of"),
        ("ambition=RP&min_stage=discontinued", "min_stage"),
        ("ambition=RP&min_stage=adopted", "min_stage"),
        ("ambition=RP&min_stage=Implementing", "min_stage"),
        ("ambition=RP&min_stage=3", "min_stage"),
        ("ambition=RP&min_stage=", "min_stage"),
        ("ambition=RP&network=", "network"),
        # Malformed before unknown: the 400 wins over the 404 of XX.
        ("ambition=XX&as_of=soon", "as_of"),
        ("ambition=RP&network=NOPE&min_stage=bad", "min_stage"),
    ],
)
def test_bad_parameters_of_coverage_are_400_naming_them(client_as, query, parameter):
    assert_error(coverage(client_as, query, 400), 400, parameter)


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("", "ambition"),
        ("ambition=RP&start=2024-02-30", "start"),
        ("ambition=RP&start=", "start"),
        ("ambition=RP&end=last-month", "end"),
        ("ambition=RP&end=2024-1-1", "end"),
        ("ambition=RP&min_stage=discontinued", "min_stage"),
        ("ambition=RP&network=%20", "network"),
        ("ambition=RP&start=2024-02-01&end=2024-01-31", "start"),
        ("ambition=RP&start=2024-02-01&end=2024-02-01", None),  # one day is fine
        ("ambition=RP&start=1900-01-01", "start"),  # 1,500 months and more
        ("ambition=RP&end=2100-01-01", "end"),
        ("ambition=RP&start=2000-01-01&end=2050-01-01", "start"),  # 601 months
        ("ambition=XX&start=2024-02-01&end=2024-01-31", "start"),
    ],
)
def test_bad_parameters_of_the_series_are_400_naming_them(client_as, query, parameter, monkeypatch):
    import tracker.api.coverage as api_coverage

    monkeypatch.setattr(api_coverage, "today", lambda: date(2025, 6, 30))
    if parameter is None:
        assert len(series(client_as, query)["points"]) == 1
        return
    assert_error(series(client_as, query, 400), 400, parameter)


@pytest.mark.parametrize(
    "url, message",
    [
        ("/api/v1/coverage?ambition=XX", "No ambition has the code XX"),
        ("/api/v1/coverage?ambition=rp", "No ambition has the code rp"),  # codes are exact
        ("/api/v1/coverage?ambition=RP&network=NOPE", "No network has the code NOPE"),
        ("/api/v1/coverage?ambition=RP&network=oxf", "No network has the code oxf"),
        ("/api/v1/coverage/series?ambition=XX", "No ambition has the code XX"),
        ("/api/v1/coverage/series?ambition=RP&network=NOPE", "No network has the code NOPE"),
        ("/api/v1/coverage/everything?ambition=RP", None),
    ],
)
def test_unknown_codes_are_404_json(client_as, url, message):
    body = get_json(client_as, url, 404)
    assert_error(body, 404)
    if message is not None:
        assert body["error"]["message"] == message


def test_unknown_query_parameters_are_ignored(world):
    assert coverage(world, "ambition=RP&as_of=2022-12-31&colour=blue") == coverage(
        world, "ambition=RP&as_of=2022-12-31"
    )


def test_reads_only(client_as):
    for url in ("/api/v1/coverage?ambition=RP", "/api/v1/coverage/series?ambition=RP"):
        assert client_as.post(url).status_code == 405


COUNTED = [
    "/api/v1/coverage?ambition=RP&as_of=2024-06-30",
    "/api/v1/coverage?ambition=RP&as_of=2024-06-30&network=WSX&min_stage=testing",
    "/api/v1/coverage/series?ambition=RP&start=2021-04-01&end=2025-06-30",
    "/api/v1/coverage/series?ambition=SSH&network=KSS&end=2025-06-30",
]


def test_statement_counts_do_not_grow_with_the_data(app, client_as, seeded, statement_counter):
    def counts() -> dict[str, int]:
        result = {}
        for url in COUNTED:
            forget_pages(app)  # counted: the answer computed, not the answer kept
            with statement_counter() as statements:
                get_json(client_as, url)
            result[url] = len(statements)
        return result

    coverage(client_as, "ambition=RP")  # anything a first request does once is out of the way
    before = counts()
    ods = [o.ods_code for o in seeded.scalars(select(Organisation))]
    codes = [i.code for i in seeded.scalars(select(ChangeIdea))]
    stages = ["considering", "testing", "implementing", "spreading", "sustained", "discontinued"]
    rows = [
        (o, code, stages[(n + k) % len(stages)], date(2021, 5, 1) + timedelta(days=37 * k + n), k, 2 * k + 1)
        for n, o in enumerate(ods)
        if o != "R1C"
        for k, code in enumerate(codes)
    ]
    add_events(seeded, rows)
    after = counts()
    assert after == before
    # 3 load the signed-in user, 6 at most the report, 2 the kept answer's data version (before and after)
    assert max(before.values()) <= 11, before
    assert coverage(client_as, "ambition=RP&as_of=2024-06-30")["organisations_reached"] > 0


# --- a property: the API against a plain recomputation from the events ---------------------------

THRESHOLDS = list(RANK)
FIRST_DAY, LAST_DAY = date(2021, 1, 1), date(2023, 12, 31)  # a short span: events close together


@dataclass(frozen=True)
class Ev:
    id: int
    ods: str
    idea: str
    stage: str
    day: date
    using: int | None
    in_scope: int | None


def reference(
    orgs: list[Org], ideas: list[str], events: list[Ev], day: date, threshold: str, network: str | None
) -> dict:
    """DOMAIN.md's Coverage, straight from the events."""
    open_orgs = [o for o in orgs if o.open_on(day) and (network is None or o.network == network)]
    latest: dict[tuple[str, str], Ev] = {}
    for e in sorted(events, key=lambda e: (e.day, e.id)):
        if e.day <= day and e.idea in ideas:
            latest[(e.ods, e.idea)] = e

    def adopted(o: Org, idea: str) -> bool:
        e = latest.get((o.ods, idea))
        return e is not None and RANK.get(e.stage, 0) >= RANK[threshold]

    def share(part, whole):
        return part / whole if whole else 0.0

    def figures(members: list[Org]) -> dict:
        reached = [o for o in members if any(adopted(o, i) for i in ideas)]
        depth = share(sum(share(sum(adopted(o, i) for i in ideas), len(ideas)) for o in members), len(members))
        return {
            "organisations_total": len(members),
            "organisations_reached": len(reached),
            "reach": share(len(reached), len(members)),
            "depth": depth,
        }

    open_ods = {o.ods for o in open_orgs}
    known = [e for (ods, _), e in latest.items() if ods in open_ods and e.using is not None and e.in_scope is not None]
    in_scope = sum(e.in_scope for e in known)
    using = sum(e.using for e in known if RANK.get(e.stage, 0) >= RANK[threshold])  # discontinued: none
    networks = sorted({o.network for o in open_orgs}, key=lambda n: (n is None, n or ""))
    return {
        **figures(open_orgs),
        "ward_coverage": using / in_scope if in_scope else None,
        "by_network": [{"network": n, **figures([o for o in open_orgs if o.network == n])} for n in networks],
        "by_intervention": [sum(adopted(o, i) for o in open_orgs) for i in ideas],
        "not_reached": sorted(o.ods for o in open_orgs if not any(adopted(o, i) for i in ideas)),
    }


_numbers = count(1)
days = st.integers(0, (LAST_DAY - FIRST_DAY).days).map(lambda n: FIRST_DAY + timedelta(days=n))


@st.composite
def worlds(draw):
    """A handful of new organisations and ideas, and events among them."""
    n_orgs = draw(st.integers(1, 4))
    orgs = []
    for _ in range(n_orgs):
        opened = draw(st.none() | days)
        closed = draw(
            st.none() | (days if opened is None else st.integers(0, 900).map(lambda n, o=opened: o + timedelta(days=n)))
        )
        orgs.append((draw(st.sampled_from(["OXF", "WSX", None])), opened, closed))
    n_ideas = draw(st.integers(1, 3))
    ward_counts = st.none() | st.tuples(st.integers(0, 6), st.integers(0, 6)).map(lambda t: (min(t), max(t)))
    events = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_orgs - 1),
                st.integers(0, n_ideas),  # n_ideas is the draft package's idea
                st.sampled_from([*RANK, "discontinued"]),
                days,
                ward_counts,
                st.booleans(),  # only the wards in scope known
            ),
            max_size=20,
        )
    )
    return orgs, n_ideas, events


# No explain phase: every example adds rows to a database that keeps growing, and explaining a
# failure replays hundreds of them (minutes); the shrunk example is what a reader needs.
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
@given(
    world=worlds(),
    threshold=st.sampled_from(THRESHOLDS),
    network=st.sampled_from([None, None, "OXF", "WSX", "KSS"]),
    data=st.data(),
)
def test_the_api_agrees_with_a_plain_recomputation(client_as, seeded, world, threshold, network, data):
    orgs_spec, n_ideas, events_spec = world
    n = next(_numbers)
    idea_codes = [f"P{n}-{k}" for k in range(n_ideas + 1)]
    add_ambition(seeded, f"P{n}", idea_codes[:n_ideas], draft_ideas=idea_codes[n_ideas:])
    new_ods = [f"Q{n:03d}{k}" for k in range(len(orgs_spec))]
    for ods, (code, opened, closed) in zip(new_ods, orgs_spec, strict=True):
        add_organisation(seeded, ods, code, opened, closed)
    seeded.commit()
    # Events only while the organisation is open (the ledger's rules refuse any other).
    rows = []
    for org, idea, stage, day, wards, scope_only in events_spec:
        _, opened, closed = orgs_spec[org]
        if (opened is None or opened <= day) and (closed is None or day < closed):
            using, in_scope = wards or (None, None)
            rows.append((new_ods[org], idea_codes[idea], stage, day, None if scope_only else using, in_scope))
    ids = add_events(seeded, rows) if rows else []
    events = [Ev(i, *row) for i, row in zip(ids, rows, strict=True)]
    orgs = every_organisation(seeded)
    ideas = idea_codes[:n_ideas]  # the draft package's idea is not one of I(A)

    # The days where figures change are where mistakes hide: as_of is often an event's day, an
    # opening or closing day, or the day before; the series often ends in an event's month but
    # before its day (each month is reported as of its last day, the last as of end).
    anywhere = st.integers(-400, (LAST_DAY - FIRST_DAY).days + 400).map(lambda n: FIRST_DAY + timedelta(days=n))
    changes = {e.day for e in events} | {d for _, opened, closed in orgs_spec for d in (opened, closed) if d}
    edges = sorted(d + timedelta(days=k) for d in changes for k in (-1, 0))
    as_of = data.draw(st.sampled_from(edges) | anywhere if edges else anywhere, label="as_of")
    early_in_month = sorted(e.day - timedelta(days=k) for e in events for k in range(1, e.day.day))
    aim_at_an_event = early_in_month and data.draw(st.integers(0, 3), label="aim the end at an event") > 0
    end = data.draw(st.sampled_from(early_in_month) if aim_at_an_event else days, label="end")
    start = end - timedelta(days=data.draw(st.integers(0, 1200), label="days from start to end"))

    network_query = f"&network={network}" if network else ""
    body = coverage(client_as, f"ambition=P{n}&as_of={as_of}&min_stage={threshold}{network_query}")
    expected = reference(orgs, ideas, events, as_of, threshold, network)
    total = expected["organisations_total"]
    expected["by_intervention"] = [
        {"intervention": code, "title": f"Idea {code}", "adopters": a, "share": a / total if total else 0.0}
        for code, a in zip(ideas, expected["by_intervention"], strict=True)
    ]
    close(
        body, {"ambition": f"P{n}", "as_of": as_of.isoformat(), "min_stage": threshold, "network": network, **expected}
    )

    body = series(client_as, f"ambition=P{n}&start={start}&end={end}&min_stage={threshold}{network_query}")
    points = []
    for day in month_ends(start, end):
        figures = reference(orgs, ideas, events, min(day, end), threshold, network)
        points.append({"month": f"{day:%Y-%m}", "reach": figures["reach"], "depth": figures["depth"]})
    close(body["points"], points)
