"""The spread map in a real browser: drawn by map.js from its timeline, moved by keyboard, and the
table under it always saying what the map shows."""

from __future__ import annotations

import json
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tracker.adoption import services
from tracker.adoption.rules import EventInput
from tracker.calendar import today
from tracker.maps.layout import projection_for
from tracker.maps.outline import load_outline
from tracker.models import ChangeIdea, Organisation, User
from tracker.seed import DEMO_PASSWORD

# A history that makes April 2021 and today look different: (ODS, idea, stage, effective date).
HISTORY = [
    ("RNU", "RP-01", "implementing", date(2021, 4, 12)),
    ("R1C", "RP-02", "testing", date(2021, 4, 20)),  # Solent: open until 1 October 2024
    ("RXY", "RP-02", "testing", date(2022, 1, 5)),
    ("RXY", "RP-02", "spreading", date(2023, 3, 1)),
    ("RWV", "RP-01", "sustained", date(2023, 6, 1)),
    ("RH5", "RP-03", "considering", date(2024, 1, 15)),
]


@pytest.fixture
def history(seeded):
    manager = seeded.scalar(select(User).filter_by(email="manager@demo.invalid"))
    for ods, code, stage, day in HISTORY:
        services.append_event(
            seeded,
            manager,
            seeded.scalar(select(Organisation).filter_by(ods_code=ods)),
            seeded.scalar(select(ChangeIdea).filter_by(code=code)),
            EventInput(stage=stage, effective_date=day),
        )
    seeded.commit()
    return seeded


def drawn(page: Page, as_of: str) -> dict[str, str]:
    """Wait until map.js has drawn the month, then the map's ODS → stage."""
    figure = page.locator("#spread-map")
    expect(figure).to_have_attribute("data-drawn-as-of", as_of)
    expect(figure).to_have_attribute("data-state", "ready")
    colours = json.loads(figure.get_attribute("data-colours"))
    assert int(figure.get_attribute("data-node-count")) == len(colours)
    return colours


def table(page: Page) -> dict[str, str]:
    """The organisations table's ODS → stage, from each row, checked against its visible stage tag."""
    rows = page.locator("#spread-map-organisations tbody tr[data-ods]")
    result = {}
    for k in range(rows.count()):
        row = rows.nth(k)
        ods, stage = row.get_attribute("data-ods"), row.get_attribute("data-stage")
        label = "Not started" if stage == "none" else stage.capitalize()
        expect(row.locator(".nhsuk-tag")).to_have_text(label)
        expect(row.get_by_role("link")).to_have_count(1)
        result[ods] = stage
    return result


def test_the_map_draws_moves_through_the_months_and_matches_its_table(site, history):
    page = site.sign_in("manager")
    site.navigates(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Spread map").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Spread map")

    now = drawn(page, today().isoformat())
    assert len(now) == 13  # one node per organisation open today (Solent closed in 2024)
    assert (now["RNU"], now["RXY"], now["RWV"], now["RH5"], now["RTQ"]) == (
        "implementing",
        "spreading",
        "sustained",
        "considering",
        "none",
    )
    assert table(page) == now
    site.checked()  # axe, with the live map drawn

    # Keyboard: to the first month.
    month = page.get_by_label("Month shown")
    month.focus()
    page.keyboard.press("Home")
    april = drawn(page, "2021-04-30")
    expect(page.locator("#spread-map-month-label")).to_have_text("April 2021")
    expect(month).to_have_attribute("aria-valuetext", "April 2021")
    expect(page.locator("#spread-map-announce")).to_have_text("April 2021: 1 of 14 organisations have adopted.")
    assert april != now
    assert len(april) == 14 and april["R1C"] == "testing" and april["RNU"] == "implementing" and april["RXY"] == "none"
    # The table lists the organisations open on the page's day, with their stage in the month shown.
    assert table(page) == {ods: april[ods] for ods in now}
    expect(page.locator("#spread-map-organisations caption")).to_contain_text("30 April 2021")

    # One month on, then back to the last month, then one before it.
    page.keyboard.press("ArrowRight")
    drawn(page, "2021-05-31")
    page.keyboard.press("End")
    assert drawn(page, today().isoformat()) == now
    page.keyboard.press("ArrowLeft")
    last_month = date(today().year, today().month, 1).toordinal() - 1
    previous = drawn(page, date.fromordinal(last_month).isoformat())
    assert table(page) == previous
    site.checked()  # and no console or script error all along (the site fixture)


def test_hovering_or_focusing_shows_the_details_and_a_node_opens_its_organisation(site, history):
    page = site.sign_in("trust")
    site.goto("/spread-map?ambition=RP")
    drawn(page, today().isoformat())
    detail = page.locator("#spread-map-detail")

    # Keyboard: the organisation links in the table stand in for the nodes.
    page.get_by_role("link", name="Kent and Medway NHS and Social Care Partnership Trust").focus()
    expect(detail).to_contain_text("Kent and Medway NHS and Social Care Partnership Trust (RXY)")
    expect(detail).to_contain_text("Spreading")
    expect(detail).to_contain_text("Exposure")
    expect(page.locator("tr[data-ods=RXY]")).to_have_class("nhsuk-table__row app-map-table__row--highlighted")

    # Pointer: where RNU is (its place by the server's projection, which placed it), hover then click.
    projection = projection_for(load_outline())
    canvas = page.locator("#spread-map-canvas")
    canvas.scroll_into_view_if_needed()
    # Cytoscape caches the canvas's place on the page until the window's scroll event, which
    # comes with the next frame: a pointer event before it would be read against the old place.
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    box = canvas.bounding_box()
    zoom = box["width"] / projection.width
    x, y = projection.point(-1.258, 51.752)
    page.mouse.move(box["x"] + x * zoom, box["y"] + y * zoom, steps=4)
    expect(detail).to_contain_text("Oxford Health NHS Foundation Trust (RNU)")
    site.navigates(lambda: page.mouse.click(box["x"] + x * zoom, box["y"] + y * zoom))
    assert page.url.endswith("/organisations/RNU")


def test_play_steps_through_the_months_and_pause_stops(site, history):
    page = site.sign_in("faculty")
    site.goto("/spread-map?ambition=RP&as_of=2021-09-30")
    drawn(page, "2021-09-30")
    play = page.get_by_role("button", name="Play")
    play.focus()
    page.keyboard.press("Enter")  # at the last month, Play starts again from the first
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.locator("#spread-map-month-label")).to_have_text("June 2021", timeout=10_000)
    page.get_by_role("button", name="Pause").press("Enter")
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    stopped = page.locator("#spread-map-month-label").inner_text()
    page.wait_for_timeout(1500)
    expect(page.locator("#spread-map-month-label")).to_have_text(stopped)


def test_the_force_layout_groups_by_network(site, history):
    page = site.sign_in("manager")
    site.goto("/spread-map?ambition=RP&as_of=2024-06-30&layout=force")
    colours = drawn(page, "2024-06-30")
    assert len(colours) == 14
    assert table(page) == colours
    expect(page.locator(".app-map__outline")).to_have_count(0)
    site.checked()


def test_without_javascript_the_server_map_and_tables_remain(browser, live_server, history):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/sign-in")
        page.get_by_label("Email address").fill("faculty@demo.invalid")  # (no MFA step for faculty)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        page.goto(live_server.url + "/spread-map?ambition=RP&as_of=2025-01-01")
        image = page.get_by_role("img", name="13 organisations, placed where they are", exact=False)
        expect(image).to_be_visible()
        assert image.evaluate("(img) => img.complete && img.naturalWidth") == 800  # the SVG loaded, and drawn
        expect(page.locator(".app-map__live")).to_be_hidden()
        expect(page.locator("#spread-map-organisations tbody tr[data-ods]")).to_have_count(13)
        # (No axe here: it runs as a script, which this browser refuses. The same page with
        # scripts is checked above, and the map is one image with its text.)
    finally:
        context.close()
