"""Numbers a class reads aloud: one receptive field, honest percentages, separators, plurals."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from components.engine.analysis import analyze
from components.engine.compare import end_receptive_field, signed_pct
from components.engine.percent import percent, signed_percent
from components.engine.presets import load_preset
from components.engine.report import shape_text
from components.ui.i18n import tn, translate
from components.ui.network_view import fact_lines
from tests.apptest import html, messages, open_page


@given(st.floats(min_value=0, max_value=1, exclude_min=True, exclude_max=True), st.integers(0, 2))
def test_a_share_that_is_not_exact_never_reads_0_or_100(share: float, digits: int) -> None:
    text = percent(share, digits)
    number = float(text.strip("<>%"))
    assert 0 < number < 100, (share, text)


def test_percentages_keep_their_decimals() -> None:
    assert percent(0.997) == "99.7%"
    assert percent(0.9949) == "99%" and percent(0.9996) == "99.96%"
    assert percent(0.0004) == "0.04%"
    assert percent(0.25) == "25%"
    assert (percent(1), percent(0), percent(1, 1)) == ("100%", "0%", "100.0%")
    assert percent(1e-9) == "<0.0001%" and percent(1 - 1e-9) == ">99.9999%"
    assert (signed_percent(0.0384), signed_percent(-0.2), signed_percent(0)) == (
        "+3.8%",
        "−20.0%",
        "±0%",
    )
    assert signed_pct(0.0001) == "+0.01%" and signed_pct(None) == ""


def test_the_seed_networks_dense_layer_holds_99_7_not_100_percent() -> None:
    analysis = analyze(load_preset("seed-example"))
    dense = analysis.layer("dense")
    assert dense.params == 9_470_464
    lines = "\n".join(fact_lines(analysis))
    assert "9,470,464 parameters (**99.7%** of all)" in lines and "100%" not in lines


def test_every_shown_number_has_separators() -> None:
    assert shape_text((25088,)) == "25,088" and shape_text((7, 7, 512)) == "7×7×512"
    at = open_page("pages/architecture.py", arch="vgg16", layer="fc1")
    assert "25,088 → **4,096**" in messages(at)


def test_a_pooling_layer_gets_a_pooling_sentence() -> None:
    at = open_page("pages/architecture.py", arch="vgg16", layer="block1_pool")
    shown = messages(at)
    assert translate("classroom.whatif.pool", "en", before="0") in shown
    assert translate("explain.whatif.same_params", "en", before="0") not in shown


def test_problems_are_counted_in_words() -> None:
    assert tn("custom.check.errors", 1, n=1).startswith("1 problem stops")
    assert tn("custom.check.errors", 2, n=2).startswith("2 problems stop")
    assert "(s)" not in translate("learn.size.leftover", "en", span=1, s=2, lost=3, out=4)


def test_one_receptive_field_everywhere(vgg16) -> None:
    """VGG16: 212 px at block5_pool (what the head sees) on both pages; 196 px of block5_conv3
    on hover. The classic figures (e.g. Araujo et al., Distill 2019) pin the engine too."""
    analysis = vgg16
    assert analysis.feature_end.name == "block5_pool"
    assert end_receptive_field(analysis) == (212, 212)
    assert analysis.last_conv.receptive_field.size == (196, 196)

    cells = re.findall(
        r'<div class="vx-metric" title="([^"]*)"><div class="label">([^<]*)</div>'
        r'<div class="value">([^<]*)</div>',
        html(open_page("pages/architecture.py", arch="vgg16")),
    )
    cell = [c for c in cells if c[1].startswith("Receptive field")]
    assert len(cell) == 1
    title, label, value = cell[0]
    assert label == "Receptive field (block5_pool)" and value == "212 px"
    assert "block5_conv3" in title and "196 px" in title

    cmp = open_page("pages/compare.py", cmp="vgg16,vgg19")
    lines = [m for m in cmp.markdown if "→" in m.value and "receptive field" in m.value]
    assert lines and "receptive field 212 → " in lines[0].value
    assert "block5_conv3): 196 px" in lines[0].proto.help
