"""Weights sources: files the tests make themselves, checked layer by layer; offline fails fast."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from components.engine.analysis import analyze
from components.engine.spec import parse_spec
from components.engine.vgg import vgg_spec
from components.keras_side import weights
from tests.weights_files import write_legacy_h5

SMALL = {
    "name": "small",
    "input": [16, 16, 3],
    "layers": [
        {"type": "conv2d", "name": "block1_conv1", "filters": 4, "kernel": 3, "padding": "same"},
        {"type": "batchnorm", "name": "block1_bn"},
        {"type": "maxpool2d", "name": "block1_pool", "pool": 2},
        {"type": "flatten", "name": "flatten"},
        {"type": "dense", "name": "predictions", "units": 5, "activation": "softmax"},
    ],
}


def small_spec(filters: int = 4):
    data = {**SMALL, "layers": [dict(SMALL["layers"][0], filters=filters), *SMALL["layers"][1:]]}
    return parse_spec(data)


def build(spec, seed: int):
    from components.keras_side.builder import build_model, import_keras

    import_keras().utils.set_random_seed(seed)
    return build_model(spec)


def key_of(call, *args) -> weights.WeightsError:
    with pytest.raises(weights.WeightsError) as info:
        call(*args)
    return info.value


# ------------------------------------------------------------------ Keras files


@pytest.mark.keras
def test_weights_h5_round_trip_from_path_and_bytes(tmp_path: Path) -> None:
    source, target = build(small_spec(), 1), build(small_spec(), 2)
    path = tmp_path / "small.weights.h5"
    source.save_weights(path)
    x = np.random.default_rng(0).normal(size=(1, 16, 16, 3)).astype(np.float32)
    assert not np.allclose(source(x), target(x))
    for origin in (path, path.read_bytes()):
        target = build(small_spec(), 2)
        assert weights.assign(target, weights.read_keras_weights(origin)) == ()
        np.testing.assert_allclose(target(x), source(x), rtol=1e-6)


@pytest.mark.keras
def test_legacy_h5_like_the_files_keras_downloads(tmp_path: Path) -> None:
    source, target = build(small_spec(), 1), build(small_spec(), 2)
    path = tmp_path / "small_tf_dim_ordering_tf_kernels.h5"
    write_legacy_h5(source, path)
    weights.assign(target, weights.read_keras_weights(path))
    x = np.ones((1, 16, 16, 3), np.float32)
    np.testing.assert_allclose(target(x), source(x), rtol=1e-6)


@pytest.mark.keras
def test_weights_for_another_architecture_are_refused_layer_by_layer(tmp_path: Path) -> None:
    path = tmp_path / "wide.weights.h5"
    build(small_spec(filters=8), 1).save_weights(path)
    error = key_of(weights.assign, build(small_spec(), 2), weights.read_keras_weights(path))
    assert error.code == "act.err.other_arch"  # not one layer fits
    details = {d.values["layer"]: d for d in error.issues[1:]}
    assert details["block1_conv1"].values == {
        "layer": "block1_conv1",
        "found": "3×3×3×8, 8",
        "expected": "3×3×3×4, 4",
    }
    assert details.keys() == {"block1_conv1", "block1_bn", "predictions"}


@pytest.mark.keras
def test_one_mismatched_layer_is_named(tmp_path: Path) -> None:
    data = {**SMALL, "layers": [*SMALL["layers"][:-1], dict(SMALL["layers"][-1], units=7)]}
    path = tmp_path / "seven.weights.h5"
    build(parse_spec(data), 1).save_weights(path)
    error = key_of(weights.assign, build(small_spec(), 2), weights.read_keras_weights(path))
    assert error.code == "act.err.mismatch" and error.issues[0].values == {"count": 1, "layers": 3}
    assert [d.values["layer"] for d in error.issues[1:]] == ["predictions"]


@pytest.mark.keras
def test_extra_layers_mean_another_network_but_a_head_is_skipped(tmp_path: Path) -> None:
    deeper = {**SMALL, "layers": [SMALL["layers"][0], dict(SMALL["layers"][0], name="extra"),
                                  *SMALL["layers"][1:]]}  # fmt: skip
    deeper["layers"][1]["filters"], deeper["layers"][1]["padding"] = 4, "same"
    path = tmp_path / "deeper.weights.h5"
    build(parse_spec(deeper), 1).save_weights(path)
    error = key_of(weights.assign, build(small_spec(), 2), weights.read_keras_weights(path))
    assert [(d.code, d.values["layer"]) for d in error.issues[1:]] == [
        ("act.detail.extra_layer", "extra")
    ]
    headless = parse_spec({**SMALL, "layers": SMALL["layers"][:3]})
    path = tmp_path / "small.weights.h5"
    build(small_spec(), 1).save_weights(path)
    notes = weights.assign(build(headless, 2), weights.read_keras_weights(path))
    assert [(n.code, n.values) for n in notes] == [
        ("act.note.extra_layers", {"layers": "predictions"})
    ]


@pytest.mark.keras
def test_file_of_an_unrelated_network_says_so(tmp_path: Path) -> None:
    other = parse_spec(
        {"name": "o", "input": [8, 8, 1], "layers": [{"type": "dense", "units": 3, "name": "x"}]}
    )
    path = tmp_path / "other.weights.h5"
    build(other, 0).save_weights(path)
    error = key_of(weights.assign, build(small_spec(), 2), weights.read_keras_weights(path))
    assert error.code == "act.err.other_arch"
    assert {d.code for d in error.issues[1:]} == {
        "act.detail.missing_layer",
        "act.detail.extra_layer",
    }


def test_corrupted_h5_is_refused(tmp_path: Path) -> None:
    assert key_of(weights.read_keras_weights, b"").code == "act.err.h5_corrupt"
    assert key_of(weights.read_keras_weights, b"\x89HDF\r\n\x1a\n" + b"\0" * 500).code == (
        "act.err.h5_corrupt"
    )
    path = tmp_path / "junk.h5"
    path.write_bytes(b"not hdf5 at all" * 100)
    assert key_of(weights.read_keras_weights, path).code == "act.err.h5_corrupt"


def test_h5_without_keras_layout_is_refused(tmp_path: Path) -> None:
    import h5py

    path = tmp_path / "plain.h5"
    with h5py.File(path, "w") as f:
        f["data"] = np.zeros(3)
    assert key_of(weights.read_keras_weights, path).code == "act.err.h5_layout"


@pytest.mark.keras
def test_truncated_weights_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "small.weights.h5"
    build(small_spec(), 1).save_weights(path)
    data = path.read_bytes()
    assert key_of(weights.read_keras_weights, data[: len(data) // 2]).code == "act.err.h5_corrupt"


# ------------------------------------------------------------------ torchvision state dicts


def torch_state_dict(spec, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A torchvision-layout VGG state dict (OIHW kernels, (out, in) Linear) of random values."""
    out: dict[str, np.ndarray] = {}
    for info in analyze(spec).layers:
        layer, name = info.layer, info.layer.torch_name
        if layer.type == "conv2d":
            cin, cout = info.input_shape[2], layer.filters
            out[f"{name}.weight"] = rng.normal(0, (2 / (9 * cin)) ** 0.5, (cout, cin, 3, 3))
            out[f"{name}.bias"] = rng.normal(0, 0.1, cout)
        elif layer.type == "batchnorm":
            c = info.output_shape[2]
            out[f"{name}.weight"] = rng.uniform(0.5, 1.5, c)
            out[f"{name}.bias"] = rng.normal(0, 0.1, c)
            out[f"{name}.running_mean"] = rng.normal(0, 0.1, c)
            out[f"{name}.running_var"] = rng.uniform(0.0005, 2, c)  # some below Keras' epsilon
            out[f"{name}.num_batches_tracked"] = np.array(7)
        elif layer.type == "dense":
            n_in = info.input_shape[0]
            out[f"{name}.weight"] = rng.normal(0, (1 / n_in) ** 0.5, (layer.units, n_in))
            out[f"{name}.bias"] = rng.normal(0, 0.1, layer.units)
    return {k: v.astype(np.float32) for k, v in out.items()}


def torch_forward(spec, sd: dict[str, np.ndarray], image_chw: np.ndarray) -> np.ndarray:
    """PyTorch's VGG in NumPy, channels first, as torchvision computes it."""
    x = image_chw.astype(np.float64)
    for info in analyze(spec).layers:
        layer, name = info.layer, info.layer.torch_name
        if layer.type == "conv2d":
            padded = np.pad(x, ((0, 0), (1, 1), (1, 1)))
            windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(1, 2))
            x = np.einsum("chwij,ocij->ohw", windows, sd[f"{name}.weight"])
            x = x + sd[f"{name}.bias"][:, None, None]
        elif layer.type == "batchnorm":
            g, b, m, v = (
                sd[f"{name}.{k}"] for k in ("weight", "bias", "running_mean", "running_var")
            )
            x = (x - m[:, None, None]) / np.sqrt(v[:, None, None] + 1e-5) * g[:, None, None]
            x = x + b[:, None, None]
        elif layer.type == "maxpool2d":
            c, h, w = x.shape
            x = x.reshape(c, h // 2, 2, w // 2, 2).max(axis=(2, 4))
        elif layer.type == "flatten":
            x = x.reshape(-1)  # channels first, as torch.flatten does
        elif layer.type == "dense":
            x = sd[f"{name}.weight"] @ x + sd[f"{name}.bias"]
        if layer.activation == "relu" or layer.fn == "relu":
            x = np.maximum(x, 0)
        if layer.activation == "softmax":
            x = np.exp(x - x.max())
            x = x / x.sum()
    return x


def keras_output(spec, sd, image_chw) -> np.ndarray:
    model = build(spec, 3)
    arrays, notes = weights.torch_to_keras(spec, model, sd)
    weights.assign(model, arrays)
    return np.asarray(model(image_chw.transpose(1, 2, 0)[None].astype(np.float32)))[0], notes


@pytest.mark.keras
def test_torchvision_vgg11_with_head_matches_numpy_reference(tmp_path: Path) -> None:
    """64×64 input: fc1 sees 2×2×512, so the channels-first → channels-last reorder matters."""
    from safetensors.numpy import save_file

    spec = vgg_spec("vgg11", (64, 64, 3), classes=10)
    rng = np.random.default_rng(0)
    sd = torch_state_dict(spec, rng)
    path = tmp_path / "vgg11.safetensors"
    save_file(sd, str(path))
    image = rng.normal(0, 1, (3, 64, 64))
    with weights.trusted_torch_tensors(path) as lazy:  # a verified file: read tensor by tensor
        assert set(lazy) == set(sd) and lazy.shape("classifier.0.weight") == (4096, 2048)
        got, notes = keras_output(spec, lazy, image)
    with weights.torch_tensors(path) as sandboxed:  # an untrusted one: read in a child process
        assert set(sandboxed) == set(sd)
        assert np.array_equal(keras_output(spec, sandboxed, image)[0], got)
    expected = torch_forward(spec, sd, image)
    assert notes == ()
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-5)
    assert got.argmax() == expected.argmax()


@pytest.mark.keras
def test_torchvision_vgg11_bn_matches_numpy_reference_and_ignores_the_head() -> None:
    spec = vgg_spec("vgg11_bn", (32, 32, 3), include_top=False)
    rng = np.random.default_rng(1)
    with_head = torch_state_dict(vgg_spec("vgg11_bn", (32, 32, 3), classes=3), rng)
    image = rng.normal(0, 1, (3, 32, 32))
    got, notes = keras_output(spec, with_head, image)
    expected = torch_forward(spec, with_head, image)
    np.testing.assert_allclose(got, expected.transpose(1, 2, 0), rtol=1e-3, atol=1e-4)
    assert [n.code for n in notes] == ["act.note.head_skipped"]
    assert notes[0].values == {"count": 6}


@pytest.mark.keras
def test_timm_head_names_and_linear_as_conv() -> None:
    """timm's pre_logits.fc1 is a 7×7-style conv; the converter maps it to the Dense fc1."""
    spec = vgg_spec("vgg11", (64, 64, 3), classes=4)
    rng = np.random.default_rng(2)
    sd = torch_state_dict(spec, rng)
    timm = {k: v for k, v in sd.items() if not k.startswith("classifier.")}
    timm["pre_logits.fc1.weight"] = sd["classifier.0.weight"].reshape(4096, 512, 2, 2)
    timm["pre_logits.fc1.bias"] = sd["classifier.0.bias"]
    timm["pre_logits.fc2.weight"] = sd["classifier.3.weight"][:, :, None, None]
    timm["pre_logits.fc2.bias"] = sd["classifier.3.bias"]
    timm["head.fc.weight"], timm["head.fc.bias"] = (
        sd["classifier.6.weight"],
        sd["classifier.6.bias"],
    )
    image = rng.normal(0, 1, (3, 64, 64))
    got, _ = keras_output(spec, timm, image)
    np.testing.assert_allclose(got, torch_forward(spec, sd, image), rtol=1e-3, atol=1e-5)


@pytest.fixture(scope="module")
def vgg11_notop():
    spec = vgg_spec("vgg11", (32, 32, 3), include_top=False)
    return spec, build(spec, 0), torch_state_dict(spec, np.random.default_rng(3))


@pytest.mark.keras
def test_safetensors_with_a_missing_key(vgg11_notop) -> None:
    spec, model, sd = vgg11_notop
    broken = {k: v for k, v in sd.items() if k != "features.3.bias"}
    error = key_of(weights.torch_to_keras, spec, model, broken)
    assert error.code == "act.err.torch_keys"
    assert [(d.code, d.values) for d in error.issues[1:]] == [
        ("act.detail.missing_key", {"tensor": "features.3.bias"})
    ]


@pytest.mark.keras
def test_safetensors_with_an_extra_key(vgg11_notop) -> None:
    spec, model, sd = vgg11_notop
    error = key_of(weights.torch_to_keras, spec, model, {**sd, "features.99.weight": np.zeros(3)})
    assert error.code == "act.err.torch_keys"
    assert [d.values["tensor"] for d in error.issues[1:]] == ["features.99.weight"]


@pytest.mark.keras
def test_safetensors_of_vgg16_into_vgg11_is_refused(vgg11_notop) -> None:
    spec, model, _ = vgg11_notop
    sd16 = torch_state_dict(
        vgg_spec("vgg16", (32, 32, 3), include_top=False), np.random.default_rng(4)
    )
    error = key_of(weights.torch_to_keras, spec, model, sd16)
    assert error.code == "act.err.torch_keys"
    found = [d.code for d in error.issues[1:]]
    assert found.count("act.detail.missing_key") == found.count("act.detail.extra_key") == 6
    assert (
        error.issues[0].values["count"] == 7 + 24
    )  # 7 layers missing, 12 layers × 2 tensors extra


def test_corrupted_safetensors_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.safetensors"
    path.write_bytes(b"\xff" * 64)
    with (
        pytest.raises(weights.WeightsError, match="safetensors_corrupt"),
        weights.torch_tensors(path),
    ):
        pass
    assert key_of(weights.read_safetensors, b"").code == "act.err.safetensors_corrupt"
    assert key_of(weights.read_safetensors, b"\x10\0\0\0\0\0\0\0{not json}......").code == (
        "act.err.safetensors_corrupt"
    )


def test_file_suffixes() -> None:
    assert weights.source_suffix("x.weights.h5") == weights.source_suffix("Y.H5") == "keras"
    assert weights.source_suffix("vgg16.safetensors") == "torch"
    assert weights.source_suffix("vgg16.pth") == weights.source_suffix("vgg16.pt") == ""


# ------------------------------------------------------------------ ImageNet, offline


@pytest.mark.keras
def test_imagenet_file_for_vgg16_and_vgg19_only() -> None:
    file = weights.imagenet_file(vgg_spec("vgg16"))
    assert (file.arch, file.include_top) == ("vgg16", True)
    assert file.url.endswith("vgg16_weights_tf_dim_ordering_tf_kernels.h5")
    assert file.approx_bytes == 138_357_544 * 4
    notop = weights.imagenet_file(vgg_spec("vgg19", (320, 320, 3), include_top=False))
    assert notop.url.endswith("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5")
    for spec in (
        vgg_spec("vgg16_bn"),
        vgg_spec("vgg13"),
        vgg_spec("vgg16", (320, 320, 3)),  # a head only fits at 224
        vgg_spec("vgg16", classes=10),
    ):
        assert key_of(weights.imagenet_file, spec).code == "act.err.imagenet_arch"


def offline_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> weights.ImagenetFile:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    return weights.ImagenetFile("vgg16", False, url, 58_889_256)


def test_refused_connection_fails_in_seconds(tmp_path, monkeypatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    file = offline_file(tmp_path, monkeypatch, f"http://127.0.0.1:{port}/vgg16_notop.h5")
    start = time.perf_counter()
    error = key_of(weights.download_imagenet, file, None, 2.0)
    assert time.perf_counter() - start < 5
    assert error.code == "act.err.offline" and error.issues[0].values["path"] == str(file.path)
    assert not file.cached and not list(tmp_path.rglob("*.part"))


def test_silent_server_times_out_in_seconds(tmp_path, monkeypatch) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)  # accepts the connection, never answers
    port = server.getsockname()[1]
    file = offline_file(tmp_path, monkeypatch, f"http://127.0.0.1:{port}/vgg16_notop.h5")
    start = time.perf_counter()
    try:
        assert key_of(weights.download_imagenet, file, None, 1.0).code == "act.err.offline"
    finally:
        server.close()
    assert time.perf_counter() - start < 5


def test_unresolvable_host_fails_in_seconds(tmp_path, monkeypatch) -> None:
    file = offline_file(tmp_path, monkeypatch, "https://weights.invalid/vgg16_notop.h5")
    start = time.perf_counter()
    assert key_of(weights.download_imagenet, file, None, 2.0).code == "act.err.offline"
    assert time.perf_counter() - start < 5


def serve(payload: bytes, claimed: int):
    """A local HTTP server sending ``payload`` while announcing ``claimed`` bytes."""
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(claimed))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_download_with_progress_into_the_keras_cache(tmp_path, monkeypatch) -> None:
    payload = bytes(range(256)) * 5000  # 1.28 MB: two chunks
    server = serve(payload, len(payload))
    try:
        url = f"http://127.0.0.1:{server.server_port}/vgg16_notop.h5"
        file = offline_file(tmp_path, monkeypatch, url)
        seen: list[tuple[int, int | None]] = []
        path = weights.download_imagenet(file, lambda done, total: seen.append((done, total)), 2.0)
    finally:
        server.shutdown()
    assert path == tmp_path / "models" / "vgg16_notop.h5" and path.read_bytes() == payload
    assert seen[-1] == (len(payload), len(payload)) and len(seen) == 2
    assert file.cached


def test_interrupted_download_leaves_nothing_behind(tmp_path, monkeypatch) -> None:
    server = serve(b"x" * 1000, 5000)  # the connection closes after 1,000 of 5,000 bytes
    try:
        url = f"http://127.0.0.1:{server.server_port}/vgg16_notop.h5"
        file = offline_file(tmp_path, monkeypatch, url)
        error = key_of(weights.download_imagenet, file, None, 2.0)
    finally:
        server.shutdown()
    assert error.code == "act.err.download_short" and error.issues[0].values["done"] == 1000
    assert not file.cached and not list(tmp_path.rglob("*.part"))
