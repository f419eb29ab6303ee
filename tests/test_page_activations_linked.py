"""The activation viewer linked to the layer diagram, and its network picker (AppTest)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

from components.engine.analysis import analyze
from components.engine.presets import load_preset
from components.engine.vgg import vgg_spec
from components.ui import activation_views, arch_charts
from tests.apptest import as_read, open_page
from tests.conftest import SMALL_VGG

PAGE = "pages/activations.py"
VGG11_64 = analyze(vgg_spec("vgg11", (64, 64, 3), include_top=False))


PAGE_TIMEOUT = 120  # s; the page builds a Keras model


def texts(elements) -> list[str]:
    return [as_read(e.value) for e in elements]  # as read: user text is Markdown-escaped


def diagram(at: AppTest) -> dict:
    charts = [c for c in at.get("plotly_chart") if activation_views.DIAGRAM_KEY in c.proto.id]
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def highlighted(at: AppTest) -> list[str]:
    """Names of the bars drawn in the highlight colour."""
    bars = next(trace for trace in diagram(at)["data"] if trace["type"] == "bar")
    colours = bars["marker"]["color"]
    return [
        row[0]
        for row, c in zip(bars["customdata"], colours, strict=True)
        if c == arch_charts.HIGHLIGHT
    ]


def assert_explains(at: AppTest, name: str) -> None:
    assert any(m.startswith(f"**{name}** (") for m in texts(at.markdown))
    info = VGG11_64.layer(name)
    rows = [frame.value for frame in at.dataframe if "macs" in frame.value.columns]
    assert [list(frame.columns) for frame in rows] == [list(activation_views.ROW_COLUMNS)]
    row = rows[0].iloc[0]
    assert (row["params"], row["macs"]) == (info.params, info.macs)
    assert row["output_shape"] == "×".join(map(str, info.output_shape))


@pytest.mark.keras
def test_picking_a_layer_moves_the_highlight_and_the_explanation(page) -> None:
    at = page(**SMALL_VGG)
    assert not at.exception and not at.error
    assert highlighted(at) == ["block1_conv1"]
    assert_explains(at, "block1_conv1")
    at.select_slider(key="act_layer").set_value("block3_conv2").run()
    assert not at.exception
    assert highlighted(at) == ["block3_conv2"]
    assert_explains(at, "block3_conv2")
    info = VGG11_64.layer("block3_conv2")
    assert any(f"{info.params:,}" in m for m in texts(at.markdown))  # its parameter formula
    assert at.query_params["layer"] == "block3_conv2"


@pytest.mark.keras
def test_layer_in_the_link_is_viewed_and_highlighted(page) -> None:
    at = page(**SMALL_VGG, layer="block4_conv1")
    assert not at.exception and not any("layer=" in w for w in texts(at.warning))
    assert at.select_slider(key="act_layer").value == "block4_conv1"
    assert highlighted(at) == ["block4_conv1"]
    assert_explains(at, "block4_conv1")


@pytest.mark.keras
def test_unknown_layer_in_the_link_falls_back_with_a_note(page) -> None:
    at = page(**SMALL_VGG, layer="fc1")  # not in a network without head, and flat anyway
    assert not at.exception
    assert any("layer=fc1" in w and "block1_conv1" in w for w in texts(at.warning))
    assert highlighted(at) == ["block1_conv1"]


@pytest.mark.keras
def test_a_refused_click_leaves_a_note_and_keeps_the_layer(page) -> None:
    at = page(arch="vgg11", input="32x32x3", classes="10", layer="block2_conv1")
    at.session_state["act_refused"] = "fc1"  # what a click on the fc1 bar leaves behind
    at.run()
    assert not at.exception
    assert any("fc1 (Dense)" in i and "block2_conv1" in i for i in texts(at.info))
    assert at.select_slider(key="act_layer").value == "block2_conv1"
    at.run()  # the note is shown once
    assert not any("fc1 (Dense)" in i for i in texts(at.info))


def test_clicked_layer_reads_the_name_then_the_index() -> None:
    names = ["block1_conv1", "block1_pool", "flatten", "fc1"]
    maps = names[:2]
    assert activation_views.clicked_layer(
        [{"x": 1, "customdata": ["block1_pool", "x"]}], names, maps
    ) == (
        "block1_pool",
        None,
    )
    assert activation_views.clicked_layer([{"x": 0}], names, maps) == ("block1_conv1", None)
    assert activation_views.clicked_layer([{"x": 3, "customdata": ["fc1"]}], names, maps) == (
        None,
        "fc1",
    )
    assert activation_views.clicked_layer([], names, maps) == (None, None)
    assert activation_views.clicked_layer([{"x": 9}], names, maps) == (None, None)


@pytest.mark.keras
def test_networks_chosen_in_the_sidebar_run(page) -> None:
    at = page(**SMALL_VGG)
    at.number_input(key="act_h").set_value(32)
    at.number_input(key="act_w").set_value(32).run()
    assert not at.exception and not at.error
    assert at.query_params["input"] == "32x32x3"
    assert any("of the 64 channels of block1_conv1" in c for c in texts(at.caption))
    assert any("→ 32×32×3" in c for c in texts(at.caption))

    at.selectbox(key="act_arch").set_value("custom").run()
    at.selectbox(key="act_source").set_value("tiny-vgg").run()
    assert not at.exception and not at.error
    assert at.query_params["preset"] == "tiny-vgg" and "arch" not in at.query_params
    spec = load_preset("tiny-vgg")
    maps = [i.name for i in analyze(spec).layers if len(i.output_shape) == 3]
    assert at.select_slider(key="act_layer").options[0].startswith(maps[0])
    assert highlighted(at) == [maps[0]]


@pytest.mark.keras
def test_a_grayscale_preset_from_the_link_runs(page) -> None:
    at = page(preset="lenet5", layer="C3")
    assert not at.exception and not at.error
    assert at.select_slider(key="act_layer").value == "C3"
    assert any("grayscale" in i or "1 channel" in i for i in texts(at.info))


def test_a_network_that_cannot_be_built_stops_cleanly(page) -> None:
    at = page(arch="vgg11", input="16x16x3", top="0")
    assert not at.exception
    assert at.error and not at.get("plotly_chart")
    at = page(arch="vgg11", input="600x600x3", top="0")
    assert not at.exception
    assert any("up to 512×512" in e and "600×600" in e for e in texts(at.error))
    assert not at.get("plotly_chart")


@pytest.mark.keras
def test_imagenet_where_it_does_not_fit_offers_random_weights(page) -> None:
    at = page(
        **(SMALL_VGG | {"arch": "vgg11-lrn"}), weights="imagenet"
    )  # no trained LRN weights exist
    assert not at.exception
    assert any("Trained ImageNet weights exist for" in e for e in texts(at.error))
    at.button(key="act_use_random").click().run()
    assert not at.exception and not at.error
    assert at.radio(key="act_weights").value == "random"
    assert at.query_params["weights"] == "random"
    assert highlighted(at) == ["block1_conv1"]


@pytest.mark.keras
def test_see_its_activations_link_lands_on_that_layer(page) -> None:
    """The architecture page's link carries pick_network's params and layer=; same network here."""
    arch = open_page("pages/architecture.py", **SMALL_VGG, layer="block4_conv2")
    url = arch.get("link_button")[0].proto.url
    path, query = url.split("?")
    assert path == "activations"
    params = dict(parse_qsl(query))
    assert params["layer"] == "block4_conv2" and params["input"] == "64x64x3"
    at = page(**params)
    assert not at.exception and not at.error
    assert not any("layer=" in w for w in texts(at.warning))
    assert at.select_slider(key="act_layer").value == "block4_conv2"
    assert highlighted(at) == ["block4_conv2"]
    assert {k: at.query_params[k] for k in params} == params  # the link stays as it came
