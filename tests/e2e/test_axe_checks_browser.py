"""The axe-core check the browser tests share: a page state seen before keeps its verdict, and a page
whose markup, form fields or width changed is checked again."""

PAGE = """<!doctype html><html lang="en"><head><title>Check</title>
<style>@media (max-width: 500px) { .faint { color: #ddd; } }</style></head>
<body><main><h1>Check</h1><p class="faint">Read me at any width.</p>MORE</main></body></html>"""


def test_a_page_whose_markup_changed_is_checked_again(browser, axe_violations):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.set_content(PAGE.replace("MORE", ""))
        assert axe_violations(page) == []
        page.evaluate("""document.querySelector("main").insertAdjacentHTML("beforeend", '<img src="data:,">')""")
        assert [v["id"] for v in axe_violations(page)] == ["image-alt"]
    finally:
        page.close()


def test_the_same_markup_at_another_width_is_checked_again(browser, axe_violations):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.set_content(PAGE.replace("MORE", '<label for="q">Search</label><input id="q" name="q">'))
        assert axe_violations(page) == []
        page.set_viewport_size({"width": 375, "height": 800})
        assert [v["id"] for v in axe_violations(page)] == ["color-contrast"]
    finally:
        page.close()
