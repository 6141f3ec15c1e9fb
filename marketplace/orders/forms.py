"""The checkout form. Fields are checked by checkout's own rules (orders/checkout.py), the same
that the JSON API applies, and their errors are put back on the fields by their API names."""

from __future__ import annotations

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from ..timeutil import tokyo_today
from . import checkout as checkouts
from . import delivery
from .address import PREFECTURES

GIFT_MESSAGE_MAX = 500
# Service field names (API.md) -> form fields.
FIELDS = {
    "email": "email",
    "ship_to": "name",
    "ship_to.name": "name",
    "ship_to.postal_code": "postal_code",
    "ship_to.prefecture": "prefecture",
    "ship_to.city": "city",
    "ship_to.address_line1": "address_line1",
    "ship_to.address_line2": "address_line2",
    "ship_to.phone": "phone",
    "delivery": "delivery_date",
    "delivery.date": "delivery_date",
    "delivery.slot": "delivery_slot",
    "gift_message": "gift_message",
}
ADDRESS = ("name", "postal_code", "prefecture", "city", "address_line1", "address_line2", "phone")


def _prefecture_choices() -> list[SelectChoice]:
    japanese = str(get_locale() or "ja").startswith("ja")
    return [SelectChoice("", _("Choose a prefecture"))] + [
        SelectChoice(ja, ja if japanese else f"{en} ({ja})") for ja, en in PREFECTURES
    ]


def date_label(day) -> str:
    return format_skeleton("MMMEd", day, locale=get_locale() or "ja")


class CheckoutForm(FlaskForm):
    email = EmailField(_l("E-mail"), description=_l("For your order confirmation and the tracking link."))
    name = StringField(_l("Recipient's name"))
    postal_code = StringField(_l("Postal code"), description=_l("7 digits, e.g. 100-0001. The prefecture and city are filled in for you."))
    prefecture = SelectField(_l("Prefecture"), validate_choice=False)
    city = StringField(_l("City, ward and town"))
    address_line1 = StringField(_l("Street address"), description=_l("Block and house number, e.g. 1-2-3."))
    address_line2 = StringField(_l("Building and room (optional)"))
    phone = TelField(_l("Phone"), description=_l("The carrier calls this number if needed."))
    delivery_date = SelectField(_l("Delivery date"), validate_choice=False)
    delivery_slot = RadioField(_l("Delivery time"), choices=[], validate_choice=False, default="am")
    gift_message = TextAreaField(_l("Gift message (optional)"), description=_l("Printed on a card in the box."))
    cart_version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefecture.choices = _prefecture_choices()
        self.delivery_date.choices = [
            SelectChoice(day.isoformat(), date_label(day)) for day in delivery.possible_dates(tokyo_today())
        ]
        self.delivery_slot.choices = [SelectChoice(code, str(label)) for code, label in delivery.SLOTS.items()]

    def checkout_data(self, items: list[dict]) -> dict:
        """The form as `checkout.create_checkout` takes it (API.md's checkout body)."""
        return {
            "items": items,
            "email": self.email.data or "",
            "ship_to": {name: getattr(self, name).data or "" for name in ADDRESS},
            "delivery": {"date": self.delivery_date.data or "", "slot": self.delivery_slot.data or ""},
            "gift_message": self.gift_message.data or "",
        }

    def check(self, buyer) -> bool:
        """Check everything but the items with checkout's rules; errors go onto the fields."""
        errors: dict[str, str] = {}
        checkouts._clean_email(self.email.data or (buyer.email if buyer else None), errors)
        checkouts.clean_ship_to(self.checkout_data([])["ship_to"], errors)
        checkouts.clean_delivery(self.checkout_data([])["delivery"], errors)
        if len(self.gift_message.data or "") > GIFT_MESSAGE_MAX:
            errors["gift_message"] = _("Use at most %(n)d characters.", n=GIFT_MESSAGE_MAX)
        self.show_errors(errors)
        return not errors

    def show_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """Put service errors on their fields; return those that belong to no field."""
        rest = {}
        for name, message in errors.items():
            target = FIELDS.get(name)
            if target is None:
                rest[name] = message
                continue
            field = getattr(self, target)
            if message not in field.errors:
                field.errors = [*field.errors, message]
        return rest
