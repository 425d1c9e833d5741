"""What every `flask <group> import FILE [--dry-run] [--as EMAIL]` command shares.

add_import_command() declares the command and its options; run_import() is its body.

Read the file (refusing one over the size limit), find the account it is recorded by, check it or
import it, and report: every problem on stderr with a non-zero exit, else the rows (dry run) or the
count written. Each import brings its own services, its permission check and its words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from .. import audit_trail
from ..db import write_session
from ..models import User
from .csvfile import MAX_BYTES, MAX_ROWS, FileRefused, size_label


def account(session, email: str) -> User:
    """The active account with this email address, else a ClickException."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account has the email address {email}")
    if not user.active:
        raise click.ClickException(f"The account {user.email} is disabled")
    return user


def run_import(
    path: Path,
    *,
    dry_run: bool,
    as_email: str | None,
    command: str,
    find_user: Callable[[Any, str], User],
    check: Callable[..., Any],
    run: Callable[..., Any],
    describe: Callable[[Any], str],
    would: Callable[[Any], str],
    imported: Callable[[Any], str],
) -> None:
    """check and run: (session, raw, user, max_rows) -> plan; would and imported: the plan in words."""
    limit = current_app.config.get("IMPORT_MAX_BYTES", MAX_BYTES)
    max_rows = current_app.config.get("IMPORT_MAX_ROWS", MAX_ROWS)
    size = path.stat().st_size
    if size > limit:
        raise click.ClickException(
            f"{path.name} is {size_label(size)}: a file may be {size_label(limit)} at most. Split it into smaller files."
        )
    raw = path.read_bytes()
    with write_session() as session:
        user = find_user(session, as_email) if as_email else None
        if user is not None:
            actor = audit_trail.Actor(id=user.id, email=user.email, role="cli", path=f"{command} {path.name}"[:500])
            audit_trail.set_actor(session, actor)
        try:
            plan = (check if dry_run else run)(session, raw, user, max_rows)
        except FileRefused as refused:
            plan = refused.plan
        note = getattr(plan, "note", "")  # which sheet of a workbook was read
        if note:
            click.echo(note, err=bool(plan.problems))
        if plan.problems:
            for problem in plan.problems:
                click.echo(str(problem), err=True)
            count = len(plan.problems)
            raise click.ClickException(
                f"{path.name} has {count:,} problem{'' if count == 1 else 's'}: nothing was imported."
            )
        if dry_run:
            for row in plan.rows:
                click.echo(describe(row))
            click.echo(f"Dry run: {would(plan)}. Nothing was written.")
        else:
            click.echo(imported(plan) + ".")


def add_import_command(
    app: Flask, group: str, group_help: str, *, doc: str, dry_run_help: str, as_help: str, **parts: Any
) -> None:
    """Add `flask <group> import` (making the group unless another module has); parts go to run_import."""
    commands = app.cli.commands.get(group)
    if not isinstance(commands, click.Group):
        commands = AppGroup(group, help=group_help)
        app.cli.add_command(commands)

    @commands.command("import", help=doc)
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help=dry_run_help)
    @click.option("--as", "as_email", metavar="EMAIL", help=as_help)
    def import_command(path: Path, dry_run: bool, as_email: str | None) -> None:
        run_import(path, dry_run=dry_run, as_email=as_email, command=f"{group} import", **parts)
