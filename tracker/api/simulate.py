"""What if: spread simulated from chosen adopters over the current learning graph (issue 12).

POST /api/v1/simulate, for every signed-in role (it recommends nobody; it answers a question asked).
Body, a JSON object:
  "ambition"   required: the ambition's code (its organisations open during the programme, and the
               learning links active today, form the graph)
  "process"    required: "independent_cascade" or "linear_threshold" (tracker.core.cascades)
  "adopters"   required: ODS codes of the organisations to start from, at least one, at most 1,000
  "runs"       a whole number from 1 to 5,000 (default 1,000), and at most 2,000,000 runs × organisations
  "seed"       a whole number from 0 to 2^32 − 1 (default 0): the same body, the same answer
  "p"          independent cascade only: the chance a strongest link passes adoption on, over 0 up to 1
               (default 0.1; weaker links p·strength/5)
Answers 200 {"ambition", "process", "runs", "seed", "p" (null for linear threshold), "adopters",
"organisations" (in the graph), "expected_spread" (organisations active at the end, adopters included,
mean over runs), "low", "high" (its 10th and 90th percentiles), "reached": [{"ods", "probability"}]
(highest first)}; 422 {"error": {…, "fields": {field: message}}} for anything wrong in the body, an
unknown ambition or organisation code named in its field's message; 401 without credentials.

CSRF, as for the other POSTs of the API: a caller signed in by session cookie sends the CSRF token in
the X-CSRFToken header; a caller with an API token needs none.
"""

from __future__ import annotations

from typing import Any

from ..access import signed_in
from ..calendar import today
from ..db import get_session
from ..editing import InvalidInput
from ..extensions import csrf
from ..forecast import whatif
from ..reports import service as reports
from .guard import check_csrf
from .writes import BodyShape, invalid_body, json_body

REQUIRED = ("ambition", "process")
BODY = BodyShape(fields=(*REQUIRED, "adopters", "runs", "seed", "p"), required=REQUIRED, optional_text=())


def _whole(body: dict, name: str, low: int, high: int, default: int, errors: dict[str, str]) -> int:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[name] = f"{name} must be a whole number from {low:,} to {high:,}"
        return default
    return value


def _adopters(body: dict, errors: dict[str, str]) -> list[str]:
    value = body.get("adopters")
    if not isinstance(value, list) or not value:
        errors["adopters"] = "adopters must be a list of at least one ODS code"
        return []
    if len(value) > whatif.MAX_ADOPTERS or not all(isinstance(v, str) and v.strip() and "\x00" not in v for v in value):
        errors["adopters"] = f"adopters must be at most {whatif.MAX_ADOPTERS:,} ODS codes, each a non-empty string"
        return []
    return [v.strip() for v in value]


def _p(body: dict, errors: dict[str, str]) -> float:
    value = body.get("p")
    if value is None:
        return whatif.P
    if not whatif.valid_p(value):
        errors["p"] = f"p must be a number {whatif.P_RULE}"
        return whatif.P
    return float(value)


@signed_in
@csrf.exempt
def simulate():
    """Spread from the adopters sent, by the process sent, over the learning graph (see the module docstring)."""
    check_csrf()
    body = json_body()
    try:
        text, errors = BODY.read(body)
    except InvalidInput as error:
        return invalid_body(error.errors)
    process = text["process"]
    if process is not None and "process" not in errors and process not in whatif.PROCESSES:
        errors["process"] = "process must be " + " or ".join(whatif.PROCESSES)
    adopters = _adopters(body, errors)
    runs = _whole(body, "runs", 1, whatif.MAX_RUNS, 1_000, errors)
    seed = _whole(body, "seed", 0, whatif.MAX_SEED, 0, errors)
    p = _p(body, errors)
    if errors:
        return invalid_body(errors)
    session = get_session()
    ambition = reports.ambition_named(session, text["ambition"].strip())
    if ambition is None:
        return invalid_body({"ambition": f"No ambition has the code {text['ambition'].strip()[:40]!r}"})
    panel = whatif.graph_for(session, ambition, today())
    unknown = whatif.unknown_adopters(panel, adopters)
    if unknown:
        return invalid_body({"adopters": f"Not an organisation of the learning graph: {whatif.named(unknown)}"})
    if runs > whatif.most_runs(panel):
        most = whatif.most_runs(panel)
        return invalid_body({"runs": f"runs must be at most {most:,} on a graph of {len(panel.organisations):,}"})
    result = whatif.simulate(panel, process, adopters, runs=runs, seed=seed, p=p)
    return _answer(ambition.code, result)


def _answer(ambition: str, result: whatif.Spread) -> dict[str, Any]:
    return {
        "ambition": ambition,
        "process": result.process,
        "runs": result.runs,
        "seed": result.seed,
        "p": result.p,
        "adopters": list(result.adopters),
        "organisations": result.organisations,
        "expected_spread": result.expected,
        "low": result.low,
        "high": result.high,
        "reached": [{"ods": ods, "probability": share} for ods, share in result.reached],
    }
