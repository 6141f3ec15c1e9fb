"""Forms for acting on orders (the seller's, and the cooperative's cancel and refund).

The forms carry the CSRF token and keep what was typed; the rules (steps, amounts, carriers)
are the order services', whose field errors are put back on these fields by name.
"""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..orders.labels import CARRIER_LABELS
from ..units import format_quantity


class PackForm(FlaskForm):
    """One field per order line: the weight or count that is really going into the box.
    Built per order with `pack_form(order)`; a line's field is named `line_<id>`."""

    def line_fields(self, order):
        return [(line, self[f"line_{line.id}"]) for line in order.lines]

    def actual(self, order) -> dict[int, str]:
        return {line.id: field.data for line, field in self.line_fields(order)}


def pack_form(order, **kwargs) -> PackForm:
    class OrderPackForm(PackForm):
        pass

    for line in order.lines:
        unit = _l("kg") if line.unit == "kg" else _l("pcs")
        field = StringField(
            f"{line.title} ({unit})",
            default=format_quantity(line.quantity_actual if line.quantity_actual is not None else line.quantity, line.unit),
            render_kw={"inputmode": "decimal" if line.unit == "kg" else "numeric", "autocomplete": "off"},
            description=_l("Ordered %(qty)s. Steps of 0.1 kg.", qty=format_quantity(line.quantity, line.unit))
            if line.unit == "kg"
            else _l("Ordered %(qty)s. Whole pieces.", qty=format_quantity(line.quantity, line.unit)),
        )
        setattr(OrderPackForm, f"line_{line.id}", field)
    return OrderPackForm(**kwargs)


class ShipForm(FlaskForm):
    carrier = SelectField(
        _l("Carrier"),
        choices=[SelectChoice(code, label) for code, label in CARRIER_LABELS.items()],
        default="yamato",
        validate_choice=False,  # the service names a wrong carrier in the user's language
    )
    tracking_number = StringField(
        _l("Tracking number"),
        render_kw={"autocomplete": "off", "inputmode": "text", "autocapitalize": "characters"},
        description=_l("Not needed for local delivery."),
    )


class DeliverForm(FlaskForm):
    pass


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the buyer will read it)"),
        validators=[InputRequired(_l("Say why the order is cancelled."))],
        render_kw={"rows": 3},
    )


class BuyerCancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), render_kw={"rows": 3})


class RefundForm(FlaskForm):
    amount_jpy = StringField(
        _l("Amount to refund (yen)"), render_kw={"inputmode": "numeric", "autocomplete": "off"}
    )
    reason = StringField(_l("Reason, e.g. short weight or a damaged item"))
    # One key per rendered form: a double click (or a resent form) makes one refund.
    request_key = HiddenField()

    def fresh_key(self) -> None:
        self.request_key.data = secrets.token_urlsafe(24)
