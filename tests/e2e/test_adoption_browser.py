"""Faculty log adoption in a real browser, by keyboard; trust staff cannot reach the form."""

from playwright.sync_api import expect


def test_faculty_member_logs_an_adoption_and_sees_it_in_the_matrix_and_history(site):
    page = site.sign_in("faculty")
    site.goto("/organisations/RNU/adoption")
    row = page.locator("tr", has_text="RP-02 Creating a recovery tree")
    expect(row).to_contain_text("Not started")
    site.navigates(row.get_by_role("link", name="Log adoption of RP-02").click)

    # Keyboard only from here: choose the stage, type the date and counts, submit.
    page.get_by_label("Implementing – In routine use on at least one ward").focus()
    page.keyboard.press("Space")
    page.get_by_label("Date it took effect").fill("2023-02-14")
    page.get_by_label("Wards using it").focus()
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("8")
    page.get_by_label("Fidelity or adaptation note").fill("Mural on Ward 2 and Ward 5")
    page.get_by_role("button", name="Log this stage move").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))

    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Logged RP-02 at Oxford Health NHS Foundation Trust: implementing from 14 February 2023"
    )
    history = page.locator("#history")
    expect(history).to_contain_text("Mural on Ward 2 and Ward 5")
    expect(history).to_contain_text("Demo Faculty Member")
    expect(page.locator("main")).to_contain_text("3 of 8 wards in scope")

    site.goto("/organisations/RNU/adoption")
    expect(page.locator("tr", has_text="RP-02 Creating a recovery tree")).to_contain_text("Implementing")


def test_form_errors_are_summarised_and_linked_to_their_fields(site):
    page = site.sign_in("faculty")
    site.goto("/organisations/RNU/adoption/RP-01/log")
    page.get_by_label("Discontinued – Stopped; a reason is recorded").check()
    site.navigates(page.get_by_role("button", name="Log this stage move").click)
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Say why it was discontinued")
    expect(summary).to_be_focused()  # the NHS error summary takes focus so screen readers announce it


def test_trust_user_sees_the_matrix_but_cannot_reach_the_logging_form(site):
    page = site.sign_in("trust")
    site.goto("/organisations/RNU/adoption")
    expect(page.get_by_role("link", name="Log adoption of RP-01")).to_have_count(0)
    response = page.goto(site.base_url + "/organisations/RNU/adoption/RP-01/log")
    assert response.status == 403
    site.checked()
    expect(page.get_by_role("heading", level=1)).to_contain_text("You do not have access")


def test_the_summary_link_of_the_stage_question_focuses_its_first_option_by_keyboard(site):
    page = site.sign_in("faculty")
    site.goto("/organisations/RNU/adoption/RP-01/log")
    page.get_by_label("Date it took effect").fill("2099-01-01")
    page.get_by_role("button", name="Log this stage move").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The date cannot be in the future")  # shown with the missing stage
    page.keyboard.press("Tab")
    link = summary.get_by_role("link", name="Choose the stage")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    first = page.get_by_label("Considering – Intent, team forming, planning")
    expect(first).to_be_focused()
    assert first.get_attribute("id") == "stage-1"
