"""The builder's grid keeps one key while cells are edited; rows are added and deleted by buttons.

A re-keyed grid is rebuilt in the browser and loses what a student types during the
rerun, so a cell edit must leave the editor's key alone and the whole edit delta (the
browser resends all of it each time) must be read against the rows the editor was keyed with.
"""

from __future__ import annotations

from components.engine import editor
from components.engine.analysis import analyze
from components.engine.presets import load_preset
from components.engine.spec import decode_spec, parse_spec
from tests.apptest import check_column, open_page
from tests.apptest import html as headline

SEED = "seed-example"


def editor_key(at) -> str:
    return f"custom_editor_{at.session_state['custom_version']}"


def send(at, key: str, edited_rows: dict) -> None:
    """The browser's edit state of the grid under ``key``: all its edits so far."""
    at.session_state[key] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    at.run()


def seed_total(**first_conv: int) -> int:
    raw = load_preset(SEED).to_dict()
    raw["layers"][0] |= first_conv
    return analyze(parse_spec(raw)).total_params


def test_cell_edits_keep_the_key_and_accumulate_on_the_base_rows() -> None:
    at = open_page("pages/custom.py", preset=SEED)
    key = editor_key(at)
    send(at, key, {0: {"filters": 3}})
    assert editor_key(at) == key  # the grid was not re-keyed
    assert at.session_state["custom_rows"][0]["filters"] == 3
    send(at, key, {0: {"filters": 32}})  # the same cell, a digit more
    assert editor_key(at) == key and not at.exception and not at.error
    assert at.session_state["custom_rows"][0]["filters"] == 32
    assert f"{seed_total(filters=32):,}" in headline(at)
    send(at, key, {0: {"filters": 32, "kernel": 5}})  # a second cell; the first stays
    rows = at.session_state["custom_rows"]
    assert (rows[0]["filters"], rows[0]["kernel"]) == (32, 5)
    assert decode_spec(at.query_params["spec"]).layers[0].kernel == (5, 5)
    assert f"{seed_total(filters=32, kernel=5):,}" in headline(at)
    assert check_column(at)[0] == "✓ 146×146×32"  # the check column follows
    assert editor_key(at) == key


def test_undoing_an_edit_is_the_preset_again_and_other_widgets_keep_the_edits() -> None:
    at = open_page("pages/custom.py", preset=SEED)
    key = editor_key(at)
    send(at, key, {0: {"filters": 8}})
    assert "spec" in at.query_params
    at.number_input(key="custom_h").set_value(160).run()  # another widget: the edit stays
    assert at.session_state["custom_rows"][0]["filters"] == 8 and editor_key(at) == key
    at.number_input(key="custom_h").set_value(150).run()
    send(at, key, {0: {"filters": 16}})
    assert at.query_params.get("preset") == SEED and "spec" not in at.query_params


def test_add_below_and_delete_buttons_rekey_the_grid() -> None:
    at = open_page("pages/custom.py", preset=SEED)
    n = len(load_preset(SEED).layers)
    key = editor_key(at)
    at.selectbox(key="custom_move_row").set_value(0).run()
    at.button(key="custom_insert").click().run()
    assert not at.exception and editor_key(at) != key
    rows = at.session_state["custom_rows"]
    assert len(rows) == n + 1 and rows[1] == editor.empty_row("conv2d")
    assert at.selectbox(key="custom_move_row").value == 1
    assert len(at.data_editor[0].value) == n + 1
    assert len(decode_spec(at.query_params["spec"]).layers) == n + 1
    at.button(key="custom_delete").click().run()
    assert not at.exception
    assert at.session_state["custom_rows"] == editor.spec_to_rows(load_preset(SEED))
    assert at.query_params.get("preset") == SEED


def test_deleting_every_row_leaves_an_add_button() -> None:
    at = open_page("pages/custom.py", preset="lenet5")
    for _ in load_preset("lenet5").layers:
        at.button(key="custom_delete").click().run()
        assert not at.exception
    assert at.session_state["custom_rows"] == []
    at.button(key="custom_insert").click().run()
    assert not at.exception and at.session_state["custom_rows"] == [editor.empty_row("conv2d")]


def test_insert_and_delete_rows() -> None:
    rows = [editor.empty_row("conv2d"), editor.empty_row("dense")]
    assert [r["type"] for r in editor.insert(rows, 0, "flatten")] == ["conv2d", "flatten", "dense"]
    assert [r["type"] for r in editor.insert(rows, -1, "dropout")] == ["dropout", "conv2d", "dense"]
    assert [r["type"] for r in editor.insert(rows, 9, "dropout")] == ["conv2d", "dense", "dropout"]
    assert editor.insert([], -1, "conv2d") == [editor.empty_row("conv2d")]
    assert [r["type"] for r in editor.delete(rows, 0)] == ["dense"]
    assert editor.delete(rows, 5) == rows


def test_blank_cells_show_a_dash_in_every_language() -> None:
    """Streamlit draws an empty cell as "None" unless told otherwise; the dash reads in both."""
    for lang in ("en", "zh"):
        at = open_page("pages/custom.py", preset=SEED, lang=lang)
        assert at.data_editor[0].proto.placeholder == "—"
        caption = " ".join(c.value for c in at.caption)
        assert "“—”" in caption and "None" not in caption
