"""What the app's own PostgreSQL role may do to each table: least privilege, as `flask db grant` applies it.

Pure (no Flask): the table-by-table grants and the SQL that applies them. The owning role (the one in
DATABASE_OWNER_URL) runs migrations, `flask prune`, `backup` and `restore`; the app's role (DATABASE_URL)
owns nothing, so it can never TRUNCATE, ALTER (e.g. DISABLE TRIGGER) or DROP a table, whatever it is
tricked into running. The adoption ledger, the audit trail and packages' published versions are append-only to it: SELECT
and INSERT.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

READ = ("SELECT",)
APPEND = ("SELECT", "INSERT")
WRITE = ("SELECT", "INSERT", "UPDATE", "DELETE")

# Every table of tracker.models (tests/test_least_privilege.py checks none is missing), with why.
TABLE_PRIVILEGES: dict[str, tuple[str, ...]] = {
    # The ledger and the audit trail: every write appends; rows are never changed. Pruning the audit
    # trail's noise is `flask prune`, run by the owner.
    "adoption_events": APPEND,
    "audit_events": APPEND,
    # A package's published versions: each publish appends one; what a version said never changes.
    "package_versions": APPEND,
    # Alembic's: read by /readyz (migrations at head); only `flask db upgrade`, as the owner, writes it.
    "alembic_version": READ,
    # Rebuilt from the ledger by the app when events are logged or corrected (old spells deleted).
    "adoption_spells": WRITE,
    "adoptions": WRITE,  # made on first event, their current stage updated
    # The data version: the watched tables' triggers (run as the app's role) update its row, and the
    # app makes it again when lost.
    "data_version": WRITE,
    # Accounts: admins invite, change roles, deactivate; sign-ins update their times and hashes.
    "users": WRITE,
    "user_networks": WRITE,  # a user's networks, replaced when an admin edits them
    "sign_in_attempts": WRITE,  # failures counted per email, cleared by a successful sign-in
    "sign_in_throttles": WRITE,  # per address and subnet, the same
    "anonymous_denials": WRITE,  # counts per hour, upserted
    "api_tokens": WRITE,  # made, last used time updated, revoked (deleted) from the admin pages
    "idempotent_requests": WRITE,  # stored answers of API writes, expired ones deleted on the next write
    "mfa_recovery_codes": WRITE,  # made at enrolment, marked used, replaced or deleted on a reset
    "checked_uploads": WRITE,  # an import's checked file, kept until confirmed or expired
    "follows": WRITE,  # a person follows and unfollows change ideas and organisations
    # Weekly digests: claimed before the mail goes, deleted again if the mail server refuses it.
    "digests_sent": WRITE,
    # The catalogue, organisations, networks, learning links and measures are edited in the app
    # (create, edit, remove), each change audited.
    "ambitions": WRITE,
    "ambition_targets": WRITE,
    "change_packages": WRITE,
    "drivers": WRITE,
    "change_ideas": WRITE,
    "package_resources": WRITE,
    "organisations": WRITE,
    "networks": WRITE,
    "learning_links": WRITE,
    "measures": WRITE,
    "wards": WRITE,
    "measure_values": WRITE,
    "spc_rebases": WRITE,
    # Whom to ask (tracker.leads): leads and Life QI links set, changed and cleared in the app; consent
    # given and withdrawn by the person (or recorded by whoever names them). Each change audited.
    "adoption_leads": WRITE,
    "organisation_leads": WRITE,
    "contact_consents": WRITE,
}

# Said when the database refuses a maintenance command run as the app's role.
OWNER_HINT = (
    "This needs the role that owns the tables: set DATABASE_OWNER_URL to that role's connection "
    "(the app's role in DATABASE_URL may only read and write rows). See README, Production."
)


def refused_for_lack_of_ownership(message: str) -> bool:
    """Whether PostgreSQL's error says the role may not do this (not an append-only trigger's refusal)."""
    lowered = message.lower()
    return "permission denied" in lowered or "must be owner" in lowered


def grant_statements(role: str, schema: str, tables: Iterable[str], quote: Callable[[str], str]) -> list[str]:
    """The SQL that gives `role` exactly TABLE_PRIVILEGES on the schema's tables, whatever it had before.

    Everything is revoked first (so rerunning after an upgrade also takes back what a table no longer
    needs); a table not listed gets nothing. Sequences: USAGE (nextval for new rows), never setval.
    """
    who, where = quote(role), quote(schema)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {where} FROM {who}",
        f"REVOKE CREATE ON SCHEMA {where} FROM {who}",
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
    ]
    for table in sorted(tables):
        privileges = TABLE_PRIVILEGES.get(table)
        if privileges:
            statements.append(f"GRANT {', '.join(privileges)} ON {where}.{quote(table)} TO {who}")
    statements.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {where} TO {who}")
    return statements


def unlisted(tables: Iterable[str]) -> list[str]:
    """Tables the database holds that TABLE_PRIVILEGES does not name (the app's role gets nothing on them)."""
    return sorted(set(tables) - set(TABLE_PRIVILEGES))
