"""Per-layer analysis: shapes, parameters, MACs, receptive field and worked formulas.

Pure Python and instant: the same numbers Keras would give, without building
anything. Shapes follow Keras rules (channels last; 'valid' floors, 'same'
takes the ceiling and pads asymmetrically, extra pixel at the bottom/right).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from components.engine.errors import Issue, SpecError
from components.engine.formatting import count_text, pair_text
from components.engine.spec import MAX_COUNT, Layer, NetworkSpec

BYTES_PER_VALUE = 4  # float32

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Formula:
    """A formula in symbols and with the layer's own numbers filled in."""

    label: str
    symbolic: str
    worked: str

    def __str__(self) -> str:
        return f"{self.symbolic} = {self.worked}"


@dataclass(frozen=True)
class ReceptiveField:
    """Input region one output position sees: size, effective stride (jump), first centre."""

    size: tuple[int, int]
    stride: tuple[int, int]
    start: tuple[float, float]

    def box(self, row: int, col: int, image: tuple[int, int]) -> tuple[int, int, int, int]:
        """(top, left, bottom, right) in input pixels of output position (row, col), clipped."""
        cy = self.start[0] + row * self.stride[0]
        cx = self.start[1] + col * self.stride[1]
        top = math.floor(cy - (self.size[0] - 1) / 2)
        left = math.floor(cx - (self.size[1] - 1) / 2)
        bottom, right = top + self.size[0], left + self.size[1]
        return max(top, 0), max(left, 0), min(bottom, image[0]), min(right, image[1])


@dataclass(frozen=True)
class LayerInfo:
    index: int
    layer: Layer
    input_shape: Shape
    output_shape: Shape
    params: int
    trainable_params: int
    macs: int
    receptive_field: ReceptiveField | None  # None: the layer sees the whole input
    padding: tuple[int, int, int, int] | None  # top, bottom, left, right (conv/pool)
    formulas: tuple[Formula, ...]
    warnings: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def keras_class(self) -> str:
        return self.layer.keras_class

    @property
    def non_trainable_params(self) -> int:
        return self.params - self.trainable_params

    @property
    def activation_size(self) -> int:
        return math.prod(self.output_shape)


@dataclass(frozen=True)
class Analysis:
    spec: NetworkSpec
    layers: tuple[LayerInfo, ...]

    @property
    def total_params(self) -> int:
        return sum(info.params for info in self.layers)

    @property
    def trainable_params(self) -> int:
        return sum(info.trainable_params for info in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    @property
    def total_macs(self) -> int:
        return sum(info.macs for info in self.layers)

    @property
    def weight_bytes(self) -> int:
        return self.total_params * BYTES_PER_VALUE

    @property
    def activation_bytes(self) -> int:
        """Input plus every layer's output for one image, float32."""
        values = math.prod(self.spec.input_shape)
        return (values + sum(i.activation_size for i in self.layers)) * BYTES_PER_VALUE

    @property
    def depth(self) -> int:
        """Weight layers (conv + dense), the way the VGG paper counts 11/13/16/19."""
        return sum(info.layer.type in ("conv2d", "dense") for info in self.layers)

    @property
    def output_shape(self) -> Shape:
        return self.layers[-1].output_shape

    @property
    def last_conv(self) -> LayerInfo | None:
        convs = [i for i in self.layers if i.layer.type == "conv2d" and i.receptive_field]
        return convs[-1] if convs else None

    @property
    def feature_end(self) -> LayerInfo | None:
        """The last conv or pooling layer: what the head sees.

        "The network's receptive field" everywhere in the app is this layer's (212 px
        for VGG16, block5_pool); the last conv's (196 px) is shown beside it on hover.
        """
        windows = [i for i in self.layers if i.layer.window is not None and i.receptive_field]
        return windows[-1] if windows else None

    @property
    def warnings(self) -> list[Issue]:
        return [
            Issue(w, layer=i.index, layer_name=i.name, severity="warning")
            for i in self.layers
            for w in i.warnings
        ]

    def layer(self, name: str) -> LayerInfo:
        for info in self.layers:
            if info.name == name:
                return info
        raise KeyError(name)


# ------------------------------------------------------------------ helpers


def _window_output(size: int, k: int, s: int, padding: str) -> tuple[int, int, int]:
    """Output size and (before, after) padding along one axis, Keras rules."""
    if padding == "same":
        out = -(-size // s)
        total = max((out - 1) * s + k - size, 0)
        return out, total // 2, total - total // 2
    return (size - k) // s + 1 if size >= k else 0, 0, 0


def _size_formula(axis: str, size: int, k: int, s: int, pad: tuple[int, int], out: int) -> Formula:
    label = f"Output {axis}" if axis else "Output size"
    sym = "W" if axis != "height" else "H"
    before, after = pad
    if before == after:
        p = before
        exact = (size - k + 2 * p) % s == 0
        floor_l, floor_r = ("", "") if exact else ("⌊", "⌋")
        return Formula(
            label,
            f"O = ⌊({sym} − K + 2P)/S⌋ + 1",
            f"{floor_l}({size} − {k} + 2·{p})/{s}{floor_r} + 1 = {out}",
        )
    return Formula(
        label,
        f"O = ⌈{sym}/S⌉ ('same', padding {before} before + {after} after)",
        f"⌈{size}/{s}⌉ = {out}",
    )


class _Walker:
    """Walks the layers, carrying the shape and receptive field forward."""

    def __init__(self, spec: NetworkSpec) -> None:
        self.spec = spec
        self.shape: Shape = spec.input_shape
        self.rf: ReceptiveField | None = ReceptiveField((1, 1), (1, 1), (0.0, 0.0))

    def fail(self, index: int, layer: Layer, message: str, hint: str) -> SpecError:
        return SpecError(Issue(message, hint, layer=index, layer_name=layer.name))

    def window(self, index: int, layer: Layer) -> LayerInfo:
        if len(self.shape) != 3:
            raise self.fail(
                index,
                layer,
                f"a {layer.keras_class} needs an image-shaped input (H, W, C), "
                f"but gets the flat vector {self.shape}.",
                "Move it before the Flatten / global pooling layer.",
            )
        h, w, cin = self.shape
        k, s = layer.window, layer.strides
        assert k is not None and s is not None
        oh, top, bottom = _window_output(h, k[0], s[0], layer.padding)
        ow, left, right = _window_output(w, k[1], s[1], layer.padding)
        what = "kernel" if layer.type == "conv2d" else "pool window"
        if oh < 1 or ow < 1:
            raise self.fail(
                index,
                layer,
                f"the {what} {k[0]}×{k[1]} is larger than its {h}×{w} input, "
                "so the output would have size 0.",
                f"Use padding 'same', a smaller {what}, a larger input, "
                "or fewer pooling layers before it.",
            )
        warnings = []
        for axis, size, kk, ss, o in (("height", h, k[0], s[0], oh), ("width", w, k[1], s[1], ow)):
            if layer.padding == "valid" and (size - kk) % ss:
                lost = (size - kk) % ss
                warnings.append(
                    f"The {axis} is floored: ({size} − {kk})/{ss} is not whole, so {o} "
                    f"positions fit and the last {lost} pixel(s) of the {axis} are never seen."
                )
        formulas: list[Formula] = []
        if (h, k[0], s[0], top, bottom) == (w, k[1], s[1], left, right):
            formulas.append(_size_formula("", h, k[0], s[0], (top, bottom), oh))
        else:
            formulas.append(_size_formula("height", h, k[0], s[0], (top, bottom), oh))
            formulas.append(_size_formula("width", w, k[1], s[1], (left, right), ow))
        cout = layer.filters if layer.type == "conv2d" else cin
        assert cout is not None
        params = macs = 0
        if layer.type == "conv2d":
            kk_text = f"{k[0]}·{k[1]}"
            if layer.use_bias:
                params = (k[0] * k[1] * cin + 1) * cout
                formulas.append(
                    Formula(
                        "Parameters",
                        "(K·K·Cin + 1)·Cout",
                        f"({kk_text}·{cin} + 1)·{cout} = {count_text(params)}",
                    )
                )
            else:
                params = k[0] * k[1] * cin * cout
                formulas.append(
                    Formula(
                        "Parameters",
                        "K·K·Cin·Cout (no bias)",
                        f"{kk_text}·{cin}·{cout} = {count_text(params)}",
                    )
                )
            macs = oh * ow * cout * k[0] * k[1] * cin
            formulas.append(
                Formula(
                    "MACs",
                    "Oh·Ow·Cout·K·K·Cin",
                    f"{oh}·{ow}·{cout}·{kk_text}·{cin} = {count_text(macs)}",
                )
            )
        rf = self.rf
        if rf is not None:
            grown = (rf.size[0] + (k[0] - 1) * rf.stride[0], rf.size[1] + (k[1] - 1) * rf.stride[1])
            jump = (rf.stride[0] * s[0], rf.stride[1] * s[1])
            start = (
                rf.start[0] + ((k[0] - 1) / 2 - top) * rf.stride[0],
                rf.start[1] + ((k[1] - 1) / 2 - left) * rf.stride[1],
            )
            formulas.append(
                Formula(
                    "Receptive field",
                    "r = r_in + (K − 1)·j_in",
                    f"{pair_text(rf.size)} + ({pair_text(k)} − 1)·{pair_text(rf.stride)}"
                    f" = {pair_text(grown)}",
                )
            )
            formulas.append(
                Formula(
                    "Effective stride",
                    "j = j_in·S",
                    f"{pair_text(rf.stride)}·{pair_text(s)} = {pair_text(jump)}",
                )
            )
            self.rf = ReceptiveField(grown, jump, start)
        self.shape = (oh, ow, cout)
        return LayerInfo(
            index,
            layer,
            (h, w, cin),
            self.shape,
            params,
            params,
            macs,
            self.rf,
            (top, bottom, left, right),
            tuple(formulas),
            tuple(warnings),
        )

    def other(self, index: int, layer: Layer) -> LayerInfo:
        shape_in = self.shape
        formulas: list[Formula] = []
        warnings: list[str] = []
        params = trainable = macs = 0
        kind = layer.type
        if kind in ("flatten", "globalavgpool2d", "globalmaxpool2d"):
            if kind == "flatten":
                n = math.prod(shape_in)
                if len(shape_in) == 3:
                    h, w, c = shape_in
                    formulas.append(
                        Formula("Output size", "N = H·W·C", f"{h}·{w}·{c} = {count_text(n)}")
                    )
                self.shape = (n,)
            else:
                if len(shape_in) != 3:
                    raise self.fail(
                        index,
                        layer,
                        f"global pooling needs an image-shaped input (H, W, C), "
                        f"but gets the flat vector {shape_in}.",
                        "Remove the Flatten layer before it.",
                    )
                formulas.append(
                    Formula("Output size", "(H, W, C) → C", f"{shape_in} → {shape_in[2]}")
                )
                self.shape = (shape_in[2],)
            self.rf = None
        elif kind == "dense":
            assert layer.units is not None
            n_in = shape_in[-1]
            positions = math.prod(shape_in[:-1])
            params = (n_in + int(layer.use_bias)) * layer.units
            trainable = params
            bias = " + 1" if layer.use_bias else ""
            formulas.append(
                Formula(
                    "Parameters",
                    f"(N_in{bias})·N_out",
                    f"({count_text(n_in)}{bias})·{count_text(layer.units)} = {count_text(params)}",
                )
            )
            macs = positions * n_in * layer.units
            if positions > 1:
                warnings.append(
                    f"This Dense layer gets a {len(shape_in)}-D input {shape_in}: Keras applies it "
                    f"to each of the {count_text(positions)} positions separately "
                    "(like a 1×1 conv). "
                    "Add a Flatten or global pooling layer before it if you meant a classifier."
                )
                formulas.append(
                    Formula(
                        "MACs",
                        "positions·N_in·N_out",
                        f"{count_text(positions)}·{count_text(n_in)}·{count_text(layer.units)}"
                        f" = {count_text(macs)}",
                    )
                )
            else:
                formulas.append(
                    Formula(
                        "MACs",
                        "N_in·N_out",
                        f"{count_text(n_in)}·{count_text(layer.units)} = {count_text(macs)}",
                    )
                )
            self.shape = (*shape_in[:-1], layer.units)
        elif kind == "batchnorm":
            c = shape_in[-1]
            params, trainable = 4 * c, 2 * c
            formulas.append(
                Formula(
                    "Parameters",
                    "4·C (γ, β trainable; moving mean, variance not)",
                    f"4·{c} = {count_text(params)} ({count_text(trainable)} trainable + "
                    f"{count_text(params - trainable)} non-trainable)",
                )
            )
        elif kind == "lrn" and len(shape_in) != 3:
            raise self.fail(
                index,
                layer,
                "local response normalisation needs an image-shaped input.",
                "Put it right after a convolution.",
            )
        return LayerInfo(
            index,
            layer,
            shape_in,
            self.shape,
            params,
            trainable,
            macs,
            self.rf,
            None,
            tuple(formulas),
            tuple(warnings),
        )


def analyze(spec: NetworkSpec) -> Analysis:
    """Analyse every layer; raises SpecError naming the first layer that cannot work."""
    walker = _Walker(spec)
    infos = []
    for index, layer in enumerate(spec.layers):
        if layer.type in ("conv2d", "maxpool2d", "avgpool2d"):
            infos.append(walker.window(index, layer))
        else:
            infos.append(walker.other(index, layer))
    analysis = Analysis(spec, tuple(infos))
    _check_totals(analysis)
    return analysis


def _check_totals(analysis: Analysis) -> None:
    """Refuse totals past exact float and JavaScript integers (tables and charts would break)."""
    totals = {
        "parameters": analysis.total_params,
        "multiply-accumulates": analysis.total_macs,
        "activation bytes": analysis.activation_bytes,
    }
    for what, value in totals.items():
        if value > MAX_COUNT:
            raise SpecError(
                Issue(
                    f"this network has {value:.3g} {what}, above the limit of {MAX_COUNT:.3g}.",
                    "Use a smaller input, fewer filters or smaller kernels.",
                )
            )
