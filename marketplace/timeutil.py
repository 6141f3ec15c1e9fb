"""The clock. Times are stored as naive UTC and shown in Asia/Tokyo; tests freeze `now`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
_frozen: datetime | None = None


def now() -> datetime:
    """Naive UTC now (what the database stores)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None)


def freeze(at: datetime | None) -> None:
    """Tests only: pin `now()` to a naive UTC time, or unpin with None."""
    global _frozen
    _frozen = at


def to_utc_naive(value: datetime) -> datetime:
    """An aware datetime (any zone) or a naive Tokyo wall time -> naive UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=TOKYO)
    return value.astimezone(UTC).replace(tzinfo=None)


def to_tokyo(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(TOKYO)


def isoformat(value: datetime | None) -> str | None:
    """ISO 8601 with the Tokyo offset, for the API."""
    return to_tokyo(value).isoformat() if value else None


def tokyo_today() -> date:
    return to_tokyo(now()).date()


def end_of_next_day() -> datetime:
    """Default 'available until' of a catch: 23:59 Tokyo time tomorrow, as naive UTC."""
    tomorrow = tokyo_today() + timedelta(days=1)
    return to_utc_naive(datetime.combine(tomorrow, time(23, 59), tzinfo=TOKYO))
