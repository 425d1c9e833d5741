"""The demo accounts (one per role) and, with them, the demo links, adoption history and measure values; all
labelled demo."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.passwords import DEMO_PASSWORD, hash_password
from ..lookups import organisation_by_ods
from ..models import Network, Role, User, utcnow
from .demo_history import load_demo_history
from .demo_values import load_demo_values
from .links import load_demo_links
from .rows import SeedReport

# Demo accounts: clearly labelled, on a reserved domain that can never receive mail.
DEMO_USERS = [
    {"email": "admin@demo.invalid", "name": "Demo Administrator", "role": Role.ADMIN},
    {"email": "manager@demo.invalid", "name": "Demo Project Manager", "role": Role.MANAGER},
    {"email": "faculty@demo.invalid", "name": "Demo Faculty Member", "role": Role.FACULTY, "networks": ["OXF", "WSX"]},
    {"email": "trust@demo.invalid", "name": "Demo Trust Lead", "role": Role.TRUST, "organisation": "RNU"},
]
# The demo administrator and project manager must use MFA like real ones: their TOTP secret is published
# like the demo password (demo accounts only), so anyone trying the demo can add it to an authenticator
# app or ask `flask users demo-code` for the current code.
DEMO_TOTP_SECRET = "SPREADTRACKERDEMOMFAONLY234567AB"
DEMO_MFA_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


def load_demo(session: Session, hash_iterations: int, today: date | None = None, history: bool = True) -> SeedReport:
    """Add one demo account per role and a demo adoption history, all labelled demo; idempotent."""
    report = SeedReport()
    _add_demo_accounts(session, report, hash_iterations)
    session.flush()
    if links := load_demo_links(session):
        report.created["demo links"] += links
    added = load_demo_history(session, today or date.today()) if history else 0
    if added:
        report.created["demo adoption events"] += added
    # The measures' demo values follow the history (their shifts come after its "implementing" moves).
    if values := load_demo_values(session, today or date.today()) if history else 0:
        report.created["demo measure values"] += values
    session.commit()
    return report


def _add_demo_accounts(session: Session, report: SeedReport, hash_iterations: int) -> None:
    for spec in DEMO_USERS:
        if session.scalar(select(User).filter_by(email=spec["email"])) is not None:
            continue
        organisation = None
        if "organisation" in spec:
            organisation = organisation_by_ods(session, spec["organisation"])
        networks = []
        if "networks" in spec:
            networks = list(session.scalars(select(Network).where(Network.code.in_(spec["networks"]))))
        session.add(
            User(
                email=spec["email"],
                name=spec["name"],
                role=spec["role"],
                is_demo=True,
                organisation=organisation,
                networks=networks,
                password_hash=hash_password(DEMO_PASSWORD, hash_iterations),
                **(
                    {"mfa_secret": DEMO_TOTP_SECRET, "mfa_enrolled_at": utcnow()}
                    if spec["role"] in DEMO_MFA_ROLES
                    else {}
                ),
            )
        )
        report.created["demo accounts"] += 1
