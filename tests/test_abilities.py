"""The named abilities of tracker.access, for every role: the answers the inline checks gave before
they moved there, and the pages that show a control exactly when the ability says so."""

import pytest
from flask import url_for
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from tracker import access
from tracker.models import Organisation, User

ROLES = ("anonymous", "trust", "faculty", "manager", "admin")
EDITORS = {
    "manager",
    "admin",
}  # what `role in (Role.MANAGER, Role.ADMIN)` said, inline, in four views and nine templates
EDITOR_ABILITIES = (
    "see_drafts",
    "edit_catalogue",
    "edit_targets",
    "edit_organisations",
    "edit_links",
    "import_records",
    "edit_measures",
)


def _user(session, role: str):
    if role == "anonymous":
        return AnonymousUserMixin()
    return session.scalar(select(User).where(User.email == f"{role}@demo.invalid"))


def _organisation(session, ods: str) -> Organisation:
    return session.scalar(select(Organisation).where(Organisation.ods_code == ods))


def test_every_ability_has_a_function_and_an_unknown_name_is_an_error(seeded):
    assert set(access.ABILITIES) == {*EDITOR_ABILITIES, "log_adoption", "record_values", "see_recommendations"}
    with pytest.raises(KeyError):
        access.can(_user(seeded, "admin"), "edit_everything")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("ability", EDITOR_ABILITIES)
def test_editing_abilities_belong_to_managers_and_administrators(seeded, role, ability):
    assert access.can(_user(seeded, role), ability) is (role in EDITORS)


# The demo faculty member covers the OXF and WSX networks (tracker/seed): RNU is in OXF, RX2 in neither.
@pytest.mark.parametrize(
    ("role", "in_their_network", "elsewhere", "anywhere"),
    [
        ("anonymous", False, False, False),
        ("trust", False, False, False),
        ("faculty", True, False, True),
        ("manager", True, True, True),
        ("admin", True, True, True),
    ],
)
def test_logging_adoption_as_may_log_answered(seeded, role, in_their_network, elsewhere, anywhere):
    user = _user(seeded, role)
    assert access.can(user, "log_adoption", _organisation(seeded, "RNU")) is in_their_network
    assert access.can(user, "log_adoption", _organisation(seeded, "RX2")) is elsewhere
    assert access.can(user, "log_adoption") is anywhere


# The demo trust user is of RNU.
@pytest.mark.parametrize(
    ("role", "own_or_their_network", "elsewhere", "anywhere"),
    [
        ("anonymous", False, False, False),
        ("trust", True, False, True),
        ("faculty", True, False, True),
        ("manager", True, True, True),
        ("admin", True, True, True),
    ],
)
def test_recording_values_is_for_trust_staff_of_their_own_trust_and_faculty_in_their_networks(
    seeded, role, own_or_their_network, elsewhere, anywhere
):
    user = _user(seeded, role)
    assert access.can(user, "record_values", _organisation(seeded, "RNU")) is own_or_their_network
    assert access.can(user, "record_values", _organisation(seeded, "RX2")) is elsewhere
    assert access.can(user, "record_values") is anywhere


def test_faculty_without_networks_log_nowhere(seeded):
    faculty = _user(seeded, "faculty")
    faculty.networks = []
    assert not access.can(faculty, "log_adoption", _organisation(seeded, "RNU"))
    assert not access.can(faculty, "log_adoption")


# page, the control the ability shows, the ability (and its subject's ODS code)
CONTROLS = [
    (("catalogue.ambitions", {}), ("catalogue.new_package", {"ambition": "RP"}), "edit_catalogue", None),
    (("catalogue.package", {"code": "RRP"}), ("catalogue.edit_package", {"code": "RRP"}), "edit_catalogue", None),
    (("catalogue.idea", {"code": "RP-01"}), ("catalogue.edit_idea", {"code": "RP-01"}), "edit_catalogue", None),
    (("catalogue.ambition", {"code": "RP"}), ("targets.new_target", {"code": "RP"}), "edit_targets", None),
    (("organisations.organisations", {}), ("organisations.new_organisation", {}), "edit_organisations", None),
    (("organisations.networks", {}), ("organisations.new_network", {}), "edit_organisations", None),
    (
        ("organisations.network", {"code": "OXF"}),
        ("organisations.edit_network", {"code": "OXF"}),
        "edit_organisations",
        None,
    ),
    (
        ("organisations.organisation", {"ods": "RNU"}),
        ("organisations.edit_organisation", {"ods": "RNU"}),
        "edit_organisations",
        None,
    ),
    (("organisations.organisation", {"ods": "RNU"}), ("links.new_link", {"organisation": "RNU"}), "edit_links", None),
    (("links.links", {}), ("links.new_link", {}), "edit_links", None),
    (("spreadsheets.export", {}), ("spreadsheets.import_upload", {}), "import_records", None),
    (
        ("adoption.history", {"ods": "RNU", "code": "RP-01"}),
        ("adoption.log", {"ods": "RNU", "code": "RP-01"}),
        "log_adoption",
        "RNU",
    ),
    (
        ("adoption.history", {"ods": "RX2", "code": "RP-01"}),
        ("adoption.log", {"ods": "RX2", "code": "RP-01"}),
        "log_adoption",
        "RX2",
    ),
    (
        ("adoption.matrix", {"ods": "RNU"}),
        ("adoption.log", {"ods": "RNU", "code": "RP-01"}),
        "log_adoption",
        "RNU",
    ),
    (
        ("adoption.matrix", {"ods": "RX2"}),
        ("adoption.log", {"ods": "RX2", "code": "RP-01"}),
        "log_adoption",
        "RX2",
    ),
]


@pytest.mark.parametrize("role", ROLES[1:])
@pytest.mark.parametrize(
    ("page", "control", "ability", "ods"), CONTROLS, ids=lambda v: v[0] if isinstance(v, tuple) else v
)
def test_pages_show_a_control_exactly_when_the_ability_allows(
    app, seeded, signed_in, role, page, control, ability, ods
):
    client = signed_in(role)
    with app.test_request_context():
        page_url, control_url = url_for(page[0], **page[1]), url_for(control[0], **control[1])
    response = client.get(page_url)
    assert response.status_code == 200
    allowed = access.can(_user(seeded, role), ability, _organisation(seeded, ods) if ods else None)
    assert (f'href="{control_url}"' in response.get_data(as_text=True).replace("&amp;", "&")) is allowed


@pytest.mark.parametrize("role", ROLES)
def test_recommendations_belong_to_faculty_managers_and_administrators(seeded, role):
    assert access.can(_user(seeded, role), "see_recommendations") is (role in {"faculty", "manager", "admin"})
