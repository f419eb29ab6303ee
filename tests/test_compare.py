"""The comparison engine and its chart builders: link items, block alignment, pinned deltas."""

from __future__ import annotations

import csv
import io

import pytest

from components.engine import compare
from components.engine.analysis import analyze
from components.engine.errors import InputError
from components.engine.formatting import short_count, signed, signed_short
from components.engine.presets import load_preset
from components.engine.vgg import vgg_spec
from components.ui import compare_charts
from tests.english import english

FOUR = "vgg11,vgg13,vgg16,vgg19"


def comparison(link: str) -> compare.Comparison:
    result = compare.parse_link(link)
    assert not result.rejected and not result.added, result
    return compare.compare(result.items)


# ------------------------------------------------------------------ link items


@pytest.mark.parametrize(
    ("text", "arch", "shape", "bn", "top"),
    [
        ("vgg16", "vgg16", (224, 224, 3), False, True),
        ("VGG19_BN@320x320x3", "vgg19", (320, 320, 3), True, True),
        ("vgg11/notop", "vgg11", (224, 224, 3), False, False),
        (" D @ 320 /NOTOP", "vgg16", (320, 320, 3), False, False),
        ("vgg11-lrn@64x96", "vgg11-lrn", (64, 96, 3), False, True),
        ("vgg13_bn@100x100x1/notop", "vgg13", (100, 100, 1), True, False),
        ("preset:seed-example", "preset:seed-example", (150, 150, 3), False, True),
        ("preset:seed-example@64x64x3", "preset:seed-example", (64, 64, 3), False, True),
    ],
)
def test_items_parse_and_round_trip(
    text: str, arch: str, shape: tuple[int, int, int], bn: bool, top: bool
) -> None:
    item = compare.parse_item(text)
    assert (item.arch, item.input_shape, item.batch_norm, item.include_top) == (
        arch,
        shape,
        bn,
        top,
    )
    assert compare.parse_item(item.token) == item


def test_tokens_write_the_input_only_when_not_the_default() -> None:
    assert compare.parse_item("vgg16@224x224x3").token == "vgg16"
    assert compare.parse_item("vgg19_bn@320").token == "vgg19_bn@320x320x3"
    assert compare.parse_item("preset:seed-example@150x150x3").token == "preset:seed-example"
    assert compare.parse_item("vgg11/notop").token == "vgg11/notop"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("vgg16" * 20, "too_long"),
        ("vgg99", "arch"),
        ("<script>alert(1)", "arch"),
        ("<script>alert(1)</script>", "option"),
        ("vgg16/top", "option"),
        ("preset:seed-example/notop", "option"),
        ("preset:../../etc/passwd", "option"),
        ("preset:nope", "preset"),
        ("preset:seed-example_bn", "preset"),
        ("vgg16@abc", "size"),
        ("vgg16@", "size"),
        ("vgg16@0x0x3", "size"),
        ("vgg16@99999x99999", "size"),
        ("vgg16@224x224x9", "size"),
    ],
)
def test_bad_items_say_which_part_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        compare.parse_item(text)
    assert compare.reason_of(caught.value) == reason and caught.value.code == f"compare.{reason}"


def test_a_size_the_network_cannot_take_is_refused_when_built() -> None:
    item = compare.parse_item("vgg16@16x16x3")  # well-formed, but five pools need 32
    with pytest.raises(InputError) as caught:
        compare.configure(item)
    assert compare.reason_of(caught.value) == "build"
    detail = english(caught.value.issues[1:])
    assert "at least 32×32" in detail
    assert not detail.startswith("input:")


def test_the_issue_link_reads_whole() -> None:
    link = "vgg16,vgg19_bn@320x320x3,vgg11/notop"
    result = compare.parse_link(link)
    assert not result.rejected and not result.added
    assert compare.link_value(result.items) == link


def test_only_the_bad_item_is_rejected() -> None:
    result = compare.parse_link("vgg16,vgg16@16x16,bogus,vgg19")
    assert [i.token for i in result.items] == ["vgg16", "vgg19"]
    assert [(r.position, r.text, r.reason) for r in result.rejected] == [
        (2, "vgg16@16x16", "build"),
        (3, "bogus", "arch"),
    ]
    assert not result.added


def test_more_than_four_items_and_fewer_than_two() -> None:
    five = compare.parse_link(FOUR + ",vgg16_bn")
    assert len(five.items) == compare.MAX_ITEMS
    assert [(r.position, r.reason) for r in five.rejected] == [(5, "too_many")]
    one = compare.parse_link("vgg19,bogus")
    assert [i.token for i in one.items] == ["vgg19", "vgg16"]
    assert [i.token for i in one.added] == ["vgg16"]
    assert [i.token for i in compare.parse_link("").items] == ["vgg16", "vgg19"]


@pytest.mark.parametrize(
    "value",
    ["x" * 100_000, ",,,,," * 1000, "vgg16," * 500, "vgg16\x00,vgg19", "💥,☃@3x3", "%2C%00"],
)
def test_hostile_links_never_raise_and_stay_small(value: str) -> None:
    result = compare.parse_link(value)
    assert compare.MIN_ITEMS <= len(result.items) <= compare.MAX_ITEMS
    assert len(result.rejected) <= compare.MAX_LINK_PIECES + 1
    assert all(len(r.text) <= 40 and len(english(r.issues)) <= 600 for r in result.rejected)


# ------------------------------------------------------------------ block alignment


def test_vgg16_and_vgg19_line_up_block_by_block() -> None:
    cmp = comparison("vgg16,vgg19")
    assert cmp.stage_keys == ("block1", "block2", "block3", "block4", "block5", "head")
    vgg16, vgg19 = cmp.configs
    assert [vgg16.stage(k).convs for k in cmp.stage_keys] == [2, 2, 3, 3, 3, 0]
    assert [vgg19.stage(k).convs for k in cmp.stage_keys] == [2, 2, 4, 4, 4, 0]
    assert [vgg16.stage(k).receptive_field for k in cmp.stage_keys[:5]] == [
        (6, 6), (16, 16), (44, 44), (100, 100), (212, 212),
    ]  # fmt: skip
    assert vgg19.stage("block5").receptive_field == (268, 268)
    assert vgg16.stage("head").receptive_field is None
    assert [vgg19.stage(k).output_shape for k in cmp.stage_keys] == [
        (112, 112, 64), (56, 56, 128), (28, 28, 256), (14, 14, 512), (7, 7, 512), (1000,),
    ]  # fmt: skip
    for config in cmp.configs:
        assert sum(s.params for s in config.stages) == config.analysis.total_params
        assert sum(s.macs for s in config.stages) == config.analysis.total_macs
        assert not config.by_pooling


def test_a_custom_cnn_is_grouped_by_pooling_stage() -> None:
    cmp = comparison("vgg16,preset:seed-example")
    seed = cmp.configs[1]
    assert seed.by_pooling
    assert [s.key for s in seed.stages] == ["block1", "block2", "block3", "head"]
    assert [s.convs for s in seed.stages] == [1, 1, 1, 0]
    assert [s.layers[-1].layer.type for s in seed.stages] == ["maxpool2d"] * 3 + ["dense"]
    assert seed.stage("block4") is None
    assert sum(s.params for s in seed.stages) == analyze(load_preset("seed-example")).total_params
    assert cmp.stage_keys == ("block1", "block2", "block3", "block4", "block5", "head")


def test_feature_layer_is_the_last_map_before_the_pool() -> None:
    plain, bn = (
        compare.configure(compare.parse_item("vgg16")),
        compare.configure(compare.parse_item("vgg16_bn")),
    )
    assert plain.stage("block3").feature_layer.name == "block3_conv3"
    assert bn.stage("block3").feature_layer.name == "block3_conv3_relu"
    assert plain.stage("head").feature_layer is None


def test_no_top_vgg_has_no_head_row_of_its_own() -> None:
    cmp = comparison("vgg16/notop,vgg16")
    assert cmp.configs[0].stage("head") is None
    records = compare.aligned_records(cmp)
    head = next(r for r in records if r["block"] == "head")
    assert head[(0, "params")] is None and head[(1, "params")] == 123_642_856


# ------------------------------------------------------------------ deltas (pinned)


def test_vgg16_to_vgg19_deltas_are_pinned() -> None:
    (delta,) = comparison("vgg16,vgg19").deltas
    assert delta.convs == 3
    assert delta.conv_changes == (("block3", 1), ("block4", 1), ("block5", 1))
    assert delta.params == 5_309_696
    assert signed(delta.params) == "+5,309,696"
    assert compare.signed_pct(delta.params_ratio) == "+3.8%"
    assert delta.macs == 4_161_798_144
    assert signed_short(delta.macs) == "+4.16 G"
    assert compare.signed_pct(delta.macs_ratio) == "+26.9%"
    assert (delta.rf_before, delta.rf_after) == ((212, 212), (268, 268))
    assert delta.changes == ("network",)


def test_the_fc_layers_hold_the_same_parameters_in_all_four() -> None:
    cmp = comparison(FOUR)
    assert len(cmp.deltas) == 3
    assert cmp.shared_head_params == 123_642_856
    assert short_count(cmp.shared_head_params) == "123.6 M"
    # Stated only when true: no head, or a head that grew with the input.
    assert comparison("vgg16,vgg16/notop").shared_head_params is None
    assert comparison("vgg16,vgg16@320x320x3").shared_head_params is None


def test_batch_norm_delta() -> None:
    (delta,) = comparison("vgg16,vgg16_bn").deltas
    conv_channels = 2 * 64 + 2 * 128 + 3 * 256 + 3 * 512 + 3 * 512
    assert (delta.convs, delta.conv_changes, delta.changes) == (0, (), ("bn",))
    assert delta.params == 4 * conv_channels  # γ, β, moving mean and variance per channel
    assert delta.macs == 0 and delta.rf_before == delta.rf_after


def test_head_and_input_deltas() -> None:
    (head,) = comparison("vgg16,vgg16/notop").deltas
    assert head.params == -123_642_856 and head.changes == ("head",)
    assert signed(head.params) == "−123,642,856"
    (size,) = comparison("vgg16,vgg16@448x448x3").deltas
    assert size.changes == ("input",)
    assert compare.signed_pct(size.macs_ratio).startswith("+")


# ------------------------------------------------------------------ input size


def test_sweep_params_follow_fc1_only_when_the_head_is_kept(vgg16) -> None:
    kept = compare.input_sweep(compare.parse_item("vgg16"))
    assert [p.side for p in kept] == list(compare.INPUT_SIDES)
    at_224 = next(p for p in kept if p.side == 224)
    assert at_224.params == vgg16.total_params
    fc_other = 4096 * 4097 + 4097 * 1000
    for p in kept:
        conv = analyze(vgg_spec("vgg16", include_top=False)).total_params
        assert p.params == conv + ((p.side // 32) ** 2 * 512 + 1) * 4096 + fc_other
    dropped = compare.input_sweep(compare.parse_item("vgg16/notop"))
    assert len({p.params for p in dropped}) == 1
    assert [p.macs for p in dropped] == sorted(p.macs for p in dropped)


def test_sweep_leaves_out_sizes_a_network_cannot_take() -> None:
    seed = compare.input_sweep(compare.parse_item("preset:seed-example"))
    assert seed and all(p.side >= 32 for p in seed)
    tiny = compare.input_sweep(compare.parse_item("preset:seed-example"), (8, 150))
    assert [p.side for p in tiny] == [150]


def test_first_dense_explains_fc1() -> None:
    first = compare.first_dense(compare.configure(compare.parse_item("vgg16")))
    assert first is not None
    assert (first.layer, first.grid, first.inputs, first.params) == (
        "fc1", (7, 7, 512), 25_088, 102_764_544,
    )  # fmt: skip
    assert compare.first_dense(compare.configure(compare.parse_item("vgg16/notop"))) is None


# ------------------------------------------------------------------ numbers as text and CSV


def test_number_text() -> None:
    assert short_count(4_161_798_144) == "4.16 G"
    assert short_count(15_470_264_320) == "15.5 G"
    assert short_count(123_642_856) == "123.6 M"
    assert short_count(999) == "999"
    assert signed(0) == "±0" and signed(-1024) == "−1,024"
    assert compare.signed_pct(None) == ""
    assert compare.signed_pct(0.0001) == "+0.01%"  # never a rounded ±0
    assert compare.signed_pct(-0.931) == "−93.1%"
    assert compare.side_text((212, 180)) == "212×180" and compare.side_text(None) == ""


def test_csv_holds_the_aligned_table() -> None:
    cmp = comparison("vgg16,vgg19")
    table = list(csv.DictReader(io.StringIO(compare.to_csv(cmp))))
    assert [r["block"] for r in table] == [*cmp.stage_keys, "total"]
    block3 = table[2]
    assert (block3["vgg16 conv_layers"], block3["vgg19 conv_layers"]) == ("3", "4")
    assert block3["vgg19 receptive_field"] == "52"
    assert table[-1]["vgg19 params"] == "143667240"
    assert table[-1]["vgg16 macs"] == "15470264320"
    same = compare.to_csv(comparison("vgg16,vgg16"))
    assert "vgg16#2 params" in same.splitlines()[0]


# ------------------------------------------------------------------ chart builders (pure)

NAMES = ["VGG16", "VGG19"]
COLOURS = list(compare_charts.COLOURS[:2])


def test_totals_figure_shows_the_engine_totals() -> None:
    cmp = comparison("vgg16,vgg19")
    labels = {k: k.upper() for k in compare_charts.TOTALS}
    fig = compare_charts.totals_figure(compare_charts.totals_frame(cmp, NAMES, COLOURS), labels)
    assert [a.text for a in fig.layout.annotations] == [labels[k] for k in compare_charts.TOTALS]
    bars = {(bar.xaxis, bar.name): bar.x[0] for bar in fig.data}
    for config, name in zip(cmp.configs, NAMES, strict=True):
        a = config.analysis
        assert bars[("x", name)] == a.total_params
        assert bars[("x2", name)] == a.total_macs
        assert bars[("x3", name)] == a.weight_bytes
        assert bars[("x4", name)] == a.activation_bytes
        assert bars[("x5", name)] == a.depth
    assert [b.marker.color for b in fig.data[:2]] == COLOURS
    assert sum(b.showlegend for b in fig.data) == 2  # one shared legend entry each


def test_curves_follow_the_engine_per_layer() -> None:
    cmp = comparison("vgg16,vgg19")
    frame = compare_charts.curves_frame(cmp, NAMES, COLOURS)
    blocks = ["b1", "b2", "b3", "b4", "b5", "head"]
    fig = compare_charts.curves_figure(frame, "params", blocks, {"title": "P", "y": "P"})
    for trace, config in zip(fig.data, cmp.configs, strict=True):
        weights = [i.params for i in config.analysis.layers if i.layer.type in ("conv2d", "dense")]
        assert [y for y in trace.y if y is not None] == weights  # pools (0) are gaps on log
    assert list(fig.layout.xaxis.ticktext) == blocks
    vgg19 = frame[frame["name"] == "VGG19"].set_index("layer")
    assert 2 < vgg19.loc["block3_conv4", "x"] < 3  # VGG19's extra conv inside block 3's band
    assert (
        vgg19.loc["block5_pool", "cumulative"]
        == analyze(vgg_spec("vgg19", include_top=False)).total_params
    )
    hw = compare_charts.curves_figure(frame, "hw", blocks, {"title": "", "y": ""})
    assert hw.data[0].y[0] == 224 * 224 and hw.layout.yaxis.type == "log"
    channels = compare_charts.curves_figure(frame, "channels", blocks, {"title": "", "y": ""})
    assert channels.data[0].y[-1] == 1000 and channels.layout.yaxis.type == "linear"


def test_sweep_figure_plots_the_engine_sweep() -> None:
    cmp = comparison("vgg16,vgg19/notop")
    sweeps = [compare.input_sweep(c.item) for c in cmp.configs]
    frame = compare_charts.sweep_frame(sweeps, NAMES, COLOURS, [224, 224])
    fig = compare_charts.sweep_figure(frame, {"params": "P", "macs": "M", "x": "side"})
    params16, params19, _, macs19 = fig.data
    assert list(params16.y) == [p.params for p in sweeps[0]]
    assert list(macs19.y) == [p.macs for p in sweeps[1]]
    assert list(params19.x) == list(compare.INPUT_SIDES)
    assert max(params16.marker.size) == params16.marker.size[compare.INPUT_SIDES.index(224)]


def test_aligned_frame_cells_and_changes() -> None:
    cmp = comparison("vgg16,vgg19")
    labels = {m: m for m in compare.METRICS} | {"whole": "all"}
    blocks = compare_charts.block_labels(cmp.stage_keys, "B{n}", "H", "T")
    frame, changed = compare_charts.aligned_frame(cmp, NAMES, blocks, labels)
    assert list(frame.index) == ["B1", "B2", "B3", "B4", "B5", "H", "T"]
    assert frame.loc["B3", ("VGG19", "conv_layers")] == "4"
    assert frame.loc["T", ("VGG19", "params")] == "143,667,240"
    assert frame.loc["B5", ("VGG16", "receptive_field")] == "212 px"
    assert frame.loc["H", ("VGG16", "receptive_field")] == "all"
    assert changed.loc["B3", ("VGG19", "conv_layers")]
    assert not changed.loc["B1", ("VGG19", "params")]
    assert not changed.loc["B3", ("VGG16", "conv_layers")]  # the first has nothing to its left
    custom = comparison("vgg16,preset:seed-example")
    frame, _ = compare_charts.aligned_frame(custom, ["VGG16", "seed"], blocks, labels)
    assert frame.loc["B4", ("seed", "params")] == compare_charts.MISSING
