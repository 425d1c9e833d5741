"""In a real browser, by keyboard only: a manager adds a measure, and trust staff add a ward to their own
trust (on a phone). Every page on the way is checked with axe-core at a desktop and a phone width."""

from playwright.sync_api import expect

PHONE = {"width": 375, "height": 812}


def test_a_manager_adds_a_measure_by_keyboard(site):
    page = site.sign_in("manager")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Measures").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.locator("#measure-RP-RESTRAINT")).to_contain_text("Restraint incidents per 1,000 occupied bed days")
    page.get_by_role("button", name="Add a measure").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))

    page.get_by_label("Code").focus()
    page.keyboard.type("ssh-harm")
    page.keyboard.press("Tab")  # to the ambition
    page.keyboard.type("Reduce suicide")
    page.keyboard.press("Tab")
    page.keyboard.type("Self-harm incidents")
    page.get_by_label("Outcome – what the ambition is about, like restraint incidents").focus()
    page.keyboard.press("Space")
    page.get_by_label("Numerator").focus()
    page.keyboard.type("Self-harm incidents")
    page.keyboard.press("Tab")
    page.keyboard.type("Occupied bed days")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("0")  # a scale the service refuses: the error summary takes focus
    page.get_by_label("Lower is better").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Add measure").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the scale as a whole number of 1 or more, like 1000")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the summary's link goes to the scale
    expect(page.get_by_label("Scale")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("1000")
    page.get_by_role("button", name="Add measure").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))

    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "The measure Self-harm incidents (SSH-HARM) has been added."
    )
    main = page.locator("main")
    expect(main).to_contain_text("Self-harm incidents per 1,000 occupied bed days")
    expect(main).to_contain_text("No public source is recorded for this measure")
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-harm incidents")


def test_trust_staff_add_a_ward_to_their_own_trust_by_keyboard_on_a_phone(site):
    page = site.sign_in("trust")
    page.set_viewport_size(PHONE)
    site.goto("/organisations/RNU")
    page.get_by_role("link", name="See the wards of Oxford Health NHS Foundation Trust").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.locator("main")).to_contain_text("No wards are recorded for Oxford Health NHS Foundation Trust.")
    page.get_by_role("button", name="Add a ward").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))

    page.get_by_label("Name").focus()
    page.keyboard.type("Cedar Ward")
    page.keyboard.press("Tab")  # to the service
    page.keyboard.type("Psychiatric")
    page.get_by_label("Open from").fill(
        "2019-04-01"
    )  # as the adoption test does: typed digits follow the browser's locale
    page.get_by_role("button", name="Add ward").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))

    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Cedar Ward has been added to the wards of Oxford Health NHS Foundation Trust."
    )
    row = page.locator("#ward-1")
    expect(row).to_contain_text("Psychiatric intensive care (PICU)")
    expect(row).to_contain_text("1 April 2019")
    expect(row).to_contain_text("Open")
