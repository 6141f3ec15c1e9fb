"""A fisher on a phone: list today's catch with a photo in a handful of touches; relist in one tap."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from .conftest import jpeg_file, phone_context, sign_in


def test_fisher_lists_todays_catch_with_a_photo_in_five_touches(page, live_server):
    fisher = live_server.seller(name="第五 港栄丸", home_port="枝幸", fishing_method="定置網")
    base = live_server.url
    sign_in(page, base, fisher.email)
    expect(page.locator("h1")).to_have_text(re.compile("My shop|マイショップ"))

    started = time.monotonic()
    touches = []  # every field or button the fisher has to touch

    page.locator("main a[href$='/sell/listings/new']").tap()
    expect(page.locator("form.listing-form")).to_be_visible()

    # The defaults cover everything but species, quantity, price and photo.
    assert page.locator("input[name=kind][value=catch]").is_checked()
    assert page.locator("input[name=unit][value=kg]").is_checked()
    assert page.locator("input[name=temperature][value=chilled]").is_checked()
    assert page.locator("input[name=caught_at]").input_value()
    assert page.locator("input[name=available_until]").input_value()
    assert page.locator("input[name=landing_port]").input_value() == "枝幸"

    # Species: type the start of the name; the datalist offers the full name, which is picked.
    species = page.locator("input[name=species]")
    species.type("ホタ")
    offered = page.locator(f"datalist#{species.get_attribute('list')} option").evaluate_all(
        "(options) => options.map(o => o.value)"
    )
    choice = next(value for value in offered if value.startswith("ホタ"))
    species.fill(choice)
    touches.append("species")

    page.locator("input[name=quantity]").fill("12.5")
    touches.append("quantity")
    page.locator("input[name=price_jpy]").fill("2400")
    touches.append("price")
    page.locator("input[name=photos]").set_input_files(jpeg_file("scallops.jpg"))
    touches.append("photo")
    page.locator("form.listing-form button[type=submit]").tap()
    touches.append("submit")

    page.wait_for_url(re.compile(r"/sell#listing-\d+$"))
    elapsed = time.monotonic() - started
    assert touches == ["species", "quantity", "price", "photo", "submit"]
    assert elapsed < 30, f"the flow took {elapsed:.1f}s of machine time"
    expect(page.locator(".flash-success")).to_be_visible()

    listing_id = re.search(r"#listing-(\d+)$", page.url).group(1)
    item = page.locator(f"#listing-{listing_id}")
    expect(item).to_contain_text("ホタテ")
    expect(item.locator(".status-active")).to_be_visible()

    # It is on sale: a visitor sees it, with its photo, in the catalog.
    visitor = phone_context(page.context.browser)
    try:
        public = visitor.new_page()
        public.goto(f"{base}/listings/{listing_id}")
        expect(public.locator("h1")).to_have_text("ホタテ")
        expect(public.locator(".price.big")).to_contain_text("¥2,400")
        photo = public.locator(".gallery img").first
        expect(photo).to_be_visible()
        assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
        public.goto(f"{base}/catalog?species=scallop")
        expect(public.locator(f"a[href='/listings/{listing_id}']")).to_be_visible()
    finally:
        visitor.close()


def test_seller_relists_in_one_tap(page, live_server):
    fisher = live_server.seller(name="第七 汐見丸")
    old = live_server.listing(fisher, species="秋鮭", quantity="20", price_jpy=1500)
    sign_in(page, live_server.url, fisher.email)

    page.locator(f"#listing-{old.id} form[action$='/relist'] button").tap()  # the one tap

    page.wait_for_url(re.compile(r"/sell/listings/\d+/edit$"))
    new_id = int(re.search(r"/listings/(\d+)/edit$", page.url).group(1))
    assert new_id != old.id
    expect(page.locator(".flash-success")).to_be_visible()
    assert page.locator("input[name=species]").input_value() == "秋鮭"
    assert page.locator("input[name=price_jpy]").input_value() == "1500"

    response = page.goto(f"{live_server.url}/listings/{new_id}")
    assert response.status == 200
    expect(page.locator(".price.big")).to_contain_text("¥1,500")
