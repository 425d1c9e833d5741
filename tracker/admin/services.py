"""Accounts: create, change, disable. Each function is one unit of work and commits.

Shared by the administrators' pages and the `flask users` commands, so both apply the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.passwords import hash_password, password_problem
from ..auth.services import normalise_email
from ..models import Network, Organisation, Role, User
from ..models.accounts import new_session_token


class AccountError(ValueError):
    """Bad input for an account; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class AccountDetails:
    email: str
    role: str
    name: str = ""
    organisation: str | None = None  # ODS code
    networks: list[str] = field(default_factory=list)  # network codes
    active: bool = True


def check_email(email: str) -> str:
    try:
        return normalise_email(validate_email(email.strip(), check_deliverability=False).normalized)
    except EmailNotValidError:
        raise AccountError({"email": "Enter an email address in the correct format, like name@example.nhs.uk"}) from None


def _resolve(session: Session, details: AccountDetails, errors: dict[str, str]):
    try:
        role = Role(details.role)
    except ValueError:
        errors["role"] = f"Choose a role: {', '.join(r.value for r in Role)}"
        return None, None, []
    organisation = None
    if details.organisation:
        organisation = session.scalar(select(Organisation).where(Organisation.ods_code == details.organisation.strip().upper()))
        if organisation is None:
            errors["organisation"] = f"No organisation has the ODS code {details.organisation}"
    if role is Role.TRUST and organisation is None and "organisation" not in errors:
        errors["organisation"] = "Choose the organisation a trust user belongs to"
    codes = sorted({c.strip().upper() for c in details.networks if c.strip()})
    networks = list(session.scalars(select(Network).where(Network.code.in_(codes)))) if codes else []
    unknown = sorted(set(codes) - {n.code for n in networks})
    if unknown:
        errors["networks"] = f"Unknown network code: {', '.join(unknown)}"
    if role is not Role.FACULTY and codes:
        errors.setdefault("networks", "Only faculty members are assigned networks")
    return role, organisation, networks


def create_user(session: Session, details: AccountDetails, password: str, hash_iterations: int) -> User:
    errors: dict[str, str] = {}
    try:
        email = check_email(details.email)
    except AccountError as e:
        errors.update(e.errors)
        email = ""
    if email and session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        errors["email"] = "An account with this email address already exists"
    role, organisation, networks = _resolve(session, details, errors)
    problem = password_problem(password, email=email, name=details.name)
    if problem:
        errors["password"] = problem
    if errors:
        raise AccountError(errors)
    user = User(
        email=email,
        name=details.name.strip(),
        role=role,
        organisation=organisation if role is Role.TRUST else None,
        networks=networks,
        active=details.active,
        password_hash=hash_password(password, hash_iterations),
    )
    session.add(user)
    session.commit()
    return user


def update_user(session: Session, user: User, details: AccountDetails, expected_version: int | None = None) -> User:
    """Change name, role, organisation, networks and whether the account is active."""
    errors: dict[str, str] = {}
    role, organisation, networks = _resolve(session, details, errors)
    if errors:
        raise AccountError(errors)
    if expected_version is not None and user.row_version != expected_version:
        raise AccountError({"form": "Someone else changed this account since you opened it. Check the details below and save again."})
    was_active, old_role = user.active, user.role
    user.name = details.name.strip()
    user.role = role
    user.organisation = organisation if role is Role.TRUST else None
    user.networks = networks if role is Role.FACULTY else []
    user.active = details.active
    if (was_active and not user.active) or old_role != role:
        user.session_token = new_session_token()  # their open sessions end now
    session.commit()
    return user


def disable_user(session: Session, user: User) -> None:
    user.active = False
    user.session_token = new_session_token()
    session.commit()


def reset_password(session: Session, user: User, password: str, hash_iterations: int) -> None:
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise AccountError({"password": problem})
    from ..auth.services import set_password

    set_password(session, user, password, hash_iterations)


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))
