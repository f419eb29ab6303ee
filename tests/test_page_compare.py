"""The Compare page in AppTest: the default view, cards, presets, bad sizes, share links."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from components.engine.analysis import analyze
from components.engine.formatting import count_text
from components.engine.vgg import vgg_spec
from components.ui.i18n import translate
from tests.apptest import messages
from tests.conftest import ROOT

DELTA_16_19 = (
    "**VGG16 → VGG19**: +3 conv layers (+1 each in blocks 3, 4, 5), +5,309,696 params (+3.8%), "
    "+4.16 G MACs (+26.9%), receptive field 212 → 268 px (of the last conv/pool)."
)


PAGE = "pages/compare.py"


text = messages


def cards(at: AppTest) -> list[str]:
    """The network each card shows, left to right."""
    return [box.value for box in at.selectbox if box.key.endswith("_net")]


def sizes(at: AppTest) -> list[str]:
    return [box.value for box in at.text_input if box.key.endswith("_size")]


def card_key(at: AppTest, position: int, name: str) -> str:
    """The widget key of the card at ``position`` (slots are numbered, not positions)."""
    box = [b for b in at.selectbox if b.key.endswith("_net")][position]
    return box.key.removesuffix("_net") + "_" + name


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def table(at: AppTest) -> str:
    return at.dataframe[0].value.to_string()


def test_default_comparison_is_vgg16_and_vgg19(page) -> None:
    at = page()
    assert not at.exception
    assert cards(at) == ["vgg16", "vgg19"]
    assert at.query_params["cmp"] == "vgg16,vgg19"
    assert DELTA_16_19 in text(at)
    assert "123.6 M" in text(at) and "123,642,856" in text(at)
    frame = at.dataframe[0].value
    assert frame.loc["Block 3", ("VGG19", "Convs")] == "4"
    assert frame.loc["Total", ("VGG19", "Params")] == count_text(
        analyze(vgg_spec("vgg19")).total_params
    )
    assert len(charts(at)) == 3
    assert at.get("download_button")
    assert not at.warning and not at.error
    assert at.toggle(key="cmp_maps").value is False  # TensorFlow only when asked


def test_add_and_remove_a_configuration(page) -> None:
    at = page()
    at.button(key="cmp_add").click().run()
    assert cards(at) == ["vgg16", "vgg19", "vgg11"]
    assert at.query_params["cmp"] == "vgg16,vgg19,vgg11"
    assert "**VGG19 → VGG11**" in text(at)
    at.button(key=card_key(at, 0, "remove")).click().run()
    assert cards(at) == ["vgg19", "vgg11"]
    assert at.query_params["cmp"] == "vgg19,vgg11"
    assert at.button(key=card_key(at, 0, "remove")).disabled  # two is the minimum


def test_one_click_four_depths_then_no_more_room(page) -> None:
    at = page()
    at.button_group(key="cmp_quick").set_value("depth").run()
    assert cards(at) == ["vgg11", "vgg13", "vgg16", "vgg19"]
    assert at.query_params["cmp"] == "vgg11,vgg13,vgg16,vgg19"
    assert at.button(key="cmp_add").disabled
    assert DELTA_16_19 in text(at) and "**VGG11 → VGG13**" in text(at)
    same = translate("compare.delta.same_head", "en", params="123.6 M", exact="123,642,856", n=4)
    assert same in text(at)
    assert at.button_group(key="cmp_quick").value is None  # ready for the next click


def test_changing_the_network_and_the_head(page) -> None:
    at = page()
    at.selectbox(key=card_key(at, 1, "net")).set_value("vgg16_bn").run()
    assert at.query_params["cmp"] == "vgg16,vgg16_bn"
    assert "**VGG16 → VGG16-BN** (batch norm)" in text(at)
    at.toggle(key=card_key(at, 1, "top")).set_value(False).run()
    assert at.query_params["cmp"] == "vgg16,vgg16_bn/notop"
    assert "VGG16-BN · no head" in text(at)


def test_custom_cnn_preset_in_the_comparison(page) -> None:
    at = page(cmp="vgg16,preset:seed-example")
    assert not at.exception and cards(at) == ["vgg16", "preset:seed-example"]
    assert sizes(at) == ["224x224x3", "150x150x3"]
    assert at.toggle(key=card_key(at, 1, "top")).disabled
    assert translate("compare.table.stages", "en", names="seed-example") in text(at)
    frame = at.dataframe[0].value
    assert frame.loc["Total", ("seed-example", "Params")] == "9,494,561"
    assert frame.loc["Block 4", ("seed-example", "Params")] == "—"
    assert "−10 conv layers" in text(at)
    # Choosing the preset in a card brings its own input size.
    at.selectbox(key=card_key(at, 0, "net")).set_value("preset:seed-example").run()
    assert sizes(at) == ["150x150x3", "150x150x3"]


def test_an_invalid_size_flags_only_its_own_card(page) -> None:
    at = page(cmp="vgg11,vgg16,vgg19")
    at.text_input(key=card_key(at, 2, "size")).input("16x16x3").run()
    assert not at.exception
    assert len(at.error) == 1 and "at least 32×32" in at.error[0].value
    assert at.query_params["cmp"] == "vgg11,vgg16"  # the link keeps what can be built
    assert "**VGG11 → VGG16**" in text(at) and "VGG19" not in table(at)
    assert len(charts(at)) == 3
    at.text_input(key=card_key(at, 2, "size")).input("not a size").run()
    assert len(at.error) == 1 and "cannot read the input size" in at.error[0].value
    at.text_input(key=card_key(at, 2, "size")).input("320").run()
    assert not at.error and at.query_params["cmp"] == "vgg11,vgg16,vgg19@320x320x3"


def test_one_input_size_for_all(page) -> None:
    at = page(cmp="vgg16,preset:seed-example,vgg19_bn@100x100x1")
    at.button_group(key="cmp_all_size").set_value(320).run()
    assert sizes(at) == ["320x320x3", "320x320x3", "320x320x1"]  # channels kept
    link = "vgg16@320x320x3,preset:seed-example@320x320x3,vgg19_bn@320x320x1"
    assert at.query_params["cmp"] == link
    assert at.button_group(key="cmp_all_size").value is None


def test_share_link_round_trip_keeps_the_language(page) -> None:
    link = "vgg16,vgg19_bn@320x320x3,vgg11/notop"
    at = page(cmp=link, lang="zh")
    assert not at.exception and not at.warning
    assert cards(at) == ["vgg16", "vgg19_bn", "vgg11"]
    assert sizes(at) == ["224x224x3", "320x320x3", "224x224x3"]
    assert at.query_params["cmp"] == link and at.query_params["lang"] == "zh"
    assert at.title[0].value == translate("compare.title", "zh")
    at.toggle(key=card_key(at, 2, "top")).set_value(True).run()
    assert at.query_params["cmp"] == "vgg16,vgg19_bn@320x320x3,vgg11"
    assert at.query_params["lang"] == "zh"
    again = page(cmp=at.query_params["cmp"], lang="zh")
    assert table(again) == table(at) and text(again) == text(at)


def test_charts_are_translated(page) -> None:
    zh = page(lang="zh")
    totals, curves, sweep = charts(zh)
    titles = [a["text"] for a in totals["layout"]["annotations"]]
    assert titles[0] == translate("compare.totals.params", "zh")
    assert curves["layout"]["title"]["text"] == translate("compare.curve.params", "zh")
    assert sweep["layout"]["xaxis"]["title"]["text"] == translate("compare.sweep.x", "zh")
    assert "第 3 块" in curves["layout"]["xaxis"]["ticktext"]


def test_curve_selector_switches_the_metric(page) -> None:
    at = page()
    at.button_group(key="cmp_metric").set_value("channels").run()
    curves = charts(at)[1]
    assert curves["layout"]["title"]["text"] == translate("compare.curve.channels", "en")
    assert curves["data"][0]["y"][-1] == 1000


@pytest.mark.parametrize(
    ("value", "warnings", "shown", "filled"),
    [
        ("<script>alert(1)</script>", 1, ["vgg16", "vgg19"], True),
        ("[click](javascript:alert(1)),vgg13", 1, ["vgg13", "vgg16"], True),
        ("vgg16,,,vgg19,,", 0, ["vgg16", "vgg19"], False),
        ("x" * 5000, 1, ["vgg16", "vgg19"], True),
        ("vgg16@99999x99999,vgg19", 1, ["vgg19", "vgg16"], True),
        ("preset:../../etc/passwd,vgg11", 1, ["vgg11", "vgg16"], True),
        ("vgg11,vgg13,vgg16,vgg19,vgg16_bn", 1, ["vgg11", "vgg13", "vgg16", "vgg19"], False),
        ("", 0, ["vgg16", "vgg19"], True),
    ],
)
def test_hostile_links_fall_back_with_a_visible_note(
    page, value: str, warnings: int, shown: list[str], filled: bool
) -> None:
    at = page(cmp=value, lang="en")
    assert not at.exception
    assert cards(at) == shown
    assert len(at.warning) == warnings
    assert bool(at.info) is filled  # the defaults that filled up are named
    assert at.query_params["lang"] == "en"
    notes = "\n".join(w.value for w in at.warning)
    assert "<script>" not in notes and "](javascript" not in notes  # shown as text, escaped


def test_bad_item_is_flagged_and_the_rest_renders(page) -> None:
    at = page(cmp="vgg16,vgg16@16x16,vgg19")
    assert cards(at) == ["vgg16", "vgg19"]
    (note,) = at.warning
    assert "Item 2" in note.value and "at least 32×32" in note.value
    assert DELTA_16_19 in text(at)
    at.button(key="cmp_add").click().run()  # the note goes once the comparison changes
    assert not at.warning


@pytest.mark.keras
def test_same_image_in_two_networks(page) -> None:
    at = page(cmp="vgg11@64x64x3,vgg13_bn@64x64x3")
    at.toggle(key="cmp_maps").set_value(True).run(timeout=300)
    assert not at.exception and not at.error
    assert translate("compare.maps.untrained", "en", seed=0) in text(at)
    assert at.selectbox(key="cmp_maps_block").value == "block3"
    images = at.get("image")
    assert len(images) == 3  # the picture, then one grid per network
    assert "block3_conv2" in text(at) and "block3_conv2_relu" in text(at)
    assert "One colour scale for both networks" in text(at)
    at.selectbox(key="cmp_maps_block").set_value("block1").run(timeout=300)
    assert "block1_conv1" in text(at) and "block1_conv2_relu" in text(at)


def test_the_comparison_survives_a_visit_to_another_page() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    at.selectbox(key=card_key(at, 1, "net")).set_value("vgg13").run()
    at.text_input(key=card_key(at, 1, "size")).input("320").run()
    at.switch_page("pages/learn.py").run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert cards(at) == ["vgg16", "vgg13"] and sizes(at) == ["224x224x3", "320"]
    assert at.query_params["cmp"] == "vgg16,vgg13@320x320x3"
