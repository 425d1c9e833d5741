"""`flask --app tracker users …`: create, list and disable accounts, set passwords, issue and revoke API tokens."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from ..auth import mfa, tokens, totp
from ..calendar import people_date, people_datetime
from ..db import get_engine, write_session
from ..editing import InvalidInput
from ..models import Role, TokenScope, utcnow
from .services import (
    AccountDetails,
    AccountError,
    create_user,
    disable_user,
    find_user,
    list_users,
    reset_password,
)


def _account(session: Session, email: str):
    """The account with this email address; a refusal naming it when there is none."""
    user = find_user(session, email)
    if user is None:
        raise click.ClickException(f"No account has the email address {email}")
    return user


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _fail_on(error: AccountError):
    raise click.ClickException("\n".join(error.errors.values()))


def _hash_iterations() -> int:
    return current_app.config["PASSWORD_HASH_ITERATIONS"]


users = AppGroup("users", help="User accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="The account's role.")
@click.option("--name", default="", help="The person's name.")
@click.option("--organisation", help="ODS code of a trust user's organisation (trust role only).")
@click.option(
    "--network",
    "networks",
    multiple=True,
    help="Network code a faculty member logs for (faculty role only; repeatable; with none they log nowhere).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of standard input.")
@click.option(
    "--no-password",
    is_flag=True,
    help="No password: they sign in with the NHS work account of this address (bound at their first sign-in).",
)
def create_command(email, role, name, organisation, networks, password_stdin, no_password) -> None:
    """Create an account; the password is prompted for twice, hidden (or, with --no-password, invite a work account)."""
    if organisation and role != Role.TRUST.value:
        raise click.UsageError("--organisation is only for the trust role")
    if networks and role != Role.FACULTY.value:
        raise click.UsageError("--network is only for the faculty role")
    if no_password and password_stdin:
        raise click.UsageError("--no-password and --password-stdin do not go together")
    password = None if no_password else _read_password(password_stdin)
    details = AccountDetails(email=email, role=role, name=name, organisation=organisation, networks=list(networks))
    with write_session() as session:
        try:
            user = create_user(session, details, password, _hash_iterations())
        except AccountError as e:
            _fail_on(e)
        invited = " to sign in with their NHS work account" if password is None else ""
        click.echo(f"Created {user.email} ({user.role.label}){invited}.")


@users.command("list")
def list_command() -> None:
    """List the accounts: email, role, state, organisation or networks."""
    with Session(bind=get_engine()) as session:
        accounts = list_users(session)
        if not accounts:
            click.echo("No accounts.")
        for u in accounts:
            scope = u.organisation.ods_code if u.organisation else ",".join(n.code for n in u.networks)
            state = "active" if u.active else "disabled"
            demo = " demo" if u.is_demo else ""
            click.echo(f"{u.email:<32} {u.role.value:<8} {state:<8} {scope}{demo}".rstrip())


@users.command("disable")
@click.argument("email")
def disable_command(email: str) -> None:
    """Disable an account and end its sessions."""
    with write_session() as session:
        user = _account(session, email)
        disable_user(session, user)
        click.echo(f"Disabled {user.email}; its sessions have ended.")


@users.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of standard input.")
def set_password_command(email: str, password_stdin: bool) -> None:
    """Set an account's password (ends its sessions)."""
    # Look the account up before prompting, and outside any writing transaction: a write
    # transaction held open while someone types would block every other writer.
    with Session(bind=get_engine()) as session:
        _account(session, email)
    password = _read_password(password_stdin)
    with write_session() as session:
        user = _account(session, email)
        try:
            reset_password(session, user, password, _hash_iterations())
        except AccountError as e:
            _fail_on(e)
        click.echo(f"Password set for {user.email}; its sessions have ended.")


@users.command("token")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
@click.option(
    "--scope",
    type=click.Choice([scope.value for scope in TokenScope]),
    default=TokenScope.WRITE.value,
    show_default=True,
    help="read: the token may only read; write: it may read and write.",
)
@click.option(
    "--expires",
    "days",
    type=int,
    help="Days until the token expires, at most API_TOKEN_MAX_DAYS (default: that maximum).",
)
def token_command(email: str, name: str, scope: str, days: int | None) -> None:
    """Create an API token for an account and print it (it is shown only this once)."""
    max_days = current_app.config["API_TOKEN_MAX_DAYS"]
    with write_session() as session:
        user = _account(session, email)
        try:
            wanted = tokens.check_request(user, name, scope, max_days if days is None else days, max_days)
        except InvalidInput as error:
            raise click.ClickException("\n".join(error.errors.values())) from None
        account = f"{user.email} ({user.role.label})"
        raw = tokens.issue_token(session, user, wanted)
        [token] = tokens.find_tokens(session, raw)
        click.echo(
            f"API token “{token.name}” for {account}, prefix {token.prefix}, {token.scope.label.lower()}, "
            f"expires {people_datetime(token.expires_at)}. "
            'It is shown only now: store it somewhere safe. Send it as "Authorization: Bearer <token>".',
            err=True,
        )
        click.echo(raw)


@users.command("revoke-token")
@click.argument("prefix", required=False)
@click.option("--all", "all_of", metavar="EMAIL", help="Revoke every token of this account instead.")
def revoke_token_command(prefix: str | None, all_of: str | None) -> None:
    """Revoke an API token by its prefix (or every token of an account with --all EMAIL)."""
    if (prefix is None) == (all_of is None):
        raise click.UsageError("Give either a token's PREFIX or --all EMAIL")
    with write_session() as session:
        if all_of is not None:
            user = _account(session, all_of)
            account = user.email
            count = tokens.revoke_all(session, user)
            click.echo(f"Revoked {count} token{'' if count == 1 else 's'} of {account}.")
            return
        found = tokens.find_tokens(session, prefix)
        if not found:
            raise click.ClickException(f"No API token has the prefix {prefix}")
        if len(found) > 1:
            owners = ", ".join(f"{t.user.email} (created {people_date(t.created_at)})" for t in found)
            raise click.ClickException(
                f"{len(found)} tokens have the prefix {prefix} ({owners}): revoke with --all EMAIL"
            )
        token = found[0]
        named = f"token {token.prefix} of {token.user.email}"
        if tokens.revoke(session, token):
            click.echo(f"Revoked {named}.")
        else:
            click.echo(f"The {named} was already revoked.")


@users.command("reset-mfa")
@click.argument("email")
def reset_mfa_command(email: str) -> None:
    """Forget the account's authenticator app and recovery codes (for when the last administrator loses theirs)."""
    with write_session() as session:
        user = _account(session, email)
        mfa.reset(session, user)
    click.echo(f"MFA reset for {email}: every session ended; they set up an authenticator app at their next sign-in.")


@users.command("demo-code")
@click.argument("email")
def demo_code_command(email: str) -> None:
    """Print the current security code of a demo account (demo accounts only)."""
    with write_session() as session:
        user = _account(session, email)
        if not user.is_demo or not user.mfa_enrolled:
            raise click.ClickException(f"{email} is not a demo account with MFA: its codes come from its owner's app")
        click.echo(totp.code_at_step(user.mfa_secret, totp.step_of(utcnow())))


def register(app: Flask) -> None:
    """Add the `users` command group."""
    app.cli.add_command(users)
