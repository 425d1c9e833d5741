"""The forecast's track record (tracker.core.backtest): the model against a straight line and a Bass curve."""

from __future__ import annotations

import numpy as np
import pytest

from tracker.core.backtest import Bass, backtest, cut_panel, fit_bass, straight_line
from tracker.core.diffusion_synth import generate_graph, simulate_history
from tracker.core.forecast import observed_reach
from tracker.core.panel import Panel


def test_a_bass_curve_is_recovered_from_its_own_series():
    series = Bass(0.03, 0.4).at(np.arange(1, 25))
    curve = fit_bass(list(series))
    assert (curve.p, curve.q) == (pytest.approx(0.03, rel=1e-6), pytest.approx(0.4, rel=1e-6))


def test_the_bass_curve_by_hand():
    # F(m) = (1 − e^−(p+q)m) / (1 + (q/p)·e^−(p+q)m); p = 0.1, q = 0.2, m = 1: e^−0.3 = 0.740818
    assert float(Bass(0.1, 0.2).at(1.0)) == pytest.approx((1 - 0.7408182207) / (1 + 2 * 0.7408182207), rel=1e-9)
    assert fit_bass([0.1, 0.2]) is None  # too short to fit two parameters honestly


def test_the_straight_line_continues_the_last_twelve_months_and_stays_within_zero_and_one():
    series = [0.5] * 6 + [0.1 + 0.02 * m for m in range(12)]  # older points do not count
    assert straight_line(series, 3) == pytest.approx([0.34, 0.36, 0.38])
    assert straight_line([0.2, 0.6, 1.0], 2) == [1.0, 1.0]
    assert straight_line([0.3], 2) is None


def _synthetic(seed: int = 4) -> Panel:
    """36 months drawn from the model (b = 0.008, t = 0.1) on a 250-organisation graph."""
    organisations, links = generate_graph(250, 5, seed=3)
    return simulate_history(organisations, links, 0.008, 0.1, 36, seed=seed)


def test_the_backtest_scores_the_last_twelve_months_three_ways():
    panel = _synthetic()
    result = backtest(panel, runs=300, seed=1)
    truth = observed_reach(panel)[24:]
    assert result.cut == 24 and result.observed == pytest.approx(truth)
    assert result.model_mae == pytest.approx(np.mean(np.abs(np.subtract(result.model, truth))))
    line = straight_line(observed_reach(panel)[:24], 12)
    assert result.straight_line == pytest.approx(line)
    assert result.straight_line_mae == pytest.approx(np.mean(np.abs(np.subtract(line, truth))))
    curve = fit_bass(observed_reach(panel)[:24])
    assert result.bass == pytest.approx(list(curve.at(np.arange(25, 37))))
    assert result.bass_mae == pytest.approx(np.mean(np.abs(np.subtract(result.bass, truth))))
    inside = [lo <= v <= hi for lo, v, hi in zip(result.model_low, truth, result.model_high, strict=True)]
    assert result.coverage_of_band == sum(inside) / 12
    scores = {"model": result.model_mae, "straight_line": result.straight_line_mae, "bass": result.bass_mae}
    assert result.best == min(scores, key=scores.get)
    assert backtest(panel, runs=300, seed=1) == result


def test_the_backtest_says_which_did_best():
    # A history drawn from the model itself: the model usually wins (6 of 8 such histories), here by
    # 0.009 against the Bass curve's 0.012 and the straight line's 0.055, and says so.
    result = backtest(_synthetic(seed=0), runs=300, seed=1)
    assert result.best == "model"
    assert result.message == "Over the last 12 months the network model forecast reach better than both baselines."
    # On a history that follows a straight line exactly, the straight line wins and the page must say so.
    organisations = tuple(f"O{k:03d}" for k in range(240))
    linear = Panel(36, organisations, {ods: k // 6 for k, ods in enumerate(organisations[:216])})  # 6 a month
    beaten = backtest(linear, runs=200, seed=1)
    assert beaten.straight_line_mae == pytest.approx(0.0, abs=1e-12)
    assert beaten.best == "straight_line"
    assert beaten.message.startswith("Over the last 12 months the straight line forecast reach better than the")


def test_with_too_little_data_before_the_cut_only_the_baselines_are_scored():
    organisations = tuple(f"O{k:02d}" for k in range(40))
    panel = Panel(24, organisations, {ods: 3 * k for k, ods in enumerate(organisations[:8])})
    result = backtest(panel, runs=100)
    assert result.model is None and result.model_mae is None and result.coverage_of_band is None
    assert result.message.startswith("Too little data to fit the model: 4 adoptions over 12 months")
    assert result.straight_line_mae is not None and result.best in {"straight_line", "bass"}
    assert backtest(Panel(13, organisations, {}), runs=10).message == "Too little history to hold 12 months back."
    with pytest.raises(ValueError, match="at least one month"):
        backtest(panel, 0)


def test_cutting_a_panel_forgets_later_adoptions():
    panel = Panel(10, ("A", "B"), {"A": 2, "B": 7}, closed_from={"B": 9})
    assert cut_panel(panel, 5) == Panel(5, ("A", "B"), {"A": 2}, closed_from={"B": 9})
