"""`flask --app tracker reminders send [--dry-run]`: the weekly digest, run from cron (tracker.reminders.sending)."""

from __future__ import annotations

import click
from flask import Flask, current_app, render_template
from flask.cli import AppGroup

from ..calendar import today
from ..db import write_session
from ..models import utcnow
from . import mail
from .digest import MOST_LISTED, Digest
from .sending import send_digests

group = AppGroup("reminders", help="Reminders: the weekly email digest.")


def subject(digest: Digest, service: str) -> str:
    said = []
    if digest.stale:
        said.append(f"{len(digest.stale)} record{'s' if len(digest.stale) != 1 else ''} to update")
    changes = len(digest.changes) + len(digest.news)
    if changes:
        said.append(f"{changes} change{'s' if changes != 1 else ''} this week")
    return f"{service}: " + ", ".join(said)


def _compose(settings: mail.MailSettings):
    service = current_app.config["SERVICE_NAME"]

    def compose(digest: Digest):
        # Links are made for the site's own address, as a request to it would make them.
        with current_app.test_request_context("/", base_url=settings.site_url):
            values = {"digest": digest, "service": service, "most": MOST_LISTED}
            text = render_template("reminders/digest.txt", **values)
            html = render_template("reminders/digest.html", **values)
        return mail.message(settings.sender, digest.user, subject(digest, service), text, html)

    return compose


@group.command("send")
@click.option("--dry-run", is_flag=True, help="Say who would get which digest; send nothing, record nothing.")
def send_command(dry_run: bool) -> None:
    """Send this week's digest to each faculty member and each follower not sent one yet this week."""
    config = current_app.config
    now, day, days = utcnow(), today(), config["STALE_AFTER_DAYS"]
    if dry_run:
        with write_session() as session:
            report = send_digests(session, now, day, days, compose=lambda d: None, mailer=None)
        for digest in report.sent:
            click.echo(
                f"Would send to {digest.user.email}: {subject(digest, config['SERVICE_NAME'])} "
                f"({len(digest.stale)} to update, {len(digest.changes)} changes in their networks, "
                f"{len(digest.news)} on what they follow)"
            )
        click.echo(_summary(report, "Would send"))
        return
    try:
        settings = mail.mail_settings(config)
        with mail.Mailer(settings) as mailer, write_session() as session:
            report = send_digests(session, now, day, days, compose=_compose(settings), mailer=mailer)
    except mail.MailConfigError as error:
        raise click.ClickException(str(error)) from None
    for email, why in report.failed:
        click.echo(f"Not sent to {email}: {why}", err=True)
    click.echo(_summary(report, "Sent"))
    if report.failed:
        raise SystemExit(1)


def _summary(report, verb: str) -> str:
    count = len(report.sent)
    return (
        f"{verb} {count} digest{'s' if count != 1 else ''} for week {report.week}; "
        f"{report.already_sent} already sent this week, {report.nothing_to_tell} with nothing to tell"
        + (f", {len(report.failed)} refused by the mail server" if report.failed else "")
        + "."
    )


def register(app: Flask) -> None:
    app.cli.add_command(group)
