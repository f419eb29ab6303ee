"""Generated Keras and PyTorch code builds the engine's network: run, parsed and compared."""

from __future__ import annotations

import ast
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from components.engine.analysis import analyze
from components.engine.codegen import keras_code, torch_code
from components.engine.errors import InputError
from components.engine.presets import load_preset, preset_names
from components.engine.spec import ACTIVATIONS, Layer, NetworkSpec, parse_spec
from components.engine.vgg import vgg_spec
from tests.english import raises_saying

ROOT = Path(__file__).resolve().parent.parent

SPECS: dict[str, NetworkSpec] = {name: load_preset(name) for name in preset_names()} | {
    "vgg11-32": vgg_spec("vgg11", (32, 32, 3)),
    "vgg11-lrn": vgg_spec("vgg11-lrn", (32, 32, 3), classes=10),
    "vgg16_bn-notop": vgg_spec("vgg16_bn", (64, 48, 3), include_top=False),
    "vgg16-fc-as-conv": vgg_spec("vgg16", (224, 224, 3), classes=10, fc_as_conv=True),
}

# ------------------------------------------------------------------ random specs

pair = st.one_of(st.integers(1, 4), st.tuples(st.integers(1, 4), st.integers(1, 4)).map(list))
padding = st.sampled_from(["valid", "same"])
activation = st.sampled_from(ACTIVATIONS)
name = st.from_regex(r"[A-Za-z][A-Za-z0-9_.\-]{0,10}", fullmatch=True)


def layer(required: dict[str, Any], **optional: Any) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {k: v if isinstance(v, st.SearchStrategy) else st.just(v) for k, v in required.items()},
        optional={"name": name, **optional},
    )


body_layer = st.one_of(
    layer(
        {"type": "conv2d", "filters": st.integers(1, 8), "kernel": pair},
        stride=pair,
        padding=padding,
        use_bias=st.booleans(),
        activation=activation,
    ),
    layer(
        {"type": st.sampled_from(["maxpool2d", "avgpool2d"])},
        pool=pair,
        stride=pair,
        padding=padding,
    ),
    layer({"type": st.sampled_from(["batchnorm", "lrn"])}),
    layer({"type": "activation", "fn": activation}),
    layer({"type": "dropout", "rate": st.sampled_from([0.0, 0.25, 0.5])}),
    layer(
        {"type": "dense", "units": st.integers(1, 6)}, activation=activation, use_bias=st.booleans()
    ),
)
head_layer = st.one_of(
    layer(
        {"type": "dense", "units": st.integers(1, 12)},
        activation=activation,
        use_bias=st.booleans(),
    ),
    layer({"type": "batchnorm"}),
    layer({"type": "activation", "fn": activation}),
)
head = st.one_of(
    st.just([]),
    st.tuples(
        layer({"type": st.sampled_from(["flatten", "globalavgpool2d", "globalmaxpool2d"])}),
        st.lists(head_layer, max_size=2),
    ).map(lambda t: [t[0], *t[1]]),
)
random_spec = st.builds(
    lambda h, w, c, body, tail: {"name": "random", "input": [h, w, c], "layers": body + tail},
    st.integers(4, 24),
    st.integers(4, 24),
    st.integers(1, 4),
    st.lists(body_layer, min_size=1, max_size=6),
    head,
)


def working_spec(raw: dict) -> NetworkSpec:
    """The spec, or a rejected example when its names clash or its shapes cannot work."""
    try:
        spec = parse_spec(raw)
        analyze(spec)
    except InputError:
        assume(False)
    return spec


# ----------------------------------------------------------------------- Keras


def engine_rows(spec: NetworkSpec) -> list[dict[str, Any]]:
    return [
        {
            "name": i.name,
            "type": i.keras_class,
            "output_shape": list(i.output_shape),
            "params": i.params,
            "trainable_params": i.trainable_params,
        }
        for i in analyze(spec).layers
    ]


def assert_keras_code_builds(spec: NetworkSpec) -> None:
    from components.keras_side.builder import import_keras
    from tests.keras_compare import keras_layer_table

    keras = import_keras()
    namespace: dict[str, Any] = {}
    try:
        exec(compile(keras_code(spec), "<keras_code>", "exec"), namespace)
        model = namespace["model"]
        assert keras_layer_table(model) == engine_rows(spec)
        assert model.count_params() == analyze(spec).total_params
    finally:
        namespace.clear()
        keras.backend.clear_session()


@pytest.mark.keras
@pytest.mark.parametrize("key", SPECS)
def test_keras_code_builds_the_engines_network(key: str) -> None:
    assert_keras_code_builds(SPECS[key])


@pytest.mark.keras
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_spec)
def test_keras_code_of_random_specs(raw: dict) -> None:
    assert_keras_code_builds(working_spec(raw))


def test_keras_code_reads_like_the_keras_example() -> None:
    """The keras.io "Simple MNIST convnet", with only Keras' defaults left out and names added."""
    code = keras_code(load_preset("mnist-convnet"))
    assert code.endswith(
        """import keras
from keras import layers

model = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=3, activation="relu", name="conv2d"),
        layers.MaxPooling2D(name="max_pooling2d"),
        layers.Conv2D(64, kernel_size=3, activation="relu", name="conv2d_1"),
        layers.MaxPooling2D(name="max_pooling2d_1"),
        layers.Flatten(name="flatten"),
        layers.Dropout(0.5, name="dropout"),
        layers.Dense(10, activation="softmax", name="dense"),
    ],
    name="mnist-convnet",
)
"""
    )
    assert '"mnist-convnet" in Keras' in code
    assert "34,826 parameters" in code


def test_keras_code_writes_only_what_differs_from_the_defaults() -> None:
    spec = parse_spec(
        {
            "input": [16, 16, 3],
            "layers": [
                {"type": "conv2d", "filters": 4, "kernel": [3, 5], "stride": 1, "use_bias": False},
                {"type": "maxpool2d", "pool": 3, "stride": 3, "padding": "same"},
                {"type": "avgpool2d", "pool": 2, "stride": [1, 2]},
            ],
        }
    )
    code = keras_code(spec)
    assert 'layers.Conv2D(4, kernel_size=(3, 5), use_bias=False, name="conv2d")' in code
    assert 'layers.MaxPooling2D(pool_size=3, padding="same", name="max_pooling2d")' in code
    # AveragePooling2D has no default pool size, unlike MaxPooling2D
    assert 'layers.AveragePooling2D(pool_size=2, strides=(1, 2), name="average_pooling2d")' in code


# --------------------------------------------------------------------- PyTorch

REQUIRED = object()
# PyTorch's constructor signatures (as documented), to bind the generated calls.
SIGNATURES: dict[str, tuple[tuple[str, Any], ...]] = {
    "Conv2d": (
        ("in_channels", REQUIRED),
        ("out_channels", REQUIRED),
        ("kernel_size", REQUIRED),
        ("stride", 1),
        ("padding", 0),
        ("dilation", 1),
        ("groups", 1),
        ("bias", True),
    ),
    "MaxPool2d": (("kernel_size", REQUIRED), ("stride", None), ("padding", 0)),
    "AvgPool2d": (("kernel_size", REQUIRED), ("stride", None), ("padding", 0)),
    "Linear": (("in_features", REQUIRED), ("out_features", REQUIRED), ("bias", True)),
    "BatchNorm2d": (("num_features", REQUIRED), ("eps", 1e-5), ("momentum", 0.1)),
    "BatchNorm1d": (("num_features", REQUIRED), ("eps", 1e-5), ("momentum", 0.1)),
    "Dropout": (("p", 0.5),),
    "Flatten": (("start_dim", 1), ("end_dim", -1)),
    "ZeroPad2d": (("padding", REQUIRED),),
    "ConstantPad2d": (("padding", REQUIRED), ("value", REQUIRED)),
    "AdaptiveAvgPool2d": (("output_size", REQUIRED),),
    "AdaptiveMaxPool2d": (("output_size", REQUIRED),),
    "LocalResponseNorm": (("size", REQUIRED), ("alpha", 1e-4), ("beta", 0.75), ("k", 1.0)),
    "ReLU": (),
    "Sigmoid": (),
    "Tanh": (),
    "Identity": (),
    "ELU": (("alpha", 1.0),),
    "SELU": (),
    "GELU": (("approximate", "none"),),
    "SiLU": (),
    "Softplus": (("beta", 1.0), ("threshold", 20.0)),
    "Softmax": (("dim", None),),
    "LeakyReLU": (("negative_slope", 0.01),),
}
# Keras' activation -> the PyTorch module computing the same function, fully bound.
TORCH_ACTIVATION: dict[str, tuple[str, dict[str, Any]]] = {
    "relu": ("ReLU", {}),
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
    "linear": ("Identity", {}),
    "elu": ("ELU", {"alpha": 1.0}),
    "selu": ("SELU", {}),
    "gelu": ("GELU", {"approximate": "none"}),
    "swish": ("SiLU", {}),
    "softplus": ("Softplus", {"beta": 1.0, "threshold": 20.0}),
    "softmax": ("Softmax", {"dim": 1}),
    "leaky_relu": ("LeakyReLU", {"negative_slope": 0.2}),
}


def two(value: Any) -> Any:
    return (value, value) if isinstance(value, int) else tuple(value)


def bind(cls: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """All arguments of a PyTorch constructor call by name, defaults filled in."""
    params = SIGNATURES[cls]
    assert len(args) <= len(params), (cls, args)
    bound = {p: v for (p, _), v in zip(params, args, strict=False)}
    assert not set(bound) & set(kwargs), (cls, args, kwargs)
    assert set(kwargs) <= {p for p, _ in params}, (cls, kwargs)
    bound |= kwargs
    for p, default in params:
        assert p in bound or default is not REQUIRED, (cls, p)
        bound.setdefault(p, default)
    for p in ("kernel_size", "stride"):
        if p in bound:
            bound[p] = two(bound[p] if bound[p] is not None else bound["kernel_size"])
    return bound


def literal(node: ast.expr) -> Any:
    """A literal of the generated code; float("-inf") is the one call allowed among them."""
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "float":
        return float(ast.literal_eval(node.args[0]))
    return ast.literal_eval(node)


def parsed_torch(code: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(key, nn class, bound arguments) of each entry of the generated nn.Sequential."""
    tree = ast.parse(code)
    (assign,) = [node for node in tree.body if isinstance(node, ast.Assign)]
    assert ast.unparse(assign.targets[0]) == "model"
    sequential = assign.value
    assert isinstance(sequential, ast.Call) and ast.unparse(sequential.func) == "nn.Sequential"
    (ordered,) = sequential.args
    assert isinstance(ordered, ast.Call) and ast.unparse(ordered.func) == "OrderedDict"
    (entries,) = ordered.args
    assert isinstance(entries, ast.List)
    out = []
    for entry in entries.elts:
        assert isinstance(entry, ast.Tuple)
        key, call = entry.elts
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
        assert ast.unparse(call.func.value) == "nn"
        args = [literal(a) for a in call.args]
        kwargs = {k.arg: literal(k.value) for k in call.keywords if k.arg}
        out.append((literal(key), call.func.attr, bind(call.func.attr, args, kwargs)))
    return out


def expected_torch(spec: NetworkSpec) -> list[list[tuple[str, dict[str, Any]]]]:
    """Per layer, the PyTorch modules that compute what Keras does, from the engine's shapes."""
    out = []
    for info in analyze(spec).layers:
        lay, shape = info.layer, info.input_shape
        modules: list[tuple[str, dict[str, Any]]] = []
        windowed = lay.type in ("conv2d", "maxpool2d", "avgpool2d")
        conv_same = lay.type == "conv2d" and lay.padding == "same" and lay.strides == (1, 1)
        if windowed and lay.padding == "same" and not conv_same and any(info.padding or ()):
            top, bottom, left, right = info.padding or ()
            sides = (left, right, top, bottom)
            if lay.type == "maxpool2d":
                modules.append(("ConstantPad2d", {"padding": sides, "value": -math.inf}))
            else:
                modules.append(("ZeroPad2d", {"padding": sides}))
        if lay.type == "conv2d":
            conv = {"in_channels": shape[-1], "out_channels": lay.filters}
            conv |= {"kernel_size": lay.kernel, "stride": lay.strides, "padding": 0}
            conv |= {"dilation": 1, "groups": 1, "bias": lay.use_bias}
            modules.append(("Conv2d", conv | {"padding": "same" if conv_same else 0}))
        elif lay.type in ("maxpool2d", "avgpool2d"):
            cls = "MaxPool2d" if lay.type == "maxpool2d" else "AvgPool2d"
            modules.append((cls, {"kernel_size": lay.pool, "stride": lay.strides, "padding": 0}))
        elif lay.type == "dense" and len(shape) == 3:
            conv = {"in_channels": shape[-1], "out_channels": lay.units, "kernel_size": (1, 1)}
            conv |= {"stride": (1, 1), "padding": 0, "dilation": 1, "groups": 1}
            modules.append(("Conv2d", conv | {"bias": lay.use_bias}))
        elif lay.type == "dense":
            linear = {"in_features": shape[-1], "out_features": lay.units, "bias": lay.use_bias}
            modules.append(("Linear", linear))
        elif lay.type == "batchnorm":
            cls = "BatchNorm2d" if len(shape) == 3 else "BatchNorm1d"
            modules.append((cls, {"num_features": shape[-1], "eps": 1e-3, "momentum": 0.01}))
        elif lay.type == "activation":
            modules.append(TORCH_ACTIVATION[lay.fn or ""])
        elif lay.type == "dropout":
            modules.append(("Dropout", {"p": lay.rate}))
        elif lay.type == "flatten":
            modules.append(("Flatten", {"start_dim": 1, "end_dim": -1}))
        elif lay.type in ("globalavgpool2d", "globalmaxpool2d"):
            cls = "AdaptiveAvgPool2d" if lay.type == "globalavgpool2d" else "AdaptiveMaxPool2d"
            modules += [(cls, {"output_size": 1}), ("Flatten", {"start_dim": 1, "end_dim": -1})]
        elif lay.type == "lrn":  # PyTorch's alpha is divided by the size
            lrn = {"size": 5, "alpha": 5 * 1e-4, "beta": 0.75, "k": 2.0}
            modules.append(("LocalResponseNorm", lrn))
        if lay.activation not in (None, "linear"):
            modules.append(TORCH_ACTIVATION[lay.activation])
        out.append(modules)
    return out


def assert_torch_code_matches(spec: NetworkSpec) -> list[tuple[str, str, dict[str, Any]]]:
    parsed = parsed_torch(torch_code(spec))
    expected = [m for modules in expected_torch(spec) for m in modules]
    assert [(cls, args) for _, cls, args in parsed] == expected
    keys = [key for key, _, _ in parsed]
    assert len(set(keys)) == len(keys)
    assert not any("." in key for key in keys)
    return parsed


@pytest.mark.parametrize("key", SPECS)
def test_torch_code_has_the_specs_layers(key: str) -> None:
    spec = SPECS[key]
    parsed = assert_torch_code_matches(spec)
    keys = {key for key, _, _ in parsed}
    assert all(info.name in keys for info in analyze(spec).layers)  # Keras names kept


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_spec)
def test_torch_code_of_random_specs(raw: dict) -> None:
    assert_torch_code_matches(working_spec(raw))


def test_torch_code_of_tiny_vgg() -> None:
    code = torch_code(load_preset("tiny-vgg"))
    assert '("conv_1_1", nn.Conv2d(3, 10, kernel_size=3)),' in code
    assert '("conv_1_1_relu", nn.ReLU()),' in code
    assert '("output", nn.Linear(1690, 10)),' in code
    assert '("output_softmax", nn.Softmax(dim=1)),' in code
    assert "channels first (C, H, W)" in code
    assert "19,920 parameters" in code
    assert "(N, 3, 64, 64)" in code


def test_torch_code_pads_strided_same_explicitly() -> None:
    spec = parse_spec(
        {
            "input": [9, 11, 2],
            "layers": [
                {"type": "conv2d", "filters": 3, "kernel": [2, 3], "stride": 2, "padding": "same"},
                {"type": "maxpool2d", "pool": 3, "stride": 2, "padding": "same"},
            ],
        }
    )
    code = torch_code(spec)
    # 9 rows: 5 outputs of stride 2 need 4·2 + 2 = 10 rows, one added at the bottom;
    # 11 columns: 6 outputs need 5·2 + 3 = 13, one each side
    assert '("conv2d_pad", nn.ZeroPad2d((1, 1, 0, 1))),' in code
    assert '("conv2d", nn.Conv2d(2, 3, kernel_size=(2, 3), stride=2)),' in code
    assert 'nn.ConstantPad2d((0, 1, 1, 1), float("-inf"))' in code


def test_torch_keys_avoid_what_pytorch_refuses() -> None:
    spec = parse_spec(
        {
            "input": [8, 8, 1],
            "layers": [
                {"type": "conv2d", "filters": 2, "kernel": 3, "activation": "relu", "name": "a.b"},
                {"type": "conv2d", "filters": 2, "kernel": 3, "name": "a_b"},
                {"type": "flatten", "name": "eval"},
                {"type": "dense", "units": 3, "name": "forward"},
            ],
        }
    )
    keys = [key for key, _, _ in assert_torch_code_matches(spec)]
    assert keys == ["a_b", "a_b_relu", "a_b_1", "eval_", "forward_"]
    assert '# Keras name "a.b".' in torch_code(spec)


# ------------------------------------------------------- all specs, any names


def test_generated_code_is_lint_and_format_clean(tmp_path: Path) -> None:
    """What a student copies passes ruff (no unused import, no undefined name) unchanged."""
    for key, spec in SPECS.items():
        for maker in (keras_code, torch_code):
            (tmp_path / f"{key}_{maker.__name__}.py").write_text(maker(spec), encoding="utf-8")
    for args in (["check", "--select", "E,F,W,I"], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--isolated", "--line-length", "100", tmp_path],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_codegen_imports_no_framework() -> None:
    """The engine writes the code; only whoever runs it needs Keras or PyTorch."""
    code = (
        "import sys\n"
        "from components.engine.codegen import keras_code, torch_code\n"
        "from components.engine.vgg import vgg_spec\n"
        "spec = vgg_spec('vgg11-lrn_bn')\n"
        "keras_code(spec), torch_code(spec)\n"
        "bad = [m for m in ('tensorflow', 'keras', 'torch', 'streamlit') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


HOSTILE = [
    'x")\nimport os\nos.system("echo pwned")  #',
    "a'b\"c\\",
    "\u2028\x00\r",
    "name # comment",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_validation_refuses_odd_names(hostile: str) -> None:
    raw = {"input": [8, 8, 1], "layers": [{"type": "flatten", "name": hostile}]}
    with raises_saying("not allowed"):
        parse_spec(raw)


def statements(code: str) -> list[str]:
    return [type(node).__name__ for node in ast.parse(code).body]


@settings(max_examples=60, deadline=None)
@given(
    st.text(min_size=1, max_size=64),
    st.lists(st.text(min_size=1), min_size=2, max_size=2, unique=True),
)
def test_odd_names_stay_strings(spec_name: str, names: list[str]) -> None:
    """A spec built without validation still cannot put code into the output."""
    spec = NetworkSpec(
        spec_name,
        (8, 8, 1),
        (
            Layer("conv2d", name=names[0], filters=2, kernel=(3, 3), activation="relu"),
            Layer("flatten", name=names[1]),
        ),
    )
    keras_src, torch_src = keras_code(spec), torch_code(spec)
    assert statements(keras_src) == ["Import", "ImportFrom", "Assign"]
    calls = [n for n in ast.walk(ast.parse(keras_src)) if isinstance(n, ast.Call)]
    given_names = [literal(k.value) for c in calls for k in c.keywords if k.arg == "name"]
    assert given_names[1:] == names  # after the model's own name
    assert statements(torch_src) == ["ImportFrom", "ImportFrom", "Assign"]
    assert len(parsed_torch(torch_src)) == 3  # conv, its relu, flatten
    for code in (keras_src, torch_src):
        first = code.splitlines()[0]
        assert first.startswith("# ") and repr(spec_name)[1:-1][:10] in first


# ------------------------------------------------------- with PyTorch installed


@pytest.fixture(scope="module")
def torch() -> Any:
    return pytest.importorskip("torch")


def run_torch(torch: Any, spec: NetworkSpec) -> Any:
    """The generated model, built on the meta device (no initialisation) and moved to the CPU
    without values: only shapes and counts matter. (Running on meta would import TorchDynamo,
    whose LLVM aborts the process when TensorFlow's is loaded.)"""
    namespace: dict[str, Any] = {}
    with torch.device("meta"):
        exec(compile(torch_code(spec), "<torch_code>", "exec"), namespace)
    return namespace["model"].to_empty(device="cpu").eval()


def assert_torch_runs(torch: Any, spec: NetworkSpec) -> None:
    analysis = analyze(spec)
    model = run_torch(torch, spec)
    params = sum(p.numel() for p in model.parameters())
    stats = sum(b.numel() for n, b in model.named_buffers() if n.endswith(("_mean", "_var")))
    assert params == analysis.trainable_params
    assert params + stats == analysis.total_params
    h, w, c = spec.input_shape
    x = torch.zeros(1, c, h, w)
    modules = iter(model)
    for info, expected in zip(analysis.layers, expected_torch(spec), strict=True):
        with torch.no_grad():
            for _ in expected:
                x = next(modules)(x)
        shape = info.output_shape
        assert tuple(x.shape[1:]) == (shape if len(shape) == 1 else (shape[2], *shape[:2]))


@pytest.mark.parametrize("key", SPECS)
def test_torch_code_runs(torch: Any, key: str) -> None:
    assert_torch_runs(torch, SPECS[key])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(raw=random_spec)
def test_torch_code_of_random_specs_runs(torch: Any, raw: dict) -> None:
    assert_torch_runs(torch, working_spec(raw))


def test_torch_keys_that_are_module_attributes(torch: Any) -> None:
    """Every attribute name of nn.Sequential a layer could take still gives working code."""
    taken = [n for n in dir(torch.nn.Sequential()) if n[0].isalpha()]
    for chunk in range(0, len(taken), 20):
        layers = [
            {"type": "activation", "fn": "relu", "name": n} for n in taken[chunk : chunk + 20]
        ]
        run_torch(torch, parse_spec({"input": [2, 2, 1], "layers": layers}))


WEIGHTLESS = [
    {"type": "lrn"},
    {"type": "maxpool2d", "pool": 3, "stride": 2, "padding": "same"},
    {"type": "maxpool2d", "pool": [2, 3], "stride": 1, "padding": "same"},
    {"type": "avgpool2d", "pool": 3, "stride": [2, 1]},
    {"type": "globalavgpool2d"},
    {"type": "globalmaxpool2d"},
    *({"type": "activation", "fn": fn} for fn in ACTIVATIONS),
]


@pytest.mark.keras
@pytest.mark.parametrize("raw", WEIGHTLESS, ids=lambda r: r.get("fn", r["type"]))
def test_keras_and_torch_code_compute_the_same(torch: Any, raw: dict) -> None:
    """Layers without weights give the same numbers in both generated models."""
    from components.keras_side.builder import import_keras

    keras = import_keras()
    spec = parse_spec({"input": [7, 6, 4], "layers": [raw]})
    x = np.random.default_rng(0).normal(0, 3, (2, 7, 6, 4)).astype("float32")
    namespace: dict[str, Any] = {}
    exec(compile(keras_code(spec), "<keras_code>", "exec"), namespace)
    expected = np.asarray(namespace["model"](x))
    keras.backend.clear_session()
    exec(compile(torch_code(spec), "<torch_code>", "exec"), namespace)
    got = namespace["model"](torch.from_numpy(x).permute(0, 3, 1, 2)).detach().numpy()
    if got.ndim == 4:
        got = got.transpose(0, 2, 3, 1)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
