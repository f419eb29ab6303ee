"""The six VGG configurations of Simonyan & Zisserman (2014), Table 1, as data.

Like torchvision's ``cfgs``: one table, one builder. Each configuration lists,
per block, the kernel size of each conv; every block ends in a 2×2 max-pool.
Layer names follow ``keras.applications.vgg16`` (``block1_conv1`` …
``predictions``) and each layer also carries its torchvision and paper name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

from components.engine.errors import InputError, Issue
from components.engine.spec import MAX_WIDTH, Layer, LayerType, NetworkSpec, check_input_shape

BLOCK_CHANNELS = (64, 128, 256, 512, 512)
FC_UNITS = 4096
MIN_SIDE = 32  # five 2×2 pools halve the input five times


@dataclass(frozen=True)
class VGGConfig:
    key: str
    letter: str
    title: str
    kernels: tuple[tuple[int, ...], ...]  # per block, the kernel of each conv
    lrn: bool = False

    @property
    def weight_layers(self) -> int:
        return sum(len(block) for block in self.kernels) + 3


CONFIGS: dict[str, VGGConfig] = {
    c.key: c
    for c in (
        VGGConfig("vgg11", "A", "VGG11", ((3,), (3,), (3, 3), (3, 3), (3, 3))),
        VGGConfig("vgg11-lrn", "A-LRN", "VGG11-LRN", ((3,), (3,), (3, 3), (3, 3), (3, 3)), True),
        VGGConfig("vgg13", "B", "VGG13", ((3, 3),) * 5),
        VGGConfig("vgg16-c", "C", "VGG16-C", ((3, 3), (3, 3), *((3, 3, 1),) * 3)),
        VGGConfig("vgg16", "D", "VGG16", ((3, 3), (3, 3), *((3, 3, 3),) * 3)),
        VGGConfig(
            "vgg19", "E", "VGG19", ((3, 3), (3, 3), (3, 3, 3, 3), (3, 3, 3, 3), (3, 3, 3, 3))
        ),
    )
}
_ALIASES = {c.letter.lower(): c.key for c in CONFIGS.values()} | {
    "vgg16c": "vgg16-c",
    "vgg11lrn": "vgg11-lrn",
}


class HeadLayer(NamedTuple):
    """One fully connected layer of the classifier, with its names elsewhere."""

    name: str
    units: int | None  # None: as many as there are classes
    activation: str
    paper_name: str
    torch_name: str
    kernel: int  # its side when written as a convolution (fc_as_conv)


HEAD = (
    HeadLayer("fc1", FC_UNITS, "relu", "fc6", "classifier.0", 7),
    HeadLayer("fc2", FC_UNITS, "relu", "fc7", "classifier.3", 1),
    HeadLayer("predictions", None, "softmax", "fc8", "classifier.6", 1),
)


def resolve_arch(name: str) -> tuple[str, bool]:
    """Map a user's name (``vgg16``, ``VGG16_BN``, ``D``, ``A-LRN``) to (key, batch_norm)."""
    text = name.strip().lower().replace("_", "-")
    bn = text.endswith("-bn")
    if bn:
        text = text[: -len("-bn")]
    key = _ALIASES.get(text, text)
    if key not in CONFIGS:
        known = ", ".join(f"{c.key} ({c.letter})" for c in CONFIGS.values())
        raise InputError(
            Issue("vgg.unknown_arch", {"name": name[:40], "known": known}, field="arch")
        )
    return key, bn


def vgg_name(key: str, batch_norm: bool) -> str:
    """What the product calls a configuration: 'VGG16', 'VGG16-BN'."""
    return CONFIGS[key].title + ("-BN" if batch_norm else "")


def _check_options(cfg: VGGConfig, shape: tuple[int, int, int], classes: object) -> None:
    """Refuse an input the five pools cannot halve five times, or an impossible class count."""
    if min(shape[:2]) < MIN_SIDE:
        values = {"network": cfg.title, "side": MIN_SIDE, "height": shape[0], "width": shape[1]}
        raise InputError(Issue("vgg.input_too_small", values, field="input"))
    if isinstance(classes, bool) or not isinstance(classes, int) or not 1 <= classes <= MAX_WIDTH:
        values = {"max": MAX_WIDTH, "got": str(classes)[:40]}
        raise InputError(Issue("vgg.classes_range", values, field="classes"))


def _block_layers(cfg: VGGConfig, batch_norm: bool) -> list[Layer]:
    """The five conv blocks (Keras and paper names), each closed by a 2×2 max-pool."""
    layers: list[Layer] = []
    for b, (kernels, channels) in enumerate(zip(cfg.kernels, BLOCK_CHANNELS, strict=True), start=1):
        block = f"block{b}"
        for i, k in enumerate(kernels, start=1):
            conv = f"{block}_conv{i}"
            layers.append(
                Layer(
                    LayerType.CONV,
                    name=conv,
                    filters=channels,
                    kernel=(k, k),
                    padding="same",
                    activation=None if batch_norm else "relu",
                    block=block,
                    paper_name=f"conv{b}_{i}",
                )
            )
            if batch_norm:
                layers.append(Layer(LayerType.BATCHNORM, name=f"{conv}_bn", block=block))
                layers.append(
                    Layer(LayerType.ACTIVATION, name=f"{conv}_relu", fn="relu", block=block)
                )
            if cfg.lrn and b == 1 and i == 1:
                layers.append(
                    Layer(LayerType.LRN, name=f"{block}_lrn", block=block, paper_name="LRN")
                )
        layers.append(
            Layer(
                LayerType.MAXPOOL, name=f"{block}_pool", pool=(2, 2), block=block,
                paper_name=f"pool{b}",
            )
        )  # fmt: skip
    return layers


def _with_torch_names(layers: list[Layer]) -> list[Layer]:
    """Name the block layers as torchvision's ``features`` Sequential indexes them.

    torchvision has a separate ReLU module after each conv (Keras fuses it into the conv
    unless batch norm comes between) and no LRN.
    """
    named: list[Layer] = []
    index = 0
    for layer in layers:
        if layer.type is LayerType.LRN:
            named.append(layer)
            continue
        named.append(replace(layer, torch_name=f"features.{index}"))
        index += 2 if layer.type.is_conv and layer.activation == "relu" else 1
    return named


def _head_layers(classes: int, fc_as_conv: bool) -> list[Layer]:
    """The classifier: flatten and three dense layers, or three convs (FC as conv)."""
    layers = [] if fc_as_conv else [Layer(LayerType.FLATTEN, name="flatten", block="head")]
    for fc in HEAD:
        units = classes if fc.units is None else fc.units
        shape = (
            {"filters": units, "kernel": (fc.kernel, fc.kernel)} if fc_as_conv else {"units": units}
        )
        layers.append(
            Layer(
                LayerType.CONV if fc_as_conv else LayerType.DENSE,
                name=fc.name,
                activation=fc.activation,
                block="head",
                paper_name=fc.paper_name,
                torch_name=fc.torch_name,
                **shape,
            )
        )
    return layers


def vgg_spec(
    arch: str,
    input_shape: tuple[int, int, int] = (224, 224, 3),
    *,
    include_top: bool = True,
    classes: int = 1000,
    batch_norm: bool = False,
    fc_as_conv: bool = False,
) -> NetworkSpec:
    """The layer list of a VGG configuration with the given options."""
    key, named_bn = resolve_arch(arch)
    cfg = CONFIGS[key]
    batch_norm = batch_norm or named_bn
    shape = check_input_shape(list(input_shape))
    assert shape is not None
    _check_options(cfg, shape, classes)
    layers = _with_torch_names(_block_layers(cfg, batch_norm))
    if include_top:
        layers += _head_layers(classes, fc_as_conv)
    return NetworkSpec(
        name=vgg_name(key, batch_norm),
        input_shape=shape,
        layers=tuple(layers),
        family="vgg",
        arch=key,
        batch_norm=batch_norm,
    )
