"""Demo monthly values of the reference restrictive-practice measures, made the same way each time.

For every reference organisation, each month it was open from April 2021 to last month: occupied bed
days (a few hundred beds, 85-97% full) and the incidents of each RP measure, drawn around a rate of the
trust's own. Trusts that reached "implementing" for a change idea of the RP ambition in the demo
adoption history, early enough for a chart to show it, mostly get a sustained shift down from the month
after (so their charts show special-cause improvement); the others carry on as before. One trust (the
demo trust user's) records per ward, on two demo wards, instead of as a whole. Every row is marked
is_demo and its note says it is demo data. Load it after the demo history: the shifts follow it.
"""

from __future__ import annotations

import calendar
import math
import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ..calendar import PROGRAMME_START
from ..core.measures import first_of_month, months_from
from ..models import (
    AdoptionEvent,
    Ambition,
    ChangeIdea,
    ChangePackage,
    Measure,
    MeasureValue,
    Organisation,
    Stage,
    Ward,
    WardService,
)

NOTE = "Demo: made-up value to show the charts working."
# Typical rates per 1,000 occupied bed days: restraint some tens, the others fewer.
RATES = {"RP-RESTRAINT": 30.0, "RP-PRONE": 4.0, "RP-SECLUSION": 8.0, "RP-SEGREGATION": 1.5, "RP-RT": 15.0}
SHIFT_SHARE = 0.75  # of the trusts that implemented early enough, this share shows a shift down
MIN_MONTHS_AFTER = 9  # a shift shows on a chart only with this many months after it
WARD_TRUST = "RNU"  # the demo trust user's organisation records per ward
WARDS = (("Demo Ward A", WardService.ADULT_ACUTE, 22), ("Demo Ward B", WardService.PICU, 12))


@dataclass(frozen=True)
class Plan:
    """One organisation's demo: its beds, its rate of each measure, and from which month (if any) its rates fall."""

    beds: int
    rates: dict[str, float]
    shift_from: date | None
    drop: float  # the share the rates fall by from shift_from


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def last_month(today: date) -> date:
    """The first day of the month before today's: the last month a value can be complete."""
    return _add_months(first_of_month(today), -1)


def plan(ods_codes: list[str], implementing: dict[str, date], today: date, seed: int = 2021) -> dict[str, Plan]:
    """Each organisation's demo, from the day each reached "implementing" for an RP idea (if it did)."""
    rng = random.Random(seed)
    latest_shift = _add_months(last_month(today), 1 - MIN_MONTHS_AFTER)
    plans = {}
    for ods in ods_codes:
        beds = rng.randint(150, 450)
        rates = {code: typical * rng.uniform(0.6, 1.5) for code, typical in RATES.items()}
        shifts = rng.random() < SHIFT_SHARE
        drop = rng.uniform(0.3, 0.45)
        day = implementing.get(ods)
        start = _add_months(first_of_month(day), 1) if day else None
        shift_from = start if shifts and start and PROGRAMME_START < start <= latest_shift else None
        plans[ods] = Plan(beds, rates, shift_from, drop)
    return plans


def _count(rng: random.Random, mean: float) -> int:
    """A Poisson-like count with a little extra month-to-month spread, as real incident counts have."""
    mean *= rng.uniform(0.92, 1.08)
    if mean < 30:  # Knuth's method: exact for small means
        limit, k, p = math.exp(-mean), 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def implementing_days(session: Session) -> dict[str, date]:
    """The day each organisation first reached "implementing" for an RP idea in the demo history."""
    rows = session.execute(
        select(Organisation.ods_code, func.min(AdoptionEvent.effective_date))
        .join(Organisation, Organisation.id == AdoptionEvent.organisation_id)
        .join(ChangeIdea, ChangeIdea.id == AdoptionEvent.change_idea_id)
        .join(ChangePackage, ChangePackage.id == ChangeIdea.package_id)
        .join(Ambition, Ambition.id == ChangePackage.ambition_id)
        .where(AdoptionEvent.is_demo.is_(True), AdoptionEvent.stage == Stage.IMPLEMENTING, Ambition.code == "RP")
        .group_by(Organisation.ods_code)
    )
    return dict(rows.all())


def load_demo_values(session: Session, today: date, seed: int = 2021) -> int:
    """Add the demo values unless some are already there; returns how many were added. Commits."""
    if session.scalar(select(exists().where(MeasureValue.is_demo.is_(True)))):
        return 0
    measures = list(session.scalars(select(Measure).where(Measure.code.in_(RATES)).order_by(Measure.code)))
    organisations = list(session.scalars(select(Organisation).order_by(Organisation.ods_code)))
    if not measures or not organisations:
        return 0
    plans = plan([o.ods_code for o in organisations], implementing_days(session), today, seed)
    rng = random.Random(f"{seed}:values")
    months = months_from(PROGRAMME_START, last_month(today))
    added = 0
    for organisation in organisations:
        p = plans[organisation.ods_code]
        # A ward's beds, or the whole organisation's.
        units = [(None, p.beds)]
        if organisation.ods_code == WARD_TRUST:
            units = [(_demo_ward(session, organisation, *ward), ward[2]) for ward in WARDS]
        for month in months:
            if not organisation.is_open_on(month):
                continue
            days = calendar.monthrange(month.year, month.month)[1]
            factor = 1 - p.drop if p.shift_from and month >= p.shift_from else 1
            for ward, beds in units:
                bed_days = round(beds * days * rng.uniform(0.85, 0.97))
                for measure in measures:
                    mean = p.rates[measure.code] * factor * bed_days / 1000
                    session.add(
                        MeasureValue(
                            measure=measure,
                            organisation=organisation,
                            ward=ward,
                            month=month,
                            numerator=_count(rng, mean),
                            denominator=bed_days,
                            note=NOTE,
                            is_demo=True,
                        )
                    )
                    added += 1
    session.commit()
    return added


def _demo_ward(session: Session, organisation: Organisation, name: str, service: WardService, _beds: int) -> Ward:
    ward = session.scalar(select(Ward).filter_by(organisation_id=organisation.id, name=name))
    if ward is None:
        ward = Ward(organisation=organisation, name=name, service=service, is_demo=True)
        session.add(ward)
    return ward
