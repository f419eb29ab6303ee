"""Trained weights from the Hub, offline: a fake Hub on loopback, files the tests make."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save, save_file

from components.engine.spec import Layer, NetworkSpec
from components.engine.vgg import vgg_spec
from components.keras_side import hub
from components.keras_side.weights import WeightsError
from tests.fake_hub import Hub, serve

COMMIT = "0123456789abcdef0123456789abcdef01234567"
REPO = "test/tiny.tv_in1k"


@pytest.fixture(autouse=True)
def hub_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "hf"
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    return cache


def payload(n: int = 300_000, seed: int = 0) -> bytes:
    values = np.random.default_rng(seed).normal(size=n).astype(np.float32)
    return save({"features.0.weight": values})


def tiny_file(sha256: str | None = None, revision: str = COMMIT) -> hub.HubFile:
    return hub.HubFile("vgg11", REPO, revision, sha256)


def error_of(call, *args, **kwargs) -> WeightsError:
    with pytest.raises(WeightsError) as info:
        call(*args, **kwargs)
    return info.value


def gets(fake: Hub) -> list[str | None]:
    """Range headers of the file downloads (the client's own other requests left out)."""
    return [rng for method, path, rng in fake.requests if method == "GET" and "/resolve/" in path]


# ------------------------------------------------------------------ download, cache, offline


def test_first_download_with_progress_then_the_cache_is_reused(monkeypatch, hub_env) -> None:
    data = payload()
    with serve(Hub()) as fake:
        sha = fake.add(REPO, COMMIT, hub.FILENAME, data)
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        seen: list[hub.Progress] = []
        path = hub.fetch(tiny_file(), seen.append)
        assert path.read_bytes() == data and Path(path).resolve().name == sha
        assert str(hub_env) in str(path) and COMMIT in str(path)
        assert seen and seen[-1].done == seen[-1].total == len(data)
        assert gets(fake) == [None]
        before = len(fake.requests)
        assert hub.fetch(tiny_file()) == path  # cached: no request at all
        assert len(fake.requests) == before
        state = hub.status(tiny_file())
        assert state.cached and state.bytes_on_disk == len(data) and state.path == str(path)


def test_offline_with_the_cache_uses_it_without_network(monkeypatch) -> None:
    with serve(Hub()) as fake:
        fake.add(REPO, COMMIT, hub.FILENAME, payload())
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        path = hub.fetch(tiny_file())
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # and the server is gone
    hub._VERIFIED.clear()
    assert hub.fetch(tiny_file()) == path
    assert hub.ready_file(tiny_file()) == path


def test_offline_without_the_cache_says_so_at_once(monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    error = error_of(hub.fetch, tiny_file())
    assert error.code == "hub.err.offline_mode" and error.issues[0].values["variant"] == "vgg11"
    assert time.perf_counter() - start < 1
    assert error_of(hub.ready_file, tiny_file()).code == "hub.err.not_cached"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_hub_fails_in_seconds(monkeypatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    start = time.perf_counter()
    assert error_of(hub.fetch, tiny_file(), timeout=2).code == "hub.err.offline"
    assert time.perf_counter() - start < 5


def test_silent_hub_fails_in_seconds(monkeypatch) -> None:
    """It accepts the connection and never answers: the metadata timeout ends it."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{silent.getsockname()[1]}")
        start = time.perf_counter()
        assert error_of(hub.fetch, tiny_file()).code == "hub.err.offline"
        assert time.perf_counter() - start < hub.ETAG_TIMEOUT + 5


def test_dropped_connection_resumes_with_a_range_request(monkeypatch) -> None:
    """Cut after 12 MB: the client keeps what it wrote (whole 10 MB chunks) and asks for
    the rest with a Range request; the result is checked against the Hub's SHA-256."""
    data = payload(3_500_000)
    with serve(Hub(drop_first_get_after=12_000_000)) as fake:
        fake.add(REPO, COMMIT, hub.FILENAME, data)
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        path = hub.fetch(tiny_file())
        assert path.read_bytes() == data
        first, retry = gets(fake)
        assert first is None and re.fullmatch(r"bytes=[1-9][0-9]*-", retry or "")


def test_failed_download_keeps_nothing_and_the_next_fetch_works(monkeypatch, hub_env) -> None:
    data = payload()
    with serve(Hub(get_status=500)) as fake:
        fake.add(REPO, COMMIT, hub.FILENAME, data)
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        error = error_of(hub.fetch, tiny_file())
        assert error.code == "hub.err.download_failed"
        assert hub.cached_path(tiny_file()) is None
        assert not [p for p in hub_env.rglob("*") if p.is_file() and p.stat().st_size > 1000]
        fake.get_status = 200
        assert hub.fetch(tiny_file()).read_bytes() == data


def test_bytes_that_do_not_match_the_hub_sha256_are_refused_and_deleted(monkeypatch) -> None:
    data = payload()
    with serve(Hub(corrupt=True)) as fake:
        fake.add(REPO, COMMIT, hub.FILENAME, data)
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        error = error_of(hub.fetch, tiny_file())
        assert error.code == "hub.err.checksum"
        assert hub.cached_path(tiny_file()) is None  # never loadable
        fake.corrupt = False
        assert hub.fetch(tiny_file()).read_bytes() == data  # fetch again: fine


def test_a_pinned_sha256_is_checked_before_anything_is_downloaded(monkeypatch) -> None:
    with serve(Hub()) as fake:
        fake.add(REPO, COMMIT, hub.FILENAME, payload())
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        error = error_of(hub.fetch, tiny_file(sha256="ab" * 32))
        assert error.code == "hub.err.checksum" and error.issues[0].values["expected"] == "ab" * 6
        assert gets(fake) == []


def test_a_file_changed_on_disk_is_refused(monkeypatch) -> None:
    with serve(Hub()) as fake:
        sha = fake.add(REPO, COMMIT, hub.FILENAME, payload())
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        path = hub.fetch(tiny_file(sha256=sha))
    blob = path.resolve()
    raw = bytearray(blob.read_bytes())
    raw[-1] ^= 0xFF
    blob.write_bytes(bytes(raw))
    assert error_of(hub.ready_file, tiny_file(sha256=sha)).code == "hub.err.checksum"
    assert hub.cached_path(tiny_file(sha256=sha)) is None


def test_an_unknown_revision_says_the_pin_may_be_wrong(monkeypatch) -> None:
    with serve(Hub()) as fake:
        fake.add(REPO, COMMIT, hub.FILENAME, payload())
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        error = error_of(hub.fetch, tiny_file(revision="f" * 40))
        assert error.code == "hub.err.not_found" and error.issues[0].values["repo"] == REPO


def test_progress_time_left() -> None:
    assert hub.Progress(25, 100, 5.0).seconds_left == pytest.approx(15.0)
    assert hub.Progress(0, 100, 1.0).seconds_left is None
    assert hub.Progress(10, None, 1.0).seconds_left is None


# ------------------------------------------------------------------ the pin table, which file fits


def test_the_pin_table_holds_all_eight_variants_as_data() -> None:
    assert sorted(hub.HUB_FILES) == sorted(
        f"vgg{n}{bn}" for n in (11, 13, 16, 19) for bn in ("", "_bn")
    )
    for variant, file in hub.HUB_FILES.items():
        assert file.repo_id == f"timm/{variant}.tv_in1k"
        assert file.revision == "main" or re.fullmatch(r"[0-9a-f]{40}", file.revision)
        assert file.sha256 is None or re.fullmatch(r"[0-9a-f]{64}", file.sha256)
        assert 500e6 < file.approx_bytes < 600e6  # 133–144 M parameters × 4 bytes


@pytest.mark.parametrize(
    ("arch", "kwargs", "variant"),
    [
        ("vgg16_bn", {}, "vgg16_bn"),
        ("vgg13", {"include_top": False, "input_shape": (64, 96, 3)}, "vgg13"),
        ("vgg19", {"fc_as_conv": True, "input_shape": (320, 320, 3)}, "vgg19"),
        ("vgg11", {"batch_norm": True, "fc_as_conv": True}, "vgg11_bn"),
        ("vgg16", {"input_shape": (64, 64, 3)}, None),  # dense head: 224 only
        ("vgg16", {"classes": 10}, None),
        ("vgg16-c", {}, None),
        ("vgg11-lrn", {}, None),
        ("vgg11", {"include_top": False, "input_shape": (64, 64, 1)}, None),
    ],
)
def test_which_variant_fits_a_network(arch, kwargs, variant) -> None:
    found = hub.hub_file_for(vgg_spec(arch, **kwargs))
    assert (found.variant if found else None) == variant


# ------------------------------------------------------------------ tiny timm-layout network


def tiny_spec(fcconv: bool) -> NetworkSpec:
    """Two conv blocks to 7×7×8, then timm's head: fc1 a 7×7 conv, fc2 1×1, head.fc."""
    layers = [
        Layer("conv2d", "block1_conv1", filters=4, kernel=(3, 3), padding="same",
              activation="relu", torch_name="features.0"),
        Layer("maxpool2d", "block1_pool", pool=(2, 2), torch_name="features.2"),
        Layer("conv2d", "block2_conv1", filters=8, kernel=(3, 3), padding="same",
              activation="relu", torch_name="features.3"),
        Layer("maxpool2d", "block2_pool", pool=(2, 2), torch_name="features.5"),
    ]  # fmt: skip
    if fcconv:
        layers += [
            Layer("conv2d", "fc1", filters=6, kernel=(7, 7), activation="relu"),
            Layer("conv2d", "fc2", filters=6, kernel=(1, 1), activation="relu"),
            Layer("conv2d", "predictions", filters=5, kernel=(1, 1), activation="softmax"),
        ]
    else:
        layers += [
            Layer("flatten", "flatten"),
            Layer("dense", "fc1", units=6, activation="relu"),
            Layer("dense", "fc2", units=6, activation="relu"),
            Layer("dense", "predictions", units=5, activation="softmax"),
        ]
    return NetworkSpec("tiny", (28, 28, 3), tuple(layers))


def tiny_timm(rng: np.random.Generator) -> dict[str, np.ndarray]:
    shapes = {
        "features.0.weight": (4, 3, 3, 3), "features.0.bias": (4,),
        "features.3.weight": (8, 4, 3, 3), "features.3.bias": (8,),
        "pre_logits.fc1.weight": (6, 8, 7, 7), "pre_logits.fc1.bias": (6,),
        "pre_logits.fc2.weight": (6, 6, 1, 1), "pre_logits.fc2.bias": (6,),
        "head.fc.weight": (5, 6), "head.fc.bias": (5,),
    }  # fmt: skip
    return {k: rng.normal(0, 0.3, s).astype(np.float32) for k, s in shapes.items()}


def conv_chw(x: np.ndarray, w: np.ndarray, b: np.ndarray, pad: int) -> np.ndarray:
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, w.shape[2:], axis=(1, 2))
    return np.einsum("chwij,ocij->ohw", windows, w) + b[:, None, None]


def timm_forward(sd: dict[str, np.ndarray], image_chw: np.ndarray) -> np.ndarray:
    """timm's VGG in NumPy, channels first: pre_logits.fc1 is a 7×7 convolution."""
    x = image_chw.astype(np.float64)
    for name in ("features.0", "features.3"):
        x = np.maximum(conv_chw(x, sd[f"{name}.weight"], sd[f"{name}.bias"], 1), 0)
        c, h, w = x.shape
        x = x.reshape(c, h // 2, 2, w // 2, 2).max(axis=(2, 4))
    x = np.maximum(conv_chw(x, sd["pre_logits.fc1.weight"], sd["pre_logits.fc1.bias"], 0), 0)
    x = np.maximum(conv_chw(x, sd["pre_logits.fc2.weight"], sd["pre_logits.fc2.bias"], 0), 0)
    logits = sd["head.fc.weight"] @ x.reshape(-1) + sd["head.fc.bias"]
    e = np.exp(logits - logits.max())
    return e / e.sum()


@pytest.mark.keras
@pytest.mark.parametrize("fcconv", [False, True])
def test_timm_layout_matches_numpy_reference_in_both_heads(fcconv: bool, tmp_path) -> None:
    from components.keras_side import weights
    from tests.test_weights import build

    spec = tiny_spec(fcconv)
    rng = np.random.default_rng(5)
    sd = tiny_timm(rng)
    save_file(sd, str(tmp_path / "tiny.safetensors"))
    image = rng.normal(0, 1, (3, 28, 28))
    model = build(spec, 0)
    with weights.torch_tensors(tmp_path / "tiny.safetensors") as tensors:
        arrays, notes = weights.torch_to_keras(spec, model, tensors)
        weights.assign(model, arrays)
    got = np.asarray(model(image.transpose(1, 2, 0)[None].astype(np.float32))).reshape(-1)
    expected = timm_forward(sd, image)
    assert notes == ()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------ through build_network


def timm_vgg11(spec: NetworkSpec, rng: np.random.Generator) -> dict[str, np.ndarray]:
    from tests.test_weights import torch_state_dict

    return torch_state_dict(spec, rng)


@pytest.fixture
def served_vgg11(monkeypatch):
    """A VGG11 (no head) state dict on the fake Hub, standing in for timm/vgg11.tv_in1k."""
    spec = vgg_spec("vgg11", (32, 32, 3), include_top=False)
    sd = timm_vgg11(spec, np.random.default_rng(7))
    file = hub.HubFile("vgg11", "timm/vgg11.tv_in1k", COMMIT, None)
    monkeypatch.setitem(hub.HUB_FILES, "vgg11", file)
    with serve(Hub()) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        yield spec, sd, file, fake


@pytest.mark.keras
def test_torchvision_weights_from_the_hub_give_torchvision_numbers(served_vgg11) -> None:
    from components.keras_side.activations import WeightsSource, build_network
    from tests.test_weights import torch_forward

    spec, sd, file, fake = served_vgg11
    fake.add(file.repo_id, COMMIT, hub.FILENAME, save(sd))
    with pytest.raises(WeightsError) as info:  # not fetched yet: says so, loads nothing
        build_network(spec, WeightsSource("torchvision", digest="x"))
    assert info.value.code == "hub.err.not_cached"
    hub.fetch(file)
    net = build_network(spec, WeightsSource("torchvision", digest="y"))
    assert net.preprocessing() == "torch"
    image = np.random.default_rng(8).normal(0, 1, (3, 32, 32))
    got = net.activations(image.transpose(1, 2, 0)[None].astype(np.float32))["block5_pool"]
    expected = torch_forward(spec, sd, image).transpose(1, 2, 0)
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-4)


@pytest.mark.keras
def test_wrong_shapes_in_a_hub_file_are_refused_layer_by_layer(served_vgg11) -> None:
    from components.keras_side.activations import WeightsSource, build_network

    spec, sd, file, fake = served_vgg11
    broken = dict(sd)
    broken["features.3.weight"] = sd["features.3.weight"][:64]
    broken["features.6.weight"] = sd["features.6.weight"][:, :, :1]
    fake.add(file.repo_id, COMMIT, hub.FILENAME, save(broken))
    hub.fetch(file)
    with pytest.raises(WeightsError) as info:
        build_network(spec, WeightsSource("torchvision", digest="z"))
    shapes = [d.values["layer"] for d in info.value.issues[1:] if d.code == "act.detail.shape"]
    assert shapes == ["block2_conv1 (features.3.weight)", "block3_conv1 (features.6.weight)"]


@pytest.mark.keras
def test_best_trained_prefers_what_is_on_disk(served_vgg11, tmp_path, monkeypatch) -> None:
    spec, sd, file, fake = served_vgg11
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    vgg16 = vgg_spec("vgg16", (32, 32, 3), include_top=False)
    assert [o.kind for o in hub.trained_options(vgg16)] == ["imagenet", "torchvision"]
    assert hub.best_trained(vgg16).kind == "imagenet"  # neither on disk: Keras' first
    assert hub.best_trained(vgg16, "torchvision").kind == "torchvision"
    assert hub.best_trained(spec).kind == "torchvision" and not hub.best_trained(spec).cached
    fake.add(file.repo_id, COMMIT, hub.FILENAME, save(sd))
    hub.fetch(file)
    best = hub.best_trained(spec)
    assert best.cached and best.digest == f"timm/vgg11.tv_in1k@{COMMIT}"
    assert hub.best_trained(vgg_spec("vgg16-c")) is None


# ------------------------------------------------------------------ background downloads


def test_a_background_download_is_shared_and_outlives_its_caller(monkeypatch) -> None:
    data = payload(1_500_000)  # 6 MB at 4 MB/s: still running when asked again
    file = tiny_file()
    trained = hub.Trained("torchvision", len(data), False, hub=file)
    with serve(Hub(bytes_per_second=4e6)) as fake:
        fake.add(REPO, COMMIT, hub.FILENAME, data)
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        job = hub.start_download(trained)
        assert hub.start_download(trained) is job and hub.download_job(trained) is job
        assert job.finished.wait(30) and job.error is None
        assert job.progress is not None and job.progress.done == len(data)
        assert hub.cached_path(file) is not None and gets(fake) == [None]
        hub.forget(job)
        assert hub.download_job(trained) is None


def test_a_failed_background_download_reports_and_can_be_retried(monkeypatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    trained = hub.Trained("torchvision", 1, False, hub=tiny_file())
    job = hub.start_download(trained)
    assert job.finished.wait(10) and job.error.code == "hub.err.offline"
    assert hub.start_download(trained) is not job  # a failed job does not block a new try
    hub.forget(hub.download_job(trained))
