"""Learning links made by the seed: proposed geographic neighbours, and a demo set of confirmed links.

Geographic proposals (load_reference): each organisation open today that has coordinates is
proposed a link to its two nearest other such organisations, by great-circle distance, as a
*proposed* geographic_neighbour link of weight 1. Proposals are drawn but not counted until a
manager confirms them. A pair is proposed at most once, ever: the seed skips a pair that has a
geographic_neighbour link now (proposed or confirmed, however it was made) or has had one, by the
audit trail, where every link's creation and deletion is recorded. So a proposal a manager deleted,
or changed to another kind or pair, does not come back on the next seed (unless the audit trail
were emptied). The seed never removes or changes a proposal, even if an organisation later closes
or moves: that is for managers. An organisation added later gets its proposals on the next seed.

Demo links (load_demo): a fixed, believable set of confirmed links among the real trusts — buddy
pairs within networks, shared faculty across networks and one learning set of four trusts — each
marked is_demo with a note that starts "Demo:". A missing one is added again on the next demo seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..calendar import today as calendar_today
from ..models import AuditEvent, LearningLink, LinkKind, LinkStatus, Organisation

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
NEIGHBOURS = 2


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in kilometres between two points given in decimal degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Place:
    key: str
    latitude: float
    longitude: float


def nearest_pairs(places: list[Place], k: int = NEIGHBOURS) -> dict[tuple[str, str], float]:
    """Each place's k nearest other places, as unordered pairs (keys sorted) → distance in km.

    Ties are broken by key, so the answer does not depend on the order of `places`. A pair where
    each is among the other's nearest appears once.
    """
    pairs: dict[tuple[str, str], float] = {}
    for place in places:
        others = sorted(
            (haversine_km(place.latitude, place.longitude, o.latitude, o.longitude), o.key)
            for o in places
            if o.key != place.key
        )
        for distance, key in others[:k]:
            pairs[tuple(sorted((place.key, key)))] = distance  # type: ignore[index]
    return pairs


def neighbour_note(distance_km: float) -> str:
    return f"Proposed from geography: about {round(distance_km)} km apart"


def _recorded_geographic_pairs(session: Session) -> set[tuple[int, int]]:
    """Organisation id pairs that have ever had a geographic_neighbour link, by the audit trail.

    Every link's creation and deletion is audited with its columns, so this finds pairs whose
    proposal a manager later deleted, or changed to another kind or pair.
    """
    rows = session.execute(
        select(AuditEvent.before, AuditEvent.after).where(
            AuditEvent.entity == LearningLink.__tablename__,
            AuditEvent.action.in_(("create", "delete")),
        )
    )
    pairs = set()
    for before, after in rows:
        for values in (before, after):
            if isinstance(values, dict) and values.get("kind") == LinkKind.GEOGRAPHIC_NEIGHBOUR.value:
                pairs.add((values.get("source_id"), values.get("target_id")))
    return pairs


def propose_geographic_neighbours(session: Session, today: date | None = None) -> int:
    """Add the proposals described in the module docstring; returns how many. Flushes, never commits."""
    day = today or calendar_today()
    session.flush()
    organisations = [
        o
        for o in session.scalars(
            select(Organisation).where(Organisation.latitude.is_not(None), Organisation.longitude.is_not(None))
        )
        if o.is_open_on(day)
    ]
    by_ods = {o.ods_code: o for o in organisations}
    places = [Place(o.ods_code, o.latitude, o.longitude) for o in organisations]
    existing = {
        (source_id, target_id)
        for source_id, target_id in session.execute(
            select(LearningLink.source_id, LearningLink.target_id).where(
                LearningLink.kind == LinkKind.GEOGRAPHIC_NEIGHBOUR
            )
        )
    }
    skipped = existing | _recorded_geographic_pairs(session)
    added = 0
    for (a, b), distance in sorted(nearest_pairs(places).items()):
        first, second = sorted((by_ods[a], by_ods[b]), key=lambda o: o.id)
        if (first.id, second.id) in skipped:
            continue
        session.add(
            LearningLink(
                source=first,
                target=second,
                kind=LinkKind.GEOGRAPHIC_NEIGHBOUR,
                weight=1,
                note=neighbour_note(distance),
                status=LinkStatus.PROPOSED,
            )
        )
        added += 1
    session.flush()
    return added


@dataclass(frozen=True)
class DemoLink:
    first: str  # ODS codes, in either order
    second: str
    kind: LinkKind
    weight: int
    start: date
    end: date | None
    note: str


_SET_START, _SET_END = date(2022, 4, 1), date(2023, 9, 30)
_LEARNING_SET = ("RNU", "RW1", "RX2", "RVN")
_SET_NOTE = (
    "Demo: restrictive practice learning set of four trusts (Oxford Health, Hampshire and Isle of "
    "Wight, Sussex Partnership, Avon and Wiltshire), meeting monthly until the revised target date."
)

# fmt: off
DEMO_LINKS: tuple[DemoLink, ...] = (
    # Buddy pairs within networks.
    DemoLink("RNU", "RWX", LinkKind.BUDDY_PAIR, 4, date(2021, 9, 1), None, "Demo: buddy pair in Oxford and Thames Valley; ward managers visit each other quarterly."),
    DemoLink("RW1", "R1C", LinkKind.BUDDY_PAIR, 5, date(2021, 6, 1), date(2024, 9, 30), "Demo: Southampton buddy pair, ended when Solent's services moved to RW1."),
    DemoLink("RW1", "R1F", LinkKind.BUDDY_PAIR, 3, date(2022, 1, 10), None, "Demo: buddy pair across the Solent; shared safety huddle template."),
    DemoLink("RDY", "RW1", LinkKind.BUDDY_PAIR, 3, date(2022, 5, 3), None, "Demo: Wessex buddy pair for sexual safety work."),
    DemoLink("RX2", "RXX", LinkKind.BUDDY_PAIR, 4, date(2021, 10, 4), None, "Demo: Kent Surrey Sussex buddy pair; joint PDSA reviews."),
    DemoLink("RXX", "RXY", LinkKind.BUDDY_PAIR, 2, date(2022, 11, 14), None, "Demo: newer buddy pair; meets every two months."),
    DemoLink("RVN", "RTQ", LinkKind.BUDDY_PAIR, 4, date(2021, 7, 19), None, "Demo: West of England buddy pair; shared data analyst."),
    DemoLink("RJ8", "RWV", LinkKind.BUDDY_PAIR, 3, date(2021, 11, 1), None, "Demo: South West buddy pair for Cornwall and Devon."),
    DemoLink("RWV", "RH5", LinkKind.BUDDY_PAIR, 4, date(2022, 2, 7), None, "Demo: South West buddy pair for Devon and Somerset."),
    # Shared faculty across networks.
    DemoLink("RNU", "RVN", LinkKind.SHARED_FACULTY, 2, date(2022, 3, 1), None, "Demo: one QI coach supports both trusts."),
    DemoLink("RDY", "RH5", LinkKind.SHARED_FACULTY, 2, date(2022, 9, 12), None, "Demo: a faculty member works across the Dorset and Somerset border."),
    DemoLink("RWX", "RXX", LinkKind.SHARED_FACULTY, 2, date(2023, 1, 16), None, "Demo: shared improvement adviser for Berkshire and Surrey."),
    # A learning set of four trusts, as pairwise links.
    *(
        DemoLink(a, b, LinkKind.LEARNING_SET, 2, _SET_START, _SET_END, _SET_NOTE)
        for i, a in enumerate(_LEARNING_SET)
        for b in _LEARNING_SET[i + 1 :]
    ),
)
# fmt: on


def load_demo_links(session: Session) -> int:
    """Add each demo link that is missing (matched on pair and kind); returns how many. Flushes."""
    organisations = {
        o.ods_code: o
        for o in session.scalars(
            select(Organisation).where(
                Organisation.ods_code.in_({d.first for d in DEMO_LINKS} | {d.second for d in DEMO_LINKS})
            )
        )
    }
    existing = {
        (source_id, target_id, kind)
        for source_id, target_id, kind in session.execute(
            select(LearningLink.source_id, LearningLink.target_id, LearningLink.kind)
        )
    }
    added = 0
    for spec in DEMO_LINKS:
        a, b = organisations.get(spec.first), organisations.get(spec.second)
        if a is None or b is None:
            continue  # reference data without that trust
        first, second = sorted((a, b), key=lambda o: o.id)
        if (first.id, second.id, spec.kind) in existing:
            continue
        session.add(
            LearningLink(
                source=first,
                target=second,
                kind=spec.kind,
                weight=spec.weight,
                note=spec.note,
                start_date=spec.start,
                end_date=spec.end,
                status=LinkStatus.CONFIRMED,
                is_demo=True,
            )
        )
        existing.add((first.id, second.id, spec.kind))
        added += 1
    session.flush()
    return added
