"""The Learn page's lessons, one function each: controls, the engine's numbers, a chart, a link.

Every figure shown comes from :mod:`components.engine.lessons` (which asks the
engine's analysis); every string from the catalogue. Each lesson ends with a
share link that opens the explorer on the matching network.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.engine import lessons
from components.engine.analysis import Analysis, FormulaLabel, analyze
from components.engine.formatting import count_text, short_count, size_text
from components.engine.percent import percent
from components.engine.presets import load_preset
from components.engine.report import shape_text
from components.engine.vgg import BLOCK_CHANNELS, CONFIGS, vgg_spec
from components.ui import lesson_charts
from components.ui.arch_charts import projector_fonts
from components.ui.digits_views import trained_filters_ui
from components.ui.i18n import current_language, t, tn
from components.ui.lesson_fit import fit_slide_chart, show_lesson_table, size_columns
from components.ui.links import page_button_ui
from components.ui.practice import formula_text, predict_reveal_ui
from components.ui.presentation import presentation_active
from components.ui.theme import PLOT_CONFIG

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

SEED_PRESET = "seed-example"


def for_screen(figure: go.Figure) -> go.Figure:
    """A chart as drawn: projector-sized fonts in presentation mode."""
    return projector_fonts(figure) if presentation_active() else figure


def architecture_params(arch: str, top: bool = True, input_side: int = 224) -> dict[str, str]:
    """Share-link parameters of the architecture page for one VGG."""
    size = size_text((input_side, input_side, 3))
    return {
        "arch": arch,
        "input": size,
        "top": str(int(top)),
        "bn": "0",
        "lang": current_language(),
    }


def custom_params(preset: str = SEED_PRESET) -> dict[str, str]:
    return {"preset": preset, "lang": current_language()}


def show_explorer_link(label: str, url_path: str, params: dict[str, str]) -> None:
    """A link to an explorer page, opened in the same tab."""
    page_button_ui(label, url_path, params, icon=":material/arrow_forward:")


def group_name(group: str) -> str:
    return t("learn.head") if group == "head" else t("learn.block_n", n=group.removeprefix("block"))


# ---------------------------------------------------------------- 1. output size


MAX_SIDE = 512  # lesson 1's input side: past VGG's 224
MAX_DRAWN_SIDE = 32  # the pixel grid is drawn up to this padded side; the formula holds beyond


def _reset_step() -> None:
    st.session_state["learn_step"] = 1


def lesson_chart_ui(where: DeltaGenerator | ModuleType, figure: go.Figure, key: str) -> None:
    """A lesson's chart in ``where`` (``st`` or a column), projector-sized when presenting."""
    where.plotly_chart(for_screen(figure), key=key, config=PLOT_CONFIG)


def translated(**keys: str) -> dict[str, str]:
    """Chart labels: each name mapped to the text of its catalogue key."""
    return {name: t(key) for name, key in keys.items()}


def _slide_controls_ui() -> lessons.Slide:
    """Input side, kernel, padding and stride in one row; a change rewinds the kernel."""
    cols = st.columns(4)
    w = cols[0].number_input(  # up to 224 and beyond: "where does 148 come from?" needs 150
        t("learn.size.w"), 3, MAX_SIDE, 7, key="learn_w", on_change=_reset_step
    )
    k = cols[1].slider(t("learn.size.k"), 1, 7, 3, key="learn_k", on_change=_reset_step)
    p = cols[2].slider(t("learn.size.p"), 0, 3, 0, key="learn_p", on_change=_reset_step)
    s = cols[3].slider(t("learn.size.s"), 1, 4, 2, key="learn_s", on_change=_reset_step)
    return lessons.Slide(w, k, p, s)


def _slide_step_ui(where: DeltaGenerator, slide: lessons.Slide) -> int:
    """The output size, its worked formula and the kernel position to show (1-based)."""
    where.metric(t("learn.size.output"), f"{slide.output} × {slide.output}")
    _tiling_note_ui(where, slide)  # before the step slider: in view on a projector
    where.markdown(f"`{slide.worked()}`")
    if slide.padded > MAX_DRAWN_SIDE:
        return 1
    positions = len(slide.positions())
    step = 1
    if positions > 1:  # a slider needs two values
        step = where.slider(t("learn.size.step"), 1, positions, 1, key="learn_step")
    row, col = slide.positions()[step - 1]
    where.caption(t("learn.size.where", row=row, col=col, k=slide.kernel))
    return step


def _tiling_note_ui(where: DeltaGenerator, slide: lessons.Slide) -> None:
    """Whether the kernel's positions tile the padded input, or how many pixels it never sees."""
    span = slide.padded - slide.kernel
    if slide.tiles:
        where.success(t("learn.size.tiles", span=span, s=slide.stride))
        return
    where.warning(
        tn(
            "learn.size.leftover",
            slide.leftover,
            span=span,
            s=slide.stride,
            lost=slide.leftover,
            out=slide.output,
        )
    )


def _slide_chart_ui(where: DeltaGenerator, slide: lessons.Slide, step: int) -> None:
    """The sliding-kernel grids, or a note when the padded input is too large to draw."""
    if slide.padded > MAX_DRAWN_SIDE:
        where.info(t("classroom.size.not_drawn", side=MAX_DRAWN_SIDE), icon=":material/grid_on:")
        return
    labels = {
        "input": t("learn.size.chart_input", n=slide.padded),
        "output": t("learn.size.chart_output", n=slide.output),
        **translated(
            pad="learn.size.cell_pad",
            pixel="learn.size.cell_pixel",
            window="learn.size.cell_window",
            unseen="learn.size.cell_unseen",
            done="learn.size.cell_done",
            current="learn.size.cell_current",
            todo="learn.size.cell_todo",
        ),
    }
    figure = fit_slide_chart(for_screen(lesson_charts.slide_figure(slide, step - 1, labels)))
    where.plotly_chart(figure, key="learn_slide_chart", config=PLOT_CONFIG)
    where.caption(t("learn.size.legend"))


def _padding_table_ui(slide: lessons.Slide) -> None:
    """'valid' against 'same' padding for the chosen input, kernel and stride."""
    st.subheader(t("learn.size.same_title"))
    st.markdown(t("learn.size.same_intro"))
    cases = lessons.padding_cases(slide.size, slide.kernel, slide.stride)
    st.dataframe(
        pd.DataFrame(
            {
                t("learn.size.col_padding"): [c.padding for c in cases],
                t("learn.size.col_output"): [f"{c.output} × {c.output}" for c in cases],
                t("learn.size.col_before"): [c.pad_before for c in cases],
                t("learn.size.col_after"): [c.pad_after for c in cases],
            }
        ),
        hide_index=True,
    )


def lesson_output_size_ui() -> None:
    st.header(t("learn.size.title"))
    st.markdown(t("learn.size.intro"))
    st.markdown(f"`{lessons.SIZE_FORMULA}`")
    slide = _slide_controls_ui()
    if not slide.output:
        st.error(t("learn.size.too_big", k=slide.kernel, padded=slide.padded))
        return
    left, right = st.columns(size_columns())
    step = _slide_step_ui(left, slide)
    _slide_chart_ui(right, slide, step)
    _padding_table_ui(slide)
    show_explorer_link(t("learn.link.seed"), "custom", custom_params())


# ---------------------------------------------------------------- 2. parameters


def lesson_parameters_ui() -> None:
    st.header(t("learn.params.title"))
    st.markdown(t("learn.params.intro"))
    seed = analyze(load_preset(SEED_PRESET))
    for example, col in zip(lessons.param_examples(seed), st.columns(3), strict=True):
        info = example.layer
        with col.container(border=True):
            st.markdown(f"**{example.network}** · `{info.name}` ({info.keras_class})")
            st.metric(t("learn.params.count"), count_text(info.params))
            st.caption(t("learn.params.input", shape=shape_text(info.input_shape)))
            for formula in info.formulas:
                if formula.label is FormulaLabel.PARAMS:
                    st.markdown(formula_text(formula))
    dense = lessons.param_examples(seed)[1].layer
    convs = sum(i.params for i in seed.layers if i.layer.type.is_conv)
    st.markdown(
        t(
            "learn.params.dense_note",
            n=count_text(dense.params),
            inputs=count_text(dense.input_shape[0]),
            convs=count_text(convs),
        )
    )

    st.subheader(t("learn.params.try_title"))
    cols = st.columns(3)
    k = cols[0].select_slider(t("learn.params.k"), [1, 3, 5, 7], 3, key="learn_pk")
    cin = cols[1].number_input(t("learn.params.cin"), 1, 4096, 3, key="learn_pcin")
    cout = cols[2].number_input(t("learn.params.cout"), 1, 4096, 16, key="learn_pcout")
    st.markdown(f"`{lessons.conv_params_worked(int(k), int(cin), int(cout))}`")

    st.subheader(t("learn.params.predict_title"))
    second = [i for i in seed.layers if i.layer.type.is_conv][1]
    predict_reveal_ui(second, "params", "learn_params_predict")
    links = st.columns(2)
    with links[0]:
        show_explorer_link(t("learn.link.seed"), "custom", custom_params())
    with links[1]:
        show_explorer_link(t("learn.link.arch", arch="VGG16"), "", architecture_params("vgg16"))


# ---------------------------------------------------------------- 3. stacks of 3×3


def lesson_stacks_ui() -> None:
    st.header(t("learn.stack.title"))
    units = lessons.stack_rows(3)
    two, three = units[1], units[2]
    st.markdown(
        t(
            "learn.stack.intro",
            rf2=two.receptive_field,
            w2=two.stack_weights,
            s2=two.single_weights,
            rf3=three.receptive_field,
            w3=three.stack_weights,
            s3=three.single_weights,
        )
    )
    channels = st.select_slider(
        t("learn.stack.channels"), sorted(set(BLOCK_CHANNELS)), 256, key="learn_c"
    )
    real = lessons.stack_rows(3, channels)
    show_lesson_table(
        pd.DataFrame(
            {
                t("learn.stack.col_convs"): [r.convs for r in units],
                t("learn.stack.col_rf"): [
                    f"{r.receptive_field} × {r.receptive_field}" for r in units
                ],
                t("learn.stack.col_weights"): [
                    f"{r.stack_weights}·C² / {r.single_weights}·C²" for r in units
                ],
                t("learn.stack.col_weights_n", c=channels): [
                    f"{count_text(a.stack_weights)} / {count_text(a.single_weights)}" for a in real
                ],
                t("learn.stack.col_saving"): [percent(r.saving) for r in units],
                t("learn.stack.col_relus"): [f"{r.relus} / 1" for r in units],
            }
        ),
    )
    st.markdown(t("learn.stack.relus"))
    left, right = st.columns(2)
    n = left.slider(t("learn.stack.n"), 1, 3, 3, key="learn_stack_n")
    sizes = [r.receptive_field for r in units[:n]]
    labels = translated(
        title="learn.stack.chart_title",
        layer="learn.stack.chart_layer",
        layer_one="learn.stack.chart_layer_one",
    )
    lesson_chart_ui(left, lesson_charts.rf_stack_figure(sizes, labels), "learn_stack_chart")
    vgg16 = analyze(vgg_spec("vgg16", include_top=False))
    frame = pd.DataFrame(lessons.receptive_fields(vgg16), columns=["layer", "rf"])
    labels = translated(
        title="learn.stack.growth_title", x="learn.axis.layer", y="learn.stack.growth_y"
    )
    lesson_chart_ui(right, lesson_charts.rf_growth_figure(frame, labels), "learn_growth_chart")
    trained_filters_ui()  # what trained 3×3 filters detect (digits-vgg, NumPy only)
    show_explorer_link(t("learn.link.arch", arch="VGG16"), "", architecture_params("vgg16"))


# ---------------------------------------------------------------- 4. the VGG block


def lesson_block_ui() -> None:
    st.header(t("learn.block.title"))
    st.markdown(t("learn.block.intro"))
    side = st.select_slider(
        t("learn.block.input"), [32, 64, 128, 224, 256, 320, 512], 224, key="learn_side"
    )
    recipe = lessons.block_recipe(side)
    titles = {arch: CONFIGS[arch].title for arch in lessons.LESSON_ARCHS}
    table = {
        t("learn.block.col_block"): [group_name(f"block{r.block}") for r in recipe],
        t("learn.block.col_channels"): [r.channels for r in recipe],
    }
    for arch, title in titles.items():
        table[title] = [r.convs[arch] for r in recipe]
    table[t("learn.block.col_size")] = [f"{r.size_in} → {r.size_out}" for r in recipe]
    st.dataframe(pd.DataFrame(table), hide_index=True)
    st.caption(t("learn.block.halving", sizes=" → ".join(str(s) for s in _sides(recipe))))
    frame = pd.DataFrame(
        [
            {"arch": titles[arch], "block": r.block, "convs": r.convs[arch]}
            for arch in lessons.LESSON_ARCHS
            for r in recipe
        ]
    )
    labels = translated(
        title="learn.block.chart_title", y="learn.block.chart_y", block="learn.block.chart_block"
    )
    lesson_chart_ui(st, lesson_charts.recipe_figure(frame, labels), "learn_recipe_chart")
    totals = lessons.arch_totals()
    st.dataframe(
        pd.DataFrame(
            {
                t("learn.block.col_arch"): [a.title for a in totals],
                t("learn.block.col_depth"): [a.weight_layers for a in totals],
                t("learn.block.col_params"): [count_text(a.params) for a in totals],
                t("learn.block.col_macs"): [short_count(a.macs) for a in totals],
            }
        ),
        hide_index=True,
    )
    st.caption(t("learn.block.totals_note"))
    arch = st.segmented_control(
        t("learn.block.arch"),
        lessons.LESSON_ARCHS,
        default="vgg11",
        format_func=titles.__getitem__,
        required=True,
        key="learn_block_arch",
    )
    st.code(lessons.block_code(arch), language="python")
    show_explorer_link(t("learn.link.arch", arch=titles[arch]), "", architecture_params(arch))


def _sides(recipe: list[lessons.BlockRow]) -> list[int]:
    return [recipe[0].size_in, *(r.size_out for r in recipe)]


# ---------------------------------------------------------------- 5. conv3/4/5 features


def lesson_features_ui() -> None:
    st.header(t("learn.features.title"))
    st.markdown(t("learn.features.intro"))
    side = st.select_slider(t("learn.features.input"), [224, 256, 320, 512], 224, key="learn_fside")
    layers = lessons.feature_layers("vgg16", side)
    st.dataframe(
        pd.DataFrame(
            {
                t("learn.features.col_paper"): [f"{f.paper} ({f.paper_layer})" for f in layers],
                t("learn.features.col_keras"): [f.keras for f in layers],
                t("learn.features.col_torch"): [f"{f.torch_relu} (ReLU)" for f in layers],
                t("learn.features.col_torch_conv"): [f.torch_conv for f in layers],
                t("learn.features.col_shape"): [shape_text(f.output_shape) for f in layers],
                t("learn.features.col_pool"): [f"{f.keras_pool} / {f.torch_pool}" for f in layers],
            }
        ),
        hide_index=True,
    )
    base = analyze(vgg_spec("vgg16", (side, side, 3), include_top=False))
    st.markdown(t("learn.features.relu_note"))
    st.markdown(t("learn.features.total", n=count_text(base.total_params)))
    st.markdown(t("learn.features.keras_code"))
    st.code(lessons.keras_feature_code(layers, side), language="python")
    st.markdown(t("learn.features.torch_code"))
    st.code(lessons.torch_feature_code(layers), language="python")
    show_explorer_link(
        t("learn.link.arch_notop", arch="VGG16"),
        "",
        architecture_params("vgg16", top=False, input_side=side),
    )


# ---------------------------------------------------------------- 6. parameters vs compute


def lesson_budget_ui() -> None:
    st.header(t("learn.budget.title"))
    st.markdown(t("learn.budget.intro"))
    arch = st.segmented_control(
        t("learn.block.arch"),
        lessons.LESSON_ARCHS,
        default="vgg16",
        format_func=lambda a: CONFIGS[a].title,
        required=True,
        key="learn_budget_arch",
    )
    analysis = analyze(vgg_spec(arch))
    rows = lessons.budget(analysis)
    fc_params, fc_macs = lessons.share(rows, "fc")
    _budget_metrics_ui(analysis, fc_params, fc_macs)
    st.markdown(_fc1_text(analysis))
    frame = _budget_frame(rows)
    labels = translated(
        params="learn.budget.chart_params", macs="learn.budget.chart_macs", x="learn.budget.chart_x"
    )
    lesson_chart_ui(st, lesson_charts.budget_figure(frame, labels), "learn_budget_chart")
    st.dataframe(_budget_table(frame, rows), hide_index=True)
    st.markdown(
        t(
            "learn.budget.takeaway",
            fc_params=percent(fc_params),
            fc_macs=percent(fc_macs, 1),
            convs=sum(i.layer.type.is_conv for i in analysis.layers),
        )
    )
    show_explorer_link(
        t("learn.link.arch", arch=CONFIGS[arch].title), "", architecture_params(arch)
    )


def _budget_metrics_ui(analysis: Analysis, fc_params: float, fc_macs: float) -> None:
    """The four headline figures: total parameters and MACs, and the head's and convs' shares."""
    cols = st.columns(4)
    cols[0].metric(t("learn.budget.total_params"), count_text(analysis.total_params))
    cols[1].metric(t("learn.budget.fc_params"), percent(fc_params, 1))
    cols[2].metric(t("learn.budget.total_macs"), short_count(analysis.total_macs))
    cols[3].metric(t("learn.budget.conv_macs"), percent(1 - fc_macs, 1))


def _fc1_text(analysis: Analysis) -> str:
    """Why fc1 alone holds most of the parameters: every flattened value meets every unit."""
    fc1 = analysis.layer("fc1")
    return t(
        "learn.budget.fc1",
        params=count_text(fc1.params),
        share=percent(fc1.params / analysis.total_params, 1),
        shape=shape_text(analysis.layer("flatten").input_shape),
        n=count_text(fc1.input_shape[0]),
    )


def _budget_frame(rows: list[lessons.BudgetRow]) -> pd.DataFrame:
    """The chart's data: parameters and MACs per group, groups named in the page language."""
    return pd.DataFrame(
        {
            "group": [group_name(r.group) for r in rows],
            "params": [r.params for r in rows],
            "macs": [r.macs for r in rows],
        }
    )


def _budget_table(frame: pd.DataFrame, rows: list[lessons.BudgetRow]) -> pd.DataFrame:
    """The same numbers as a table, with thousands separators and translated headings."""
    return pd.DataFrame(
        {
            t("learn.budget.col_group"): frame["group"],
            t("learn.budget.col_params"): [count_text(r.params) for r in rows],
            t("learn.budget.col_macs"): [count_text(r.macs) for r in rows],
        }
    )


# ---------------------------------------------------------------- practice


PRACTICE_NETWORKS = (SEED_PRESET, *lessons.LESSON_ARCHS)


def pick_practice_network(key: str) -> Analysis:
    """The network to practise on: the seed question's CNN or a VGG at 224×224×3."""
    name = st.selectbox(
        t("learn.practice.network"),
        PRACTICE_NETWORKS,
        format_func=lambda n: t("learn.practice.seed") if n == SEED_PRESET else CONFIGS[n].title,
        key=key,
    )
    spec = load_preset(name) if name == SEED_PRESET else vgg_spec(name)
    return analyze(spec)


def walk_frame(analysis: Analysis, shown: int) -> pd.DataFrame:
    """Output side and channels of image-shaped outputs, only for the first ``shown`` layers.

    Later layers stay blank so the chart does not give away a hidden output shape.
    """
    sides: list[int | None] = []
    channels: list[int | None] = []
    for info in analysis.layers:
        image = len(info.output_shape) == 3 and info.index < shown
        sides.append(info.output_shape[0] if image else None)
        channels.append(info.output_shape[-1] if image else None)
    return pd.DataFrame(
        {"layer": [i.name for i in analysis.layers], "side": sides, "channels": channels}
    )
