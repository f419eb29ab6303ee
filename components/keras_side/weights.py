"""Where a network's weights come from: ImageNet, a Keras weights file, a torchvision state dict.

Files are read as arrays only (h5py, safetensors): no pickle, no Keras model
deserialisation, so a weights file cannot run code. Files from users (and the
ImageNet file in Keras' cache, which may be a cut-short download) are read in a
child process (:mod:`components.keras_side.safe_read`); only files whose checksum
was verified may use the in-process ``trusted_*`` readers. Every file is checked
layer by layer against the network before anything is assigned; problems are
raised as :class:`WeightsError` with one detail per layer.
"""

from __future__ import annotations

import math
import os
import socket
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.client import HTTPException
from pathlib import Path
from typing import Any, Literal

import numpy as np

from components.engine.analysis import Analysis, analyze
from components.engine.errors import Issue
from components.engine.spec import Layer, LayerType, NetworkSpec
from components.engine.vgg import vgg_spec
from components.keras_side.safe_read import WeightsError, read_untrusted

WeightsKind = Literal["imagenet", "torchvision", "random", "keras", "torch"]
# imagenet: the best trained weights (Keras' file where Keras publishes one, else the Hub's);
# torchvision: torchvision's trained weights from the Hugging Face Hub (components.keras_side.hub)
WEIGHT_KINDS: tuple[WeightsKind, ...] = ("imagenet", "torchvision", "random", "keras", "torch")
KERAS_SUFFIXES = (".weights.h5", ".h5", ".hdf5")
TORCH_SUFFIXES = (".safetensors",)
IMAGENET_ARCHS = ("vgg16", "vgg19")
IMAGENET_SIDE = 224
TORCH_BN_EPSILON = 1e-5
CHUNK = 1 << 20  # download block, bytes
ASSIGN_BLOCK = 8 << 20  # values copied into a variable at a time
Arrays = dict[str, list[Any]]  # Keras layer name → arrays (or datasets), layer.weights order


# ------------------------------------------------------------------ ImageNet


def keras_cache_dir() -> Path:
    """Where Keras keeps downloaded weights (``$KERAS_HOME/models``, else ``~/.keras/models``)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models"


@dataclass(frozen=True)
class ImagenetFile:
    """Keras' published ImageNet weights for one network, and where Keras caches them."""

    arch: str
    include_top: bool
    url: str
    approx_bytes: int  # parameters × 4 bytes, from the engine

    @property
    def path(self) -> Path:
        return keras_cache_dir() / Path(urllib.parse.urlparse(self.url).path).name

    @property
    def cached(self) -> bool:
        return self.path.is_file() and self.path.stat().st_size > 0


def _keras_weights_url(arch: str, include_top: bool) -> str:
    from components.keras_side.builder import import_keras

    import_keras()
    from keras.src.applications import vgg16, vgg19

    module = {"vgg16": vgg16, "vgg19": vgg19}[arch]
    return module.WEIGHTS_PATH if include_top else module.WEIGHTS_PATH_NO_TOP


def imagenet_file(spec: NetworkSpec) -> ImagenetFile:
    """The ImageNet file matching ``spec`` exactly, or a WeightsError saying what would."""
    for arch in IMAGENET_ARCHS:
        for top in (True, False):
            shape = (IMAGENET_SIDE, IMAGENET_SIDE, 3) if top else spec.input_shape
            try:
                candidate = vgg_spec(arch, shape, include_top=top)
            except ValueError:
                continue
            if candidate.layers == spec.layers and candidate.input_shape == spec.input_shape:
                size = analyze(spec).weight_bytes
                return ImagenetFile(arch, top, _keras_weights_url(arch, top), size)
    raise WeightsError.of("act.err.imagenet_arch", side=IMAGENET_SIDE)


_DOWNLOAD_LOCK = threading.Lock()


def _resolve(host: str, timeout: float) -> None:
    """DNS lookup bounded by ``timeout`` (urlopen's timeout does not cover it)."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(socket.getaddrinfo, host, 443).result(timeout=timeout)
    finally:
        pool.shutdown(wait=False)


def download_imagenet(
    file: ImagenetFile,
    progress: Callable[[int, int | None], None] | None = None,
    timeout: float = 5.0,
) -> Path:
    """Fetch the file into Keras' cache with progress; fail within ``timeout`` when offline.

    One download at a time: a second session waits, then finds the file cached.
    """
    with _DOWNLOAD_LOCK:
        if not file.cached:
            _download(file, progress, timeout)
    return file.path


def _download(
    file: ImagenetFile, progress: Callable[[int, int | None], None] | None, timeout: float
) -> None:
    host = urllib.parse.urlparse(file.url).hostname or ""
    part = file.path.with_name(file.path.name + ".part")
    done, total = 0, None
    try:
        _resolve(host, timeout)
        with urllib.request.urlopen(file.url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            part.parent.mkdir(parents=True, exist_ok=True)
            with part.open("wb") as out:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
    except (OSError, FutureTimeout, HTTPException) as exc:  # URLError is an OSError
        part.unlink(missing_ok=True)
        if done:  # it started, then stopped
            raise WeightsError.of("act.err.download_short", done=done, total=total or "?") from exc
        reason = str(getattr(exc, "reason", None) or exc) or exc.__class__.__name__
        raise WeightsError.of(
            "act.err.offline", url=file.url, path=str(file.path), reason=reason
        ) from exc
    if total is not None and done != total:
        part.unlink(missing_ok=True)
        raise WeightsError.of("act.err.download_short", done=done, total=total)
    part.replace(file.path)


# ------------------------------------------------------------------ Keras weights files


def _open_h5(path: Path) -> Any:
    import h5py

    try:
        return h5py.File(path, "r")
    except (OSError, ValueError) as exc:
        raise WeightsError.of("act.err.h5_corrupt") from exc


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _index(f: Any) -> Arrays:
    """Datasets (read on demand) per layer name, from either Keras HDF5 layout."""
    out: Arrays = {}
    if "layers" in f and "layer_names" not in f.attrs:  # Keras 3 .weights.h5
        for key, group in f["layers"].items():
            vars_ = group.get("vars")
            if vars_ is not None:
                name = _text(vars_.attrs.get("name", key))
                out[name] = [vars_[str(i)] for i in range(len(vars_))]
        return out
    root = f.get("model_weights", f)  # legacy: the files Keras downloads
    if "layer_names" not in root.attrs:
        raise WeightsError.of("act.err.h5_layout")
    for name in map(_text, root.attrs["layer_names"]):
        group = root[name]
        out[name] = [group[_text(n)] for n in group.attrs.get("weight_names", [])]
    return out


@contextmanager
def trusted_keras_weights(path: Path) -> Iterator[Arrays]:
    """A checksum-verified Keras weights file, open in this process, read layer by layer.

    Only for files whose SHA-256 matched a published value: libhdf5 parses it here.
    """
    with _open_h5(path) as f:
        try:
            yield _index(f)
        except WeightsError:
            raise
        except (KeyError, OSError, ValueError, TypeError, AttributeError, RuntimeError) as exc:
            raise WeightsError.of("act.err.h5_corrupt") from exc


def read_keras_weights(source: bytes | Path) -> Arrays:
    """Every array of an untrusted Keras ``.weights.h5`` or legacy ``.h5`` file.

    Read in a child process; the arrays are read-only float32 views of a mapped file.
    """
    out: Arrays = {}
    for name, _, array in read_untrusted("h5", source).arrays:
        out.setdefault(name, []).append(array)
    return out


@contextmanager
def keras_weights(source: bytes | Path) -> Iterator[Arrays]:
    """An untrusted Keras weights file's arrays (as :func:`read_keras_weights`), as a context."""
    yield read_keras_weights(source)


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) or "()"  # a scalar: no axes


def _sample(problems: list[Issue], per_kind: int = 6) -> tuple[Issue, ...]:
    """The first few problems of each kind, in order (a wrong file can have hundreds)."""
    seen: dict[str, int] = {}
    kept = []
    for note in problems:
        seen[note.code] = seen.get(note.code, 0) + 1
        if seen[note.code] <= per_kind:
            kept.append(note)
    return tuple(kept)


def check_arrays(model: Any, arrays: Arrays) -> tuple[Issue, ...]:
    """Compare with the model layer by layer; raise on any mismatch, return notes on extras."""
    problems: list[Issue] = []
    wanted = {layer.name: layer for layer in model.layers if layer.weights}
    for name, layer in wanted.items():
        expected = [tuple(w.shape) for w in layer.weights]
        if name not in arrays:
            problems.append(Issue("act.detail.missing_layer", {"layer": name}))
            continue
        found = [tuple(a.shape) for a in arrays[name]]
        if found != expected:
            problems.append(
                Issue(
                    "act.detail.shape",
                    {
                        "layer": name,
                        "found": ", ".join(map(_shape, found)) or "—",
                        "expected": ", ".join(map(_shape, expected)),
                    },
                )
            )
    matched = len(wanted) - len(problems)
    extra = [name for name, values in arrays.items() if values and name not in wanted]
    head = [name for name in extra if name in HEAD_KEYS]  # a with-head file, no-head network
    problems += [Issue("act.detail.extra_layer", {"layer": n}) for n in extra if n not in head]
    if problems:
        key = "act.err.other_arch" if matched == 0 else "act.err.mismatch"
        raise WeightsError.of(key, _sample(problems), count=len(problems), layers=len(wanted))
    return (
        (Issue("act.note.extra_layers", {"layers": ", ".join(head)}, severity="info"),)
        if head
        else ()
    )


def _write(target: Any, axis: int, start: int, block: np.ndarray) -> None:
    """Write ``block`` into the tf.Variable ``target`` from ``start`` along ``axis``, in place.

    Not ``target[a:b].assign(...)``: that reads the variable first, and with the read
    alive TensorFlow copies the whole buffer before writing (fc1: 411 MB more).
    """
    import tensorflow as tf

    begin = [0] * block.ndim
    begin[axis] = start
    end = [b + n for b, n in zip(begin, block.shape, strict=True)]
    tf.raw_ops.ResourceStridedSliceAssign(
        ref=target.handle, begin=begin, end=end, strides=[1] * block.ndim, value=block
    )


def _copy_into(variable: Any, data: Any) -> None:
    """Copy in blocks: the peak is one block, not the whole array twice (fc1: 411 MB).

    A converted torch kernel comes in blocks of output channels (its last axis, read
    as rows of the torch tensor); any other array (shaped as the variable, checked
    before) in blocks of rows.
    """
    target: Any = getattr(variable, "value", None)  # the backend's tf.Variable
    shape = tuple(variable.shape)
    if not (hasattr(target, "handle") and math.prod(shape) > ASSIGN_BLOCK):
        data = data.make() if isinstance(data, Deferred) else data
        variable.assign(np.asarray(data, dtype=np.float32).reshape(shape))
        return
    if isinstance(data, Deferred) and data.columns is not None:
        step = max(1, ASSIGN_BLOCK // math.prod(shape[:-1]))
        for start in range(0, shape[-1], step):
            block = data.columns(start, min(start + step, shape[-1]))
            _write(target, len(shape) - 1, start, block)
    else:
        data = data.make() if isinstance(data, Deferred) else data
        step = max(1, ASSIGN_BLOCK // math.prod(shape[1:]))
        for start in range(0, shape[0], step):
            _write(target, 0, start, np.asarray(data[start : start + step], dtype=np.float32))
    import tensorflow as tf

    # A slice write puts the variable in copy-on-read mode: every forward pass would
    # then copy the whole kernel (VGG16's fc1 and fc2: +480 MB held after the first).
    tf.raw_ops.DisableCopyOnRead(resource=target.handle)


def assign(model: Any, arrays: Arrays) -> tuple[Issue, ...]:
    """Check every layer, then copy the weights in (arrays or open HDF5 datasets)."""
    notes = check_arrays(model, arrays)
    for layer in model.layers:
        for variable, data in zip(layer.weights, arrays.get(layer.name, ()), strict=False):
            _copy_into(variable, data)
    return notes


# ------------------------------------------------------------------ torchvision state dicts


def read_safetensors(source: bytes | Path) -> dict[str, np.ndarray]:
    """Tensors by key from an untrusted ``.safetensors`` file, read in a child process.

    Floats come back as float32 (BF16 widened exactly); FP8 and integer tensors are
    refused, except torch's ``num_batches_tracked`` counters.
    """
    return {key: array for key, _, array in read_untrusted("safetensors", source).arrays}


class TorchFile(Mapping):
    """The tensors of an open ``.safetensors`` file; each is read only when asked for."""

    def __init__(self, handle: Any) -> None:
        self._handle, self._keys = handle, tuple(handle.keys())

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._keys:
            raise KeyError(key)
        return self._handle.get_tensor(key)

    def __contains__(self, key: object) -> bool:  # Mapping's own would read the tensor
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def shape(self, key: str) -> tuple[int, ...]:
        return tuple(self._handle.get_slice(key).get_shape())

    def rows(self, key: str, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` of one tensor, read alone (not the whole tensor)."""
        return self._handle.get_slice(key)[start:stop]


@contextmanager
def torch_tensors(source: bytes | Path) -> Iterator[Mapping[str, np.ndarray]]:
    """An untrusted state dict's tensors (as :func:`read_safetensors`), as a context."""
    yield read_safetensors(source)


@contextmanager
def trusted_torch_tensors(path: Path) -> Iterator[Mapping[str, np.ndarray]]:
    """A checksum-verified state dict, open in this process, read tensor by tensor."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="numpy") as handle:
            yield TorchFile(handle)
    except WeightsError:
        raise
    except (SafetensorError, OSError, ValueError, TypeError) as exc:
        raise WeightsError.of("act.err.safetensors_corrupt") from exc


@dataclass(frozen=True)
class Deferred:
    """A converted tensor made only when copied in: one layer in memory at a time.

    ``columns(start, stop)``, when given, makes only the slice ``start:stop`` of the
    last axis, so a large kernel is never in memory whole.
    """

    shape: tuple[int, ...]
    make: Callable[[], np.ndarray]
    columns: Callable[[int, int], np.ndarray] | None = None


def _shape_of(tensors: Mapping[str, np.ndarray], key: str) -> tuple[int, ...]:
    return tensors.shape(key) if isinstance(tensors, TorchFile) else np.shape(tensors[key])


def _rows(tensors: Mapping[str, np.ndarray], key: str, start: int, stop: int) -> np.ndarray:
    """Rows of one tensor: read alone from an open file, a view of a mapped array."""
    if isinstance(tensors, TorchFile):
        return tensors.rows(key, start, stop)
    return tensors[key][start:stop]


# Head layers: torchvision's classifier indices and timm's names for the same tensors.
HEAD_KEYS = {
    "fc1": ("classifier.0", "pre_logits.fc1"),
    "fc2": ("classifier.3", "pre_logits.fc2"),
    "predictions": ("classifier.6", "head.fc"),
}
_IGNORED_SUFFIXES = (".num_batches_tracked",)


def _converted_shape(weight: tuple[int, ...], target: tuple[int, ...]) -> tuple[int, ...]:
    """The Keras shape a torch weight of shape ``weight`` becomes (to check before reading)."""
    if len(weight) == 4:
        out, cin, kh, kw = weight
        return (kh, kw, cin, out) if len(target) == 4 else (kh * kw * cin, out)
    if len(weight) == 2 and len(target) == 4:  # Linear → conv (fc-as-conv)
        fits = weight[0] == target[3] and weight[1] == math.prod(target[:3])
        return target if fits else (weight[1], weight[0])
    return tuple(reversed(weight))


def _kernel(
    tensors: Mapping[str, np.ndarray],
    key: str,
    target: tuple[int, ...],
    flat_from: tuple[int, ...] | None,
    start: int,
    stop: int,
) -> np.ndarray:
    """Output channels ``start:stop`` of a torch (out, in[, kh, kw]) weight as Keras HWIO /
    (in, out): ``target`` with its last axis cut to them, reordering flattened inputs.

    ``flat_from`` is the (H, W, C) a Dense layer's Flatten received: PyTorch
    flattens channels first (C, H, W), Keras channels last (H, W, C).
    """
    weight = np.asarray(_rows(tensors, key, start, stop), dtype=np.float32)
    out = weight.shape[0]
    if weight.ndim == 2 and len(target) == 4:
        kh, kw, cin, _ = target
        weight = weight.reshape(out, cin, kh, kw)
    if weight.ndim == 4:
        converted = weight.transpose(2, 3, 1, 0)  # HWIO
    elif flat_from is not None and len(flat_from) == 3 and math.prod(flat_from) == weight.shape[1]:
        h, w, c = flat_from
        converted = weight.reshape(out, c, h, w).transpose(2, 3, 1, 0)
    else:
        converted = weight.T
    return np.ascontiguousarray(converted).reshape(*target[:-1], out)


def _plain(tensors: Mapping[str, np.ndarray], key: str, shift: float = 0.0) -> np.ndarray:
    return np.asarray(tensors[key], dtype=np.float32) + np.float32(shift)


def _torch_prefix(layer: Layer, tensors: Mapping[str, np.ndarray]) -> str | Issue:
    """The state-dict prefix holding ``layer``'s tensors, or a note saying what is missing."""
    prefixes = HEAD_KEYS.get(layer.name) or ((layer.torch_name,) if layer.torch_name else ())
    prefix = next((p for p in prefixes if f"{p}.weight" in tensors), None)
    if prefix is not None:
        return prefix
    if prefixes:
        return Issue("act.detail.missing_key", {"tensor": f"{prefixes[0]}.weight"})
    return Issue("act.detail.no_torch_name", {"layer": layer.name})


def _torch_names(prefix: str, layer: Layer, keras_layer: Any) -> list[str]:
    """The state-dict keys of one layer, in the order of the Keras layer's weights."""
    keys = (
        ("weight", "bias", "running_mean", "running_var")
        if layer.type is LayerType.BATCHNORM
        else ("weight", "bias")[: len(keras_layer.weights)]
    )
    return [f"{prefix}.{k}" for k in keys]


def _torch_variance(
    values: list[Deferred], tensors: Mapping[str, np.ndarray], names: list[str], keras_layer: Any
) -> list[Deferred]:
    """Batch norm: the variance shifted so that Keras' epsilon gives PyTorch's result."""
    shift = TORCH_BN_EPSILON - float(keras_layer.epsilon)
    values[3] = Deferred(values[3].shape, partial(_plain, tensors, names[3], shift))
    return values


def _keras_kernel(
    values: list[Deferred],
    tensors: Mapping[str, np.ndarray],
    names: list[str],
    keras_layer: Any,
    flat_from: tuple[int, ...] | None,
) -> list[Deferred] | Issue:
    """The kernel converted to Keras' layout on copy-in, or a note if its shape cannot fit."""
    target = tuple(keras_layer.weights[0].shape)
    if _converted_shape(values[0].shape, target) != target:
        return Issue(
            "act.detail.shape",
            {
                "layer": f"{keras_layer.name} ({names[0]})",
                "found": _shape(values[0].shape),
                "expected": _shape(target),
            },
        )
    columns = partial(_kernel, tensors, names[0], target, flat_from)
    values[0] = Deferred(target, partial(columns, 0, target[-1]), columns)
    return values


def _flattened_shape(analysis: Analysis, position: int) -> tuple[int, ...] | None:
    """The image shape a dense layer's inputs were flattened from (None if not after Flatten)."""
    previous = analysis.layers[position - 1] if position else None
    if previous and previous.layer.type is LayerType.FLATTEN:
        return previous.input_shape
    return None


def _torch_layer(
    analysis: Analysis,
    position: int,
    keras_layer: Any,
    tensors: Mapping[str, np.ndarray],
    used: set[str],
) -> tuple[list[Deferred] | None, list[Issue]]:
    """One layer's arrays from the state dict (marking its keys used), or what is wrong."""
    layer = analysis.layers[position].layer
    prefix = _torch_prefix(layer, tensors)
    if isinstance(prefix, Issue):
        return None, [prefix]
    names = _torch_names(prefix, layer, keras_layer)
    used.update(names)
    missing = [name for name in names if name not in tensors]
    if missing:
        return None, [Issue("act.detail.missing_key", {"tensor": k}) for k in missing]
    values = [Deferred(_shape_of(tensors, name), partial(_plain, tensors, name)) for name in names]
    if layer.type is LayerType.BATCHNORM:
        return _torch_variance(values, tensors, names, keras_layer), []
    flat_from = _flattened_shape(analysis, position)
    kernel = _keras_kernel(values, tensors, names, keras_layer, flat_from)
    return (None, [kernel]) if isinstance(kernel, Issue) else (kernel, [])


def _unused_tensors(
    tensors: Mapping[str, np.ndarray], used: set[str], has_head: bool
) -> tuple[list[Issue], int]:
    """Notes for tensors no layer took, and how many classifier tensors were left out."""
    head_names = {key for keys in HEAD_KEYS.values() for key in keys}
    unused = [k for k in sorted(tensors) if k not in used and not k.endswith(_IGNORED_SUFFIXES)]
    skipped_head = [k for k in unused if k.rsplit(".", 1)[0] in head_names and not has_head]
    extra = [Issue("act.detail.extra_key", {"tensor": k}) for k in unused if k not in skipped_head]
    return extra, len(skipped_head)


def torch_to_keras(
    spec: NetworkSpec, model: Any, tensors: Mapping[str, np.ndarray]
) -> tuple[Arrays, tuple[Issue, ...]]:
    """Map a torchvision/timm VGG state dict onto Keras layers, converting on copy-in.

    Raises on missing, extra or wrongly shaped tensors; a classifier in the file
    of a network without one is left out with a note. Batch-norm variances are
    shifted so that Keras' epsilon (1e-3) gives the same result as PyTorch's 1e-5.
    """
    analysis = analyze(spec)
    layers = {layer.name: layer for layer in model.layers}
    used: set[str] = set()
    problems: list[Issue] = []
    out: Arrays = {}
    for position, info in enumerate(analysis.layers):
        keras_layer = layers[info.layer.name]
        if not keras_layer.weights:
            continue
        values, found = _torch_layer(analysis, position, keras_layer, tensors, used)
        problems.extend(found)
        if values is not None:
            out[info.layer.name] = values
    extra, skipped_head = _unused_tensors(tensors, used, has_head="fc1" in layers)
    problems.extend(extra)
    if problems:
        key = "act.err.other_arch" if not out else "act.err.torch_keys"
        raise WeightsError.of(key, _sample(problems), count=len(problems), layers=len(out))
    notes = (
        (Issue("act.note.head_skipped", {"count": skipped_head}, severity="info"),)
        if skipped_head
        else ()
    )
    return out, notes


def source_suffix(name: str) -> str:
    """The weights kind a file name asks for, from its ending (or '' when not allowed)."""
    lower = name.lower()
    if lower.endswith(KERAS_SUFFIXES):
        return "keras"
    if lower.endswith(TORCH_SUFFIXES):
        return "torch"
    return ""
