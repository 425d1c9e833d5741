"""`flask seed`: the South of England reference data and the demo accounts, loaded idempotently."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.models import (
    Ambition,
    AmbitionTarget,
    ChangeIdea,
    ChangePackage,
    Driver,
    Network,
    Organisation,
    PackageResource,
    Role,
    User,
)
from tracker.seed import DEMO_USERS, load_reference, reference_data

MODELS = (
    Ambition,
    AmbitionTarget,
    ChangePackage,
    ChangeIdea,
    Network,
    Organisation,
    User,
)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def counts(session) -> dict[str, int]:
    """How many rows each table holds, with the transaction ended (the CLI writes next)."""
    session.rollback()
    result = {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in MODELS}
    session.rollback()
    return result


def seed(runner, *args):
    result = runner.invoke(args=["seed", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_loads_the_reference_data(session, runner):
    output = seed(runner)
    assert "Reference data: " in output
    assert "ambitions: 3 created" in output

    ambitions = session.scalars(
        select(Ambition).options(selectinload(Ambition.targets)).order_by(Ambition.position)
    ).all()
    assert sorted(a.code for a in ambitions) == ["RP", "SS", "SSH"]
    assert all(a.title and a.source_url for a in ambitions)
    rp = next(a for a in ambitions if a.code == "RP")
    targets = {t.label: t.target_date for t in rp.targets}
    assert targets["Original"] == date(2024, 3, 31)
    assert targets["Revised"] == date(2023, 9, 30)
    assert all(a.targets for a in ambitions)

    networks = session.scalars(select(Network)).all()
    assert sorted(n.code for n in networks) == ["KSS", "OXF", "SW", "WOE", "WSX"]

    organisations = session.scalars(select(Organisation)).all()
    assert len(organisations) == 14
    for o in organisations:
        assert o.ods_code and len(o.ods_code) == 3
        assert o.latitude is not None and 49 < o.latitude < 53
        assert o.longitude is not None and -6 < o.longitude < 2
        assert o.network is not None
        assert o.source_url.startswith("https://")
    assert len({o.ods_code for o in organisations}) == 14

    ideas = session.scalars(select(ChangeIdea)).all()
    assert len(ideas) == 18
    assert all(i.source_url.startswith("https://") for i in ideas)
    assert all(i.code and i.title for i in ideas)
    assert not any(i.is_demo for i in ideas)

    # Reference data only: no accounts without --demo.
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_seeding_twice_duplicates_nothing(session, runner):
    seed(runner)
    first = counts(session)
    output = seed(runner)
    assert "Reference data: nothing to change." in output
    assert counts(session) == first


def test_a_changed_fact_is_updated_in_place(session):
    load_reference(session)
    before = counts(session)

    data = copy.deepcopy(reference_data())
    rp = next(a for a in data["ambitions"] if a["code"] == "RP")
    rp["title"] = "Reduce restrictive practice (retitled)"
    revised = next(t for t in rp["targets"] if t["label"] == "Revised")
    revised["target_date"] = "2023-12-31"
    rnu = next(o for o in data["organisations"] if o["ods_code"] == "RNU")
    rnu["town"] = "Littlemore"
    rnu["latitude"] = 51.72
    network = next(n for n in data["networks"] if n["code"] == "WSX")
    network["website"] = "https://example.org/wessex"

    report = load_reference(session, data)
    assert report.updated == {
        "ambitions": 1,
        "targets": 1,
        "organisations": 1,
        "networks": 1,
    }
    assert not report.created
    assert counts(session) == before

    session.expire_all()
    ambition = session.scalar(select(Ambition).where(Ambition.code == "RP"))
    assert ambition.title == "Reduce restrictive practice (retitled)"
    assert {t.label: t.target_date for t in ambition.targets}["Revised"] == date(2023, 12, 31)
    organisation = session.scalar(select(Organisation).where(Organisation.ods_code == "RNU"))
    assert (organisation.town, organisation.latitude) == ("Littlemore", 51.72)

    # Loading the real data again puts the facts back, still without duplicates.
    report = load_reference(session)
    assert report.updated["ambitions"] == 1 and report.updated["organisations"] == 1
    assert counts(session) == before
    assert load_reference(session).summary() == "nothing to change"


def test_seed_demo_adds_the_four_demo_accounts_once(session, runner):
    output = seed(runner, "--demo")
    assert "demo accounts: 4 created" in output
    for spec in DEMO_USERS:
        assert spec["email"] in output

    users = session.scalars(select(User).options(selectinload(User.organisation), selectinload(User.networks))).all()
    assert len(users) == 4
    assert all(u.is_demo for u in users)
    assert all(u.email.endswith("@demo.invalid") for u in users)
    assert {u.role for u in users} == set(Role)
    by_role = {u.role: u for u in users}
    assert by_role[Role.TRUST].organisation.ods_code == "RNU"
    assert [n.code for n in by_role[Role.FACULTY].networks] == ["OXF", "WSX"]
    session.rollback()

    output = seed(runner, "--demo")
    assert "Reference data: nothing to change." in output
    assert "demo accounts: 4 created" not in output
    assert counts(session)["users"] == 4


# Phrases of the research notes in the reference file (what its compiler saw or could not find):
# user-facing descriptions never carry them.
RESEARCH_NOTE_PHRASES = (
    "could not be read",
    "the text after it",
    "heading seen",
    "seen on the",
    "not found in",
    "not confirmed",
    "sources read",
    "pages read",
)


def _research_notes(texts: dict[str, str]) -> dict[str, str]:
    return {where: text for where, text in texts.items() if any(p in text.lower() for p in RESEARCH_NOTE_PHRASES)}


def _descriptions(session) -> dict[str, str]:
    """Every description a user reads in the catalogue, by where it is shown."""
    session.expire_all()
    texts = {f"package {p.code} summary": p.summary for p in session.scalars(select(ChangePackage))}
    texts |= {f"idea {i.code}": i.description for i in session.scalars(select(ChangeIdea))}
    texts |= {f"driver {d.id}": d.description for d in session.scalars(select(Driver))}
    texts |= {f"resource {r.title}": r.description for r in session.scalars(select(PackageResource))}
    return texts


def test_no_seeded_description_is_a_research_note(session, runner):
    seed(runner)
    texts = _descriptions(session)
    assert "idea RP-01" in texts and texts["idea RP-01"]  # real descriptions stay
    assert _research_notes(texts) == {}
    idea = session.scalar(select(ChangeIdea).where(ChangeIdea.code == "RP-04"))
    assert (idea.title, idea.description) == ("Knowing patients' preferences", "")


def test_seeding_clears_a_research_note_already_in_the_database(session, runner):
    """A database seeded from the old reference data is put right in place by `flask seed`."""
    old = copy.deepcopy(reference_data())
    rrp = next(p for p in old["packages"] if p["code"] == "RRP")
    rp04 = next(i for i in rrp["ideas"] if i["code"] == "RP-04")
    rp04["description"] = "Heading seen on the ideas page; the text after it could not be read"
    load_reference(session, old)
    assert _research_notes(_descriptions(session)) == {"idea RP-04": rp04["description"]}
    session.rollback()

    output = seed(runner)
    assert "change ideas: 0 created, 1 updated" in output
    assert _research_notes(_descriptions(session)) == {}
    assert counts(session)["change_ideas"] == 18
