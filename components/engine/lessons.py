"""The numbers behind the Learn page's lessons, computed from the engine (never typed in).

Each function answers one lesson's question for the values a student picks:
where a kernel lands on a small grid, what 'same' and 'valid' give, what a stack
of 3×3 convs sees and costs, how the VGG configurations share one block recipe,
which layers "conv3/conv4/conv5" are, and where VGG16 keeps its parameters and
compute. Shapes and parameter counts come from :func:`analyze`, so the lessons
agree with the architecture page and with Keras.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.engine.analysis import Analysis, LayerInfo, analyze
from components.engine.formatting import count_text
from components.engine.spec import Layer, LayerType, NetworkSpec
from components.engine.vgg import BLOCK_CHANNELS, CONFIGS, vgg_spec

LESSON_ARCHS = ("vgg11", "vgg13", "vgg16", "vgg19")  # the four depths of the block recipe
FEATURE_BLOCKS = (3, 4, 5)


# ---------------------------------------------------------------- 1. output size


@dataclass(frozen=True)
class Slide:
    """A K×K kernel sliding with stride S over a W×W input padded by P on each side."""

    size: int
    kernel: int
    padding: int
    stride: int

    @property
    def padded(self) -> int:
        return self.size + 2 * self.padding

    @property
    def output(self) -> int:
        """O = ⌊(W − K + 2P)/S⌋ + 1 (0 when the kernel does not fit)."""
        span = self.padded - self.kernel
        return span // self.stride + 1 if span >= 0 else 0

    @property
    def starts(self) -> list[int]:
        """First row (or column) of each kernel position, in padded coordinates."""
        return [i * self.stride for i in range(self.output)]

    @property
    def leftover(self) -> int:
        """Padded pixels past the last position: (W − K + 2P) mod S, never seen."""
        return (self.padded - self.kernel) % self.stride if self.output else 0

    @property
    def tiles(self) -> bool:
        return self.output > 0 and self.leftover == 0

    def positions(self) -> list[tuple[int, int]]:
        """Every (row, col) top-left corner the kernel visits, row by row."""
        return [(r, c) for r in self.starts for c in self.starts]

    def worked(self) -> str:
        floor_l, floor_r = ("", "") if self.tiles else ("⌊", "⌋")
        return (
            f"{floor_l}({self.size} − {self.kernel} + 2·{self.padding})/{self.stride}{floor_r}"
            f" + 1 = {self.output}"
        )


SIZE_FORMULA = "O = ⌊(W − K + 2P)/S⌋ + 1"


@dataclass(frozen=True)
class PaddingCase:
    padding: str
    output: int
    pad_before: int
    pad_after: int


def padding_cases(size: int, kernel: int, stride: int) -> list[PaddingCase]:
    """What Keras gives for 'valid' and 'same' on a size×size×1 input (the engine's rules)."""
    out = []
    for padding in ("valid", "same"):
        info = one_conv(size, kernel, stride, padding)
        top, bottom = info.padding[:2] if info and info.padding else (0, 0)
        out.append(PaddingCase(padding, info.output_shape[0] if info else 0, top, bottom))
    return out


def one_conv(size: int, kernel: int, stride: int, padding: str) -> LayerInfo | None:
    """The analysed single conv, or None when the kernel is larger than the input."""
    if padding == "valid" and kernel > size:
        return None
    layer = Layer(
        LayerType.CONV,
        name="conv",
        filters=1,
        kernel=(kernel, kernel),
        stride=(stride, stride),
        padding=padding,
    )
    return analyze(NetworkSpec("lesson", (size, size, 1), (layer,))).layers[0]


# ---------------------------------------------------------------- 2. parameters


@dataclass(frozen=True)
class ParamExample:
    network: str
    layer: LayerInfo


def param_examples(seed: Analysis) -> list[ParamExample]:
    """The seed question's first conv and its big dense layer, then VGG16's first conv."""
    first_conv = next(i for i in seed.layers if i.layer.type.is_conv)
    biggest_dense = max(
        (i for i in seed.layers if i.layer.type is LayerType.DENSE), key=lambda i: i.params
    )
    vgg16 = analyze(vgg_spec("vgg16"))
    return [
        ParamExample(seed.spec.name, first_conv),
        ParamExample(seed.spec.name, biggest_dense),
        ParamExample(vgg16.spec.name, vgg16.layer("block1_conv1")),
    ]


PARAMS_FORMULA = "(K·K·Cin + 1)·Cout"


def conv_params_worked(kernel: int, cin: int, cout: int) -> str:
    """The parameter formula with these numbers filled in, as the engine writes formulas."""
    n = conv_params(kernel, cin, cout)
    return f"{PARAMS_FORMULA} = ({kernel}·{kernel}·{cin} + 1)·{cout} = {count_text(n)}"


def conv_params(kernel: int, cin: int, cout: int, bias: bool = True) -> int:
    """(K·K·Cin + 1)·Cout, through the engine's analysis of one such conv."""
    layer = Layer(LayerType.CONV, name="conv", filters=cout, kernel=(kernel, kernel), use_bias=bias)
    # The engine caps input channels at 4 (images); the weight count is linear in Cin.
    per_channel = analyze(NetworkSpec("lesson", (kernel, kernel, 1), (layer,))).layers[0].params
    bias_part = cout if bias else 0
    return (per_channel - bias_part) * cin + bias_part


# ---------------------------------------------------------------- 3. stacks of 3×3


@dataclass(frozen=True)
class StackRow:
    """n stacked 3×3 convs (C → C channels, no bias) against the one conv that sees as far."""

    convs: int
    receptive_field: int
    stack_weights: int  # in units of C²: 9·n
    single_weights: int  # (2n + 1)² for the one big kernel
    relus: int

    @property
    def saving(self) -> float:
        return 1 - self.stack_weights / self.single_weights


def stack_rows(max_convs: int = 3, channels: int = 1) -> list[StackRow]:
    """Receptive field (engine) and weights, as multiples of C² when channels=1."""
    rows = []
    for n in range(1, max_convs + 1):
        layers = tuple(
            Layer(LayerType.CONV, name=f"conv{i}", filters=1, kernel=(3, 3), use_bias=False)
            for i in range(n)
        )
        side = 2 * n + 1
        stack = analyze(NetworkSpec("stack", (side, side, 1), layers))
        rf = stack.layers[-1].receptive_field
        assert rf is not None
        big = analyze(
            NetworkSpec(
                "single",
                (side, side, 1),
                (Layer(LayerType.CONV, name="big", filters=1, kernel=rf.size, use_bias=False),),
            )
        )
        c2 = channels * channels
        rows.append(StackRow(n, rf.size[0], stack.total_params * c2, big.total_params * c2, n))
    return rows


def receptive_fields(analysis: Analysis) -> list[tuple[str, int]]:
    """(layer, receptive field side) for every layer that still sees a window of the input."""
    return [
        (info.name, info.receptive_field.size[0])
        for info in analysis.layers
        if info.receptive_field is not None and info.layer.type is not LayerType.ACTIVATION
    ]


# ---------------------------------------------------------------- 4. the VGG block


@dataclass(frozen=True)
class BlockRow:
    block: int
    channels: int
    convs: dict[str, int]  # arch → number of convs in this block
    size_in: int
    size_out: int  # after the block's 2×2 pool


def block_recipe(input_side: int = 224) -> list[BlockRow]:
    """vgg_block(num_convs, channels) per block for VGG11/13/16/19, with the pool halving."""
    analysis = analyze(vgg_spec("vgg16", (input_side, input_side, 3), include_top=False))
    pools = [i for i in analysis.layers if i.layer.type is LayerType.MAXPOOL]
    rows = []
    for b, (channels, pool) in enumerate(zip(BLOCK_CHANNELS, pools, strict=True), start=1):
        convs = {arch: len(CONFIGS[arch].kernels[b - 1]) for arch in LESSON_ARCHS}
        rows.append(BlockRow(b, channels, convs, pool.input_shape[0], pool.output_shape[0]))
    return rows


def block_code(arch: str) -> str:
    """d2l's recipe for ``arch``, as code."""
    return f"def vgg_block(num_convs, channels): ...\n\nconv_arch = {conv_arch(arch)}"


def conv_arch(arch: str) -> tuple[tuple[int, int], ...]:
    """d2l's ``conv_arch``: ((num_convs, channels), …) per block."""
    return tuple(
        (len(kernels), channels)
        for kernels, channels in zip(CONFIGS[arch].kernels, BLOCK_CHANNELS, strict=True)
    )


@dataclass(frozen=True)
class ArchTotals:
    arch: str
    title: str
    weight_layers: int
    params: int
    macs: int


def arch_totals() -> list[ArchTotals]:
    out = []
    for arch in LESSON_ARCHS:
        analysis = analyze(vgg_spec(arch))
        out.append(
            ArchTotals(
                arch, analysis.spec.name, analysis.depth, analysis.total_params, analysis.total_macs
            )
        )
    return out


# ---------------------------------------------------------------- 5. conv3/4/5 features


@dataclass(frozen=True)
class FeatureLayer:
    """The last conv of a block: what papers call convN (convN_3 in VGG16)."""

    paper: str  # e.g. conv3
    paper_layer: str  # conv3_3
    keras: str  # block3_conv3 (Keras' conv includes its ReLU)
    torch_conv: str  # features.14
    torch_relu: str  # features.15: the output papers use
    keras_pool: str
    torch_pool: str
    output_shape: tuple[int, ...]
    params_up_to: int


def feature_layers(arch: str = "vgg16", input_side: int = 224) -> list[FeatureLayer]:
    """conv3/conv4/conv5 of a VGG (no batch norm): names in the paper, Keras and torchvision."""
    return block_features(analyze(vgg_spec(arch, (input_side, input_side, 3), include_top=False)))


def block_features(
    analysis: Analysis, blocks: tuple[int, ...] = FEATURE_BLOCKS
) -> list[FeatureLayer]:
    """The last conv of each of ``blocks`` in a VGG analysis (± batch norm, head or not).

    torchvision ends every block with ``…, ReLU, MaxPool``, so the ReLU whose output
    papers use is the module just before the block's pool.
    """
    totals = []
    cumulative = 0
    for info in analysis.layers:
        cumulative += info.params
        totals.append(cumulative)
    out = []
    for b in blocks:
        block = f"block{b}"
        convs = [i for i in analysis.layers if i.layer.block == block and i.layer.type.is_conv]
        pool = analysis.layer(f"{block}_pool")
        last = convs[-1]
        assert last.layer.torch_name and pool.layer.torch_name and last.layer.paper_name
        relu_index = int(pool.layer.torch_name.split(".")[1]) - 1
        out.append(
            FeatureLayer(
                paper=f"conv{b}",
                paper_layer=last.layer.paper_name,
                keras=last.name,
                torch_conv=last.layer.torch_name,
                torch_relu=f"features.{relu_index}",
                keras_pool=pool.name,
                torch_pool=pool.layer.torch_name,
                output_shape=last.output_shape,
                params_up_to=totals[last.index],
            )
        )
    return out


def keras_feature_code(
    layers: list[FeatureLayer], input_side: int = 224, application: str = "VGG16"
) -> str:
    """Keras code taking those layers' outputs from ``keras.applications.<application>``."""
    names = ", ".join(f'"{f.keras}"' for f in layers)
    return (
        "import keras\n\n"
        f"base = keras.applications.{application}(include_top=False, input_shape=({input_side}, "
        f"{input_side}, 3))\n"
        f"names = [{names}]\n"
        "features = keras.Model(base.input, [base.get_layer(n).output for n in names])\n"
    )


def torch_feature_code(layers: list[FeatureLayer], arch: str = "vgg16") -> str:
    """torchvision code returning those ReLU outputs (``arch`` as torchvision names it)."""
    nodes = "".join(
        f'    "{f.torch_relu}": "{f.paper}",  # ReLU after {f.torch_conv}\n' for f in layers
    )
    return (
        "import torchvision\n"
        "from torchvision.models.feature_extraction import create_feature_extractor\n\n"
        f'vgg = torchvision.models.{arch}(weights="IMAGENET1K_V1")\n'
        f"nodes = {{\n{nodes}}}\n"
        "features = create_feature_extractor(vgg, return_nodes=nodes)\n"
    )


# ---------------------------------------------------------------- 6. parameters vs compute


@dataclass(frozen=True)
class BudgetRow:
    group: str  # "block1" … "block5", "head"
    kind: str  # "conv" or "fc"
    params: int
    macs: int


def budget(analysis: Analysis) -> list[BudgetRow]:
    """Parameters and MACs per block, the fully connected head as one group."""
    groups: dict[str, list[int]] = {}
    for info in analysis.layers:
        group = info.layer.block or "head"
        totals = groups.setdefault(group, [0, 0])
        totals[0] += info.params
        totals[1] += info.macs
    return [
        BudgetRow(group, "fc" if group == "head" else "conv", params, macs)
        for group, (params, macs) in groups.items()
    ]


def share(rows: list[BudgetRow], kind: str) -> tuple[float, float]:
    """Fraction of (parameters, MACs) in layers of ``kind``."""
    params = sum(r.params for r in rows)
    macs = sum(r.macs for r in rows)
    mine = [r for r in rows if r.kind == kind]
    return sum(r.params for r in mine) / params, sum(r.macs for r in mine) / macs
