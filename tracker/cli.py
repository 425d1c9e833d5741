"""Command-line commands: `flask --app tracker seed`, `flask --app tracker users …`, `db …`."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import migrate
from .admin.services import AccountDetails, AccountError, create_user, disable_user, find_user, reset_password
from .db import write_session
from .models import Role, User
from .seed import DEMO_PASSWORD, DEMO_USERS, load_demo, load_reference


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _fail_on(error: AccountError):
    raise click.ClickException("; ".join(f"{k}: {v}" for k, v in error.errors.items()))


def register_commands(app: Flask) -> None:
    migrate.register(app)

    @app.cli.command("seed")
    @click.option("--demo", is_flag=True, help="Also add the demo accounts (one per role), labelled demo.")
    def seed_command(demo: bool) -> None:
        """Load the South of England reference data (idempotent)."""
        with write_session() as session:
            report = load_reference(session)
            click.echo(f"Reference data: {report.summary()}.")
            if demo:
                report = load_demo(session, current_app.config["PASSWORD_HASH_ITERATIONS"])
                click.echo(f"Demo data: {report.summary()}.")
                click.echo("Demo sign-ins (password for all: " + DEMO_PASSWORD + "):")
                for spec in DEMO_USERS:
                    click.echo(f"  {spec['email']:<24} {spec['role'].label}")

    users = AppGroup("users", help="User accounts.")

    @users.command("create")
    @click.argument("email")
    @click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="The account's role.")
    @click.option("--name", default="", help="The person's name.")
    @click.option("--organisation", help="ODS code of a trust user's organisation.")
    @click.option("--network", "networks", multiple=True, help="Network code a faculty member covers (repeatable).")
    @click.option("--password-stdin", is_flag=True, help="Read the password from one line of standard input.")
    def create_command(email, role, name, organisation, networks, password_stdin) -> None:
        """Create an account; the password is prompted for twice, hidden."""
        password = _read_password(password_stdin)
        details = AccountDetails(email=email, role=role, name=name, organisation=organisation, networks=list(networks))
        with write_session() as session:
            try:
                user = create_user(session, details, password, current_app.config["PASSWORD_HASH_ITERATIONS"])
            except AccountError as e:
                _fail_on(e)
            click.echo(f"Created {user.email} ({user.role.label}).")

    @users.command("list")
    def list_command() -> None:
        """List the accounts."""
        with write_session() as session:
            rows = session.scalars(
                select(User).options(selectinload(User.organisation), selectinload(User.networks)).order_by(User.email)
            )
            for u in rows:
                scope = u.organisation.ods_code if u.organisation else ",".join(n.code for n in u.networks)
                state = "active" if u.active else "disabled"
                demo = " demo" if u.is_demo else ""
                click.echo(f"{u.email:<32} {u.role.value:<8} {state:<8} {scope}{demo}")

    @users.command("disable")
    @click.argument("email")
    def disable_command(email: str) -> None:
        """Disable an account and end its sessions."""
        with write_session() as session:
            user = find_user(session, email)
            if user is None:
                raise click.ClickException(f"No account has the email address {email}")
            disable_user(session, user)
            click.echo(f"Disabled {user.email}.")

    @users.command("set-password")
    @click.argument("email")
    @click.option("--password-stdin", is_flag=True, help="Read the password from one line of standard input.")
    def set_password_command(email: str, password_stdin: bool) -> None:
        """Set an account's password (ends its sessions)."""
        with write_session() as session:
            user = find_user(session, email)
            if user is None:
                raise click.ClickException(f"No account has the email address {email}")
            password = _read_password(password_stdin)
            try:
                reset_password(session, user, password, current_app.config["PASSWORD_HASH_ITERATIONS"])
            except AccountError as e:
                _fail_on(e)
            click.echo(f"Password set for {user.email}.")

    app.cli.add_command(users)
