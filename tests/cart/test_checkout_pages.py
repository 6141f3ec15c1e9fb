"""The checkout pages through HTTP, paying through the real `stripe` library against localstripe:
the details form, the final confirmation screen (what Japanese law asks it to show), the
reservation, the payment endpoint the card page calls, the confirmation page, and who may see
a checkout at all."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace import db as tx
from marketplace.cart.models import CartItem
from marketplace.extensions import db as _db
from marketplace.inventory.models import Reservation
from marketplace.orders import checkout as checkouts
from marketplace.orders.guests import GUEST_KEY
from marketplace.orders.models import Checkout, Order
from marketplace.timeutil import freeze, now

from ..conftest import free_port, sign_in
from .conftest import add, delivery_day, hidden_fields, place, review

EN = {"Accept-Language": "en"}


@pytest.fixture
def app_overrides(localstripe):
    return {"STRIPE_API_BASE": localstripe}


@pytest.fixture
def filled(client, shop):
    """A guest's cart: 2.0 kg of salmon (by weight) and 2 packs of squid (by the piece)."""
    add(client, shop.salmon, "2.0")
    add(client, shop.squid, "2")
    return shop


def placed(client) -> Checkout:
    response = place(client)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    checkout_id = int(response.headers["Location"].split("/")[2])
    return _db.session.get(Checkout, checkout_id)


def pay(client, checkout, method=None, **kwargs):
    body = {"json": {"payment_method": method}} if method else {}
    return client.post(f"/checkout/{checkout.id}/pay", **body, **kwargs)


# --- the details form ------------------------------------------------------------------------


def test_an_empty_cart_has_no_checkout(client):
    response = client.get("/checkout")
    assert response.status_code == 302 and response.headers["Location"] == "/cart"


def test_the_form_offers_47_prefectures_the_dates_and_the_five_slots(client, filled):
    page = client.get("/checkout", headers=EN).get_data(as_text=True)
    assert page.count("<option value=\"") == 1 + 47 + 14  # "choose", prefectures, 14 dates
    assert '<option value="北海道">Hokkaido (北海道)</option>' in page
    assert f'<option value="{delivery_day(1)}"' in page and f'<option value="{delivery_day(0)}"' not in page
    for slot in ("am", "14-16", "16-18", "18-20", "19-21"):
        assert f'value="{slot}"' in page
    assert 'data-postal-url="/postal/0000000"' in page and "/static/js/postal.js" in page
    japanese = client.get("/checkout", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert '<option value="北海道">北海道</option>' in japanese and "午前中" in japanese


def test_a_signed_in_buyer_finds_their_email_and_last_address_filled_in(client, shop, make):
    buyer = make.user("restaurant", email="chef@example.jp")
    sign_in(client, buyer)
    add(client, shop.squid, "1")
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="chef@example.jp"' in page and 'name="postal_code"' in page
    first = placed(client)
    assert first.buyer_id == buyer.id and first.guest_key is None
    add(client, shop.squid, "1")
    again = client.get("/checkout").get_data(as_text=True)
    assert 'value="100-0001"' in again and 'value="千代田区千代田"' in again


def test_mistakes_are_named_and_what_was_typed_is_kept(client, filled):
    response = review(
        client, email="not-an-address", postal_code="12345", prefecture="", phone="12", name="Ada <b>L</b>",
        city="", delivery_date=delivery_day(30), delivery_slot="noon", gift_message="x" * 501,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    with force_locale("ja"):
        for message in (
            _("Enter a valid e-mail address."),
            _("Enter a 7-digit postal code, e.g. 100-0001."),
            _("Choose one of the 47 prefectures."),
            _("Enter a Japanese phone number, e.g. 090-1234-5678."),
            _("This field is required."),
            _("We can deliver from tomorrow up to %(n)d days ahead.", n=14),
            _("Choose a delivery time."),
            _("Use at most %(n)d characters.", n=500),
        ):
            assert message in page, message
    assert 'value="not-an-address"' in page and 'value="12345"' in page and 'value="12"' in page
    assert "Ada &lt;b&gt;L&lt;/b&gt;" in page  # kept, and escaped
    assert _db.session.query(Checkout).count() == 0


def test_change_details_from_the_confirmation_screen(client, filled):
    confirm = review(client, gift_message="お誕生日おめでとう")
    fields = hidden_fields(confirm.get_data(as_text=True))
    back = client.post("/checkout", data={**fields, "action": "edit"})
    page = back.get_data(as_text=True)
    assert back.status_code == 200 and 'name="postal_code"' in page
    assert "お誕生日おめでとう" in page and 'value="Ada Lovelace"' in page


# --- the final confirmation screen -------------------------------------------------------------


def test_the_confirmation_screen_shows_what_the_law_asks(client, filled):
    response = review(client, headers=EN, delivery_slot="am")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # Each item's quantity and price, shipping per seller, and the total.
    assert "2 kg × ¥2,000" in page and "¥4,000" in page
    assert "2 pcs × ¥1,200" in page and "¥2,400" in page
    assert "¥1,500" in page and "¥900" in page  # chilled and ambient shipping
    assert "¥5,500" in page and "¥3,300" in page  # each seller's order
    assert "¥8,800" in page  # the total, tax included
    # The card authorisation: by-weight part plus 10 %.
    assert "¥9,200" in page  # 4,400 + 1,500 + 2,400 + 900
    assert "estimate plus 10 %" in page and "charged only for the weighed amount" in page
    # When it arrives, where, and how to cancel.
    assert "Morning (before noon)" in page and "〒100-0001 東京都千代田区千代田 1-1" in page
    assert "You can cancel free of charge until the seller packs your order" in page
    assert "reserved for 15 minutes" in page
    assert _db.session.query(Checkout).count() == 0  # nothing is ordered or held yet


def test_the_margin_is_configurable(app, client, filled):
    app.config["AUTHORISE_MARGIN_PERCENT"] = 20
    page = review(client, headers=EN).get_data(as_text=True)
    assert "estimate plus 20 %" in page and "¥9,600" in page  # 4,800 + 1,500 + 3,300


def test_pieces_only_need_no_margin_explanation(client, shop):
    add(client, shop.squid, "1")
    page = review(client, headers=EN).get_data(as_text=True)
    assert "estimate plus" not in page and "weighed" not in page


# --- placing the order ----------------------------------------------------------------------


def test_the_postal_code_is_shown_the_usual_way_however_it_was_typed(client, filled):
    for typed in ("1000001", "１００－０００１", "〒100 0001"):
        page = review(client, headers=EN, postal_code=typed).get_data(as_text=True)
        assert "〒100-0001 東京都千代田区千代田" in page, typed


def test_confirming_reserves_the_stock_and_opens_the_card_page(client, filled, localstripe):
    checkout = placed(client)
    with client.session_transaction() as session:
        assert checkout.guest_key == session[GUEST_KEY]  # the key the JSON API uses too
    assert [len(o.lines) for o in checkout.orders] == [1, 1]
    assert checkout.authorise_jpy == 9200
    assert {r.state for r in _db.session.scalars(select(Reservation))} == {"held"}
    _db.session.refresh(filled.salmon)
    assert filled.salmon.quantity_available == Decimal("1.0")
    assert checkout.expires_at == pytest.approx(now() + timedelta(minutes=15), abs=timedelta(seconds=30))

    page = client.get(f"/checkout/{checkout.id}/pay", headers=EN).get_data(as_text=True)
    assert f'<script src="{localstripe}/js.stripe.com/v3/"></script>' in page
    assert f'data-secret="{checkout.setup_intent_secret}"' in page and checkout.setup_intent_secret
    assert 'data-key="pk_test_localstripe"' in page and "Pay ¥9,200" in page
    assert "15 min left" in page and 'data-csrf="' in page
    for order in checkout.orders:
        assert order.number in page


def test_the_cart_changed_after_review_so_the_buyer_reviews_again(client, filled):
    fields = hidden_fields(review(client, headers=EN).get_data(as_text=True))
    add(client, filled.squid, "1")
    response = client.post("/checkout", data={**fields, "action": "place"}, headers=EN)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Your cart or its prices changed. Please check your order again." in page
    assert "3 pcs × ¥1,200" in page
    assert _db.session.query(Checkout).count() == 0


def test_out_of_stock_goes_back_to_the_cart_naming_the_item_and_charges_nothing(client, filled, app):
    fields = hidden_fields(review(client).get_data(as_text=True))
    rival = app.test_client()
    add(rival, filled.salmon, "2.0")
    assert place(rival).status_code == 302  # the rival holds 2.0 of the 3.0 kg first
    response = client.post("/checkout", data={**fields, "action": "place"}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == "/cart"
    page = client.get("/cart", headers=EN).get_data(as_text=True)
    # The cart is checked again before the order is placed: the short item is named on its line.
    assert "Please change the marked items first." in page
    assert "Only 1 kg of Morning chum salmon is left." in page
    assert _db.session.query(Checkout).count() == 1  # only the rival's
    assert _db.session.query(Reservation).count() == 1


def test_checking_out_again_releases_the_earlier_unpaid_hold(client, filled):
    first = placed(client)
    second = placed(client)  # back from the card page, changed nothing, confirmed again
    _db.session.expire_all()
    assert first.status == "expired" and second.status == "awaiting_payment"
    states = [r.state for r in _db.session.scalars(select(Reservation).order_by(Reservation.id))]
    assert states == ["released", "released", "held", "held"]
    _db.session.refresh(filled.salmon)
    assert filled.salmon.quantity_available == Decimal("1.0")


# --- paying ---------------------------------------------------------------------------------


def test_paying_makes_the_orders_paid_and_shows_the_confirmation(client, filled, mailbox):
    checkout = placed(client)
    response = pay(client, checkout, "pm_card_visa")
    assert response.status_code == 200
    assert response.json == {"status": "paid", "next": f"/checkout/{checkout.id}/done"}
    _db.session.expire_all()
    assert {o.status for o in checkout.orders} == {"paid"}
    assert _db.session.scalars(select(CartItem)).all() == []  # bought: out of the cart

    page = client.get(f"/checkout/{checkout.id}/done", headers=EN).get_data(as_text=True)
    assert "We sent the confirmation to tourist@example.com" in page
    for order in checkout.orders:
        assert order.number in page and f"/track/{order.tracking_token}" in page
    assert "¥5,900" in page and "¥3,300" in page and "¥9,200" in page  # what was authorised
    assert "14:00–16:00" in page
    assert "charged only for the weighed amount" in page
    assert len(mailbox.to("tourist@example.com")) == 2  # one per seller's order
    assert len(mailbox.to(filled.fisher.email)) == 1 and len(mailbox.to(filled.processor.email)) == 1
    # The card page of a paid checkout leads to the confirmation; paying again is harmless.
    assert client.get(f"/checkout/{checkout.id}/pay").headers["Location"] == f"/checkout/{checkout.id}/done"
    assert pay(client, checkout).json["status"] == "paid"


def test_a_declined_card_says_so_in_the_buyers_language_and_another_card_works(client, filled):
    checkout = placed(client)
    declined = pay(client, checkout, "pm_card_chargeCustomerFail", headers={"Accept-Language": "ja"})
    assert declined.status_code == 402
    with force_locale("ja"):
        assert declined.json["error"]["message"] == _("The card was declined. Please try another card.")
    _db.session.expire_all()
    assert {o.status for o in checkout.orders} == {"awaiting_payment"}
    # A fresh SetupIntent for the next card (Stripe confirms each only once).
    before = checkout.setup_intent_secret
    renewed = client.post(f"/checkout/{checkout.id}/card")
    assert renewed.status_code == 200 and renewed.json["setup_intent_client_secret"] not in (None, before)
    assert pay(client, checkout, "pm_card_visa").json["status"] == "paid"


def test_three_d_secure_asks_the_page_to_authenticate_then_pay_again(client, filled, stripe_card, localstripe):
    checkout = placed(client)
    first = pay(client, checkout, stripe_card("4000002760003184"))
    assert first.status_code == 200 and first.json["status"] == "requires_action"
    from tests.orders.test_payments import authenticate

    order = _db.session.get(Order, checkout.orders[0].id)
    authenticate(localstripe, order.payment_intent_id, first.json["client_secret"])
    second = pay(client, checkout)
    assert second.json["status"] in ("paid", "requires_action")  # the next seller's order may ask too
    while second.json["status"] == "requires_action":
        _db.session.expire_all()
        pending = next(o for o in checkout.orders if o.status == "awaiting_payment")
        authenticate(localstripe, pending.payment_intent_id, second.json["client_secret"])
        second = pay(client, checkout)
    assert second.json == {"status": "paid", "next": f"/checkout/{checkout.id}/done"}


def test_a_bad_payment_method_is_refused(client, filled):
    checkout = placed(client)
    response = pay(client, checkout, "<script>")
    assert response.status_code == 422 and response.json["error"]["fields"]["payment_method"]


def test_after_the_reservation_ends_no_new_card_is_tried(client, filled):
    checkout = placed(client)
    freeze(now() + timedelta(minutes=16))
    page = client.get(f"/checkout/{checkout.id}/pay", headers=EN).get_data(as_text=True)
    assert "Your reservation has ended. Please check out again." in page and "card-form" not in page
    response = pay(client, checkout, "pm_card_visa", headers=EN)
    assert response.status_code == 409
    assert response.json["error"]["message"] == "Your reservation has ended. Please check out again."
    checkouts.expire_checkouts()
    tx.commit()
    assert client.get(f"/checkout/{checkout.id}/pay").status_code == 200


def test_when_stripe_cannot_be_reached_the_page_says_so_and_the_hold_stays(app, client, filled):
    app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    checkout = placed(client)  # the order is placed and held even so
    assert checkout.setup_intent_secret is None
    response = client.get(f"/checkout/{checkout.id}/pay", headers=EN)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Card payments are unavailable right now. Please try again in a few minutes." in page
    assert "Try again" in page and "card-form" not in page
    assert pay(client, checkout, "pm_card_visa").status_code == 503
    assert {r.state for r in _db.session.scalars(select(Reservation))} == {"held"}


# --- who may see a checkout -------------------------------------------------------------------


def test_only_the_session_or_account_that_made_it_sees_a_checkout(app, client, filled, make):
    checkout = placed(client)
    stranger = app.test_client()
    member = app.test_client()
    sign_in(member, make.user("customer"))
    for other in (stranger, member):
        assert other.get(f"/checkout/{checkout.id}/pay").status_code == 404
        assert other.get(f"/checkout/{checkout.id}/done").status_code == 404
        refused = pay(other, checkout, "pm_card_visa")
        assert refused.status_code == 404 and refused.json["error"]["code"] == "not_found"
        assert other.post(f"/checkout/{checkout.id}/card").status_code == 404
    assert client.get("/checkout/999999/pay").status_code == 404
    _db.session.expire_all()
    assert {o.status for o in checkout.orders} == {"awaiting_payment"}


def test_a_buyers_checkout_is_theirs_alone(app, client, shop, make):
    buyer = make.user("restaurant")
    sign_in(client, buyer)
    add(client, shop.squid, "1")
    checkout = placed(client)
    assert client.get(f"/checkout/{checkout.id}/pay").status_code == 200
    client.post("/signout")
    assert client.get(f"/checkout/{checkout.id}/pay").status_code == 404


# --- the postal code lookup -------------------------------------------------------------------


def test_postal_codes_fill_prefecture_and_city(client):
    response = client.get("/postal/1000001")
    assert response.status_code == 200
    assert response.json == {"postal_code": "1000001", "prefecture": "東京都", "city": "千代田区", "town": "千代田"}
    assert "public" in response.headers["Cache-Control"]
    assert client.get("/postal/100-0001").json["city"] == "千代田区"
    for unknown in ("0000000", "12345", "abcdefg", "1" * 200):
        missing = client.get(f"/postal/{unknown}")
        assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found", unknown


@pytest.fixture
def stripe_card(localstripe):
    import stripe

    client = stripe.StripeClient("sk_test_localstripe", base_addresses={"api": localstripe})

    def make(number: str) -> str:
        card = {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}
        return client.v1.payment_methods.create({"type": "card", "card": card}).id

    return make
