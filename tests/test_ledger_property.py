"""Random ledgers: the app's coverage, series and adoption dates equal a plain recomputation.

The ledgers have backdated events, corrections (of corrections too), several events on one day and
organisations that open and close. They are logged through the service, as the form and the API
log them. The recomputation below is written from DOMAIN.md alone ("Product decision —
corrections", "Coverage", "The network") and shares no code with the app.

Ward coverage is left to the coverage tests (its rule for thresholds is being changed apart), and
each series ends on a month's last day, where the page and the API agree whatever the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count
from statistics import fmean, pstdev

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.factories import add_ambition, add_organisation, record_version
from tests.helpers import RANK, Org, every_organisation, get_json, month_ends
from tracker.adoption import services
from tracker.adoption.rules import EventInput
from tracker.models import (
    ChangeIdea,
    Organisation,
    User,
)

FIRST_DAY = date(2022, 1, 1)
SPAN = 500  # days: events close together, so states overlap and days repeat
TODAY = date(2025, 6, 30)


@dataclass(frozen=True)
class Ev:
    id: int
    ods: str
    idea: str
    stage: str
    day: date
    corrects: int | None


# The definitions -------------------------------------------------------------------------------


def state_on(events: list[Ev], ods: str, idea: str, day: date) -> Ev | None:
    """The state of an organisation and idea on a day: of the events no other corrects, the latest
    by effective date on or before the day, and on one date the one logged last."""
    void = {e.corrects for e in events if e.corrects is not None}
    counting = [e for e in events if e.ods == ods and e.idea == idea and e.id not in void and e.day <= day]
    return max(counting, key=lambda e: (e.day, e.id), default=None)


def adopted(events, ods, idea, day, threshold) -> bool:
    state = state_on(events, ods, idea, day)
    return state is not None and RANK.get(state.stage, 0) >= RANK[threshold]


def coverage(orgs: list[Org], ideas: list[str], events: list[Ev], day: date, threshold: str) -> dict:
    """Per network (None: all), of the given organisations open on the day: how many are reached, and
    the sum of their shares of the ideas adopted (depth is that sum over all the open organisations)."""
    open_orgs = [o for o in orgs if o.open_on(day)]

    def figures(members):
        return {
            "reached": sum(1 for o in members if any(adopted(events, o.ods, i, day, threshold) for i in ideas)),
            "depth_sum": sum(
                sum(adopted(events, o.ods, i, day, threshold) for i in ideas) / len(ideas) for o in members
            ),
        }

    return {
        None: figures(open_orgs),
        **{n: figures([o for o in open_orgs if o.network == n]) for n in ("OXF", "KSS")},
        "adopters": [sum(adopted(events, o.ods, i, day, threshold) for o in open_orgs) for i in ideas],
        "not_reached": sorted(
            o.ods for o in open_orgs if not any(adopted(events, o.ods, i, day, threshold) for i in ideas)
        ),
    }


def adoption_date(events, ods, ideas, day, threshold) -> date | None:
    """The first day on or before the day when the state of one of the ideas was at the threshold."""
    for candidate in sorted({e.day for e in events if e.ods == ods and e.day <= day}):
        if any(adopted(events, ods, i, candidate, threshold) for i in ideas):
            return candidate
    return None


def categories(dates: dict[str, date | None]) -> dict[str, str]:
    """Valente's adopter categories: before mean − 1 SD, up to the mean, up to mean + 1 SD, later."""
    known = {ods: d.toordinal() for ods, d in dates.items() if d is not None}
    if not known:
        return dict.fromkeys(dates, "not_yet")
    mean, sd = fmean(known.values()), pstdev(known.values())
    result = {}
    for ods in dates:
        t = known.get(ods)
        result[ods] = (
            "not_yet"
            if t is None
            else "early_adopter"
            if t < mean - sd
            else "early_majority"
            if t <= mean
            else "late_majority"
            if t <= mean + sd
            else "laggard"
        )
    return result


# The ledgers -----------------------------------------------------------------------------------

day_numbers = st.integers(0, SPAN)
# A few days often: same-day events and corrections dated like what they correct.
some_days = st.sampled_from([0, 30, 31, 200]) | day_numbers


@st.composite
def ledgers(draw):
    n_orgs = draw(st.integers(1, 3))
    orgs = []
    for _ in range(n_orgs):
        # Mostly open all along, so that most events are kept; sometimes opened late or closed early.
        opened = draw(st.none() | st.none() | st.integers(0, 150))
        closed = draw(st.none() | st.none() | st.integers(150, SPAN + 100).map(lambda n, o=opened: (o or 0) + n))
        orgs.append((draw(st.sampled_from(["OXF", "KSS", None])), opened, closed))
    n_ideas = draw(st.integers(1, 2))
    moves = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_orgs - 1),
                st.integers(0, n_ideas - 1),
                st.sampled_from([*RANK, "discontinued"]),
                some_days,
                st.none() | st.integers(0, 7),  # which event of the pair still counting it corrects, if any
            ),
            min_size=2,
            max_size=14,
        )
    )
    return orgs, n_ideas, moves


_numbers = count(1)


@pytest.fixture
def client(signed_in, seeded):
    client = signed_in("trust")
    seeded.commit()
    return client


# No explain phase: each example adds rows to a database that keeps growing.
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
@given(ledger=ledgers(), threshold=st.sampled_from(list(RANK)), data=st.data())
def test_coverage_series_and_adoption_dates_follow_the_definitions(client, seeded, ledger, threshold, data):
    orgs_spec, n_ideas, moves = ledger
    n = next(_numbers)
    ideas = [f"L{n}-{k}" for k in range(n_ideas)]
    add_ambition(seeded, f"L{n}", ideas)
    orgs = []
    for k, (network, opened, closed) in enumerate(orgs_spec):
        org = Org(
            f"L{n:03d}{k}",
            network,
            None if opened is None else FIRST_DAY + timedelta(days=opened),
            None if closed is None else FIRST_DAY + timedelta(days=closed),
        )
        orgs.append(org)
        add_organisation(seeded, org.ods, network, org.opened_on, org.closed_on)
    seeded.commit()
    manager = seeded.scalar(select(User).filter_by(email="manager@demo.invalid"))
    rows = {o.ods_code: o for o in seeded.scalars(select(Organisation).where(Organisation.ods_code.like(f"L{n:03d}%")))}
    idea_rows = {i.code: i for i in seeded.scalars(select(ChangeIdea).where(ChangeIdea.code.in_(ideas)))}

    events: list[Ev] = []
    for org_index, idea_index, stage, day_number, corrects in moves:
        org, idea, day = orgs[org_index], ideas[idea_index], FIRST_DAY + timedelta(days=day_number)
        if not org.open_on(day):
            continue  # the ledger's rules refuse it (tested with the rules)
        void = {e.corrects for e in events}
        counting = [e for e in events if (e.ods, e.idea) == (org.ods, idea) and e.id not in void]
        target = counting[corrects % len(counting)].id if corrects is not None and counting else None
        result = services.log_adoption(
            seeded,
            manager,
            rows[org.ods],
            idea_rows[idea],
            # Its own note, so that no move is refused as a mere repeat of the record.
            EventInput(
                stage,
                day,
                note=f"move {len(events)}",
                discontinued_reason="staffing" if stage == "discontinued" else None,
            ),
            expected_version=record_version(seeded, rows[org.ods], idea_rows[idea]),
            corrects_event_id=target,
            on_day=TODAY,
        )
        events.append(Ev(result.event.id, org.ods, idea, stage, day, target))
    seeded.commit()

    # Days where figures change: events' days and the day before, openings and closings.
    changes = {e.day for e in events} | {d for o in orgs for d in (o.opened_on, o.closed_on) if d}
    edges = sorted(d + timedelta(days=k) for d in changes for k in (-1, 0))
    anywhere = st.integers(-30, SPAN + 30).map(lambda k: FIRST_DAY + timedelta(days=k))
    day = data.draw(st.sampled_from(edges) | anywhere if edges else anywhere, label="as_of")

    # Every organisation open on a day counts, the seeded ones and those of earlier examples too:
    # none of them has an event of this ambition's ideas.
    everyone = every_organisation(seeded)

    def open_count(on: date, network: str | None) -> int:
        return sum(1 for o in everyone if o.open_on(on) and (network is None or o.network == network))

    # Coverage as of the day, over every open organisation and per network.
    expected = coverage(orgs, ideas, events, day, threshold)
    mine = {o.ods for o in orgs}
    for network in (None, "OXF", "KSS"):
        query = f"ambition=L{n}&as_of={day}&min_stage={threshold}" + (f"&network={network}" if network else "")
        body = get_json(client, f"/api/v1/coverage?{query}")
        total = open_count(day, network)
        assert body["organisations_total"] == total
        assert body["organisations_reached"] == expected[network]["reached"], network
        assert body["depth"] == pytest.approx(expected[network]["depth_sum"] / total if total else 0.0, abs=1e-12)
        if network is None:
            assert sorted(ods for ods in body["not_reached"] if ods in mine) == expected["not_reached"]
            assert [i["adopters"] for i in body["by_intervention"]] == expected["adopters"]

    # The monthly series, to a month's last day.
    end = month_ends(day, day)[0]
    start = end - timedelta(days=data.draw(st.integers(0, 400), label="days from start to end"))
    body = get_json(client, f"/api/v1/coverage/series?ambition=L{n}&start={start}&end={end}&min_stage={threshold}")
    points = []
    for month_end in month_ends(start, end):
        figures, total = coverage(orgs, ideas, events, month_end, threshold)[None], open_count(month_end, None)
        points.append(
            (
                f"{month_end:%Y-%m}",
                pytest.approx(figures["reached"] / total if total else 0.0, abs=1e-12),
                pytest.approx(figures["depth_sum"] / total if total else 0.0, abs=1e-12),
            )
        )
    assert [(p["month"], p["reach"], p["depth"]) for p in body["points"]] == points

    # Adoption dates, stages and adopter categories in the network API.
    body = get_json(client, f"/api/v1/network?ambition=L{n}&as_of={day}&min_stage={threshold}")
    nodes = {node["ods"]: node for node in body["nodes"] if node["kind"] == "organisation"}
    open_mine = [o for o in orgs if o.open_on(day)]
    assert {o.ods for o in orgs if o.ods in nodes} == {o.ods for o in open_mine}
    dates = {o.ods: adoption_date(events, o.ods, ideas, day, threshold) for o in open_mine}
    for o in open_mine:
        node = nodes[o.ods]
        assert node["adopted"] == any(adopted(events, o.ods, i, day, threshold) for i in ideas), o.ods
        assert node["adopted_on"] == (dates[o.ods].isoformat() if dates[o.ods] else None), o.ods
        states = [s for s in (state_on(events, o.ods, i, day) for i in ideas) if s is not None]
        highest = max(states, key=lambda s: RANK.get(s.stage, 0), default=None)
        assert node["stage"] == (highest.stage if highest else None), o.ods
    expected_categories = categories(dates)
    assert {ods: nodes[ods]["adopter_category"] for ods in dates} == expected_categories
