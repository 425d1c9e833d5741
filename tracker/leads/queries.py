"""Reading whom to ask: each in one statement, whatever the number of trusts or leads."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..models import Adoption, AdoptionLead, ChangeIdea, ContactConsent, Organisation, OrganisationLead, User
from .rules import Contact, is_life_qi, shown


@dataclass(frozen=True)
class RecordContact:
    """A record's lead as others see them (None unless their consent is in force) and its project link."""

    lead: Contact | None
    lifeqi_url: str

    @property
    def project_label(self) -> str:
        """What the project link is called on the pages: Life QI's own, or another project system's."""
        return "Life QI project" if is_life_qi(self.lifeqi_url) else "Project page"


def _lead_columns(user, consent):
    return (user.name, user.email, user.active, consent.user_id.is_not(None), consent.withdrawn_at)


def idea_contacts(session: Session, idea: ChangeIdea) -> dict[int, RecordContact]:
    """Per organisation id, the lead and project link of its record of this idea (one statement)."""
    rows = session.execute(
        select(AdoptionLead.organisation_id, AdoptionLead.lifeqi_url, *_lead_columns(User, ContactConsent))
        .outerjoin(User, User.id == AdoptionLead.lead_id)
        .outerjoin(ContactConsent, ContactConsent.user_id == AdoptionLead.lead_id)
        .where(AdoptionLead.change_idea_id == idea.id)
    )
    return {org_id: RecordContact(shown(*lead), url) for org_id, url, *lead in rows}


def record_contact(session: Session, organisation: Organisation, idea: ChangeIdea) -> RecordContact | None:
    """One record's lead and project link, or None when nothing was ever set."""
    row = session.execute(
        select(AdoptionLead.lifeqi_url, *_lead_columns(User, ContactConsent))
        .outerjoin(User, User.id == AdoptionLead.lead_id)
        .outerjoin(ContactConsent, ContactConsent.user_id == AdoptionLead.lead_id)
        .where(AdoptionLead.organisation_id == organisation.id, AdoptionLead.change_idea_id == idea.id)
    ).first()
    return None if row is None else RecordContact(shown(*row[1:]), row[0])


def organisation_contact(session: Session, organisation: Organisation) -> Contact | None:
    """The organisation's QI lead, if named and shown."""
    row = session.execute(
        select(*_lead_columns(User, ContactConsent))
        .select_from(OrganisationLead)
        .join(User, User.id == OrganisationLead.lead_id)
        .outerjoin(ContactConsent, ContactConsent.user_id == OrganisationLead.lead_id)
        .where(OrganisationLead.organisation_id == organisation.id)
    ).first()
    return None if row is None else shown(*row)


def has_record(session: Session, organisation: Organisation, idea: ChangeIdea) -> bool:
    """Whether anything was logged for the pair (a lead belongs to an adoption record)."""
    return (
        session.scalar(
            select(Adoption.id).where(Adoption.organisation_id == organisation.id, Adoption.change_idea_id == idea.id)
        )
        is not None
    )


def record_lead(session: Session, organisation: Organisation, idea: ChangeIdea) -> AdoptionLead | None:
    return session.scalar(
        select(AdoptionLead).where(
            AdoptionLead.organisation_id == organisation.id, AdoptionLead.change_idea_id == idea.id
        )
    )


def organisation_lead(session: Session, organisation: Organisation) -> OrganisationLead | None:
    return session.get(OrganisationLead, organisation.id)


def consent_of(session: Session, user_id: int) -> ContactConsent | None:
    return session.get(ContactConsent, user_id)


def account_by_email(session: Session, email: str) -> User | None:
    # Stored addresses are normalised (lower case) when an account is made: compare as stored, on the index.
    return session.scalar(select(User).where(User.email == email.strip().lower()))


@dataclass(frozen=True)
class Naming:
    """Somewhere a person is named as a lead, for their own account page."""

    what: str  # "Lead of RP-01 Safety huddles at Oxford Health"
    organisation: Organisation
    idea: ChangeIdea | None


def namings(session: Session, user: User) -> list[Naming]:
    """Every record and organisation that names this person as its lead (two statements)."""
    idea = aliased(ChangeIdea)
    records = session.execute(
        select(Organisation, idea)
        .join(AdoptionLead, AdoptionLead.organisation_id == Organisation.id)
        .join(idea, idea.id == AdoptionLead.change_idea_id)
        .where(AdoptionLead.lead_id == user.id)
        .order_by(Organisation.name, idea.code)
    )
    out = [Naming(f"Lead of {i.code} {i.title} at {o.name}", o, i) for o, i in records]
    organisations = session.scalars(
        select(Organisation)
        .join(OrganisationLead, OrganisationLead.organisation_id == Organisation.id)
        .where(OrganisationLead.lead_id == user.id)
        .order_by(Organisation.name)
    )
    return out + [Naming(f"Quality improvement lead of {o.name}", o, None) for o in organisations]
