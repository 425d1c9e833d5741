"""What the what-if page shows, as plain data: no Flask here (the view passes the session, the cache and
whether the user may see recommendations).

The page is about one subject: an ambition, all networks or one, a threshold stage, today. Its panel
(tracker.forecast.queries.panel_for) is read at most once per request, and only if a part of the page
needs it and finds nothing cached; both parts (the scenario forecast and the cascade simulation) use it.
Statements per request do not grow with the data: the scope's ideas, the panel (three, the links among them), the
organisations' names (one), and for a recommendation the engagement service's own few.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..cache import MetricsCache
from ..core.fan_drawing import FanChart, fan_chart
from ..core.fan_drawing import month_of as month_of_first
from ..core.panel import Panel
from ..core.stages import Stage
from ..models import Network, Organisation
from ..models.versions import cached
from ..reports.service import AmbitionInfo, NetworkInfo, scope
from . import scenario as scenarios
from . import service, whatif
from .queries import kept_panel, month_of

# Two charts side by side: drawn at about the size of half the page, so that their 12px labels stay 12px.
CHART_WIDTH, CHART_HEIGHT = 480, 360
HISTORY = 12  # observed months drawn before the forecast: the what-if is about what lies ahead
MAX_BOXES = 120  # beyond this many organisations to choose from, the page asks for codes instead of boxes


@dataclass(frozen=True)
class Named:
    ods: str
    name: str
    network: str | None  # its network's name


@dataclass(frozen=True)
class Choice:
    ods: str
    name: str
    linked_adopting: int  # organisations it has learning links with that already adopt


@dataclass(frozen=True)
class Group:
    network: str  # the network's name, or "No network"
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Reached:
    ods: str
    name: str
    network: str | None
    probability: float
    adopter: bool  # one of the organisations the simulation started from


@dataclass(frozen=True)
class Cascade:
    spread: whatif.Spread
    rows: tuple[Reached, ...]


class Subject:
    """An ambition's organisations and graph as of a day, read lazily and once."""

    def __init__(
        self,
        session: Session,
        ambition: AmbitionInfo,
        network: NetworkInfo | None,
        threshold,
        as_of,
        cache: MetricsCache | None = None,
    ):
        self.session, self.ambition, self.network, self.threshold, self.as_of = (
            session,
            ambition,
            network,
            threshold,
            as_of,
        )
        self.cache = cache

    @cached_property
    def panel(self) -> Panel:
        found = scope(self.session, self.ambition, self.network)
        return kept_panel(self.session, found, self.threshold, self.as_of, self.cache)

    @cached_property
    def directory(self) -> dict[str, Named]:
        """Every organisation by code, with its name and network's name: one statement."""
        rows = self.session.execute(
            select(Organisation.ods_code, Organisation.name, Network.name).outerjoin(
                Network, Organisation.network_id == Network.id
            )
        )
        return {ods: Named(ods, name, network) for ods, name, network in rows}

    @property
    def adopting(self) -> list[str]:
        """The open organisations adopting today (at the threshold), sorted."""
        last = self.panel.months - 1
        return sorted(ods for ods in self.panel.adopters_before(self.panel.months) if self.panel.is_open(ods, last))

    def name(self, ods: str) -> str:
        found = self.directory.get(ods)
        return found.name if found else ods

    def cache_key(self) -> tuple:
        network = self.network.id if self.network else None
        return (self.ambition, network, self.threshold.value, self.as_of)


def groups(subject: Subject) -> tuple[Group, ...]:
    """The organisations one may engage, by network (networks by name, organisations by name)."""
    linked = scenarios.linked_adopting(subject.panel)
    by_network: dict[str, list[Choice]] = {}
    for ods in scenarios.eligible(subject.panel):
        named = subject.directory.get(ods, Named(ods, ods, None))
        by_network.setdefault(named.network or "No network", []).append(Choice(ods, named.name, linked.get(ods, 0)))
    return tuple(
        Group(network, tuple(sorted(choices, key=lambda c: (c.name, c.ods))))
        for network, choices in sorted(by_network.items())
    )


def refusal_messages(
    refusals: tuple[scenarios.Refusal, ...], network: NetworkInfo | None, threshold: Stage
) -> list[str]:
    """Each reason some codes cannot be engaged, naming them."""
    where = f"Not in {network.name}" if network else "Not open during the programme"

    def words(reason: str, one: bool) -> str:
        it = "it" if one else "them"
        return {
            scenarios.UNKNOWN: "No organisation has the ODS code" if one else "No organisation has these ODS codes:",
            scenarios.OUTSIDE: f"{where}, so not in this forecast:",
            scenarios.CLOSED: f"Closed, so {'it' if one else 'they'} cannot be engaged:",
            scenarios.ADOPTING: f"Already adopting (at {threshold.value} or further along), so engaging {it} "
            "changes nothing:",
        }[reason]

    return [f"{words(r.reason, len(r.codes) == 1)} {whatif.named(r.codes)}" for r in refusals]


def cascade(
    subject: Subject, process: str, adopters: list[str], p: float, runs: int, seed: int, cache: MetricsCache | None
) -> Cascade:
    """The simulation from the adopters (codes of the panel), with each organisation's name and network."""

    def compute() -> whatif.Spread:
        return whatif.simulate(subject.panel, process, adopters, runs=runs, seed=seed, p=p)

    key = ("what-if-cascade", *subject.cache_key(), process, tuple(sorted(set(adopters))), p, runs, seed)
    spread = compute() if cache is None or not cache.size else cached(subject.session, cache, key, compute)
    start = set(spread.adopters)
    rows = []
    for ods, probability in spread.reached:
        named = subject.directory.get(ods, Named(ods, ods, None))
        rows.append(Reached(ods, named.name, named.network, probability, ods in start))
    return Cascade(spread, tuple(rows))


@dataclass(frozen=True)
class Charts:
    baseline: FanChart
    scenario: FanChart


def charts(result: scenarios.Scenario) -> Charts | None:
    """The baseline's and the scenario's fan charts, on one scale: the last HISTORY observed months, then the
    forecast. Targets already passed are in the targets' table rather than on these small charts."""
    if result.baseline is None or result.scenario is None:
        return None
    start = max(len(result.observed) - HISTORY, 0)
    first = month_of_first(scenarios.FIRST_MONTH, start)
    observed = result.observed[start:]

    def chart(forecast) -> FanChart:
        bands = [replace(band, month=band.month - start) for band in forecast.months]
        targets = [
            replace(t, month=t.month - start, median_month=None if t.median_month is None else t.median_month - start)
            for t in forecast.targets
            if t.probability is not None
        ]
        return fan_chart(first, observed, bands, targets, width=CHART_WIDTH, height=CHART_HEIGHT)

    return Charts(chart(result.baseline), chart(result.scenario))


@dataclass(frozen=True)
class Asked:
    """What the form asks for, checked for form (tracker.forecast.what_if_forms)."""

    threshold: Stage
    scenario: bool  # show the scenario
    recommendation: bool  # engage the recommended organisations (the caller checked the user may see them)
    picks: tuple[str, ...]  # else these
    cascade: bool  # run the simulation
    model: str  # its process
    adopters: tuple[str, ...] | None  # from these; None: those adopting today
    p: float | None
    runs: int | None
    seed: int | None


@dataclass
class Page:
    """Everything the template shows besides the form; `problems` are messages for the form's fields."""

    subject: Subject
    groups: tuple[Group, ...] = ()
    boxes: bool = True  # few enough organisations to tick
    ticked: frozenset[str] = frozenset()
    typed: str = ""  # the codes box's value: the picks not shown as boxes
    engagement: service.Engagement | None = None
    scenario: scenarios.Scenario | None = None
    charts: Charts | None = None
    cascade: Cascade | None = None
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def status(self) -> int:
        return 400 if self.problems else 200


def build(
    session: Session,
    asked: Asked,
    ambition: AmbitionInfo,
    network: NetworkInfo | None,
    as_of: date,
    *,
    runs: int,
    cache: MetricsCache | None,
) -> Page:
    """The page for a form that validated; `runs`: the forecast's."""
    subject = Subject(session, ambition, network, asked.threshold, as_of, cache)
    page = Page(subject, groups=groups(subject))
    page.boxes = sum(len(g.choices) for g in page.groups) <= MAX_BOXES
    picks = list(asked.picks)
    if asked.scenario and asked.recommendation:
        page.engagement = service.engage(
            session, ambition, network, asked.threshold, as_of, runs=service.engage_runs(runs), cache=cache
        )
        picks = [s.ods for s in page.engagement.organisations]
    boxed = {c.ods for g in page.groups for c in g.choices} if page.boxes else set()
    page.ticked = frozenset(ods for ods in picks if ods in boxed)
    page.typed = ", ".join(ods for ods in picks if ods not in boxed)
    if asked.scenario:
        _scenario(page, picks, runs, cache)
    if asked.cascade:
        _cascade(page, asked, cache)
    return page


def _scenario(page: Page, picks: list[str], runs: int, cache: MetricsCache | None) -> None:
    subject = page.subject
    refusals = scenarios.check(subject.panel, picks, subject.directory.keys())
    if refusals:
        page.problems["codes"] = refusal_messages(refusals, subject.network, subject.threshold)
        return
    page.scenario = scenarios.scenario(
        subject.session,
        subject.ambition,
        subject.network,
        subject.threshold,
        subject.as_of,
        picks,
        lambda: subject.panel,
        horizon=service.default_horizon(subject.ambition, month_of(subject.as_of) + 1),
        runs=runs,
        seed=service.SEED,
        cache=cache,
    )
    page.charts = charts(page.scenario)


def _cascade(page: Page, asked: Asked, cache: MetricsCache | None) -> None:
    subject = page.subject
    adopters = list(asked.adopters) if asked.adopters is not None else subject.adopting
    if not adopters:
        page.problems["adopters"] = [
            "No organisation is adopting yet: enter the ODS codes of the organisations to start from"
        ]
        return
    unknown = whatif.unknown_adopters(subject.panel, adopters)
    if unknown:
        where = f"in {subject.network.name}" if subject.network else "of this ambition"
        page.problems["adopters"] = [f"Not an organisation of the learning graph {where}: {whatif.named(unknown)}"]
        return
    runs = asked.runs
    if runs > whatif.most_runs(subject.panel):
        page.problems["runs"] = [
            f"Enter at most {whatif.most_runs(subject.panel):,} runs on a graph of "
            f"{len(subject.panel.organisations):,} organisations"
        ]
        return
    p = asked.p if asked.model == "independent_cascade" else whatif.P
    page.cascade = cascade(subject, asked.model, adopters, p, runs, asked.seed, cache)
