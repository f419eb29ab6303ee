"""Per-layer analysis: shapes, parameters, MACs, receptive field and worked formulas.

Pure Python and instant: the same numbers Keras would give, without building
anything. Shapes follow Keras rules (channels last; 'valid' floors, 'same'
takes the ceiling and pads asymmetrically, extra pixel at the bottom/right).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from components.engine.errors import InputError, Issue, Term
from components.engine.formatting import count_text, pair_text
from components.engine.spec import MAX_COUNT, Layer, LayerType, NetworkSpec

BYTES_PER_VALUE = 4  # float32

Shape = tuple[int, ...]


class FormulaLabel(StrEnum):
    """What a formula computes; the UI names it in the page language (``formula.<label>``)."""

    OUTPUT_SIZE = "output_size"
    OUTPUT_HEIGHT = "output_height"
    OUTPUT_WIDTH = "output_width"
    PARAMS = "params"
    MACS = "macs"
    RECEPTIVE_FIELD = "receptive_field"
    EFFECTIVE_STRIDE = "effective_stride"


@dataclass(frozen=True)
class Formula:
    """A formula in symbols and with the layer's own numbers filled in (maths only).

    ``notes`` are what the symbols alone do not say ('same' padding split, no bias,
    which batch-norm values train), as info :class:`Issue` records the UI translates.
    """

    label: FormulaLabel
    symbolic: str
    worked: str
    notes: tuple[Issue, ...] = ()

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
    warnings: tuple[Issue, ...]  # severity 'warning', this layer's index and name

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
        return sum(info.layer.type.has_weights for info in self.layers)

    @property
    def output_shape(self) -> Shape:
        return self.layers[-1].output_shape

    @property
    def last_conv(self) -> LayerInfo | None:
        convs = [i for i in self.layers if i.layer.type.is_conv and i.receptive_field]
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
        return [warning for info in self.layers for warning in info.warnings]

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


def _size_formula(
    label: FormulaLabel, size: int, k: int, s: int, pad: tuple[int, int], out: int
) -> Formula:
    sym = "H" if label is FormulaLabel.OUTPUT_HEIGHT else "W"
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
    note = Issue("formula.same_padding", {"before": before, "after": after}, severity="info")
    return Formula(label, f"O = ⌈{sym}/S⌉", f"⌈{size}/{s}⌉ = {out}", (note,))


def _conv_formulas(
    layer: Layer, cin: int, out: tuple[int, int, int]
) -> tuple[int, int, list[Formula]]:
    """Parameters and MACs of a conv layer, with their formulas."""
    k = layer.window
    assert k is not None
    oh, ow, cout = out
    kk = f"{k[0]}·{k[1]}"
    if layer.use_bias:
        params = (k[0] * k[1] * cin + 1) * cout
        formula = Formula(
            FormulaLabel.PARAMS,
            "(K·K·Cin + 1)·Cout",
            f"({kk}·{cin} + 1)·{cout} = {count_text(params)}",
        )
    else:
        params = k[0] * k[1] * cin * cout
        formula = Formula(
            FormulaLabel.PARAMS,
            "K·K·Cin·Cout",
            f"{kk}·{cin}·{cout} = {count_text(params)}",
            (Issue("formula.no_bias", severity="info"),),
        )
    macs = oh * ow * cout * k[0] * k[1] * cin
    worked = f"{oh}·{ow}·{cout}·{kk}·{cin} = {count_text(macs)}"
    return params, macs, [formula, Formula(FormulaLabel.MACS, "Oh·Ow·Cout·K·K·Cin", worked)]


def _dense_formulas(layer: Layer, shape_in: Shape) -> tuple[int, int, list[Formula]]:
    """Parameters and MACs of a dense layer (applied per position on a non-flat input)."""
    assert layer.units is not None
    n_in, units = shape_in[-1], layer.units
    positions = math.prod(shape_in[:-1])
    params = (n_in + int(layer.use_bias)) * units
    bias = " + 1" if layer.use_bias else ""
    formulas = [
        Formula(
            FormulaLabel.PARAMS,
            f"(N_in{bias})·N_out",
            f"({count_text(n_in)}{bias})·{count_text(units)} = {count_text(params)}",
        )
    ]
    macs = positions * n_in * units
    if positions > 1:
        worked = f"{count_text(positions)}·{count_text(n_in)}·{count_text(units)}"
        formulas.append(
            Formula(FormulaLabel.MACS, "positions·N_in·N_out", f"{worked} = {count_text(macs)}")
        )
    else:
        worked = f"{count_text(n_in)}·{count_text(units)} = {count_text(macs)}"
        formulas.append(Formula(FormulaLabel.MACS, "N_in·N_out", worked))
    return params, macs, formulas


def _batchnorm_formula(c: int) -> tuple[int, int, Formula]:
    """Batch norm's 4·C values, of which γ and β (2·C) train."""
    params, trainable = 4 * c, 2 * c
    note = Issue(
        "formula.bn_trainable",
        {"trainable": trainable, "non_trainable": params - trainable},
        severity="info",
    )
    return (
        params,
        trainable,
        Formula(FormulaLabel.PARAMS, "4·C", f"4·{c} = {count_text(params)}", (note,)),
    )


class _Walker:
    """Walks the layers, carrying the shape and receptive field forward."""

    def __init__(self, spec: NetworkSpec) -> None:
        self.spec = spec
        self.shape: Shape = spec.input_shape
        self.rf: ReceptiveField | None = ReceptiveField((1, 1), (1, 1), (0.0, 0.0))

    def fail(self, index: int, layer: Layer, code: str, **values: object) -> InputError:
        return InputError(Issue(f"analysis.{code}", values, layer=index, layer_name=layer.name))

    def warn(self, index: int, layer: Layer, code: str, **values: object) -> Issue:
        code = f"analysis.{code}"
        return Issue(code, values, layer=index, layer_name=layer.name, severity="warning")

    def image_shape(self, index: int, layer: Layer, code: str) -> tuple[int, int, int]:
        """The current shape, which must be an image (H, W, C) for this layer."""
        if len(self.shape) != 3:
            raise self.fail(index, layer, code, layer_class=layer.keras_class, shape=self.shape)
        h, w, c = self.shape
        return h, w, c

    def window(self, index: int, layer: Layer) -> LayerInfo:
        """A conv or pooling layer: output size, parameters/MACs, receptive field."""
        h, w, cin = self.image_shape(index, layer, "needs_image")
        k, s = layer.window, layer.strides
        assert k is not None and s is not None
        oh, top, bottom = _window_output(h, k[0], s[0], layer.padding)
        ow, left, right = _window_output(w, k[1], s[1], layer.padding)
        if oh < 1 or ow < 1:
            what = Term("window_kernel" if layer.type.is_conv else "window_pool")
            raise self.fail(index, layer, "window_too_large", what=what, window=k, size=(h, w))
        cout = layer.filters if layer.type.is_conv else cin
        assert cout is not None
        formulas = self.size_formulas((h, w), k, s, (top, bottom, left, right), (oh, ow))
        params = macs = 0
        if layer.type.is_conv:
            params, macs, counted = _conv_formulas(layer, cin, (oh, ow, cout))
            formulas += counted
        formulas += self.receptive_field(k, s, (top, left))
        self.shape = (oh, ow, cout)
        return LayerInfo(
            index=index,
            layer=layer,
            input_shape=(h, w, cin),
            output_shape=self.shape,
            params=params,
            trainable_params=params,
            macs=macs,
            receptive_field=self.rf,
            padding=(top, bottom, left, right),
            formulas=tuple(formulas),
            warnings=self.floor_warnings(index, layer, (h, w), (oh, ow)),
        )

    def floor_warnings(
        self, index: int, layer: Layer, size: tuple[int, int], out: tuple[int, int]
    ) -> tuple[Issue, ...]:
        """'valid' windows that do not fit a whole number of times leave pixels unseen."""
        k, s = layer.window, layer.strides
        assert k is not None and s is not None
        warnings = []
        for axis, n, kk, ss, o in zip(("height", "width"), size, k, s, out, strict=True):
            if layer.padding == "valid" and (n - kk) % ss:
                lost = (n - kk) % ss
                warnings.append(
                    self.warn(
                        index,
                        layer,
                        "floored",
                        axis=Term(axis),
                        size=n,
                        k=kk,
                        s=ss,
                        out=o,
                        lost=lost,
                    )
                )
        return tuple(warnings)

    @staticmethod
    def size_formulas(
        size: tuple[int, int],
        k: tuple[int, int],
        s: tuple[int, int],
        pad: tuple[int, int, int, int],
        out: tuple[int, int],
    ) -> list[Formula]:
        """One output-size formula, or one per axis when the axes differ."""
        (h, w), (top, bottom, left, right) = size, pad
        if (h, k[0], s[0], top, bottom) == (w, k[1], s[1], left, right):
            return [_size_formula(FormulaLabel.OUTPUT_SIZE, h, k[0], s[0], (top, bottom), out[0])]
        return [
            _size_formula(FormulaLabel.OUTPUT_HEIGHT, h, k[0], s[0], (top, bottom), out[0]),
            _size_formula(FormulaLabel.OUTPUT_WIDTH, w, k[1], s[1], (left, right), out[1]),
        ]

    def receptive_field(
        self, k: tuple[int, int], s: tuple[int, int], pad: tuple[int, int]
    ) -> list[Formula]:
        """Grow the receptive field through one window (none once the image is flattened)."""
        rf = self.rf
        if rf is None:
            return []
        size = (rf.size[0] + (k[0] - 1) * rf.stride[0], rf.size[1] + (k[1] - 1) * rf.stride[1])
        jump = (rf.stride[0] * s[0], rf.stride[1] * s[1])
        start = (
            rf.start[0] + ((k[0] - 1) / 2 - pad[0]) * rf.stride[0],
            rf.start[1] + ((k[1] - 1) / 2 - pad[1]) * rf.stride[1],
        )
        self.rf = ReceptiveField(size, jump, start)
        grown = f"{pair_text(rf.size)} + ({pair_text(k)} − 1)·{pair_text(rf.stride)}"
        return [
            Formula(
                FormulaLabel.RECEPTIVE_FIELD,
                "r = r_in + (K − 1)·j_in",
                f"{grown} = {pair_text(size)}",
            ),
            Formula(
                FormulaLabel.EFFECTIVE_STRIDE,
                "j = j_in·S",
                f"{pair_text(rf.stride)}·{pair_text(s)} = {pair_text(jump)}",
            ),
        ]

    def flatten(self, index: int, layer: Layer) -> list[Formula]:
        """Flatten or global pooling: the image becomes a vector (no receptive field after)."""
        shape_in = self.shape
        self.rf = None
        if layer.type is LayerType.FLATTEN:
            n = math.prod(shape_in)
            self.shape = (n,)
            if len(shape_in) != 3:
                return []
            h, w, c = shape_in
            return [
                Formula(FormulaLabel.OUTPUT_SIZE, "N = H·W·C", f"{h}·{w}·{c} = {count_text(n)}")
            ]
        h, w, c = self.image_shape(index, layer, "global_pool_needs_image")
        self.shape = (c,)
        return [Formula(FormulaLabel.OUTPUT_SIZE, "(H, W, C) → C", f"{(h, w, c)} → {c}")]

    def other(self, index: int, layer: Layer) -> LayerInfo:
        """Every layer without a sliding window (one concern per layer family)."""
        shape_in = self.shape
        formulas: list[Formula] = []
        warnings: list[Issue] = []
        params = trainable = macs = 0
        kind = layer.type
        if kind.flattens:
            formulas = self.flatten(index, layer)
        elif kind is LayerType.DENSE:
            params, macs, formulas = _dense_formulas(layer, shape_in)
            trainable = params
            positions = math.prod(shape_in[:-1])
            if positions > 1:
                warnings.append(
                    self.warn(
                        index,
                        layer,
                        "dense_on_image",
                        dims=len(shape_in),
                        shape=shape_in,
                        positions=positions,
                    )
                )
            assert layer.units is not None
            self.shape = (*shape_in[:-1], layer.units)
        elif kind is LayerType.BATCHNORM:
            params, trainable, formula = _batchnorm_formula(shape_in[-1])
            formulas = [formula]
        elif kind is LayerType.LRN:
            self.image_shape(index, layer, "lrn_needs_image")
        return LayerInfo(
            index=index,
            layer=layer,
            input_shape=shape_in,
            output_shape=self.shape,
            params=params,
            trainable_params=trainable,
            macs=macs,
            receptive_field=self.rf,
            padding=None,
            formulas=tuple(formulas),
            warnings=tuple(warnings),
        )


def analyze(spec: NetworkSpec) -> Analysis:
    """Analyse every layer; raises InputError naming the first layer that cannot work."""
    walker = _Walker(spec)
    infos = [
        walker.window(index, layer) if layer.type.is_window else walker.other(index, layer)
        for index, layer in enumerate(spec.layers)
    ]
    analysis = Analysis(spec, tuple(infos))
    _check_totals(analysis)
    return analysis


def _check_totals(analysis: Analysis) -> None:
    """Refuse totals past exact float and JavaScript integers (tables and charts would break)."""
    totals = {
        "parameters": analysis.total_params,
        "macs": analysis.total_macs,
        "activation_bytes": analysis.activation_bytes,
    }
    for what, value in totals.items():
        if value > MAX_COUNT:
            values = {"what": Term(what), "value": float(value), "limit": float(MAX_COUNT)}
            raise InputError(Issue("analysis.total_too_large", values))
