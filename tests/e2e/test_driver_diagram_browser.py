"""A change package's drawn driver diagram in a real browser: it fits a desktop page, scrolls in its own
region on a phone (never the page), its text fits its boxes in the real font, the keyboard reaches every
idea, and it prints on a landscape A4 page. The `site` fixture checks every page with axe-core and for
sideways scrolling at 1280 and 375 px."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from tests.factories import add_driver, add_events, add_idea
from tracker.core.driver_layout import PAD_X

IDEAS = ["RP-07", "RP-05", "RP-06", "RP-08", "RP-01", "RP-02", "RP-03", "RP-04"]  # in the diagram's order


def arrange(seeded) -> None:
    """RRP with ideas under a primary and a secondary driver, a driver with nothing under it, and the
    seeded ideas not yet placed under a driver; some in use."""
    primary = add_driver(seeded, "RRP", "Patients shape their own care")
    secondary = add_driver(seeded, "RRP", "Care plans written with patients, reviewed at every ward round", primary)
    add_idea(seeded, "RRP", "RP-07", "Patient-led community meeting", driver_id=primary)
    add_idea(seeded, "RRP", "RP-05", "Safety huddles", driver_id=secondary)
    add_idea(seeded, "RRP", "RP-06", "Sensory room with patient-chosen items", driver_id=secondary)
    calm = add_driver(seeded, "RRP", "Calm ward environment")
    add_driver(seeded, "RRP", "Staff debriefs", calm)  # a secondary driver with no ideas yet
    add_idea(seeded, "RRP", "RP-08", "Supercalifragilisticexpialidociously-long-hyphenated-idea-name", driver_id=calm)
    add_driver(seeded, "RRP", "Leadership")  # nothing under it at all
    organisations = ["RNU", "RWX", "RW1", "R1F", "RDY", "RX2", "RXX", "RXY", "RVN", "RTQ", "RJ8"]
    add_events(seeded, [(ods, "RP-05", "implementing", date(2024, 1, 1)) for ods in organisations])
    add_events(seeded, [("RNU", "RP-06", "sustained", date(2024, 1, 1)), ("RWX", "RP-07", "testing", date(2024, 1, 1))])


# Each text line's real width and place, against its box (the rect before it in the same link or group).
TEXT_OUTSIDE = """
(svg, pad) => {
  const problems = [];
  for (const text of svg.querySelectorAll(".app-driver-box text")) {
    const rect = text.previousElementSibling;
    const box = {x: +rect.getAttribute("x"), y: +rect.getAttribute("y"), w: +rect.getAttribute("width"), h: +rect.getAttribute("height")};
    for (const line of text.querySelectorAll("tspan")) {
      const b = line.getBBox();
      if (b.x < box.x + pad - 0.5 || b.x + b.width > box.x + box.w - pad / 2 || b.y < box.y || b.y + b.height > box.y + box.h) {
        problems.push(`${line.textContent}: ${Math.round(b.width)} wide at ${Math.round(b.x)},${Math.round(b.y)} in ${JSON.stringify(box)}`);
      }
    }
  }
  return problems;
}
"""


def test_the_diagram_reads_left_to_right_fits_its_boxes_and_every_idea_is_reached_by_keyboard(site, seeded):
    arrange(seeded)
    site.sign_in("trust")
    page = site.goto("/packages/RRP")  # axe-core, and no sideways scrolling of the page at 1280 and 375 px

    figure = page.get_by_role("figure", name=re.compile("^The driver diagram of Reducing Restrictive Practice"))
    region = figure.get_by_role("region", name="Driver diagram (scrolls sideways on a narrow screen)")
    svg = region.locator("svg.app-driver-svg")
    # At 1280 px the whole drawing shows at its own size, with nothing to scroll.
    assert region.evaluate("r => r.scrollWidth <= r.clientWidth")
    assert svg.evaluate("s => s.getBoundingClientRect().width") >= 900
    assert svg.evaluate(TEXT_OUTSIDE, PAD_X) == []
    links = svg.locator("a")
    assert links.evaluate_all("as => as.map(a => a.dataset.idea)") == IDEAS
    huddles = svg.get_by_role("link", name="RP-05 Safety huddles: in use at 11 trusts")
    expect(huddles).to_have_attribute("data-shade", "4")
    expect(figure).to_contain_text("10 or more trusts")
    expect(svg).to_contain_text("No secondary drivers or change ideas yet")
    expect(svg).to_contain_text("No change ideas yet")
    expect(svg).to_contain_text("Not yet placed under a driver")

    # From the top of the page the keyboard reaches every idea, in the diagram's order, through the region.
    page.set_viewport_size({"width": 375, "height": 800})
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")  # the drawing keeps a readable size
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.locator("body").focus()
    reached, region_focused = [], False
    for _ in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const a = document.activeElement; return [a.dataset.idea || null, a.classList.contains('app-driver-scroll')]; }"
        )
        region_focused |= focused[1]
        if focused[0]:
            reached.append(focused[0])
            # The focused box is scrolled into the region's view.
            inside = page.evaluate(
                """() => { const a = document.activeElement.getBoundingClientRect(),
                r = document.querySelector('.app-driver-scroll').getBoundingClientRect();
                return a.left >= r.left - 1 && a.right <= r.right + 1; }"""
            )
            assert inside, focused[0]
        if len(reached) == len(IDEAS):
            break
    assert region_focused and reached == IDEAS
    # The keyboard scrolls the region too, then Enter follows the focused idea's link.
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Knowing patients")


def test_the_diagram_prints_on_a_landscape_a4_page_scaled_to_its_width(site, seeded):
    arrange(seeded)
    site.sign_in("manager")
    page = site.goto("/packages/RRP")
    page.emulate_media(media="print")
    sizes = page.evaluate(
        """() => { const s = document.querySelector('.app-driver-svg').getBoundingClientRect();
        return [s.width, document.documentElement.clientWidth, getComputedStyle(document.querySelector('.app-driver-figure')).page]; }"""
    )
    assert sizes[0] <= sizes[1] and sizes[2] == "driver-diagram"
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    pages = [(round(float(w)), round(float(h))) for w, h in boxes]
    assert pages.count((842, 595)) == 1, pages  # the diagram on one A4 landscape page (in points)
    assert (595, 842) in pages, pages  # the rest of the page prints upright
