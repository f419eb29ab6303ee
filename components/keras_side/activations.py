"""A network with its weights, and one forward pass that returns every layer's output.

Like keract: a multi-output Keras model over the same layers, so all feature
maps come from a single call. A :class:`Network` is meant to be shared between
sessions (``st.cache_resource``); Keras models are not promised to be
thread-safe, so every call goes through the network's lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from components.engine.analysis import Analysis, analyze
from components.engine.errors import Approx, Bytes, InputError, Issue
from components.engine.spec import NetworkSpec
from components.keras_side import weights
from components.keras_side.images import Preprocessing
from components.keras_side.safe_read import check_path

MAX_SIDE = 512  # input side cap for activations
MAX_RUN_BYTES = 1_500_000_000  # weights + every activation of one image, float32
MAX_RUN_MACS = 120_000_000_000  # one forward pass; VGG19-BN without head at 512×512: 1.02e11
IMAGENET_CLASSES = Path(__file__).resolve().parents[2] / "assets" / "imagenet_classes.json"


def over_budget(analysis: Analysis) -> str | None:
    """Which limit the network breaks for one image: "side", "bytes", "macs", or None."""
    h, w, _ = analysis.spec.input_shape
    if max(h, w) > MAX_SIDE:
        return "side"
    if analysis.weight_bytes + analysis.activation_bytes > MAX_RUN_BYTES:
        return "bytes"
    if analysis.total_macs > MAX_RUN_MACS:
        return "macs"
    return None


def check_budget(spec: NetworkSpec) -> Analysis:
    """Refuse, with the engine's figures, inputs and networks too large to run here.

    Checked before anything is built: memory (weights and one image's activations)
    and compute (multiply-accumulates of one forward pass).
    """
    analysis = analyze(spec)
    h, w, _ = spec.input_shape
    reason = over_budget(analysis)
    if reason == "side":
        raise InputError.of("act.err.too_wide", max=MAX_SIDE, h=h, w=w)
    if reason == "bytes":
        needed = Bytes(analysis.weight_bytes + analysis.activation_bytes)
        raise InputError.of(
            "act.err.too_much", name=spec.name, needed=needed, limit=Bytes(MAX_RUN_BYTES)
        )
    if reason == "macs":
        macs, limit = Approx(analysis.total_macs), Approx(MAX_RUN_MACS)
        raise InputError.of("act.err.too_slow", name=spec.name, macs=macs, limit=limit)
    return analysis


@dataclass(frozen=True)
class WeightsSource:
    """What the weights are; ``digest`` identifies file contents for caching."""

    kind: weights.WeightsKind
    seed: int = 0
    data: bytes | None = field(default=None, repr=False, compare=False, hash=False)
    path: str = ""
    name: str = ""
    digest: str = ""

    @property
    def trained(self) -> bool:
        return self.kind != "random"


@dataclass
class Network:
    """A built model, its all-layers extractor and the lock that guards both."""

    spec: NetworkSpec
    source: WeightsSource
    model: Any
    extractor: Any
    names: tuple[str, ...]
    notes: tuple[Issue, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock)

    def preprocessing(self) -> Preprocessing:
        """What the weights were trained with: torchvision's mean/std, Keras' VGG caffe mode
        (also for untrained VGGs, so switching weights changes only the weights), else ÷255."""
        if self.spec.input_shape[2] != 3:
            return "scale"
        if self.source.kind in ("torch", "torchvision"):
            return "torch"
        return "caffe" if self.spec.family == "vgg" else "scale"

    def activations(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Every layer's output for one image (batch dimension dropped), one forward pass."""
        with self.lock:
            outputs = self.extractor(x, training=False)
        return {name: np.asarray(out)[0] for name, out in zip(self.names, outputs, strict=True)}

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The bare ``model(x)``: the benchmark's yardstick."""
        with self.lock:
            return np.asarray(self.model(x, training=False))


def _file_bytes(source: WeightsSource) -> bytes | Path:
    """The upload's bytes, or a server file (chosen from the operator's folder by the page)."""
    if source.data is not None:
        return source.data
    path = Path(source.path)
    if not weights.source_suffix(path.name):
        raise weights.WeightsError.of("act.err.suffix", name=path.name[:120])
    return check_path(path)


_LOCKS_GUARD = threading.Lock()
_BUILD_LOCKS: dict[tuple[str, WeightsSource], threading.Lock] = {}
MAX_LOCKS = 64
_SEED_LOCK = threading.Lock()  # held only while a seeded model is initialised


def _build_lock(spec: NetworkSpec, source: WeightsSource) -> threading.Lock:
    """One lock per (network, weights): a long build never blocks another network's request."""
    with _LOCKS_GUARD:
        if len(_BUILD_LOCKS) > MAX_LOCKS:  # forget the idle ones: links can name endless networks
            for key in [k for k, lock in _BUILD_LOCKS.items() if not lock.locked()]:
                del _BUILD_LOCKS[key]
        return _BUILD_LOCKS.setdefault((repr(spec), source), threading.Lock())


def build_network(spec: NetworkSpec, source: WeightsSource) -> Network:
    """Build ``spec`` in Keras, put the chosen weights in, and wire the extractor.

    Refused first when over the memory or compute budget. Two requests for the same
    network build it once (its own lock); other networks build at the same time.
    """
    check_budget(spec)
    with _build_lock(spec, source):
        return _build(spec, source)


def _build(spec: NetworkSpec, source: WeightsSource) -> Network:
    from components.keras_side.builder import build_model, import_keras

    keras = import_keras()
    notes: tuple[Issue, ...] = ()
    if source.kind == "imagenet":
        file = weights.imagenet_file(spec)
        if not file.cached:
            raise weights.WeightsError.of("act.err.not_downloaded", path=str(file.path))
        arrays_source: bytes | Path = file.path
    elif source.kind == "torchvision":
        from components.keras_side import hub

        hub_file = hub.hub_file_for(spec)
        if hub_file is None:
            raise weights.WeightsError.of("hub.err.no_variant")
        arrays_source = hub.ready_file(hub_file)  # checksum-verified
    elif source.kind in ("keras", "torch"):
        arrays_source = _file_bytes(source)
    if source.kind == "random":  # the seed is process-wide: initialise one seeded model at a time
        with _SEED_LOCK:
            keras.utils.set_random_seed(source.seed)
            model = build_model(spec)
    else:  # every weight is overwritten from the file: no random values to draw
        model = build_model(spec, random_init=False)
    if source.kind in ("imagenet", "keras"):
        with weights.keras_weights(arrays_source) as arrays:
            notes = weights.assign(model, arrays)
    elif source.kind in ("torch", "torchvision"):  # the Hub file's SHA-256 was checked
        if source.kind == "torchvision" and isinstance(arrays_source, Path):
            opened = weights.trusted_torch_tensors(arrays_source)
        else:
            opened = weights.torch_tensors(arrays_source)
        with opened as tensors:
            arrays, notes = weights.torch_to_keras(spec, model, tensors)
            notes = (*weights.assign(model, arrays), *notes)
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    extractor = keras.Model(model.input, [layer.output for layer in layers])
    network = Network(spec, source, model, extractor, tuple(lay.name for lay in layers), notes)
    warm = np.zeros((1, *spec.input_shape), dtype=np.float32)
    network.activations(warm)
    return network


def imagenet_labels() -> list[str]:
    """The 1,000 ImageNet class names in classifier order (first WordNet lemma of each)."""
    import json

    data = json.loads(IMAGENET_CLASSES.read_text(encoding="utf-8"))
    return [lemma.split(",")[0].strip() for _, lemma in data["classes"]]


def top_k(probabilities: np.ndarray, k: int = 5) -> list[tuple[int, float]]:
    """Indices and probabilities of the ``k`` largest outputs, largest first."""
    flat = np.asarray(probabilities).reshape(-1)
    order = np.argsort(flat)[::-1][:k]
    return [(int(i), float(flat[i])) for i in order]
