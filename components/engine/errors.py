"""Problems found in a network description, as data the UI can show row by row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem with one layer (or with the whole spec when ``layer`` is None).

    ``message`` says what is wrong, ``hint`` what would fix it.
    """

    message: str
    hint: str = ""
    layer: int | None = None
    layer_name: str | None = None
    field: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = ""
        if self.layer is not None:
            label = f" ({self.layer_name})" if self.layer_name else ""
            where = f"layer {self.layer + 1}{label}: "
        elif self.field:
            where = f"{self.field}: "
        text = f"{where}{self.message}"
        return f"{text} {self.hint}" if self.hint else text


MAX_SHOWN_ISSUES = 20  # a message lists this many problems, then says how many more


class SpecError(ValueError):
    """A network description that cannot be built; carries every issue found."""

    def __init__(self, issues: list[Issue] | Issue) -> None:
        self.issues: list[Issue] = issues if isinstance(issues, list) else [issues]
        super().__init__("; ".join(str(i) for i in self.shown()))

    def shown(self, limit: int = MAX_SHOWN_ISSUES) -> list[Issue]:
        """The issues to show: the first ``limit``, then one line saying how many more."""
        return shown_issues(self.issues, limit)


def shown_issues(issues: list[Issue], limit: int = MAX_SHOWN_ISSUES) -> list[Issue]:
    """The first ``limit`` issues, then one saying how many more (a message stays short)."""
    if len(issues) <= limit:
        return list(issues)
    summary = Issue(
        f"... and {len(issues) - limit:,} more problems not listed here.",
        "Fix the ones above first; the rest are listed once these are gone.",
    )
    return [*issues[:limit], summary]
