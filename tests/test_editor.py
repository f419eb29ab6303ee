"""The builder's table logic: rows ↔ spec, edits, reordering and per-row checks."""

from __future__ import annotations

import math

import pytest

from components.engine import editor
from components.engine.errors import InputError
from components.engine.presets import load_preset, preset_names
from components.engine.spec import Layer, NetworkSpec, parse_spec
from tests.english import hint, message


def seed_rows() -> list[editor.Row]:
    return editor.spec_to_rows(load_preset("seed-example"))


def checked(rows: list[editor.Row], shape: tuple[int, int, int] = (150, 150, 3)) -> editor.Checked:
    return editor.check(rows, "seed-example", shape)


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_round_trips_through_the_table(name: str) -> None:
    spec = load_preset(name)
    rows = editor.spec_to_rows(spec)
    assert len(rows) == len(spec.layers)
    assert set(rows[0]) == set(editor.COLUMNS)
    result = editor.check(rows, spec.name, spec.input_shape)
    assert not result.errors
    assert result.spec == spec


def test_automatic_names_stay_blank_and_explicit_ones_are_kept() -> None:
    assert all(row["name"] is None for row in seed_rows())
    assert editor.spec_to_rows(load_preset("tiny-vgg"))[0]["name"] == "conv_1_1"
    assert checked(seed_rows()).names[:3] == ("conv2d", "max_pooling2d", "conv2d_1")


def test_rows_to_spec_keeps_only_the_fields_of_each_type() -> None:
    rows = [
        editor.empty_row("conv2d") | {"units": 5, "rate": 0.3},
        editor.empty_row("activation") | {"activation": "tanh"},
        editor.empty_row("dropout"),
    ]
    raw = editor.rows_to_spec(rows, "n", (8, 8, 1))
    assert raw["layers"][0] == {
        "type": "conv2d",
        "filters": 16,
        "kernel": 3,
        "padding": "valid",
        "activation": "relu",
        "use_bias": True,
    }
    assert raw["layers"][1] == {"type": "activation", "fn": "tanh"}
    assert raw["layers"][2] == {"type": "dropout", "rate": 0.5}
    parse_spec(raw)


def test_editing_the_first_conv_changes_the_total() -> None:
    rows = editor.apply_edits(seed_rows(), {"edited_rows": {"0": {"filters": 32.0}}})
    assert rows[0]["filters"] == 32 and isinstance(rows[0]["filters"], int)
    result = checked(rows)
    assert result.analysis is not None
    assert result.analysis.total_params == 9_494_561 + (27 + 1) * 16 + 16 * 9 * 32


def test_changing_a_type_fills_its_defaults_and_clears_what_it_does_not_take() -> None:
    rows = [editor.empty_row("conv2d") | {"name": "conv2d_1", "stride": 2}]
    out = editor.apply_edits(rows, {"edited_rows": {0: {"type": "maxpool2d"}}})[0]
    assert out["pool"] == 2 and out["stride"] == 2  # stride carries over, pool is new
    assert out["filters"] is None and out["activation"] is None
    assert out["name"] is None  # an automatic name follows the new type
    kept = editor.apply_edits(
        [editor.empty_row("conv2d") | {"name": "stem"}], {"edited_rows": {0: {"type": "dense"}}}
    )
    assert kept[0]["name"] == "stem" and kept[0]["units"] == 10


def test_added_and_deleted_rows() -> None:
    rows = seed_rows()
    edits = {"deleted_rows": [1], "added_rows": [{"type": "dropout"}, {}]}
    out = editor.apply_edits(rows, edits)
    assert len(out) == len(rows) + 1
    assert out[1]["type"] == "conv2d"
    assert out[-2]["rate"] == 0.5 and out[-1]["type"] is None
    assert editor.apply_edits(rows, None) == rows


def test_empty_cells_in_any_form_are_none() -> None:
    row = editor.normalize({"type": "dense", "units": math.nan, "name": "  ", "activation": None})
    assert row["units"] is None and row["name"] is None and row["activation"] is None


def test_move_swaps_neighbours_and_keeps_the_ends() -> None:
    rows = [{"n": i} for i in range(3)]
    assert [r["n"] for r in editor.move(rows, 1, -1)] == [1, 0, 2]
    assert [r["n"] for r in editor.move(rows, 2, 1)] == [0, 1, 2]
    assert [r["n"] for r in editor.move(rows, 0, -1)] == [0, 1, 2]


def test_a_kernel_larger_than_its_input_marks_that_row() -> None:
    rows = seed_rows()
    rows[4]["kernel"] = 40  # the third conv sees 36×36
    result = checked(rows)
    assert result.spec is None
    [issue] = result.errors
    assert issue.layer == 4 and issue.layer_name == "conv2d_2"
    assert "larger than its 36×36 input" in message(issue) and "padding 'same'" in hint(issue)
    assert result.row_issues(4) == [issue] and not result.row_issues(0)


def test_out_of_range_values_are_reported_on_every_row_with_their_field() -> None:
    rows = seed_rows()
    rows[0]["filters"] = 10**9
    rows[7]["units"] = -1
    result = checked(rows)
    assert {(i.layer, i.field) for i in result.errors} == {(0, "filters"), (7, "units")}
    assert "limit of 16,384" in message(result.row_issues(0)[0])


def test_a_row_without_a_type_and_a_repeated_name() -> None:
    rows = seed_rows()
    rows[1]["type"] = None
    rows[0]["name"] = rows[2]["name"] = "stem"
    result = checked(rows)
    assert [(i.layer, i.field) for i in result.errors] == [(1, "type"), (2, "name")]
    assert "used by row 1" in message(result.errors[1])


def test_dense_on_an_image_is_a_warning_not_an_error() -> None:
    rows = [r for r in seed_rows() if r["type"] != "flatten"]
    result = checked(rows)
    assert not result.errors and result.analysis is not None
    assert [w.layer for w in result.warnings] == [6, 7]
    assert "each of the 289 positions" in message(result.warnings[0])
    assert result.output_shape(6) == (17, 17, 512)


def test_whole_network_problems_have_no_row() -> None:
    result = editor.check(seed_rows(), "", (150, 150, 3))
    assert [i.field for i in result.errors] == ["name"]
    assert editor.check([], "n", (150, 150, 3)).errors[0].field == "layers"
    too_many = [editor.empty_row("batchnorm")] * 10_000
    assert "10,000 layers" in message(editor.check(too_many, "n", (8, 8, 1)).errors[0])


def test_non_square_windows_cannot_be_put_in_the_table() -> None:
    spec = NetworkSpec("n", (32, 32, 3), (Layer("conv2d", "c", 4, kernel=(3, 5)),))
    with pytest.raises(InputError) as info:
        editor.spec_to_rows(spec)
    assert info.value.issues[0].layer == 0 and info.value.issues[0].field == "kernel"
