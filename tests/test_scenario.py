"""The what-if scenario's pure parts (tracker.forecast.scenario): which codes may be engaged, and the baseline
and the scenario run on common random numbers, on hand-made and generated panels."""

from __future__ import annotations

from tracker.core.diffusion_fit import fit
from tracker.core.diffusion_synth import generate_graph, simulate_history
from tracker.core.forecast import prepare, summarise
from tracker.core.panel import Panel
from tracker.forecast import scenario
from tracker.reports.service import AmbitionInfo

# A path A - B - C - D and E alone; A adopted in month 1, F closed from month 2; 6 months observed.
PANEL = Panel(
    months=6,
    organisations=("A", "B", "C", "D", "E", "F"),
    adopted={"A": 1},
    closed_from={"F": 2},
    links=(("A", "B", 5.0), ("B", "C", 5.0), ("C", "D", 5.0)),
)
AMBITION = AmbitionInfo(0, "X", "Example", "", ())


def test_only_open_organisations_yet_to_adopt_may_be_engaged():
    refusals = scenario.check(PANEL, ["B", "A", "F", "ZZ9", "RNU", "E"], known={"RNU"})
    assert refusals == (
        scenario.Refusal(scenario.UNKNOWN, ("ZZ9",)),
        scenario.Refusal(scenario.OUTSIDE, ("RNU",)),
        scenario.Refusal(scenario.CLOSED, ("F",)),
        scenario.Refusal(scenario.ADOPTING, ("A",)),
    )
    assert scenario.check(PANEL, ["B", "E"], known=()) == ()
    assert scenario.eligible(PANEL) == ["B", "C", "D", "E"]


def test_the_scenario_is_the_baseline_run_again_with_the_engaged_and_nobody_changes_nothing():
    organisations, links = generate_graph(120, 5, seed=1)
    panel = simulate_history(organisations, links, 0.01, 0.08, 36, seed=2)
    pick = scenario.eligible(panel)[0]
    same = scenario.scenario_of(panel, AMBITION, [], 12, 300, 5)
    assert same.enough_data and len(same.months) == 12
    assert all(
        (m.baseline_median, m.baseline_low, m.baseline_high) == (m.scenario_median, m.scenario_low, m.scenario_high)
        for m in same.months
    )
    assert same.gain.estimate == 0
    engaged = scenario.scenario_of(panel, AMBITION, [pick], 12, 300, 5)
    simulation = prepare(panel, fit(panel), 12, 300, 5)
    expected = summarise(simulation, simulation.run([pick]))
    assert [m.scenario_median for m in engaged.months] == [b.median for b in expected.months]
    assert [m.baseline_median for m in engaged.months] == [m.baseline_median for m in same.months]
    assert all(m.scenario_median >= m.baseline_median for m in engaged.months)
    assert engaged.gain.low > 0 and engaged.months[0].month == "2024-04"
    assert engaged.months[0].label == "Apr 2024"


def test_linked_adopting_counts_each_organisations_adopting_neighbours():
    assert scenario.linked_adopting(PANEL) == {"B": 1}
