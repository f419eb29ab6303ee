"""One theme: every chart names the CJK font (titles too) and no UI module restates it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from components.engine.analysis import analyze
from components.engine.vgg import vgg_spec
from components.ui import arch_charts, theme
from components.ui.tables import layer_frame

UI = Path(__file__).resolve().parents[1] / "components" / "ui"
SHARED = ("PLOT_CONFIG", "FONT", "HIGHLIGHT", "BAR", "LINE")
LABELS = {k: k for k in ("title", "params", "side", "height", "width", "channels", "shape", "macs")}


def _assigned_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


@pytest.mark.parametrize("path", sorted(UI.glob("*.py")), ids=lambda p: p.name)
def test_shared_chart_settings_are_defined_only_in_the_theme(path: Path) -> None:
    if path.name == "theme.py":
        return
    assert not _assigned_names(path) & set(SHARED), path.name


def test_cjk_font_is_named_for_text_and_titles() -> None:
    assert "Noto Sans CJK SC" in theme.FONT_FAMILY
    frame = layer_frame(analyze(vgg_spec("vgg16")))
    labels = LABELS
    for figure in (
        arch_charts.layer_figure(frame, labels),
        arch_charts.volume_figure(frame, labels),
    ):
        assert figure.layout.font.family == theme.FONT_FAMILY
        assert figure.layout.title.font.family == theme.FONT_FAMILY


def test_the_selected_layer_has_the_one_highlight_colour() -> None:
    frame = layer_frame(analyze(vgg_spec("vgg11")))
    labels = LABELS
    figure = arch_charts.layer_figure(frame, labels, highlight="block2_conv1")
    colours = list(figure.data[0].marker.color)
    assert colours[list(frame["name"]).index("block2_conv1")] == theme.HIGHLIGHT
    assert colours.count(theme.HIGHLIGHT) == 1
