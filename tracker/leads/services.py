"""Naming leads, linking Life QI projects, and giving or withdrawing consent to be named.

Every change follows tracker.editing's contract (the version the editor read; nothing written on any
refusal) and is audited row by row by tracker.audit_trail. Consent: whoever names a lead may record that
the person agreed, unless the person has withdrawn it; only the person gives it again after that.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..access import may_log_adoption
from ..editing import InvalidInput, check_version, saving
from ..models import AdoptionLead, ChangeIdea, ContactConsent, Organisation, OrganisationLead, User, utcnow
from . import queries
from .rules import project_link_problem

NO_ACCOUNT = (
    "No active Spread Tracker account has this email address. Ask an administrator to invite them, then name them"
)
EMAIL_TOO_LONG = "The email address must be 254 characters or fewer"
WITHDRAWN = (
    "{name} has withdrawn their consent to be named, so you cannot record it for them. "
    "Only they can give it again, from their account page"
)
NO_RECORD = "Log a stage for this change idea first: a lead belongs to an adoption record"
NOT_ALLOWED = "You may not name leads for this organisation"


@dataclass(frozen=True)
class LeadChoice:
    """What the form says about the lead: an email address (empty: none), whether the person agreed to be
    named, and whether to keep a lead who is named but not shown (the form cannot show them to replace)."""

    email: str = ""
    agreed: bool = False
    keep_hidden: bool = False


def _lead(session: Session, actor: User, choice: LeadChoice, current_id: int | None, errors: dict) -> User | None:
    """The account the choice names (the current, hidden one when kept), and consent to record; errors by field."""
    email = choice.email.strip()
    if not email:
        return session.get(User, current_id) if choice.keep_hidden and current_id is not None else None
    if len(email) > 254:
        errors["lead_email"] = EMAIL_TOO_LONG
        return None
    user = queries.account_by_email(session, email)
    if user is None or not user.active:
        errors["lead_email"] = NO_ACCOUNT
        return None
    consent = queries.consent_of(session, user.id)
    if choice.agreed and consent is not None and not consent.in_force and user.id != actor.id:
        errors["lead_agreed"] = WITHDRAWN.format(name=user.display_name)
    return user


def _record_consent(session: Session, actor: User, lead: User | None, agreed: bool) -> None:
    """Record that the lead agreed (the editor's word, or their own), unless it is already in force."""
    if lead is None or not agreed:
        return
    consent = queries.consent_of(session, lead.id)
    if consent is None:
        session.add(ContactConsent(user_id=lead.id, given_by_id=actor.id, given_at=utcnow()))
    elif not consent.in_force:  # only the person themselves gets here (see _lead)
        consent.withdrawn_at, consent.given_by_id, consent.given_at = None, actor.id, utcnow()


def set_record_lead(
    session: Session,
    actor: User,
    organisation: Organisation,
    idea: ChangeIdea,
    choice: LeadChoice,
    lifeqi_url: str,
    expected_version: int | None,
    has_record: bool,
) -> AdoptionLead:
    """Name (or clear) the lead of one organisation's record of one idea, and set (or clear) its project link."""
    if not may_log_adoption(actor, organisation):
        raise InvalidInput({"form": NOT_ALLOWED})
    row = queries.record_lead(session, organisation, idea)
    check_version(row, expected_version)
    errors: dict[str, str] = {}
    if not has_record:
        errors["form"] = NO_RECORD
    url = lifeqi_url.strip()
    if problem := project_link_problem(url):
        errors["lifeqi_url"] = problem
    lead = _lead(session, actor, choice, row.lead_id if row else None, errors)
    if errors:
        raise InvalidInput(errors)
    with saving(session, row):
        if row is None:
            row = AdoptionLead(organisation_id=organisation.id, change_idea_id=idea.id)
            session.add(row)
        row.lead_id, row.lifeqi_url = (lead.id if lead else None), url
        _record_consent(session, actor, lead, choice.agreed)
    return row


def set_organisation_lead(
    session: Session, actor: User, organisation: Organisation, choice: LeadChoice, expected_version: int | None
) -> OrganisationLead:
    """Name (or clear) an organisation's quality improvement lead."""
    if not may_log_adoption(actor, organisation):
        raise InvalidInput({"form": NOT_ALLOWED})
    row = queries.organisation_lead(session, organisation)
    check_version(row, expected_version)
    errors: dict[str, str] = {}
    lead = _lead(session, actor, choice, row.lead_id if row else None, errors)
    if errors:
        raise InvalidInput(errors)
    with saving(session, row):
        if row is None:
            row = OrganisationLead(organisation_id=organisation.id)
            session.add(row)
        row.lead_id = lead.id if lead else None
        _record_consent(session, actor, lead, choice.agreed)
    return row


def give_consent(session: Session, user: User, expected_version: int | None) -> ContactConsent:
    """The person agrees to be shown as a contact wherever they are a lead (again, after withdrawing)."""
    consent = queries.consent_of(session, user.id)
    check_version(consent, expected_version)
    with saving(session, consent):
        if consent is None:
            consent = ContactConsent(user_id=user.id, given_by_id=user.id, given_at=utcnow())
            session.add(consent)
        else:
            consent.withdrawn_at, consent.given_by_id, consent.given_at = None, user.id, utcnow()
    return consent


def withdraw_consent(session: Session, user: User, expected_version: int | None) -> ContactConsent:
    """The person withdraws: their name goes from every page and answer at once (the leads stay, unshown)."""
    consent = queries.consent_of(session, user.id)
    check_version(consent, expected_version)
    if consent is None or not consent.in_force:
        raise InvalidInput({"form": "You have not agreed to be named, so there is nothing to withdraw"})
    with saving(session, consent):
        consent.withdrawn_at = utcnow()
    return consent
