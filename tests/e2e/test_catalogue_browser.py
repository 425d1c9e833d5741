"""Trust staff browse the change packages and search change ideas in a real browser."""

from playwright.sync_api import expect


def test_trust_lead_browses_a_package_and_opens_an_idea(site):
    page = site.sign_in("trust")
    site.navigates(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Change packages").click)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    site.navigates(page.get_by_role("link", name="Reduce restrictive practice").first.click)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reduce restrictive practice")
    expect(page.locator("main")).to_contain_text("2023")  # the revised target's date is shown
    site.navigates(page.get_by_role("link", name="Reducing Restrictive Practice (RRP)").first.click)
    main = page.locator("main")
    expect(main).to_contain_text("National Collaborating Centre for Mental Health")
    expect(main).to_contain_text("Collaborative care planning")
    expect(main).to_contain_text("Broset Violence Checklist")
    site.navigates(page.get_by_role("link", name="Collaborative care planning").first.click)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Collaborative care planning")
    expect(page.locator("main")).to_contain_text("Care plan written with the patient")


def test_related_framework_is_labelled_as_not_an_mhsip_package(site):
    page = site.sign_in("trust")
    site.goto("/packages/NCISH")
    expect(page.locator("main")).to_contain_text("not an MHSIP change package")


def test_search_from_the_header_by_keyboard(site):
    page = site.sign_in("trust")
    page.get_by_label("Search change ideas").focus()
    page.keyboard.type("recovery TREE")
    site.navigates(lambda: page.keyboard.press("Enter"))
    main = page.locator("main")
    expect(main).to_contain_text("Creating a recovery tree")
    expect(main).not_to_contain_text("Collaborative care planning")
    site.navigates(page.get_by_role("link", name="Creating a recovery tree").first.click)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Creating a recovery tree")


def test_search_with_no_results_says_so(site):
    page = site.sign_in("trust")
    site.goto("/search?q=zebra+crossing")
    expect(page.locator("main")).to_contain_text("No change ideas")


def test_manager_adds_a_driver_and_places_an_idea_under_it(site):
    page = site.sign_in("manager")
    site.goto("/packages/RRP")
    site.navigates(page.get_by_role("link", name="Add a primary driver").first.click)
    page.get_by_label("Title").fill("Patient involvement")
    site.navigates(page.get_by_role("button", name="Add driver").click)
    expect(page.locator("main")).to_contain_text("Patient involvement")
    site.goto("/ideas/RP-01/edit")
    page.get_by_label("Driver").select_option(label="Patient involvement")
    site.navigates(page.get_by_role("button", name="Save change idea").click)
    site.goto("/packages/RRP")
    driver = page.locator(".app-driver-diagram > li", has_text="Patient involvement")
    expect(driver.locator("#idea-RP-01")).to_contain_text("Collaborative care planning")
    expect(driver).not_to_contain_text("Creating a recovery tree")  # still unplaced
