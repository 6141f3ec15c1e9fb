"""Delivery dates and time slots (Japan dates). Earliest the next day."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

SLOTS = {
    "am": _l("Morning (before noon)"),
    "14-16": _l("14:00–16:00"),
    "16-18": _l("16:00–18:00"),
    "18-20": _l("18:00–20:00"),
    "19-21": _l("19:00–21:00"),
}
EARLIEST_DAYS = 1
LATEST_DAYS = 14


def possible_dates(today: date) -> list[date]:
    return [today + timedelta(days=n) for n in range(EARLIEST_DAYS, LATEST_DAYS + 1)]


def can_deliver_on(day: date, today: date) -> bool:
    return today + timedelta(days=EARLIEST_DAYS) <= day <= today + timedelta(days=LATEST_DAYS)
