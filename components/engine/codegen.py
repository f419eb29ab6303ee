"""Python source that builds a spec's network in Keras or PyTorch, for students to run.

Pure Python, no TensorFlow or torch: the code is text made from the spec and the
engine's analysis, so in-channels, 'same' padding and the totals in its header
are the engine's numbers. Every name goes through :func:`_literal`, so even a
spec built without validation cannot put code into the output.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from components.engine.analysis import Analysis, LayerInfo, analyze
from components.engine.formatting import count_text
from components.engine.spec import Layer, LayerType, NetworkSpec

Value = int | float | bool | str | tuple | None


class Source(str):
    """Text emitted as Python source as it is (e.g. ``float("-inf")``), not as a string."""


def _literal(text: str) -> str:
    """A Python string literal for any text, double-quoted where possible (as Keras' docs)."""
    body = repr(text)  # escapes quotes, newlines and every other non-printable character
    return f'"{body[1:-1]}"' if body[0] == "'" and '"' not in text else body


def _value(value: Value) -> str:
    if isinstance(value, Source):
        return str(value)
    if isinstance(value, str):
        return _literal(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    return repr(value)


def _size(pair: tuple[int, int]) -> int | tuple[int, int]:
    """One number for a square window, as people write it; (h, w) otherwise."""
    return pair[0] if pair[0] == pair[1] else pair


@dataclass(frozen=True)
class Call:
    """One constructor call of the generated code: ``func(*args, **kwargs)``."""

    func: str
    args: tuple[Value, ...] = ()
    kwargs: tuple[tuple[str, Value], ...] = ()

    def __str__(self) -> str:
        parts = [_value(a) for a in self.args] + [f"{k}={_value(v)}" for k, v in self.kwargs]
        return f"{self.func}({', '.join(parts)})"


# The generated code's comments, in English; the UI passes the page language's templates.
COMMENTS: dict[str, str] = {
    "header": "{name} in {framework}, written by VGG Explorer from its network spec: "
    "input {h}×{w}×{c}, {layers} layers, {total} by VGG Explorer's count.",
    "total": "{params} parameters",
    "total_trainable": "{params} parameters ({trainable} trainable)",
    "keras_summary": "model.summary() prints the same shapes and counts.",
    "dense_pixels": "Keras applies this Dense to each of the {h}×{w} pixels: a 1×1 convolution.",
    "avgpool_same": "Keras averages over the real pixels only; here the padded zeros count "
    "at the border.",
    "flatten_order": "PyTorch flattens channels first (C, H, W), Keras (H, W, C): the same "
    "number of features, in another order.",
    "lrn_alpha": "PyTorch divides alpha by the size: 5e-4 / 5 = the paper's and Keras' 1e-4.",
    "same_padding": "Keras' 'same' padding: {top} top, {bottom} bottom, {left} left, "
    "{right} right.",
    "global_flatten": "(N, C, 1, 1) → (N, C), as Keras.",
    "channels_first": "PyTorch is channels first: feed it batches shaped (N, {c}, {h}, {w}).",
    "bn_buffers": "Batch norm's moving mean and variance ({n} values) are buffers in PyTorch, "
    "not parameters.",
    "keras_name": "Keras name {name}. {note}",
}
Note = tuple[str, dict[str, object]]  # a COMMENTS key and its values


def _say(note: Note | None, comments: Mapping[str, str]) -> str:
    if note is None:
        return ""
    key, values = note
    return comments.get(key, COMMENTS[key]).format(**values).strip()


def _comment(text: str, indent: str = "") -> list[str]:
    """Comment lines that keep within 100 characters."""
    prefix = f"{indent}# "
    return textwrap.wrap(text, 100, initial_indent=prefix, subsequent_indent=prefix)


def _header(
    analysis: Analysis, framework: str, comments: Mapping[str, str], *notes: Note
) -> list[str]:
    spec = analysis.spec
    h, w, c = spec.input_shape
    counts: dict[str, object] = {
        "params": count_text(analysis.total_params),
        "trainable": count_text(analysis.trainable_params),
    }
    total = _say(
        ("total_trainable" if analysis.non_trainable_params else "total", counts), comments
    )
    head: Note = ("header", {"name": _literal(spec.name), "framework": framework, "h": h, "w": w,
                             "c": c, "layers": len(spec.layers), "total": total})  # fmt: skip
    return [line for note in (head, *notes) for line in _comment(_say(note, comments))]


# ----------------------------------------------------------------------- Keras

_REQUIRED = object()  # a Keras argument without a default: always written
_WINDOW_KEYWORDS = (
    ("stride", "strides", None),  # Keras' None: the pool size for pools, (1, 1) for convs
    ("padding", "padding", "valid"),
)
# type -> (spec fields passed by position, (spec field, Keras argument, Keras default) by keyword)
_KERAS_ARGS: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str, object], ...]]] = {
    LayerType.CONV: (
        ("filters",),
        (
            ("kernel", "kernel_size", _REQUIRED),
            *_WINDOW_KEYWORDS,
            ("activation", "activation", None),
            ("use_bias", "use_bias", True),
        ),
    ),
    LayerType.MAXPOOL: ((), (("pool", "pool_size", (2, 2)), *_WINDOW_KEYWORDS)),
    LayerType.AVGPOOL: ((), (("pool", "pool_size", _REQUIRED), *_WINDOW_KEYWORDS)),
    LayerType.DENSE: (
        ("units",),
        (("activation", "activation", None), ("use_bias", "use_bias", True)),
    ),
    LayerType.ACTIVATION: (("fn",), ()),
    LayerType.DROPOUT: (("rate",), ()),
}

_KERAS_LRN_CLASS = '''
class LocalResponseNormalization(layers.Layer):
    """AlexNet's LRN as in the VGG paper (n=5, k=2, α=1e-4, β=0.75), TensorFlow's own."""

    def call(self, x):
        return tf.nn.local_response_normalization(
            x, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75
        )

'''


def _arg(value: Value) -> Value:
    """Spec values as Keras takes them: windows and strides as one number when square."""
    return _size(value) if isinstance(value, tuple) else value


def _keras_call(layer: Layer) -> Call:
    positional, keywords = _KERAS_ARGS.get(layer.type, ((), ()))
    kwargs: list[tuple[str, Value]] = []
    for field, argument, default in keywords:
        value = getattr(layer, field)
        if field == "stride":
            value, default = layer.strides, replace(layer, stride=None).strides
        if default is _REQUIRED or value != default:
            kwargs.append((argument, _arg(value)))
    kwargs.append(("name", layer.name))
    func = layer.keras_class if layer.type is LayerType.LRN else f"layers.{layer.keras_class}"
    args = tuple(_arg(getattr(layer, f)) for f in positional)
    return Call(func, args, tuple(kwargs))


def _keras_model_name(name: str) -> str:
    """The model name as components.keras_side.builder gives it (Keras refuses some characters)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def keras_code(spec: NetworkSpec, comments: Mapping[str, str] = COMMENTS) -> str:
    """Keras 3 source building ``spec`` as a ``keras.Sequential`` named ``model``.

    Only arguments that differ from Keras' defaults are written, so the code reads like
    the Keras docs. Raises InputError, as :func:`analyze` does, for a network that cannot work.
    ``comments``: the templates of :data:`COMMENTS` in the reader's language.
    """
    analysis = analyze(spec)
    has_lrn = any(layer.type is LayerType.LRN for layer in spec.layers)
    h, w, c = spec.input_shape
    lines = [
        *_header(analysis, "Keras", comments, ("keras_summary", {})),
        "import keras",
        *(["import tensorflow as tf"] if has_lrn else []),
        "from keras import layers",
        "",
    ]
    if has_lrn:
        lines.append(_KERAS_LRN_CLASS)
    lines += [
        "model = keras.Sequential(",
        "    [",
        f"        keras.Input(shape=({h}, {w}, {c})),",
        *(f"        {_keras_call(layer)}," for layer in spec.layers),
        "    ],",
        f"    name={_literal(_keras_model_name(spec.name))},",
        ")",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------- PyTorch

_TORCH_ACTIVATIONS: dict[str, Call] = {
    "relu": Call("nn.ReLU"),
    "sigmoid": Call("nn.Sigmoid"),
    "softmax": Call("nn.Softmax", kwargs=(("dim", 1),)),  # channels: axis 1 in PyTorch
    "tanh": Call("nn.Tanh"),
    "linear": Call("nn.Identity"),
    "elu": Call("nn.ELU"),
    "selu": Call("nn.SELU"),
    "gelu": Call("nn.GELU"),
    "swish": Call("nn.SiLU"),
    "softplus": Call("nn.Softplus"),
    "leaky_relu": Call("nn.LeakyReLU", (0.2,)),  # Keras 3's slope; PyTorch's default is 0.01
}
# Attributes of nn.Sequential that a layer name may spell: add_module refuses them as keys.
_TORCH_TAKEN = frozenset(
    """T_destination add_module append apply bfloat16 buffers call_super_init children compile
    cpu cuda double dump_patches eval extend extra_repr float forward get_buffer get_extra_state
    get_parameter get_submodule half insert ipu load_state_dict modules mtia named_buffers
    named_children named_modules named_parameters parameters pop register_backward_hook
    register_buffer register_forward_hook register_forward_pre_hook register_full_backward_hook
    register_full_backward_pre_hook register_load_state_dict_post_hook
    register_load_state_dict_pre_hook register_module register_parameter
    register_state_dict_post_hook register_state_dict_pre_hook requires_grad_ set_extra_state
    set_submodule share_memory state_dict to to_empty train training type xpu zero_grad""".split()  # noqa: SIM905 - reads better as text
)


@dataclass(frozen=True)
class _Module:
    """One entry of the generated nn.Sequential: key suffix, call, comment above it."""

    suffix: str
    call: Call
    note: Note | None = None


def _window_kwargs(layer: Layer, size_arg: str) -> list[tuple[str, Value]]:
    assert layer.window is not None and layer.strides is not None
    kwargs: list[tuple[str, Value]] = [(size_arg, _size(layer.window))]
    default_stride = (1, 1) if layer.type.is_conv else layer.window
    if layer.strides != default_stride:
        kwargs.append(("stride", _size(layer.strides)))
    return kwargs


def _torch_conv(layer: Layer, info: LayerInfo) -> _Module:
    kwargs = _window_kwargs(layer, "kernel_size")
    if layer.padding == "same" and layer.strides == (1, 1):
        kwargs.append(("padding", "same"))
    if not layer.use_bias:
        kwargs.append(("bias", False))
    return _Module("", Call("nn.Conv2d", (info.input_shape[-1], layer.filters), tuple(kwargs)))


def _torch_pool(func: str, note: Note | None = None) -> Callable[[Layer, LayerInfo], _Module]:
    def make(layer: Layer, info: LayerInfo) -> _Module:
        padded = layer.padding == "same" and any(info.padding or ())
        call = Call(func, kwargs=tuple(_window_kwargs(layer, "kernel_size")))
        return _Module("", call, note if padded else None)

    return make


def _torch_dense(layer: Layer, info: LayerInfo) -> _Module:
    bias = () if layer.use_bias else (("bias", False),)
    n_in = info.input_shape[-1]
    if len(info.input_shape) == 1:
        return _Module("", Call("nn.Linear", (n_in, layer.units), bias))
    h, w, _ = info.input_shape
    note: Note = ("dense_pixels", {"h": h, "w": w})
    return _Module("", Call("nn.Conv2d", (n_in, layer.units), (("kernel_size", 1), *bias)), note)


def _torch_batchnorm(layer: Layer, info: LayerInfo) -> _Module:
    func = "nn.BatchNorm2d" if len(info.input_shape) == 3 else "nn.BatchNorm1d"
    keras_defaults = (("eps", 1e-3), ("momentum", 0.01))  # PyTorch's momentum = 1 − Keras'
    return _Module("", Call(func, (info.input_shape[-1],), keras_defaults))


def _fixed(call: Call, note: Note | None = None) -> Callable[[Layer, LayerInfo], _Module]:
    return lambda layer, info: _Module("", call, note)


_TORCH_LAYERS: dict[str, Callable[[Layer, LayerInfo], _Module]] = {
    LayerType.CONV: _torch_conv,
    LayerType.MAXPOOL: _torch_pool("nn.MaxPool2d"),
    LayerType.AVGPOOL: _torch_pool("nn.AvgPool2d", ("avgpool_same", {})),
    LayerType.DENSE: _torch_dense,
    LayerType.BATCHNORM: _torch_batchnorm,
    LayerType.ACTIVATION: lambda layer, info: _Module("", _TORCH_ACTIVATIONS[layer.fn or "linear"]),
    LayerType.DROPOUT: lambda layer, info: _Module("", Call("nn.Dropout", (layer.rate,))),
    LayerType.FLATTEN: _fixed(Call("nn.Flatten"), ("flatten_order", {})),
    LayerType.GLOBAL_AVGPOOL: _fixed(Call("nn.AdaptiveAvgPool2d", (1,))),
    LayerType.GLOBAL_MAXPOOL: _fixed(Call("nn.AdaptiveMaxPool2d", (1,))),
    LayerType.LRN: _fixed(
        Call("nn.LocalResponseNorm", (5,), (("alpha", 5e-4), ("beta", 0.75), ("k", 2.0))),
        ("lrn_alpha", {}),
    ),
}


def _torch_padding(layer: Layer, info: LayerInfo) -> _Module | None:
    """Keras' 'same' padding as its own module, where PyTorch's padding="same" cannot do it."""
    pad = info.padding
    if layer.padding != "same" or not pad or not any(pad):
        return None
    if layer.type.is_conv and layer.strides == (1, 1):
        return None  # the conv's padding="same" pads as Keras does
    top, bottom, left, right = pad
    note: Note = ("same_padding", {"top": top, "bottom": bottom, "left": left, "right": right})
    sides = (left, right, top, bottom)
    if (
        layer.type is LayerType.MAXPOOL
    ):  # -inf never wins a max: padded pixels are ignored, as in Keras
        return _Module("_pad", Call("nn.ConstantPad2d", (sides, Source('float("-inf")'))), note)
    return _Module("_pad", Call("nn.ZeroPad2d", (sides,)), note)


def _torch_modules(layer: Layer, info: LayerInfo) -> list[_Module]:
    """The PyTorch modules of one Keras layer: padding, the layer, its activation or flatten."""
    pad = _torch_padding(layer, info)
    modules = [pad] if pad else []
    modules.append(_TORCH_LAYERS[layer.type](layer, info))
    if layer.activation is not None and layer.activation != "linear":
        modules.append(_Module(f"_{layer.activation}", _TORCH_ACTIVATIONS[layer.activation]))
    if layer.type.is_global_pool:
        modules.append(_Module("_flatten", Call("nn.Flatten"), ("global_flatten", {})))
    return modules


def _torch_key(name: str, taken: set[str]) -> str:
    """A key nn.Sequential accepts: no '.', not one of its attributes, not used yet."""
    key = name.replace(".", "_")
    if key in _TORCH_TAKEN:
        key += "_"
    base, n = key, 1
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def torch_code(spec: NetworkSpec, comments: Mapping[str, str] = COMMENTS) -> str:
    """PyTorch source building ``spec`` as an ``nn.Sequential`` named ``model``.

    Keys are the Keras layer names; activations, 'same' padding at stride > 1 and the
    flatten after global pooling become modules of their own. Raises InputError for a
    network that cannot work, as :func:`analyze` does. ``comments`` as for :func:`keras_code`.
    """
    analysis = analyze(spec)
    h, w, c = spec.input_shape
    notes: list[Note] = [("channels_first", {"c": c, "h": h, "w": w})]
    if analysis.non_trainable_params:
        notes.append(("bn_buffers", {"n": count_text(analysis.non_trainable_params)}))
    lines = [
        *_header(analysis, "PyTorch", comments, *notes),
        "from collections import OrderedDict",
        "",
        "from torch import nn",
        "",
        "model = nn.Sequential(",
        "    OrderedDict(",
        "        [",
    ]
    taken: set[str] = set()
    for info in analysis.layers:
        for module in _torch_modules(info.layer, info):
            key = _torch_key(info.name + module.suffix, taken)
            note = _say(module.note, comments)
            if not module.suffix and key != info.name:
                note = _say(("keras_name", {"name": _literal(info.name), "note": note}), comments)
            lines += _comment(note, " " * 12)
            lines.append(f"            ({_literal(key)}, {module.call}),")
    lines += ["        ]", "    )", ")"]
    return "\n".join(lines) + "\n"
