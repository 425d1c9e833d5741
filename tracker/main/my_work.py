"""The home page's "My work" as plain data: a trust's own records and what other trusts do with the same
ideas; for faculty, the trusts they support, their records not updated for a while and recent changes.

Everything here depends only on the organisation or networks asked about, the day and the data, never
on the person: the home page keeps it rendered with the dashboard (tracker.page_cache). Each function
runs a fixed number of statements whatever the data. No Flask here.

A record's last event is the effective date of its current event (when its stage was last true as
logged): when it was last confirmed, and what makes it wait for an update (tracker.adoption.stale, as on
the Needs an update page and in the digest).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, select, true
from sqlalchemy.orm import Session, aliased

from ..adoption import stale as stale_rules
from ..catalogue.queries import CATALOGUE_ORDER
from ..models import (
    Adoption,
    AdoptionEvent,
    Ambition,
    ChangeIdea,
    ChangePackage,
    Network,
    Organisation,
    Role,
    Stage,
)

STALE_AFTER_DAYS = stale_rules.DEFAULT_STALE_AFTER_DAYS  # the app passes its STALE_AFTER_DAYS setting
RECENT_DAYS = 30  # "recent changes": events that took effect in this many days up to today
RECENT_SHOWN = 15  # the newest recent changes shown; the rest are counted and linked
STALE_SHOWN = 20  # the longest-waiting records shown; the rest are counted
PEER_CHANGES_SHOWN = 10  # the newest changes at other trusts shown to trust staff
# The order of the peers' counts: along the ladder, then those who stopped.
STAGES = (Stage.CONSIDERING, Stage.TESTING, Stage.IMPLEMENTING, Stage.SPREADING, Stage.SUSTAINED, Stage.DISCONTINUED)
# Roles whose home page starts with their own work; managers and administrators see the programme.
ROLES_WITH_MY_WORK = frozenset({Role.TRUST, Role.FACULTY})


@dataclass(frozen=True)
class Place:
    ods: str
    name: str


@dataclass(frozen=True)
class Idea:
    code: str
    title: str


@dataclass(frozen=True)
class Record:
    organisation: Place
    idea: Idea
    stage: Stage
    last_event: date  # the current event's effective date
    days_since_update: int  # since it was last confirmed (its last event): what makes it wait


@dataclass(frozen=True)
class Change:
    """One event (never a void one: a corrected event is no change)."""

    day: date  # its effective date
    organisation: Place
    idea: Idea
    stage: Stage


@dataclass(frozen=True)
class PeerIdea:
    """How many other open organisations stand at each stage (STAGES order) of an idea the trust uses."""

    idea: Idea
    counts: tuple[int, ...]


@dataclass(frozen=True)
class TrustWork:
    organisation: Place
    network: str  # its network's name, or "" if it has none
    records: list[Record]  # catalogue order
    peers: list[PeerIdea]  # the same order
    peer_changes: list[Change]  # newest first, at most PEER_CHANGES_SHOWN


@dataclass(frozen=True)
class SupportedTrust:
    organisation: Place
    network: str
    records: int
    stale: int


@dataclass(frozen=True)
class NetworkRef:
    code: str
    name: str


@dataclass(frozen=True)
class FacultyWork:
    networks: list[NetworkRef]  # by name
    trusts: list[SupportedTrust]  # open today, by name
    stale: list[Record]  # longest since an update first, at most STALE_SHOWN
    stale_total: int
    changes: list[Change]  # newest first, at most RECENT_SHOWN
    changes_total: int
    day: date
    stale_after: int = STALE_AFTER_DAYS
    recent_days: int = RECENT_DAYS

    @property
    def recent_from(self) -> date:
        return self.day - timedelta(days=self.recent_days - 1)


def has_my_work(role: Role | None) -> bool:
    return role in ROLES_WITH_MY_WORK


def for_viewer(
    session: Session,
    role: Role | None,
    organisation_id: int | None,
    network_ids: Iterable[int],
    day: date,
    include_drafts: bool = False,
    stale_after: int = STALE_AFTER_DAYS,
) -> dict[str, object]:
    """The home page's "My work" for a kind of viewer, as its template's context: trust_work for trust
    staff, faculty_work (and the stages the peers' counts follow) for faculty, nothing for others."""
    if role is Role.TRUST and organisation_id is not None:
        return {"trust_work": trust_work(session, organisation_id, day, include_drafts), "stages": STAGES}
    if role is Role.FACULTY:
        return {"faculty_work": faculty_work(session, network_ids, day, include_drafts, stale_after)}
    return {}


def _visible(include_drafts: bool):
    """A condition on ChangePackage: its ideas are shown (drafts only to those who may see them)."""
    return true() if include_drafts else ChangePackage.is_published


def _with_idea(stmt, idea_id):
    """Join an idea column to its idea, package and ambition (for the drafts rule and catalogue order)."""
    return (
        stmt.join(ChangeIdea, ChangeIdea.id == idea_id)
        .join(ChangePackage, ChangePackage.id == ChangeIdea.package_id)
        .join(Ambition, Ambition.id == ChangePackage.ambition_id)
    )


def _not_void():
    correction = aliased(AdoptionEvent)
    return ~exists().where(correction.corrects_event_id == AdoptionEvent.id)


_RECORD_COLUMNS = (
    Organisation.ods_code,
    Organisation.name,
    ChangeIdea.code,
    ChangeIdea.title,
    Adoption.stage,
    Adoption.effective_date,
)


def _records(rows: Iterable, day: date) -> list[Record]:
    result = []
    for ods, name, code, title, stage, effective in rows:
        result.append(Record(Place(ods, name), Idea(code, title), stage, effective, (day - effective).days))
    return result


_CHANGE_COLUMNS = (
    AdoptionEvent.effective_date,
    Organisation.ods_code,
    Organisation.name,
    ChangeIdea.code,
    ChangeIdea.title,
    AdoptionEvent.stage,
)


def _changes(rows: Iterable) -> list[Change]:
    return [Change(day, Place(ods, name), Idea(code, title), stage) for day, ods, name, code, title, stage in rows]


def trust_work(session: Session, organisation_id: int, day: date, include_drafts: bool = False) -> TrustWork | None:
    """The organisation's records and its peers' (the other organisations open on the day) on the same
    ideas. Four statements; None if there is no such organisation."""
    row = session.execute(
        select(Organisation.ods_code, Organisation.name, Network.name)
        .outerjoin(Network, Network.id == Organisation.network_id)
        .where(Organisation.id == organisation_id)
    ).first()
    if row is None:
        return None
    ods, name, network = row
    records_stmt = _with_idea(
        select(*_RECORD_COLUMNS, Adoption.change_idea_id).join(
            Organisation, Organisation.id == Adoption.organisation_id
        ),
        Adoption.change_idea_id,
    )
    rows = session.execute(
        records_stmt.where(Adoption.organisation_id == organisation_id, _visible(include_drafts)).order_by(
            Ambition.position, Ambition.code, *CATALOGUE_ORDER
        )
    ).all()
    records = _records((r[:-1] for r in rows), day)
    idea_ids = [r[-1] for r in rows]
    peers_here = and_(
        Adoption.organisation_id != organisation_id, Organisation.is_open_on(day), Adoption.change_idea_id.in_(idea_ids)
    )
    counts = session.execute(
        select(Adoption.change_idea_id, Adoption.stage, func.count())
        .join(Organisation, Organisation.id == Adoption.organisation_id)
        .where(peers_here)
        .group_by(Adoption.change_idea_id, Adoption.stage)
    ).all()
    by_idea: dict[int, dict[Stage, int]] = {}
    for idea_id, stage, count in counts:
        by_idea.setdefault(idea_id, {})[stage] = count
    peers = [
        PeerIdea(record.idea, tuple(by_idea.get(idea_id, {}).get(stage, 0) for stage in STAGES))
        for record, idea_id in zip(records, idea_ids, strict=True)
    ]
    changes = session.execute(
        _with_idea(
            select(*_CHANGE_COLUMNS).join(Organisation, Organisation.id == AdoptionEvent.organisation_id),
            AdoptionEvent.change_idea_id,
        )
        .where(
            AdoptionEvent.organisation_id != organisation_id,
            Organisation.is_open_on(day),
            AdoptionEvent.change_idea_id.in_(idea_ids),
            AdoptionEvent.effective_date <= day,
            _not_void(),
        )
        .order_by(AdoptionEvent.effective_date.desc(), AdoptionEvent.id.desc())
        .limit(PEER_CHANGES_SHOWN)
    ).all()
    return TrustWork(Place(ods, name), network or "", records, peers, _changes(changes))


def faculty_work(
    session: Session,
    network_ids: Iterable[int],
    day: date,
    include_drafts: bool = False,
    stale_after: int = STALE_AFTER_DAYS,
) -> FacultyWork:
    """The organisations open on the day in the networks, their records not updated for stale_after days
    (discontinued ones have nothing left to update) and the events of the last RECENT_DAYS days.
    Six statements."""
    ids = sorted(set(network_ids))
    networks = [
        NetworkRef(code, name)
        for code, name in session.execute(
            select(Network.code, Network.name).where(Network.id.in_(ids)).order_by(Network.name)
        )
    ]
    in_networks = and_(Organisation.network_id.in_(ids), Organisation.is_open_on(day))
    organisations = session.execute(
        select(Organisation.id, Organisation.ods_code, Organisation.name, Network.name)
        .join(Network, Network.id == Organisation.network_id)
        .where(in_networks)
        .order_by(Organisation.name, Organisation.ods_code)
    ).all()
    stale = stale_rules.is_stale(day, stale_after)
    counts = {
        organisation_id: (records, stale_count)
        for organisation_id, records, stale_count in session.execute(
            _with_idea(
                select(Adoption.organisation_id, func.count(), func.sum(case((stale, 1), else_=0))).join(
                    Organisation, Organisation.id == Adoption.organisation_id
                ),
                Adoption.change_idea_id,
            )
            .where(in_networks, _visible(include_drafts))
            .group_by(Adoption.organisation_id)
        )
    }
    trusts = [
        SupportedTrust(Place(ods, name), network, *counts.get(organisation_id, (0, 0)))
        for organisation_id, ods, name, network in organisations
    ]
    stale_rows = session.execute(
        _with_idea(
            select(*_RECORD_COLUMNS).join(Organisation, Organisation.id == Adoption.organisation_id),
            Adoption.change_idea_id,
        )
        .where(in_networks, _visible(include_drafts), stale)
        .order_by(Adoption.effective_date, Organisation.name, ChangeIdea.code)
        .limit(STALE_SHOWN)
    ).all()
    recent = _with_idea(
        select(*_CHANGE_COLUMNS).join(Organisation, Organisation.id == AdoptionEvent.organisation_id),
        AdoptionEvent.change_idea_id,
    ).where(
        in_networks,
        _visible(include_drafts),
        AdoptionEvent.effective_date.between(day - timedelta(days=RECENT_DAYS - 1), day),
        _not_void(),
    )
    changes = session.execute(
        recent.order_by(AdoptionEvent.effective_date.desc(), AdoptionEvent.id.desc()).limit(RECENT_SHOWN)
    ).all()
    changes_total = session.scalar(select(func.count()).select_from(recent.subquery()))
    return FacultyWork(
        networks=networks,
        trusts=trusts,
        stale=_records(stale_rows, day),
        stale_total=sum(s.stale for s in trusts),
        changes=_changes(changes),
        changes_total=changes_total or 0,
        day=day,
        stale_after=stale_after,
    )
