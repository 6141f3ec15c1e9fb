"""A guest on a phone buys a catch sold by weight from a fisher and a souvenir from a processor,
and pays by card through localstripe's fake Stripe.js (the live server is set up to use it,
see conftest.py): an ordinary card, a 3-D Secure card, and a declined card then a good one.

localstripe's card element is five plain inputs (placeholders `number`, `exp_month`,
`exp_year` as two digits, `cvc`, `postal_code`). For 3-D Secure it adds a box to the page
with two buttons, "Complete authentication" and "Fail authentication": once when the card is
set up, and once for each seller's PaymentIntent. Expected texts are rendered by the app
itself, in Japanese, so that they follow the translations."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import render_template_string
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders.models import Checkout, Order
from marketplace.payments import gateway
from marketplace.timeutil import tokyo_today

VISA = "4242424242424242"
THREE_D_SECURE = "4000002760003184"
DECLINED = "4000000000000341"  # set up fine, refused when the PaymentIntent is confirmed
COMPLETE_3DS = "Complete authentication"  # localstripe's own button; real Stripe shows an iframe


@dataclass
class Shop:
    fisher: object
    processor: object
    salmon: object  # by weight, chilled: 2,000 yen/kg
    squid: object  # by the piece, ambient: 1,200 yen


def _shop(live_server) -> Shop:
    fisher = live_server.seller(name="浜丸水産")
    processor = live_server.seller(name="北の干物屋", kind="processor")
    salmon = live_server.listing(
        fisher, species="秋鮭", title={"ja": "朝獲れ秋鮭"}, unit="kg", price_jpy=2000, quantity="3.0", min_order="0.5"
    )
    squid = live_server.listing(
        processor, kind="product", species="するめ", title={"ja": "手焼きするめ"}, unit="piece", price_jpy=1200,
        quantity="5", temperature="ambient",
    )
    return Shop(fisher, processor, salmon, squid)


def ja(live_server, source: str, **context) -> str:
    """`source` (Jinja, with the app's filters and `_`) as the app renders it in Japanese."""
    with live_server.app.test_request_context(headers={"Accept-Language": "ja"}):
        return html.unescape(render_template_string(source, **context))


def watch_csp(page) -> list[str]:
    """Console messages about the Content-Security-Policy (a blocked Stripe.js, style, fetch)."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None)
    return seen


# --- the steps a buyer takes -----------------------------------------------------------------


def add_to_cart(page, live_server, listing, quantity: str, *, from_listing: bool = True) -> None:
    """From the (shared, token-less) listing page through /cart/add to the cart; or, to save
    time where the listing page is not the point, straight to the /cart/add it leads to."""
    if from_listing:
        page.goto(f"{live_server.url}/listings/{listing.id}")
        page.locator("#add-quantity").fill(quantity)
        page.locator("form.add-to-cart button[type=submit]").tap()
        page.wait_for_url(re.compile(r"/cart/add\?"))
    else:
        page.goto(f"{live_server.url}/cart/add?listing_id={listing.id}&quantity={quantity}")
    expect(page.locator("#quantity")).to_have_value(quantity)
    page.locator("main form button[type=submit]").tap()
    page.wait_for_url(f"{live_server.url}/cart")
    expect(page.locator(f"#line-{listing.id}")).to_be_visible()


def fill_cart(page, live_server, shop: Shop, *, from_listing: bool = True) -> None:
    add_to_cart(page, live_server, shop.salmon, "1.5", from_listing=from_listing)
    add_to_cart(page, live_server, shop.squid, "2", from_listing=from_listing)
    expect(page.locator("section.cart-seller")).to_have_count(2)
    page.locator("main a.button.big[href='/checkout']").tap()
    page.wait_for_url(f"{live_server.url}/checkout")


def fill_details(page, day: date, slot: str = "14-16") -> None:
    """E-mail, address (the postal code fills in prefecture and city), phone, date and time."""
    form = page.locator("main form")
    form.locator("input[name=email]").fill("tourist@example.com")
    form.locator("input[name=name]").fill("Ada Lovelace")
    # Typed key by key: at the 7th digit postal.js looks it up (GET /postal/1000001) and fills
    # in the prefecture and the city by itself.
    form.locator("input[name=postal_code]").press_sequentially("100-0001")
    expect(form.locator("select[name=prefecture]")).to_have_value("東京都")
    expect(form.locator("input[name=city]")).to_have_value("千代田区千代田")
    expect(page.locator("#postal-status")).to_contain_text("東京都千代田区千代田")
    form.locator("input[name=address_line1]").fill("1-1")
    form.locator("input[name=phone]").fill("090-1234-5678")
    form.locator("select[name=delivery_date]").select_option(day.isoformat())
    form.locator(f"label.choice:has(input[name=delivery_slot][value='{slot}'])").tap()
    expect(form.locator(f"input[name=delivery_slot][value='{slot}']")).to_be_checked()
    form.locator("button[name=action][value=review]").tap()
    expect(page.locator("#confirm-total")).to_be_visible()  # the confirmation screen, also at /checkout


def place_order(page) -> int:
    """Press "Confirm and pay" on the confirmation screen; the checkout's id, from the card page."""
    page.locator("main form button[name=action][value=place]").tap()
    page.wait_for_url(re.compile(r"/checkout/\d+/pay$"))
    return int(page.url.split("/")[-2])


def to_payment(page, live_server, shop: Shop) -> int:
    """The first test's way to the card page, without stopping to look (or at listing pages)."""
    fill_cart(page, live_server, shop, from_listing=False)
    fill_details(page, tokyo_today() + timedelta(days=3))
    return place_order(page)


def enter_card(page, number: str) -> None:
    card = page.locator("#card-element")
    card.get_by_placeholder("number", exact=True).fill(number)
    card.get_by_placeholder("exp_month", exact=True).fill("12")
    card.get_by_placeholder("exp_year", exact=True).fill("34")
    card.get_by_placeholder("cvc", exact=True).fill("123")


def pay(page, number: str) -> None:
    enter_card(page, number)
    page.locator("#pay-button").tap()


def assert_paid(page, live_server, shop: Shop, checkout_id: int) -> None:
    """The order confirmation page shows one paid order per seller, and so do the database and
    Stripe: each order holds its own authorisation for its own amount."""
    page.wait_for_url(f"{live_server.url}/checkout/{checkout_id}/done")
    orders = page.locator("main section.order-part")
    expect(orders).to_have_count(2)
    paid = ja(live_server, "{{ order_status_label('paid') }}")
    expect(orders.filter(has_text="浜丸水産")).to_contain_text(paid)
    expect(orders.filter(has_text="北の干物屋")).to_contain_text(paid)
    with live_server.app.app_context():
        checkout = db.session.get(Checkout, checkout_id)
        assert checkout.status == "paid"
        rows = db.session.scalars(select(Order).where(Order.checkout_id == checkout_id).order_by(Order.id)).all()
        assert {row.seller_id: row.status for row in rows} == {shop.fisher.id: "paid", shop.processor.id: "paid"}
        for row in rows:
            intent = gateway.retrieve(row.payment_intent_id)
            assert intent.status == "requires_capture" and intent.amount == row.authorised_jpy


# --- the tests -------------------------------------------------------------------------------


def test_guest_checks_out_from_two_sellers_and_pays_by_card(page, live_server):
    shop = _shop(live_server)
    csp = watch_csp(page)
    day = tokyo_today() + timedelta(days=3)
    fill_cart(page, live_server, shop)
    fill_details(page, day, slot="14-16")

    # The final confirmation screen: every line with its quantity, shipping, totals, when it
    # arrives, how to cancel, and why the card is authorised for more than the total.
    main = page.locator("main")
    expect(main.locator("h1")).to_have_text(ja(live_server, "{{ _('Confirm your order') }}"))
    fisher = main.locator("section.order-part", has_text="浜丸水産")
    processor = main.locator("section.order-part", has_text="北の干物屋")
    kg, pcs = ja(live_server, "{{ _('kg') }}|{{ _('pcs') }}").split("|")
    expect(fisher.locator("li", has_text="朝獲れ秋鮭")).to_contain_text(f"1.5 {kg} × ¥2,000")
    expect(fisher.locator("li", has_text="朝獲れ秋鮭")).to_contain_text("¥3,000")
    expect(fisher.locator("dl.totals")).to_contain_text("¥1,500")  # chilled shipping
    expect(fisher.locator("dl.totals")).to_contain_text("¥4,500")  # the order's total
    expect(fisher.locator("dl.totals")).to_contain_text("¥4,800")  # its authorisation: 3,300 + 1,500
    expect(processor.locator("li", has_text="手焼きするめ")).to_contain_text(f"2 {pcs} × ¥1,200")
    expect(processor.locator("dl.totals")).to_contain_text("¥900")  # ambient shipping
    expect(processor.locator("dl.totals")).to_contain_text("¥3,300")
    totals = main.locator("section[aria-labelledby=confirm-total] dl")
    # Items, shipping (both sellers), total with tax, and the card authorisation.
    expect(totals.locator("dd")).to_have_text(["¥5,400", "¥2,400", "¥7,800", "¥8,100"])
    expect(totals.locator("dt")).to_have_count(4)
    expect(page.locator("#weight-note")).to_have_text(ja(
        live_server,
        "{{ _('Fish sold by weight is weighed when it is packed. Your card is authorised for the estimate plus "
        "%(margin)d %% (%(amount)s in all) and charged only for the weighed amount, never more; the rest of the "
        "hold is released.', margin=10, amount=8100|yen) }}",
    ))
    delivery = main.locator("section[aria-labelledby=confirm-delivery]")
    expect(delivery).to_contain_text(ja(live_server, "{{ day|local_date('full') }}", day=day))
    expect(delivery).to_contain_text(ja(live_server, "{{ delivery_slot_label('14-16') }}"))
    expect(delivery).to_contain_text("〒100-0001 東京都千代田区千代田 1-1")
    expect(delivery).to_contain_text("tourist@example.com")
    cancelling = main.locator("section[aria-labelledby=confirm-cancel]")
    expect(cancelling).to_contain_text(ja(live_server, "{{ _('You can cancel free of charge until the seller packs your order: from your order page when signed in, or by replying to the confirmation e-mail. The hold on your card is then released in full. Once packed, fresh food cannot be cancelled; missing or damaged items are refunded.') }}"))
    expect(main.locator("button[name=action][value=place]")).to_contain_text("¥7,800")

    checkout_id = place_order(page)
    expect(page.locator("main dl.totals .price")).to_have_text("¥8,100")
    expect(page.locator("#card-element input")).to_have_count(5)  # localstripe's Stripe.js ran
    pay(page, VISA)
    assert_paid(page, live_server, shop, checkout_id)
    expect(page.locator("main .flash-success")).to_contain_text("tourist@example.com")
    assert csp == []


def test_a_3d_secure_card_is_confirmed_in_stripes_dialog(page, live_server):
    shop = _shop(live_server)
    csp = watch_csp(page)
    checkout_id = to_payment(page, live_server, shop)
    pay(page, THREE_D_SECURE)

    # localstripe asks once for the card's set-up and once per seller's PaymentIntent.
    done = re.compile(rf"/checkout/{checkout_id}/done$")
    confirm = page.get_by_role("button", name=COMPLETE_3DS)
    asked = 0
    while True:
        expect(confirm.or_(page.locator("main section.order-part").first)).to_be_visible()
        if done.search(page.url):
            break
        expect(page.locator("#pay-button")).to_be_disabled()  # one payment at a time
        confirm.tap()
        asked += 1
        assert asked <= 3, "asked for 3-D Secure again and again"
    assert asked == 3
    assert_paid(page, live_server, shop, checkout_id)
    assert csp == []


def test_a_declined_card_says_so_and_another_card_pays(page, live_server):
    shop = _shop(live_server)
    csp = watch_csp(page)
    checkout_id = to_payment(page, live_server, shop)
    pay(page, DECLINED)
    message = page.locator("#card-message")
    expect(message).to_have_text(ja(live_server, "{{ _('The card was declined. Please try another card.') }}"))
    expect(message).to_have_class(re.compile(r"\berror\b"))
    expect(message).to_have_attribute("role", "alert")
    expect(page.locator("#pay-button")).to_be_enabled()
    assert re.search(rf"/checkout/{checkout_id}/pay$", page.url)

    pay(page, VISA)
    assert_paid(page, live_server, shop, checkout_id)
    assert csp == []
