"""The architecture page in AppTest, and its pure chart builders against the engine's table."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from components.engine.analysis import analyze
from components.engine.facts import facts
from components.engine.report import to_csv
from components.engine.vgg import CONFIGS, vgg_spec
from components.ui import arch_charts
from components.ui.i18n import translate
from components.ui.tables import layer_frame
from tests.apptest import html as headline
from tests.apptest import messages

LABELS = {
    name: name
    for name in ("title", "params", "side", "height", "width", "channels", "shape", "macs")
} | {"layer": "layer", "input": "input"}


PAGE = "pages/architecture.py"


def text(at: AppTest) -> str:
    return messages(at) + headline(at)


def chart(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_default_view_is_vgg16_with_keras_figures(page, vgg16) -> None:
    at = page()
    assert not at.exception
    assert at.title[0].value == "VGG16 · 224×224×3"
    assert "138,357,544" in headline(at)  # Keras' VGG16
    assert "15.5 G" in headline(at)
    assert ">212 px<" in headline(at)  # RF of block5_pool, what the head sees (one definition)
    assert "(block5_pool)" in headline(at) and "196 px" in headline(at)  # block5_conv3's, on hover
    assert "**89%**" in text(at) and "**0.8%**" in text(at)
    assert at.query_params["arch"] == "vgg16" and at.query_params["input"] == "224x224x3"
    figure = chart(at)
    bars = next(trace for trace in figure["data"] if trace["type"] == "bar")
    assert len(bars["x"]) == len(vgg16.layers)


@pytest.mark.parametrize("arch", list(CONFIGS))
def test_every_vgg_shows_its_total(page, arch: str) -> None:
    at = page()
    at.selectbox(key="arch_arch").set_value(arch).run()
    assert not at.exception
    assert f"{analyze(vgg_spec(arch)).total_params:,}" in headline(at)
    assert at.query_params["arch"] == arch


def test_batch_norm_no_head_and_fc_as_conv(page) -> None:
    at = page()
    at.toggle(key="arch_bn").set_value(True).run()
    bn = analyze(vgg_spec("vgg16", batch_norm=True))
    assert f"{bn.non_trainable_params:,}" in headline(at)
    assert at.query_params["bn"] == "1"
    at.toggle(key="arch_top").set_value(False).run()
    assert f"{analyze(vgg_spec('vgg16_bn', include_top=False)).total_params:,}" in headline(at)
    at.toggle(key="arch_bn").set_value(False).run()
    assert "14,714,688" in headline(at)
    at.toggle(key="arch_top").set_value(True).run()
    at.toggle(key="arch_fcconv").set_value(True).run()
    assert "138,357,544" in headline(at)  # same parameters as convolutions
    assert at.query_params["fcconv"] == "1"


def test_non_square_input_and_floored_sizes_warn(page) -> None:
    at = page(arch="vgg19", input="200x300x3")
    assert not at.exception
    spec = vgg_spec("vgg19", (200, 300, 3))
    assert f"{analyze(spec).total_params:,}" in headline(at)
    shown = "\n".join(str(w.value) for w in at.warning).replace("\\", "")  # Markdown escapes
    assert "block3_pool" in shown  # 75 → 37, floored


def test_invalid_size_gives_a_clear_error_and_keeps_working(page) -> None:
    at = page()
    at.number_input(key="arch_h").set_value(16).run()
    assert not at.exception
    assert "at least 32×32" in at.error[0].value
    at.number_input(key="arch_h").set_value(64).run()
    assert not at.error and f"{analyze(vgg_spec('vgg16', (64, 224, 3))).total_params:,}" in (
        headline(at)
    )


def test_share_link_round_trip(page) -> None:
    first = page(arch="vgg13", input="160x192x1", top="0", bn="1")
    assert not first.exception and not first.warning
    link = dict(first.query_params)
    again = page(**link)
    assert again.selectbox(key="arch_arch").value == "vgg13"
    assert again.toggle(key="arch_bn").value and not again.toggle(key="arch_top").value
    assert headline(again) == headline(first)
    spec = vgg_spec("vgg13", (160, 192, 1), include_top=False, batch_norm=True)
    assert f"{analyze(spec).total_params:,}" in headline(again)


@pytest.mark.parametrize(
    ("name", "value"),
    [("arch", "<script>"), ("input", "99999x1"), ("top", "maybe"), ("classes", "-4")],
)
def test_hostile_query_values_fall_back_with_a_note(page, name: str, value: str) -> None:
    at = page(**{name: value})
    assert not at.exception
    assert any(name in str(w.value) for w in at.warning)
    assert "138,357,544" in headline(at)


def test_layer_in_the_link_is_explained_and_an_unknown_one_falls_back(page, vgg16) -> None:
    at = page(layer="block3_conv1")
    assert at.selectbox(key="arch_layer").value == "block3_conv1"
    assert "(3·3·128 + 1)·256 = 295,168" in text(at)
    bars = next(trace for trace in chart(at)["data"] if trace["type"] == "bar")
    index = vgg16.layer("block3_conv1").index
    assert bars["marker"]["color"][index] == arch_charts.HIGHLIGHT
    lost = page(layer="conv99")
    assert not lost.exception
    assert lost.selectbox(key="arch_layer").value == "block1_conv1"
    assert "layer=conv99" in "\n".join(str(w.value) for w in lost.warning)


def test_picking_a_layer_updates_explanation_highlight_and_link(page, vgg16) -> None:
    at = page()
    at.selectbox(key="arch_layer").set_value("fc1").run()
    assert "(25,088 + 1)·4,096 = 102,764,544" in text(at)
    assert at.query_params["layer"] == "fc1"
    bars = next(trace for trace in chart(at)["data"] if trace["type"] == "bar")
    highlighted = [i for i, c in enumerate(bars["marker"]["color"]) if c == arch_charts.HIGHLIGHT]
    assert highlighted == [vgg16.layer("fc1").index]
    # what if the input doubled: fc1's parameters grow (its input is 14·14·512 then)
    assert "102,764,544 → **411,045,888**" in text(at)


def test_block_grouping_and_downloads(page, vgg16) -> None:
    at = page()
    at.button_group(key="arch_grouping").set_value("blocks").run()
    frame = at.dataframe[0].value
    assert list(frame["name"]) == ["block1", "block2", "block3", "block4", "block5", "head"]
    assert frame["params"].sum() == 138_357_544
    downloads = at.get("download_button")
    assert len(downloads) == 4
    assert to_csv(vgg16, "whole input").startswith("name,")


def test_names_crosswalk_answers_conv3_conv4_conv5(page) -> None:
    at = page(arch="vgg16_bn")
    shown = text(at)
    assert "`block3_conv3`" in shown and "`features.32`" in shown  # ReLU before block3_pool
    assert "vgg16_bn" in "\n".join(c.value for c in at.code)


def test_chinese_page_renders(page) -> None:
    at = page(lang="zh")
    assert not at.exception
    assert translate("view.metric.total", "zh") in headline(at)


def test_layer_figure_matches_the_engine_table() -> None:
    analysis = analyze(vgg_spec("vgg19", (96, 160, 3)))
    frame = layer_frame(analysis)
    figure = arch_charts.layer_figure(frame, LABELS, log_params=False, highlight="block2_conv1")
    bars, *lines = figure.data
    assert list(bars.y) == [i.params for i in analysis.layers]
    assert [d[0] for d in bars.customdata] == [i.name for i in analysis.layers]
    height = next(line for line in lines if line.name == "height")
    spatial = [i.output_shape[0] if len(i.output_shape) == 3 else None for i in analysis.layers]
    assert [None if v is None else int(v) for v in height.y] == spatial
    assert figure.layout.yaxis.type == "linear"
    assert arch_charts.layer_figure(frame, LABELS).layout.yaxis.type == "log"


def test_volume_figure_draws_one_box_per_shape_change() -> None:
    analysis = analyze(vgg_spec("vgg16_bn", include_top=False))
    figure = arch_charts.volume_figure(layer_frame(analysis), LABELS)
    shape_changing = [i for i in analysis.layers if i.keras_class not in arch_charts.SHAPE_KEEPING]
    hover = figure.data[-1]  # one marker per box carries the layer
    assert [d[0] for d in hover.customdata] == [i.name for i in shape_changing]
    assert hover.customdata[0][2] == "224×224×64"
    fronts = [t for t in figure.data[:-1] if t.opacity == 0.9]
    assert sum(list(t.x).count(None) for t in fronts) == len(shape_changing)  # a front a box


def test_facts_of_vgg16_are_computed(vgg16) -> None:
    found = facts(vgg16)
    assert found.dense.params == 123_642_856 and round(found.dense.param_share, 3) == 0.894
    assert found.conv.mac_share > 0.99
    assert (found.most_params.name, found.most_params.value) == ("fc1", 102_764_544)
    assert found.most_macs.name == "block1_conv2"


def test_presentation_mode_steps_through_the_layers_with_the_diagram(page) -> None:
    at = page(present="1", arch="vgg11")
    assert not at.exception
    assert at.toggle(key="arch_present").value
    assert at.session_state["arch_step"] == "block1_conv1"  # no slider: it would eat the arrows
    at.button(key="arch_step_next").click().run()
    assert at.session_state["arch_step"] == "block1_pool"
    assert at.query_params["layer"] == "block1_pool"
    at.button(key="arch_step_right").click().run()  # the arrow-key twin of Next
    assert at.session_state["arch_step"] == "block2_conv1"
    at.button(key="arch_step_left").click().run()
    assert at.session_state["arch_step"] == "block1_pool"
    bars = next(trace for trace in chart(at)["data"] if trace["type"] == "bar")
    assert bars["marker"]["color"][1] == arch_charts.HIGHLIGHT
    assert "⌊(224 − 2 + 2·0)/2⌋ + 1 = 112" in text(at) or "(224 − 2 + 2·0)/2 + 1 = 112" in text(at)
    at.toggle(key="arch_present").set_value(False).run()
    assert "present" not in at.query_params and headline(at)
