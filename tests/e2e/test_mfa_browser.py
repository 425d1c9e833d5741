"""MFA in a real browser, by keyboard alone: a manager without MFA is taken to enrolment (the QR code drawn
as SVG with an accessible name, the key to type by hand), confirms with a code, keeps the recovery codes,
signs out and signs in again with a code. Every page is checked with axe-core at desktop and phone widths."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import update

from tracker.auth import totp
from tracker.models import User, utcnow
from tracker.seed import DEMO_PASSWORD

MANAGER = "manager@demo.invalid"


DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 375, "height": 800}


def _accessible_at_every_width(site, page) -> None:
    """axe-core (and the layout checks) at phone width too; the site checks every page at desktop width."""
    page.set_viewport_size(PHONE)
    site.checked()
    page.set_viewport_size(DESKTOP)


def _type_into(page, label: str, text: str) -> None:
    page.get_by_label(label).focus()
    page.keyboard.type(text)


def _password_step(site, page) -> None:
    _type_into(page, "Email address", MANAGER)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    site.navigates(lambda: page.keyboard.press("Enter"))


def test_a_manager_enrols_by_keyboard_then_signs_in_with_a_code(site, seeded):
    seeded.execute(update(User).where(User.email == MANAGER).values(mfa_secret=None, mfa_enrolled_at=None))
    seeded.commit()
    page = site.goto("/sign-in")
    _password_step(site, page)

    assert page.url.endswith("/account/mfa/set-up")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    qr = page.get_by_role("img", name="QR code to add Spread Tracker to your authenticator app")
    expect(qr).to_be_visible()
    assert page.locator("svg.segno path").count() >= 1
    key = page.locator("#secret-key").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key), key
    _accessible_at_every_width(site, page)
    assert page.locator("script:not([src])").count() == 0

    secret = key.replace(" ", "")
    _type_into(
        page, "Security code", "000000" if totp.code_at_step(secret, totp.step_of(utcnow())) != "000000" else "1"
    )
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("The code is not correct")

    enrol_step = totp.step_of(utcnow())
    page.get_by_label("Security code").fill("")
    _type_into(page, "Security code", totp.code_at_step(secret, enrol_step))
    site.navigates(lambda: page.keyboard.press("Enter"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    _accessible_at_every_width(site, page)
    page.get_by_role("button", name="Download the codes").focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert codes.first.inner_text() in saved
    page.get_by_role("link", name="I have saved my codes, continue").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Demo Project Manager")

    page.get_by_role("button", name="Sign out").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    _password_step(site, page)
    assert page.url.endswith("/sign-in/code")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    _accessible_at_every_width(site, page)
    # The enrolment's code was used: the next time step's code (the app shows it within 30 seconds).
    _type_into(page, "Security code", totp.code_at_step(secret, max(totp.step_of(utcnow()), enrol_step + 1)))
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Demo Project Manager")
