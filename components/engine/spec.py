"""The JSON network spec: schema, limits, validation and (de)serialisation.

One schema serves custom CNNs, presets, share links and exports. Validation
checks every limit before anything is allocated, and reports every problem
with the layer it belongs to.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import Any, NamedTuple

from components.engine.errors import InputError, Issue, Term

# Limits, stated once; the UI quotes them in its messages.
MAX_SPEC_BYTES = 256 * 1024
MAX_LAYERS = 200
MAX_INPUT_SIDE = 4096
MAX_CHANNELS_IN = 4
MAX_WIDTH = 16384  # filters of a conv, units of a dense layer
MAX_WINDOW = 64  # kernel, pool and stride sides
MAX_NAME_LEN = 64
MAX_DEPTH = 4  # spec → layers → layer → [h, w]: anything nested deeper is not a spec
# Totals above 2**53 lose precision as floats and overflow Arrow/JavaScript integers.
MAX_COUNT = 2**53 - 1
# Names Keras refuses in a model the builder makes: its own input layer's name.
RESERVED_NAMES = ("input_layer",)

ACTIVATIONS = (
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
    "linear",
    "elu",
    "selu",
    "gelu",
    "swish",
    "softplus",
    "leaky_relu",
)
PADDINGS = ("valid", "same")


class LayerType(StrEnum):
    """The layer types a spec may name; values are the spec's JSON ``type`` strings."""

    CONV = "conv2d"
    MAXPOOL = "maxpool2d"
    AVGPOOL = "avgpool2d"
    BATCHNORM = "batchnorm"
    ACTIVATION = "activation"
    DROPOUT = "dropout"
    FLATTEN = "flatten"
    GLOBAL_AVGPOOL = "globalavgpool2d"
    GLOBAL_MAXPOOL = "globalmaxpool2d"
    DENSE = "dense"
    # AlexNet-style local response normalisation (VGG paper's A-LRN), fixed constants.
    LRN = "lrn"

    @property
    def is_conv(self) -> bool:
        return self is LayerType.CONV

    @property
    def is_pool(self) -> bool:
        """A pooling window that slides (not global pooling)."""
        return self in (LayerType.MAXPOOL, LayerType.AVGPOOL)

    @property
    def is_window(self) -> bool:
        """Slides a window over the image: conv or pooling."""
        return self.is_conv or self.is_pool

    @property
    def is_global_pool(self) -> bool:
        return self in (LayerType.GLOBAL_AVGPOOL, LayerType.GLOBAL_MAXPOOL)

    @property
    def flattens(self) -> bool:
        """Ends the image: flatten or global pooling."""
        return self is LayerType.FLATTEN or self.is_global_pool

    @property
    def has_weights(self) -> bool:
        """Conv and dense: the weight layers the VGG paper counts in 11/13/16/19."""
        return self in (LayerType.CONV, LayerType.DENSE)


class LayerKind(NamedTuple):
    """What a layer type is in Keras and which spec fields it takes."""

    keras_class: str
    keras_prefix: str  # Keras' auto-name prefix: conv2d_3, max_pooling2d_1 …
    required: tuple[str, ...]
    optional: tuple[str, ...]


LAYER_TYPES: dict[LayerType, LayerKind] = {
    LayerType.CONV: LayerKind(
        "Conv2D", "conv2d", ("filters", "kernel"), ("stride", "padding", "activation", "use_bias")
    ),
    LayerType.MAXPOOL: LayerKind(
        "MaxPooling2D", "max_pooling2d", (), ("pool", "stride", "padding")
    ),
    LayerType.AVGPOOL: LayerKind(
        "AveragePooling2D", "average_pooling2d", (), ("pool", "stride", "padding")
    ),
    LayerType.BATCHNORM: LayerKind("BatchNormalization", "batch_normalization", (), ()),
    LayerType.ACTIVATION: LayerKind("Activation", "activation", ("fn",), ()),
    LayerType.DROPOUT: LayerKind("Dropout", "dropout", ("rate",), ()),
    LayerType.FLATTEN: LayerKind("Flatten", "flatten", (), ()),
    LayerType.GLOBAL_AVGPOOL: LayerKind(
        "GlobalAveragePooling2D", "global_average_pooling2d", (), ()
    ),
    LayerType.GLOBAL_MAXPOOL: LayerKind("GlobalMaxPooling2D", "global_max_pooling2d", (), ()),
    LayerType.DENSE: LayerKind("Dense", "dense", ("units",), ("activation", "use_bias")),
    LayerType.LRN: LayerKind("LocalResponseNormalization", "local_response_normalization", (), ()),
}
COMMON_FIELDS = ("type", "name")
SPEC_FIELDS = ("name", "input", "layers")
# Layer names Keras takes (it refuses '/'); matched whole, so "a\n" is refused too.
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*", re.ASCII)


@dataclass(frozen=True)
class Layer:
    """One layer. Fields that do not apply to its type stay None.

    ``block``, ``torch_name`` and ``paper_name`` are filled for VGG layers so
    the product can map Keras names to torchvision's and the paper's.
    """

    type: LayerType
    name: str = ""
    filters: int | None = None
    kernel: tuple[int, int] | None = None
    stride: tuple[int, int] | None = None
    padding: str = "valid"
    activation: str | None = None
    use_bias: bool = True
    pool: tuple[int, int] | None = None
    units: int | None = None
    rate: float | None = None
    fn: str | None = None
    block: str | None = None
    torch_name: str | None = None
    paper_name: str | None = None

    def __post_init__(self) -> None:
        # Callers may pass the JSON string ("conv2d"); the record always holds the enum.
        object.__setattr__(self, "type", LayerType(self.type))

    @property
    def keras_class(self) -> str:
        return LAYER_TYPES[self.type].keras_class

    @property
    def window(self) -> tuple[int, int] | None:
        """Kernel of a conv or pool window of a pooling layer."""
        return self.kernel if self.type.is_conv else self.pool

    @property
    def strides(self) -> tuple[int, int] | None:
        """Effective stride: Keras defaults (conv 1, pool = pool size)."""
        if self.type.is_conv:
            return self.stride or (1, 1)
        if self.type.is_pool:
            return self.stride or self.pool
        return None


@dataclass(frozen=True)
class NetworkSpec:
    """A whole network: input shape (H, W, C) and its layers, in order."""

    name: str
    input_shape: tuple[int, int, int]
    layers: tuple[Layer, ...]
    family: str = "custom"
    notes: tuple[str, ...] = field(default=())
    # The VGG configuration it was built from (a ``vgg.CONFIGS`` key) and whether with
    # batch norm, so no one parses them back out of ``name``; None for a custom CNN.
    arch: str | None = None
    batch_norm: bool = False

    @cached_property
    def identity(self) -> str:
        """Every field as exact text, built once: a cache key that is cheap to hash again
        (hashing the record itself walks every layer on each rerun)."""
        return repr(self)

    def to_dict(self) -> dict[str, Any]:
        """The JSON spec form (round-trips through :func:`parse_spec`)."""
        return {
            "name": self.name,
            "input": list(self.input_shape),
            "layers": [layer_to_dict(layer) for layer in self.layers],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _size(value: tuple[int, int] | None) -> int | list[int] | None:
    if value is None:
        return None
    return value[0] if value[0] == value[1] else list(value)


def layer_to_dict(layer: Layer) -> dict[str, Any]:
    """The JSON form of one layer: only the fields its type takes, defaults left out."""
    _, _, required, optional = LAYER_TYPES[layer.type]
    out: dict[str, Any] = {"type": str(layer.type)}
    defaults = Layer(type=layer.type)
    for name in (*required, *optional):
        value = getattr(layer, name)
        if name not in required and value == getattr(defaults, name):
            continue
        out[name] = _size(value) if name in ("kernel", "stride", "pool") else value
    out["name"] = layer.name
    return out


# ---------------------------------------------------------------- validation


class _Checker:
    """Collects issues while converting raw JSON values into typed fields."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def fail(self, code: str, values: dict[str, Any] | None = None, **where: Any) -> None:
        self.issues.append(Issue(f"spec.{code}", values or {}, **where))

    def integer(self, value: Any, what: Term, low: int, high: int, **where: Any) -> int | None:
        """A whole number in [low, high]; ``what`` names it in the message (a catalogue term)."""
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.fail(
                    "not_whole",
                    {"what": what, "got": _show(value), "low": low, "high": high},
                    **where,
                )
                return None
        if value < low:
            code = "stride_zero" if what == "stride" and value == 0 else "too_small"
            got: Any = value if value > -(10**18) else _show(value)
            self.fail(code, {"what": what, "got": got, "low": low}, **where)
            return None
        if value > high:
            if value >= 10**18:  # too long to print (Python refuses over 4,300 digits)
                digits = int(value.bit_length() * 0.30103) + 1
                self.fail(
                    "too_many_digits", {"what": what, "digits": digits, "high": high}, **where
                )
            else:
                self.fail("too_large", {"what": what, "got": value, "high": high}, **where)
            return None
        return value

    def pair(self, value: Any, what: str, high: int, **where: Any) -> tuple[int, int] | None:
        """One side or [height, width]; ``what`` is kernel, pool or stride."""
        if isinstance(value, list | tuple):
            if len(value) != 2:
                self.fail("not_pair", {"what": Term(what), "got": _show(value)}, **where)
                return None
            h = self.integer(value[0], Term(f"{what}_height"), 1, high, **where)
            w = self.integer(value[1], Term(f"{what}_width"), 1, high, **where)
            return (h, w) if h is not None and w is not None else None
        n = self.integer(value, Term(what), 1, high, **where)
        return (n, n) if n is not None else None


def _show(value: Any) -> str:
    """A raw value, short and printable, for a message: any size, any depth, any text."""
    text = _brief(value, 2)
    return text if len(text) <= 40 else text[:37] + "..."


def _brief(value: Any, depth: int) -> str:
    if isinstance(value, str):
        return repr(value[:40])  # repr escapes control characters and lone surrogates
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return json.dumps(value)
    if isinstance(value, int):
        if abs(value) < 10**18:
            return f"{value:,}"
        return f"{'-' if value < 0 else ''}1e{int(abs(value).bit_length() * 0.30103)}"
    if isinstance(value, list | tuple | dict):
        if depth == 0:
            return "{...}" if isinstance(value, dict) else "[...]"
        if isinstance(value, dict):
            parts = [f"{_brief(k, 0)}: {_brief(v, depth - 1)}" for k, v in list(value.items())[:4]]
        else:
            parts = [_brief(v, depth - 1) for v in value[:4]]
        more = ", ..." if len(value) > 4 else ""
        body = ", ".join(parts) + more
        return "{" + body + "}" if isinstance(value, dict) else "[" + body + "]"
    return type(value).__name__


def _field(key: Any) -> str | None:
    """A field name safe to quote in a message (short, printable), else None."""
    text = str(key) if isinstance(key, str | int) else ""
    return text if text and text.isprintable() and len(text) <= 40 else None


def _unknown(keys: list[Any]) -> dict[str, Any]:
    """Up to five unknown keys, then how many more: one issue, however many keys."""
    return {"fields": ", ".join(_show(key) for key in keys[:5]), "more": max(len(keys) - 5, 0)}


def nesting_depth_exceeds(raw: Any, limit: int) -> bool:
    """Whether lists/objects are nested deeper than ``limit`` (iterative: no recursion limit)."""
    stack: list[tuple[Any, int]] = [(raw, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _name_ok(value: Any) -> bool:
    """A layer name Keras takes: ASCII letters, digits, '_', '.', '-', not the input's name."""
    return (
        isinstance(value, str)
        and len(value) <= MAX_NAME_LEN
        and _NAME_RE.fullmatch(value) is not None
        and value not in RESERVED_NAMES
    )


def check_input_shape(value: Any, checker: _Checker | None = None) -> tuple[int, int, int] | None:
    """Validate an input shape [H, W, C]; raises InputError when no checker is given."""
    own = checker is None
    checker = checker or _Checker()
    shape: tuple[int, int, int] | None = None
    if not isinstance(value, list | tuple) or len(value) != 3:
        checker.fail("input_shape", {"got": _show(value)}, field="input")
    else:
        h = checker.integer(value[0], Term("input_height"), 1, MAX_INPUT_SIDE, field="input")
        w = checker.integer(value[1], Term("input_width"), 1, MAX_INPUT_SIDE, field="input")
        c = checker.integer(value[2], Term("input_channels"), 1, MAX_CHANNELS_IN, field="input")
        if h is not None and w is not None and c is not None:
            shape = (h, w, c)
    if own and checker.issues:
        raise InputError(checker.issues)
    return shape


# ---- one validator per layer field: (checker, raw value, where) → typed value, or _BAD

_BAD = object()  # the field was refused (an issue is recorded)
_SKIP = object()  # the field is left at its default


def _check_name(checker: _Checker, value: Any, where: dict[str, Any]) -> Any:
    if _name_ok(value):
        return value
    code = "reserved_name" if isinstance(value, str) and value in RESERVED_NAMES else "bad_name"
    checker.fail(code, {"got": _show(value), "max": MAX_NAME_LEN}, **where)
    return _BAD


def _check_width(checker: _Checker, value: Any, where: dict[str, Any]) -> Any:
    result = checker.integer(value, Term(where["field"]), 1, MAX_WIDTH, **where)
    return _BAD if result is None else result


def _check_window(checker: _Checker, value: Any, where: dict[str, Any]) -> Any:
    result = checker.pair(value, where["field"], MAX_WINDOW, **where)
    return _BAD if result is None else result


def _check_padding(checker: _Checker, value: Any, where: dict[str, Any]) -> Any:
    if value in PADDINGS:
        return value
    checker.fail("bad_padding", {"got": _show(value)}, **where)
    return _BAD


def _check_activation(checker: _Checker, value: Any, where: dict[str, Any]) -> Any:
    if value is None and where["field"] == "activation":
        return _SKIP
    if value in ACTIVATIONS:
        return value
    checker.fail(
        "unknown_activation", {"got": _show(value), "known": ", ".join(ACTIVATIONS)}, **where
    )
    return _BAD


def _check_use_bias(checker: _Checker, value: Any, where: dict[str, Any]) -> Any:
    if isinstance(value, bool):
        return value
    checker.fail("bad_use_bias", {"got": _show(value)}, **where)
    return _BAD


def _check_rate(checker: _Checker, value: Any, where: dict[str, Any]) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1:
        return float(value)
    checker.fail("bad_rate", {"got": _show(value)}, **where)
    return _BAD


FieldCheck = Callable[[_Checker, Any, dict[str, Any]], Any]
_FIELD_CHECKS: dict[str, FieldCheck] = {  # field name → validator
    "name": _check_name,
    "filters": _check_width,
    "units": _check_width,
    "kernel": _check_window,
    "pool": _check_window,
    "stride": _check_window,
    "padding": _check_padding,
    "activation": _check_activation,
    "fn": _check_activation,
    "use_bias": _check_use_bias,
    "rate": _check_rate,
}


def _parse_layer(raw: Any, index: int, checker: _Checker) -> Layer | None:
    """One layer, or None with its issues recorded (every field is checked)."""
    where: dict[str, Any] = {"layer": index}
    if not isinstance(raw, dict):
        checker.fail("layer_not_object", {"got": _show(raw)}, **where)
        return None
    kind = raw.get("type")
    if _name_ok(raw.get("name")):
        where["layer_name"] = raw["name"]
    if not isinstance(kind, str) or kind not in LAYER_TYPES:
        known = ", ".join(LAYER_TYPES)
        checker.fail("unknown_type", {"got": _show(kind), "known": known}, field="type", **where)
        return None
    kind = LayerType(kind)
    _, _, required, optional = LAYER_TYPES[kind]
    allowed = (*COMMON_FIELDS, *required, *optional)
    before = len(checker.issues)
    unknown = [key for key in raw if key not in allowed]
    if unknown:
        values = {"kind": str(kind), **_unknown(unknown), "allowed": ", ".join(allowed)}
        checker.fail("unknown_layer_field", values, field=_field(unknown[0]), **where)
    for key in required:
        if key not in raw:
            checker.fail("missing_field", {"kind": str(kind), "name": key}, field=key, **where)
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        if key in allowed and key != "type":
            fields[key] = _FIELD_CHECKS[key](checker, value, {**where, "field": key})
    if len(checker.issues) > before:
        return None
    if kind.is_pool and "pool" not in fields:
        fields["pool"] = (2, 2)
    return Layer(kind, **{key: value for key, value in fields.items() if value is not _SKIP})


def auto_name(layers: list[Layer]) -> list[Layer]:
    """Give unnamed layers Keras 3's default names (conv2d, conv2d_1, ...)."""
    taken = {layer.name for layer in layers if layer.name}
    counters: dict[str, int] = {}
    out = []
    for layer in layers:
        if not layer.name:
            prefix = LAYER_TYPES[layer.type].keras_prefix
            while True:
                n = counters.get(prefix, 0)
                counters[prefix] = n + 1
                candidate = prefix if n == 0 else f"{prefix}_{n}"
                if candidate not in taken:
                    break
            taken.add(candidate)
            layer = replace(layer, name=candidate)
        out.append(layer)
    return out


def parse_spec(raw: Any) -> NetworkSpec:
    """Validate a decoded JSON spec and return it typed; InputError lists every problem."""
    checker = _Checker()
    if not isinstance(raw, dict):
        raise InputError(Issue("spec.not_object", {"got": _show(raw)}))
    if nesting_depth_exceeds(raw, MAX_DEPTH):
        raise InputError(Issue("spec.too_deep", {"depth": MAX_DEPTH}))
    unknown = [key for key in raw if key not in SPEC_FIELDS]
    if unknown:
        values = {**_unknown(unknown), "allowed": ", ".join(SPEC_FIELDS)}
        checker.fail("unknown_spec_field", values, field=_field(unknown[0]))
    name = raw.get("name", "custom")
    if (
        not isinstance(name, str)
        or not 0 < len(name.strip()) <= MAX_NAME_LEN
        or not name.isprintable()
    ):
        checker.fail("bad_spec_name", {"got": _show(name), "max": MAX_NAME_LEN}, field="name")
        name = "custom"
    shape = check_input_shape(raw.get("input"), checker) if "input" in raw else None
    if "input" not in raw:
        checker.fail("no_input")
    layers_raw = raw.get("layers")
    layers: list[Layer] = []
    if not isinstance(layers_raw, list) or not layers_raw:
        checker.fail("no_layers", field="layers")
    elif len(layers_raw) > MAX_LAYERS:
        checker.fail(
            "too_many_layers", {"count": len(layers_raw), "max": MAX_LAYERS}, field="layers"
        )
    else:
        for i, item in enumerate(layers_raw):
            layer = _parse_layer(item, i, checker)
            if layer is not None:
                layers.append(layer)
    names = [layer.name for layer in layers if layer.name]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        checker.fail("duplicate_name", {"name": dup})
    if checker.issues:
        raise InputError(checker.issues)
    assert shape is not None
    return NetworkSpec(name=name, input_shape=shape, layers=tuple(auto_name(layers)))


def parse_spec_json(text: str | bytes) -> NetworkSpec:
    """Parse spec text (an upload, a paste, a file), refusing oversize input first."""
    if len(text) > MAX_SPEC_BYTES:
        raise InputError(Issue("spec.too_big", {"size": len(text), "max": MAX_SPEC_BYTES}))
    try:
        raw = json.loads(text)
    except RecursionError:
        raise InputError(Issue("spec.nested_too_deeply")) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            Issue("spec.not_json", {"line": exc.lineno, "column": exc.colno})
        ) from None
    except UnicodeDecodeError:
        raise InputError(Issue("spec.not_utf8")) from None
    except ValueError:  # Python refuses to read integers over 4,300 digits
        raise InputError(Issue("spec.huge_number", {"max": MAX_WIDTH})) from None
    return parse_spec(raw)


def encode_spec(spec: NetworkSpec) -> str:
    """Compact base64url JSON for share links (``spec=``)."""
    text = json.dumps(spec.to_dict(), separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_spec(token: str) -> NetworkSpec:
    """Inverse of :func:`encode_spec`; bad tokens raise InputError, never anything else."""
    if len(token) > MAX_SPEC_BYTES * 4 // 3 + 4:
        raise InputError(Issue("spec.link_too_long", field="spec"))
    try:
        data = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise InputError(Issue("spec.link_not_base64", field="spec")) from None
    return parse_spec_json(data)
