"""`flask prune`: the retention removes only what may go (never the ledger, never the audit of writes), and audits itself."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError

from tests.factories import EVENTS, add_events
from tests.helpers import FormClient
from tracker.models import (
    AdoptionEvent,
    AnonymousDenial,
    AuditEvent,
    CheckedUpload,
    SignInAttempts,
    SignInThrottle,
    User,
    utcnow,
)

OLD = 100  # days ago: beyond a 30-day retention
NOISE = ("denied", "sign_in_failed", "sign_in_refused")
KEPT = ("create", "update", "delete", "sign_in", "sign_out", "password_set")
# Checked import files: one past IMPORT_CONFIRM_SECONDS (an hour by default), well within any retention in
# days, and one still waiting for its confirmation.
EXPIRED_UPLOAD, WAITING_UPLOAD = "expired-upload-" + "0" * 17, "waiting-upload-" + "0" * 17


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def aged(seeded):
    """Old and new rows of every kind prune looks at, and the ledger's events."""
    now = utcnow()
    old = now - timedelta(days=OLD)
    add_events(seeded, [("RNU", code, stage, day) for code, stage, day in EVENTS])
    for action in NOISE + KEPT:
        seeded.add(AuditEvent(action=action, at=old, actor_email="old@example.nhs.uk", actor_role="trust"))
    seeded.add(AuditEvent(action="denied", at=now, actor_email="new@example.nhs.uk", actor_role="trust"))
    seeded.add_all(
        [
            SignInAttempts(email="old@example.nhs.uk", failures=2, last_failure_at=old),
            SignInAttempts(
                email="locked@example.nhs.uk", failures=9, last_failure_at=old, locked_until=now + timedelta(minutes=5)
            ),
            SignInAttempts(email="new@example.nhs.uk", failures=1, last_failure_at=now),
            SignInThrottle(key="address 192.0.2.1", attempts=3, last_attempt_at=old),
            SignInThrottle(key="address 192.0.2.2", attempts=0, last_attempt_at=old, last_success_at=now),
            SignInThrottle(key="subnet 192.0.2.0/24", attempts=1, last_attempt_at=now),
            AnonymousDenial(
                hour=old.replace(minute=0, second=0, microsecond=0), route="GET /x", subnet="s", status=401, count=7
            ),
            AnonymousDenial(
                hour=now.replace(minute=0, second=0, microsecond=0), route="GET /x", subnet="s", status=401, count=3
            ),
        ]
    )
    manager = seeded.scalar(select(User.id).filter_by(email="manager@demo.invalid"))
    for name, age in ((EXPIRED_UPLOAD, timedelta(hours=2)), (WAITING_UPLOAD, timedelta(minutes=5))):
        seeded.add(
            CheckedUpload(
                id=name, kind="adoption-import", user_id=manager, created_at=now - age, sha256="0" * 64, content=b"x"
            )
        )
    seeded.commit()
    return seeded


def snapshot(session) -> dict:
    """Everything prune may touch, as plain values."""
    session.rollback()
    state = {
        "audit": sorted((e.action, e.actor_email) for e in session.scalars(select(AuditEvent))),
        "ledger": session.scalar(select(func.count()).select_from(AdoptionEvent)),
        "attempts": sorted(session.scalars(select(SignInAttempts.email))),
        "throttles": sorted(session.scalars(select(SignInThrottle.key))),
        "denials": sorted(session.scalars(select(AnonymousDenial.count))),
        "uploads": sorted(session.scalars(select(CheckedUpload.id))),
    }
    session.rollback()
    return state


def test_prune_removes_only_what_may_go_and_audits_itself(aged, runner):
    before = snapshot(aged)
    assert before["ledger"] == len(EVENTS)
    result = runner.invoke(args=["prune", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "Removed what is older than 30 days:" in result.output
    for line in (
        "3 audit entries of refused requests and failed or refused sign-ins",
        "1 sign-in counts per email address",
        "1 sign-in counts per client address and subnet",
        "1 hourly counts of requests refused to people not signed in",
        "Removed 1 checked import files past their time to be confirmed.",
    ):
        assert line in result.output
    after = snapshot(aged)
    assert after["ledger"] == before["ledger"]
    old_kept = sorted(action for action, who in after["audit"] if who == "old@example.nhs.uk")
    assert old_kept == sorted(KEPT)  # the noise went; every write, sign-in and password change stayed
    assert ("denied", "new@example.nhs.uk") in after["audit"]  # newer than the retention
    assert after["attempts"] == ["locked@example.nhs.uk", "new@example.nhs.uk"]  # a running lock stays
    assert after["throttles"] == ["address 192.0.2.2", "subnet 192.0.2.0/24"]  # a known address stays
    assert after["denials"] == [3]
    assert after["uploads"] == [WAITING_UPLOAD]  # past its hour to be confirmed, though not 30 days old
    [pruned] = aged.scalars(select(AuditEvent).filter_by(action="pruned"))
    assert pruned.actor_role == "cli"
    assert (pruned.after["days"], pruned.after["audit_entries"], pruned.after["anonymous_denials"]) == (30, 3, 1)
    assert pruned.after["checked_uploads"] == 1


def test_the_prune_reads_as_a_sentence_on_the_audit_page(aged, runner, client: FormClient):
    assert runner.invoke(args=["prune", "--days", "30"]).exit_code == 0
    client.sign_in_as("admin")
    page = html.unescape(client.get("/admin/audit?action=pruned").get_data(as_text=True))
    assert re.search(
        r"Someone at the command line removed what was older than 30 days \(before \d+ \w+ \d{4}\): "
        r"3 audit entries of refused requests and sign-ins, 1 sign-in count per email address, "
        r"1 sign-in count per client address, 1 hourly count of anonymous refusals; "
        r"and 1 checked import file nobody could confirm any more",
        page,
    ), page


def test_the_retention_setting_is_used_and_a_dry_run_changes_nothing(aged, make_app):
    runner = make_app(RETENTION_DAYS=30).test_cli_runner()
    before = snapshot(aged)
    result = runner.invoke(args=["prune", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would remove what is older than 30 days:" in result.output
    assert "3 audit entries" in result.output and "Nothing was changed (--dry-run)." in result.output
    assert "Would remove 1 checked import files past their time to be confirmed." in result.output
    assert snapshot(aged) == before  # not even an audit entry: nothing was done
    assert runner.invoke(args=["prune"]).exit_code == 0
    assert len(snapshot(aged)["audit"]) == len(before["audit"]) - 3 + 1  # three pruned, one prune


def test_without_a_retention_only_expired_import_files_go(aged, runner):
    before = snapshot(aged)
    dry = runner.invoke(args=["prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "No retention is set" in dry.output and "every record is kept" in dry.output
    assert "Would remove 1 checked import files past their time to be confirmed." in dry.output
    assert snapshot(aged) == before
    result = runner.invoke(args=["prune"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 checked import files past their time to be confirmed." in result.output
    after = snapshot(aged)
    assert after["uploads"] == [WAITING_UPLOAD]
    assert after["audit"] == sorted([*before["audit"], ("pruned", "command line")])
    assert {k: v for k, v in after.items() if k not in ("uploads", "audit")} == {
        k: v for k, v in before.items() if k not in ("uploads", "audit")
    }
    [pruned] = aged.scalars(select(AuditEvent).filter_by(action="pruned"))
    assert (pruned.after["days"], pruned.after["checked_uploads"], pruned.after["audit_entries"]) == (None, 1, 0)
    # Nothing more to remove: a nightly run that did nothing is not an audit entry.
    again = runner.invoke(args=["prune"])
    assert "Removed 0 checked import files" in again.output
    assert len(snapshot(aged)["audit"]) == len(after["audit"])


def test_a_prune_of_expired_import_files_alone_reads_as_a_sentence(aged, runner, client: FormClient):
    assert runner.invoke(args=["prune"]).exit_code == 0
    client.sign_in_as("admin")
    page = html.unescape(client.get("/admin/audit?action=pruned").get_data(as_text=True))
    assert (
        "Someone at the command line removed 1 checked import file nobody could confirm any more; "
        "no retention is set, so every record was kept"
    ) in page


def test_the_time_to_confirm_an_import_is_the_expiry(aged, make_app):
    """IMPORT_CONFIRM_SECONDS, not the retention, says when a checked file has expired."""
    runner = make_app(IMPORT_CONFIRM_SECONDS=3 * 60 * 60).test_cli_runner()
    result = runner.invoke(args=["prune", "--days", "30"])
    assert "Removed 0 checked import files" in result.output
    assert snapshot(aged)["uploads"] == [EXPIRED_UPLOAD, WAITING_UPLOAD]
    result = make_app(IMPORT_CONFIRM_SECONDS=60).test_cli_runner().invoke(args=["prune", "--days", "30"])
    assert "Removed 2 checked import files" in result.output
    assert snapshot(aged)["uploads"] == []


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["--days", "0"], {}, "0 is not in the range x>=1"),
        (["--days", "-5"], {}, "-5 is not in the range x>=1"),
        (["--days", "a month"], {}, "'a month' is not a valid integer"),
        ([], {"RETENTION_DAYS": "forever"}, "RETENTION_DAYS must be a whole number of days, 1 or more"),
        ([], {"RETENTION_DAYS": 0}, "RETENTION_DAYS must be a whole number of days, 1 or more"),
        (["--dry-run", "--weeks", "2"], {}, "No such option '--weeks'"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(aged, make_app, args, config, message):
    before = snapshot(aged)
    result = make_app(**config).test_cli_runner().invoke(args=["prune", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert snapshot(aged) == before


def test_the_database_refuses_to_delete_the_audit_of_writes(aged):
    for action in KEPT:
        with pytest.raises(DBAPIError, match="append-only"):
            aged.execute(delete(AuditEvent).where(AuditEvent.action == action))
        aged.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        aged.execute(delete(AdoptionEvent))
    aged.rollback()
    # The noise may go, by the database's rule as by prune's.
    assert aged.execute(delete(AuditEvent).where(AuditEvent.action.in_(NOISE))).rowcount == 4
    aged.rollback()


def test_the_prune_entry_is_one_sentence_without_a_table_of_counts(aged, runner):
    from tracker.audit.sentences import Names, entry

    assert runner.invoke(args=["prune", "--days", "30"]).exit_code == 0
    aged.rollback()
    [row] = aged.scalars(select(AuditEvent).filter_by(action="pruned"))
    shown = entry(row, Names())
    assert shown.changes == [] and shown.note == ""
    assert shown.sentence.endswith(
        "1 hourly count of anonymous refusals; and 1 checked import file nobody could confirm any more"
    )
