"""A measure's SPC chart for one scope, read from the database: its months and values, rebases and
adoption events, and the XmR result (tracker.core.spc).

A scope is an organisation, one of its wards, a network or (none of them) the whole collaborative.
The rules from stored values to the series are tracker.core.measures'; this module only reads. Each
function runs a fixed number of statements whatever the number of organisations, wards and months:
the chart as a whole takes four (values, rebases, events, and the measure with its ambition), the
scope one more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from ..catalogue.queries import counted_ideas
from ..core import measures as rules
from ..core.spc import SpcResult, spc
from ..models import AdoptionSpell, ChangeIdea, Measure, MeasureValue, Network, Organisation, Rebase, Ward

SCOPE_PARAMETERS = ("organisation", "ward", "network")


class ScopeProblem(ValueError):
    """The query string names no chart: status 400 (malformed) or 404 (no such organisation...)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Scope:
    """Whose chart: kind is organisation, ward, network or collaborative."""

    kind: str
    organisation: Organisation | None = None
    ward: Ward | None = None
    network: Network | None = None

    @property
    def name(self) -> str:
        if self.ward is not None:
            return f"{self.ward.name}, {self.ward.organisation.name}"
        if self.organisation is not None:
            return self.organisation.name
        if self.network is not None:
            return self.network.name
        return "The whole collaborative"

    @property
    def params(self) -> dict[str, str]:
        """The query string that names this scope (for links, forms and downloads)."""
        if self.ward is not None:
            return {"ward": str(self.ward.id)}
        if self.organisation is not None:
            return {"organisation": self.organisation.ods_code}
        if self.network is not None:
            return {"network": self.network.code}
        return {}

    @property
    def events_organisation(self) -> Organisation | None:
        """The organisation whose adoption events an organisation or ward chart marks."""
        return self.ward.organisation if self.ward is not None else self.organisation


def measure_named(session: Session, code: str) -> Measure | None:
    """One statement: the measure with its ambition."""
    return session.scalar(select(Measure).where(Measure.code == code).options(joinedload(Measure.ambition)))


def scope_from(session: Session, args: Mapping[str, str]) -> Scope:
    """The scope the query string names, in one statement (none for the collaborative); ScopeProblem if
    it names more than one, a malformed ward, or one that does not exist."""
    given = [name for name in SCOPE_PARAMETERS if (args.get(name) or "").strip()]
    if len(given) > 1:
        raise ScopeProblem(400, "Choose one of organisation, ward or network, not " + " and ".join(given))
    if not given:
        return Scope("collaborative")
    name = given[0]
    raw = args[name].strip()
    if name == "organisation":
        found = session.scalar(select(Organisation).where(Organisation.ods_code == raw.upper()))
        if found is None:
            raise ScopeProblem(404, f"No organisation has the ODS code {raw}")
        return Scope("organisation", organisation=found)
    if name == "network":
        found = session.scalar(select(Network).where(Network.code == raw.upper()))
        if found is None:
            raise ScopeProblem(404, f"No network has the code {raw}")
        return Scope("network", network=found)
    if not raw.isdigit() or len(raw) > 9:
        raise ScopeProblem(400, "The ward must be given by its number")
    found = session.scalar(select(Ward).where(Ward.id == int(raw)).options(joinedload(Ward.organisation)))
    if found is None:
        raise ScopeProblem(404, f"No ward has the number {raw}")
    return Scope("ward", ward=found)


@dataclass(frozen=True)
class EventMark:
    month: date
    index: int
    text: str  # e.g. "RNU: RP-01 Safety huddles, implementing"


@dataclass(frozen=True)
class ChartSeries:
    """A measure's chart for a scope: one entry per month in months, values and totals alike."""

    measure: Measure
    scope: Scope
    months: list[date]
    values: list[float | None]
    totals: list[rules.Month | None]
    is_demo: bool
    rebases: list[Rebase]  # every rebase of the chart, by month
    rebase_index: dict[int, int]  # rebase id -> the index of its month (rebases of months not charted: none)
    events: list[EventMark]
    result: SpcResult
    screen_outliers: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def rebase_at(self) -> list[int]:
        return sorted(set(self.rebase_index.values()))

    @property
    def points_with_values(self) -> int:
        return sum(v is not None for v in self.values)

    @property
    def enough_points(self) -> bool:
        """Whether two neighbouring months have values: a moving range, without which there are no limits."""
        return any(a is not None and b is not None for a, b in zip(self.values, self.values[1:], strict=False))

    @property
    def has_limits(self) -> bool:
        return any(p.upl is not None for p in self.result.points)


def _values(session: Session, measure: Measure, scope: Scope):
    query = select(
        MeasureValue.organisation_id,
        MeasureValue.ward_id,
        MeasureValue.month,
        MeasureValue.numerator,
        MeasureValue.denominator,
        MeasureValue.is_demo,
    ).where(MeasureValue.measure_id == measure.id)
    if scope.ward is not None:
        query = query.where(MeasureValue.ward_id == scope.ward.id)
    elif scope.organisation is not None:
        query = query.where(MeasureValue.organisation_id == scope.organisation.id)
    elif scope.network is not None:
        query = query.where(
            MeasureValue.organisation_id.in_(select(Organisation.id).where(Organisation.network_id == scope.network.id))
        )
    return session.execute(query).all()


def rebases_of(session: Session, measure: Measure, scope: Scope) -> list[Rebase]:
    """One statement: the chart's rebases, by month."""
    query = select(Rebase).where(Rebase.measure_id == measure.id)
    # A ward's chart is the ward's alone: its scope names no organisation, so neither do its rebases.
    for column, row in (
        (Rebase.organisation_id, scope.organisation),
        (Rebase.ward_id, scope.ward),
        (Rebase.network_id, scope.network),
    ):
        query = query.where(column.is_(None) if row is None else column == row.id)
    return list(session.scalars(query.order_by(Rebase.month, Rebase.id)))


def _events(session: Session, measure: Measure, scope: Scope, months: list[date], with_network: bool):
    """The counting adoption events (one per held spell: a void event has none, and one replaced on its
    own date never was the state) of the measure's ambition's ideas, in the chart's months."""
    if not months:
        return []
    organisation = scope.events_organisation
    if organisation is None and not (with_network and scope.network is not None):
        return []
    ideas = counted_ideas(measure.ambition_id).with_only_columns(ChangeIdea.id)
    query = (
        select(AdoptionSpell.starts, AdoptionSpell.stage, ChangeIdea.code, ChangeIdea.title, Organisation.ods_code)
        .join(ChangeIdea, ChangeIdea.id == AdoptionSpell.change_idea_id)
        .join(Organisation, Organisation.id == AdoptionSpell.organisation_id)
        .where(
            AdoptionSpell.change_idea_id.in_(ideas),
            AdoptionSpell.starts >= months[0],
            AdoptionSpell.starts < _next_month(months[-1]),
            or_(AdoptionSpell.ends.is_(None), AdoptionSpell.ends > AdoptionSpell.starts),
        )
        .order_by(AdoptionSpell.starts, AdoptionSpell.event_id)
    )
    if organisation is not None:
        query = query.where(AdoptionSpell.organisation_id == organisation.id)
    else:
        query = query.where(Organisation.network_id == scope.network.id)
    index = {m: i for i, m in enumerate(months)}
    marks = []
    for starts, stage, code, title, ods in session.execute(query):
        month = rules.first_of_month(starts)
        who = "" if organisation is not None else f"{ods}: "
        marks.append(EventMark(month, index[month], f"{who}{code} {title}, {stage.label.lower()}"))
    return marks


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def chart_series(
    session: Session,
    measure: Measure,
    scope: Scope,
    *,
    screen_outliers: bool = True,
    network_events: bool = False,
) -> ChartSeries:
    """The chart of the measure for the scope: three statements (values, rebases, events)."""
    rows = _values(session, measure, scope)
    recorded = [rules.Recorded(r.organisation_id, r.ward_id, r.month, r.numerator, r.denominator) for r in rows]
    by_organisation = rules.organisation_months(recorded)
    months_totals = rules.pooled(by_organisation.values())
    months, values = rules.series(months_totals, measure.scale, measure.is_rate)
    totals = [months_totals.get(m) for m in months]
    rebases = rebases_of(session, measure, scope)
    index = {m: i for i, m in enumerate(months)}
    rebase_index = {r.id: index[r.month] for r in rebases if r.month in index}
    events = _events(session, measure, scope, months, network_events)
    result = spc(
        values,
        improvement=measure.direction.value,
        target=measure.target,
        rebase_at=sorted(set(rebase_index.values())),
        screen_outliers=screen_outliers,
    )
    return ChartSeries(
        measure,
        scope,
        months,
        values,
        totals,
        any(r.is_demo for r in rows),
        rebases,
        rebase_index,
        events,
        result,
        screen_outliers,
    )
