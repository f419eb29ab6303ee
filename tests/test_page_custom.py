"""The custom CNN builder page in AppTest: presets, live edits, row checks, links, import."""

from __future__ import annotations

import base64
import json

import pytest
from streamlit.testing.v1 import AppTest

from components.engine.analysis import analyze
from components.engine.presets import load_preset, preset_names
from components.engine.spec import decode_spec, encode_spec, parse_spec
from tests.apptest import as_read, check_column
from tests.apptest import html as headline

PINNED = {
    "seed-example": 9_494_561,
    "tiny-vgg": 19_920,
    "lenet5": 61_706,
    "mnist-convnet": 34_826,
    "d2l-vgg11": analyze(load_preset("d2l-vgg11")).total_params,
}
SEED = "seed-example"


PAGE = "pages/custom.py"


def texts(elements) -> str:
    return as_read("\n".join(str(e.value) for e in elements))


def edit(at: AppTest, **changes: object) -> AppTest:
    """Seed the data editor's edit state, as the browser sends it, and rerun."""
    key = f"custom_editor_{at.session_state['custom_version']}"
    at.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []} | changes
    return at.run()


def link_spec(raw: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


def test_the_pinned_figures_are_the_engines() -> None:
    assert set(PINNED) <= set(preset_names())
    for name, total in PINNED.items():
        assert analyze(load_preset(name)).total_params == total


@pytest.mark.parametrize("name", sorted(PINNED))
def test_each_preset_loads_with_its_total(page, name: str) -> None:
    at = page()
    at.selectbox(key="custom_preset").set_value(name).run()
    assert not at.exception and not at.error
    assert f"{PINNED[name]:,}" in headline(at)
    assert at.query_params["preset"] == name and "spec" not in at.query_params
    assert len(at.data_editor[0].value) == len(load_preset(name).layers)


def test_default_is_the_seed_example_with_output_shapes_in_the_table(page) -> None:
    at = page()
    assert not at.exception
    assert at.title[0].value == "Custom CNN builder"
    assert "9,494,561" in headline(at)
    assert list(check_column(at)[:2]) == ["✓ 148×148×16", "✓ 74×74×16"]
    assert "def " in at.code[0].value or "keras" in at.code[0].value.lower()
    assert any("torch" in c.value for c in at.code)


def test_editing_the_first_conv_updates_the_totals_and_the_link(page) -> None:
    at = page(preset=SEED)
    at = edit(at, edited_rows={0: {"filters": 32}})
    assert not at.exception and not at.error
    rows = load_preset(SEED).to_dict()
    rows["layers"][0]["filters"] = 32
    total = analyze(parse_spec(rows)).total_params
    assert total != 9_494_561 and f"{total:,}" in headline(at)
    assert "preset" not in at.query_params
    assert decode_spec(at.query_params["spec"]).layers[0].filters == 32
    assert at.selectbox(key="custom_preset").value == ""  # no longer the preset


def test_an_invalid_row_is_marked_and_the_last_network_stays_shown(page) -> None:
    at = page(preset=SEED)
    at = edit(at, edited_rows={4: {"kernel": 40}})
    assert not at.exception
    [error] = at.error
    shown = as_read(error.value)
    assert "row 5 (conv2d_2)" in shown and "larger than its 36×36 input" in shown
    assert "padding 'same'" in shown
    assert check_column(at)[4].startswith("✗")
    assert "9,494,561" in headline(at)  # the last network that worked
    assert "the last network that worked" in texts(at.info)
    assert at.query_params["preset"] == SEED  # the link keeps the shown network
    at = edit(at, edited_rows={4: {"kernel": 3}})
    assert not at.error and "the last network that worked" not in texts(at.info)
    assert "9,494,561" in headline(at)


def test_out_of_range_values_name_their_row_and_field(page) -> None:
    at = page(preset=SEED)
    at = edit(at, edited_rows={0: {"filters": 10**9}, 7: {"units": -1}})
    assert not at.exception
    message = as_read(at.error[0].value)
    assert "2 problems stop" in message
    assert "row 1 (conv2d)" in message and "limit of 16,384" in message
    assert "row 8 (dense)" in message and "at least 1" in message


def test_dense_on_an_image_is_a_warning_not_an_error(page) -> None:
    at = page(preset=SEED)
    at = edit(at, deleted_rows=[6])  # drop the Flatten
    assert not at.exception and not at.error
    warning = texts(at.warning)
    assert "row 7 (dense)" in warning and "each of the 289 positions" in warning
    assert check_column(at)[6] == "⚠ 17×17×512"
    assert f"{analyze(decode_spec(at.query_params['spec'])).total_params:,}" in headline(at)


def test_added_rows_and_reordering(page) -> None:
    at = page(preset=SEED)
    at = edit(at, added_rows=[{"type": "dropout"}])
    assert at.data_editor[0].value["type"].iloc[-1] == "dropout"
    at.selectbox(key="custom_move_row").set_value(9).run()
    at.button(key="custom_up").click().run()
    assert not at.exception
    assert list(at.data_editor[0].value["type"][-2:]) == ["dropout", "dense"]
    assert at.selectbox(key="custom_move_row").value == 8
    assert [layer.type for layer in decode_spec(at.query_params["spec"]).layers][-2:] == [
        "dropout",
        "dense",
    ]


def test_input_size_change_updates_the_network(page) -> None:
    at = page(preset="lenet5")
    at.number_input(key="custom_h").set_value(64).run()
    at.number_input(key="custom_w").set_value(64).run()
    spec = decode_spec(at.query_params["spec"])
    assert spec.input_shape == (64, 64, 1)
    assert f"{analyze(spec).total_params:,}" in headline(at)


def test_share_link_round_trip_with_spec(page) -> None:
    first = edit(page(preset="tiny-vgg"), edited_rows={0: {"filters": 12}})
    link = dict(first.query_params)
    again = page(**link)
    assert not again.exception and not again.warning
    assert headline(again) == headline(first)
    assert again.query_params["spec"] == link["spec"]


def test_share_link_round_trip_with_preset(page) -> None:
    at = page(preset="mnist-convnet")
    assert dict(at.query_params) == {"preset": "mnist-convnet"}
    assert at.selectbox(key="custom_preset").value == "mnist-convnet"


def test_links_to_the_other_pages(page) -> None:
    at = page(preset="lenet5", lang="zh")
    urls = [b.proto.url for b in at.get("link_button")]
    assert "./?preset=lenet5&lang=zh" in urls
    assert "activations?preset=lenet5&lang=zh" in urls
    assert "compare?cmp=preset%3Alenet5&lang=zh" in urls
    edited = edit(page(preset="lenet5"), edited_rows={0: {"filters": 8}})
    token = edited.query_params["spec"]
    urls = [b.proto.url for b in edited.get("link_button")]
    assert f"./?spec={token}" in urls and f"compare?cmp=spec&spec={token}" in urls


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"spec": "!!!not-base64"}, "not valid base64url"),
        ({"spec": link_spec([1, 2])}, "must be a JSON object"),
        (
            {"spec": link_spec({"input": [8, 8, 1], "layers": [{"type": "flatten"}] * 10_000})},
            "10,000 layers",
        ),
        (
            {
                "spec": link_spec(
                    {
                        "input": [8, 8, 1],
                        "layers": [{"type": "conv2d", "filters": 10**9, "kernel": 3}],
                    }
                )
            },
            "limit of 16,384",
        ),
        ({"spec": "A" * 400_000}, "too long"),
        ({"preset": "<script>alert(1)</script>"}, "not valid"),
        ({"preset": SEED, "input": "-5x0"}, "not valid"),
    ],
)
def test_hostile_link_values_fall_back_with_a_note(page, params: dict[str, str], note: str) -> None:
    at = page(**params)
    assert not at.exception
    assert note in texts(at.warning)
    assert "9,494,561" in headline(at)


def test_a_non_square_window_in_a_link_is_refused_with_its_row(page) -> None:
    raw = {"input": [32, 32, 3], "layers": [{"type": "conv2d", "filters": 4, "kernel": [3, 5]}]}
    at = page(spec=link_spec(raw))
    note = texts(at.warning)
    assert "row 1 (conv2d)" in note and "not square" in note
    assert "9,494,561" in headline(at)


def test_paste_and_upload_import(page) -> None:
    at = page()
    at.text_area(key="custom_paste").input(load_preset("lenet5").to_json()).run()
    at.button(key="custom_paste_load").click().run()
    assert not at.exception
    assert "Loaded lenet5 (8 layers)" in texts(at.success)
    assert "61,706" in headline(at)
    spec = load_preset("tiny-vgg")
    at.file_uploader(key="custom_upload").set_value(
        ("mine.json", spec.to_json().encode(), "application/json")
    ).run()
    assert "Loaded tiny-vgg" in texts(at.success) and "19,920" in headline(at)
    assert at.query_params["preset"] == "tiny-vgg"  # the same network as the preset


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "not valid JSON"),
        (
            b'{"input": [8, 8, 1], "layers": [{"type": "conv2d", "filters": -3, "kernel": 3}]}',
            "at least 1",
        ),
        (b'{"input": [8, 8, 1], "layers": [], "extra": 1}', "unknown field"),
        (b"[" * 100_000, "nested too deeply"),
        (b" " * 300_000, "above the limit"),
    ],
)
def test_bad_uploads_are_refused_and_change_nothing(page, content: bytes, message: str) -> None:
    at = page(preset="lenet5")
    at.file_uploader(key="custom_upload").set_value(("bad.json", content, "application/json"))
    at.run()
    assert not at.exception
    assert message in texts(at.error) and "table is unchanged" in texts(at.error)
    assert "61,706" in headline(at) and at.query_params["preset"] == "lenet5"


def test_a_bad_paste_is_refused(page) -> None:
    at = page(preset="lenet5")
    at.text_area(key="custom_paste").input('{"name": "x", "input": [28, 28]}').run()
    at.button(key="custom_paste_load").click().run()
    assert not at.exception
    refused = texts(at.error)
    assert "the pasted text was not loaded" in refused and "[height, width, channels]" in refused
    assert "61,706" in headline(at)


def test_chinese_page_and_a_link_to_a_broken_network(page) -> None:
    raw = load_preset(SEED).to_dict()
    raw["layers"][4]["kernel"] = 40
    at = page(spec=link_spec(raw), lang="zh")
    assert not at.exception
    assert at.title[0].value == "自定义 CNN 构建器"
    assert "第 5 行（conv2d_2）" in as_read(at.error[0].value)
    assert "最后一个可以构建的网络" in texts(at.info) and "9,494,561" in headline(at)


def test_encode_matches_the_link(page) -> None:
    at = page(preset=SEED)
    at = edit(at, edited_rows={0: {"filters": 8}})
    assert at.query_params["spec"] == encode_spec(decode_spec(at.query_params["spec"]))
