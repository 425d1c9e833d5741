"""Each shared rule, pinned in its one home: what every page, API and download that uses it follows.

Open on a day (Organisation.is_open_on), the ideas coverage counts (counted_ideas and
ChangePackage.is_published), the threshold stage (threshold_named), the programme calendar
(PROGRAMME_START, iso_day). Python and SQL forms of a rule must agree row for row.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker.calendar import PROGRAMME_START, iso_day
from tracker.catalogue.queries import counted_ideas
from tracker.core.stages import DEFAULT_THRESHOLD, LADDER, Stage, threshold_named
from tracker.models import Ambition, ChangeIdea, ChangePackage, Organisation, OrganisationKind, PackageStatus

TRACKER = Path(__file__).resolve().parent.parent / "tracker"

DAYS = (date(2019, 12, 31), date(2020, 1, 1), date(2023, 6, 30), date(2024, 1, 1), date(2030, 1, 1))
DATES = (
    (None, None),
    (date(2020, 1, 1), None),
    (None, date(2024, 1, 1)),
    (date(2020, 1, 1), date(2024, 1, 1)),
    (date(2024, 1, 1), date(2024, 1, 1)),  # opened and closed the same day: never open
)


def test_open_on_a_day_is_the_same_rule_in_python_and_in_sql(seeded):
    made = []
    for n, (opened, closed) in enumerate(DATES):
        organisation = Organisation(
            ods_code=f"ZR{n}",
            name=f"Rule trust {n}",
            kind=OrganisationKind.MENTAL_HEALTH_TRUST,
            network_id=seeded.scalar(select(Organisation.network_id).limit(1)),
            opened_on=opened,
            closed_on=closed,
        )
        seeded.add(organisation)
        made.append(organisation)
    seeded.commit()
    for day in DAYS:
        in_sql = set(
            seeded.scalars(
                select(Organisation.ods_code).where(Organisation.ods_code.like("ZR%"), Organisation.is_open_on(day))
            )
        )
        in_python = {o.ods_code for o in made if o.is_open_on(day)}
        assert in_sql == in_python, day
    # opened_on is the first day open, closed_on the first day closed
    first = made[3]
    assert [
        first.is_open_on(d) for d in (date(2019, 12, 31), date(2020, 1, 1), date(2023, 12, 31), date(2024, 1, 1))
    ] == [
        False,
        True,
        True,
        False,
    ]


def test_the_ideas_coverage_counts_are_the_published_packages_in_catalogue_order(seeded):
    rp = seeded.scalar(select(Ambition).where(Ambition.code == "RP"))
    draft = ChangePackage(code="DRAFTR", title="Draft", publisher="Demo", status=PackageStatus.DRAFT, ambition=rp)
    seeded.add_all([draft, ChangeIdea(code="DR-09", title="Draft idea", package=draft, position=0)])
    seeded.commit()
    counted = list(seeded.scalars(counted_ideas(rp.id)))
    assert counted and "DR-09" not in {i.code for i in counted}
    assert all(i.package.is_published and i.package.ambition_id == rp.id for i in counted)
    keys = [(i.package.position, i.package.code, i.position, i.code) for i in counted]
    assert keys == sorted(keys)
    published_in_sql = set(seeded.scalars(select(ChangePackage.code).where(ChangePackage.is_published)))
    published_in_python = {p.code for p in seeded.scalars(select(ChangePackage)) if p.is_published}
    assert published_in_sql == published_in_python and "DRAFTR" not in published_in_sql


def test_the_threshold_defaults_to_implementing_and_is_a_stage_on_the_ladder():
    assert threshold_named(None) is threshold_named("") is DEFAULT_THRESHOLD is Stage.IMPLEMENTING
    assert [threshold_named(s.value) for s in LADDER] == list(LADDER)


@pytest.mark.parametrize("value", ["discontinued", "Implementing", "adopted", " implementing"])
def test_anything_else_is_no_threshold_and_the_message_lists_the_ladder(value):
    with pytest.raises(ValueError, match="considering, testing, implementing, spreading, sustained"):
        threshold_named(value)


def test_a_day_is_written_yyyy_mm_dd():
    assert iso_day("2024-10-01") == date(2024, 10, 1)


@pytest.mark.parametrize("value", ["2024-1-5", "2024-W40-2", "2024-02-30", "01/10/2024", "20241001", ""])
def test_anything_else_is_no_day(value):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        iso_day(value)


def test_the_programme_start_is_written_once():
    assert date(2021, 4, 1) == PROGRAMME_START
    copies = [
        str(path.relative_to(TRACKER))
        for path in TRACKER.rglob("*.py")
        if re.search(r"date\(2021,\s*4,\s*1\)", path.read_text()) and path.name != "calendar.py"
    ]
    assert copies == []
