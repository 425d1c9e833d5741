"""Every page of the service, as each kind of user sees it, checked with axe-core in Chromium.

The pages come from the access table, so a new page is toured as soon as it is added there.
"""

from datetime import UTC, date, datetime

import pytest
from flask import url_for
from playwright.sync_api import expect
from sqlalchemy import select

from tests.factories import add_events
from tests.helpers import EXPECTED
from tracker.leads import services as leads
from tracker.models import (
    AmbitionTarget,
    ApiToken,
    ChangeIdea,
    ChangePackage,
    Driver,
    Measure,
    MeasureValue,
    TargetMeasure,
    User,
    Ward,
    WardService,
)

NOT_PAGES = (
    "api.",
    "health.",  # JSON for load balancers
    "spreadsheets.events_file",
    "spreadsheets.records_file",
    "reports.download",
    "forecast.download",
    "measures.chart_download",
    "measures.summary_download",
    "maps.spread_map_timeline",  # JSON the map's script asks for, not a page
    "maps.spread_map_svg",  # the map as an image, on the spread map page
    "maps.outline_svg",  # the live map's background image
    "adoption.start",
    "auth.sign_in",
    "oidc.",  # redirects to and from the identity provider (their pages: test_work_account_browser)
    "auth.reauthenticate_with_work_account",  # a redirect to the identity provider, as oidc.start
    "measures.import_template",  # a CSV file
    "spreadsheets.import_template_file",  # a CSV or XLSX file
)


def _name_leads(session, lead: User) -> None:
    """RNU's record of RP-01 with a lead who agreed and a Life QI link, and RNU's QI lead: the pages show them."""
    add_events(session, [("RNU", "RP-01", "implementing", date(2024, 1, 1))])
    admin = session.scalar(select(User).filter_by(email="admin@demo.invalid"))
    idea = session.scalar(select(ChangeIdea).filter_by(code="RP-01"))
    choice = leads.LeadChoice(lead.email, agreed=True)
    project = "https://www.lifeqisystem.com/projects/4521"
    leads.set_record_lead(session, admin, lead.organisation, idea, choice, project, 0, has_record=True)
    leads.set_organisation_lead(session, admin, lead.organisation, choice, 0)


@pytest.fixture
def page_urls(app, seeded):
    package = seeded.scalar(select(ChangePackage).filter_by(code="RRP"))
    user = seeded.scalar(select(User).filter_by(email="trust@demo.invalid"))
    rnu = user.organisation
    measure_id = seeded.scalar(select(Measure.id).filter_by(code="RP-RESTRAINT"))
    primary = Driver(package=package, title="Involving patients")
    seeded.add_all([primary, Driver(package=package, parent=primary, title="Care planning together")])
    token = ApiToken(
        user=user, token_hash="1" * 64, prefix="st_tour", name="Tour", expires_at=datetime(2100, 1, 1, tzinfo=UTC)
    )
    seeded.add(token)
    ward = Ward(organisation=rnu, name="Cedar Ward", service=WardService.PICU)
    value = MeasureValue(
        measure_id=measure_id,
        organisation_id=user.organisation_id,
        month=date(2024, 3, 1),
        numerator=12,
        denominator=2890,
    )
    target = AmbitionTarget(
        ambition_id=package.ambition_id,
        label="Tour",
        text="60% of wards in scope",
        target_date=date(2030, 3, 31),
        measure=TargetMeasure.WARD_COVERAGE,
        value=60,
    )
    seeded.add_all([ward, value, target])
    seeded.commit()
    # A record not confirmed for long, so the Needs an update page shows its table.
    add_events(seeded, [("RNU", "RP-01", "implementing", date(2024, 1, 15))])
    _name_leads(seeded, user)
    placeholders = {
        "driver": primary.id,
        "user": user.id,
        "token": token.id,
        "ward": ward.id,
        "value": value.id,
        "target": target.id,
    }

    def urls(role):
        with app.test_request_context():
            for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
                if rule.endpoint == "static" or rule.endpoint.startswith(NOT_PAGES) or "GET" not in rule.methods:
                    continue
                allowed, values = EXPECTED[rule.endpoint]
                if role in allowed:
                    values = {k: placeholders.get(v, v) if isinstance(v, str) else v for k, v in values.items()}
                    yield url_for(rule.endpoint, **values)

    return urls


@pytest.mark.parametrize("role", ["trust", "faculty", "manager", "admin"])
def test_every_page_passes_axe_for_each_role(site, page_urls, role):
    page = site.sign_in(role)
    visited = 0
    for url in page_urls(role):
        response = page.goto(site.base_url + url)
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        site.checked()
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        visited += 1
    assert visited >= 15


def test_public_pages_pass_axe(site):
    site.goto("/sign-in")
    site.goto("/accessibility")
    response = site.page.goto(site.base_url + "/no-such-page")
    assert response.status == 404
    site.checked()
