"""The demo measure values: loaded with the demo history, labelled, plausible, idempotent, and with a
visible shift down after a trust implemented a change idea."""

from __future__ import annotations

import statistics
from datetime import date

from sqlalchemy import func, select

from tests.helpers import page_text
from tracker.measures import summary as service
from tracker.models import Measure, MeasureValue, Organisation, Ward
from tracker.seed.demo_values import implementing_days, load_demo_values, plan

TODAY = date(2025, 6, 30)  # the demo_history fixture's today


def values(session, *where):
    return session.execute(
        select(
            Organisation.ods_code,
            Measure.code,
            MeasureValue.ward_id,
            MeasureValue.month,
            MeasureValue.numerator,
            MeasureValue.denominator,
            MeasureValue.is_demo,
            MeasureValue.note,
        )
        .join(Organisation, Organisation.id == MeasureValue.organisation_id)
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .where(*where)
    ).all()


def test_demo_values_cover_the_demo_trusts_monthly_from_april_2021_to_last_month(demo_history):
    rows = values(demo_history)
    assert rows and all(r.is_demo and r.note.startswith("Demo:") for r in rows)
    months = {r.month for r in rows}
    assert min(months) == date(2021, 4, 1) and max(months) == date(2025, 5, 1)
    assert {r.code for r in rows} == {"RP-RESTRAINT", "RP-PRONE", "RP-SECLUSION", "RP-SEGREGATION", "RP-RT"}
    closed = {r.month for r in rows if r.ods_code == "R1C"}  # Solent closed on 1 October 2024
    assert max(closed) == date(2024, 9, 1)
    restraint = [r.numerator * 1000 / r.denominator for r in rows if r.code == "RP-RESTRAINT"]
    assert 10 < statistics.median(restraint) < 60  # some tens per 1,000 occupied bed days
    whole = [r for r in rows if r.ward_id is None and r.code == "RP-RESTRAINT" and r.month == date(2024, 1, 1)]
    assert all(150 * 31 * 0.8 <= r.denominator <= 450 * 31 for r in whole)  # a few hundred beds, 20-30 days each


def test_one_trust_records_per_ward_instead_of_as_a_whole(demo_history):
    wards = demo_history.scalars(select(Ward).join(Organisation).where(Organisation.ods_code == "RNU")).all()
    assert sorted(w.name for w in wards) == ["Demo Ward A", "Demo Ward B"] and all(w.is_demo for w in wards)
    rnu = values(demo_history, Organisation.ods_code == "RNU")
    assert rnu and {r.ward_id for r in rnu} == {w.id for w in wards}
    assert {r.ward_id is None for r in values(demo_history, Organisation.ods_code != "RNU")} == {True}


def test_loading_again_adds_nothing(demo_history):
    before = demo_history.scalar(select(func.count()).select_from(MeasureValue))
    assert load_demo_values(demo_history, TODAY) == 0
    assert demo_history.scalar(select(func.count()).select_from(MeasureValue)) == before
    assert demo_history.scalar(select(func.count()).select_from(Ward)) == 2


def test_trusts_that_implemented_show_improvement_and_some_show_no_shift(demo_history, signed_in):
    ods = list(demo_history.scalars(select(Organisation.ods_code).order_by(Organisation.ods_code)))
    plans = plan(ods, implementing_days(demo_history), TODAY)
    shifted = {o for o, p in plans.items() if p.shift_from}
    assert shifted and set(ods) - shifted  # some trusts shift, others do not
    matrix = service.summary(demo_history, TODAY)
    restraint = next(m for m in matrix.measures if m.code == "RP-RESTRAINT")
    icons = {o.ods_code: matrix.cell(o, restraint).variation for o in matrix.organisations}
    assert {icons[o] for o in shifted if o in icons} == {"improvement_low"}
    assert matrix.has_demo
    markup = signed_in("manager").get("/measures/summary?ambition=RP").get_data(as_text=True)
    assert "Demo data Some of these values are demo data" in page_text(markup)


def test_without_demo_values_the_page_has_no_demo_note(seeded, signed_in):
    markup = signed_in("manager").get("/measures/summary").get_data(as_text=True)
    assert "Demo data" not in markup
