"""Maximum-likelihood fit of the network hazard model (tracker.core.diffusion) to a monthly panel.

- Estimates: (b, t) maximise the log-likelihood with L-BFGS-B on the natural scale, b in (0, 1) and
  t in [0, 1), with the exact gradient. At t = 0 the maximum is in closed form, b = adoptions / at-risk
  organisation-months, and that value is used whenever the fit lands on the boundary.
- 95% confidence intervals by profile likelihood: every value whose profile log-likelihood (the other
  parameter re-maximised) lies within χ²₁(0.95)/2 = 1.92 of the maximum. Unlike Wald intervals these
  respect the boundary at t = 0 and the skew of rates near 0.
- The network effect: the likelihood-ratio test of t = 0. As t = 0 is on the edge of the parameter
  space, the statistic follows a 50:50 mixture of χ²₀ and χ²₁ under the null, so p = ½·P(χ²₁ ≥ LR).
- In plain words: the ratio of the monthly chance of adopting for an organisation with one adopting
  neighbour over a link of typical (mean) weight to the chance with none, 1 + t·w̄·(1 − b)/b, with
  its own profile-likelihood interval.
- Sampling distribution (for the forecast): normal on (logit b, t) with the inverse observed
  information, from the exact Hessian.

With fewer than MIN_ADOPTIONS adoptions or MIN_MONTHS months the result says so and estimates nothing:
the intervals would be wider than any decision could use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from tracker.core.diffusion import Design, compile_design, derivatives, hazard_ratio, log_likelihood
from tracker.core.panel import Panel

MIN_ADOPTIONS = 10
MIN_MONTHS = 6
EPS = 1e-9
CRITICAL = float(stats.chi2.ppf(0.95, 1))  # 3.84: the 95% profile-likelihood cut-off on the deviance


@dataclass(frozen=True)
class Estimate:
    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class Fit:
    """The fitted model, or (background None) the reason it could not be fitted."""

    observations: int  # at-risk organisation-months
    adoptions: int
    months: int
    message: str  # the network effect in plain words, or why there is no fit
    background: Estimate | None = None  # b
    transmission: Estimate | None = None  # t
    ratio: Estimate | None = None  # monthly chance with one typical adopting neighbour / with none
    typical_weight: float = 1.0  # w̄, the mean link weight the ratio is stated for
    log_likelihood: float | None = None
    null_log_likelihood: float | None = None  # at t = 0
    network_effect_p_value: float | None = None
    covariance: tuple[tuple[float, float], tuple[float, float]] | None = None  # of (logit b, t)

    @classmethod
    def known(cls, b: float, t: float) -> Fit:
        """A model with these parameters and no uncertainty about them: for what-ifs and tests."""
        return cls(
            0, 0, 0, "Known parameters.", Estimate(b, b, b), Estimate(t, t, t), covariance=((0.0, 0.0), (0.0, 0.0))
        )

    @property
    def enough_data(self) -> bool:
        return self.background is not None

    def draws(self, runs: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """`runs` draws of (b, t) from the fit's sampling distribution, within the parameter space."""
        if not self.enough_data:
            raise ValueError(self.message)
        b, t = self.background.estimate, self.transmission.estimate
        centre = np.array([np.log(b / (1 - b)), t])
        z = rng.multivariate_normal(centre, np.array(self.covariance), size=runs, method="eigh")
        return 1.0 / (1.0 + np.exp(-z[:, 0])), np.clip(z[:, 1], 0.0, 1.0 - EPS)


def fit(panel: Panel) -> Fit:
    return fit_design(compile_design(panel))


def fit_design(design: Design) -> Fit:
    counts = {"observations": design.observations, "adoptions": design.adoptions, "months": design.months}
    if design.adoptions < MIN_ADOPTIONS or design.months < MIN_MONTHS:
        return Fit(
            **counts,
            message=(
                f"Too little data to fit the model: {design.adoptions} adoptions over {design.months} months; "
                f"it needs at least {MIN_ADOPTIONS} adoptions and {MIN_MONTHS} months."
            ),
        )
    if design.adoptions == design.observations:
        return Fit(**counts, message="Every organisation at risk adopted at once: there is nothing to fit.")
    b_hat, t_hat, ll_hat = _maximise(design)
    b0 = design.background_without_network
    ll0 = log_likelihood(design, b0, 0.0)
    lr = max(0.0, 2.0 * (ll_hat - ll0))
    p_value = 1.0 if lr <= 0 else 0.5 * float(stats.chi2.sf(lr, 1))
    w = design.typical_weight
    background = Estimate(b_hat, *_interval(lambda b: _profile_over_t(design, b), b_hat, ll_hat, EPS, 1 - EPS))
    transmission = Estimate(t_hat, *_interval(lambda t: _profile_over_b(design, t), t_hat, ll_hat, 0.0, 1 - EPS))
    if design.exposed:
        r_hat = hazard_ratio(b_hat, t_hat, w)
        r_high = max(2.0 * r_hat, 2.0)
        while _deviance(_profile_ratio(design, r_high, w), ll_hat) < CRITICAL and r_high < 1e6:
            r_high *= 4
        ratio = Estimate(r_hat, *_interval(lambda r: _profile_ratio(design, r, w), r_hat, ll_hat, 1.0, r_high))
        message = plain_words(ratio, p_value)
    else:  # the likelihood is flat in t: t's interval is all of [0, 1] and there is no ratio to state
        ratio, message = None, NO_EXPOSURE
    return Fit(
        **counts,
        message=message,
        background=background,
        transmission=transmission,
        ratio=ratio,
        typical_weight=w,
        log_likelihood=ll_hat,
        null_log_likelihood=ll0,
        network_effect_p_value=p_value,
        covariance=_covariance(design, b_hat, t_hat),
    )


NO_EXPOSURE = (
    "No organisation had an adopting neighbour while it was yet to adopt, so the history says nothing about "
    "the network effect: the forecast allows for a wide range of transmission along links."
)


def plain_words(ratio: Estimate, p_value: float) -> str:
    """The network effect as a project manager would say it."""
    effect = (
        f"one adopting neighbour over a link of typical strength multiplies an organisation's monthly chance "
        f"of adopting by {ratio.estimate:.1f}× (95% CI {ratio.low:.1f}× to {ratio.high:.1f}×"
    )
    if p_value >= 0.05:
        return f"The data cannot tell the network effect from none (p = {p_value:.2f}): {effect})."
    return f"Learning links matter: {effect}; p {'< 0.001' if p_value < 0.001 else f'= {p_value:.3f}'})."


def _maximise(design: Design) -> tuple[float, float, float]:
    b0 = min(max(design.background_without_network, 1e-6), 0.5)
    exposed = design.exposed

    def negative(x):
        ll, grad, _ = derivatives(design, x[0], x[1])
        return -ll, -grad

    best = (design.background_without_network, 0.0, log_likelihood(design, design.background_without_network, 0.0))
    if exposed:
        for t0 in (0.05, 0.3):
            result = optimize.minimize(
                negative,
                np.array([b0, t0]),
                jac=True,
                method="L-BFGS-B",
                bounds=[(EPS, 1 - EPS), (0.0, 1 - EPS)],
                options={"ftol": 1e-14, "gtol": 1e-9, "maxiter": 500},
            )
            if -result.fun > best[2]:
                best = (float(result.x[0]), float(result.x[1]), float(-result.fun))
    return best


def _deviance(profile: float, ll_hat: float) -> float:
    return 2.0 * (ll_hat - profile)


def _maximum(objective, low: float, high: float) -> float:
    """The maximum of a one-parameter log-likelihood on [low, high] (bounded Brent)."""
    if high <= low:
        return objective(low)
    result = optimize.minimize_scalar(
        lambda x: -objective(x), bounds=(low, high), method="bounded", options={"xatol": 1e-10}
    )
    return max(-float(result.fun), objective(low), objective(high))


def _profile_over_b(design: Design, t: float) -> float:
    return _maximum(lambda b: log_likelihood(design, b, t), EPS, 1 - EPS)


def _profile_over_t(design: Design, b: float) -> float:
    return _maximum(lambda t: log_likelihood(design, b, t), 0.0, 1 - EPS)


def _profile_ratio(design: Design, ratio: float, w: float) -> float:
    """Profile for the hazard ratio R: t = (R − 1)·b / (w·(1 − b)), with b small enough that t ≤ 1."""
    if ratio <= 1.0:
        return log_likelihood(design, design.background_without_network, 0.0)
    b_max = min(1 - EPS, (1 - EPS) * w / (ratio - 1.0 + w))
    return _maximum(lambda b: log_likelihood(design, b, (ratio - 1.0) * b / (w * (1.0 - b))), EPS, b_max)


def _interval(profile, estimate: float, ll_hat: float, low: float, high: float) -> tuple[float, float]:
    """The values about the estimate whose profile deviance stays under the 95% cut-off."""

    def excess(value):
        return min(_deviance(profile(value), ll_hat), 1e9) - CRITICAL

    ends = []
    for edge in (low, high):
        if edge == estimate or excess(edge) <= 0:
            ends.append(edge)
        else:
            ends.append(float(optimize.brentq(excess, min(edge, estimate), max(edge, estimate), xtol=1e-9, rtol=1e-7)))
    return ends[0], ends[1]


def _covariance(design: Design, b: float, t: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """The inverse observed information of (logit b, t); at the edge t = 0 the same curvature, one-sided.

    Without any exposure the likelihood is flat in t: then t gets the spread of a uniform on [0, 1]
    (variance 1/12) about its estimate 0, and b its own information alone.
    """
    _, _, hessian = derivatives(design, b, t)
    jacobian = np.diag([b * (1 - b), 1.0])  # d(b, t) / d(logit b, t)
    information = -(jacobian @ hessian @ jacobian)
    if not design.exposed or np.linalg.det(information) <= 0 or information[0, 0] <= 0:
        return (1.0 / max(float(information[0, 0]), 1e-12), 0.0), (0.0, 1.0 / 12.0)
    cov = np.linalg.inv(information)
    return (float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))
