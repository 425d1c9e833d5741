"""The data version: database triggers give it a new value with every write that computed reports
read, and with nothing else, so caches keyed by it are never stale whichever path wrote. A value is
never reused, so it cannot come back after a write (tests/test_coverage_cache.py shows the caches
after a migration round trip and a restored backup)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select, text, update

from tests.helpers import ON_POSTGRES
from tracker import db as tracker_db
from tracker.adoption import services
from tracker.adoption.rules import EventInput
from tracker.cache import MetricsCache
from tracker.models import (
    Ambition,
    AmbitionTarget,
    ChangeIdea,
    ChangePackage,
    DataVersion,
    LearningLink,
    LinkKind,
    Network,
    Organisation,
    Role,
    User,
    data_version,
)
from tracker.models.versions import cached


def moved(session, write) -> bool:
    session.commit()
    before = data_version(session)
    write()
    session.commit()
    return data_version(session) != before


def one(session, model, **key):
    return session.scalar(select(model).filter_by(**key))


def test_logging_an_event_moves_it(seeded):
    def log():
        services.append_event(
            seeded,
            one(seeded, User, email="faculty@demo.invalid"),
            one(seeded, Organisation, ods_code="RNU"),
            one(seeded, ChangeIdea, code="RP-01"),
            EventInput(stage="testing", effective_date=date(2022, 3, 1)),
        )

    assert moved(seeded, log)


@pytest.mark.parametrize(
    ("model", "key", "change"),
    [
        (Organisation, {"ods_code": "RNU"}, {"name": "Renamed NHS Foundation Trust"}),
        (Organisation, {"ods_code": "RNU"}, {"closed_on": date(2025, 1, 1)}),
        (Network, {"code": "OXF"}, {"code": "OXF2"}),
        (ChangeIdea, {"code": "RP-01"}, {"title": "A new title"}),
        (ChangePackage, {}, {"title": "A new package title"}),
        (Ambition, {"code": "RP"}, {"title": "Reduce restrictive practice further"}),
        (AmbitionTarget, {}, {"target_date": date(2030, 3, 31)}),
    ],
)
def test_editing_what_reports_read_moves_it(seeded, model, key, change):
    def edit():
        row = seeded.scalars(select(model).filter_by(**key).limit(1)).one()
        for name, value in change.items():
            setattr(row, name, value)

    assert moved(seeded, edit)


def test_adding_changing_and_ending_a_learning_link_moves_it(seeded):
    """The forecast and the recommendations read the learning graph (issue 12)."""
    source, target = seeded.scalars(select(Organisation).order_by(Organisation.ods_code).limit(2)).all()
    link = LearningLink(source=source, target=target, kind=LinkKind.BUDDY_PAIR, weight=3)

    assert moved(seeded, lambda: seeded.add(link))
    assert moved(seeded, lambda: setattr(link, "weight", 5))
    assert moved(seeded, lambda: setattr(link, "end_date", date(2025, 6, 30)))
    assert moved(seeded, lambda: seeded.delete(link))
    assert moved(seeded, lambda: seeded.execute(delete(LearningLink)))


def test_a_bulk_statement_moves_it(seeded):
    """Core statements (synth, the migration's backfills) pass no ORM hook; the triggers still see them."""
    assert moved(seeded, lambda: seeded.execute(update(Organisation).values(name=Organisation.name + " ")))


def test_other_writes_leave_it_alone(seeded):
    def unrelated():
        one(seeded, User, email="trust@demo.invalid").name = "Someone else"
        seeded.add(User(email="new@demo.invalid", name="New", role=Role.MANAGER, password_hash="x"))

    assert not moved(seeded, unrelated)


def test_each_write_gives_a_value_never_held_before(seeded):
    """Renaming back and forth restores the data, not an old value: a counter would climb, a random
    value must not repeat either."""
    organisation = one(seeded, Organisation, ods_code="RNU")
    seen = {data_version(seeded)}
    for name in ["Renamed", organisation.name] * 10:
        organisation.name = name
        seeded.commit()
        seen.add(data_version(seeded))
    assert len(seen) == 21


def test_reading_it_writes_nothing_and_gives_the_same_value(seeded):
    seeded.commit()
    assert data_version(seeded) == data_version(seeded)
    assert not moved(seeded, lambda: data_version(seeded))


def test_a_lost_row_gives_a_new_value_on_every_read_and_is_made_again_by_the_next_write(seeded):
    seeded.execute(delete(DataVersion))
    seeded.commit()
    assert data_version(seeded) != data_version(seeded)  # nothing cached under one is served again
    one(seeded, Organisation, ods_code="RNU").name = "Renamed"
    seeded.commit()
    assert seeded.get(DataVersion, 1) is not None
    assert data_version(seeded) == data_version(seeded)


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no TRUNCATE")
def test_emptying_a_watched_table_with_truncate_moves_it(seeded):
    """TRUNCATE fires no DELETE trigger on PostgreSQL: it has triggers of its own. (The ledger itself
    refuses TRUNCATE: tests/test_least_privilege.py.)"""
    assert moved(seeded, lambda: seeded.execute(text("TRUNCATE learning_links CASCADE")))
    assert moved(seeded, lambda: seeded.execute(text("TRUNCATE ambition_targets")))


def test_figures_computed_while_another_write_commits_are_not_kept_under_the_older_version(app, seeded):
    """On PostgreSQL each statement sees the latest commits, so figures read during a write could be
    newer than the version read before them; kept under that version, a backup restored with it
    would bring them back. They are served once, not kept. SQLite's transaction reads one snapshot,
    so there the figures are the version's own and are kept."""
    cache = MetricsCache(4)
    computed = []
    engine = tracker_db.get_engine(app)

    def compute() -> int:
        computed.append(1)
        with engine.begin() as other:  # another request's write, committed mid-computation
            other.execute(update(Organisation).values(name=Organisation.name + " "))
        return len(computed)

    seeded.commit()
    before = data_version(seeded)
    assert cached(seeded, cache, ("figures",), compute) == 1
    seeded.commit()
    with engine.begin() as restore:  # a backup taken before that write is put back
        restore.execute(update(DataVersion).values(version=before))
    assert data_version(seeded) == before
    assert cached(seeded, cache, ("figures",), compute) == (2 if ON_POSTGRES else 1)
