"""The striking facts of a network, computed from its analysis (never typed in).

E.g. in VGG16 the three fully connected layers hold 89% of the parameters but do
under 1% of the multiply-accumulates; block1_conv2 and fc1 are the extremes.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.engine.analysis import Analysis, LayerInfo


@dataclass(frozen=True)
class Share:
    """A group of layers and its share of the network's parameters and MACs."""

    layers: int
    params: int
    macs: int
    param_share: float
    mac_share: float


@dataclass(frozen=True)
class Extreme:
    """The one layer with the most of something, and its share of the total."""

    name: str
    value: int
    share: float


@dataclass(frozen=True)
class Facts:
    dense: Share  # Dense layers, and a convolutional head's convs (fc6–fc8 as convs)
    conv: Share  # the convolutional layers of the feature extractor
    most_params: Extreme | None
    most_macs: Extreme | None


def _is_head(info: LayerInfo) -> bool:
    kind = info.layer.type
    return kind == "dense" or (kind == "conv2d" and info.layer.block == "head")


def _share(analysis: Analysis, members: list[LayerInfo]) -> Share:
    params, macs = sum(i.params for i in members), sum(i.macs for i in members)
    return Share(
        len(members),
        params,
        macs,
        params / analysis.total_params if analysis.total_params else 0.0,
        macs / analysis.total_macs if analysis.total_macs else 0.0,
    )


def _extreme(analysis: Analysis, attr: str) -> Extreme | None:
    total = getattr(analysis, f"total_{attr}")
    best = max(analysis.layers, key=lambda i: getattr(i, attr))
    value = getattr(best, attr)
    return Extreme(best.name, value, value / total) if value else None


def facts(analysis: Analysis) -> Facts:
    head = [i for i in analysis.layers if _is_head(i)]
    convs = [i for i in analysis.layers if i.layer.type == "conv2d" and not _is_head(i)]
    return Facts(
        dense=_share(analysis, head),
        conv=_share(analysis, convs),
        most_params=_extreme(analysis, "params"),
        most_macs=_extreme(analysis, "macs"),
    )
