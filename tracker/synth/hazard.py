"""Synthetic spread drawn from the network hazard model with known b and t, to check fitting at national scale.

`flask --app tracker synth --model hazard --organisations 2500 --background 0.004 --transmission 0.06
--months 48 --seed 1` makes the usual synthetic catalogue, networks and organisations (reference.py), a
learning graph (tracker.core.diffusion_synth.generate_graph: about --links confirmed links each, strengths
1-5) and an adoption history from the model (simulate_history) over --months months from the programme's
first month. Each organisation that adopts gets one event: the threshold stage (implementing) in one
change idea of the first ambition (RP), dated in the month the model says. So the panel the app reads
back (tracker.forecast.queries.panel_for at that threshold, as of the last month's end) is the simulated
one, and fitting it (tracker.core.diffusion_fit.fit) can be checked against the truth.

No organisation closes here, unlike the benchmark ledger: the panel's graph is the links between
organisations open on its last day, so a closure would drop links the simulated history ran on.
The same spec (seed included) always gives the same rows.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.diffusion_fit import Estimate, Fit, fit
from ..core.diffusion_synth import generate_graph, simulate_history
from ..core.panel import Panel
from ..core.stages import Stage
from ..forecast.queries import panel_for
from ..models import Ambition, LinkKind, LinkStatus
from ..reports.service import scope
from .ledger import Ledger
from .reference import Reference, make_reference
from .spec import (
    AMBITIONS,
    DAYS,
    EPOCH,
    MAX_INTERVENTIONS,
    MAX_ORGANISATIONS,
    PROGRAMME_END,
    PROGRAMME_START,
    STAGES,
    SynthSpec,
    stream,
)

THRESHOLD = Stage.IMPLEMENTING
AMBITION = AMBITIONS[0][0]  # "RP": the ideas dealt first to package 1
DEFAULT_LINKS = 5.0
DEFAULT_INTERVENTIONS = 30
MAX_MONTHS = (PROGRAMME_END.year - PROGRAMME_START.year) * 12 + PROGRAMME_END.month - PROGRAMME_START.month + 1
LINK_NOTE = "Synthetic: a generated learning link."


@dataclass(frozen=True)
class HazardSpec:
    organisations: int
    background: float  # b: the monthly chance of adopting with no adopting neighbour
    transmission: float  # t: the chance of passing on along a link of strength 5 (weight 1) in a month
    months: int
    links: float = DEFAULT_LINKS  # the mean number of learning links per organisation
    interventions: int = DEFAULT_INTERVENTIONS
    seed: int = 1

    @property
    def as_of(self) -> date:
        """The last day of the history's last month: the day the panel is read as of."""
        year, month = divmod(PROGRAMME_START.month - 1 + self.months - 1, 12)
        year += PROGRAMME_START.year
        return date(year, month + 1, calendar.monthrange(year, month + 1)[1])

    def synth_spec(self, events: int = 0) -> SynthSpec:
        return SynthSpec(self.organisations, self.interventions, events, self.seed)


def hazard_problems(spec: HazardSpec) -> list[str]:
    """What is wrong with the spec (empty when it can be generated)."""
    problems = []
    if not 3 <= spec.organisations <= MAX_ORGANISATIONS:
        problems.append(f"--organisations must be from 3 to {MAX_ORGANISATIONS:,} (got {spec.organisations:,})")
    if not 0 < spec.background < 1:
        problems.append(f"--background must be above 0 and below 1 (got {spec.background:g})")
    if not 0 <= spec.transmission <= 1:
        problems.append(f"--transmission must be from 0 to 1 (got {spec.transmission:g})")
    if not 1 <= spec.months <= MAX_MONTHS:
        problems.append(
            f"--months must be from 1 to {MAX_MONTHS} (April 2021 to {PROGRAMME_END:%B %Y}; got {spec.months})"
        )
    if not 0 < spec.links < max(spec.organisations - 1, 1):
        problems.append(f"--links must be above 0 and below the number of organisations less one (got {spec.links:g})")
    if not 1 <= spec.interventions <= MAX_INTERVENTIONS:
        problems.append(f"--interventions must be from 1 to {MAX_INTERVENTIONS:,} (got {spec.interventions:,})")
    return problems


def _seed(spec: HazardSpec, part: int) -> int:
    """A seed of its own for each part (graph, history), so that the two draw independent numbers."""
    return int(np.random.SeedSequence([spec.seed, part]).generate_state(1)[0])


@dataclass
class HazardHistory:
    """Everything synth writes for a hazard spec, and the truth it was drawn from."""

    spec: HazardSpec
    reference: Reference
    links: list[dict]  # learning_links rows
    panel: Panel  # the simulated history, in ODS codes: what panel_for should read back
    ledger: HazardLedger = field(repr=False)


def make_history(spec: HazardSpec) -> HazardHistory:
    """The rows and the simulated panel for the spec: the same spec, the same rows. ValueError for a bad spec."""
    if problems := hazard_problems(spec):
        raise ValueError("; ".join(problems))
    reference = make_reference(spec.synth_spec())
    # No closures (see the module's docstring): every organisation is open throughout.
    reference.organisations = [{**row, "closed_on": None, "successor_id": None} for row in reference.organisations]
    ods = [row["ods_code"] for row in reference.organisations]
    names, links = generate_graph(spec.organisations, spec.links, seed=_seed(spec, 0))
    code = dict(zip(names, ods, strict=True))
    position = {name: i for i, name in enumerate(names)}
    panel = simulate_history(
        ods,
        [(code[a], code[b], s) for a, b, s in links],
        spec.background,
        spec.transmission,
        spec.months,
        seed=_seed(spec, 1),
    )
    link_rows = [
        {
            "id": k,
            "source_id": min(position[a], position[b]) + 1,  # organisation ids are positions + 1
            "target_id": max(position[a], position[b]) + 1,
            "kind": LinkKind.LEARNING_SET.value,
            "weight": int(strength),
            "note": LINK_NOTE,
            "start_date": None,
            "end_date": None,
            "status": LinkStatus.CONFIRMED.value,
            "is_demo": True,
            "created_at": EPOCH,
            "row_version": 1,
        }
        for k, (a, b, strength) in enumerate(links, start=1)
    ]
    ledger = HazardLedger(spec, reference, panel)
    return HazardHistory(spec, reference, link_rows, panel, ledger)


class HazardLedger(Ledger):
    """One event per adopting organisation: the threshold stage in one of the ambition's ideas, dated in the
    month the model says. Numbered, derived and written as the benchmark ledger's events are."""

    def __init__(self, spec: HazardSpec, reference: Reference, panel: Panel):
        self._panel = panel
        self._hazard_spec = spec
        super().__init__(spec.synth_spec(events=len(panel.adopted)), reference)

    def _generate(self, spec: SynthSpec) -> None:
        rng = stream(spec, "hazard events")
        n_ideas = len(self.ideas)
        choices = [i for i, idea in enumerate(self.ideas) if idea["package_id"] == 1]  # the ambition's ideas
        stage = STAGES.index(THRESHOLD)
        for index, row in enumerate(self.organisations):
            month = self._panel.adopted.get(row["ods_code"])
            if month is None:
                continue
            first = _month_start(month)
            last = min(first + calendar.monthrange(*_year_month(month))[1] - 1, DAYS)
            day = rng.randint(first, last)
            in_scope = rng.randint(4, 30)
            using = rng.randint(1, 3)
            delay = rng.randint(0, 14)
            logged = min(day + delay, DAYS) * 86_400 + rng.randint(8 * 3600, 18 * 3600)
            self._keys.append(logged << self._index_bits | len(self._pair_of))
            self._pair_of.append(index * n_ideas + rng.choice(choices))
            self._stage_of.append(stage)
            self._reason_of.append(-1)
            self._day_of.append(day)
            self._using_of.append(using)
            self._scope_of.append(in_scope)


def _year_month(month: int) -> tuple[int, int]:
    year, m = divmod(PROGRAMME_START.month - 1 + month, 12)
    return PROGRAMME_START.year + year, m + 1


def _month_start(month: int) -> int:
    """The panel month's first day, as days after the programme's start."""
    return (date(*_year_month(month), 1) - PROGRAMME_START).days


# The check: the fit on the loaded data against the truth --------------------------------------------


@dataclass(frozen=True)
class Check:
    matches: bool  # whether the panel read back equals the simulated one
    fit: Fit

    def covers(self, estimate: Estimate | None, truth: float) -> bool:
        return estimate is not None and estimate.low <= truth <= estimate.high


def check(session: Session, history: HazardHistory) -> Check:
    """Read the panel back from the loaded data (as the forecast pages will) and fit the model to it."""
    ambition = session.scalar(select(Ambition).filter_by(code=AMBITION))
    panel = panel_for(session, scope(session, ambition, None), THRESHOLD, history.spec.as_of)
    return Check(panel == history.panel, fit(panel))


def truth_words(history: HazardHistory) -> str:
    spec, panel = history.spec, history.panel
    return (
        f"Truth: background b = {spec.background:g}, transmission t = {spec.transmission:g} (link weight: "
        f"strength / 5); {len(history.links):,} learning links; {len(panel.adopted):,} of "
        f"{spec.organisations:,} organisations adopted ({THRESHOLD.value}, {AMBITION} ideas) over "
        f"{spec.months} months, {PROGRAMME_START:%B %Y} to {spec.as_of:%B %Y}."
    )


def check_words(history: HazardHistory, check: Check) -> list[str]:
    """The check's report: whether the data loaded as simulated, the fit and whether it covers the truth."""
    spec, fit = history.spec, check.fit
    lines = [
        "The loaded history's panel equals the simulated one."
        if check.matches
        else "The loaded history's panel differs from the simulated one."
    ]
    if not fit.enough_data:
        return [*lines, f"Fit: {fit.message}"]
    for name, estimate, truth in (
        ("background b", fit.background, spec.background),
        ("transmission t", fit.transmission, spec.transmission),
    ):
        verdict = "covers" if check.covers(estimate, truth) else "does NOT cover"
        lines.append(
            f"Fit: {name} = {estimate.estimate:.4g} (95% CI {estimate.low:.4g} to {estimate.high:.4g}): "
            f"the interval {verdict} the truth {truth:g}."
        )
    lines.append(f"Fit: {fit.observations:,} organisation-months at risk, {fit.adoptions:,} adoptions. {fit.message}")
    return lines


__all__ = [
    "AMBITION",
    "Check",
    "HazardHistory",
    "HazardLedger",
    "HazardSpec",
    "THRESHOLD",
    "check",
    "check_words",
    "hazard_problems",
    "make_history",
    "truth_words",
]
