"""Forecasting reach by Monte Carlo (tracker.core.forecast) and the synthetic spread it is checked on."""

from __future__ import annotations

import numpy as np
import pytest

from tracker.core.diffusion_fit import Fit, fit
from tracker.core.diffusion_synth import generate_graph, simulate_history
from tracker.core.forecast import forecast, observed_reach, prepare
from tracker.core.panel import Panel

ISOLATED = Panel(6, tuple(f"O{k:04d}" for k in range(2000)), {})


def test_without_transmission_the_median_reach_follows_the_background_alone():
    b = 0.05
    result = forecast(
        ISOLATED, Fit.known(b, 0.0), 24, runs=200, seed=3, targets=[(10, 0.2), (20, 0.5), (29, 0.9), (40, 0.2)]
    )
    for h, band in enumerate(result.months):
        expected = 1 - (1 - b) ** (h + 1)  # reach after h + 1 forecast months
        spread = np.sqrt(expected * (1 - expected) / 2000)  # binomial: 2,000 organisations
        assert band.month == 6 + h
        assert band.median == pytest.approx(expected, abs=3 * spread)
        assert band.low == pytest.approx(expected - 1.2816 * spread, abs=2 * spread)
        assert band.high == pytest.approx(expected + 1.2816 * spread, abs=2 * spread)
    # 1 − 0.95^m crosses 20% after 5 months (22.6%; 18.5% after 4): month 6 + 4 = 10, with certainty
    # there; 50% after 14 months (51.2%; 48.7% after 13): month 19; 90% needs 45 months, and in month 29,
    # the horizon's last, reach is 1 − 0.95^24 = 71%: no chance. Month 40 is beyond the forecast.
    short, half, most, beyond = result.targets
    assert (short.median_month, short.probability) == (10, 1.0)
    assert half.median_month == 19 and half.probability == 1.0
    assert most.median_month is None and most.probability == 0.0
    assert beyond.probability is None and beyond.median_month == 10


def test_a_forecast_is_the_same_for_the_same_seed_and_differs_for_another():
    organisations, links = generate_graph(250, 5, seed=1)
    panel = simulate_history(organisations, links, 0.01, 0.1, 24, seed=2)
    model = fit(panel)
    first = forecast(panel, model, 12, seed=5, runs=300)
    assert forecast(panel, model, 12, seed=5, runs=300) == first
    assert forecast(panel, model, 12, seed=6, runs=300) != first


def test_transmission_passes_along_a_path_month_by_month():
    """A adopted; B and C in a path behind it at full strength with t = 1 and no background: B follows in the
    first month, C in the second."""
    panel = Panel(3, ("A", "B", "C"), {"A": 0}, links=(("A", "B", 5.0), ("B", "C", 5.0)))
    result = forecast(panel, Fit.known(1e-12, 1.0), 3, runs=50)
    assert [band.median for band in result.months] == [pytest.approx(2 / 3), 1.0, 1.0]
    assert [band.low for band in result.months] == [pytest.approx(2 / 3), 1.0, 1.0]


def test_one_adopting_neighbour_passes_it_on_with_probability_t_times_the_weight():
    """B's only link is to adopter A at strength 5 (w = 1); with t = 0.4 it adopts in a month with chance 0.4,
    so by the m-th forecast month with 1 − 0.6^m; at strength 2.5 (w = 0.5), 1 − 0.8^m."""
    for strength, monthly in ((5.0, 0.4), (2.5, 0.2)):
        panel = Panel(2, ("A", "B"), {"A": 0}, links=(("A", "B", strength),))
        reach = prepare(panel, Fit.known(1e-12, 0.4), 3, runs=40_000).run()
        b_adopted = 2 * reach.mean(axis=0) - 1  # reach is (1 + B adopted) / 2
        assert b_adopted == pytest.approx([1 - (1 - monthly) ** m for m in (1, 2, 3)], abs=0.01)


def test_engaged_organisations_adopt_in_the_first_month_and_gains_use_common_random_numbers():
    simulation = prepare(ISOLATED, Fit.known(0.05, 0.0), 6, runs=100, seed=1)
    engaged = [f"O{k:04d}" for k in range(100)]
    base, boosted = simulation.run(), simulation.run(engaged)
    assert np.array_equal(simulation.run(), base)  # the same draws every call
    # Without transmission the engaged add only themselves: the gain in a run is the engaged that had not yet
    # adopted by then of their own accord, at most 100 of 2,000, never negative (the same draws underneath).
    gain = boosted - base
    assert gain.min() >= 0 and gain.max() <= 100 / 2000 + 1e-12
    assert gain[:, 0].mean() == pytest.approx(100 * 0.95 / 2000, abs=0.002)
    with pytest.raises(ValueError, match="unknown organisations to engage: ZZZ"):
        simulation.run(["ZZZ"])


def test_reach_counts_the_organisations_open_each_month():
    panel = Panel(6, ("A", "B", "C", "D"), {"A": 0, "B": 3}, open_from={"C": 2}, closed_from={"D": 4})
    assert observed_reach(panel) == [1 / 3, 1 / 3, 1 / 4, 2 / 4, 2 / 3, 2 / 3]
    # forecast months are judged against the organisations open then: A, B and C from month 6
    result = forecast(panel, Fit.known(1e-12, 0.0), 2, runs=20)
    assert [band.median for band in result.months] == [pytest.approx(2 / 3)] * 2


def test_a_forecast_needs_a_fitted_model_and_a_horizon():
    too_little = fit(Panel(12, ("A", "B"), {"A": 3}))
    with pytest.raises(ValueError, match="Too little data"):
        forecast(Panel(12, ("A", "B"), {"A": 3}), too_little, 12)
    with pytest.raises(ValueError, match="at least one month"):
        forecast(ISOLATED, Fit.known(0.1, 0.0), 0)


def test_the_generated_graph_has_about_k_links_each_and_is_the_same_for_a_seed():
    organisations, links = generate_graph(2500, 5, seed=4)
    assert len(organisations) == 2500 and organisations[0] == "S00001"
    assert 2 * len(links) / 2500 == pytest.approx(5, rel=0.05)
    assert {strength for _, _, strength in links} == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert generate_graph(2500, 5, seed=4) == (organisations, links)
    assert generate_graph(2500, 5, seed=5) != (organisations, links)


def test_a_generated_history_without_transmission_adopts_at_the_background_rate():
    organisations, links = generate_graph(2000, 5, seed=1)
    panel = simulate_history(organisations, links, 0.05, 0.0, 10, seed=9)
    assert panel == simulate_history(organisations, links, 0.05, 0.0, 10, seed=9)
    first_month = sum(1 for month in panel.adopted.values() if month == 0)
    assert first_month == pytest.approx(0.05 * 2000, abs=3 * np.sqrt(2000 * 0.05 * 0.95))
    assert len(panel.adopted) / 2000 == pytest.approx(1 - 0.95**10, abs=0.03)


def test_the_gain_from_engaging_the_centre_of_a_star_beats_a_leaf_and_an_isolated_one_gains_only_itself():
    leaves = [f"L{k}" for k in range(4)]
    panel = Panel(6, ("C", "I", *leaves), {}, links=tuple(("C", leaf, 5.0) for leaf in leaves))
    simulation = prepare(panel, Fit.known(1e-12, 0.5), 3, runs=2000, seed=2)
    baseline = simulation.run()
    isolated = simulation.gain(["I"], 8, baseline)
    assert (isolated.estimate, isolated.low, isolated.high) == pytest.approx((1 / 6, 1 / 6, 1 / 6))
    centre, leaf = simulation.gain(["C"], 8, baseline), simulation.gain(["L0"], 8, baseline)
    # the centre: itself, then each leaf with 1 − 0.5^2 by the third month: (1 + 4 × 0.75) / 6
    assert centre.estimate == pytest.approx((1 + 4 * 0.75) / 6, abs=0.01)
    # a leaf: itself; the centre by the third month with 0.75; each other leaf only if the centre adopted in
    # the second month (0.5) and passed it on in the third (0.5): (1 + 0.75 + 3 × 0.25) / 6
    assert leaf.estimate == pytest.approx((1 + 0.75 + 3 * 0.25) / 6, abs=0.01)
    assert centre.low > leaf.high
    with pytest.raises(ValueError, match="outside the forecast"):
        simulation.gain(["C"], 9)


def test_along_a_path_of_three_the_far_end_is_reached_by_the_third_month_with_probability_t_squared():
    panel = Panel(6, ("A", "B", "C"), {}, links=(("A", "B", 5.0), ("B", "C", 5.0)))
    reach = prepare(panel, Fit.known(1e-12, 0.3), 3, runs=40_000, seed=1).run(["A"])
    # A in month 6; B in month 7 with 0.3; C in month 8 only if B was in month 7 and passed it on: 0.09
    assert reach[:, 2].mean() == pytest.approx((1 + (0.3 + 0.7 * 0.3) + 0.09) / 3, abs=0.005)
    assert np.mean(reach[:, 2] == 1.0) == pytest.approx(0.09, abs=0.005)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: generate_graph(1, 5), "at least two organisations"),
        (lambda: generate_graph(10, 9), "0 < k < n − 1"),
        (lambda: simulate_history(("A", "B"), (), 0.0, 0.1, 6), "b must be in"),
        (lambda: simulate_history(("A", "B"), (), 0.1, 1.5, 6), "t in"),
        (lambda: simulate_history(("A", "B"), (("A", "B", 0.0),), 0.1, 0.1, 6), "strength 0.0: it must be above 0"),
        (lambda: forecast(ISOLATED, Fit.known(0.1, 0.0), 3, runs=0), "at least one run"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
