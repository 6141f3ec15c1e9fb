"""A visitor on a phone finds a catch through the filters and search, and sees where it is from."""

from __future__ import annotations

from playwright.sync_api import expect


def _cards(page):
    return page.locator("ul.cards > li.card")


def test_visitor_finds_a_catch_by_filters_and_search(page, live_server):
    fisher = live_server.seller(name="稚内 海斗丸", boat_name="海斗丸", home_port="稚内")
    urchin = live_server.listing(
        fisher,
        photo=True,
        species="バフンウニ",
        quantity="5",
        price_jpy=3200,
        landing_port="稚内",
        caught_at="2025-06-01T05:30",  # Tokyo wall time; 20:30 UTC the day before
    )
    kombu = live_server.listing(
        fisher,
        kind="product",
        species="利尻昆布",
        unit="piece",
        quantity="30",
        price_jpy=1200,
        temperature="ambient",
    )
    urchin_link = f"a[href='/listings/{urchin.id}']"
    kombu_link = f"a[href='/listings/{kombu.id}']"

    page.goto(live_server.url)
    page.locator("header nav a[href='/catalog']").tap()
    page.locator("details.filter-box summary").tap()
    page.locator("select[name=species]").select_option("sea_urchin_bafun")
    page.locator("select[name=port]").select_option("wakkanai")
    page.locator("select[name=kind]").select_option("catch")
    page.locator("form.filters button[type=submit]").tap()
    expect(page.locator(urchin_link)).to_be_visible()
    expect(page.locator(kombu_link)).to_have_count(0)
    for card in _cards(page).all():
        expect(card).to_contain_text("ウニ")

    # Kind alone: souvenirs show the kombu, not the urchin.
    page.goto(f"{live_server.url}/catalog?kind=product&port=wakkanai")
    expect(page.locator(kombu_link)).to_be_visible()
    expect(page.locator(urchin_link)).to_have_count(0)

    # Text search, in Japanese and in English.
    for words in ("ウニ 稚内", "sea urchin"):
        page.goto(f"{live_server.url}/catalog")
        page.locator("details.filter-box summary").tap()
        page.locator("input[name=q]").fill(words)
        page.locator("input[name=q]").press("Enter")
        expect(page.locator(urchin_link)).to_be_visible()
        expect(page.locator(kombu_link)).to_have_count(0)

    page.locator(urchin_link).first.tap()
    page.wait_for_url(f"**/listings/{urchin.id}")
    expect(page.locator("h1")).to_have_text("バフンウニ")
    expect(page.locator(".price.big")).to_contain_text("¥3,200")
    facts = page.locator("dl.facts").first
    expect(facts).to_contain_text("5 kg")
    photo = page.locator(".gallery img").first
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    assert photo.get_attribute("alt")

    origin = page.locator("section.origin")
    expect(origin.locator(f"a[href='/sellers/{fisher.id}']")).to_have_text("稚内 海斗丸")
    expect(origin).to_contain_text("海斗丸")
    expect(origin).to_contain_text("稚内")
    caught = origin.locator("dd", has_text="2025")
    expect(caught).to_contain_text("2025/06/01")
    expect(caught).to_contain_text("5:30")  # Tokyo time, not UTC (20:30 on 05/31)
