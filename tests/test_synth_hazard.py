"""`flask synth --model hazard`: spread drawn from the network hazard model with known b and t, loaded into an
empty database so that the panel read back is the simulated one and the fit can be checked against the truth."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.helpers import digest
from tracker.core.diffusion_fit import fit
from tracker.forecast.queries import month_of, panel_for
from tracker.models import (
    Adoption,
    AdoptionEvent,
    AdoptionSpell,
    Ambition,
    ChangeIdea,
    ChangePackage,
    LearningLink,
    LinkStatus,
    Organisation,
    Stage,
)
from tracker.reports.service import scope
from tracker.seed import load_reference
from tracker.synth import HazardSpec, make_history

SPEC = HazardSpec(organisations=60, background=0.01, transmission=0.1, months=36, seed=2)
ARGS = ["synth", "--model", "hazard", "--organisations", "60", "--background", "0.01", "--transmission", "0.1"]
ARGS += ["--months", "36", "--seed", "2"]
TABLES = (Organisation, LearningLink, AdoptionEvent, AdoptionSpell, Adoption, ChangeIdea)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def checked(runner, session):
    result = runner.invoke(args=[*ARGS, "--check"])
    assert result.exit_code == 0, result.output
    session.rollback()  # a fresh snapshot: the command wrote from another connection
    return result


def counts(session) -> dict[str, int]:
    session.rollback()
    found = {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in TABLES}
    session.rollback()
    return found


def loaded_panel(session):
    ambition = session.scalar(select(Ambition).filter_by(code="RP"))
    return panel_for(session, scope(session, ambition, None), Stage.IMPLEMENTING, SPEC.as_of)


def test_the_loaded_history_reads_back_as_the_simulated_panel_and_the_fit_covers_the_truth(checked, session):
    truth = make_history(SPEC).panel
    assert 0 < len(truth.adopted) < 60 and truth.months == 36 and len(truth.links) > 100
    panel = loaded_panel(session)
    assert panel == truth  # months, organisations, adoption months, open months and weighted links
    assert checked.output.splitlines()[1:3] == [
        f"Truth: background b = 0.01, transmission t = 0.1 (link weight: strength / 5); {len(truth.links):,} "
        f"learning links; {len(truth.adopted)} of 60 organisations adopted (implementing, RP ideas) over 36 months, "
        "April 2021 to March 2024.",
        "The loaded history's panel equals the simulated one.",
    ]
    result = fit(panel)
    assert result.background.low <= 0.01 <= result.background.high
    assert result.transmission.low <= 0.1 <= result.transmission.high
    assert 0.005 < result.background.estimate < 0.02 and 0.05 < result.transmission.estimate < 0.2  # roughly
    assert f"background b = {result.background.estimate:.4g} (95% CI {result.background.low:.4g} to" in checked.output
    assert "the interval covers the truth 0.01." in checked.output
    assert "the interval covers the truth 0.1." in checked.output


def test_each_adopter_has_one_event_at_the_threshold_in_an_RP_idea_in_its_month(checked, session):
    truth = make_history(SPEC).panel
    rows = session.execute(
        select(Organisation.ods_code, AdoptionEvent, ChangePackage.code)
        .join(Organisation, Organisation.id == AdoptionEvent.organisation_id)
        .join(ChangeIdea, ChangeIdea.id == AdoptionEvent.change_idea_id)
        .join(ChangePackage, ChangePackage.id == ChangeIdea.package_id)
    ).all()
    assert {ods: month_of(event.effective_date) for ods, event, _ in rows} == truth.adopted
    assert len(rows) == len(truth.adopted)  # one each
    assert {package for _, _, package in rows} == {"SYNRP"}
    for _, event, _ in rows:
        assert event.stage is Stage.IMPLEMENTING and event.channel == "synth" and event.is_demo
        assert 1 <= event.wards_using <= event.wards_in_scope and event.logged_at.date() >= event.effective_date
    assert counts(session) | {"change_ideas": 30} == {
        "organisations": 60,
        "learning_links": len(truth.links),
        "adoption_events": len(truth.adopted),
        "adoption_spells": len(truth.adopted),
        "adoptions": len(truth.adopted),
        "change_ideas": 30,
    }
    assert session.scalar(select(func.count()).where(Organisation.closed_on.is_not(None))) == 0


def test_the_links_are_confirmed_with_their_strengths_and_ids_continue_after_them(checked, session):
    links = list(session.scalars(select(LearningLink).order_by(LearningLink.id)))
    truth = make_history(SPEC).panel
    assert [(link.source.ods_code, link.target.ods_code, float(link.weight)) for link in links] == list(truth.links)
    assert all(link.status is LinkStatus.CONFIRMED and link.is_demo and 1 <= link.weight <= 5 for link in links)
    assert {link.weight for link in links} == {1, 2, 3, 4, 5}
    first, second = session.get(Organisation, 1), session.get(Organisation, 60)
    session.add(LearningLink(source=first, target=second, kind="other", weight=2))
    session.commit()  # on PostgreSQL the sequence was moved past the ids synth gave
    assert session.scalar(select(func.max(LearningLink.id))) == len(links) + 1


def test_the_same_seed_makes_the_same_history_and_another_seed_another():
    def rows(spec: HazardSpec) -> tuple[str, str, str]:
        history = make_history(spec)
        return digest(history.links), digest(history.ledger.event_rows()), digest(history.ledger.spell_rows())

    assert rows(SPEC) == rows(SPEC)
    other = rows(HazardSpec(60, 0.01, 0.1, 36, seed=3))
    assert all(a != b for a, b in zip(other, rows(SPEC), strict=True))


def test_without_check_it_prints_the_truth_but_fits_nothing(runner, session):
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    assert "Truth: background b = 0.01" in result.output and "Fit:" not in result.output
    assert "60 organisations (0 closed)" in result.output and "learning links" in result.output


HAZARD = ["--model", "hazard", "--organisations", "60"]
GOOD = {"--background": "0.01", "--transmission": "0.1", "--months": "36"}


def hazard_args(**changes) -> list[str]:
    options = {**GOOD, **{f"--{k}": v for k, v in changes.items()}}
    return HAZARD + [part for key, value in options.items() if value is not None for part in (key, value)]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (hazard_args(background="0"), "--background must be above 0 and below 1 (got 0)"),
        (hazard_args(background="1"), "--background must be above 0 and below 1 (got 1)"),
        (hazard_args(transmission="1.5"), "--transmission must be from 0 to 1 (got 1.5)"),
        (hazard_args(transmission="-0.1"), "--transmission must be from 0 to 1"),
        (hazard_args(months="0"), "--months must be from 1 to 63"),
        (hazard_args(months="64"), "--months must be from 1 to 63 (April 2021 to June 2026; got 64)"),
        (hazard_args(links="0"), "--links must be above 0 and below the number of organisations less one"),
        (hazard_args(links="59"), "--links must be above 0"),
        (hazard_args(interventions="0"), "--interventions must be from 1 to 2,997"),
        (hazard_args(background=None), "Missing option '--background' (needed with --model hazard)"),
        (hazard_args(months=None), "Missing option '--months' (needed with --model hazard)"),
        (hazard_args(events="100"), "--events is only for --model ledger"),
        (hazard_args(background="a lot"), "'a lot' is not a valid float"),
        (["--model", "hazard", "--organisations", "2", *sum(GOOD.items(), ())], "--organisations must be from 3"),
        (
            ["--organisations", "5", "--interventions", "5", "--events", "10", "--background", "0.1"],
            "--background is only for --model hazard",
        ),
        (["--organisations", "5", "--interventions", "5", "--events", "10", "--check"], "--check is only for"),
        (["--organisations", "5", "--events", "10"], "Missing option '--interventions' (needed with --model ledger)"),
        (["--model", "bass", "--organisations", "5"], "Invalid value for '--model'"),
    ],
)
def test_bad_options_are_refused_clearly_and_write_nothing(runner, session, arguments, message):
    result = runner.invoke(args=["synth", *arguments])
    assert result.exit_code != 0
    assert message in result.output
    assert not any(counts(session).values())


def test_refuses_a_database_that_holds_anything(runner, session):
    load_reference(session)
    before = counts(session)
    result = runner.invoke(args=ARGS)
    assert result.exit_code != 0 and "not empty" in result.output
    assert counts(session) == before
