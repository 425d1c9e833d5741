"""Forecast reach and whom to engage next, over the JSON API (issue 12).

GET /api/v1/forecast?ambition=CODE[&network=CODE][&min_stage=STAGE][&horizon_months=N]
  For every signed-in role. The network hazard model fitted on the ambition's monthly history (all
  networks, or one), its forecast of reach (a share, 0 to 1) month by month from today's month with the
  median and 80% band, each dated target's chance, and the model's backtest against two baselines.
  horizon_months (1 to 120) defaults to the months to the latest dated target and 24 more.
  {"ambition", "network", "min_stage", "as_of", "horizon_months", "runs", "seed",
   "enough_data": false when the history is too short to fit the model (then "message" says why, and
   every figure the model would give is null: no band, no target chances, no model backtest),
   "message": the network effect in plain words, or why there is no forecast,
   "model": {"background": {"estimate", "low", "high"}, "transmission": {…}, "log_likelihood",
             "network_effect_p_value", "observations"},   (95% intervals; observations: at-risk
             organisation-months; null figures without a fit)
   "months": [{"month": "YYYY-MM", "observed", "median", "low", "high"}],   (observed months carry
             "observed" and null forecast figures; forecast months the reverse)
   "targets": [{"date", "reach", "probability"}],   (reach: the share of organisations the target asks
             for, read from its text (tracker.forecast.targets); probability null for a date before the
             forecast's first month or without a fit)
   "backtest": {"model_mae", "straight_line_mae", "bass_mae", "coverage_of_band", "message"}}
             (mean absolute errors in reach over the last 12 months, each null when it could not be made)

GET /api/v1/engage?ambition=CODE[&network=CODE][&k=N][&min_stage=STAGE]
  For faculty, managers and administrators (trust staff 403: it names organisations to target). The k
  (default 5, at most 20) organisations whose engagement now raises the forecast reach at the next dated
  target most (or 24 months ahead), in the order chosen, each with its marginal gain in reach and 95%
  interval and its reasons; "alternatives": near-equivalents (intervals overlapping), each naming the
  pick it could replace ("instead_of"). Candidates are ranked first by independent-cascade spread and
  the best 10 (at least 2k) scored by the forecast on 200 runs, on common random numbers
  (tracker.forecast.service.engage). {"ambition", "network", "min_stage", "as_of", "k", "month",
  "target", "candidates", "shortlisted", "message" (why none, else ""), "organisations", "alternatives"}.

Parameters are checked for form before codes are looked up: a malformed one is 400 naming it, then an
unknown ambition or network code 404. Same request, same numbers: the runs use a fixed seed.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from ..access import recommenders_only, signed_in
from ..cache import coverage_cache
from ..calendar import today
from ..core.diffusion_fit import Estimate
from ..db import get_session
from ..forecast import service
from .coverage import ambition_code_parameter, subject
from .params import BadParameter, code_parameter, threshold_parameter


def whole_parameter(name: str, low: int, high: int, default: int | None) -> int | None:
    """A whole-number parameter from low to high, default when absent; else BadParameter naming it."""
    value = request.args.get(name)
    if value is None:
        return default
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 6 and low <= int(text) <= high):
        raise BadParameter(name, f"{name} must be a whole number from {low} to {high}")
    return int(text)


def runs() -> int:
    return current_app.config["FORECAST_RUNS"]


def _estimate(value: Estimate | None) -> dict[str, float] | None:
    return None if value is None else {"estimate": value.estimate, "low": value.low, "high": value.high}


def outlook_json(outlook: service.Outlook) -> dict[str, Any]:
    fit, past = outlook.fit, outlook.backtest
    return {
        "ambition": outlook.ambition,
        "network": outlook.network,
        "min_stage": outlook.threshold.value,
        "as_of": outlook.as_of.isoformat(),
        "horizon_months": outlook.horizon,
        "runs": outlook.runs,
        "seed": outlook.seed,
        "enough_data": outlook.enough_data,
        "message": fit.message,
        "model": {
            "background": _estimate(fit.background),
            "transmission": _estimate(fit.transmission),
            "log_likelihood": fit.log_likelihood,
            "network_effect_p_value": fit.network_effect_p_value,
            "observations": fit.observations,
        },
        "months": [
            {"month": m.month, "observed": m.observed, "median": m.median, "low": m.low, "high": m.high}
            for m in outlook.months
        ],
        "targets": [
            {"date": t.day.isoformat(), "reach": t.reach, "probability": t.probability} for t in outlook.targets
        ],
        "backtest": {
            "model_mae": past.model_mae,
            "straight_line_mae": past.straight_line_mae,
            "bass_mae": past.bass_mae,
            "coverage_of_band": past.coverage_of_band,
            "message": past.message,
        },
    }


@signed_in
def forecast():
    """The forecast of one ambition's reach, its model, targets and backtest (see the module docstring)."""
    ambition_code = ambition_code_parameter()
    threshold = threshold_parameter()
    network_code = code_parameter("network")
    horizon = whole_parameter("horizon_months", 1, service.MAX_HORIZON, None)
    ambition, network = subject(ambition_code, network_code)
    result = service.outlook(
        get_session(), ambition, network, threshold, today(), horizon, runs=runs(), cache=coverage_cache()
    )
    return outlook_json(result)


def _suggestion(s: service.Suggestion) -> dict[str, Any]:
    row = {"ods": s.ods, "gain": s.gain, "low": s.low, "high": s.high, "reasons": list(s.reasons)}
    if s.instead_of is not None:
        row["instead_of"] = s.instead_of
    return row


@recommenders_only
def engage():
    """Whom to engage next for one ambition, with gains, intervals and reasons (see the module docstring)."""
    ambition_code = ambition_code_parameter()
    threshold = threshold_parameter()
    network_code = code_parameter("network")
    k = whole_parameter("k", 1, service.MAX_K, service.K)
    ambition, network = subject(ambition_code, network_code)
    result = service.engage(
        get_session(),
        ambition,
        network,
        threshold,
        today(),
        k,
        runs=service.engage_runs(runs()),
        cache=coverage_cache(),
    )
    return {
        "ambition": result.ambition,
        "network": result.network,
        "min_stage": result.threshold.value,
        "as_of": result.as_of.isoformat(),
        "k": result.k,
        "month": result.month,
        "target": result.target,
        "candidates": result.candidates,
        "shortlisted": result.shortlisted,
        "message": result.message,
        "organisations": [_suggestion(s) for s in result.organisations],
        "alternatives": [_suggestion(s) for s in result.alternatives],
    }
