"""`flask synth`: synthetic benchmark data, made the same way from the same seed, only into an empty database."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import Date, func, select, text

from tests.helpers import digest
from tracker import synth
from tracker.adoption import services
from tracker.adoption.rules import EventInput
from tracker.catalogue.services import IDEA_CODE, PACKAGE_CODE
from tracker.models import (
    Adoption,
    AdoptionEvent,
    AdoptionSpell,
    Ambition,
    AuditEvent,
    ChangeIdea,
    ChangePackage,
    Driver,
    Network,
    Organisation,
    Stage,
)
from tracker.organisations.services import NETWORK_CODE, ODS_CODE
from tracker.seed import load_reference

SMALL = ["--organisations", "30", "--interventions", "20", "--events", "500", "--seed", "7"]
COUNTED = (Ambition, ChangePackage, Driver, ChangeIdea, Network, Organisation, AdoptionEvent, Adoption)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def small(runner, session):
    result = runner.invoke(args=["synth", *SMALL])
    assert result.exit_code == 0, result.output
    session.rollback()
    return result


def counts(session) -> dict[str, int]:
    session.rollback()  # a fresh snapshot: the command wrote from another connection
    found = {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in COUNTED}
    session.rollback()
    return found


def test_small_run_creates_exactly_what_was_asked(small, session):
    assert counts(session) == {
        "ambitions": 3,
        "change_packages": 3,
        "drivers": 18,
        "change_ideas": 20,
        "networks": 15,
        "organisations": 30,
        "adoption_events": 500,
        "adoptions": session.scalar(
            select(func.count()).select_from(
                select(AdoptionEvent.organisation_id, AdoptionEvent.change_idea_id).distinct().subquery()
            )
        ),
    }
    assert "500 adoption events" in small.output and "30 organisations" in small.output


def test_everything_is_labelled_synthetic_and_meets_the_app_rules(small, session):
    assert all(a.title.startswith("Synthetic") for a in session.scalars(select(Ambition)))
    for package in session.scalars(select(ChangePackage)):
        assert PACKAGE_CODE.match(package.code) and package.is_demo
        assert package.publisher == "Synthetic data" and package.status.value == "published"
    for idea in session.scalars(select(ChangeIdea)):
        assert IDEA_CODE.match(idea.code) and idea.is_demo and idea.title.startswith("Synthetic")
        assert idea.driver is not None and idea.driver.parent is not None and idea.driver.package_id == idea.package_id
    assert all(NETWORK_CODE.match(n.code) and n.name.startswith("Synthetic") for n in session.scalars(select(Network)))
    for o in session.scalars(select(Organisation)):
        assert ODS_CODE.match(o.ods_code) and o.is_demo and o.name.startswith("Synthetic")
        assert 50 <= o.latitude <= 55 and -5.5 <= o.longitude <= 1.7 and o.opened_on is None
    events = list(session.scalars(select(AdoptionEvent)))
    assert all(e.is_demo and e.channel == "synth" and e.logged_by_id is None for e in events)
    assert all(e.logged_at.date() >= e.effective_date for e in events)
    assert all(len(e.fingerprint) == 64 for e in events)
    assert {e.stage for e in events} == set(Stage)
    # Core inserts bypass the ORM flush the audit trail hooks: intended for benchmark data.
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_current_records_are_the_latest_effective_dated_event_of_each_pair(small, session):
    """With its ward counts, and the first days at considering and at implementing or beyond."""
    later = text(
        """
        SELECT count(*) FROM adoptions a JOIN adoption_events e ON e.id = a.current_event_id
        WHERE e.organisation_id <> a.organisation_id OR e.change_idea_id <> a.change_idea_id
           OR e.stage <> a.stage OR e.effective_date <> a.effective_date
           OR EXISTS (SELECT 1 FROM adoption_events l
                      WHERE l.organisation_id = a.organisation_id AND l.change_idea_id = a.change_idea_id
                        AND (l.effective_date > e.effective_date OR (l.effective_date = e.effective_date AND l.id > e.id)))
           OR a.last_logged_at <> (SELECT max(l.logged_at) FROM adoption_events l
                                   WHERE l.organisation_id = a.organisation_id AND l.change_idea_id = a.change_idea_id)
           OR a.wards_using IS DISTINCT FROM e.wards_using OR a.wards_in_scope IS DISTINCT FROM e.wards_in_scope
           OR a.first_considered_on IS DISTINCT FROM (
                SELECT min(l.effective_date) FROM adoption_events l WHERE l.stage = 'considering'
                   AND l.organisation_id = a.organisation_id AND l.change_idea_id = a.change_idea_id)
           OR a.first_implemented_on IS DISTINCT FROM (
                SELECT min(l.effective_date) FROM adoption_events l
                 WHERE l.stage IN ('implementing', 'spreading', 'sustained')
                   AND l.organisation_id = a.organisation_id AND l.change_idea_id = a.change_idea_id)
        """
    )
    assert session.scalar(later) == 0
    without_record = text(
        """
        SELECT count(*) FROM adoption_events e WHERE NOT EXISTS (
            SELECT 1 FROM adoptions a WHERE a.organisation_id = e.organisation_id AND a.change_idea_id = e.change_idea_id)
        """
    )
    assert session.scalar(without_record) == 0


def test_some_events_are_backdated_behind_later_dated_ones(small, session):
    backdated = text(
        """
        SELECT count(*) FROM adoption_events e JOIN adoption_events f
          ON f.organisation_id = e.organisation_id AND f.change_idea_id = e.change_idea_id
        WHERE f.id > e.id AND f.effective_date < e.effective_date
        """
    )
    assert session.scalar(backdated) > 0


def test_each_pair_climbs_the_ladder(small, session):
    histories = defaultdict(list)
    for e in session.scalars(select(AdoptionEvent).order_by(AdoptionEvent.effective_date, AdoptionEvent.id)):
        histories[(e.organisation_id, e.change_idea_id)].append(e)
    for history in histories.values():
        previous = None
        for e in history:
            if previous is None or previous.stage is Stage.DISCONTINUED:
                assert e.stage is Stage.CONSIDERING
            elif e.stage is Stage.DISCONTINUED:
                assert e.discontinued_reason is not None
            else:
                assert e.stage.rank in (previous.stage.rank, previous.stage.rank + 1)
            previous = e


def test_closed_organisations_have_no_events_on_or_after_closing(small, session):
    closed = list(session.scalars(select(Organisation).where(Organisation.closed_on.is_not(None))))
    assert len(closed) == 1  # about 3% of 30
    for o in closed:
        assert o.successor is not None and o.successor.closed_on is None
    after_closing = (
        select(func.count())
        .select_from(AdoptionEvent)
        .join(Organisation, Organisation.id == AdoptionEvent.organisation_id)
        .where(AdoptionEvent.effective_date >= Organisation.closed_on)
    )
    assert session.scalar(after_closing) == 0


def generated(seed: int, events: int = 500) -> tuple[str, str, str]:
    spec = synth.SynthSpec(organisations=30, interventions=20, events=events, seed=seed)
    reference = synth.make_reference(spec)
    ledger = synth.Ledger(spec, reference)
    everything = [row for part in vars(reference).values() for row in part]
    return digest(everything), digest(ledger.event_rows()), digest(ledger.adoption_rows())


def test_the_same_seed_makes_the_same_data_and_another_seed_other_data():
    assert generated(7) == generated(7)
    other = generated(8)
    assert other[1] != generated(7)[1] and other[2] != generated(7)[2]


def stored(session, model) -> list[dict]:
    table = model.__table__
    return [dict(row._mapping) for row in session.execute(select(table).order_by(table.c.id))]


def test_the_database_holds_exactly_what_the_generator_makes(small, session):
    spec = synth.SynthSpec(organisations=30, interventions=20, events=500, seed=7)
    reference = synth.make_reference(spec)
    ledger = synth.Ledger(spec, reference)
    expected = {
        Ambition: reference.ambitions,
        ChangePackage: reference.packages,
        Driver: reference.drivers,
        ChangeIdea: reference.ideas,
        Network: reference.networks,
        Organisation: reference.organisations,
        AdoptionEvent: ledger.event_rows(),
        Adoption: ledger.adoption_rows(),
    }
    for model, rows in expected.items():
        assert digest(stored(session, model)) == digest(rows), model.__tablename__


def test_many_events_on_few_pairs_make_long_histories():
    spec = synth.SynthSpec(organisations=2, interventions=1, events=3000, seed=3)
    reference = synth.make_reference(spec)
    rows = list(synth.Ledger(spec, reference).event_rows())
    assert len(rows) == 3000 and {(r["organisation_id"], r["change_idea_id"]) for r in rows} == {(1, 1), (2, 1)}
    assert [r["id"] for r in rows] == list(range(1, 3001))
    assert all(a["logged_at"] <= b["logged_at"] for a, b in zip(rows, rows[1:], strict=False))


def test_refuses_a_database_with_the_reference_data(runner, session):
    load_reference(session)
    before = counts(session)
    result = runner.invoke(args=["synth", *SMALL])
    assert result.exit_code != 0
    assert "not empty" in result.output and "organisations" in result.output
    assert counts(session) == before


def test_refuses_to_add_to_earlier_synthetic_data(small, runner, session):
    before = counts(session)
    result = runner.invoke(args=["synth", *SMALL])
    assert result.exit_code != 0 and "not empty" in result.output
    assert counts(session) == before


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--organisations", "0", "--interventions", "5", "--events", "10"], "--organisations must be from 1"),
        (["--organisations", "-3", "--interventions", "5", "--events", "10"], "--organisations must be from 1"),
        (["--organisations", "5", "--interventions", "-1", "--events", "10"], "--interventions must be from 0"),
        (["--organisations", "5", "--interventions", "5", "--events", "-10"], "--events must be from 0"),
        (
            ["--organisations", "5", "--interventions", "0", "--events", "10"],
            "--events needs at least one intervention",
        ),
        (
            ["--organisations", "10000", "--interventions", "5", "--events", "10"],
            "--organisations must be from 1 to 9,999",
        ),
        (
            ["--organisations", "5", "--interventions", "3000", "--events", "10"],
            "--interventions must be from 0 to 2,997",
        ),
        (["--organisations", "five", "--interventions", "5", "--events", "10"], "is not a valid integer"),
        (["--interventions", "5", "--events", "10"], "Missing option '--organisations'"),
    ],
)
def test_bad_arguments_are_refused_clearly(runner, session, arguments, message):
    result = runner.invoke(args=["synth", *arguments])
    assert result.exit_code != 0
    assert message in result.output
    assert not any(counts(session).values())


def test_no_events_makes_only_the_reference_rows(runner, session):
    result = runner.invoke(args=["synth", "--organisations", "3", "--interventions", "0", "--events", "0"])
    assert result.exit_code == 0, result.output
    found = counts(session)
    assert found["organisations"] == 3 and found["change_ideas"] == 0 and found["adoption_events"] == 0


def test_ids_continue_after_the_synthetic_rows(small, session):
    """On PostgreSQL the sequences are moved past the ids synth gave, so the app's own inserts work."""
    session.add(Network(code="LATER", name="Added later"))
    session.commit()
    assert session.scalar(select(Network.id).where(Network.code == "LATER")) == 16


def spells(session) -> list[tuple]:
    session.rollback()
    return [
        tuple(row)
        for row in session.execute(
            select(AdoptionSpell.event_id, AdoptionSpell.starts, AdoptionSpell.ends).order_by(AdoptionSpell.event_id)
        )
    ]


def test_every_event_has_its_spell_to_the_pairs_next_event(small, session):
    following = func.lead(AdoptionEvent.effective_date, type_=Date).over(
        partition_by=(AdoptionEvent.organisation_id, AdoptionEvent.change_idea_id),
        order_by=(AdoptionEvent.effective_date, AdoptionEvent.id),
    )
    following = select(AdoptionEvent.id, AdoptionEvent.effective_date, following).order_by(AdoptionEvent.id)
    expected = [tuple(row) for row in session.execute(following)]
    assert len(expected) == 500
    assert spells(session) == expected


def test_events_added_after_synth_still_get_their_spells(small, session):
    """The spells synth writes are the ones the service rewrites when a pair gets a new event."""
    event = session.scalars(select(Adoption).order_by(Adoption.id).limit(1)).one().current_event  # its pair's latest
    services.append_event(
        session,
        None,
        event.organisation,
        event.change_idea,
        EventInput(stage="considering", effective_date=event.effective_date),
        channel="api",
    )
    session.commit()
    added = spells(session)[-1]
    assert added[1:] == (event.effective_date, None)
    assert {s[0]: s[2] for s in spells(session)}[event.id] == event.effective_date


def test_since_is_where_each_run_of_a_stage_began(small, session):
    """Each spell's since, and the record's, as the service stores them: the first day of the pair's
    consecutive held events at that stage (an update at the same stage does not move it, nor does an
    entry replaced on its own date, which keeps its own date)."""
    spell = AdoptionSpell
    rows = session.execute(
        select(
            spell.organisation_id, spell.change_idea_id, spell.stage, spell.starts, spell.ends, spell.since
        ).order_by(spell.organisation_id, spell.change_idea_id, spell.starts, spell.event_id)
    ).all()
    expected, previous, open_since = [], None, {}
    for organisation_id, idea_id, stage, starts, ends, _since in rows:
        held = ends is None or ends > starts
        same_run = held and previous is not None and previous[:3] == (organisation_id, idea_id, stage)
        expected.append(previous[3] if same_run else starts)
        if held or previous is None or previous[:2] != (organisation_id, idea_id):
            previous = (organisation_id, idea_id, stage if held else None, expected[-1])
        if ends is None:
            open_since[(organisation_id, idea_id)] = expected[-1]
    assert [row.since for row in rows] == expected
    assert any(row.since != row.starts for row in rows)  # some runs hold more than one event
    records = session.execute(select(Adoption.organisation_id, Adoption.change_idea_id, Adoption.stage_since)).all()
    assert {(o, i): since for o, i, since in records} == open_since


def test_records_and_spells_are_what_the_service_derives_from_the_stored_events(small, session):
    """synth keeps no derivation of its own: for every pair, its stored record and spells are what the
    service's derivation (tracker.core.ledger, over the events as stored) makes of the pair's events."""
    from tracker.core import ledger

    records = {(a.organisation_id, a.change_idea_id): a for a in session.scalars(select(Adoption))}
    stored_spells = defaultdict(list)
    for s in session.scalars(select(AdoptionSpell).order_by(AdoptionSpell.starts, AdoptionSpell.event_id)):
        stored_spells[(s.organisation_id, s.change_idea_id)].append(
            (s.event_id, s.stage, s.starts, s.ends, s.since, s.wards_using, s.wards_in_scope)
        )
    states = {pair: ledger.derive(events) for pair, events in services.pair_events(session, set(records)).items()}
    assert len(states) == len(records) > 0
    for pair, state in states.items():
        record = records[pair]
        current = state.current
        assert (
            record.current_event_id,
            record.stage,
            record.effective_date,
            record.stage_since,
            record.wards_using,
            record.wards_in_scope,
            record.first_considered_on,
            record.first_implemented_on,
        ) == (
            current.id,
            current.stage,
            current.effective_date,
            state.since,
            current.wards_using,
            current.wards_in_scope,
            state.first_considered_on,
            state.first_implemented_on,
        ), pair
        assert stored_spells[pair] == [
            (s.event.id, s.event.stage, s.starts, s.ends, s.since, s.event.wards_using, s.event.wards_in_scope)
            for s in sorted(state.spells, key=lambda s: (s.starts, s.event.id))
        ], pair
