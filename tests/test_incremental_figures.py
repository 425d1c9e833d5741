"""After a new adoption event the kept coverage figures, monthly series, spread-map states and timeline are
brought up to date from the pairs it names alone, and equal what a full computation gives, whatever
the event says; any other write computes afresh.

The data version row tells the ledger's appends from the rest (migration c4e9a2d7b615): those tests
are here too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import insert, select, update

from tests.helpers import count_statements
from tracker.adoption.rules import EventInput, fingerprint
from tracker.adoption.services import NewEvent, append_event, append_events
from tracker.cache import MetricsCache
from tracker.core.stages import DiscontinuedReason, Stage
from tracker.maps import history
from tracker.maps import service as maps
from tracker.maps.drawing import GEOGRAPHIC
from tracker.models import (
    Adoption,
    AdoptionEvent,
    ChangeIdea,
    DataVersion,
    Network,
    Organisation,
    OrganisationKind,
)
from tracker.models.versions import MAX_APPENDED, appended_pairs, marks
from tracker.reports import queries
from tracker.reports import service as reports

END = date(2025, 6, 30)  # the demo history's last day
DAYS = (END, date(2024, 3, 31))
THRESHOLDS = (Stage.IMPLEMENTING, Stage.TESTING)


def one(session, model, **key):
    return session.scalar(select(model).filter_by(**key))


def scopes(session) -> list[queries.Scope]:
    ambition = reports.ambition_named(session, "RP")
    network = session.scalar(select(Network).order_by(Network.code))
    return [reports.scope(session, ambition, None), reports.scope(session, ambition, network)]


def kept_figures(session, cache: MetricsCache) -> list:
    """Every figure the dashboard, the report, the APIs and the map keep, as kept (and brought up to date)."""
    found = []
    for scope in scopes(session):
        for day in DAYS:
            for threshold in THRESHOLDS:
                found.append(queries.coverage_on(session, scope, day, threshold, with_medians=True, cache=cache))
                found.append(reports.series(session, scope, date(2021, 4, 1), day, threshold, cache=cache))
    for day in DAYS:
        view = maps.network(session, maps.Filters("RP", None, day), cache)
        found += [view.organisations, history.timeline_answer(session, view, GEOGRAPHIC, cache)]
    return found


def afresh(session) -> list:
    found = []
    for scope in scopes(session):
        for day in DAYS:
            for threshold in THRESHOLDS:
                found.append(queries.coverage_on(session, scope, day, threshold, with_medians=True))
                found.append(reports.series(session, scope, date(2021, 4, 1), day, threshold))
    for day in DAYS:
        view = maps.network(session, maps.Filters("RP", None, day))
        found += [view.organisations, history.timeline_answer(session, view, GEOGRAPHIC)]
    return found


def counted_pair(session, nth: int = 0, stages=tuple(Stage)) -> tuple[Organisation, ChangeIdea]:
    """An organisation × RP idea with events (now at one of the stages), the nth such."""
    rp = scopes(session)[0].idea_ids
    record = session.scalars(
        select(Adoption)
        .where(Adoption.change_idea_id.in_(rp), Adoption.stage.in_(stages))
        .order_by(Adoption.id)
        .offset(nth)
        .limit(1)
    ).one()
    return session.get(Organisation, record.organisation_id), session.get(ChangeIdea, record.change_idea_id)


def new_stage(session) -> None:
    organisation, idea = counted_pair(session, stages=(Stage.CONSIDERING, Stage.TESTING))
    append_event(session, None, organisation, idea, EventInput("sustained", END))


def correction(session) -> None:
    organisation, idea = counted_pair(session, 3)
    latest = session.scalar(
        select(AdoptionEvent)
        .filter_by(organisation_id=organisation.id, change_idea_id=idea.id)
        .order_by(AdoptionEvent.effective_date.desc(), AdoptionEvent.id.desc())
        .limit(1)
    )
    data = EventInput("considering", latest.effective_date, note="Logged against the wrong idea.")
    append_events(session, None, [NewEvent(organisation, idea, data)], corrects_event_id=latest.id)


def discontinuation(session) -> None:
    organisation, idea = counted_pair(session, 5)
    append_event(
        session,
        None,
        organisation,
        idea,
        EventInput(
            "discontinued",
            date(2024, 1, 10),
            note="Staff moved on.",
            discontinued_reason=DiscontinuedReason.OTHER.value,
        ),
    )


def backdated(session) -> None:
    organisation, idea = counted_pair(session, 7)
    append_event(session, None, organisation, idea, EventInput("implementing", date(2022, 2, 1), 3, 9))


def another_ambitions_idea(session) -> None:
    idea = session.scalar(select(ChangeIdea).where(ChangeIdea.id.not_in(scopes(session)[0].idea_ids)).limit(1))
    append_event(session, None, one(session, Organisation, ods_code="RNU"), idea, EventInput("testing", END))


def two_organisations_at_once(session) -> None:
    (first, idea), (second, other) = counted_pair(session, 9), counted_pair(session, 12)
    append_events(
        session,
        None,
        [NewEvent(first, idea, EventInput("spreading", END)), NewEvent(second, other, EventInput("testing", END))],
    )


def a_new_organisation_with_events(session) -> None:
    network = session.scalar(select(Network).order_by(Network.code))
    organisation = Organisation(
        ods_code="RZZ", name="A new trust", kind=OrganisationKind.MENTAL_HEALTH_TRUST, network=network
    )
    session.add(organisation)
    session.commit()
    _organisation, idea = counted_pair(session)
    append_event(session, None, organisation, idea, EventInput("implementing", date(2023, 5, 5)))


WRITES = [new_stage, correction, discontinuation, backdated, another_ambitions_idea, two_organisations_at_once]


@pytest.mark.parametrize("write", WRITES)
def test_figures_brought_up_to_date_after_an_event_equal_a_full_computation(app, demo_history, write):
    cache = MetricsCache(256)
    before = kept_figures(demo_history, cache)
    assert before == afresh(demo_history)
    write(demo_history)
    demo_history.commit()
    with count_statements(app) as updated:
        after = kept_figures(demo_history, cache)
    assert after == afresh(demo_history)
    if write is not another_ambitions_idea:
        assert after != before  # the event changed something the figures show
    with count_statements(app) as full:
        kept_figures(demo_history, MetricsCache(256))
    # Nothing read afresh: every read of the record or the spells is restricted to what the event names.
    assert not reads_of_adoptions(updated) & reads_of_adoptions(full)


def reads_of_adoptions(statements: list[str]) -> set[str]:
    return {s for s in statements if ("adoptions" in s or "adoption_spells" in s) and "adoption_events" not in s}


def test_an_event_for_another_ambition_reads_nothing_but_the_version_and_the_event(app, demo_history):
    cache = MetricsCache(16)
    scope = scopes(demo_history)[0]
    queries.coverage_on(demo_history, scope, END, Stage.IMPLEMENTING, with_medians=True, cache=cache)
    another_ambitions_idea(demo_history)
    demo_history.commit()
    with count_statements(app) as statements:
        queries.coverage_on(demo_history, scope, END, Stage.IMPLEMENTING, with_medians=True, cache=cache)
    assert len(statements) == 3  # the marks, the new event, the marks again


def test_events_one_after_another_stay_equal_to_a_full_computation(demo_history):
    cache = MetricsCache(256)
    kept_figures(demo_history, cache)
    for write in WRITES:
        write(demo_history)
        demo_history.commit()
    assert kept_figures(demo_history, cache) == afresh(demo_history)


@pytest.mark.parametrize("write", [a_new_organisation_with_events])
def test_any_other_write_computes_afresh(app, demo_history, write):
    cache = MetricsCache(256)
    kept_figures(demo_history, cache)
    write(demo_history)
    demo_history.commit()
    assert kept_figures(demo_history, cache) == afresh(demo_history)


def test_closing_an_organisation_computes_afresh(demo_history):
    cache = MetricsCache(256)
    before = kept_figures(demo_history, cache)
    organisation, _idea = counted_pair(demo_history)
    organisation.closed_on = date(2023, 1, 1)
    demo_history.commit()
    after = kept_figures(demo_history, cache)
    assert after == afresh(demo_history)
    assert after != before


# The data version row -------------------------------------------------------------------------


def test_appending_events_counts_them_and_leaves_the_rest_version(seeded):
    start = marks(seeded)
    organisation = one(seeded, Organisation, ods_code="RNU")
    ideas = seeded.scalars(select(ChangeIdea).order_by(ChangeIdea.id).limit(3)).all()
    append_events(seeded, None, [NewEvent(organisation, idea, EventInput("testing", END)) for idea in ideas])
    seeded.commit()
    now = marks(seeded)
    assert (now.appended - start.appended, now.rest) == (3, start.rest)
    assert now.version != start.version
    assert appended_pairs(seeded, start, now) == {(organisation.id, idea.id) for idea in ideas}


def event_row(organisation, idea) -> dict:
    data = EventInput("testing", END)
    return {
        "organisation_id": organisation.id,
        "change_idea_id": idea.id,
        "stage": data.stage,
        "effective_date": data.effective_date,
        "fingerprint": fingerprint(organisation.ods_code, idea.code, data),
    }


def test_one_statement_appending_many_events_counts_each(seeded):
    """PostgreSQL's trigger runs once per statement: it counts the statement's rows."""
    start = marks(seeded)
    organisation = one(seeded, Organisation, ods_code="RNU")
    idea = one(seeded, ChangeIdea, code="RP-01")
    row = event_row(organisation, idea)
    seeded.execute(insert(AdoptionEvent), [row, row])
    seeded.commit()
    assert marks(seeded).appended - start.appended == 2


def test_any_other_watched_write_moves_the_rest_version_and_then_nothing_is_brought_up_to_date(seeded):
    start = marks(seeded)
    seeded.execute(update(Organisation).where(Organisation.ods_code == "RNU").values(name="Renamed"))
    seeded.commit()
    now = marks(seeded)
    assert now.rest != start.rest and now.appended == start.appended
    assert appended_pairs(seeded, start, now) is None


def test_too_many_events_are_not_brought_up_to_date(seeded):
    start = marks(seeded)
    organisation = one(seeded, Organisation, ods_code="RNU")
    idea = one(seeded, ChangeIdea, code="RP-01")
    row = event_row(organisation, idea)
    seeded.execute(insert(AdoptionEvent), [row] * (MAX_APPENDED + 1))
    seeded.commit()
    assert appended_pairs(seeded, start, marks(seeded)) is None


def test_events_missed_by_the_highest_id_are_not_brought_up_to_date(seeded):
    """On PostgreSQL an event can commit after one with a higher id: the count then tells."""
    organisation = one(seeded, Organisation, ods_code="RNU")
    idea = one(seeded, ChangeIdea, code="RP-01")
    append_event(seeded, None, organisation, idea, EventInput("testing", END))
    seeded.commit()
    now = marks(seeded)
    earlier = replace(now, version=0, appended=now.appended - 2)  # as if one event with a lower id came late
    assert appended_pairs(seeded, earlier, now) is None


def test_another_event_under_the_last_id_then_brings_nothing_up_to_date(seeded):
    """A backup restored and written to again may hold another event under the id last seen."""
    organisation = one(seeded, Organisation, ods_code="RNU")
    idea = one(seeded, ChangeIdea, code="RP-01")
    append_event(seeded, None, organisation, idea, EventInput("testing", date(2025, 1, 1)))
    seeded.commit()
    start = marks(seeded)
    append_event(seeded, None, organisation, idea, EventInput("implementing", END))
    seeded.commit()
    now = marks(seeded)
    assert appended_pairs(seeded, start, now) == {(organisation.id, idea.id)}
    assert appended_pairs(seeded, replace(start, last_logged="2020-01-01 00:00:00"), now) is None


def test_a_row_made_again_by_an_event_brings_nothing_up_to_date(seeded):
    seeded.execute(DataVersion.__table__.delete())
    seeded.commit()
    append_event(
        seeded,
        None,
        one(seeded, Organisation, ods_code="RNU"),
        one(seeded, ChangeIdea, code="RP-01"),
        EventInput("testing", END),
    )
    seeded.commit()
    assert marks(seeded).rest is None
