"""`flask users …`: create, list, disable, set-password, with the same rules as the admin pages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tests.helpers import FormClient
from tracker.admin import services
from tracker.auth.passwords import TOO_EASY, TOO_SHORT, verify_password
from tracker.models import Role, User

GOOD_PASSWORD = "amber kettle lantern orchard"
TRUST = "trust@demo.invalid"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def read_user(session, email: str) -> User | None:
    """The account as it is now, detached, with no transaction left open to block the CLI."""
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


def create(runner, *args, password=GOOD_PASSWORD):
    return runner.invoke(args=["users", "create", *args, "--password-stdin"], input=password + "\n")


# --- create -------------------------------------------------------------------------------------


def test_create_with_the_password_on_stdin(seeded, runner):
    result = create(
        runner,
        "Lead.Person@Example.NHS.uk",
        "--role",
        "trust",
        "--organisation",
        "rnu",
        "--name",
        "Lead Person",
    )
    assert result.exit_code == 0, result.output
    assert "Created lead.person@example.nhs.uk (Trust staff)." in result.output
    user = read_user(seeded, "lead.person@example.nhs.uk")
    assert user.role is Role.TRUST
    assert user.organisation.ods_code == "RNU"
    assert user.name == "Lead Person"
    assert not user.is_demo
    assert user.password_hash.startswith("pbkdf2:sha256:")
    assert verify_password(user.password_hash, GOOD_PASSWORD)


def test_create_with_the_hidden_prompt_typed_twice(seeded, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "faculty.person@example.nhs.uk",
            "--role",
            "faculty",
            "--network",
            "OXF",
            "--network",
            "wsx",
        ],
        input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert GOOD_PASSWORD not in result.output  # hidden as it is typed
    user = read_user(seeded, "faculty.person@example.nhs.uk")
    assert user.role is Role.FACULTY
    assert [n.code for n in user.networks] == ["OXF", "WSX"]
    assert verify_password(user.password_hash, GOOD_PASSWORD)


def test_a_mistyped_confirmation_writes_nothing(seeded, runner):
    before = count_users(seeded)
    result = runner.invoke(
        args=["users", "create", "someone@example.nhs.uk", "--role", "manager"],
        input=f"{GOOD_PASSWORD}\nsomething else\n",
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert count_users(seeded) == before


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "wizard"], GOOD_PASSWORD, "Invalid value for '--role'"),
        (
            ["--role", "trust", "--organisation", "ZZZ"],
            GOOD_PASSWORD,
            "No organisation has the ODS code ZZZ",
        ),
        (["--role", "trust"], GOOD_PASSWORD, services.CHOOSE_ORGANISATION),
        (
            ["--role", "faculty", "--network", "OXF", "--network", "NOPE"],
            GOOD_PASSWORD,
            "No network has the code NOPE",
        ),
        (
            ["--role", "manager", "--organisation", "RNU"],
            GOOD_PASSWORD,
            "--organisation is only for the trust role",
        ),
        (
            ["--role", "trust", "--organisation", "RNU", "--network", "OXF"],
            GOOD_PASSWORD,
            "--network is only for the faculty role",
        ),
        (["--role", "manager"], "password1234", TOO_EASY),
        (["--role", "manager"], "qwertyuiop123", TOO_EASY),
        (["--role", "manager"], "short", TOO_SHORT),
        (["--role", "manager"], "", TOO_SHORT),
    ],
    ids=[
        "bad-role",
        "unknown-organisation",
        "trust-without-organisation",
        "unknown-network",
        "organisation-for-manager",
        "network-for-trust",
        "common-password",
        "keyboard-password",
        "short-password",
        "empty-password",
    ],
)
def test_bad_input_fails_clearly_and_writes_nothing(seeded, runner, args, password, message):
    before = count_users(seeded)
    result = create(runner, "someone@example.nhs.uk", *args, password=password)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert count_users(seeded) == before
    assert read_user(seeded, "someone@example.nhs.uk") is None


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("TRUST@demo.invalid", services.EMAIL_TAKEN),
        ("not-an-email", services.BAD_EMAIL),
    ],
    ids=["duplicate", "malformed"],
)
def test_bad_email_fails_clearly_and_writes_nothing(seeded, runner, email, message):
    before = count_users(seeded)
    result = create(runner, email, "--role", "manager")
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    assert count_users(seeded) == before


def test_every_problem_is_reported(seeded, runner):
    result = create(runner, "TRUST@demo.invalid", "--role", "trust", password="password1234")
    assert result.exit_code == 1
    for message in (services.EMAIL_TAKEN, services.CHOOSE_ORGANISATION, TOO_EASY):
        assert message in result.output


# --- list ---------------------------------------------------------------------------------------


def test_list(seeded, runner):
    runner.invoke(args=["users", "disable", "manager@demo.invalid"])
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()}
    assert lines["trust@demo.invalid"] == ["trust", "active", "RNU", "demo"]
    assert lines["faculty@demo.invalid"] == ["faculty", "active", "OXF,WSX", "demo"]
    assert lines["manager@demo.invalid"] == ["manager", "disabled", "demo"]
    assert lines["admin@demo.invalid"] == ["admin", "active", "demo"]
    assert list(lines) == sorted(lines)


def test_list_with_no_accounts(app, runner):
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    assert "No accounts." in result.output


# --- disable ------------------------------------------------------------------------------------


def test_disable_ends_the_accounts_sessions(app, seeded, runner):
    client = FormClient(app.test_client())
    client.sign_in_as("trust")
    assert client.get("/account/password").status_code == 200
    result = runner.invoke(args=["users", "disable", "Trust@Demo.invalid"])
    assert result.exit_code == 0, result.output
    assert "Disabled trust@demo.invalid" in result.output
    assert read_user(seeded, TRUST).active is False
    assert client.get("/account/password").status_code == 302
    assert client.sign_in(TRUST).status_code == 200  # refused


def test_disable_an_unknown_account(seeded, runner):
    result = runner.invoke(args=["users", "disable", "nobody@example.nhs.uk"])
    assert result.exit_code == 1
    assert "No account has the email address nobody@example.nhs.uk" in result.output


# --- set-password -------------------------------------------------------------------------------


def test_set_password_from_stdin_ends_the_accounts_sessions(app, seeded, runner):
    client = FormClient(app.test_client())
    client.sign_in_as("trust")
    result = runner.invoke(
        args=["users", "set-password", TRUST, "--password-stdin"],
        input=GOOD_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password set for trust@demo.invalid" in result.output
    assert verify_password(read_user(seeded, TRUST).password_hash, GOOD_PASSWORD)
    assert client.get("/account/password").status_code == 302
    assert FormClient(app.test_client()).sign_in(TRUST, GOOD_PASSWORD).status_code == 302


def test_set_password_at_the_prompt(seeded, runner):
    result = runner.invoke(
        args=["users", "set-password", TRUST],
        input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert verify_password(read_user(seeded, TRUST).password_hash, GOOD_PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [("password1234", TOO_EASY), ("qwertyuiop123", TOO_EASY), ("short", TOO_SHORT)],
)
def test_set_password_refuses_a_weak_one(seeded, runner, password, message):
    before = read_user(seeded, TRUST)
    result = runner.invoke(
        args=["users", "set-password", TRUST, "--password-stdin"],
        input=password + "\n",
    )
    assert result.exit_code == 1
    assert message in result.output
    after = read_user(seeded, TRUST)
    assert (after.password_hash, after.session_token) == (
        before.password_hash,
        before.session_token,
    )


def test_set_password_of_an_unknown_account_asks_for_nothing(seeded, runner):
    result = runner.invoke(args=["users", "set-password", "nobody@example.nhs.uk"])
    assert result.exit_code == 1
    assert "No account has the email address" in result.output
    assert "Password" not in result.output


def test_every_command_has_help(runner):
    result = runner.invoke(args=["users", "--help"])
    assert result.exit_code == 0
    for command in ("create", "list", "disable", "set-password"):
        assert command in result.output
