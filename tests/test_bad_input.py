"""Bad input is a 400, a 404 or a field error, never a 500: NUL, numbers and dates out of range, files
where text belongs; and the 500 page draws even when the request's database session is broken."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from sqlalchemy import func, select

from tests.helpers import FormClient, assert_security_headers, count_statements
from tracker.access import public
from tracker.auth.tokens import issue_token
from tracker.catalogue.services import DriverDetails, create_driver
from tracker.db import get_session
from tracker.models import AdoptionEvent, AuditEvent, ChangeIdea, ChangePackage, Driver, Network, User

HUGE = str(2**31)  # one past PostgreSQL's integer
NUL_MESSAGE = "The request contains a NUL character"


@pytest.fixture
def driver(seeded) -> Driver:
    """A primary driver in the package of RP-01 (the reference data has none)."""
    package = seeded.scalar(select(ChangeIdea).filter_by(code="RP-01")).package
    made = create_driver(seeded, package, DriverDetails(title="Safer observation"))
    seeded.commit()
    return made


# NUL -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/adoptions?organisation=%00",
        "/api/v1/adoptions?as_of=2024-01-01%00",
        "/api/v1/interventions/RP-01%00",
        "/api/v1/organisations?%00=1",
    ],
)
def test_nul_in_an_api_query_or_path_is_a_json_400(signed_in, url):
    response = signed_in("faculty").get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_json()["error"]["message"]
    assert_security_headers(response)


@pytest.mark.parametrize(
    "url", ["/ideas/RP-01%00", "/organisations?q=%00", "/coverage?ambition=A1%00", "/search?q=%00"]
)
def test_nul_in_a_page_address_is_a_400_page(signed_in, url):
    response = signed_in("manager").get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)
    assert_security_headers(response)


@pytest.mark.parametrize(
    "data",
    [
        {"email": "admin@demo.invalid\x00", "password": "x"},
        {"email": "admin@demo.invalid", "password": "x\x00"},
        {"email": "admin@demo.invalid", "password": "x", "extra\x00": "1"},
    ],
)
def test_nul_in_the_anonymous_sign_in_form_is_a_400_and_signs_nobody_in(seeded, client, data):
    response = client.submit("/sign-in", data)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)
    assert_security_headers(response)
    assert client.get("/").status_code == 302  # still signed out


def test_nul_in_a_form_field_or_file_name_changes_nothing(signed_in, seeded, driver):
    client = signed_in("manager")
    title = driver.title
    response = client.submit(f"/drivers/{driver.id}/edit", {"title": "New\x00title", "row_version": "1"})
    assert response.status_code == 400
    upload = {"file": (io.BytesIO(b"ods_code\r\n"), "a\x00.csv")}
    response = client.submit("/spreadsheets/import", upload, content_type="multipart/form-data")
    assert response.status_code == 400
    seeded.expire_all()
    assert seeded.get(Driver, driver.id).title == title


# The 500 page with a broken session ------------------------------------------------------------


@pytest.fixture
def breaking_app(make_app):
    """An app with a public route that breaks the request's session (a failed flush), then raises."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @public
    def break_session():
        session = get_session()
        session.add(Network())  # no code nor name: the database refuses the row
        with contextlib.suppress(Exception):  # swallowed, as a buggy view might: the session stays broken
            session.flush()
        raise RuntimeError("an unexpected bug")

    app.add_url_rule("/break-session", "break_session", break_session)
    app.add_url_rule("/api/v1/break-session", "api_break_session", break_session)
    return app


def test_the_500_page_draws_without_the_database_when_the_session_is_broken(breaking_app, seeded):
    client = FormClient(breaking_app.test_client())
    client.sign_in_as("manager")  # the page would otherwise load this user through the broken session
    with count_statements(breaking_app) as statements:
        response = client.get("/break-session")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in body and "unexpected bug" not in body
    assert_security_headers(response)
    assert [s for s in statements if not s.lstrip().upper().startswith("INSERT")] == []
    assert client.get("/").status_code == 200  # the next request is served as ever


def test_the_api_500_is_json_when_the_session_is_broken(breaking_app, seeded):
    client = FormClient(breaking_app.test_client())
    client.sign_in_as("manager")
    response = client.get("/api/v1/break-session")
    assert response.status_code == 500
    assert response.get_json()["error"]["status"] == 500
    assert_security_headers(response)


# Numbers and dates out of range ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/drivers/{HUGE}/edit",
        f"/drivers/{HUGE}/delete",
        "/drivers/99999999999999999999999999999999/edit",
        f"/admin/users/{HUGE}/edit",
        f"/admin/users/{HUGE}/password",
        f"/links/{HUGE}/edit",
    ],
)
def test_an_id_beyond_the_database_range_in_an_address_is_404(signed_in, path):
    assert signed_in("admin").get(path).status_code == 404


def test_posting_to_an_id_beyond_the_database_range_is_404(signed_in, seeded):
    client = signed_in("admin")
    admin = seeded.scalar(select(User).filter_by(email="admin@demo.invalid"))
    issue_token(seeded, admin)
    seeded.commit()
    token = client.csrf_token("/")
    for path in (
        f"/admin/users/{admin.id}/tokens/{HUGE}/revoke",
        f"/admin/users/{HUGE}/tokens/1/revoke",
        f"/drivers/{HUGE}/move",
        f"/links/{HUGE}/confirm",
    ):
        assert client.post(path, data={"csrf_token": token, "direction": "up"}).status_code == 404, path
    assert client.delete(f"/api/v1/links/{HUGE}", headers={"X-CSRFToken": token}).status_code == 404


def test_a_parent_or_driver_id_beyond_the_range_is_a_field_error(signed_in, seeded, driver):
    client = signed_in("manager")
    response = client.submit(
        f"/drivers/{driver.id}/edit", {"title": "Changed", "row_version": str(driver.row_version), "parent_id": HUGE}
    )
    assert response.status_code == 200
    assert "Choose a primary driver of this package" in response.get_data(as_text=True)
    idea = seeded.scalar(select(ChangeIdea).where(ChangeIdea.package_id == driver.package_id))
    response = client.submit(
        f"/ideas/{idea.code}/edit",
        {"code": idea.code, "title": "Changed", "row_version": str(idea.row_version), "driver_id": "9" * 40},
    )
    assert response.status_code == 200
    assert "Choose a driver of this package" in response.get_data(as_text=True)
    seeded.expire_all()
    assert seeded.get(Driver, driver.id).title != "Changed" and seeded.get(ChangeIdea, idea.id).title != "Changed"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"wards_using": "9" * 400}, "Enter a whole number of wards from 0 to 10,000"),
        ({"wards_in_scope": HUGE}, "Enter a whole number of wards from 0 to 10,000"),
        ({"corrects_event_id": HUGE}, "Choose an earlier entry of this record"),
    ],
)
def test_a_number_beyond_the_range_in_the_log_form_is_a_field_error(signed_in, seeded, changes, message):
    client = signed_in("manager")
    url = "/organisations/RNU/adoption/RP-01/log"
    data = {"stage": "testing", "effective_date": "2024-05-01", "row_version": "0", **changes}
    response = client.submit(url, data)
    assert response.status_code in (200, 422)
    assert message in response.get_data(as_text=True)
    assert seeded.scalar(select(func.count()).select_from(AdoptionEvent)) == 0


@pytest.mark.parametrize(
    "query", [f"page={'9' * 40}", f"page={HUGE}", "until=9999-12-31", "since=0001-01-01&until=9999-12-31"]
)
def test_the_audit_log_takes_far_pages_and_dates(signed_in, query):
    client = signed_in("admin")
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200


def test_the_audit_log_up_to_the_last_day_there_is_shows_everything(signed_in, seeded):
    client = signed_in("admin")
    html = client.get("/admin/audit?until=9999-12-31").get_data(as_text=True)
    assert seeded.scalar(select(func.count()).select_from(AuditEvent)) > 0
    assert "sign_in" in html or "sign in" in html


# Files where text belongs ----------------------------------------------------------------------

CATALOGUE_FORMS = {
    "new package": ("/packages/new", ["code", "title", "publisher", "version", "source_url", "summary"]),
    "edit package": ("/packages/{package}/edit", ["code", "title", "publisher", "provenance_note"]),
    "new driver": ("/packages/{package}/drivers/new", ["title", "description", "parent_id"]),
    "edit driver": ("/drivers/{driver}/edit", ["title", "description", "parent_id"]),
    "new idea": ("/packages/{package}/ideas/new", ["code", "title", "description", "driver_id", "source_url"]),
    "edit idea": ("/ideas/{idea}/edit", ["code", "title", "description", "driver_id", "provenance_note"]),
}
LABELS = {
    "code": "Code",
    "title": "Title",
    "publisher": "Publisher",
    "version": "Version",
    "source_url": "Source web address",
    "summary": "Aim",
    "provenance_note": "Provenance note",
    "description": "Description",
    "parent_id": "Where it sits",
    "driver_id": "Driver",
}


def _catalogue_counts(session) -> tuple:
    session.expire_all()
    return tuple(
        (session.scalar(select(func.count()).select_from(model)), session.scalar(select(func.max(model.row_version))))
        for model in (ChangePackage, Driver, ChangeIdea)
    )


@pytest.mark.parametrize("form", CATALOGUE_FORMS)
def test_a_file_in_a_text_field_of_a_catalogue_form_is_a_field_error(signed_in, seeded, driver, form):
    client = signed_in("manager")
    idea = seeded.scalar(select(ChangeIdea).where(ChangeIdea.package_id == driver.package_id))
    path, fields = CATALOGUE_FORMS[form]
    url = path.format(package=driver.package.code, driver=driver.id, idea=idea.code)
    before = _catalogue_counts(seeded)
    data = {name: (io.BytesIO(b"a file, not text"), f"{name}.txt") for name in fields}
    response = client.submit(url, data, content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in fields:
        assert f"{LABELS[name]} must be text: a file cannot be sent in this field" in html
    assert _catalogue_counts(seeded) == before


def test_a_file_in_the_delete_driver_form_deletes_nothing(signed_in, seeded, driver):
    client = signed_in("manager")
    data = {"row_version": (io.BytesIO(str(driver.row_version).encode()), "v.txt")}
    response = client.submit(f"/drivers/{driver.id}/delete", data, content_type="multipart/form-data")
    assert response.status_code == 200
    seeded.expire_all()
    assert seeded.get(Driver, driver.id) is not None


def test_an_api_body_sent_as_a_form_content_type_is_still_read_as_json(client, seeded):
    """The NUL check leaves API bodies to the API, which reads JSON whatever the Content-Type says."""
    raw = issue_token(seeded, seeded.scalar(select(User).filter_by(email="manager@demo.invalid")))
    seeded.commit()
    body = {"organisation": "RNU", "intervention": "SS-01", "stage": "testing", "effective_date": "2024-05-01"}
    response = client.post(
        "/api/v1/adoptions",
        data=json.dumps({**body, "expected_version": 0}),
        content_type="application/x-www-form-urlencoded",  # what curl -d sends
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)


def test_a_multipart_part_without_a_readable_name_is_no_500(client):
    data = {"csrf_token": client.csrf_token(), "\rbroken": (io.BytesIO(b"a"), "x.csv"), "a": "\r\n"}
    assert client.post("/sign-in", data=data).status_code < 500
