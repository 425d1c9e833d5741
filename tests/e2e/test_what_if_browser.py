"""The what-if page in a real browser, by keyboard alone: a faculty member ticks two organisations and sees
the forecast move beside the baseline, then runs a weighted linear threshold simulation. Every page is
checked by the `site` fixture (axe-core, CSP, console and requests, no sideways scrolling at desktop and
phone widths)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.helpers import rows_of
from tracker.calendar import today
from tracker.core.stages import DEFAULT_THRESHOLD
from tracker.forecast import whatif
from tracker.forecast.queries import panel_for
from tracker.reports.service import ambition_named, scope

URL = "/forecast/what-if?ambition=RP"


def tab_to(page: Page, target: Locator, most: int = 120) -> None:
    """Press Tab until the target has the focus, as a keyboard user would."""
    for _ in range(most):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def test_a_scenario_and_a_simulation_by_keyboard_alone(site, demo_history):
    site.sign_in("faculty")
    page = site.goto(URL)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reduce restrictive practice")
    expect(page.get_by_role("button", name="Use the recommendation")).to_be_visible()

    # Tick two organisations with Space, then Enter on the button.
    surrey = page.get_by_role("checkbox", name=re.compile(r"\(RXX\)"))
    southern = page.get_by_role("checkbox", name=re.compile(r"\(RW1\)"))
    tab_to(page, surrey)
    page.keyboard.press("Space")
    tab_to(page, southern)
    page.keyboard.press("Space")
    expect(surrey).to_be_checked()
    expect(southern).to_be_checked()
    show = page.get_by_role("button", name="Show the scenario")
    tab_to(page, show)
    site.navigates(lambda: page.keyboard.press("Enter"))

    expect(page.get_by_role("img", name=re.compile(r"^Baseline: reach of reduce restrictive practice"))).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile(r"^Scenario: reach of .* with RW1, RXX engaged now"))
    ).to_be_visible()
    rows = rows_of(page.locator("#comparison-table").evaluate("t => t.outerHTML"))

    def median(cell: str) -> float:  # "Scenario median 41.2%": the figure after the heading phones see
        return float(re.findall(r"([\d.]+)%", cell)[-1])

    assert rows and all(median(row[3]) >= median(row[1]) for row in rows)
    assert median(rows[-1][3]) > median(rows[-1][1])
    expect(page.locator("[data-summary]")).to_contain_text("Engaging")
    expect(surrey).to_be_checked()  # the picks stay, to change

    # A weighted linear threshold from today's adopters: arrow keys choose the radio, Enter runs it.
    tab_to(page, page.get_by_role("radio", name="Independent cascade"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Weighted linear threshold")).to_be_checked()
    run = page.get_by_role("button", name="Run the simulation")
    tab_to(page, run)
    site.navigates(lambda: page.keyboard.press("Enter"))

    panel = panel_for(
        demo_history, scope(demo_history, ambition_named(demo_history, "RP"), None), DEFAULT_THRESHOLD, today()
    )
    spread = whatif.simulate(
        panel,
        "linear_threshold",
        sorted(o for o in panel.adopters_before(panel.months) if panel.is_open(o, panel.months - 1)),
        runs=500,
        seed=0,
    )
    expect(page.locator("[data-spread]")).to_contain_text(
        f"reaches {spread.expected:.1f} of the {spread.organisations}"
    )
    table = page.locator("#reached-table tbody tr")
    expect(table).to_have_count(spread.organisations)
    expect(table.first).to_contain_text("Start")
    # The scenario is still there beside it.
    expect(page.get_by_role("img", name=re.compile(r"^Scenario: reach"))).to_be_visible()


def test_trust_staff_run_a_scenario_without_the_recommendation(site, demo_history):
    site.sign_in("trust")
    page = site.goto(URL + "&codes=RVN&scenario=show")
    expect(page.get_by_role("img", name=re.compile(r"^Scenario: reach .* with RVN engaged now"))).to_be_visible()
    expect(page.get_by_role("button", name="Use the recommendation")).to_have_count(0)
    page = site.goto(URL + "&codes=ZZZ9&scenario=show")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("No organisation has the ODS code ZZZ9")
