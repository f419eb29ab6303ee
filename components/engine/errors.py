"""What the engine and the Keras side say, as data: a code plus values, translated by the UI.

Neither layer may import the UI, so neither writes prose. Each message is an
:class:`Issue` whose ``code`` names the catalogue entry ``issue.<code>`` (and the
optional ``issue.<code>.hint``, how to fix it) and whose ``values`` fill its
placeholders. ``components/ui/messages.py`` renders it in the page language; the
CLI renders it in English.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Self

Severity = Literal["error", "warning", "info"]

MAX_SHOWN_ISSUES = 20  # a message lists this many problems, then says how many more
MORE_ISSUES = "more_issues"  # the code of the line that says how many were left out


class Term(str):
    """A word the UI translates (catalogue key ``term.<word>``), unlike user text, shown as is."""

    __slots__ = ()


class Bytes(int):
    """A size in bytes, which the UI shows in binary units (527.79 MB)."""

    __slots__ = ()


class Approx(float):
    """A figure too large to read digit by digit, shown to three significant digits (3.98e+13)."""

    __slots__ = ()


def _frozen(value: Any) -> Any:
    """A hashable copy of a plain value (lists become tuples, dicts become Values)."""
    if isinstance(value, Mapping):
        return Values(value)
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple(_frozen(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(_frozen(item) for item in value))
    return value


class Values(Mapping[str, Any]):
    """An immutable, hashable mapping of placeholder name to plain value."""

    __slots__ = ("_items",)

    def __init__(self, values: Mapping[str, Any] | None = None, /, **more: Any) -> None:
        merged = {**(values or {}), **more}
        self._items: tuple[tuple[str, Any], ...] = tuple(
            sorted((str(key), _frozen(value)) for key, value in merged.items())
        )

    def __getitem__(self, key: str) -> Any:
        for name, value in self._items:
            if name == key:
                return value
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Values):
            return self._items == other._items
        return isinstance(other, Mapping) and dict(self) == dict(other)

    def __repr__(self) -> str:
        return f"Values({dict(self._items)!r})"


@dataclass(frozen=True)
class Issue:
    """One message about one layer (or the whole input when ``layer`` is None).

    ``layer`` is 0-based; ``field`` names the spec field or input the message is
    about. ``severity`` "error" stops the build; "warning" and "info" are shown
    beside a result that still works.
    """

    code: str
    values: Mapping[str, Any] = field(default_factory=lambda: Values())
    layer: int | None = None
    layer_name: str | None = None
    field: str | None = None
    severity: Severity = "error"

    def __post_init__(self) -> None:
        if not isinstance(self.values, Values):
            object.__setattr__(self, "values", Values(self.values))

    @property
    def hint_code(self) -> str:
        """The catalogue key of the optional hint (how to fix it)."""
        return f"issue.{self.code}.hint"

    def __str__(self) -> str:
        """Code and values, for logs and test failures (the UI and CLI translate)."""
        where = ""
        if self.layer is not None:
            label = f" ({self.layer_name})" if self.layer_name else ""
            where = f"layer {self.layer + 1}{label}: "
        elif self.field:
            where = f"{self.field}: "
        values = ", ".join(f"{key}={value!r}" for key, value in self.values.items())
        return f"{where}{self.code}" + (f" {{{values}}}" if values else "")


def issue(code: str, /, **values: Any) -> Issue:
    """Shorthand for an error about the whole input: ``issue("spec.too_long", limit=5)``."""
    return Issue(code, values)


class InputError(ValueError):
    """Input that cannot be used; carries every issue found (never prose)."""

    def __init__(self, issues: list[Issue] | tuple[Issue, ...] | Issue) -> None:
        self.issues: list[Issue] = [issues] if isinstance(issues, Issue) else list(issues)
        super().__init__("; ".join(str(i) for i in self.shown()))

    @classmethod
    def of(cls, code: str, details: tuple[Issue, ...] = (), /, **values: Any) -> Self:
        """One refusal about the whole input, then its per-item ``details`` (layers, keys)."""
        return cls([Issue(code, values), *details])

    @property
    def code(self) -> str:
        """The first issue's code (the headline of a one-issue refusal)."""
        return self.issues[0].code if self.issues else ""

    def shown(self, limit: int = MAX_SHOWN_ISSUES) -> list[Issue]:
        """The issues to show: the first ``limit``, then one saying how many more."""
        return shown_issues(self.issues, limit)


def shown_issues(issues: list[Issue], limit: int = MAX_SHOWN_ISSUES) -> list[Issue]:
    """The first ``limit`` issues, then one saying how many more (a message stays short)."""
    if len(issues) <= limit:
        return list(issues)
    return [*issues[:limit], Issue(MORE_ISSUES, {"count": len(issues) - limit})]
