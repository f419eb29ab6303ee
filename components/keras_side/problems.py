"""Refusals and remarks as data: an i18n key plus values, translated by the page.

The Keras side never imports the UI, so it cannot call ``t()``; it raises a
:class:`Problem` (or returns :class:`Note` records) and the page shows them in
the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Note:
    """One fact for the user (a conversion done, a part of a file ignored)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


class Problem(ValueError):
    """Input that cannot be used: what is wrong (``key``), and per-item ``details``."""

    def __init__(self, key: str, details: tuple[Note, ...] = (), **values: Any) -> None:
        self.key, self.values, self.details = key, values, details
        super().__init__(" ".join([key, str(values), *(d.key for d in details)]))
