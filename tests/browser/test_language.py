"""The language switcher: the choice is remembered across pages."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def _switch(page, name: str) -> None:
    page.locator("details.lang summary").tap()
    page.locator("details.lang a", has_text=name).tap()


def test_switch_to_english_and_back_is_remembered(page, live_server):
    page.goto(f"{live_server.url}/catalog")
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    _switch(page, "English")
    page.wait_for_url(re.compile(r"/catalog$"))  # back on the same page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("details.lang summary")).to_contain_text("English")
    expect(page.locator("h1")).to_have_text("Catalog")

    page.locator("header a.brand").tap()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{live_server.url}/signin")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    _switch(page, "日本語")
    page.wait_for_url(re.compile(r"/signin$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("details.lang summary")).to_contain_text("日本語")
