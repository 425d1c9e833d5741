"""Learning links: the services' rules, the manager pages, and the links the seed makes."""

from __future__ import annotations

import math
import re

import pytest
from sqlalchemy import func, select

from tests.helpers import HASH_ITERATIONS
from tracker.calendar import today
from tracker.editing import CONFLICT_MESSAGE, EditConflict, InvalidInput
from tracker.links import services
from tracker.models import AuditEvent, LearningLink, LinkKind, LinkStatus, Network, Organisation, OrganisationKind
from tracker.seed import load_demo, load_reference
from tracker.seed.links import DEMO_LINKS, Place, haversine_km, nearest_pairs

VALID = {
    "source": "RTQ",  # Gloucestershire and Kent and Medway: no link of any kind in the seed
    "target": "RXY",
    "kind": "other",
    "weight": "3",
    "note": "Met at the regional learning event",
    "start_date": "2023-01-16",
    "end_date": "",
}


# Helpers: read and arrange rows through the test's own session. Each ends its transaction, so the
# app's own writes never wait for it.


def links_table(session) -> list[dict]:
    """Every link's columns, with its organisations' ODS codes, by id."""
    session.rollback()
    ods = dict(session.execute(select(Organisation.id, Organisation.ods_code)).all())
    rows = [dict(r) for r in session.execute(select(LearningLink.__table__).order_by(LearningLink.id)).mappings()]
    session.rollback()
    for r in rows:
        r["source"], r["target"] = ods[r["source_id"]], ods[r["target_id"]]
    return rows


def find(session, a: str, b: str, kind: str) -> dict | None:
    """The link of this kind between two organisations, whichever way round."""
    matches = [r for r in links_table(session) if {r["source"], r["target"]} == {a, b} and r["kind"] == kind]
    assert len(matches) <= 1
    return matches[0] if matches else None


def link_id(session, a: str, b: str, kind: str) -> int:
    found = find(session, a, b, kind)
    assert found is not None, (a, b, kind)
    return found["id"]


def get_link(session, a: str, b: str, kind: str) -> LearningLink:
    """The link as a row of the test's session (for calling the services directly)."""
    return session.get(LearningLink, link_id(session, a, b, kind))


def audit_rows(session, action: str) -> list[AuditEvent]:
    session.rollback()
    rows = list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "learning_links", AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
    )
    session.rollback()
    return rows


def page(response) -> str:
    return response.get_data(as_text=True)


def assert_refused(response, message: str) -> None:
    html = page(response)
    assert response.status_code == 200, html
    assert 'class="nhsuk-error-summary"' in html
    assert message in html, html[html.find("nhsuk-error-summary") :][:2000]


def ids(session) -> dict[str, int]:
    session.rollback()
    found = dict(session.execute(select(Organisation.ods_code, Organisation.id)).all())
    session.rollback()
    return found


# The services ----------------------------------------------------------------------------------


def test_a_link_is_stored_with_the_lower_organisation_id_first(seeded):
    by_ods = ids(seeded)
    assert by_ods["RXY"] < by_ods["RTQ"]  # Kent and Medway comes first in the reference data
    link = services.create_link(seeded, "rtq", "RXY", LinkKind.OTHER, 2, "  Shared a ward visit  ")
    assert (link.source.ods_code, link.target.ods_code) == ("RXY", "RTQ")
    assert (link.status, link.weight, link.note, link.is_demo) == (
        LinkStatus.CONFIRMED,
        2,
        "Shared a ward visit",
        False,
    )


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"source_ods": "RNU", "target_ods": "rnu"}, "target", services.SELF_LINK),
        (
            {"source_ods": "RNU", "target_ods": "RWX", "kind": "buddy_pair"},
            "target",
            "These organisations already have a buddy pair link",
        ),
        (
            {"source_ods": "RWX", "target_ods": "RNU", "kind": "buddy_pair"},
            "target",
            "These organisations already have a buddy pair link",
        ),
        (
            {"source_ods": "R1F", "target_ods": "RDY", "kind": "geographic_neighbour"},
            "target",
            "These organisations already have a geographic neighbour link",
        ),
        ({"source_ods": "ZZZ9"}, "source", "No organisation has the ODS code ZZZ9"),
        ({"target_ods": ""}, "target", services.CHOOSE_TARGET),
        ({"kind": "friends"}, "kind", services.CHOOSE_KIND),
        ({"kind": 3}, "kind", services.CHOOSE_KIND),
        ({"weight": 0}, "weight", services.WEIGHT_RANGE),
        ({"weight": 6}, "weight", services.WEIGHT_RANGE),
        ({"weight": True}, "weight", services.WEIGHT_RANGE),
        ({"weight": 2.5}, "weight", services.WEIGHT_RANGE),
        ({"note": "x" * (services.NOTE_MAX + 1)}, "note", services.NOTE_TOO_LONG),
        (
            {"start_date": today(), "end_date": today().replace(year=today().year - 1)},
            "end_date",
            services.ENDS_BEFORE_START,
        ),
    ],
)
def test_the_service_refuses_bad_input_and_writes_nothing(seeded, changes, field, message):
    before = links_table(seeded)
    arguments = {"source_ods": "RXY", "target_ods": "RTQ", "kind": "other", "weight": 3, **changes}
    with pytest.raises(InvalidInput) as refused:
        services.create_link(seeded, **arguments)
    assert refused.value.errors[field] == message
    assert links_table(seeded) == before


def test_every_problem_is_named_at_once(seeded):
    with pytest.raises(InvalidInput) as refused:
        services.create_link(seeded, "ZZZ9", "", "friends", 9, "", today(), today().replace(year=2000))
    assert set(refused.value.errors) == {"source", "target", "kind", "weight", "end_date"}


def test_a_link_may_end_on_the_day_it_starts(seeded):
    link = services.create_link(seeded, "RXY", "RTQ", "other", 3, "", today(), today())
    assert link.start_date == link.end_date


def test_a_pair_may_have_one_link_of_each_kind(seeded):
    services.create_link(seeded, "RNU", "RWX", LinkKind.OTHER, 1)
    kinds = {r["kind"] for r in links_table(seeded) if {r["source"], r["target"]} == {"RNU", "RWX"}}
    assert kinds == {"buddy_pair", "geographic_neighbour", "other"}


def test_updating_keeps_the_link_its_own_duplicate_and_reorders_the_pair(seeded):
    link = get_link(seeded, "RNU", "RWX", "buddy_pair")
    services.update_link(seeded, link, "RWX", "RNU", "buddy_pair", 5, "Closer now", None, None, expected_version=1)
    row = find(seeded, "RNU", "RWX", "buddy_pair")
    assert (row["weight"], row["note"], row["row_version"]) == (5, "Closer now", 2)
    link = get_link(seeded, "RNU", "RWX", "buddy_pair")
    services.update_link(seeded, link, "RTQ", "RXY", "buddy_pair", 5, "", None, None, expected_version=2)
    row = find(seeded, "RTQ", "RXY", "buddy_pair")
    assert (row["source"], row["target"]) == ("RXY", "RTQ")
    assert find(seeded, "RNU", "RWX", "buddy_pair") is None


def test_updating_into_another_links_pair_and_kind_is_refused(seeded):
    before = links_table(seeded)
    link = get_link(seeded, "RNU", "RWX", "buddy_pair")
    with pytest.raises(InvalidInput) as refused:
        services.update_link(seeded, link, "RX2", "RXX", "buddy_pair", 3, "", None, None, expected_version=1)
    assert refused.value.errors == {"target": "These organisations already have a buddy pair link"}
    seeded.rollback()
    assert links_table(seeded) == before


def test_a_stale_update_is_a_conflict(seeded):
    link = get_link(seeded, "RNU", "RWX", "buddy_pair")
    with pytest.raises(EditConflict):
        services.update_link(seeded, link, "RNU", "RWX", "buddy_pair", 1, "", None, None, expected_version=7)


def test_confirming_a_proposal_and_confirming_again(seeded):
    link = get_link(seeded, "R1F", "RDY", "geographic_neighbour")
    assert link.status is LinkStatus.PROPOSED
    services.confirm_link(seeded, link, expected_version=1)
    assert find(seeded, "R1F", "RDY", "geographic_neighbour")["status"] == "confirmed"
    link = get_link(seeded, "R1F", "RDY", "geographic_neighbour")
    services.confirm_link(seeded, link, link.row_version)  # already confirmed: nothing to write
    assert find(seeded, "R1F", "RDY", "geographic_neighbour")["row_version"] == 2


def test_deleting_a_link(seeded):
    link = get_link(seeded, "RNU", "RWX", "buddy_pair")
    services.delete_link(seeded, link, link.row_version)
    assert find(seeded, "RNU", "RWX", "buddy_pair") is None


def test_creating_changing_confirming_and_deleting_are_audited(seeded):
    link = services.create_link(seeded, "RXY", "RTQ", "other", 2, "Audited")
    created_id = link.id
    [created] = [r for r in audit_rows(seeded, "create") if r.entity_key == str(created_id)]
    assert created.after["kind"] == "other" and created.after["note"] == "Audited"
    assert created.actor_email == "test"

    link = seeded.get(LearningLink, created_id)
    services.update_link(seeded, link, "RXY", "RTQ", "other", 4, "Audited", None, None, expected_version=1)
    [updated] = audit_rows(seeded, "update")
    assert (updated.entity_key, updated.before, updated.after) == (str(created_id), {"weight": 2}, {"weight": 4})

    proposal = get_link(seeded, "R1F", "RDY", "geographic_neighbour")
    services.confirm_link(seeded, proposal, proposal.row_version)
    confirmed = audit_rows(seeded, "update")[-1]
    assert (confirmed.before, confirmed.after) == ({"status": "proposed"}, {"status": "confirmed"})

    services.delete_link(seeded, link := seeded.get(LearningLink, created_id), link.row_version)
    [deleted] = audit_rows(seeded, "delete")
    assert deleted.entity_key == str(created_id) and deleted.before["weight"] == 4 and deleted.after is None


# The list --------------------------------------------------------------------------------------


def test_everyone_signed_in_sees_the_links_with_their_facts(signed_in):
    html = page(signed_in("trust").get("/links"))
    assert "<h1>Learning links</h1>" in html
    assert "suggested from geography; not counted until a manager confirms them" in html
    assert '<a href="/organisations/RNU">Oxford Health NHS Foundation Trust</a> (RNU)' in html
    for fact in (
        "Buddy pair",
        "Shared faculty",
        "Learning set",
        "Geographic neighbour",
        "4 of 5",
        "1 September 2021",
        "Proposed from geography: about 49 km apart",
    ):
        assert fact in html, fact
    assert '<strong class="nhsuk-tag nhsuk-tag--grey">Proposed</strong>' in html
    assert '<strong class="nhsuk-tag nhsuk-tag--green">Confirmed</strong>' in html
    assert ">Demo</strong>" in html
    assert "All organisations: 33 links" in html
    # Trust staff read; they are offered nothing to change.
    assert "Add a link" not in html and "/edit" not in html and "/confirm" not in html


def test_editors_are_offered_the_changes(signed_in, seeded):
    proposal = link_id(seeded, "R1F", "RDY", "geographic_neighbour")
    demo = link_id(seeded, "RNU", "RWX", "buddy_pair")
    html = page(signed_in("manager").get("/links"))
    assert 'href="/links/new"' in html
    assert f'action="/links/{proposal}/confirm"' in html
    assert f'action="/links/{demo}/confirm"' not in html  # already confirmed
    assert f'href="/links/{demo}/edit"' in html and f'href="/links/{demo}/delete"' in html
    assert 'Change<span class="nhsuk-u-visually-hidden"> the buddy pair link between RNU and RWX</span>' in html


def test_the_list_filters_by_organisation_and_status(signed_in):
    client = signed_in("faculty")
    html = page(client.get("/links?organisation=rnu"))
    assert "Oxford Health NHS Foundation Trust (RNU): 7 links" in html
    assert '<a href="/organisations/RXY">' not in html
    assert '<option value="RNU" selected>' in html
    html = page(client.get("/links?status=proposed"))
    assert "All organisations, proposed: 15 links" in html
    assert "Confirmed</strong>" not in html
    html = page(client.get("/links?organisation=RNU&status=confirmed"))
    assert "Oxford Health NHS Foundation Trust (RNU), confirmed: 5 links" in html
    assert "Proposed</strong>" not in html
    html = page(client.get("/links?organisation=R1C&status=proposed"))
    assert "Solent NHS Trust (R1C), proposed: 0 links" in html and "No links match." in html


@pytest.mark.parametrize("query, status", [("organisation=ZZZ9", 404), ("status=maybe", 400)])
def test_a_bad_filter_is_refused(signed_in, query, status):
    assert signed_in("trust").get(f"/links?{query}").status_code == status


def test_the_list_runs_the_same_statements_however_many_links(signed_in, seeded, statement_counter):
    client = signed_in("manager")
    client.get("/links")
    with statement_counter() as before:
        client.get("/links")
    for i in range(5):
        services.create_link(seeded, "RXY", "RTQ", list(LinkKind)[i], 3)
    with statement_counter() as after:
        assert "All organisations: 38 links" in page(client.get("/links"))
    assert len(after) == len(before)


# Adding ----------------------------------------------------------------------------------------


def test_a_manager_adds_a_link(signed_in, seeded):
    seeded.commit()
    client = signed_in("manager")
    form = page(client.get("/links/new"))
    assert '<option value="RNU">Oxford Health NHS Foundation Trust (RNU)</option>' in form
    assert "Solent NHS Trust (R1C), closed 1 October 2024" in form
    assert 'type="date"' in form and 'name="kind" type="radio" value="learning_set"' in form
    assert '<option value="3" selected>3</option>' in form

    response = client.submit("/links/new", VALID)
    assert response.status_code == 302, page(response)
    assert response.headers["Location"] == "/links?organisation=RTQ"
    row = find(seeded, "RXY", "RTQ", "other")
    assert (row["source"], row["target"]) == ("RXY", "RTQ")  # stored lower id first
    assert (row["weight"], row["note"], str(row["start_date"]), row["end_date"]) == (
        3,
        VALID["note"],
        "2023-01-16",
        None,
    )
    assert (row["status"], row["is_demo"]) == ("confirmed", False)
    html = page(client.get(response.headers["Location"]))
    assert (
        "The other link between Kent and Medway NHS and Social Care Partnership Trust (RXY) and Gloucestershire" in html
    )
    [audit] = [r for r in audit_rows(seeded, "create") if r.entity_key == str(row["id"])]
    assert (audit.actor_email, audit.path) == ("manager@demo.invalid", "POST /links/new")


def test_the_first_organisation_can_be_chosen_from_the_address(signed_in):
    html = page(signed_in("admin").get("/links/new?organisation=rnu"))
    assert '<option value="RNU" selected>' in html


def _add(**changes):
    return {**VALID, **changes}


BAD_INPUT = [
    (_add(source="RNU", target="RNU"), services.SELF_LINK),
    (_add(source="RNU", target="RWX", kind="buddy_pair"), "These organisations already have a buddy pair link"),
    (_add(source="RWX", target="RNU", kind="buddy_pair"), "These organisations already have a buddy pair link"),
    (
        _add(source="RDY", target="R1F", kind="geographic_neighbour"),
        "These organisations already have a geographic neighbour link",
    ),
    (_add(source="ZZZ9"), "No organisation has the ODS code ZZZ9"),
    (_add(target="ZZZ9"), "No organisation has the ODS code ZZZ9"),
    (_add(source=""), services.CHOOSE_SOURCE),
    (_add(target=""), services.CHOOSE_TARGET),
    (_add(start_date="2023-06-01", end_date="2023-05-31"), services.ENDS_BEFORE_START),
    (_add(start_date="2023-02-30"), "The start date must be a real date"),
    (_add(end_date="soon"), "The end date must be a real date"),
    (_add(weight="0"), services.WEIGHT_RANGE),
    (_add(weight="6"), services.WEIGHT_RANGE),
    (_add(weight="heavy"), services.WEIGHT_RANGE),
    (_add(weight=""), services.WEIGHT_RANGE),
    (_add(kind="friends"), services.CHOOSE_KIND),
    ({k: v for k, v in VALID.items() if k != "kind"}, services.CHOOSE_KIND),
    (_add(note="x" * (services.NOTE_MAX + 1)), services.NOTE_TOO_LONG),
]


@pytest.mark.parametrize("data, message", BAD_INPUT)
def test_bad_input_is_refused_with_nothing_written(signed_in, seeded, data, message):
    before = links_table(seeded)
    response = signed_in("manager").submit("/links/new", data)
    assert_refused(response, message)
    assert links_table(seeded) == before
    assert len(before) == 33


def test_a_refused_form_keeps_what_was_entered(signed_in):
    html = page(signed_in("manager").submit("/links/new", _add(source="RNU", target="RNU", note="Keep me")))
    assert '<option value="RNU" selected>' in html and "Keep me</textarea>" in html
    assert 'name="kind" type="radio" value="other" checked' in html
    assert '<a href="#target">An organisation cannot be linked to itself</a>' in html


def test_a_form_without_its_csrf_token_writes_nothing(signed_in, seeded):
    before = links_table(seeded)
    response = signed_in("manager").post("/links/new", data=VALID)
    assert response.status_code == 400
    assert links_table(seeded) == before


# Changing --------------------------------------------------------------------------------------


def test_a_manager_changes_a_link(signed_in, seeded):
    demo = link_id(seeded, "RNU", "RWX", "buddy_pair")
    client = signed_in("admin")
    form = page(client.get(f"/links/{demo}/edit"))
    assert 'name="row_version" type="hidden" value="1"' in form
    assert '<option value="RNU" selected>' in form and '<option value="4" selected>' in form
    assert 'value="2021-09-01"' in form
    data = {
        "source": "RNU",
        "target": "RWX",
        "kind": "buddy_pair",
        "weight": "5",
        "note": "Weekly now",
        "start_date": "2021-09-01",
        "end_date": "",
        "row_version": "1",
    }
    response = client.submit(f"/links/{demo}/edit", data)
    assert response.status_code == 302, page(response)
    row = find(seeded, "RNU", "RWX", "buddy_pair")
    assert (row["weight"], row["note"], row["row_version"], row["is_demo"]) == (5, "Weekly now", 2, True)
    assert "has been saved" in page(client.get(response.headers["Location"]))


@pytest.mark.parametrize("data, message", BAD_INPUT)
def test_bad_changes_are_refused_with_nothing_written(signed_in, seeded, data, message):
    demo = link_id(seeded, "RVN", "RTQ", "buddy_pair")
    before = links_table(seeded)
    response = signed_in("manager").submit(f"/links/{demo}/edit", {**data, "row_version": "1"})
    assert_refused(response, message)
    assert links_table(seeded) == before


def test_editing_a_proposal_says_it_stays_proposed(signed_in, seeded):
    proposal = link_id(seeded, "R1F", "RDY", "geographic_neighbour")
    assert "saving your changes does not confirm it" in page(signed_in("manager").get(f"/links/{proposal}/edit"))


def test_two_editors_changing_the_same_link_do_not_overwrite_each_other(app, client, signed_in, seeded):
    demo = link_id(seeded, "RNU", "RWX", "buddy_pair")
    first = signed_in("manager")
    second = type(client)(app.test_client())
    second.sign_in_as("admin")
    data = {
        "source": "RNU",
        "target": "RWX",
        "kind": "buddy_pair",
        "weight": "4",
        "start_date": "",
        "end_date": "",
        "row_version": "1",
    }
    assert second.submit(f"/links/{demo}/edit", {**data, "note": "Second editor"}).status_code == 302

    response = first.submit(f"/links/{demo}/edit", {**data, "note": "First editor"})
    assert_refused(response, CONFLICT_MESSAGE)
    html = page(response)
    assert "Second editor</textarea>" in html  # the form now shows the other editor's version
    assert 'name="row_version" type="hidden" value="2"' in html
    assert find(seeded, "RNU", "RWX", "buddy_pair")["note"] == "Second editor"


def test_a_form_without_its_row_version_is_refused(signed_in, seeded):
    demo = link_id(seeded, "RNU", "RWX", "buddy_pair")
    data = {"source": "RNU", "target": "RWX", "kind": "buddy_pair", "weight": "5"}
    response = signed_in("manager").submit(f"/links/{demo}/edit", data)
    assert response.status_code == 200
    assert "did not say which version you opened, so nothing was saved" in page(response)
    assert find(seeded, "RNU", "RWX", "buddy_pair")["weight"] == 4


@pytest.mark.parametrize(
    "url", ["/links/999/edit", "/links/999/delete", "/links/99999999999999999999/edit", "/links/0/delete"]
)
def test_unknown_links_are_not_found(signed_in, url):
    assert signed_in("manager").get(url).status_code == 404


# Deleting and confirming -----------------------------------------------------------------------


def test_a_manager_deletes_a_link_after_confirming(signed_in, seeded):
    demo = link_id(seeded, "RNU", "RWX", "buddy_pair")
    client = signed_in("manager")
    html = page(client.get(f"/links/{demo}/delete"))
    assert "Delete the buddy pair link between Oxford Health NHS Foundation Trust and Berkshire Healthcare" in html
    assert 'name="row_version" type="hidden" value="1"' in html
    response = client.submit(f"/links/{demo}/delete", {"row_version": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/links"
    assert find(seeded, "RNU", "RWX", "buddy_pair") is None
    assert "has been deleted" in page(client.get("/links"))
    [audit] = audit_rows(seeded, "delete")
    assert (audit.entity_key, audit.actor_email) == (str(demo), "manager@demo.invalid")


def test_a_stale_delete_deletes_nothing(signed_in, seeded):
    demo = link_id(seeded, "RNU", "RWX", "buddy_pair")
    client = signed_in("manager")
    link = seeded.get(LearningLink, demo)
    services.update_link(
        seeded, link, "RNU", "RWX", "buddy_pair", 2, "Changed meanwhile", None, None, expected_version=1
    )
    response = client.submit(f"/links/{demo}/delete", {"row_version": "1"})
    assert_refused(response, CONFLICT_MESSAGE)
    assert find(seeded, "RNU", "RWX", "buddy_pair")["note"] == "Changed meanwhile"


def test_a_manager_confirms_a_proposal_keeping_the_filters(signed_in, seeded):
    proposal = link_id(seeded, "R1F", "RDY", "geographic_neighbour")
    client = signed_in("manager")
    response = client.submit(
        f"/links/{proposal}/confirm",
        {"row_version": "1", "organisation": "RDY", "status": "proposed"},
        page="/links",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/links?organisation=RDY&status=proposed"
    assert find(seeded, "R1F", "RDY", "geographic_neighbour")["status"] == "confirmed"
    assert "is confirmed" in page(client.get("/links"))


def test_confirming_ignores_filters_that_are_not_filters(signed_in, seeded):
    proposal = link_id(seeded, "R1F", "RDY", "geographic_neighbour")
    response = signed_in("admin").submit(
        f"/links/{proposal}/confirm",
        {"row_version": "1", "organisation": "https://evil.example", "status": "all"},
        page="/links",
    )
    assert response.headers["Location"] == "/links"


def test_a_stale_confirmation_changes_nothing(signed_in, seeded):
    proposal = link_id(seeded, "R1F", "RDY", "geographic_neighbour")
    client = signed_in("manager")
    response = client.submit(f"/links/{proposal}/confirm", {"row_version": "3"}, page="/links", follow_redirects=True)
    assert "Nothing was changed: someone else changed or deleted this link" in page(response)
    assert find(seeded, "R1F", "RDY", "geographic_neighbour")["status"] == "proposed"


# Who may do what -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_trust_staff_and_faculty_read_but_change_nothing(signed_in, seeded, role):
    demo = link_id(seeded, "RNU", "RWX", "buddy_pair")
    before = links_table(seeded)
    client = signed_in(role)
    assert client.get("/links").status_code == 200
    for url in ("/links/new", f"/links/{demo}/edit", f"/links/{demo}/delete"):
        assert client.get(url).status_code == 403, url
    token = client.csrf_token("/links")
    for url, data in (
        ("/links/new", VALID),
        (f"/links/{demo}/edit", {**VALID, "row_version": "1"}),
        (f"/links/{demo}/delete", {"row_version": "1"}),
        (f"/links/{demo}/confirm", {"row_version": "1"}),
    ):
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    assert links_table(seeded) == before


def test_anonymous_visitors_are_sent_to_sign_in(seeded, client):
    response = client.get("/links")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")


# The seed --------------------------------------------------------------------------------------


def test_haversine_distances():
    assert haversine_km(51.5, -0.12, 51.5, -0.12) == 0
    # London to Paris: about 343.5 km (Charing Cross to Notre-Dame).
    assert haversine_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, abs=0.5)
    assert haversine_km(48.8566, 2.3522, 51.5074, -0.1278) == haversine_km(51.5074, -0.1278, 48.8566, 2.3522)
    # A quarter of the way round the equator, and the antipodes.
    assert haversine_km(0, 0, 0, 90) == pytest.approx(math.pi * 6371.0088 / 2)
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088)
    # One degree of latitude is about 111 km anywhere.
    assert haversine_km(50, -3, 51, -3) == pytest.approx(111.2, abs=0.1)


def test_nearest_pairs_are_unordered_and_break_ties_by_key():
    places = [Place("C", 0, 2), Place("A", 0, 0), Place("B", 0, 1), Place("D", 0, 1)]
    pairs = nearest_pairs(places, k=2)
    # A: B and D tie at one degree; C: B and D tie too; B: A, D (0 km) and C — D first, then A.
    assert set(pairs) == {("A", "B"), ("A", "D"), ("B", "C"), ("C", "D"), ("B", "D")}
    assert pairs[("B", "D")] == 0
    assert pairs[("A", "B")] == pytest.approx(haversine_km(0, 0, 0, 1))
    assert nearest_pairs(list(reversed(places)), k=2) == pairs
    assert nearest_pairs([Place("A", 0, 0)]) == {}


def _expected_proposals(session) -> set[frozenset[str]]:
    """Each open organisation with coordinates and its two nearest, worked out independently."""
    session.rollback()
    day = today()
    open_ = [o for o in session.scalars(select(Organisation)) if o.is_open_on(day) and o.latitude is not None]
    pairs = set()
    for o in open_:
        others = sorted(
            open_, key=lambda p: (haversine_km(o.latitude, o.longitude, p.latitude, p.longitude), p.ods_code)
        )
        for p in [p for p in others if p is not o][:2]:
            pairs.add(frozenset((o.ods_code, p.ods_code)))
    session.rollback()
    return pairs


def test_the_seed_proposes_each_open_organisations_two_nearest_neighbours(seeded):
    geographic = [r for r in links_table(seeded) if r["kind"] == "geographic_neighbour"]
    assert {frozenset((r["source"], r["target"])) for r in geographic} == _expected_proposals(seeded)
    assert len(geographic) == 15
    by_ods = ids(seeded)
    for r in geographic:
        assert (r["status"], r["weight"], r["is_demo"]) == ("proposed", 1, False)
        assert r["source_id"] < r["target_id"]
        assert re.fullmatch(r"Proposed from geography: about \d+ km apart", r["note"]), r["note"]
    # Every open organisation has at least its two nearest; Solent (closed in 2024) has none.
    for ods in by_ods:
        count = sum(ods in (r["source"], r["target"]) for r in geographic)
        assert count == 0 if ods == "R1C" else count >= 2, ods
    # Hampshire and Isle of Wight (Southampton) and the Isle of Wight: about 25 km.
    assert find(seeded, "RW1", "R1F", "geographic_neighbour")["note"] == "Proposed from geography: about 25 km apart"


def test_seeding_again_adds_nothing(seeded):
    before = links_table(seeded)
    assert load_reference(seeded).summary() == "nothing to change"
    assert "demo links" not in load_demo(seeded, HASH_ITERATIONS, history=False).summary()
    assert links_table(seeded) == before


def test_the_seed_reports_its_proposals(app, session):
    assert "proposed links: 15 created" in load_reference(session).summary()


def test_a_proposal_a_manager_deleted_or_changed_is_not_proposed_again(seeded):
    proposal = get_link(seeded, "R1F", "RDY", "geographic_neighbour")
    services.delete_link(seeded, proposal, proposal.row_version)
    link = get_link(seeded, "RW1", "R1F", "geographic_neighbour")
    services.update_link(seeded, link, "RW1", "R1F", "other", 1, "", None, None, expected_version=1)
    assert load_reference(seeded).summary() == "nothing to change"
    assert find(seeded, "R1F", "RDY", "geographic_neighbour") is None
    assert find(seeded, "RW1", "R1F", "geographic_neighbour") is None


def test_confirmed_proposals_are_kept_as_they_are(seeded):
    proposal = get_link(seeded, "R1F", "RDY", "geographic_neighbour")
    services.confirm_link(seeded, proposal, proposal.row_version)
    load_reference(seeded)
    assert find(seeded, "R1F", "RDY", "geographic_neighbour")["status"] == "confirmed"


def test_a_new_organisation_is_proposed_its_neighbours_on_the_next_seed(seeded):
    seeded.add(
        Organisation(
            ods_code="RZZ",
            name="Reading Mental Health Trust",
            kind=OrganisationKind.MENTAL_HEALTH_TRUST,
            network=seeded.scalar(select(Network).filter_by(code="OXF")),
            latitude=51.455,
            longitude=-0.969,
        )
    )
    seeded.commit()
    report = load_reference(seeded)
    assert report.created["proposed links"] >= 2
    assert find(seeded, "RZZ", "RWX", "geographic_neighbour") is not None  # Bracknell, about 15 km
    assert {
        frozenset((r["source"], r["target"])) for r in links_table(seeded) if r["kind"] == "geographic_neighbour"
    } >= _expected_proposals(seeded)


def test_a_closed_organisation_gets_no_proposals(session):
    """Without coordinates or once closed, an organisation is left out (checked on a fresh load)."""
    load_reference(session)
    rows = links_table(session)
    assert not any("R1C" in (r["source"], r["target"]) for r in rows)


def test_the_demo_links(seeded):
    demo = [r for r in links_table(seeded) if r["is_demo"]]
    assert 15 <= len(demo) == len(DEMO_LINKS) <= 20
    assert all(r["status"] == "confirmed" and r["note"].startswith("Demo:") for r in demo)
    kinds = {kind: [r for r in demo if r["kind"] == kind] for kind in ("buddy_pair", "shared_faculty", "learning_set")}
    assert len(kinds["buddy_pair"]) >= 5 and 1 <= len(kinds["shared_faculty"]) <= 3
    # The learning set: every pair of its four trusts.
    members = {ods for r in kinds["learning_set"] for ods in (r["source"], r["target"])}
    assert len(members) == 4 and len(kinds["learning_set"]) == 6
    # Buddy pairs are within a network; shared faculty cross networks.
    seeded.rollback()
    network = dict(seeded.execute(select(Organisation.ods_code, Network.code).join(Organisation.network)).all())
    seeded.rollback()
    assert all(network[r["source"]] == network[r["target"]] for r in kinds["buddy_pair"])
    assert all(network[r["source"]] != network[r["target"]] for r in kinds["shared_faculty"])
    # Solent's buddy pair ended the day before it closed.
    assert str(find(seeded, "RW1", "R1C", "buddy_pair")["end_date"]) == "2024-09-30"


def test_demo_links_come_with_the_demo_accounts_even_without_history(app, session):
    load_reference(session)
    assert not any(r["is_demo"] for r in links_table(session))
    report = load_demo(session, HASH_ITERATIONS, history=False)
    assert report.created["demo links"] == len(DEMO_LINKS)
    assert session.scalar(select(func.count()).select_from(LearningLink).where(LearningLink.is_demo.is_(True))) == len(
        DEMO_LINKS
    )
