"""The network hazard model's likelihood and its maximum-likelihood fit (tracker.core.diffusion, diffusion_fit)."""

from __future__ import annotations

from math import log

import numpy as np
import pytest
from scipy import stats

from tracker.core.diffusion import compile_design, derivatives, log_likelihood
from tracker.core.diffusion_fit import CRITICAL, MIN_ADOPTIONS, fit
from tracker.core.diffusion_synth import generate_graph, simulate_history
from tracker.core.panel import Panel

# A adopts in month 0 unprompted; B, linked to A at full strength (w = 1), adopts in month 2;
# C, linked to B at strength 2.5 (w = 0.5), never adopts. Four months observed.
THREE = Panel(
    months=4,
    organisations=("A", "B", "C"),
    adopted={"A": 0, "B": 2},
    links=(("A", "B", 5.0), ("B", "C", 2.5)),
)


def test_the_log_likelihood_matches_a_hand_computation_on_three_organisations():
    b, t = 0.1, 0.4
    # month 0: A adopts unexposed (0.1); B and C do not, unexposed (0.9 each)
    # month 1: B exposed to A: no adoption with (1 − 0.1)(1 − 0.4·1) = 0.54; C unexposed: 0.9
    # month 2: B adopts, exposed to A: 1 − 0.54 = 0.46; C unexposed (B adopts only now): 0.9
    # month 3: C exposed to B: no adoption with 0.9·(1 − 0.4·0.5) = 0.72
    by_hand = log(0.1) + log(0.9) * 2 + log(0.54) + log(0.9) + log(0.46) + log(0.9) + log(0.72)
    design = compile_design(THREE)
    assert design.observations == 8 and design.adoptions == 2
    assert log_likelihood(design, b, t) == pytest.approx(by_hand, rel=1e-12)


def test_the_gradient_and_hessian_are_the_likelihoods_derivatives():
    design = compile_design(THREE)
    ll, grad, hessian = derivatives(design, 0.1, 0.4)
    assert ll == pytest.approx(log_likelihood(design, 0.1, 0.4), rel=1e-12)
    h = 1e-6
    for k, step in enumerate((np.array([h, 0.0]), np.array([0.0, h]))):
        up, down = (
            derivatives(design, *(np.array([0.1, 0.4]) + step)),
            derivatives(design, *(np.array([0.1, 0.4]) - step)),
        )
        assert grad[k] == pytest.approx((up[0] - down[0]) / (2 * h), rel=1e-6)
        assert hessian[:, k] == pytest.approx((up[1] - down[1]) / (2 * h), rel=1e-5)


def _isolated_panel() -> Panel:
    """40 unlinked organisations over 12 months; organisation k < 15 adopts in month k mod 12."""
    organisations = tuple(f"O{k:02d}" for k in range(40))
    return Panel(12, organisations, {organisations[k]: k % 12 for k in range(15)})


def test_without_links_the_background_is_adoptions_over_months_at_risk():
    result = fit(_isolated_panel())
    # at risk: adopters in months 0..11 and 0..2 (1 + ... + 12 and 1 + 2 + 3), 25 others for 12 months each
    assert result.observations == 78 + 6 + 25 * 12 == 384
    assert result.background.estimate == 15 / 384
    assert result.transmission.estimate == 0.0
    assert result.network_effect_p_value == 1.0
    assert (result.transmission.low, result.transmission.high) == pytest.approx((0.0, 1.0))  # links say nothing
    assert result.ratio is None and result.message.startswith("No organisation had an adopting neighbour")
    # the forecast's draws: logit b with the binomial's information n·b·(1 − b), t a uniform's spread
    b = 15 / 384
    assert np.array(result.covariance) == pytest.approx(np.array([[1 / (384 * b * (1 - b)), 0.0], [0.0, 1 / 12]]))
    design = compile_design(_isolated_panel())
    for end in (result.background.low, result.background.high):  # profile interval: deviance 3.84 at each end
        assert 2 * (result.log_likelihood - log_likelihood(design, end, 0.0)) == pytest.approx(CRITICAL, abs=1e-6)
    assert result.background.low < 15 / 384 < result.background.high


def _pairs_panel() -> Panel:
    """20 leaders adopt in month 0; their 20 followers (full-strength links) are exposed from month 1, and
    10 of them adopt then; 20 isolated organisations never adopt. Six months.

    Unexposed organisation-months: 20 leaders + 20 followers in month 0 + 120 isolated = 160, 20 adoptions:
    b = 1/8. Exposed: 10 followers adopting in month 1 + 10 for five months = 60, 10 adoptions, so
    (1 − b)(1 − t) = 5/6 and t = 1 − (5/6)/(7/8) = 1/21.
    """
    leaders = [f"L{k:02d}" for k in range(20)]
    followers = [f"F{k:02d}" for k in range(20)]
    isolated = [f"I{k:02d}" for k in range(20)]
    adopted = dict.fromkeys(leaders, 0) | dict.fromkeys(followers[:10], 1)
    links = tuple((a, b, 5.0) for a, b in zip(leaders, followers, strict=True))
    return Panel(6, tuple(sorted(leaders + followers + isolated)), adopted, links=links)


def test_with_links_the_fit_finds_the_closed_form_maximum_and_the_likelihood_ratio_test():
    result = fit(_pairs_panel())
    assert result.observations == 220 and result.adoptions == 30
    assert result.background.estimate == pytest.approx(1 / 8, abs=1e-7)
    assert result.transmission.estimate == pytest.approx(1 / 21, abs=1e-7)
    ll_hat = 20 * log(1 / 8) + 140 * log(7 / 8) + 10 * log(1 / 6) + 50 * log(5 / 6)
    ll_null = 30 * log(30 / 220) + 190 * log(190 / 220)
    assert result.log_likelihood == pytest.approx(ll_hat, abs=1e-9)
    assert result.null_log_likelihood == pytest.approx(ll_null, abs=1e-12)
    # t = 0 is on the boundary: p is half the χ²₁ tail (0.215; the full tail would say 0.43)
    p_value = 0.5 * stats.chi2.sf(2 * (ll_hat - ll_null), 1)
    assert result.network_effect_p_value == pytest.approx(p_value, rel=1e-6)
    # the ratio of monthly chances with one full-strength adopting neighbour to none: (1/6) / (1/8)
    assert result.typical_weight == 1.0
    assert result.ratio.estimate == pytest.approx(4 / 3, rel=1e-6)
    assert result.ratio.low <= 4 / 3 <= result.ratio.high
    assert result.message == (
        f"The data cannot tell the network effect from none (p = {p_value:.2f}): one adopting neighbour over a link of "
        f"typical strength multiplies an organisation's monthly chance of adopting by 1.3× (95% CI 1.0× to "
        f"{result.ratio.high:.1f}×)."
    )


def test_too_little_data_says_so_instead_of_estimating():
    panel = Panel(12, tuple(f"O{k:02d}" for k in range(40)), {f"O{k:02d}": k for k in range(MIN_ADOPTIONS - 1)})
    result = fit(panel)
    assert not result.enough_data and result.background is None and result.transmission is None
    assert result.message.startswith("Too little data to fit the model: 9 adoptions over 12 months")
    short = Panel(5, tuple(f"O{k:02d}" for k in range(40)), {f"O{k:02d}": k % 5 for k in range(20)})
    assert "5 months" in fit(short).message and not fit(short).enough_data
    with pytest.raises(ValueError, match="Too little data"):
        result.draws(10, np.random.default_rng(0))


def test_a_link_to_an_unknown_organisation_is_refused():
    with pytest.raises(ValueError, match="not in the panel"):
        compile_design(Panel(6, ("A",), {}, links=(("A", "Z", 3.0),)))


B_TRUE, T_TRUE = 0.01, 0.12
SEEDS = range(40)  # 37 of 40 cover each parameter here: a margin above the floor of 36


def test_parameter_recovery_the_intervals_cover_the_truth_at_least_nine_times_in_ten():
    """Histories drawn from the model with known b and t on one 250-organisation graph, 36 months each."""
    organisations, links = generate_graph(250, 5, seed=7)
    covered_b = covered_t = 0
    for seed in SEEDS:
        result = fit(simulate_history(organisations, links, B_TRUE, T_TRUE, 36, seed=seed))
        covered_b += result.background.low <= B_TRUE <= result.background.high
        covered_t += result.transmission.low <= T_TRUE <= result.transmission.high
    assert covered_b >= 0.9 * len(SEEDS) and covered_t >= 0.9 * len(SEEDS), (covered_b, covered_t)


def test_the_rows_are_the_panels_organisations_at_risk_month_by_month():
    panel = Panel(6, ("A", "B", "C", "D"), {"A": 0, "B": 3}, open_from={"C": 2}, closed_from={"D": 4})
    design = compile_design(panel)
    assert design.observations == sum(len(panel.at_risk(month)) for month in range(6)) == 13
    assert design.adoptions == 2
