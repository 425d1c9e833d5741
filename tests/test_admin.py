"""The administrators' account pages: who may use them, and what they change (and refuse to)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from tests.helpers import FormClient
from tracker.admin import services
from tracker.auth.passwords import TOO_EASY, TOO_SHORT, verify_password
from tracker.editing import CONFLICT_MESSAGE
from tracker.models import Role, User
from tracker.seed import DEMO_PASSWORD

GOOD_PASSWORD = "amber kettle lantern orchard"
TRUST = "trust@demo.invalid"
FACULTY = "faculty@demo.invalid"
ADMIN = "admin@demo.invalid"


def page(response) -> str:
    return response.get_data(as_text=True)


def read_user(session, email: str) -> User | None:
    """The account as it is now (organisation and networks loaded), detached, transaction ended."""
    session.rollback()
    user = session.scalar(
        select(User).where(User.email == email).options(selectinload(User.organisation), selectinload(User.networks))
    )
    if user is not None:
        session.expunge(user)
    session.rollback()
    return user


def count_users(session) -> int:
    session.rollback()
    n = session.scalar(select(func.count()).select_from(User))
    session.rollback()
    return n


def user_id(session, email: str) -> int:
    return read_user(session, email).id


def new_account(**changes) -> dict:
    data = {
        "email": "new.person@example.nhs.uk",
        "name": "New Person",
        "role": "trust",
        "organisation": "RNU",
        "password": GOOD_PASSWORD,
        "confirm_password": GOOD_PASSWORD,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(user: User, **changes) -> dict:
    data = {
        "name": user.name,
        "role": user.role.value,
        "organisation": user.organisation.ods_code if user.organisation else "",
        "networks": [n.code for n in user.networks],
        "active": "y" if user.active else None,
        "row_version": str(user.row_version),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def assert_field_error(html: str, field: str, message: str) -> None:
    """The NHS way: in the error summary, linked to the field, and by the field itself."""
    assert "There is a problem" in html
    target = f"{field}-1" if field == "role" else field  # a radio group's link goes to its first option
    assert f'<a href="#{target}">{message}</a>' in html
    assert re.search(
        rf'id="{field}-error"><span class="nhsuk-u-visually-hidden">Error: </span>{re.escape(message)}<',
        html,
    )


# --- who may use the pages ------------------------------------------------------------------------

PAGES = [
    "/admin/users",
    "/admin/users/new",
    "/admin/users/1/edit",
    "/admin/users/1/password",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(seeded, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next={url}"


@pytest.mark.parametrize("role", ["trust", "faculty", "manager"])
@pytest.mark.parametrize("url", PAGES)
def test_other_roles_are_refused(signed_in, role, url):
    assert signed_in(role).get(url).status_code == 403


@pytest.mark.parametrize("role", ["trust", "faculty", "manager"])
def test_other_roles_cannot_post_either(seeded, signed_in, role):
    client = signed_in(role)
    token = client.csrf_token("/account/password")
    before = count_users(seeded)
    response = client.post("/admin/users/new", data={**new_account(), "csrf_token": token})
    assert response.status_code == 403
    assert count_users(seeded) == before


@pytest.mark.parametrize("url", PAGES)
def test_administrators_may_use_every_page(signed_in, url):
    assert signed_in("admin").get(url).status_code == 200


def test_the_menu_links_to_accounts_for_administrators_only(app, seeded):
    admin = FormClient(app.test_client())
    admin.sign_in_as("admin")
    assert 'href="/admin/users"' in page(admin.get("/account/password"))
    manager = FormClient(app.test_client())
    manager.sign_in_as("manager")
    assert 'href="/admin/users"' not in page(manager.get("/account/password"))


@pytest.mark.parametrize("url", ["/admin/users/999/edit", "/admin/users/999/password"])
def test_an_unknown_account_is_not_found(signed_in, url):
    assert signed_in("admin").get(url).status_code == 404


# --- the list ---------------------------------------------------------------------------------------


def test_the_list_shows_every_account_with_role_scope_and_state(seeded, signed_in):
    client = signed_in("admin")
    seeded.execute(update(User).where(User.email == "manager@demo.invalid").values(active=False))
    seeded.commit()
    html = page(client.get("/admin/users"))
    for email in (ADMIN, "manager@demo.invalid", FACULTY, TRUST):
        assert email in html
    for label in (
        "Administrator",
        "Project manager",
        "Improvement faculty",
        "Trust staff",
    ):
        assert label in html
    assert "Demo Trust Lead" in html
    assert "(RNU)" in html  # the trust user's organisation, by ODS code
    assert "Oxford" in html  # one of the faculty member's networks
    assert html.count(">Demo</strong>") == 4
    assert ">Disabled</strong>" in html
    assert "Never" in html  # the accounts that have not signed in
    assert "4 accounts" in html


def test_the_list_can_be_filtered_by_role(signed_in):
    client = signed_in("admin")
    html = page(client.get("/admin/users?role=faculty"))
    assert FACULTY in html
    assert TRUST not in html and ADMIN not in html
    assert "1 account of improvement faculty" in html
    # An unknown role shows everyone rather than failing.
    assert TRUST in page(client.get("/admin/users?role=wizard"))


def test_the_list_runs_a_fixed_number_of_statements(seeded, signed_in, statement_counter):
    client = signed_in("admin")
    with statement_counter() as few:
        client.get("/admin/users")
    for n in range(5):
        client.submit("/admin/users/new", new_account(email=f"extra{n}@example.nhs.uk"))
    with statement_counter() as many:
        client.get("/admin/users")
    assert len(many) == len(few)


# --- creating an account ----------------------------------------------------------------------------


def test_create_a_trust_account(seeded, signed_in, app):
    client = signed_in("admin")
    response = client.submit("/admin/users/new", new_account(email="New.Person@Example.NHS.uk"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    assert "Account created for new.person@example.nhs.uk" in page(client.get("/admin/users"))
    user = read_user(seeded, "new.person@example.nhs.uk")
    assert user.role is Role.TRUST
    assert user.organisation.ods_code == "RNU"
    assert user.networks == []
    assert user.active and not user.is_demo
    assert user.password_hash.startswith("pbkdf2:sha256:")
    assert verify_password(user.password_hash, GOOD_PASSWORD)
    # They can sign in with it.
    assert FormClient(app.test_client()).sign_in("new.person@example.nhs.uk", GOOD_PASSWORD).status_code == 302


def test_create_a_faculty_account_with_networks(seeded, signed_in):
    client = signed_in("admin")
    response = client.submit(
        "/admin/users/new",
        new_account(role="faculty", organisation="RNU", networks=["KSS", "OXF"]),
    )
    assert response.status_code == 302
    user = read_user(seeded, "new.person@example.nhs.uk")
    assert user.role is Role.FACULTY
    assert [n.code for n in user.networks] == ["KSS", "OXF"]
    assert user.organisation is None  # the organisation belongs to trust staff only


def test_the_new_account_form_offers_organisations_by_ods_code_and_networks(signed_in):
    html = page(signed_in("admin").get("/admin/users/new"))
    assert '<option value="RNU">' in html
    assert 'name="networks" type="checkbox" value="OXF"' in html
    assert 'name="role" type="radio" value="trust"' in html
    assert "Trust staff only" in html and "Improvement faculty only" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": ""}, "email", "Enter an email address"),
        ({"email": "not-an-email"}, "email", services.BAD_EMAIL),
        ({"email": "Taken.Person@EXAMPLE.nhs.uk"}, "email", services.EMAIL_TAKEN),
        ({"role": None}, "role", services.CHOOSE_ROLE),
        ({"role": "wizard"}, "role", services.CHOOSE_ROLE),
        ({"organisation": ""}, "organisation", services.CHOOSE_ORGANISATION),
        (
            {"organisation": "ZZZ"},
            "organisation",
            "No organisation has the ODS code ZZZ",
        ),
        (
            {"role": "faculty", "networks": ["NOPE"]},
            "networks",
            "No network has the code NOPE",
        ),
        (
            {"password": "", "confirm_password": ""},
            "password",
            "Enter an initial password",
        ),
        ({"password": "short", "confirm_password": "short"}, "password", TOO_SHORT),
        (
            {"password": "password1234", "confirm_password": "password1234"},
            "password",
            TOO_EASY,
        ),
        (
            {"password": "qwertyuiop123", "confirm_password": "qwertyuiop123"},
            "password",
            TOO_EASY,
        ),
        (
            {
                "password": "new.person@example.nhs.uk",
                "confirm_password": "new.person@example.nhs.uk",
            },
            "password",
            TOO_EASY,
        ),
        (
            {"confirm_password": "a different long password"},
            "confirm_password",
            "The passwords do not match",
        ),
        ({"name": "x" * 121}, "name", "Name must be 120 characters or fewer"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_input_is_shown_and_creates_nothing(seeded, signed_in, changes, field, message):
    client = signed_in("admin")
    services.create_user(
        seeded,
        services.AccountDetails(email="taken.person@example.nhs.uk", role="manager"),
        GOOD_PASSWORD,
        1_000,
    )
    before = count_users(seeded)
    response = client.submit("/admin/users/new", new_account(**changes))
    assert response.status_code == 200
    assert_field_error(page(response), field, message)
    assert count_users(seeded) == before
    # What was typed is kept, except the passwords.
    if field != "email" and "email" not in changes:
        assert 'value="new.person@example.nhs.uk"' in page(response)
    assert GOOD_PASSWORD not in page(response)


def test_every_problem_is_reported_at_once(seeded, signed_in):
    response = signed_in("admin").submit(
        "/admin/users/new",
        new_account(email="bad", organisation="", password="password1234", confirm_password="x"),
    )
    html = page(response)
    for field in ("email", "organisation", "password", "confirm_password"):
        assert f'href="#{field}"' in html


def test_creating_without_csrf_token_is_refused(seeded, signed_in):
    client = signed_in("admin")
    before = count_users(seeded)
    response = client.post("/admin/users/new", data=new_account())
    assert response.status_code == 400
    assert count_users(seeded) == before


# --- changing an account ----------------------------------------------------------------------------


def test_change_name_role_and_scope(seeded, signed_in):
    client = signed_in("admin")
    trust = read_user(seeded, TRUST)
    form = page(client.get(f"/admin/users/{trust.id}/edit"))
    assert f'name="row_version" type="hidden" value="{trust.row_version}"' in form
    response = client.submit(
        f"/admin/users/{trust.id}/edit",
        edit_data(
            trust,
            name="Renamed Person",
            role="faculty",
            networks=["WSX"],
            organisation="RNU",
        ),
    )
    assert response.status_code == 302
    after = read_user(seeded, TRUST)
    assert after.name == "Renamed Person"
    assert after.role is Role.FACULTY
    assert [n.code for n in after.networks] == ["WSX"]
    assert after.organisation is None
    assert after.row_version == trust.row_version + 1


def test_a_stale_edit_is_refused_and_shows_the_current_version(seeded, signed_in):
    client = signed_in("admin")
    seen = read_user(seeded, TRUST)
    # Someone else renames the account after the form was opened.
    services.update_user(
        seeded,
        seeded.get(User, seen.id),
        services.AccountDetails(email=TRUST, role="trust", name="Their Name", organisation="RNU"),
        seen.row_version,
    )
    response = client.submit(f"/admin/users/{seen.id}/edit", edit_data(seen, name="My Name"))
    assert response.status_code == 409
    html = page(response)
    assert CONFLICT_MESSAGE in html
    assert 'value="Their Name"' in html
    current = read_user(seeded, TRUST)
    assert current.name == "Their Name"
    assert f'name="row_version" type="hidden" value="{current.row_version}"' in html
    # Saving again from the refreshed form works.
    response = client.submit(f"/admin/users/{seen.id}/edit", edit_data(current, name="My Name"))
    assert response.status_code == 302
    assert read_user(seeded, TRUST).name == "My Name"


def test_a_missing_row_version_is_refused(seeded, signed_in):
    client = signed_in("admin")
    trust = read_user(seeded, TRUST)
    response = client.submit(
        f"/admin/users/{trust.id}/edit",
        edit_data(trust, name="Changed", row_version=None),
    )
    assert response.status_code == 200
    assert "did not say which version you opened, so nothing was saved" in response.get_data(as_text=True)
    assert read_user(seeded, TRUST).name == trust.name


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"role": "manager"}, "role", services.NOT_YOUR_OWN_ROLE),
        ({"active": None}, "active", services.NOT_YOUR_OWN_ACCOUNT),
    ],
    ids=["demote", "disable"],
)
def test_administrators_cannot_demote_or_disable_themselves(seeded, signed_in, changes, field, message):
    client = signed_in("admin")
    me = read_user(seeded, ADMIN)
    response = client.submit(f"/admin/users/{me.id}/edit", edit_data(me, **changes))
    assert response.status_code == 200
    assert_field_error(page(response), field, message)
    after = read_user(seeded, ADMIN)
    assert (after.role, after.active, after.row_version) == (
        Role.ADMIN,
        True,
        me.row_version,
    )
    assert client.get("/admin/users").status_code == 200


def test_administrators_may_rename_themselves(seeded, signed_in):
    client = signed_in("admin")
    me = read_user(seeded, ADMIN)
    assert client.submit(f"/admin/users/{me.id}/edit", edit_data(me, name="Still In Charge")).status_code == 302
    assert read_user(seeded, ADMIN).name == "Still In Charge"
    assert client.get("/admin/users").status_code == 200


def test_disabling_an_account_ends_its_sessions(app, seeded, signed_in):
    victim = FormClient(app.test_client())
    victim.sign_in_as("trust")
    admin = signed_in("admin")
    trust = read_user(seeded, TRUST)
    response = admin.submit(f"/admin/users/{trust.id}/edit", edit_data(trust, active=None))
    assert response.status_code == 302
    assert read_user(seeded, TRUST).active is False
    assert victim.get("/account/password").status_code == 302
    assert victim.sign_in(TRUST).status_code == 200  # and cannot sign in again
    assert ">Disabled</strong>" in page(admin.get("/admin/users"))


def test_edit_errors_change_nothing(seeded, signed_in):
    client = signed_in("admin")
    trust = read_user(seeded, TRUST)
    response = client.submit(
        f"/admin/users/{trust.id}/edit",
        edit_data(trust, name="Renamed", organisation=""),
    )
    assert_field_error(page(response), "organisation", services.CHOOSE_ORGANISATION)
    after = read_user(seeded, TRUST)
    assert (after.name, after.row_version) == (trust.name, trust.row_version)


# --- setting a password -------------------------------------------------------------------------------


def test_set_a_password_ends_that_users_sessions(app, seeded, signed_in):
    victim = FormClient(app.test_client())
    victim.sign_in_as("trust")
    admin = signed_in("admin")
    trust_id = user_id(seeded, TRUST)
    response = admin.submit(
        f"/admin/users/{trust_id}/password",
        {"password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    assert "Password set for trust@demo.invalid" in page(admin.get("/admin/users"))
    assert victim.get("/account/password").status_code == 302
    assert verify_password(read_user(seeded, TRUST).password_hash, GOOD_PASSWORD)
    assert FormClient(app.test_client()).sign_in(TRUST, GOOD_PASSWORD).status_code == 302
    assert FormClient(app.test_client()).sign_in(TRUST, DEMO_PASSWORD).status_code == 200


def test_setting_your_own_password_keeps_you_signed_in(seeded, signed_in):
    client = signed_in("admin")
    me = user_id(seeded, ADMIN)
    response = client.submit(
        f"/admin/users/{me}/password",
        {"password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("password1234", "password1234", "password", TOO_EASY),
        ("qwertyuiop123", "qwertyuiop123", "password", TOO_EASY),
        ("short", "short", "password", TOO_SHORT),
        ("trust@demo.invalid", "trust@demo.invalid", "password", TOO_EASY),
        (
            GOOD_PASSWORD,
            "something different",
            "confirm_password",
            "The passwords do not match",
        ),
        ("", "", "password", "Enter a new password"),
    ],
)
def test_a_refused_password_changes_nothing(seeded, signed_in, password, confirm, field, message):
    client = signed_in("admin")
    before = read_user(seeded, TRUST)
    response = client.submit(
        f"/admin/users/{before.id}/password",
        {"password": password, "confirm_password": confirm},
    )
    assert response.status_code == 200
    assert_field_error(page(response), field, message)
    after = read_user(seeded, TRUST)
    assert (after.password_hash, after.session_token) == (
        before.password_hash,
        before.session_token,
    )


# --- the services on their own --------------------------------------------------------------------------


def test_update_user_refuses_an_expected_version_that_is_not_current(seeded):
    from tracker.editing import EditConflict

    seeded.rollback()
    trust = seeded.scalar(select(User).where(User.email == TRUST))
    details = services.AccountDetails(email=TRUST, role="trust", name="Changed", organisation="RNU")
    with pytest.raises(EditConflict):
        services.update_user(seeded, trust, details, expected_version=trust.row_version + 5)
    assert read_user(seeded, TRUST).name == "Demo Trust Lead"
