"""POST /api/v1/spc: the stateless XmR calculation, through the real app, with the core's numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.helpers import assert_error, auth
from tracker.core import spc as core

URL = "/api/v1/spc"
ROLES = ("trust", "faculty", "manager", "admin")
FIELDS = "values, dates, improvement_direction, target, fix_after_n_points, rebase_dates, screen_outliers"


def months(n: int, start: date = date(2021, 4, 1)) -> list[str]:
    """n first days of months from start, as ISO text."""
    days, year, month = [], start.year, start.month
    for _ in range(n):
        days.append(date(year, month, 1).isoformat())
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def chart(client, raw: str, values, **fields) -> dict:
    """The answer to a good body: values with monthly dates, and the fields given."""
    response = client.post(URL, json={"values": values, "dates": months(len(values)), **fields}, headers=auth(raw))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert "Set-Cookie" not in response.headers
    return response.get_json()


def errors(client, raw: str, body, **kwargs) -> dict[str, str]:
    """The fields a refused body is refused for (422)."""
    sent = {"data": body, "content_type": "application/json"} if isinstance(body, str) else {"json": body}
    response = client.post(URL, headers=auth(raw), **sent, **kwargs)
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["status"] == 422 and error["title"] and error["message"]
    return error["fields"]


# --- the worked example -------------------------------------------------------------------------


def test_a_short_series_worked_by_hand(client, token):
    """4, 6, 5, 7, 3: mean 25 / 5 = 5; moving ranges 2, 1, 2, 4, mean 9 / 4 = 2.25, none screened out
    (all below 3.267 × 2.25 = 7.35); limits 5 ± 2.66 × 2.25 = 5 ± 5.985; two sigma 5 ± 1.7733… × 2.25
    = 5 ± 3.99. Nothing is special cause; five points is a short group, so the warning."""
    body = chart(client, token["trust"], [4, 6, 5, 7, 3])
    assert [p["date"] for p in body["points"]] == months(5)
    assert [p["value"] for p in body["points"]] == [4, 6, 5, 7, 3]
    for point in body["points"]:
        assert point["mean"] == pytest.approx(5)
        assert point["upl"] == pytest.approx(10.985)
        assert point["lpl"] == pytest.approx(-0.985)
        assert point["two_sigma_upper"] == pytest.approx(8.99)
        assert point["two_sigma_lower"] == pytest.approx(1.01)
        assert (point["special_cause_flag"], point["point_type"], point["rule"]) == (False, "common_cause", None)
    assert body["variation_icon"] == "common_cause"
    assert body["assurance_icon"] is None
    assert body["warnings"] == [core.SHORT_GROUP_WARNING]


def test_the_answer_is_the_cores_to_the_last_bit(client, token):
    values = [3.1, None, 2.7, 4.4, 5.0, 3.3, 9.8, 2.2, 2.9, 3.6, 4.1, 3.8, 1.2, 3.3, 3.0]
    body = chart(client, token["trust"], values, improvement_direction="decrease", target=2.5)
    expected = core.spc(values, improvement="decrease", target=2.5)
    for sent, want in zip(body["points"], expected.points, strict=True):
        assert (sent["value"], sent["mean"], sent["lpl"], sent["upl"]) == (want.value, want.mean, want.lpl, want.upl)
        assert (sent["two_sigma_lower"], sent["two_sigma_upper"]) == (want.two_sigma_lower, want.two_sigma_upper)
        assert (sent["special_cause_flag"], sent["point_type"], sent["rule"]) == (
            want.special_cause,
            want.point_type,
            want.rule,
        )
    assert (body["variation_icon"], body["assurance_icon"]) == (expected.variation_icon, expected.assurance_icon)
    assert body["warnings"] == []  # one group of 15


def test_a_limit_that_cannot_be_computed_is_null_and_a_missing_value_stays_null(client, token):
    body = chart(client, token["trust"], [5])
    point = body["points"][0]
    assert point["mean"] == 5 and point["lpl"] is point["upl"] is point["two_sigma_lower"] is None
    body = chart(client, token["trust"], [4, None, 6])
    assert body["points"][1]["value"] is None and body["points"][1]["point_type"] == "common_cause"


def test_outlier_screening_is_on_by_default_and_may_be_turned_off(client, token):
    """Constant 5s: screened, every moving range 0 is not below 3.267 × 0, so no limits; unscreened
    the limits are the mean."""
    values = [5] * 12
    screened = chart(client, token["trust"], values)
    assert screened == chart(client, token["trust"], values, screen_outliers=True)
    assert screened["points"][0]["upl"] is None
    unscreened = chart(client, token["trust"], values, screen_outliers=False)
    assert unscreened["points"][0]["upl"] == unscreened["points"][0]["lpl"] == 5


# --- point types and icons ----------------------------------------------------------------------

STEADY = [4, 6] * 14 + [5]  # 29 points about 5, each side of the mean in turn; moving ranges 2
HIGH = STEADY + [20]  # mean 5.5, the last moving range screened out: upper limit 5.5 + 2.66 × 2 = 10.82
LOW = STEADY + [-10]  # mean 4.5: lower limit 4.5 - 5.32 = -0.82


@pytest.mark.parametrize(
    "values, direction, point_type, rule, icon",
    [
        (HIGH, "increase", "special_cause_improvement", "Above UCL", "improvement_high"),
        (LOW, "decrease", "special_cause_improvement", "Below LCL", "improvement_low"),
        (LOW, "increase", "special_cause_concern", "Below LCL", "concern_low"),
        (HIGH, "decrease", "special_cause_concern", "Above UCL", "concern_high"),
        (HIGH, "neutral", "special_cause_neutral_high", "Above UCL", "neutral_high"),
        (LOW, "neutral", "special_cause_neutral_low", "Below LCL", "neutral_low"),
        (STEADY + [5], "increase", "common_cause", None, "common_cause"),
    ],
)
def test_each_point_type_and_variation_icon(client, token, values, direction, point_type, rule, icon):
    body = chart(client, token["faculty"], values, improvement_direction=direction)
    last = body["points"][-1]
    assert (last["point_type"], last["rule"], last["special_cause_flag"]) == (point_type, rule, rule is not None)
    assert all(p["point_type"] == "common_cause" for p in body["points"][:-1])
    assert body["variation_icon"] == icon


def test_the_direction_is_neutral_by_default(client, token):
    body = chart(client, token["trust"], HIGH)
    assert body == chart(client, token["trust"], HIGH, improvement_direction=None)
    assert body["points"][-1]["point_type"] == "special_cause_neutral_high"


@pytest.mark.parametrize(
    "direction, target, icon",
    [
        ("increase", 1, "pass"),  # below the lower limit (about 2.8)
        ("increase", 10, "fail"),  # above the upper limit (about 8.1)
        ("decrease", 1, "fail"),
        ("decrease", 10, "pass"),
        ("increase", 5, "inconsistent"),
        ("neutral", 1, None),
        ("increase", None, None),
    ],
)
def test_each_assurance_icon(client, token, direction, target, icon):
    body = chart(client, token["manager"], [5, 6] * 6, improvement_direction=direction, target=target)
    assert body["assurance_icon"] == icon


# --- rebasing and fixing ------------------------------------------------------------------------


def test_a_rebase_by_date_starts_a_group_with_its_own_limits(client, token):
    before, after = [5, 6] * 6, [15, 16] * 6
    dates = months(24)
    body = chart(client, token["trust"], before + after, rebase_dates=[dates[12]])
    means = [p["mean"] for p in body["points"]]
    assert means == [5.5] * 12 + [15.5] * 12
    assert all(p["point_type"] == "common_cause" for p in body["points"])
    assert body["warnings"] == []
    unrebased = chart(client, token["trust"], before + after)
    assert unrebased["points"][0]["mean"] == 10.5
    assert unrebased["points"][0]["rule"] == "Below LCL"  # the jump's moving range is screened out
    first = chart(client, token["trust"], before + after, rebase_dates=[dates[0]])
    assert first == unrebased  # a rebase at the first point changes nothing


def test_a_short_group_after_a_rebase_warns(client, token):
    dates = months(15)
    body = chart(client, token["trust"], [5, 6] * 7 + [5], rebase_dates=[dates[10]])
    assert body["warnings"] == [core.SHORT_GROUP_WARNING]


def test_limits_fixed_after_twelve_points(client, token):
    values = [5, 6] * 6 + [30, 31, 30]
    body = chart(client, token["trust"], values, fix_after_n_points=12, screen_outliers=False)
    assert {p["mean"] for p in body["points"]} == {5.5}
    assert [p["rule"] for p in body["points"][12:]] == ["Above UCL"] * 3


# --- bad input: 422 naming the field, and nothing else -------------------------------------------


def good(**changes) -> dict:
    body = {"values": [1, 2, 3], "dates": months(3)}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


BAD = [
    (good(colour="blue"), "colour"),
    (good(values=...), "values"),
    (good(values=None), "values"),
    (good(values="1,2,3"), "values"),
    (good(values={"a": 1}), "values"),
    (good(values=[], dates=[]), "values"),
    (good(values=[1, True, 3]), "values"),
    (good(values=[1, "2", 3]), "values"),
    (good(values=[1, [2], 3]), "values"),
    (good(values=[1, 10**16, 3]), "values"),
    (good(values=[1, -1e16, 3]), "values"),
    (good(values=list(range(10_001))), "values"),
    (good(dates=...), "dates"),
    (good(dates="2021-04-01"), "dates"),
    (good(dates=months(2)), "dates"),
    (good(dates=months(4)), "dates"),
    (good(dates=["2021-04-01", "2021-05-01", "2021-02-30"]), "dates"),
    (good(dates=["2021-04-01", "2021-05-01", "2021-W40-2"]), "dates"),
    (good(dates=["2021-04-01", "2021-05-01", "1 June 2021"]), "dates"),
    (good(dates=["2021-04-01", "2021-05-01", 20210601]), "dates"),
    (good(dates=["2021-04-01", "2021-05-01", None]), "dates"),
    (good(dates=["2021-04-01", "2021-05-01", "2021-05-01"]), "dates"),
    (good(dates=["2021-04-01", "2021-06-01", "2021-05-01"]), "dates"),
    (good(dates=[(date(2000, 1, 1) + timedelta(days=i)).isoformat() for i in range(10_001)]), "dates"),
    (good(improvement_direction="up"), "improvement_direction"),
    (good(improvement_direction="Increase"), "improvement_direction"),
    (good(improvement_direction=1), "improvement_direction"),
    (good(target="5"), "target"),
    (good(target=True), "target"),
    (good(target=[5]), "target"),
    (good(target=1e300), "target"),
    (good(fix_after_n_points=11), "fix_after_n_points"),
    (good(fix_after_n_points=12.0), "fix_after_n_points"),
    (good(fix_after_n_points=True), "fix_after_n_points"),
    (good(fix_after_n_points="12"), "fix_after_n_points"),
    (good(fix_after_n_points=10**40), "fix_after_n_points"),
    (good(rebase_dates=["2021-07-01"]), "rebase_dates"),
    (good(rebase_dates=["2021-05-32"]), "rebase_dates"),
    (good(rebase_dates="2021-05-01"), "rebase_dates"),
    (good(rebase_dates=[True]), "rebase_dates"),
    (good(screen_outliers="yes"), "screen_outliers"),
    (good(screen_outliers=1), "screen_outliers"),
]


@pytest.mark.parametrize("body, field", BAD)
def test_a_bad_body_is_422_naming_the_field_alone(client, token, body, field):
    found = errors(client, token["trust"], body)
    assert list(found) == [field]
    assert field in found[field] or "Unknown field" in found[field]


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinities_are_refused(client, token, text):
    raw = f'{{"values": [1, {text}, 3], "dates": ["2021-04-01", "2021-05-01", "2021-06-01"], "target": null}}'
    assert list(errors(client, token["trust"], raw)) == ["values"]
    raw = f'{{"values": [1, 2, 3], "dates": ["2021-04-01", "2021-05-01", "2021-06-01"], "target": {text}}}'
    assert list(errors(client, token["trust"], raw)) == ["target"]


@pytest.mark.parametrize("body", ["[1, 2]", "not json", "null", '"values"'])
def test_a_body_that_is_no_json_object_is_422_on_body(client, token, body):
    assert errors(client, token["trust"], body) == {"body": f"Send a JSON object with the fields {FIELDS}"}


def test_the_messages_say_what_is_wrong(client, token):
    raw = token["trust"]
    assert errors(client, raw, good(colour="blue")) == {"colour": f"Unknown field: the fields are {FIELDS}"}
    assert errors(client, raw, good(dates=months(2)))["dates"] == (
        "dates must hold one date for each value: 3 values, 2 dates"
    )
    assert errors(client, raw, good(dates=["2021-04-01", "2021-05-01", "2021-02-30"]))["dates"] == (
        "dates[2] must be a date in the form YYYY-MM-DD"
    )
    assert errors(client, raw, good(dates=["2021-04-01", "2021-05-01", "2021-05-01"]))["dates"] == (
        "dates must be strictly increasing: dates[2] (2021-05-01) is not after dates[1] (2021-05-01)"
    )
    assert errors(client, raw, good(rebase_dates=["2021-07-01"]))["rebase_dates"] == (
        "rebase_dates must be among the dates: 2021-07-01 is not"
    )
    assert "from 12 to 10,000" in errors(client, raw, good(fix_after_n_points=11))["fix_after_n_points"]
    assert "values[1]" in errors(client, raw, good(values=[1, True, 3]))["values"]


def test_several_bad_fields_are_named_together(client, token):
    body = good(values=[1, "x", 3], improvement_direction="up", screen_outliers="no")
    assert set(errors(client, token["trust"], body)) == {"values", "improvement_direction", "screen_outliers"}
    body = good(target="x", fix_after_n_points=5, rebase_dates=["2030-01-01"])
    assert set(errors(client, token["trust"], body)) == {"target", "fix_after_n_points", "rebase_dates"}


def test_ten_thousand_points_are_accepted(client, token):
    values = [float(i % 7) for i in range(10_000)]
    dates = [(date(2000, 1, 1) + timedelta(days=i)).isoformat() for i in range(10_000)]
    response = client.post(URL, json={"values": values, "dates": dates}, headers=auth(token["trust"]))
    assert response.status_code == 200
    assert len(response.get_json()["points"]) == 10_000


# --- who may call it, and CSRF ------------------------------------------------------------------


def test_anonymous_callers_get_401(seeded, client):
    response = client.post(URL, json=good())
    assert response.status_code == 401
    assert_error(response.get_json(), 401)


def test_a_bad_token_is_401(seeded, client):
    response = client.post(URL, json=good(), headers=auth("st_not-a-token"))
    assert response.status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_calculate_with_a_token(client, token, role):
    assert len(chart(client, token[role], [1, 2, 3])["points"]) == 3


def test_a_session_cookie_post_needs_the_csrf_header(signed_in):
    client = signed_in("trust")
    response = client.post(URL, json=good())
    assert response.status_code == 400
    assert "X-CSRFToken" in response.get_json()["error"]["message"]
    assert client.post(URL, json=good(), headers={"X-CSRFToken": "not-the-token"}).status_code == 400
    response = client.post(URL, json=good(), headers={"X-CSRFToken": client.csrf_token("/")})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert len(response.get_json()["points"]) == 3


def test_a_token_post_with_a_session_cookie_needs_no_csrf(signed_in, token):
    client = signed_in("admin")
    assert client.post(URL, json=good(), headers=auth(token["trust"])).status_code == 200


def test_only_post_is_allowed(signed_in):
    response = signed_in("trust").get(URL)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
