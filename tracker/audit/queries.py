"""Reading the audit trail: filtered, newest first, a page at a time, with the names its ids stand for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import String, func, literal_column, null, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from ..calendar import LONDON
from ..limits import day_after
from ..models import (
    Adoption,
    AdoptionLead,
    Ambition,
    AmbitionTarget,
    AuditEvent,
    ChangeIdea,
    ChangePackage,
    Driver,
    LearningLink,
    Network,
    Organisation,
    User,
)
from .sentences.rows import Names

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    actor: str | None = None  # part of an email address
    entity: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _where(stmt, filters: AuditFilters):
    # Days are days in England, as the page shows the times.
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.actor:
        stmt = stmt.where(AuditEvent.actor_email.contains(filters.actor.strip().lower(), autoescape=True))
    if filters.entity:
        stmt = stmt.where(AuditEvent.entity == filters.entity)
    if filters.since:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(filters.since, time(), tzinfo=LONDON))
    if filters.until and (end := day_after(filters.until)):
        stmt = stmt.where(AuditEvent.at < datetime.combine(end, time(), tzinfo=LONDON))
    return stmt


def audit_page(session: Session, filters: AuditFilters, page: int = 1) -> AuditPage:
    total = session.scalar(_where(select(func.count()).select_from(AuditEvent), filters))
    events = session.scalars(
        _where(select(AuditEvent), filters)
        .order_by(AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return AuditPage(list(events), total, page)


def known_values(session: Session) -> tuple[list[str], list[str]]:
    """The actions and entities that occur, for the filter menus."""
    actions = session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    entities = session.scalars(
        select(AuditEvent.entity).where(AuditEvent.entity != "").distinct().order_by(AuditEvent.entity)
    )
    return list(actions), list(entities)


# Which table each field's ids point into (trail.py stores ids as they are in the row).
ID_FIELDS = {
    "organisation_id": "o",
    "successor_id": "o",
    "source_id": "o",
    "target_id": "o",
    "change_idea_id": "i",
    "logged_by_id": "u",
    "last_logged_by_id": "u",
    "user_id": "u",
    "driver_id": "d",
    "parent_id": "d",
    "package_id": "p",
    "network_id": "n",
    "ambition_id": "m",
    "lead_id": "u",
    "given_by_id": "u",
}
# Rows of these tables are known by their id (they have no code): entity_key is the id.
KEYED_BY_ID = {
    "adoptions": "a",
    "drivers": "d",
    "learning_links": "l",
    "ambition_targets": "t",
    "adoption_leads": "r",
    "organisation_leads": "o",
    "contact_consents": "u",
}


def _wanted(events: list[AuditEvent]) -> tuple[dict[str, set[int]], set[str]]:
    ids: dict[str, set[int]] = {kind: set() for kind in "oiuadlpnmtr"}
    idea_codes = set()
    for e in events:
        if e.actor_id is not None:
            ids["u"].add(e.actor_id)
        for values in (e.before or {}, e.after or {}):
            for name, value in values.items():
                if name in ID_FIELDS and isinstance(value, int) and not isinstance(value, bool):
                    ids[ID_FIELDS[name]].add(value)
        if e.entity in KEYED_BY_ID and e.entity_key.isdigit():
            ids[KEYED_BY_ID[e.entity]].add(int(e.entity_key))
        if e.entity == "change_ideas" and e.action == "update":
            idea_codes.add(e.entity_key)
    # Ids beyond what the database holds name nothing (and PostgreSQL refuses them as integers).
    return {kind: {i for i in found if 0 < i < 2**31} for kind, found in ids.items()}, idea_codes


def names_for(session: Session, events: list[AuditEvent], requests: dict | None = None) -> Names:
    """The codes, titles and email addresses a page of audit rows refers to, in one statement."""
    ids, idea_codes = _wanted(events)
    source, target = aliased(Organisation), aliased(Organisation)

    def row(kind: str, id_, first, second=None):
        return (
            literal_column(f"'{kind}'", String).label("kind"),
            id_.label("id"),
            first.label("first"),
            (second if second is not None else null()).label("second"),
        )

    # The kinds named by their own row: (id, first, second) columns.
    own = {
        "o": (Organisation.id, Organisation.ods_code, None),
        "u": (User.id, User.email, User.name),
        "d": (Driver.id, Driver.title, None),
        "p": (ChangePackage.id, ChangePackage.code, None),
        "n": (Network.id, Network.code, None),
        "m": (Ambition.id, Ambition.code, None),
    }
    parts = [
        select(*row(kind, *columns)).where(columns[0].in_(ids[kind])) for kind, columns in own.items() if ids[kind]
    ]
    if ids["i"] or idea_codes:
        parts.append(
            select(*row("i", ChangeIdea.id, ChangeIdea.code, ChangeIdea.title)).where(
                or_(ChangeIdea.id.in_(ids["i"]), ChangeIdea.code.in_(idea_codes))
            )
        )
    if ids["a"]:
        parts.append(
            select(*row("a", Adoption.id, source.ods_code, ChangeIdea.code))
            .join(source, source.id == Adoption.organisation_id)
            .join(ChangeIdea, ChangeIdea.id == Adoption.change_idea_id)
            .where(Adoption.id.in_(ids["a"]))
        )
    if ids["r"]:
        parts.append(
            select(*row("r", AdoptionLead.id, source.ods_code, ChangeIdea.code))
            .join(source, source.id == AdoptionLead.organisation_id)
            .join(ChangeIdea, ChangeIdea.id == AdoptionLead.change_idea_id)
            .where(AdoptionLead.id.in_(ids["r"]))
        )
    if ids["l"]:
        parts.append(
            select(*row("l", LearningLink.id, source.ods_code, target.ods_code))
            .join(source, source.id == LearningLink.source_id)
            .join(target, target.id == LearningLink.target_id)
            .where(LearningLink.id.in_(ids["l"]))
        )
    if ids["t"]:
        parts.append(
            select(*row("t", AmbitionTarget.id, AmbitionTarget.label, Ambition.code))
            .join(Ambition, Ambition.id == AmbitionTarget.ambition_id)
            .where(AmbitionTarget.id.in_(ids["t"]))
        )
    found: dict[str, dict] = {kind: {} for kind in "oiuadlpnmtr"}
    titles: dict[str, str] = {}
    if parts:
        for kind, id_, first, second in session.execute(union_all(*parts)):
            if kind == "i":
                titles[first] = second
            if kind == "u":
                found[kind][id_] = (first, second or "")
            elif kind in ("a", "r"):
                found[kind][id_] = f"{first} × {second}"
            elif kind == "l":
                found[kind][id_] = f"{first} and {second}"
            elif kind == "t":
                found[kind][id_] = (first, second)
            else:
                found[kind][id_] = first
    return Names(
        organisations=found["o"],
        ideas=found["i"],
        idea_titles=titles,
        users=found["u"],
        adoptions=found["a"],
        drivers=found["d"],
        links=found["l"],
        packages=found["p"],
        networks=found["n"],
        ambitions=found["m"],
        targets=found["t"],
        lead_records=found["r"],
        requests=requests or {},
    )
