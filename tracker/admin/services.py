"""Accounts: list, create, change, disable, set a password. Each writing function is one unit of work and commits.

Shared by the administrators' pages and the `flask users` commands, so both apply the same rules.
Refusals are AccountError (an InvalidInput), whose `errors` map form fields to messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..auth.passwords import hash_password, password_problem
from ..auth.services import normalise_email, set_password, words_to_refuse
from ..editing import InvalidInput, check_version, commit_edit, saving
from ..lookups import organisation_by_ods
from ..models import Network, Role, User
from ..models.accounts import NO_PASSWORD, new_session_token

BAD_EMAIL = "Enter an email address in the correct format, like name@example.nhs.uk"
EMAIL_TAKEN = "An account with this email address already exists"
CHOOSE_ROLE = "Choose a role"
CHOOSE_ORGANISATION = "Choose the organisation this trust user works for"
NOT_YOUR_OWN_ROLE = "You cannot change your own role: ask another administrator to do it"
NOT_YOUR_OWN_ACCOUNT = "You cannot disable your own account: ask another administrator to do it"


class AccountError(InvalidInput):
    """Bad input for an account; `errors` maps each field to its message."""


@dataclass
class AccountDetails:
    """What an administrator sets on an account. Organisation only counts for trust staff and
    networks only for faculty: values given for other roles are ignored (the form hides them)."""

    email: str
    role: str
    name: str = ""
    organisation: str | None = None  # ODS code
    networks: list[str] = field(default_factory=list)  # network codes
    active: bool = True


def email_problem(email: str) -> str | None:
    """Why an email address is not acceptable for an account, or None."""
    try:
        validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        return BAD_EMAIL
    return None


def check_email(email: str) -> str:
    """The address as stored: validated, normalised and lower-case."""
    try:
        return normalise_email(validate_email(email.strip(), check_deliverability=False).normalized)
    except EmailNotValidError:
        raise AccountError({"email": BAD_EMAIL}) from None


def email_taken(session: Session, email: str, except_id: int | None = None) -> bool:
    query = select(func.count()).select_from(User).where(User.email == normalise_email(email))
    if except_id is not None:
        query = query.where(User.id != except_id)
    return bool(session.scalar(query))


def _resolve(session: Session, details: AccountDetails, errors: dict[str, str]):
    """The role, organisation and networks the details name, noting what is wrong in `errors`."""
    try:
        role = Role(details.role)
    except ValueError:
        errors["role"] = CHOOSE_ROLE
        return None, None, []
    organisation = None
    if role is Role.TRUST:
        ods = (details.organisation or "").strip().upper()
        if not ods:
            errors["organisation"] = CHOOSE_ORGANISATION
        else:
            organisation = organisation_by_ods(session, ods)
            if organisation is None:
                errors["organisation"] = f"No organisation has the ODS code {ods}"
    networks: list[Network] = []
    if role is Role.FACULTY:
        codes = sorted({c.strip().upper() for c in details.networks if c.strip()})
        networks = list(session.scalars(select(Network).where(Network.code.in_(codes)).order_by(Network.code)))
        unknown = sorted(set(codes) - {n.code for n in networks})
        if unknown:
            errors["networks"] = f"No network has the code {', '.join(unknown)}"
    return role, organisation, networks


def list_users(session: Session, role: Role | None = None) -> list[User]:
    """Every account (or those of one role) with its organisation and networks, by email."""
    query = select(User).options(selectinload(User.organisation), selectinload(User.networks)).order_by(User.email)
    if role is not None:
        query = query.where(User.role == role)
    return list(session.scalars(query))


def active_user_choices(session: Session) -> list[tuple[str, str]]:
    """(id, "Name (email), role") of every account that can sign in, for choosing whose a token is."""
    rows = session.execute(
        select(User.id, User.name, User.email, User.role).where(User.active.is_(True)).order_by(User.email)
    )
    return [
        (str(id_), f"{name} ({email}), {role.label}" if name else f"{email}, {role.label}")
        for id_, name, email, role in rows
    ]


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(
        User,
        user_id,
        options=[selectinload(User.organisation), selectinload(User.networks)],
    )


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(session: Session, details: AccountDetails, password: str | None, hash_iterations: int) -> User:
    """Create an account; raises AccountError naming every field that is wrong, writing nothing.

    Without a password the account is an invitation to sign in with a work account (OpenID Connect):
    no password ever matches it, and the first work account presenting its email address is bound to it.
    """
    errors: dict[str, str] = {}
    email = ""
    # Taken first: an existing address (a demo one on .invalid, say) is reported as taken,
    # not as malformed.
    if email_taken(session, details.email):
        errors["email"] = EMAIL_TAKEN
    else:
        try:
            email = check_email(details.email)
        except AccountError as e:
            errors.update(e.errors)
        else:
            if email_taken(session, email):
                errors["email"] = EMAIL_TAKEN
    role, organisation, networks = _resolve(session, details, errors)
    problem = (
        password_problem(password, email=email, name=details.name, words=words_to_refuse(session))
        if password is not None
        else None
    )
    if problem:
        errors["password"] = problem
    if errors:
        session.rollback()
        raise AccountError(errors)
    user = User(
        email=email,
        name=details.name.strip(),
        role=role,
        organisation=organisation,
        networks=networks,
        active=details.active,
        password_hash=hash_password(password, hash_iterations) if password is not None else NO_PASSWORD,
    )
    session.add(user)
    # Another administrator may create the same address a moment before us.
    commit_edit(session, on_integrity=lambda: AccountError({"email": EMAIL_TAKEN}))
    return user


def update_user(
    session: Session,
    user: User,
    details: AccountDetails,
    expected_version: int | None,
    acting_user_id: int | None = None,
) -> User:
    """Change name, role, organisation, networks and whether the account is active.

    Raises AccountError for bad input, InvalidInput without a version, EditConflict when the
    account changed since the editor loaded it (row_version); either way nothing is written. An administrator (acting_user_id)
    cannot demote or disable their own account, so the service never loses its last administrator
    by accident. Disabling an account or changing its role ends its sessions.
    """
    with saving(session, user):
        check_version(user, expected_version)
        errors: dict[str, str] = {}
        role, organisation, networks = _resolve(session, details, errors)
        if acting_user_id is not None and user.id == acting_user_id:
            if role is not None and role is not user.role:
                errors["role"] = NOT_YOUR_OWN_ROLE
            if not details.active:
                errors["active"] = NOT_YOUR_OWN_ACCOUNT
        if errors:
            raise AccountError(errors)
        ends_sessions = (user.active and not details.active) or role is not user.role
        user.name = details.name.strip()
        user.role = role
        user.organisation = organisation
        user.networks = networks
        user.active = details.active
        if ends_sessions:
            user.session_token = new_session_token()
    return user


def disable_user(session: Session, user: User) -> None:
    """Stop the account signing in and end its sessions."""
    user.active = False
    user.session_token = new_session_token()
    session.commit()


def reset_password(session: Session, user: User, password: str, hash_iterations: int) -> None:
    """Set a user's password (an administrator's act); ends every session of theirs."""
    problem = password_problem(password, email=user.email, name=user.name, words=words_to_refuse(session))
    if problem:
        session.rollback()
        raise AccountError({"password": problem})
    set_password(session, user, password, hash_iterations)


def unlink_work_account(session: Session, user: User) -> bool:
    """Forget the work account bound to this account (the person's identity changed, e.g. they moved to
    another tenant), so the next sign-in with its address binds afresh; their sessions end. False if none was."""
    if user.oidc_object_id is None:
        return False
    user.oidc_tenant_id = None
    user.oidc_object_id = None
    user.session_token = new_session_token()
    session.commit()
    return True
