"""`flask --app tracker seed [--demo]`: the reference data, and the demo accounts and history."""

from __future__ import annotations

import click
from flask import Flask, current_app

from ..calendar import today
from ..db import write_session
from .demo import DEMO_MFA_ROLES, DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, load_demo
from .reference import load_reference
from .rows import SeedError


def register(app: Flask) -> None:
    """Add the `seed` command."""

    @app.cli.command("seed")
    @click.option("--demo", is_flag=True, help="Also add the demo accounts (one per role), labelled demo.")
    def seed_command(demo: bool) -> None:
        """Load the South of England reference data (idempotent)."""
        with write_session() as session:
            try:
                report = load_reference(session)
            except SeedError as error:
                raise click.ClickException(str(error)) from None
            click.echo(f"Reference data: {report.summary()}.")
            if demo:
                report = load_demo(session, current_app.config["PASSWORD_HASH_ITERATIONS"], today())
                click.echo(f"Demo data: {report.summary()}.")
                click.echo("Demo sign-ins (password for all: " + DEMO_PASSWORD + "):")
                for spec in DEMO_USERS:
                    mfa = " (then a security code: see below)" if spec["role"] in DEMO_MFA_ROLES else ""
                    click.echo(f"  {spec['email']:<24} {spec['role'].label}{mfa}")
                click.echo(
                    "The demo administrator and project manager use MFA, as real ones must. For their security code,\n"
                    f"  add the key {DEMO_TOTP_SECRET} to an authenticator app (time-based, 6 digits), or run\n"
                    "  flask --app tracker users demo-code admin@demo.invalid"
                )
