"""Ages and instants as operators type them: ``30d``, ``12h``, ``90m``, ``2w`` or an ISO date."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_AGE = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$", re.I)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_age(value: str) -> timedelta:
    """``30d`` -> 30 days. Units: s, m, h, d, w."""
    match = _AGE.match(value)
    if not match:
        raise ValueError(f"expected an age such as 30d, 12h, 90m or 2w, got {value!r}")
    return timedelta(**{_UNITS[match[2].lower()]: int(match[1])})


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """An age (``7d``: seven days ago) or an ISO date/datetime; a value without a zone is UTC."""
    if _AGE.match(value):
        return (now or datetime.now(UTC)) - parse_age(value)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"expected an age (7d, 12h) or an ISO date (2024-03-01, 2024-03-01T12:00+02:00), got {value!r}"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
