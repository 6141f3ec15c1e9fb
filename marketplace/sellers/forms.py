"""Seller forms. Field names are the API's, so one validator serves both doors."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..catalog.services import MAX_PHOTOS

TEMPERATURE_CHOICES = [
    SelectChoice("chilled", _l("Chilled")),
    SelectChoice("frozen", _l("Frozen")),
    SelectChoice("ambient", _l("Ambient")),
]
UNIT_CHOICES = [SelectChoice("kg", _l("per kg")), SelectChoice("piece", _l("per piece"))]
KIND_CHOICES = [SelectChoice("catch", _l("Today's catch")), SelectChoice("product", _l("Processed goods"))]


class ApplicationForm(FlaskForm):
    kind = RadioField(
        _l("I am a"),
        choices=[SelectChoice("fisher", _l("Fisher")), SelectChoice("processor", _l("Processor (dried, canned, salted goods)"))],
        default="fisher",
    )
    name = StringField(_l("Shop name shown to buyers"))
    boat_name = StringField(_l("Boat name"), description=_l("Fishers only."))
    home_port = StringField(_l("Home port"))
    fishing_method = StringField(_l("Main fishing method"))
    member_number = StringField(_l("Cooperative member or licence number"))
    story = TextAreaField(_l("Your story (shown to buyers)"))
    photo = FileField(_l("Photo of you or your boat"))


class ListingForm(FlaskForm):
    kind = RadioField(_l("What are you selling?"), choices=KIND_CHOICES, default="catch")
    species = StringField(_l("Species"), description=_l("Pick from the list or type a name."))
    unit = RadioField(_l("Sold"), choices=UNIT_CHOICES, default="kg")
    quantity = StringField(_l("Quantity (kg or pieces)"))
    price_jpy = StringField(_l("Price in yen, tax included"))
    temperature = RadioField(_l("Temperature"), choices=TEMPERATURE_CHOICES, default="chilled")
    min_order = StringField(_l("Minimum order"), validators=[Optional()])
    caught_at = StringField(_l("Caught at"))
    landing_port = StringField(_l("Landing port"))
    method = StringField(_l("Fishing method"))
    available_until = StringField(_l("On sale until"))
    best_before = StringField(_l("Best before"))
    title = StringField(_l("Title (optional)"), description=_l("Leave empty to use the species name."))
    description = TextAreaField(_l("Description"))
    tier1_min = StringField(_l("From quantity"))
    tier1_price = StringField(_l("Price from that quantity (yen)"))
    photos = MultipleFileField(_l("Photos (up to %(n)d)", n=MAX_PHOTOS))

    def listing_data(self, *, creating: bool) -> dict:
        """The form as the API's field names, leaving out what the seller left empty."""
        data = {}
        for name in (
            "kind", "species", "unit", "quantity", "price_jpy", "temperature", "min_order",
            "caught_at", "landing_port", "method", "available_until", "best_before", "title",
            "description",
        ):
            value = getattr(self, name).data
            if value not in (None, "") or (not creating and name in ("description", "best_before")):
                data[name] = value
        if data.get("kind", self.kind.data) == "product":
            # Processed goods do not expire daily and have no catch time.
            data.pop("caught_at", None)
            data.pop("available_until", None)
        tier_min, tier_price = self.tier1_min.data, self.tier1_price.data
        if tier_min or tier_price:
            data["price_tiers"] = [{"min_quantity": tier_min, "price_jpy": tier_price}]
        elif not creating:
            data["price_tiers"] = []
        return data
