"""One optimistic-locking contract for every edit (tracker.editing).

Each edit form is filled as the browser would send it (every field of the form on its page, as
served), then sent with its version missing, garbled or stale. A missing or garbled version is
refused with one message and nothing changes; a stale one is a conflict with the reload-and-retry
message and nothing changes; the same form with the version it was served with saves (so the
"nothing changes" above is not for want of a change to make).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tracker.auth import tokens
from tracker.editing import CONFLICT_MESSAGE, VERSION_MISSING
from tracker.models import (
    Adoption,
    AdoptionEvent,
    ChangeIdea,
    ChangePackage,
    Driver,
    LearningLink,
    Network,
    Organisation,
    User,
)

GARBLED = ["", "one", "1.0", "-1", " 1", "9" * 30, "0x1"]
STALE = "changed by someone else since you opened it"  # CONFLICT_MESSAGE, and the log form's variant of it
BUTTON_STALE = "Nothing was changed: someone else changed"  # the buttons' flash says which row
assert STALE in CONFLICT_MESSAGE


class _Forms(HTMLParser):
    """The POST forms of a page: their action and the fields a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: list | None = None  # name, first value, selected value
        self._textarea: list | None = None  # name, text

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._fields = []
            if (a.get("method") or "get").lower() == "post":
                self.forms.append((a.get("action") or "", self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self._fields.append((a["name"], a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = [a.get("name"), None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[1] = value if self._select[1] is None else self._select[1]
            if "selected" in a:
                self._select[2] = value
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select" and self._select is not None and self._fields is not None:
            name, first, chosen = self._select
            self._fields.append((name, chosen if chosen is not None else first or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._fields is not None:
            self._fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None


def served_form(client, page: str, action: str) -> MultiDict:
    """The fields of the page's POST form to `action` (a form without one posts to the page)."""
    response = client.get(page)
    assert response.status_code == 200, page
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    found = [fields for to, fields in parser.forms if (to or page.split("?")[0]) == action]
    assert len(found) == 1, f"{len(found)} forms on {page} post to {action}"
    return MultiDict(found[0])


@dataclass(frozen=True)
class Edit:
    role: str
    page: str  # where the form is served
    action: str  # where it posts
    state: Callable  # session -> what a save would change (versions, rows, events)
    changes: dict = field(default_factory=dict)
    stale_text: str = STALE


def _one(session, model, **by):
    return session.scalar(select(model).filter_by(**by))


def _version(model, **by):
    def state(session):
        row = session.execute(select(model.id, model.row_version).filter_by(**by)).first()
        session.rollback()
        return None if row is None else tuple(row)

    return state


def _driver_id(session) -> int:
    """A primary driver of RRP (the seed has none)."""
    driver = Driver(package=_one(session, ChangePackage, code="RRP"), title="A driver to edit")
    session.add(driver)
    session.commit()
    return driver.id


def _trust_id(session) -> int:
    user_id = session.scalar(select(User.id).filter_by(email="trust@demo.invalid"))
    session.rollback()
    return user_id


def _ledger(session):
    events = session.scalar(select(func.count()).select_from(AdoptionEvent))
    versions = tuple(session.scalars(select(Adoption.row_version).order_by(Adoption.id)))
    session.rollback()
    return events, versions


def _edits(session) -> dict[str, Edit]:
    driver, trust = _driver_id(session), _trust_id(session)
    return {
        "package": Edit(
            "manager",
            "/packages/RRP/edit",
            "/packages/RRP/edit",
            _version(ChangePackage, code="RRP"),
            {"title": "Changed by the test"},
        ),
        "driver": Edit(
            "manager",
            f"/drivers/{driver}/edit",
            f"/drivers/{driver}/edit",
            _version(Driver, id=driver),
            {"title": "Changed by the test"},
        ),
        "delete driver": Edit(
            "manager", f"/drivers/{driver}/delete", f"/drivers/{driver}/delete", _version(Driver, id=driver)
        ),
        "idea": Edit(
            "manager",
            "/ideas/RP-01/edit",
            "/ideas/RP-01/edit",
            _version(ChangeIdea, code="RP-01"),
            {"title": "Changed by the test"},
        ),
        "organisation": Edit(
            "manager",
            "/organisations/RNU/edit",
            "/organisations/RNU/edit",
            _version(Organisation, ods_code="RNU"),
            {"name": "Changed by the test"},
        ),
        "close organisation": Edit(
            "manager",
            "/organisations/RNU/close",
            "/organisations/RNU/close",
            _version(Organisation, ods_code="RNU"),
            {"closed_on": "2024-01-31"},
        ),
        "reopen organisation": Edit(
            "manager",
            "/organisations/R1C",
            "/organisations/R1C/reopen",
            _version(Organisation, ods_code="R1C"),
            stale_text=BUTTON_STALE,
        ),
        "network": Edit(
            "manager",
            "/networks/OXF/edit",
            "/networks/OXF/edit",
            _version(Network, code="OXF"),
            {"name": "Changed by the test"},
        ),
        "link": Edit("manager", "/links/1/edit", "/links/1/edit", _version(LearningLink, id=1), {"note": "Changed"}),
        "delete link": Edit("manager", "/links/1/delete", "/links/1/delete", _version(LearningLink, id=1)),
        "confirm link": Edit(
            "manager",
            "/links?status=proposed",
            "/links/1/confirm",
            _version(LearningLink, id=1),
            stale_text=BUTTON_STALE,
        ),
        "account": Edit(
            "admin",
            f"/admin/users/{trust}/edit",
            f"/admin/users/{trust}/edit",
            _version(User, id=trust),
            {"name": "Changed by the test"},
        ),
        "log adoption": Edit(
            "faculty",
            "/organisations/RNU/adoption/RP-01/log",
            "/organisations/RNU/adoption/RP-01/log",
            _ledger,
            {"stage": "testing", "effective_date": "2024-05-01"},
        ),
    }


EDITS = [
    "package",
    "driver",
    "delete driver",
    "idea",
    "organisation",
    "close organisation",
    "reopen organisation",
    "network",
    "link",
    "delete link",
    "confirm link",
    "account",
    "log adoption",
]


def _send(client, edit: Edit, version):
    """The served form with the edit's changes, and `version` as its row_version (... as served; None: left out)."""
    data = served_form(client, edit.page, edit.action)
    assert "row_version" in data, f"{edit.page} serves no version"
    for name, value in edit.changes.items():
        data[name] = value
    if version is None:
        data.pop("row_version")
    elif version is not ...:
        data["row_version"] = version
    return client.post(edit.action, data=data, follow_redirects=True)


def _served_version(client, edit: Edit) -> int:
    return int(served_form(client, edit.page, edit.action)["row_version"])


@pytest.mark.parametrize("name", EDITS)
def test_the_form_as_served_saves(seeded, signed_in, name):
    edit = _edits(seeded)[name]
    client = signed_in(edit.role)
    before = edit.state(seeded)
    response = _send(client, edit, ...)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert VERSION_MISSING not in body and STALE not in body
    assert edit.state(seeded) != before


@pytest.mark.parametrize("version", [None, *GARBLED], ids=["missing", *(repr(v) for v in GARBLED)])
@pytest.mark.parametrize("name", EDITS)
def test_a_missing_or_garbled_version_is_refused_and_changes_nothing(seeded, signed_in, name, version):
    edit = _edits(seeded)[name]
    client = signed_in(edit.role)
    before = edit.state(seeded)
    response = _send(client, edit, version)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert VERSION_MISSING in body
    assert STALE not in body
    assert edit.state(seeded) == before


@pytest.mark.parametrize("name", EDITS)
def test_a_stale_version_is_a_conflict_and_changes_nothing(seeded, signed_in, name):
    edit = _edits(seeded)[name]
    client = signed_in(edit.role)
    before = edit.state(seeded)
    response = _send(client, edit, str(_served_version(client, edit) + 1))
    assert response.status_code in (200, 409)
    body = response.get_data(as_text=True)
    assert edit.stale_text in body
    assert VERSION_MISSING not in body
    assert edit.state(seeded) == before


# The API: POST /api/v1/adoptions carries expected_version (0 before the record's first event).

BODY = {"organisation": "RNU", "intervention": "RP-01", "stage": "testing", "effective_date": "2024-05-01"}


@pytest.fixture
def bearer(seeded):
    raw = tokens.issue_token(seeded, _one(seeded, User, email="manager@demo.invalid"))
    seeded.commit()
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize(
    "version", [..., None, "0", "one", -1, 1.5, True, 10**12], ids=lambda v: "missing" if v is ... else repr(v)
)
def test_the_api_refuses_a_missing_or_garbled_expected_version(client, seeded, bearer, version):
    before = _ledger(seeded)
    body = BODY if version is ... else {**BODY, "expected_version": version}
    response = client.post("/api/v1/adoptions", json=body, headers=bearer)
    assert response.status_code == 422
    assert "expected_version" in response.get_json()["error"]["fields"]
    assert _ledger(seeded) == before


def test_the_api_answers_a_stale_expected_version_with_a_conflict(client, seeded, bearer):
    assert client.post("/api/v1/adoptions", json={**BODY, "expected_version": 0}, headers=bearer).status_code == 201
    before = _ledger(seeded)
    response = client.post(
        "/api/v1/adoptions", json={**BODY, "stage": "implementing", "expected_version": 0}, headers=bearer
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["current"]["version"] == 1
    assert _ledger(seeded) == before
    moved = client.post(
        "/api/v1/adoptions", json={**BODY, "stage": "implementing", "expected_version": 1}, headers=bearer
    )
    assert moved.status_code == 201
