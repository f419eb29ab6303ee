"""The custom CNN builder's table as data: rows ↔ spec, edits, and per-row checks.

Pure Python so the page stays thin and every rule is unit-tested. A row is a flat
dict with one cell per :data:`COLUMNS` entry (``None`` where the layer type takes no
such field); the ``activation`` cell doubles as an Activation layer's ``fn``. A
blank name means "Keras' automatic name", so renaming follows a change of type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from components.engine.analysis import Analysis, Shape, analyze
from components.engine.errors import InputError, Issue, Term
from components.engine.spec import (
    LAYER_TYPES,
    Layer,
    LayerType,
    NetworkSpec,
    auto_name,
    parse_spec,
)

Row = dict[str, Any]

COLUMNS = (
    "type",
    "name",
    "filters",
    "kernel",
    "stride",
    "pool",
    "padding",
    "activation",
    "units",
    "rate",
    "use_bias",
)
INT_COLUMNS = ("filters", "kernel", "stride", "pool", "units")
WINDOW_COLUMNS = ("kernel", "stride", "pool")
# What a row gets when it is added or its type changes: Keras' defaults, sizes a
# student would pick. Stride stays blank: Keras then uses 1 (conv) or the pool size.
DEFAULTS: dict[str, Row] = {
    LayerType.CONV: {"filters": 16, "kernel": 3, "padding": "valid", "activation": "relu"},
    LayerType.MAXPOOL: {"pool": 2, "padding": "valid"},
    LayerType.AVGPOOL: {"pool": 2, "padding": "valid"},
    LayerType.ACTIVATION: {"activation": "relu"},
    LayerType.DROPOUT: {"rate": 0.5},
    LayerType.DENSE: {"units": 10, "activation": "relu"},
}


def columns_of(kind: str | None) -> tuple[str, ...]:
    """The editor columns a layer type uses (``fn`` shows in the activation column)."""
    if kind not in LAYER_TYPES:
        return ()
    _, _, required, optional = LAYER_TYPES[LayerType(kind)]
    return tuple("activation" if f == "fn" else f for f in (*required, *optional))


def empty_row(kind: str | None = None) -> Row:
    row: Row = dict.fromkeys(COLUMNS)
    row["type"] = kind
    if kind in LAYER_TYPES:
        row |= DEFAULTS.get(kind, {})
        if "use_bias" in columns_of(kind):
            row["use_bias"] = True
    return row


def _missing(value: Any) -> bool:
    """None, NaN and blank text all mean an empty cell."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _cell(column: str, value: Any) -> Any:
    if _missing(value):
        return None
    if column in INT_COLUMNS and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def normalize(row: Row, retyped: bool = False) -> Row:
    """Clean one row: empty cells are None, cells its type does not take are cleared.

    ``retyped`` (a new row, or its type just changed) fills the type's defaults into
    blank cells, and clears an automatic-looking name so Keras' default for the new
    type applies (conv2d_1 turned into a dense layer should not keep that name).
    """
    kind = _cell("type", row.get("type"))
    out = empty_row(kind) if retyped else dict.fromkeys(COLUMNS)
    out["type"] = kind
    used = columns_of(kind)
    for column in COLUMNS[1:]:
        value = _cell(column, row.get(column))
        if value is not None and (column == "name" or kind not in LAYER_TYPES or column in used):
            out[column] = value
    if retyped and out["name"] is not None and _looks_automatic(out["name"]):
        out["name"] = None
    return out


def _looks_automatic(name: str) -> bool:
    prefixes = {prefix for _, prefix, _, _ in LAYER_TYPES.values()}
    stem, _, suffix = name.rpartition("_")
    return name in prefixes or (stem in prefixes and suffix.isdigit())


def apply_edits(rows: list[Row], edits: dict[str, Any] | None) -> list[Row]:
    """Apply ``st.data_editor``'s edit state (edited, deleted, added rows) to ``rows``.

    Positions refer to the table as it was shown; keys may arrive as text.
    """
    if not edits:
        return [dict(r) for r in rows]
    out = [dict(r) for r in rows]
    for position, changes in (edits.get("edited_rows") or {}).items():
        i = int(position)
        if 0 <= i < len(out) and isinstance(changes, dict):
            retyped = "type" in changes and changes["type"] != out[i].get("type")
            out[i] = normalize(out[i] | changes, retyped=retyped)
    deleted = {int(i) for i in edits.get("deleted_rows") or ()}
    out = [r for i, r in enumerate(out) if i not in deleted]
    for added in edits.get("added_rows") or ():
        if isinstance(added, dict):
            out.append(normalize(empty_row(None) | added, retyped=True))
    return out


def move(rows: list[Row], index: int, step: int) -> list[Row]:
    """Swap row ``index`` with its neighbour ``step`` (−1 up, +1 down); ends stay put."""
    target = index + step
    out = list(rows)
    if 0 <= index < len(out) and 0 <= target < len(out):
        out[index], out[target] = out[target], out[index]
    return out


def insert(rows: list[Row], index: int, kind: str | None) -> list[Row]:
    """A new row of ``kind`` (with its defaults) below row ``index``; at the top if none."""
    at = min(max(index + 1, 0), len(rows))
    return [*rows[:at], empty_row(kind), *rows[at:]]


def delete(rows: list[Row], index: int) -> list[Row]:
    """The rows without row ``index`` (unchanged when there is no such row)."""
    return [r for i, r in enumerate(rows) if i != index]


def rows_to_spec(rows: list[Row], name: str, input_shape: tuple[Any, Any, Any]) -> dict[str, Any]:
    """The raw JSON spec of the table (validated later by :func:`parse_spec`)."""
    layers = []
    for row in rows:
        kind = row.get("type")
        layer: dict[str, Any] = {"type": kind}
        if not _missing(row.get("name")):
            layer["name"] = str(row["name"]).strip()
        for column in columns_of(kind):
            value = _cell(column, row.get(column))
            if value is not None:
                layer["fn" if kind == LayerType.ACTIVATION else column] = value
        layers.append(layer)
    return {"name": name, "input": list(input_shape), "layers": layers}


def spec_to_rows(spec: NetworkSpec) -> list[Row]:
    """The table of a spec; InputError (per layer) if a window is not square.

    The editor has one number per kernel/pool/stride, so a 3×5 kernel cannot be shown
    without changing the network; the caller refuses such specs with this message.
    """
    automatic = auto_name([Layer(type=layer.type) for layer in spec.layers])
    rows, issues = [], []
    for i, (layer, auto) in enumerate(zip(spec.layers, automatic, strict=True)):
        row = empty_row(layer.type)
        for column in columns_of(layer.type):
            source = "fn" if layer.type is LayerType.ACTIVATION else column
            value = getattr(layer, source)
            if column in WINDOW_COLUMNS and value is not None:
                if value[0] != value[1]:
                    issues.append(
                        Issue(
                            "editor.not_square",
                            {"what": Term(column), "window": value},
                            layer=i,
                            layer_name=layer.name,
                            field=column,
                        )
                    )
                value = value[0]
            row[column] = value
        row["name"] = None if layer.name == auto.name else layer.name
        rows.append(row)
    if issues:
        raise InputError(issues)
    return rows


@dataclass(frozen=True)
class Checked:
    """The table checked: the spec and analysis when it works, and every row's issues."""

    spec: NetworkSpec | None
    analysis: Analysis | None
    issues: tuple[Issue, ...]
    names: tuple[str, ...]  # each row's effective layer name ("" if its type is unknown)
    # While a row is broken: the output shapes of the rows above it, which still work.
    leading_shapes: tuple[Shape, ...] = ()

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def row_issues(self, row: int) -> list[Issue]:
        return [i for i in self.issues if i.layer == row]

    def output_shape(self, row: int) -> Shape | None:
        if self.analysis is None:
            return self.leading_shapes[row] if row < len(self.leading_shapes) else None
        if row >= len(self.analysis.layers):
            return None
        return self.analysis.layers[row].output_shape


def _effective_names(rows: list[Row]) -> tuple[str, ...]:
    known = [i for i, r in enumerate(rows) if r.get("type") in LAYER_TYPES]
    named = auto_name(
        [Layer(type=rows[i]["type"], name=_cell("name", rows[i].get("name")) or "") for i in known]
    )
    names = [""] * len(rows)
    for i, layer in zip(known, named, strict=True):
        names[i] = layer.name
    return tuple(names)


def _at(issue: Issue, names: tuple[str, ...]) -> Issue:
    """The issue with the row's effective name, so messages say "row 3 (conv2d_2)"."""
    if issue.layer is None or not 0 <= issue.layer < len(names):
        return issue
    return replace(issue, layer_name=names[issue.layer] or issue.layer_name)


def check(rows: list[Row], name: str, input_shape: tuple[Any, Any, Any]) -> Checked:
    """Validate the table: field errors of every row, then the first row that breaks the
    network (shapes), then what Keras accepts but a student rarely means (warnings)."""
    names = _effective_names(rows)
    issues: list[Issue] = []
    flagged: set[int] = set()
    for i, row in enumerate(rows):
        if row.get("type") not in LAYER_TYPES:
            flagged.add(i)
            issues.append(
                Issue(
                    "editor.no_type",
                    {"known": ", ".join(LAYER_TYPES)},
                    layer=i,
                    field="type",
                )
            )
    raw = rows_to_spec(rows, name, input_shape)
    seen: dict[str, int] = {}
    for i, layer_name in enumerate(names):
        if not layer_name:
            continue
        if layer_name in seen:
            flagged.add(i)
            raw["layers"][i].pop("name", None)  # reported here, with its row
            issues.append(
                Issue(
                    "editor.name_taken",
                    {"name": layer_name, "row": seen[layer_name] + 1},
                    layer=i,
                    field="name",
                )
            )
        else:
            seen[layer_name] = i
    spec = analysis = None
    try:
        spec = parse_spec(raw)
    except InputError as error:
        issues += [i for i in error.issues if i.layer not in flagged]
    if spec is not None and not issues:
        try:
            analysis = analyze(spec)
        except InputError as error:
            issues += error.issues
            spec = None
        else:
            issues += analysis.warnings
    else:
        spec = None
    leading = () if analysis is not None else _leading_shapes(raw, issues)
    return Checked(spec, analysis, tuple(_at(i, names) for i in issues), names, leading)


def _leading_shapes(raw: dict[str, Any], issues: list[Issue]) -> tuple[Shape, ...]:
    """Output shapes of the rows above the first broken one (they do not depend on it)."""
    broken = [i.layer for i in issues if i.severity == "error" and i.layer is not None]
    if (
        not broken
        or min(broken) == 0
        or any(i.severity == "error" and i.layer is None for i in issues)
    ):
        return ()
    try:
        above = analyze(parse_spec(raw | {"layers": raw["layers"][: min(broken)]}))
    except InputError:
        return ()
    return tuple(info.output_shape for info in above.layers)
