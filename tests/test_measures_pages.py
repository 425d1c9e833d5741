"""The measures catalogue: the list and a measure's page for every role, and managers adding and
changing measures through the real database (bad input refused with a message, nothing written;
a stale form a conflict; every write audited)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import add_spc_values
from tests.helpers import page_text, region, rows_of
from tracker.editing import CONFLICT_MESSAGE, VERSION_MISSING, InvalidInput
from tracker.measures import measure_services as services
from tracker.measures.measure_units import full_unit, number, stored_unit
from tracker.models import AuditEvent, Measure

ROLES = ("trust", "faculty", "manager", "admin")
SEEDED = ["RP-RESTRAINT", "RP-PRONE", "RP-SECLUSION", "RP-SEGREGATION", "RP-RT"]

VALID = {
    "code": "ss-harm",
    "ambition": "SSH",
    "name": "Self-harm incidents",
    "kind": "outcome",
    "numerator": "Self-harm incidents",
    "denominator": "Occupied bed days",
    "scale": "1000",
    "direction": "decrease",
    "target": "",
    "definition": "Incidents of self-harm on the ward, as reported.",
    "source_note": "Ours: no public source names this rate.",
    "source_url": "",
}


def measures_table(session) -> dict[str, dict]:
    """Every measure's columns, by code, read in a transaction of its own."""
    session.rollback()
    rows = {r["code"]: dict(r) for r in session.execute(select(Measure.__table__)).mappings()}
    session.rollback()
    return rows


def audit_rows(session, action: str) -> list[AuditEvent]:
    session.rollback()
    rows = list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "measures", AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
    )
    session.rollback()
    return rows


def text(response) -> str:
    return page_text(response.get_data(as_text=True))


def assert_refused(response, message: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert 'class="nhsuk-error-summary"' in html
    assert message in page_text(html), page_text(html[html.find("nhsuk-error-summary") :])[:1500]


def details(**changes) -> services.MeasureDetails:
    values = {k: v for k, v in VALID.items() if k != "code"}
    values.update(scale=1000, target=None)
    values.update(changes)
    return services.MeasureDetails(**values)


# The unit in words ------------------------------------------------------------------------------


def test_a_rate_is_stated_as_numerator_per_scale_denominator_and_a_count_as_its_numerator():
    assert full_unit("Restraint incidents", "Occupied bed days", 1000) == (
        "Restraint incidents per 1,000 occupied bed days"
    )
    assert stored_unit("Occupied bed days", 1000) == "per 1,000 occupied bed days"
    assert stored_unit("Admissions", 1) == "per admissions"
    assert stored_unit("PRN doses given", 100) == "per 100 PRN doses given"  # an abbreviation keeps its capitals
    assert full_unit("Incidents of self-harm", "", 1) == "Incidents of self-harm (a count each month)"
    assert stored_unit("", 1) == "count"
    assert [number(v) for v in (5.0, 2.5, 1234.5, 1000)] == ["5", "2.5", "1,234.5", "1,000"]


# The list ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_measures_by_ambition_with_their_unit_direction_target_and_source(signed_in, role):
    response = signed_in(role).get("/measures")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = rows_of(region(html, "ambition-RP"))
    assert [r[0] for r in rows] == [
        "Restraint (RP-RESTRAINT)",
        "Prone restraint (RP-PRONE)",
        "Seclusion (RP-SECLUSION)",
        "Segregation (RP-SEGREGATION)",
        "Rapid tranquillisation (RP-RT)",
    ]
    assert rows[0][1:5] == ["Outcome", "Restraint incidents per 1,000 occupied bed days", "Lower is better", "None"]
    assert "Source of Restraint (opens an external site)" in rows[0][5]
    assert 'href="/measures/RP-PRONE"' in html
    # Every ambition, in catalogue order, even one without measures yet.
    assert html.index('id="ambition-RP"') < html.index('id="ambition-SSH"') < html.index('id="ambition-SS"')
    assert "No measures are recorded for" in text(response)
    assert ('href="/measures/new"' in html) is (role in ("manager", "admin"))


def test_the_menu_leads_to_the_measures(signed_in):
    html = signed_in("trust").get("/").get_data(as_text=True)
    assert '<a class="nhsuk-header__navigation-link" href="/measures">Measures</a>' in html


def test_a_new_measure_is_listed_under_its_ambition_after_the_others(signed_in, seeded):
    services.create_measure(seeded, "RP-COUNT", details(ambition="RP", name="Restraints", denominator="", scale=1))
    services.create_measure(seeded, "SSH-HARM", details(target=2.5))
    html = signed_in("trust").get("/measures").get_data(as_text=True)
    assert rows_of(region(html, "ambition-RP"))[-1][:5] == [
        "Restraints (RP-COUNT)",
        "Outcome",
        "Self-harm incidents (a count each month)",
        "Lower is better",
        "None",
    ]
    [ssh] = rows_of(region(html, "ambition-SSH"))
    assert ssh[0] == "Self-harm incidents (SSH-HARM)" and ssh[4] == "2.5" and ssh[5] == "Spread Tracker"


def test_the_list_runs_the_same_statements_however_many_measures(signed_in, seeded, statement_counter):
    client = signed_in("trust")
    client.get("/measures")
    with statement_counter() as before:
        client.get("/measures")
    for i in range(4):
        services.create_measure(seeded, f"SS-M{i}", details(ambition=["SS", "SSH"][i % 2], name=f"Measure {i}"))
    with statement_counter() as after:
        assert "Measure 3 (SS-M3)" in text(client.get("/measures"))
    assert len(after) == len(before)


# One measure ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_measure_page_shows_its_parts_and_what_comes_from_its_source(signed_in, role):
    response = signed_in(role).get("/measures/RP-RESTRAINT")
    assert response.status_code == 200
    shown = text(response)
    for words in (
        "Outcome measure, Reduce restrictive practice",
        "Definition Preventing, restricting or subduing movement",
        "Unit Restraint incidents per 1,000 occupied bed days",
        "Numerator Restraint incidents",
        "Denominator Occupied bed days",
        "Scale Numerator × 1,000 ÷ denominator",
        "Improvement Lower is better",
        "Target No target",
        "The rate per 1,000 occupied bed days is Spread Tracker's normalisation",
        "The target is Spread Tracker's, set by the collaborative's project managers, never the source's",
    ):
        assert words in shown, words
    html = response.get_data(as_text=True)
    assert 'href="https://www.rcpsych.ac.uk/improving-care/nccmh/' in html
    assert ('href="/measures/RP-RESTRAINT/edit"' in html) is (role in ("manager", "admin"))


def test_a_measure_of_our_own_says_so(signed_in, seeded):
    services.create_measure(seeded, "SSH-HARM", details(denominator="", scale=1, target=3))
    shown = text(signed_in("faculty").get("/measures/SSH-HARM"))
    assert "No public source is recorded for this measure: it is Spread Tracker's own" in shown
    assert "Denominator None: this measure is a count" in shown and "Target 3" in shown


def test_an_unknown_code_is_404_and_small_letters_go_to_the_capitals(signed_in):
    client = signed_in("trust")
    assert client.get("/measures/RP-NOPE").status_code == 404
    assert client.get("/measures/RP-NOPE/edit").status_code == 403  # trust staff may not edit any
    response = client.get("/measures/rp-restraint")
    assert (response.status_code, response.headers["Location"]) == (301, "/measures/RP-RESTRAINT")


def test_changing_an_unknown_measure_is_404(signed_in):
    assert signed_in("manager").get("/measures/RP-NOPE/edit").status_code == 404


# Adding -----------------------------------------------------------------------------------------


def test_a_manager_adds_a_measure_and_the_audit_trail_records_it(signed_in, session):
    client = signed_in("manager")
    form = client.get("/measures/new?ambition=ssh").get_data(as_text=True)
    assert '<option value="SSH" selected>' in form
    response = client.submit("/measures/new", VALID)
    assert (response.status_code, response.headers["Location"]) == (302, "/measures/SS-HARM")
    saved = measures_table(session)["SS-HARM"]
    assert saved["unit"] == "per 1,000 occupied bed days" and saved["scale"] == 1000 and saved["target"] is None
    assert saved["position"] == 0 and saved["row_version"] == 1 and not saved["is_demo"]
    assert "The measure Self-harm incidents (SS-HARM) has been added." in text(client.get("/measures/SS-HARM"))
    [created] = [r for r in audit_rows(session, "create") if r.entity_key == "SS-HARM"]
    assert created.actor_email == "manager@demo.invalid"
    assert created.after["name"] == "Self-harm incidents" and created.after["direction"] == "decrease"


BAD = [
    ({"code": ""}, "code", "Enter the code of the measure"),
    ({"code": "rp restraint"}, "code", services.CODE_FORMAT),
    ({"code": "9RP"}, "code", services.CODE_FORMAT),
    ({"code": "RP--X"}, "code", services.CODE_FORMAT),
    ({"code": "RP-" + "X" * 14}, "code", services.CODE_FORMAT),
    ({"code": "rp-restraint"}, "code", "A measure with the code RP-RESTRAINT already exists"),
    ({"ambition": ""}, "ambition", services.CHOOSE_AMBITION),
    ({"ambition": "ZZ"}, "ambition", "No ambition has the code ZZ"),
    ({"name": "  "}, "name", services.ENTER_NAME),
    ({"name": "x" * 201}, "name", "The name must be 200 characters or fewer"),
    ({"ambition": "RP", "name": "prone RESTRAINT"}, "name", "already has a measure called prone RESTRAINT"),
    ({"kind": ""}, "kind", services.CHOOSE_KIND),
    ({"kind": "impact"}, "kind", services.CHOOSE_KIND),
    ({"numerator": ""}, "numerator", services.ENTER_NUMERATOR),
    ({"scale": ""}, "scale", services.SCALE_WHOLE),
    ({"scale": "2.5"}, "scale", services.SCALE_WHOLE),
    ({"scale": "0"}, "scale", services.SCALE_WHOLE),
    ({"scale": "-1000"}, "scale", services.SCALE_WHOLE),
    ({"scale": "1,000"}, "scale", services.SCALE_WHOLE),
    ({"scale": "9" * 40}, "scale", services.SCALE_WHOLE),
    ({"denominator": "", "scale": "100"}, "scale", services.SCALE_NEEDS_DENOMINATOR),
    ({"direction": ""}, "direction", services.CHOOSE_DIRECTION),
    ({"direction": "sideways"}, "direction", services.CHOOSE_DIRECTION),
    ({"target": "five"}, "target", services.TARGET_NUMBER),
    ({"target": "nan"}, "target", services.TARGET_NUMBER),
    ({"target": "inf"}, "target", services.TARGET_NUMBER),
    ({"source_url": "javascript:alert(1)"}, "source_url", services.WEB_ADDRESS),
    ({"source_url": "http://["}, "source_url", services.WEB_ADDRESS),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"), BAD, ids=[f"{f}:{next(iter(c.values()))!r}"[:40] for c, f, _ in BAD]
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(signed_in, session, changes, field, message):
    client = signed_in("manager")
    before = measures_table(session)
    response = client.submit("/measures/new", {**VALID, **changes})
    assert_refused(response, message)
    assert f'href="#{field}' in response.get_data(as_text=True)  # the summary links to the field
    assert measures_table(session) == before


def test_the_same_name_may_serve_two_ambitions(seeded):
    measure = services.create_measure(seeded, "SSH-RESTRAINT", details(name="Restraint"))
    assert (measure.ambition.code, measure.name) == ("SSH", "Restraint")


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_only_managers_and_administrators_add_or_change_measures(signed_in, session, role):
    client = signed_in(role)
    before = measures_table(session)
    token = client.csrf_token("/measures")
    assert client.post("/measures/new", data={**VALID, "csrf_token": token}).status_code == 403
    response = client.post("/measures/RP-RESTRAINT/edit", data={**VALID, "row_version": "1", "csrf_token": token})
    assert response.status_code == 403
    assert measures_table(session) == before


# Changing ---------------------------------------------------------------------------------------


def edit_data(session, measure: str = "RP-RESTRAINT", **changes) -> dict:
    """The edit form as the page fills it, with changes."""
    row = measures_table(session)[measure]
    data = {k: ("" if row[k] is None else str(row[k])) for k in VALID if k not in ("code", "ambition")}
    data.update(ambition="RP", row_version=str(row["row_version"]))
    data.update(changes)
    return data


def test_a_manager_sets_a_target_and_the_audit_row_holds_just_the_change(signed_in, session):
    client = signed_in("admin")
    form = client.get("/measures/RP-RESTRAINT/edit").get_data(as_text=True)
    assert 'name="row_version" type="hidden" value="1"' in form and 'value="1000"' in form
    response = client.submit("/measures/RP-RESTRAINT/edit", edit_data(session, target="12.5"))
    assert (response.status_code, response.headers["Location"]) == (302, "/measures/RP-RESTRAINT")
    saved = measures_table(session)["RP-RESTRAINT"]
    assert (saved["target"], saved["row_version"]) == (12.5, 2)
    [updated] = audit_rows(session, "update")
    assert (updated.entity_key, updated.before, updated.after) == ("RP-RESTRAINT", {"target": None}, {"target": 12.5})
    assert "Target 12.5" in text(client.get("/measures/RP-RESTRAINT"))


def test_a_measure_moved_to_another_ambition_goes_to_the_end_of_its_list(seeded, session):
    services.create_measure(seeded, "SSH-HARM", details())
    measure = seeded.scalar(select(Measure).filter_by(code="RP-PRONE"))
    services.update_measure(seeded, measure, details(name="Prone restraint"), expected_version=1)
    saved = measures_table(session)
    assert (saved["RP-PRONE"]["position"], saved["SSH-HARM"]["position"]) == (1, 0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "Seclusion"}, "Reduce restrictive practice already has a measure called Seclusion"),
        ({"denominator": ""}, services.SCALE_NEEDS_DENOMINATOR),
        ({"target": "lots"}, services.TARGET_NUMBER),
        ({"row_version": ""}, VERSION_MISSING),
    ],
)
def test_a_bad_change_is_refused_and_nothing_changes(signed_in, session, changes, message):
    client = signed_in("manager")
    before = measures_table(session)
    assert_refused(client.submit("/measures/RP-RESTRAINT/edit", edit_data(session, **changes)), message)
    assert measures_table(session) == before


def test_a_stale_form_is_a_conflict_showing_the_other_editors_version(signed_in, seeded, session):
    client = signed_in("manager")
    stale = edit_data(session, target="4")
    measure = seeded.scalar(select(Measure).filter_by(code="RP-RESTRAINT"))
    services.update_measure(seeded, measure, details(ambition="RP", name="Restraint", target=9), expected_version=1)
    before = measures_table(session)
    response = client.submit("/measures/RP-RESTRAINT/edit", stale)
    assert_refused(response, CONFLICT_MESSAGE)
    html = response.get_data(as_text=True)
    assert 'name="target" type="text" value="9.0"' in html and 'name="row_version" type="hidden" value="2"' in html
    assert measures_table(session) == before


def test_the_code_cannot_be_changed(signed_in, session):
    client = signed_in("manager")
    assert 'name="code"' not in client.get("/measures/RP-RESTRAINT/edit").get_data(as_text=True)
    client.submit("/measures/RP-RESTRAINT/edit", edit_data(session, code="RP-OTHER", target="1"))
    codes = set(measures_table(session))
    assert "RP-RESTRAINT" in codes and "RP-OTHER" not in codes
    assert session.scalar(select(func.count()).select_from(Measure)) == len(SEEDED)


def test_a_conflict_with_a_move_to_another_ambition_shows_the_measure_where_it_now_is(signed_in, seeded, session):
    client = signed_in("manager")
    stale = edit_data(session, target="4")
    measure = seeded.scalar(select(Measure).filter_by(code="RP-RESTRAINT"))
    services.update_measure(seeded, measure, details(ambition="SS", name="Restraint"), expected_version=1)
    response = client.submit("/measures/RP-RESTRAINT/edit", stale)
    assert_refused(response, CONFLICT_MESSAGE)
    assert '<option value="SS" selected>' in response.get_data(as_text=True)
    assert measures_table(session)["RP-RESTRAINT"]["target"] is None


def test_a_measure_and_an_organisations_values_link_to_charts_that_open(seeded, signed_in):
    client = signed_in("trust")
    html = client.get("/measures/RP-SECLUSION").get_data(as_text=True)
    charts = ["/measures/RP-SECLUSION/chart"] + [
        f"/measures/RP-SECLUSION/chart?network={code}" for code in ("OXF", "WSX", "KSS", "SW", "WOE")
    ]
    for url in charts:
        assert f'href="{url}"' in html
        assert client.get(url).status_code == 200
    values = client.get("/organisations/RNU/values?measure=RP-SECLUSION").get_data(as_text=True)
    assert 'href="/measures/RP-SECLUSION/chart?organisation=RNU"' in values
    assert 'href="/measures/summary"' in client.get("/measures").get_data(as_text=True)
    organisation = client.get("/organisations/RNU").get_data(as_text=True)
    assert 'href="/organisations/RNU/values"' in organisation and 'href="/organisations/RNU/wards"' in organisation


def test_a_measure_with_values_cannot_turn_between_a_rate_and_a_count(seeded):
    add_spc_values(seeded, "RP-SECLUSION", "RNU", date(2024, 1, 1), [3, 4])
    seclusion = seeded.scalar(select(Measure).filter_by(code="RP-SECLUSION"))
    as_count = details(
        ambition="RP", name="Seclusion", numerator="Seclusion episodes", denominator="", scale=1, kind="outcome"
    )
    with pytest.raises(InvalidInput) as refused:
        services.update_measure(seeded, seclusion, as_count, seclusion.row_version)
    assert refused.value.errors["denominator"] == (
        "2 monthly values are recorded for this measure as a rate, so it cannot become a count: add a new measure instead"
    )
    seeded.rollback()
    assert seeded.scalar(select(Measure.denominator).filter_by(code="RP-SECLUSION")) == "Occupied bed days"
    # Without values, it may (the seeded restraint measure has none).
    restraint = seeded.scalar(select(Measure).filter_by(code="RP-RESTRAINT"))
    services.update_measure(
        seeded,
        restraint,
        details(ambition="RP", name="Restraint", numerator="Restraint incidents", denominator="", scale=1),
        restraint.row_version,
    )
    assert seeded.scalar(select(Measure.unit).filter_by(code="RP-RESTRAINT")) == "count"
