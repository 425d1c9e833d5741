"""The layout check the browser tests share (LAYOUT_PROBLEMS): only a focusable, labelled region made for it
(.app-scroll-region) may scroll sideways; any other sideways scroll, or a figure wider than its box, is a problem."""

import pytest

WIDE = '<svg width="900" height="40" viewBox="0 0 900 40"><rect width="900" height="40"/></svg>'
PAGE = """<!doctype html><html lang="en"><head><title>Check</title>
<style>.scroll { overflow-x: auto; }</style></head><body><main><h1>Check</h1>BOX</main></body></html>"""


@pytest.mark.parametrize(
    ("box", "problem"),
    [
        (f'<div class="scroll">{WIDE}</div>', "scrolls sideways"),
        (f'<div class="scroll app-scroll-region" role="region" aria-label="Wide">{WIDE}</div>', "not a focusable"),
        (f'<div class="scroll app-scroll-region" tabindex="0" aria-label="Wide">{WIDE}</div>', "not a focusable"),
        (f'<div class="scroll app-scroll-region" role="region" tabindex="0">{WIDE}</div>', "not a focusable"),
        (f'<div class="scroll app-scroll-region" role="region" tabindex="0" aria-label="Wide">{WIDE}</div>', None),
    ],
)
def test_only_a_focusable_labelled_scroll_region_may_scroll_sideways(browser, layout_problems, box, problem):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        page.set_content(PAGE.replace("BOX", box))
        problems = layout_problems(page)
        if problem is None:
            assert problems == []
        else:
            assert any(problem in p for p in problems), problems
    finally:
        page.close()
