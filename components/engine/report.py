"""Analysis → rows, the public JSON contract, and text/CSV/Markdown/Keras-style summaries."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from itertools import groupby
from typing import Any

from components.engine.analysis import Analysis, Formula, LayerInfo
from components.engine.errors import Issue
from components.engine.formatting import byte_text, count_text, pair_text, shape_text

COLUMNS = (
    "name",
    "type",
    "block",
    "output_shape",
    "kernel",
    "stride",
    "padding",
    "params",
    "trainable_params",
    "macs",
    "receptive_field",
    "cumulative_params",
    "torch_name",
    "paper_name",
)


def rf_text(info: LayerInfo, whole_input: str) -> str:
    """The receptive field's size, or the caller's word (UI: page language) for the whole input."""
    rf = info.receptive_field
    return whole_input if rf is None else pair_text(rf.size)


def rows(analysis: Analysis, whole_input: str) -> list[dict[str, Any]]:
    """One plain record per layer: the table behind every view and export.

    ``whole_input`` is the receptive-field cell of layers that see the whole input
    (after flattening), in the reader's language: the engine writes no prose.
    """
    out = []
    cumulative = 0
    for info in analysis.layers:
        cumulative += info.params
        layer = info.layer
        window = layer.window
        out.append(
            {
                "name": info.name,
                "type": info.keras_class,
                "block": layer.block or "",
                "output_shape": shape_text(info.output_shape),
                "kernel": pair_text(window),
                "stride": pair_text(layer.strides),
                "padding": layer.padding if window else "",
                "params": info.params,
                "trainable_params": info.trainable_params,
                "macs": info.macs,
                "receptive_field": rf_text(info, whole_input),
                "cumulative_params": cumulative,
                "torch_name": layer.torch_name or "",
                "paper_name": layer.paper_name or "",
            }
        )
    return out


def _issue_record(issue: Issue, text: Callable[[Issue], str] | None) -> dict[str, Any]:
    """An issue in the JSON contract: its code and values, and its ``text`` when given."""
    record = {"code": issue.code, "values": dict(issue.values), "severity": issue.severity}
    return record | ({"text": text(issue)} if text else {})


def _formula_text(formula: Formula, text: Callable[[Issue], str] | None) -> str:
    """The formula, and its notes ('same' padding, no bias) when a ``text`` renders them."""
    notes = "".join(f" ({text(note)})" for note in formula.notes) if text else ""
    return f"{formula}{notes}"


def to_json_dict(analysis: Analysis, text: Callable[[Issue], str] | None = None) -> dict[str, Any]:
    """The public JSON contract of ``python -m components summary --format json``."""
    layers = []
    for info in analysis.layers:
        rf = info.receptive_field
        layers.append(
            {
                "name": info.name,
                "type": info.keras_class,
                "output_shape": list(info.output_shape),
                "params": info.params,
                "trainable_params": info.trainable_params,
                "non_trainable_params": info.non_trainable_params,
                "macs": info.macs,
                "receptive_field": None
                if rf is None
                else {"size": list(rf.size), "stride": list(rf.stride), "start": list(rf.start)},
                "torch_name": info.layer.torch_name,
                "paper_name": info.layer.paper_name,
                "formulas": [_formula_text(f, text) for f in info.formulas],
                "warnings": [_issue_record(w, text) for w in info.warnings],
            }
        )
    return {
        "name": analysis.spec.name,
        "input_shape": list(analysis.spec.input_shape),
        "layers": layers,
        "total_params": analysis.total_params,
        "trainable_params": analysis.trainable_params,
        "non_trainable_params": analysis.non_trainable_params,
        "total_macs": analysis.total_macs,
        "weight_bytes": analysis.weight_bytes,
        "activation_bytes": analysis.activation_bytes,
    }


def to_csv(analysis: Analysis, whole_input: str) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(analysis, whole_input))
    return buffer.getvalue()


def to_markdown(analysis: Analysis, whole_input: str) -> str:
    header = ("Layer", "Type", "Output shape", "Kernel", "Stride", "Params", "MACs", "RF")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * 3 + "---:|" * 5]
    for r in rows(analysis, whole_input):
        cells = (
            f"`{r['name']}`",
            r["type"],
            r["output_shape"],
            r["kernel"],
            r["stride"],
            count_text(r["params"]),
            count_text(r["macs"]),
            r["receptive_field"],
        )
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"Total params: {count_text(analysis.total_params)}"
        f" · trainable: {count_text(analysis.trainable_params)}"
        f" · non-trainable: {count_text(analysis.non_trainable_params)}"
        f" · MACs: {count_text(analysis.total_macs)}"
    )
    return "\n".join(lines) + "\n"


def _batch_shape(shape: tuple[int, ...]) -> str:
    return str((None, *shape))


def to_keras_text(analysis: Analysis) -> str:
    """A summary laid out like Keras 3 ``model.summary()``."""
    entries = [("input_layer (InputLayer)", _batch_shape(analysis.spec.input_shape), "0")]
    entries += [
        (f"{i.name} ({i.keras_class})", _batch_shape(i.output_shape), count_text(i.params))
        for i in analysis.layers
    ]
    w1 = max(31, *(len(e[0]) for e in entries))
    w2 = max(22, *(len(e[1]) for e in entries))
    w3 = max(13, *(len(e[2]) for e in entries))

    def line(left: str, mid: str, right: str, fill: str) -> str:
        return left + fill * (w1 + 2) + mid + fill * (w2 + 2) + mid + fill * (w3 + 2) + right

    out = [f'Model: "{analysis.spec.name}"', line("┏", "┳", "┓", "━")]
    out.append(f"┃ {'Layer (type)':<{w1}} ┃ {'Output Shape':<{w2}} ┃ {'Param #':>{w3}} ┃")
    out.append(line("┡", "╇", "┩", "━"))
    for n, (a, b, c) in enumerate(entries):
        out.append(f"│ {a:<{w1}} │ {b:<{w2}} │ {c:>{w3}} │")
        out.append(line("├", "┼", "┤", "─") if n < len(entries) - 1 else line("└", "┴", "┘", "─"))
    for label, count in (
        ("Total", analysis.total_params),
        ("Trainable", analysis.trainable_params),
        ("Non-trainable", analysis.non_trainable_params),
    ):
        out.append(f" {label} params: {count_text(count)} ({byte_text(count * 4)})")
    out.append(f" MACs (conv + dense): {count_text(analysis.total_macs)}")
    return "\n".join(out) + "\n"


def block_rows(analysis: Analysis, whole_input: str) -> list[dict[str, Any]]:
    """One record per block (VGG's block1…block5 and head), the same columns as :func:`rows`.

    Sums params and MACs, keeps the block's last output shape and receptive field;
    a layer without a block (custom CNNs) stays a row of its own.
    """
    out: list[dict[str, Any]] = []
    groups = groupby(rows(analysis, whole_input), key=lambda r: r["block"] or f"\0{r['name']}")
    for _, group in groups:
        members = list(group)
        last = members[-1]
        if not last["block"]:
            out.append(last)
            continue
        kinds = Counter(r["type"] for r in members)
        out.append(
            {
                "name": last["block"],
                "type": " + ".join(f"{n}×{kind}" if n > 1 else kind for kind, n in kinds.items()),
                "block": last["block"],
                "output_shape": last["output_shape"],
                "kernel": "",
                "stride": "",
                "padding": "",
                "params": sum(r["params"] for r in members),
                "trainable_params": sum(r["trainable_params"] for r in members),
                "macs": sum(r["macs"] for r in members),
                "receptive_field": last["receptive_field"],
                "cumulative_params": last["cumulative_params"],
                "torch_name": _span(members, "torch_name"),
                "paper_name": _span(members, "paper_name"),
            }
        )
    return out


def _span(members: list[dict[str, Any]], column: str) -> str:
    """'features.0 … features.4': the first and last names a block has in that naming."""
    names = [r[column] for r in members if r[column]]
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"
