"""The custom CNN builder's widgets: the layer table, its checks, links, import and export.

The table's rows live in ``st.session_state`` (:data:`ROWS`). ``st.data_editor`` is given
the same data and key while cells are edited (:data:`BASE`, the rows it was keyed with),
so the browser never rebuilds the grid under a student typing: a rebuilt grid dropped
what was typed during the rerun an edit starts. The browser keeps every edit and sends
them all each time; each run recomputes the rows as that delta applied to the base
(``engine.editor.apply_edits``). The checks of the current rows are a read-only table
beside the grid, row for row. Only whole-table changes (a preset, an import, adding,
deleting or moving a row) give the editor new data and a new key.
The network travels in the share link as ``preset=NAME`` while it is an untouched
preset, else as ``spec=`` (base64url JSON).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from components.engine import editor
from components.engine.choice import parse_input_size, with_input
from components.engine.codegen import COMMENTS, keras_code, torch_code
from components.engine.errors import InputError, Issue, shown_issues
from components.engine.presets import load_preset, preset_names
from components.engine.report import shape_text
from components.engine.spec import (
    ACTIVATIONS,
    LAYER_TYPES,
    MAX_CHANNELS_IN,
    MAX_INPUT_SIDE,
    MAX_NAME_LEN,
    MAX_SPEC_BYTES,
    MAX_WIDTH,
    MAX_WINDOW,
    PADDINGS,
    LayerType,
    NetworkSpec,
    decode_spec,
    encode_spec,
    parse_spec_json,
)
from components.ui import messages
from components.ui.i18n import LANGUAGE_KEY, t, tn
from components.ui.links import page_button_ui
from components.ui.network_picker import analysis_of
from components.ui.safe_text import plain
from components.ui.url_state import bad_value_text, link_value, write_link

ROW_PX = 35  # Streamlit's grid row (and header) height
BLANK = "—"  # what an empty cell shows
BASE = "custom_base"
ROWS, VERSION, SOURCE, LAST = "custom_rows", "custom_version", "custom_source", "custom_last"
NOTES, IMPORTED = "custom_notes", "custom_import_msg"
NAME, H, W, C = "custom_name", "custom_h", "custom_w", "custom_c"
PRESET, MOVE_ROW, PASTE = "custom_preset", "custom_move_row", "custom_paste"
OWN = ""  # the preset box's entry for a network that is no (longer a) preset
DEFAULT_PRESET = "seed-example"  # the Keras model.summary() question the page answers
LINK_PARAMS = ("spec", "preset", "input")
INT_COLUMN_LIMITS = {
    "filters": MAX_WIDTH,
    "units": MAX_WIDTH,
    "kernel": MAX_WINDOW,
    "stride": MAX_WINDOW,
    "pool": MAX_WINDOW,
}


def _editor_key() -> str:
    return f"custom_editor_{st.session_state[VERSION]}"


def _rebase(rows: list[editor.Row]) -> None:
    """A new table in the editor: new key, so the grid is drawn afresh from ``rows``."""
    state = st.session_state
    state[ROWS] = state[BASE] = rows
    state[VERSION] = state.get(VERSION, 0) + 1


def _load(spec: NetworkSpec, source: str | None) -> None:
    """Put a whole network in the builder (rows, name, input); InputError if it cannot be."""
    state = st.session_state
    _rebase(editor.spec_to_rows(spec))
    state[SOURCE] = source
    try:
        analysis_of(spec)
        state[LAST] = spec
    except InputError:  # its rows are loaded and marked; the last working network stays shown
        state.setdefault(LAST, load_preset(_default_preset()))
    state[NAME] = spec.name
    state[H], state[W], state[C] = spec.input_shape
    state[MOVE_ROW] = 0
    state[PRESET] = source or OWN
    state[NOTES] = []


def _default_preset() -> str:
    return DEFAULT_PRESET if DEFAULT_PRESET in preset_names() else preset_names()[0]


def _read_link() -> None:
    """The first run: the network from ``spec=`` / ``preset=`` (and ``input=``), else the
    default preset; a bad value falls back with a note that stays until the next change."""
    notes: list[str] = []
    spec, source = None, None
    token, preset = link_value("spec"), link_value("preset")
    if token is not None:
        try:
            spec = decode_spec(token)
            editor.spec_to_rows(spec)
        except InputError as error:
            spec = None
            notes.append(
                bad_value_text("spec", token, _default_preset(), issues_text(error.issues))
            )
    elif preset is not None:
        if preset in preset_names():
            spec, source = load_preset(preset), preset
        else:
            notes.append(bad_value_text("preset", preset, _default_preset()))
    if spec is None:
        spec, source = load_preset(_default_preset()), _default_preset()
    size = link_value("input")
    if size is not None:
        try:
            resized = with_input(spec, parse_input_size(size))
            spec, source = resized, (source if resized == spec else None)
        except InputError:
            notes.append(bad_value_text("input", size, t("url.used.own_size")))
    _load(spec, source)
    st.session_state[NOTES] = notes


def start() -> None:
    """Read the link once, then the rows: the editor's whole edit delta on its base rows."""
    state = st.session_state
    if ROWS not in state:
        _read_link()
    edits = state.get(_editor_key())
    if edits and any(edits.get(k) for k in ("edited_rows", "added_rows", "deleted_rows")):
        rows = editor.apply_edits(state[BASE], edits)
        if rows != state[ROWS]:
            _edited()
        state[ROWS] = rows
        if edits.get("added_rows") or edits.get("deleted_rows"):
            _rebase(rows)  # a change of row count re-keys the editor
    for note in state[NOTES]:
        st.warning(note, icon=":material/link_off:")


def _edited() -> None:
    st.session_state[SOURCE] = None
    st.session_state[PRESET] = OWN
    st.session_state[NOTES] = []


def _preset_chosen() -> None:
    chosen = st.session_state[PRESET]
    if chosen != OWN:
        _load(load_preset(chosen), chosen)
    else:
        start_own()


def start_own() -> None:
    """'— your own network —': an empty table with one conv row, a new name, the same input."""
    state = st.session_state
    _rebase([editor.empty_row(LayerType.CONV)])
    state[NAME] = t("classroom.builder.own_name")
    state[MOVE_ROW] = 0
    state[SOURCE] = None
    state[NOTES] = []


def _move(step: int) -> None:
    state = st.session_state
    index = state[MOVE_ROW]
    moved = editor.move(state[ROWS], index, step)
    if moved != state[ROWS]:
        _rebase(moved)
        state[MOVE_ROW] = index + step
        _edited()


def _insert() -> None:
    """A new row below the picked one, of the same type (its type cell can change it)."""
    state = st.session_state
    rows, index = state[ROWS], state.get(MOVE_ROW, -1) if state[ROWS] else -1
    kind = rows[index]["type"] if 0 <= index < len(rows) else LayerType.CONV
    _rebase(editor.insert(rows, index, kind if kind in LAYER_TYPES else LayerType.CONV))
    state[MOVE_ROW] = index + 1
    _edited()


def _delete() -> None:
    state = st.session_state
    _rebase(editor.delete(state[ROWS], state[MOVE_ROW]))
    state[MOVE_ROW] = max(0, min(state[MOVE_ROW], len(state[ROWS]) - 1))
    _edited()


# ------------------------------------------------------------------ the table


def issue_text(issue: Issue) -> str:
    """One issue in words: where (row and layer name, or the whole network), what, how to fix."""
    text = messages.issue_text(issue, where=False)
    if issue.layer is None:
        return t("custom.check.network", message=text)
    name = plain(issue.layer_name or "?")
    return t("custom.check.row", row=issue.layer + 1, name=name, message=text)


def issues_text(issues: list[Issue]) -> str:
    """A Markdown list of the issues (the first few, then how many more), user text escaped."""
    return "\n".join(f"- {issue_text(issue)}" for issue in shown_issues(issues))


def _check_cell(checked: editor.Checked, row: int) -> str:
    issues = checked.row_issues(row)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        return f"✗ {messages.issue_plain_text(errors[0], where=False, hint=False)}"
    shape = checked.output_shape(row)
    if shape is None:
        return ""
    mark = "⚠" if issues else "✓"  # the warning's words are listed under the table
    return f"{mark} {shape_text(shape)}" if len(shape) > 1 else f"{mark} {shape[0]:,}"


def _numbers(rows: list[editor.Row]) -> pd.Series:
    return pd.Series(range(1, len(rows) + 1), dtype="Int64")


def _check_frame(rows: list[editor.Row], checked: editor.Checked) -> pd.DataFrame:
    checks = [_check_cell(checked, i) for i in range(len(rows))]
    return pd.DataFrame({"check": pd.Series(checks, dtype=object)})


def _frame(rows: list[editor.Row]) -> pd.DataFrame:
    data = {column: [row.get(column) for row in rows] for column in editor.COLUMNS}
    frame = pd.DataFrame(
        {
            "row": _numbers(rows),
            **{c: pd.Series(data[c], dtype="Int64") for c in editor.INT_COLUMNS},
            "rate": pd.Series(data["rate"], dtype="Float64"),
            "use_bias": pd.Series(data["use_bias"], dtype="boolean"),
            **{c: pd.Series(data[c], dtype=object) for c in ("type", "name", "padding")},
            "activation": pd.Series(data["activation"], dtype=object),
        }
    )
    return frame


def _column_specs() -> dict[str, tuple[Callable[..., ColumnConfig], dict[str, Any]]]:
    """Each editable column's Streamlit column type and settings (its label and help come from
    the catalogue as ``custom.col.<column>`` and ``custom.col.<column>_help``). Narrow
    columns, so the whole table fits at 1024 px without scrolling sideways."""
    cc = st.column_config
    int_column = {"min_value": 1, "step": 1, "format": "%d", "width": 58}
    return {
        "type": (cc.SelectboxColumn, {"options": list(LayerType), "default": LayerType.CONV,
                                      "width": 92}),
        "name": (cc.TextColumn, {"max_chars": MAX_NAME_LEN, "width": 72}),
        "padding": (cc.SelectboxColumn, {"options": list(PADDINGS), "width": 70}),
        "activation": (cc.SelectboxColumn, {"options": list(ACTIVATIONS), "width": 82}),
        "rate": (cc.NumberColumn, {"min_value": 0.0, "max_value": 0.99, "step": 0.05,
                                   "format": "%.2f", "width": 52}),
        "use_bias": (cc.CheckboxColumn, {"width": 44}),
        **{column: (cc.NumberColumn, int_column | {"max_value": high})
           for column, high in INT_COLUMN_LIMITS.items()},
    }  # fmt: skip


def _column_config() -> dict[str, ColumnConfig]:
    """The editor's columns: the row number, then every editable column from its spec."""
    config = {"row": st.column_config.NumberColumn(t("custom.col.row"), width=32, format="%d")}
    for column, (kind, settings) in _column_specs().items():
        label, help_ = t(f"custom.col.{column}"), t(f"custom.col.{column}_help")
        config[column] = kind(label, help=help_, **settings)
    return config


def network_controls_ui() -> tuple[str, tuple[int, int, int]]:
    """Start from a preset, name the network, set its input size (beside the table)."""
    state = st.session_state
    cols = st.columns([3, 3, 1, 1, 1], vertical_alignment="bottom")
    cols[0].selectbox(
        t("custom.preset"),
        [OWN, *preset_names()],
        format_func=lambda name: name or t("custom.preset_own"),
        key=PRESET,
        on_change=_preset_chosen,
        help=t("custom.preset_help"),
    )
    name = (
        cols[1]
        .text_input(t("custom.name"), key=NAME, max_chars=MAX_NAME_LEN, on_change=_edited)
        .strip()
    )
    h = cols[2].number_input(
        t("common.net.height"), 1, MAX_INPUT_SIDE, step=1, key=H, on_change=_edited
    )
    w = cols[3].number_input(
        t("common.net.width"), 1, MAX_INPUT_SIDE, step=1, key=W, on_change=_edited
    )
    c = cols[4].number_input(
        t("common.net.channels"), 1, MAX_CHANNELS_IN, step=1, key=C, on_change=_edited
    )
    st.caption(t("custom.input_caption"))
    source = state[SOURCE]
    if source:
        st.badge(t("custom.state.preset", name=source), icon=":material/inventory_2:")
    else:
        st.badge(t("custom.state.edited"), icon=":material/edit:", color="orange")
    return name, (int(h), int(w), int(c))


# The table's thirteen columns fit the main column at 1280 px with the sidebar open.
TABLE_ROOM = (
    "<style>div[data-testid='stMainBlockContainer'] { padding-left: 2rem; padding-right: 2rem; }"
    "</style>"
)


def builder_ui() -> editor.Checked:
    """The controls and the layer table; the table checked, row by row."""
    st.html(TABLE_ROOM)
    name, shape = network_controls_ui()
    rows, base = st.session_state[ROWS], st.session_state[BASE]
    checked = editor.check(rows, name, shape)
    checks, grid = st.columns([0.17, 0.83], gap=None)  # the checks first: seen at 1024 px
    grid.data_editor(
        _frame(base),  # the same data while cells are edited: the grid is never rebuilt
        key=_editor_key(),
        num_rows="dynamic",
        placeholder=BLANK,  # a blank cell, in every language (Streamlit's default: "None")
        height=(len(base) + 2) * ROW_PX + 3,  # every row and the "+" line: no scrolling,
        column_config=_column_config(),  # so the check table stays level with it
        column_order=("row", "type", "name", *editor.COLUMNS[2:]),
        disabled=("row",),
        hide_index=True,
        width="stretch",
    )
    checks.dataframe(
        _check_frame(rows, checked),
        height=(len(rows) + 1) * ROW_PX + 3,
        column_config={
            "check": st.column_config.TextColumn(
                t("custom.col.check"), help=t("custom.col.check_help")
            ),
        },
        hide_index=True,
        width="stretch",
    )
    st.caption(t("custom.table_caption"))
    _reorder(checked)
    _report(checked)
    return checked


def _reorder(checked: editor.Checked) -> None:
    """Pick a row; move it, add one below it, or delete it (the grid's cells only edit)."""
    rows = st.session_state[ROWS]
    if not rows:
        st.button(t("builder_rows.add_first"), icon=":material/add:", on_click=_insert,
                  key="custom_insert")  # fmt: skip
        return
    if st.session_state.get(MOVE_ROW, 0) >= len(rows):
        st.session_state[MOVE_ROW] = len(rows) - 1
    pick, up, down, add, drop = st.columns([2, 1, 1.1, 1.1, 1.1], vertical_alignment="bottom")
    pick.selectbox(
        t("builder_rows.pick"),
        range(len(rows)),
        key=MOVE_ROW,
        format_func=lambda i: t(
            "custom.move.option", row=i + 1, name=checked.names[i] or "?", type=rows[i]["type"]
        ),
    )
    index = st.session_state[MOVE_ROW]
    for where, step, label, icon, key in (
        (up, -1, "custom.move.up", ":material/arrow_upward:", "custom_up"),
        (down, 1, "custom.move.down", ":material/arrow_downward:", "custom_down"),
    ):  # disabled where the move would leave the table
        where.button(
            t(label),
            icon=icon,
            on_click=_move,
            args=(step,),
            disabled=not 0 <= index + step < len(rows),
            key=key,
            width="stretch",
        )
    add.button(
        t("builder_rows.insert"),
        icon=":material/add:",
        on_click=_insert,
        key="custom_insert",
        width="stretch",
        help=t("builder_rows.insert_help"),
    )
    drop.button(
        t("builder_rows.delete"),
        icon=":material/delete:",
        on_click=_delete,
        key="custom_delete",
        width="stretch",
    )


def _report(checked: editor.Checked) -> None:
    if checked.errors:
        st.error(
            tn("custom.check.errors", len(checked.errors), n=len(checked.errors))
            + "\n\n"
            + issues_text(checked.errors),
            icon=":material/error:",
        )
    if checked.warnings:
        st.warning(
            t("custom.check.warnings") + "\n\n" + issues_text(checked.warnings),
            icon=":material/warning:",
        )


# ------------------------------------------------------------------ the shown network


def shown_network(checked: editor.Checked) -> tuple[NetworkSpec, bool]:
    """The network to show: the table's when it works, else the last one that did
    (``True`` when it is that older one). Keeps the share link on the shown network."""
    state = st.session_state
    if checked.spec is not None:
        state[LAST] = checked.spec
    spec: NetworkSpec = state[LAST]
    write_link(_link_params(spec), LINK_PARAMS)
    return spec, checked.spec is None


def _link_params(spec: NetworkSpec) -> dict[str, str]:
    for name in (st.session_state[SOURCE], spec.name):  # an edit undone is the preset again
        if name in preset_names() and spec == load_preset(name):
            return {"preset": name}
    return {"spec": encode_spec(spec)}


def open_elsewhere(spec: NetworkSpec) -> None:
    """Links to the same network on the other pages (share links, so they work anywhere)."""
    params = _link_params(spec)
    lang = link_value(LANGUAGE_KEY)
    if lang is not None:
        params[LANGUAGE_KEY] = lang
    if "preset" in params:
        compare = {"cmp": f"preset:{params['preset']}"}
    else:  # the compare page's item "spec" is the network of the same link's spec=
        compare = {"cmp": "spec", "spec": params["spec"]}
    language = {k: v for k, v in params.items() if k == LANGUAGE_KEY}
    cols = st.columns(4, vertical_alignment="center")
    cols[0].markdown(t("custom.open.title"))
    with cols[1]:
        page_button_ui(t("custom.open.architecture"), "", params, icon=":material/account_tree:")
    with cols[2]:
        page_button_ui(t("custom.open.activations"), "activations", params, icon=":material/image:")
    with cols[3]:
        page_button_ui(
            t("custom.open.compare"), "compare", compare | language, icon=":material/compare:"
        )


# ------------------------------------------------------------------ import and export


def _import(data: str | bytes, origin: str) -> None:
    """Load a spec from text; a refusal says why and changes nothing else."""
    try:
        spec = parse_spec_json(data)
        _load(spec, None)
    except InputError as error:
        st.session_state[IMPORTED] = (
            "error",
            t("custom.import.refused", origin=plain(origin)) + "\n\n" + issues_text(error.issues),
        )
        return
    st.session_state[IMPORTED] = (
        "success",
        t("custom.import.done", name=plain(spec.name), n=len(spec.layers), origin=plain(origin)),
    )


def _uploaded() -> None:
    upload = st.session_state.get("custom_upload")
    if upload is None:
        return
    if upload.size > MAX_SPEC_BYTES:
        st.session_state[IMPORTED] = (
            "error",
            t("custom.import.too_big", size=f"{upload.size:,}", limit=f"{MAX_SPEC_BYTES:,}"),
        )
        return
    _import(upload.getvalue(), upload.name[:60])


def _pasted() -> None:
    _import(st.session_state.get(PASTE, ""), t("custom.import.paste_origin"))


def import_section_ui() -> None:
    """Upload or paste a spec JSON."""
    message = st.session_state.get(IMPORTED)
    with st.expander(t("custom.import.title"), icon=":material/upload:", expanded=bool(message)):
        left, right = st.columns(2)
        left.file_uploader(
            t("custom.import.upload"),
            type=["json"],
            key="custom_upload",
            on_change=_uploaded,
            help=t("custom.import.upload_help", limit=f"{MAX_SPEC_BYTES // 1024} KB"),
        )
        right.text_area(
            t("custom.import.paste"),
            key=PASTE,
            height=120,
            max_chars=MAX_SPEC_BYTES,
            placeholder=t("custom.import.paste_placeholder"),
        )
        right.button(t("custom.import.paste_button"), on_click=_pasted, key="custom_paste_load")
        if message:
            kind, text = message
            (st.error if kind == "error" else st.success)(text)


def _file_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "network"


def export_section_ui(spec: NetworkSpec) -> None:
    """The spec as a file, and code that builds the network in Keras and PyTorch."""
    st.subheader(t("custom.export.title"))
    st.caption(t("custom.export.caption"))
    keras_tab, torch_tab, spec_tab = st.tabs(
        [t("custom.export.keras"), t("custom.export.torch"), t("custom.export.spec")]
    )
    comments = {key: t(f"codegen.{key}") for key in COMMENTS}  # in the page's language
    with keras_tab:
        st.code(keras_code(spec, comments), "python")
    with torch_tab:
        st.code(torch_code(spec, comments), "python")
    with spec_tab:
        st.download_button(
            t("custom.export.download"),
            spec.to_json(),
            file_name=f"{_file_stem(spec.name)}.json",
            mime="application/json",
            icon=":material/download:",
            key="custom_download",
        )
        st.code(spec.to_json(), "json")
