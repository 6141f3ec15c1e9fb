"""Forms that fail keep what was typed, say what to fix next to each field, and announce it."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import sign_in
from .test_pages import SMALL_TARGETS


def _assert_accessible(page):
    violations = Axe().run(page).response["violations"]
    serious = [(v["id"], v["help"]) for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious
    assert not page.evaluate(SMALL_TARGETS)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_failed_listing_form_says_what_to_fix(page, live_server):
    fisher = live_server.seller(name="第二 光丸")
    sign_in(page, live_server.url, fisher.email)
    page.goto(f"{live_server.url}/sell/listings/new")
    page.locator("input[name=species]").fill("ホタテ")
    page.locator("input[name=quantity]").fill("1,5")  # comma decimal, and no price
    page.locator("form.listing-form button[type=submit]").tap()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert summary.locator("a").count() == 2

    for name in ("quantity", "price_jpy"):
        field = page.locator(f"input[name={name}]")
        expect(field).to_have_attribute("aria-invalid", "true")
        described = field.get_attribute("aria-describedby").split()
        assert f"{name}-error" in described
        expect(page.locator(f"#{name}-error")).to_be_visible()
    assert page.locator("input[name=species]").input_value() == "ホタテ"
    assert page.locator("input[name=quantity]").input_value() == "1,5"

    summary.locator("a[href='#price_jpy']").tap()
    assert page.evaluate("location.hash") == "#price_jpy"
    _assert_accessible(page)


def test_failed_sign_in_keeps_the_address_and_says_so(page, live_server):
    page.goto(f"{live_server.url}/signin")
    page.locator("input[name=email]").fill("nobody@example.jp")
    page.locator("input[name=password]").fill("not the password")
    page.locator("main form button[type=submit]").tap()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("input[name=password]")).to_have_attribute("aria-invalid", "true")
    assert page.locator("input[name=email]").input_value() == "nobody@example.jp"
    _assert_accessible(page)
