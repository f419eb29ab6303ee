"""Percentages as shown to students: never "100%" or "0%" unless the share is exact."""

from __future__ import annotations

MAX_DIGITS = 4


def percent(share: float, digits: int = 0) -> str:
    """0.997 → '99.7%' (not '100%'), 0.0004 → '0.04%', 1.0 → '100%'; at least ``digits`` decimals.

    ``share`` is not negative. Decimals are added only while rounding would show 0 or
    100 for a share that is neither; past ``MAX_DIGITS`` it says '<0.0001%' / '>99.9999%'.
    """
    value = share * 100
    if share in (0, 1):
        return f"{value:.{digits}f}%"
    for places in range(digits, MAX_DIGITS + 1):
        text = f"{value:.{places}f}"
        if float(text) not in (0.0, 100.0):
            return f"{text}%"
    tiny = 10.0**-MAX_DIGITS
    return f"<{tiny:.{MAX_DIGITS}f}%" if value < 50 else f">{100 - tiny:.{MAX_DIGITS}f}%"


def signed_percent(ratio: float, digits: int = 1) -> str:
    """0.0384 → '+3.8%', −0.2 → '−20.0%' (a real minus sign), 0 → '±0%'; never a rounded ±0."""
    if ratio == 0:
        return "±0%"
    return ("+" if ratio > 0 else "−") + percent(abs(ratio), digits)
