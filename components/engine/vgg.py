"""The six VGG configurations of Simonyan & Zisserman (2014), Table 1, as data.

Like torchvision's ``cfgs``: one table, one builder. Each configuration lists,
per block, the kernel size of each conv; every block ends in a 2×2 max-pool.
Layer names follow ``keras.applications.vgg16`` (``block1_conv1`` …
``predictions``) and each layer also carries its torchvision and paper name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from components.engine.errors import Issue, SpecError
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


def resolve_arch(name: str) -> tuple[str, bool]:
    """Map a user's name (``vgg16``, ``VGG16_BN``, ``D``, ``A-LRN``) to (key, batch_norm)."""
    text = name.strip().lower().replace("_", "-")
    bn = text.endswith("-bn")
    if bn:
        text = text[: -len("-bn")]
    key = _ALIASES.get(text, text)
    if key not in CONFIGS:
        raise SpecError(
            Issue(
                f"unknown architecture {name[:40]!r}.",
                "Known: "
                + ", ".join(f"{c.key} ({c.letter})" for c in CONFIGS.values())
                + "; add _bn for batch norm.",
                field="arch",
            )
        )
    return key, bn


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
    if min(shape[:2]) < MIN_SIDE:
        raise SpecError(
            Issue(
                f"{cfg.title} needs an input of at least {MIN_SIDE}×{MIN_SIDE}, "
                f"got {shape[0]}×{shape[1]}.",
                f"Its five 2×2 max-pools halve the size five times; use {MIN_SIDE} or more.",
                field="input",
            )
        )
    if isinstance(classes, bool) or not isinstance(classes, int) or not 1 <= classes <= MAX_WIDTH:
        raise SpecError(
            Issue(
                f"the number of classes must be a whole number from 1 to {MAX_WIDTH:,}, "
                f"got {classes!r}.",
                field="classes",
            )
        )
    layers: list[Layer] = []
    torch_index = 0

    def add(layer: Layer, torch_step: bool = True) -> None:
        nonlocal torch_index
        name = f"features.{torch_index}" if torch_step else None
        layers.append(replace(layer, torch_name=name))
        torch_index += torch_step

    for b, (kernels, channels) in enumerate(zip(cfg.kernels, BLOCK_CHANNELS, strict=True), start=1):
        block = f"block{b}"
        for i, k in enumerate(kernels, start=1):
            conv = f"{block}_conv{i}"
            paper = f"conv{b}_{i}"
            add(
                Layer(
                    LayerType.CONV,
                    name=conv,
                    filters=channels,
                    kernel=(k, k),
                    padding="same",
                    activation=None if batch_norm else "relu",
                    block=block,
                    paper_name=paper,
                )
            )
            if batch_norm:
                add(Layer(LayerType.BATCHNORM, name=f"{conv}_bn", block=block))
                add(Layer(LayerType.ACTIVATION, name=f"{conv}_relu", fn="relu", block=block))
            else:
                torch_index += 1  # torchvision's separate ReLU module
            if cfg.lrn and b == 1 and i == 1:
                add(Layer(LayerType.LRN, name=f"{block}_lrn", block=block, paper_name="LRN"), False)
        add(
            Layer(
                LayerType.MAXPOOL,
                name=f"{block}_pool",
                pool=(2, 2),
                block=block,
                paper_name=f"pool{b}",
            )
        )
    if include_top:
        if not fc_as_conv:
            layers.append(Layer(LayerType.FLATTEN, name="flatten", block="head"))
        head = (
            ("fc1", FC_UNITS, "relu", "fc6", "classifier.0", 7),
            ("fc2", FC_UNITS, "relu", "fc7", "classifier.3", 1),
            ("predictions", classes, "softmax", "fc8", "classifier.6", 1),
        )
        for name, units, act, paper, torch_name, k in head:
            kind = {"filters": units, "kernel": (k, k)} if fc_as_conv else {"units": units}
            layers.append(
                Layer(
                    LayerType.CONV if fc_as_conv else LayerType.DENSE,
                    name=name,
                    activation=act,
                    block="head",
                    paper_name=paper,
                    torch_name=torch_name,
                    **kind,
                )
            )
    title = cfg.title + ("-BN" if batch_norm else "")
    return NetworkSpec(name=title, input_shape=shape, layers=tuple(layers), family="vgg")
