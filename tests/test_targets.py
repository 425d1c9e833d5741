"""An ambition's dated targets in the app: managers add and edit them, with clear refusals, optimistic
versions and every change in the audit trail (and on the target's own page); the published targets stay."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.helpers import FormClient, page_text
from tracker.audit.sentences import Names, sentence
from tracker.editing import CONFLICT_MESSAGE
from tracker.models import Ambition, AmbitionTarget, AuditEvent, Network, TargetMeasure

VERSION = re.compile(r'name="row_version" type="hidden" value="(\d*)"')
GOOD = {
    "label": "Board 2027",
    "measure": "reach",
    "value": "80",
    "target_date": "2027-03-31",
    "network_id": "",
    "text": "At least 80% of trusts adopting a change idea",
    "source_url": "https://example.org/board-papers",
}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def targets(session, code: str = "RP") -> dict[str, SimpleNamespace]:
    """The ambition's targets by name, as plain values read in a transaction of their own."""
    rows = session.scalars(
        select(AmbitionTarget).join(Ambition).where(Ambition.code == code).execution_options(populate_existing=True)
    )
    # Plain values: touching a row after the rollback would open a read transaction that sees no later write.
    found = {t.label: SimpleNamespace(**{c.key: getattr(t, c.key) for c in AmbitionTarget.__table__.c}) for t in rows}
    session.rollback()
    return found


def count_targets(session) -> int:
    n = len(session.scalars(select(AmbitionTarget)).all())
    session.rollback()
    return n


@pytest.fixture
def manager(signed_in):
    return signed_in("manager")


def add(client, **changes):
    return client.submit("/ambitions/RP/targets/new", GOOD | changes)


def test_a_manager_adds_a_target_and_everyone_reads_it(app, manager, seeded):
    response = add(manager)
    assert response.status_code == 302 and response.headers["Location"] == "/ambitions/RP#targets"
    target = targets(seeded)["Board 2027"]
    assert (target.measure, target.value, target.target_date) == (TargetMeasure.REACH, 80, date(2027, 3, 31))
    assert target.network_id is None and not target.is_reference
    text = page_text(page(manager, "/ambitions/RP"))
    assert "Target ‘Board 2027’ added" in text
    assert "Board 2027 At least 80% of trusts adopting a change idea Reach 80% 31 March 2027 Whole programme" in text
    assert f'href="/targets/{target.id}/edit"' in page(manager, "/ambitions/RP")
    trust = FormClient(app.test_client())
    trust.sign_in_as("trust")
    ambition_page = page(trust, "/ambitions/RP")
    assert f'href="/targets/{target.id}"' in ambition_page and "/edit" not in ambition_page
    assert "Add a target" not in page_text(ambition_page)
    text = page_text(page(trust, f"/targets/{target.id}"))
    assert "What it counts Reach: 80%" in text and "Due by 31 March 2027" in text and "For The whole programme" in text
    assert "Edit this target" not in text
    assert "Project manager added the target “Board 2027” to ambition RP: reach 80% by 31 March 2027" in text


def test_a_network_may_have_its_own_target_of_ward_coverage(manager, seeded):
    oxf = seeded.scalar(select(Network).where(Network.code == "OXF"))
    oxf_id, oxf_name = oxf.id, oxf.name
    seeded.rollback()
    add(manager, label="OXF wards", measure="ward_coverage", value="72.5%", network_id=str(oxf_id))
    target = targets(seeded)["OXF wards"]
    assert (target.measure, target.value, target.network_id) == (TargetMeasure.WARD_COVERAGE, 72.5, oxf_id)
    assert f"Ward coverage 72.5% 31 March 2027 {oxf_name}" in page_text(page(manager, "/ambitions/RP"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"label": ""}, "label", "Enter a name for the target, like Board 2026"),
        ({"label": "x" * 41}, "label", "The name must be 40 characters or fewer"),
        ({"label": "Original"}, "label", "This ambition already has a target with this name. Choose another name"),
        ({"measure": "incidents"}, "measure", "Choose what the target counts: reach or ward coverage"),
        ({"measure": ""}, "measure", "Choose what the target counts: reach or ward coverage"),
        ({"value": ""}, "value", "Enter the share the target aims at, as a percentage from 0 to 100"),
        ({"value": "101"}, "value", "The share must be a percentage from 0 to 100, like 80 or 72.5"),
        ({"value": "-5"}, "value", "The share must be a percentage from 0 to 100, like 80 or 72.5"),
        ({"value": "most"}, "value", "The share must be a percentage from 0 to 100, like 80 or 72.5"),
        ({"value": "nan"}, "value", "The share must be a percentage from 0 to 100, like 80 or 72.5"),
        ({"target_date": ""}, "target_date", "Enter the date the target is due by"),
        ({"target_date": "2027-02-30"}, "target_date", "The date must be a real date, like 31 March 2027"),
        ({"network_id": "99999"}, "network_id", "Choose the whole programme or one of the networks"),
        ({"network_id": "OXF"}, "network_id", "Choose the whole programme or one of the networks"),
        ({"text": "  "}, "text", "Enter what the target says"),
        (
            {"source_url": "javascript:alert(1)"},
            "source_url",
            "Enter a web address that starts with https:// or http://",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(manager, seeded, changes, field, message):
    before = count_targets(seeded)
    response = add(manager, **changes)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert f'href="#{field}{"-1" if field == "measure" else ""}">{message}</a>' in html
    assert f'id="{field}-error"' in html
    assert count_targets(seeded) == before


def test_a_date_already_passed_is_kept_for_the_record_and_said_so(manager, seeded):
    response = add(manager, label="Last year", target_date="2020-03-31")
    assert response.status_code == 302
    text = page_text(page(manager, "/ambitions/RP"))
    assert (
        "Target ‘Last year’ added. Its date has passed, so it is kept for the record: pages show the figure on "
        "that date, not whether you are on course" in text
    )
    assert "A date already passed is allowed" in page_text(page(manager, "/ambitions/RP/targets/new"))


def test_an_edit_is_saved_with_its_version_and_a_stale_one_is_refused(manager, seeded):
    add(manager)
    target_id = targets(seeded)["Board 2027"].id
    form = page(manager, f"/targets/{target_id}/edit")
    version = VERSION.search(form).group(1)
    assert version == "1"
    changed = GOOD | {"value": "90", "label": "Board 2027 (raised)", "row_version": version}
    assert manager.submit(f"/targets/{target_id}/edit", changed).status_code == 302
    target = targets(seeded)["Board 2027 (raised)"]
    assert (target.value, target.row_version) == (90, 2)
    # A second editor who opened the form before that save: refused, shown the target as it now is.
    stale = GOOD | {"value": "50", "row_version": version}
    response = manager.submit(f"/targets/{target_id}/edit", stale)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and CONFLICT_MESSAGE in page_text(html)
    assert 'value="90"' in html and 'value="Board 2027 (raised)"' in html
    assert targets(seeded)["Board 2027 (raised)"].value == 90
    missing = manager.submit(f"/targets/{target_id}/edit", GOOD | {"value": "50"})
    assert "This form did not say which version you opened" in page_text(missing.get_data(as_text=True))


def test_the_history_page_lists_every_change_in_words(manager, seeded):
    add(manager)
    target_id = targets(seeded)["Board 2027"].id
    version = VERSION.search(page(manager, f"/targets/{target_id}/edit")).group(1)
    manager.submit(
        f"/targets/{target_id}/edit", GOOD | {"value": "85", "target_date": "2027-06-30", "row_version": version}
    )
    text = page_text(page(manager, f"/targets/{target_id}"))
    assert "added the target “Board 2027” to ambition RP: reach 80% by 31 March 2027, for the whole programme" in text
    assert "Project manager changed the target “Board 2027” of ambition RP" in text
    assert "Due by: 31 March 2027 → 30 June 2027" in text and "Share aimed at (%): 80.0 → 85.0" in text
    events = seeded.scalars(
        select(AuditEvent).where(AuditEvent.entity == "ambition_targets", AuditEvent.entity_key == str(target_id))
    ).all()
    assert [e.action for e in events] == ["create", "update"]
    assert all(e.actor_email == "manager@demo.invalid" for e in events)
    # The ambition's own row is not said to have changed when a target is added.
    assert not seeded.scalars(
        select(AuditEvent).where(AuditEvent.entity == "ambitions", AuditEvent.actor_email == "manager@demo.invalid")
    ).all()


def test_published_targets_are_marked_and_cannot_be_changed(manager, seeded):
    original = targets(seeded)["Original"]
    assert original.is_reference
    html = page(manager, "/ambitions/RP")
    assert page_text(html).count("Published, read only") == 3
    assert f'href="/targets/{original.id}/edit"' not in html
    text = page_text(page(manager, f"/targets/{original.id}/edit"))
    assert "A published target cannot be changed" in text and 'value="Original"' not in text
    posted = manager.submit(f"/targets/{original.id}/edit", GOOD | {"row_version": "1"}, page="/ambitions/RP")
    assert posted.status_code == 200 and "cannot be changed in the app" in page_text(posted.get_data(as_text=True))
    assert targets(seeded)["Original"].text == original.text
    assert "Edit this target" not in page_text(page(manager, f"/targets/{original.id}"))
    assert "Published target" in page_text(page(manager, f"/targets/{original.id}"))


def test_reloading_the_reference_data_leaves_the_teams_targets_as_they_are(manager, seeded):
    from tracker.seed.reference import load_reference

    add(manager)
    load_reference(seeded)
    found = targets(seeded)
    assert not found["Board 2027"].is_reference and found["Board 2027"].value == 80
    assert found["Original"].is_reference


def test_unknown_targets_and_ambitions_are_not_found(manager):
    assert manager.get("/targets/999999").status_code == 404
    assert manager.get("/targets/999999/edit").status_code == 404
    assert manager.get("/ambitions/NOPE/targets/new").status_code == 404


NAMES = Names(networks={3: "OXF"}, ambitions={1: "RP"}, targets={7: ("Board 2027", "RP")})


class Row:
    def __init__(self, action, key, before=None, after=None):
        self.action, self.entity, self.entity_key = action, "ambition_targets", key
        self.before, self.after = before, after
        self.actor_role, self.actor_email, self.actor_id, self.detail, self.path = "manager", "p@nhs.net", None, "", ""


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            Row(
                "create",
                "7",
                after={
                    "label": "Board 2027",
                    "ambition_id": 1,
                    "measure": "ward_coverage",
                    "value": 60.0,
                    "target_date": "2027-03-31",
                    "network_id": 3,
                },
            ),
            "Project manager added the target “Board 2027” to ambition RP: ward coverage 60% by 31 March 2027, "
            "for network OXF",
        ),
        (
            Row("update", "7", before={"label": "Board"}, after={"label": "Board 2027"}),
            "Project manager renamed the target “Board” of ambition RP to “Board 2027”",
        ),
        (
            Row("update", "7", before={"value": 80.0}, after={"value": 85.0}),
            "Project manager changed the target “Board 2027” of ambition RP",
        ),
        (
            Row("delete", "8", before={"label": "Old", "ambition_id": 1}),
            "Project manager deleted the target “Old” of ambition RP",
        ),
        (
            Row(
                "create",
                "9",
                after={"label": "Original", "ambition_id": 1, "measure": "reach", "value": None, "is_reference": True},
            ),
            "Project manager added the published target “Original” to ambition RP, for the whole programme",
        ),
    ],
)
def test_each_change_to_a_target_reads_as_a_sentence(row, expected):
    assert sentence(row, NAMES) == expected
