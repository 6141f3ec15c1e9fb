"""Turning a listing as sent (HTML form or JSON API) into clean field values.

One validator for both doors, so they accept and refuse the same things. Errors are collected
per field under the API's request names and raised together as one ValidationFailed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _

from ..errors import ValidationFailed
from ..money import MAX_PRICE_JPY
from ..textclean import clean_text
from ..timeutil import end_of_next_day, now, to_utc_naive
from ..units import STEP, UNITS, BadQuantity, parse_quantity
from . import reference
from .models import KINDS, TEMPERATURES

MAX_TITLE = 120
MAX_DESCRIPTION = 2000
MAX_TIERS = 5
MAX_LISTING_DAYS = 60
LANGS = ("ja", "en", "zh_Hans", "zh_Hant", "ko")


class _Errors(dict):
    def require(self, data: dict, name: str) -> bool:
        if data.get(name) in (None, ""):
            self[name] = _("This field is required.")
            return False
        return True


def quantity_error(error: BadQuantity, unit: str) -> str:
    if str(error) == "step":
        if unit == "kg":
            return _("Use steps of 0.1 kg.")
        return _("Use whole pieces.")
    if str(error) == "too_large":
        return _("That quantity is too large.")
    if str(error) == "not_positive":
        return _("Enter a quantity above zero.")
    return _("Enter a number such as 2.5 (use a dot, not a comma).")


def _texts(value: object, name: str, limit: int, errors: _Errors, *, multiline=False) -> dict | None:
    """A string, or a {lang: string} object -> {lang: clean string} (string = request language)."""
    if isinstance(value, str):
        from ..i18n import current_language

        value = {current_language(): value}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        errors[name] = _("Enter text.")
        return None
    cleaned = {}
    for lang, text in value.items():
        if lang not in LANGS:
            continue
        text = clean_text(text, multiline=multiline)
        if len(text) > limit:
            errors[name] = _("Use at most %(n)d characters.", n=limit)
            return None
        if text:
            cleaned[lang] = text
    return cleaned


def _price(value: object, name: str, errors: _Errors) -> int | None:
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")  # "１,２００" from an IME
        value = int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        errors[name] = _("Enter the price in whole yen, tax included.")
        return None
    if not 1 <= value <= MAX_PRICE_JPY:
        errors[name] = _("Enter a price between ¥1 and ¥10,000,000.")
        return None
    return value


def _quantity(value, unit, name, errors, *, allow_zero=False) -> Decimal | None:
    try:
        return parse_quantity(value, unit, allow_zero=allow_zero)
    except BadQuantity as error:
        errors[name] = quantity_error(error, unit)
        return None


def _when(value: object, name: str, errors: _Errors) -> datetime | None:
    if isinstance(value, datetime):
        return to_utc_naive(value)
    if not isinstance(value, str):
        errors[name] = _("Enter a date and time.")
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        errors[name] = _("Enter a date and time.")
        return None
    if not 2000 <= parsed.year <= 2100:
        errors[name] = _("Enter a date and time.")
        return None
    return to_utc_naive(parsed)


def _day(value: object, name: str, errors: _Errors) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        parsed = date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = _("Enter a date (YYYY-MM-DD).")
        return None
    if not 2000 <= parsed.year <= 2100:
        errors[name] = _("Enter a date (YYYY-MM-DD).")
        return None
    return parsed


def _tiers(value: object, unit: str, errors: _Errors) -> list[tuple[Decimal, int]] | None:
    if not isinstance(value, list) or len(value) > MAX_TIERS:
        errors["price_tiers"] = _("Give at most %(n)d price tiers.", n=MAX_TIERS)
        return None
    tiers = {}
    for tier in value:
        if not isinstance(tier, dict):
            errors["price_tiers"] = _("Each tier needs a minimum quantity and a price.")
            return None
        sub = _Errors()
        quantity = _quantity(tier.get("min_quantity"), unit, "min_quantity", sub)
        price = _price(tier.get("price_jpy"), "price_jpy", sub)
        if sub:
            errors["price_tiers"] = next(iter(sub.values()))
            return None
        tiers[quantity] = price
    return sorted(tiers.items())


def clean_listing(data: dict, *, seller, existing=None) -> dict:
    """Validate `data` (request names) for a new listing, or a change to `existing`.

    Returns model field values. Unknown keys are ignored; for a change only the keys present
    are changed. Raises ValidationFailed naming every offending field.
    """
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."))
    creating = existing is None
    errors = _Errors()
    out: dict = {}

    kind = data.get("kind", None if creating else existing.kind)
    if kind not in KINDS:
        errors["kind"] = _("Choose a catch or a product.")
    unit = data.get("unit", None if creating else existing.unit)
    if unit not in UNITS:
        errors["unit"] = _("Choose kg or pieces.")
        unit = "kg"
    if creating or "kind" in data:
        out["kind"] = kind
    if creating or "unit" in data:
        out["unit"] = unit

    if "species" in data or creating:
        raw = data.get("species")
        text = clean_text(raw)[:120] if isinstance(raw, str) else ""
        if raw not in (None, "") and not isinstance(raw, str):
            errors["species"] = _("Enter text.")
        entry = reference.find("species", text)
        out["species_code"] = entry.code if entry else None
        out["species_name"] = text or None

    if "title" in data and data["title"] not in (None, ""):
        titles = _texts(data["title"], "title", MAX_TITLE, errors)
        if titles is not None:
            if not titles:
                errors["title"] = _("This field is required.")
            out["title"] = titles
    elif creating or "title" in data:
        entry = reference.find("species", out.get("species_name"))
        if entry:
            out["title"] = {"ja": entry.ja, "en": entry.en}
        elif out.get("species_name"):
            from ..i18n import current_language

            out["title"] = {current_language(): out["species_name"]}
        else:
            errors["title"] = _("Give a title or pick a species.")

    if "description" in data:
        texts = _texts(data["description"] or "", "description", MAX_DESCRIPTION, errors, multiline=True)
        if texts is not None:
            out["description"] = texts
    elif creating:
        out["description"] = {}

    if (creating or "price_jpy" in data) and errors.require(data, "price_jpy"):
        out["price_jpy"] = _price(data["price_jpy"], "price_jpy", errors)

    if (creating or "quantity" in data) and errors.require(data, "quantity"):
        quantity = _quantity(data["quantity"], unit, "quantity", errors, allow_zero=not creating)
        out["quantity_available"] = quantity
        if quantity is not None:
            out["quantity_listed"] = quantity

    if "min_order" in data and data["min_order"] not in (None, ""):
        out["min_order"] = _quantity(data["min_order"], unit, "min_order", errors)
    elif creating:
        out["min_order"] = STEP[unit]

    if "temperature" in data and data["temperature"] not in (None, ""):
        if data["temperature"] not in TEMPERATURES:
            errors["temperature"] = _("Choose chilled, frozen or ambient.")
        else:
            out["temperature"] = data["temperature"]
    elif creating:
        out["temperature"] = "chilled" if kind == "catch" else "ambient"

    profile = getattr(seller, "seller", None)
    if "landing_port" in data or creating:
        raw = data.get("landing_port")
        text = clean_text(raw)[:80] if isinstance(raw, str) else ""
        if not text and creating and profile is not None:
            text = profile.home_port or ""
        entry = reference.find("ports", text)
        out["landing_port_code"] = entry.code if entry else None
        out["landing_port"] = text or None

    if "method" in data or creating:
        raw = data.get("method")
        text = clean_text(raw)[:80] if isinstance(raw, str) else ""
        if not text and creating and profile is not None and kind == "catch":
            text = profile.fishing_method or ""
        out["method"] = text or None

    current = now()
    if "caught_at" in data and data["caught_at"] not in (None, ""):
        caught = _when(data["caught_at"], "caught_at", errors)
        if caught and caught > current + timedelta(minutes=15):
            errors["caught_at"] = _("The catch time cannot be in the future.")
        out["caught_at"] = caught
    elif creating:
        out["caught_at"] = current if kind == "catch" else None

    if "available_until" in data and data["available_until"] not in (None, ""):
        until = _when(data["available_until"], "available_until", errors)
        if until and until <= current:
            errors["available_until"] = _("Choose a time in the future.")
        elif until and until > current + timedelta(days=MAX_LISTING_DAYS):
            errors["available_until"] = _("Choose a time within %(n)d days.", n=MAX_LISTING_DAYS)
        out["available_until"] = until
    elif creating:
        out["available_until"] = end_of_next_day() if kind == "catch" else None

    if "best_before" in data:
        out["best_before"] = _day(data["best_before"], "best_before", errors) if data["best_before"] else None

    if "price_tiers" in data:
        tiers = _tiers(data["price_tiers"] or [], unit, errors)
        if tiers is not None:
            out["price_tiers"] = tiers

    min_order = out.get("min_order", None if creating else existing.min_order)
    listed = out.get("quantity_available")
    if creating and min_order and listed and min_order > listed:
        errors["min_order"] = _("The minimum order cannot be more than the quantity listed.")
    if not creating and unit != existing.unit and "unit" not in errors:
        # Quantities kept from before must still fit the new unit (2.5 kg is not 2.5 pieces).
        kept = [] if "quantity" in data else [existing.quantity_available]
        kept += [] if "min_order" in data else [existing.min_order]
        kept += [] if "price_tiers" in data else [t.min_quantity for t in existing.price_tiers]
        if any(q % STEP[unit] for q in kept):
            errors["unit"] = quantity_error(BadQuantity("step"), unit)

    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), dict(errors))
    return out
