"""Cart forms. Quantities are checked by the cart service (one rule for every door)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class AddForm(FlaskForm):
    listing_id = HiddenField()
    quantity = StringField(_l("Quantity"))


class QuantityForm(FlaskForm):
    quantity = StringField(_l("Quantity"))
