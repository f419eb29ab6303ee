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
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, NamedTuple

from components.engine.errors import Issue, SpecError

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

    def fail(self, message: str, hint: str = "", **where: Any) -> None:
        self.issues.append(Issue(message=message, hint=hint, **where))

    def integer(self, value: Any, what: str, low: int, high: int, **where: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.fail(
                    f"{what} must be a whole number, got {_show(value)}.",
                    f"Use an integer from {low} to {high:,}.",
                    **where,
                )
                return None
        if value < low:
            hint = f"Use {low} or more." if low > 0 else ""
            if what.endswith("stride") and value == 0:
                hint = "A stride of 0 would never move the window: use 1 or more."
            self.fail(f"{what} must be at least {low}, got {_count(value)}.", hint, **where)
            return None
        if value > high:
            self.fail(
                f"{what} is {_count(value)}, above the limit of {high:,}.",
                "VGG Explorer refuses sizes this large before allocating anything.",
                **where,
            )
            return None
        return value

    def pair(self, value: Any, what: str, high: int, **where: Any) -> tuple[int, int] | None:
        if isinstance(value, list | tuple):
            if len(value) != 2:
                self.fail(
                    f"{what} must be one number or a pair [height, width], got {_show(value)}.",
                    **where,
                )
                return None
            h = self.integer(value[0], f"{what} height", 1, high, **where)
            w = self.integer(value[1], f"{what} width", 1, high, **where)
            return (h, w) if h is not None and w is not None else None
        n = self.integer(value, what, 1, high, **where)
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
        return _count(value)
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


def _count(value: int) -> str:
    """12,345 as such; a number too long to print (Python refuses over 4,300 digits) by size."""
    if abs(value) < 10**18:
        return f"{value:,}"
    return f"a {int(abs(value).bit_length() * 0.30103) + 1:,}-digit number"


def _field(key: Any) -> str | None:
    """A field name safe to quote in a message (short, printable), else None."""
    text = str(key) if isinstance(key, str | int) else ""
    return text if text and text.isprintable() and len(text) <= 40 else None


def _listed(keys: list[Any]) -> str:
    """Up to five unknown keys, then how many more: one issue, however many keys."""
    shown = ", ".join(_show(key) for key in keys[:5])
    return shown + (f" and {len(keys) - 5:,} more" if len(keys) > 5 else "")


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
    """Validate an input shape [H, W, C]; raises SpecError when no checker is given."""
    own = checker is None
    checker = checker or _Checker()
    shape: tuple[int, int, int] | None = None
    if not isinstance(value, list | tuple) or len(value) != 3:
        checker.fail(
            f"the input shape must be [height, width, channels], got {_show(value)}.",
            "For example [224, 224, 3].",
            field="input",
        )
    else:
        h = checker.integer(value[0], "input height", 1, MAX_INPUT_SIDE, field="input")
        w = checker.integer(value[1], "input width", 1, MAX_INPUT_SIDE, field="input")
        c = checker.integer(value[2], "input channels", 1, MAX_CHANNELS_IN, field="input")
        if h is not None and w is not None and c is not None:
            shape = (h, w, c)
    if own and checker.issues:
        raise SpecError(checker.issues)
    return shape


def _parse_layer(raw: Any, index: int, checker: _Checker) -> Layer | None:
    where: dict[str, Any] = {"layer": index}
    if not isinstance(raw, dict):
        checker.fail(f"each layer must be a JSON object, got {_show(raw)}.", **where)
        return None
    kind = raw.get("type")
    if _name_ok(raw.get("name")):
        where["layer_name"] = raw["name"]
    if not isinstance(kind, str) or kind not in LAYER_TYPES:
        checker.fail(
            f"unknown layer type {_show(kind)}.",
            f"Known types: {', '.join(LAYER_TYPES)}.",
            field="type",
            **where,
        )
        return None
    kind = LayerType(kind)
    _, _, required, optional = LAYER_TYPES[kind]
    allowed = (*COMMON_FIELDS, *required, *optional)
    before = len(checker.issues)
    unknown = [key for key in raw if key not in allowed]
    if unknown:
        checker.fail(
            f"a {kind} layer has no field {_listed(unknown)}.",
            f"Fields it takes: {', '.join(allowed)}.",
            field=_field(unknown[0]),
            **where,
        )
    for key in required:
        if key not in raw:
            checker.fail(f"a {kind} layer needs the field '{key}'.", field=key, **where)
    values: dict[str, Any] = {"type": kind}
    for key, value in raw.items():
        if key not in allowed or key == "type":
            continue
        at = {**where, "field": key}
        if key == "name":
            if not _name_ok(value):
                reserved = value in RESERVED_NAMES if isinstance(value, str) else False
                checker.fail(
                    f"layer name {_show(value)} is not allowed"
                    + (" (Keras gives that name to the network's input)." if reserved else "."),
                    f"Use ASCII letters, digits, '_', '.', '-' (starting with a letter), "
                    f"at most {MAX_NAME_LEN} characters.",
                    **at,
                )
            else:
                values["name"] = value
        elif key in ("filters", "units"):
            what = "number of filters" if key == "filters" else "number of units"
            values[key] = checker.integer(value, what, 1, MAX_WIDTH, **at)
        elif key in ("kernel", "pool", "stride"):
            what = {"kernel": "kernel size", "pool": "pool size", "stride": "stride"}[key]
            values[key] = checker.pair(value, what, MAX_WINDOW, **at)
        elif key == "padding":
            if value not in PADDINGS:
                checker.fail(
                    f"padding must be 'valid' or 'same', got {_show(value)}.",
                    "'valid' adds no border; 'same' keeps the size when the stride is 1.",
                    **at,
                )
            else:
                values[key] = value
        elif key in ("activation", "fn"):
            if value is None and key == "activation":
                continue
            if value not in ACTIVATIONS:
                checker.fail(
                    f"unknown activation {_show(value)}.",
                    f"Known: {', '.join(ACTIVATIONS)}.",
                    **at,
                )
            else:
                values[key] = value
        elif key == "use_bias":
            if not isinstance(value, bool):
                checker.fail(f"use_bias must be true or false, got {_show(value)}.", **at)
            else:
                values[key] = value
        elif key == "rate":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok or not 0 <= value < 1:
                checker.fail(
                    f"dropout rate must be a number from 0 up to (not including) 1, "
                    f"got {_show(value)}.",
                    "0.5 drops half of the values during training.",
                    **at,
                )
            else:
                values[key] = float(value)
    if len(checker.issues) > before:
        return None
    if kind in ("maxpool2d", "avgpool2d") and "pool" not in values:
        values["pool"] = (2, 2)
    return Layer(**values)


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
    """Validate a decoded JSON spec and return it typed; SpecError lists every problem."""
    checker = _Checker()
    if not isinstance(raw, dict):
        raise SpecError(
            Issue(
                f"a network spec must be a JSON object, got {_show(raw)}.",
                'It looks like {"name": ..., "input": [H, W, C], "layers": [...]}.',
            )
        )
    if nesting_depth_exceeds(raw, MAX_DEPTH):
        raise SpecError(
            Issue(
                f"this JSON is nested more than {MAX_DEPTH} levels deep, deeper than a spec.",
                "A spec nests only: spec → layers → layer → [height, width].",
            )
        )
    unknown = [key for key in raw if key not in SPEC_FIELDS]
    if unknown:
        checker.fail(
            f"unknown field {_listed(unknown)} in the spec.",
            f"A spec has only: {', '.join(SPEC_FIELDS)}.",
            field=_field(unknown[0]),
        )
    name = raw.get("name", "custom")
    if (
        not isinstance(name, str)
        or not 0 < len(name.strip()) <= MAX_NAME_LEN
        or not name.isprintable()
    ):
        checker.fail(
            f"the spec's name must be a short line of text, got {_show(name)}.",
            f"Use 1 to {MAX_NAME_LEN} printable characters (no line breaks or control characters).",
            field="name",
        )
        name = "custom"
    shape = check_input_shape(raw.get("input"), checker) if "input" in raw else None
    if "input" not in raw:
        checker.fail("the spec needs an input shape.", 'Add "input": [224, 224, 3].')
    layers_raw = raw.get("layers")
    layers: list[Layer] = []
    if not isinstance(layers_raw, list) or not layers_raw:
        checker.fail(
            "the spec needs a non-empty list of layers.",
            'Add "layers": [{"type": "conv2d", "filters": 16, "kernel": 3}].',
            field="layers",
        )
    elif len(layers_raw) > MAX_LAYERS:
        checker.fail(
            f"the spec has {len(layers_raw):,} layers, above the limit of {MAX_LAYERS}.",
            "VGG19 with batch norm has 64; split the network or remove layers.",
            field="layers",
        )
    else:
        for i, item in enumerate(layers_raw):
            layer = _parse_layer(item, i, checker)
            if layer is not None:
                layers.append(layer)
    names = [layer.name for layer in layers if layer.name]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        checker.fail(f"the layer name '{dup}' is used twice.", "Layer names must be unique.")
    if checker.issues:
        raise SpecError(checker.issues)
    assert shape is not None
    return NetworkSpec(name=name, input_shape=shape, layers=tuple(auto_name(layers)))


def parse_spec_json(text: str | bytes) -> NetworkSpec:
    """Parse spec text (an upload, a paste, a file), refusing oversize input first."""
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(
            Issue(
                f"the spec is {len(text):,} bytes, above the limit of {MAX_SPEC_BYTES:,}.",
                "A spec describes layers, not weights; it should be a few kilobytes.",
            )
        )
    try:
        raw = json.loads(text)
    except RecursionError:
        raise SpecError(Issue("this JSON is nested too deeply to be a spec.")) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(
            Issue(
                f"this is not valid JSON ({str(exc)[:120]}).",
                "Export a spec from the Custom CNN page to see the expected form.",
            )
        ) from None
    except ValueError:  # Python refuses to read integers over 4,300 digits
        raise SpecError(
            Issue(
                "a number in this JSON has thousands of digits.",
                f"Every number in a spec is small: sizes up to {MAX_WIDTH:,}.",
            )
        ) from None
    return parse_spec(raw)


def encode_spec(spec: NetworkSpec) -> str:
    """Compact base64url JSON for share links (``spec=``)."""
    text = json.dumps(spec.to_dict(), separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_spec(token: str) -> NetworkSpec:
    """Inverse of :func:`encode_spec`; bad tokens raise SpecError, never anything else."""
    if len(token) > MAX_SPEC_BYTES * 4 // 3 + 4:
        raise SpecError(Issue("the spec in the link is too long.", field="spec"))
    try:
        data = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise SpecError(
            Issue("the spec in the link is not valid base64url.", "Copy the link again.")
        ) from None
    return parse_spec_json(data)
