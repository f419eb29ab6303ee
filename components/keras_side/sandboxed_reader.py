"""The child side of :mod:`components.keras_side.safe_read`: one untrusted file → raw arrays.

Run as ``python -m components.keras_side.sandboxed_reader KIND SOURCE OUT_DIR LIMITS``. It
lowers its own limits first (address space, CPU seconds, bytes written, no core file),
then reads the file with h5py or safetensors, refusing what a weights file must not
contain (links or storage outside the file, virtual datasets, non-float arrays, NaN),
and writes every array as float32 into ``OUT_DIR/arrays.bin`` with ``OUT_DIR/manifest.json``
saying where each one is. Whatever libhdf5 does to this process (a crash, an endless
loop, a huge allocation) ends here; the server only sees the exit status.
"""

from __future__ import annotations

import json
import math
import resource
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

BLOCK_BYTES = 8 << 20  # rows copied at a time: the child's peak is one block, not one array
ALIGN = 64
MAX_LINK_HOPS = 8
MAX_ARRAYS = 4096  # VGG19-BN has 102
NAME_CHARS = 120  # names quoted in messages are cut to this
INT_KEYS = (".num_batches_tracked",)  # torch counters: the only integer tensors a state dict has
ST_FLOATS = {"F16": "<f2", "F32": "<f4", "F64": "<f8", "BF16": "<u2"}  # BF16: top half of an f32
ST_INTS = {"I64": "<i8", "I32": "<i4"}


class Refusal(Exception):
    """A reason to refuse the file: a catalogue key and its values, sent to the parent."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key, self.values = key, values


def short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def set_limits(memory: int, cpu_seconds: int, output_bytes: int) -> None:
    """Bound this process before any untrusted byte is parsed."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (output_bytes, output_bytes))


class Blob:
    """Arrays appended to one file, each at an aligned offset, within a total byte budget."""

    def __init__(self, handle: BinaryIO, budget: int) -> None:
        self.handle, self.budget, self.used, self.count = handle, budget, 0, 0

    def check(self, shape: tuple[int, ...], dtype: str) -> int:
        """Refuse, before reading anything, an array that does not fit the budget."""
        size = math.prod(shape) * np.dtype(dtype).itemsize
        if self.used + size > self.budget:
            raise Refusal("act.err.weights_too_big", limit=self.budget)
        if self.count >= MAX_ARRAYS:
            raise Refusal("act.err.too_many_arrays", max=MAX_ARRAYS)
        return size

    def add(self, name: str, shape: tuple[int, ...], dtype: str, blocks: Iterator[np.ndarray]):
        size = self.check(shape, dtype)
        offset = -self.handle.tell() % ALIGN + self.handle.tell()
        self.handle.seek(offset)
        for block in blocks:
            out = np.ascontiguousarray(block, dtype=dtype)
            if out.dtype.kind == "f" and not np.isfinite(out).all():
                raise Refusal("act.err.not_finite", name=short(name))
            out.tofile(self.handle)
        self.used += size
        self.count += 1
        return {"offset": offset, "shape": list(shape), "dtype": dtype}


def row_blocks(read: Any, shape: tuple[int, ...], itemsize: int) -> Iterator[np.ndarray]:
    """``read(slice)`` over the first axis a few MB at a time (a scalar in one go)."""
    if not shape:
        yield np.asarray(read(()))
        return
    per_row = max(1, math.prod(shape[1:]) * itemsize)
    step = max(1, BLOCK_BYTES // per_row)
    for start in range(0, shape[0], step):
        yield np.asarray(read(slice(start, start + step)))


# ------------------------------------------------------------------ HDF5


def h5_get(h5py: Any, group: Any, path: str, hops: int = 0) -> Any:
    """The object at ``path`` below ``group`` (None if absent), walking one link at a time.

    External links are refused before libhdf5 could open another file; a soft link is
    followed the same way, and refused if its target does not resolve inside the file.
    """
    if hops > MAX_LINK_HOPS:
        raise Refusal("act.err.h5_link", name=short(path))
    node = group
    for part in [p for p in path.split("/") if p]:
        if not isinstance(node, h5py.Group):
            raise Refusal("act.err.h5_not_array", name=short(path))
        link = node.get(part, getlink=True)
        if link is None:
            return None
        if isinstance(link, h5py.ExternalLink):
            raise Refusal("act.err.h5_link", name=short(path))
        if isinstance(link, h5py.SoftLink):  # absolute from the root, else from this group
            start = node.file if link.path.startswith("/") else node
            target = h5_get(h5py, start, link.path, hops + 1)
            if target is None:
                raise Refusal("act.err.h5_link", name=short(path))
            node = target
        else:
            node = node[part]
    return node


def h5_group(h5py: Any, group: Any, path: str) -> Any:
    node = h5_get(h5py, group, path)
    if node is not None and not isinstance(node, h5py.Group):
        raise Refusal("act.err.h5_layout")
    return node


def h5_dataset(h5py: Any, group: Any, path: str, label: str) -> Any:
    """A plain float dataset stored inside this file, or a refusal naming ``label``."""
    node = h5_get(h5py, group, path)
    if node is None:
        raise Refusal("act.err.h5_layout")
    if not isinstance(node, h5py.Dataset):
        raise Refusal("act.err.h5_not_array", name=short(label))
    if node.is_virtual:
        raise Refusal("act.err.h5_virtual", name=short(label))
    if node.id.get_create_plist().get_external_count() > 0:
        raise Refusal("act.err.h5_external", name=short(label))
    if node.dtype.kind != "f" or node.dtype.itemsize not in (2, 4, 8) or node.shape is None:
        raise Refusal("act.err.h5_dtype", name=short(label), dtype=str(node.dtype))
    return node


def text(value: Any) -> str:
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, bytes):
        return value.decode()
    if not isinstance(value, str):
        raise Refusal("act.err.h5_layout")
    return value


def h5_layers(h5py: Any, f: Any) -> list[tuple[str, list[tuple[str, Any]]]]:
    """(layer name, [(label, dataset)]) from either Keras layout, checked before any read."""
    out = []
    layers = h5_group(h5py, f, "layers")
    if layers is not None and "layer_names" not in f.attrs:  # Keras 3 .weights.h5
        for key in layers:
            vars_ = h5_group(h5py, layers, f"{key}/vars")
            if vars_ is None:
                continue
            name = text(vars_.attrs.get("name", key))
            paths = [f"{key}/vars/{i}" for i in range(len(vars_))]
            out.append((name, [(p, h5_dataset(h5py, layers, p, p)) for p in paths]))
        return out
    root = h5_group(h5py, f, "model_weights") or f  # legacy: the files Keras downloads
    if "layer_names" not in root.attrs:
        raise Refusal("act.err.h5_layout")
    for name in map(text, np.atleast_1d(root.attrs["layer_names"])):
        group = h5_group(h5py, root, name)
        if group is None:
            raise Refusal("act.err.h5_layout")
        names = map(text, np.atleast_1d(group.attrs.get("weight_names", [])))
        out.append((name, [(f"{name}/{n}", h5_dataset(h5py, group, n, f"{name}/{n}"))
                           for n in names]))  # fmt: skip
    return out


def read_h5(source: Path, blob: Blob) -> list[list[Any]]:
    import h5py

    entries: list[list[Any]] = []
    with h5py.File(source, "r") as f:
        for name, datasets in h5_layers(h5py, f):
            for index, (label, dset) in enumerate(datasets):
                blocks = row_blocks(dset.__getitem__, dset.shape, dset.dtype.itemsize)
                entries.append([name, index, blob.add(label, dset.shape, "<f4", blocks)])
    return entries


# ------------------------------------------------------------------ safetensors


@dataclass(frozen=True)
class RawTensor:
    """One tensor's bytes in the file, read a block of rows at a time (never mapped whole)."""

    handle: BinaryIO
    begin: int
    dtype: str
    shape: tuple[int, ...]
    bf16: bool

    def __getitem__(self, index: slice | tuple[()]) -> np.ndarray:
        per_row = math.prod(self.shape[1:])
        if isinstance(index, slice):
            start, stop, _ = index.indices(self.shape[0])
            rows, shape = stop - start, (stop - start, *self.shape[1:])
        else:
            start, rows, shape = 0, 1, ()
        self.handle.seek(self.begin + start * per_row * np.dtype(self.dtype).itemsize)
        count = rows * per_row
        values = np.fromfile(self.handle, self.dtype, count)
        if values.size != count:
            raise ValueError("the tensor is cut short")
        if self.bf16:  # bfloat16 is the upper half of a float32: shifting it back is exact
            values = (values.astype(np.uint32) << np.uint32(16)).view(np.float32)
        return values.reshape(shape)


def read_safetensors(source: Path, blob: Blob) -> list[list[Any]]:
    """The library checks the header and the offsets; raw bytes are then read per dtype."""
    from safetensors import safe_open

    with safe_open(str(source), framework="numpy") as handle:
        keys = list(handle.keys())
    entries: list[list[Any]] = []
    with source.open("rb") as raw:
        length = int.from_bytes(raw.read(8), "little")
        header = json.loads(raw.read(length))
        for key in keys:
            info = header[key]
            kind, shape = info["dtype"], tuple(int(n) for n in info["shape"])
            if kind in ST_FLOATS:
                stored, out = ST_FLOATS[kind], "<f4"
            elif kind in ST_INTS and key.endswith(INT_KEYS):
                stored, out = ST_INTS[kind], "<i8"
            else:
                raise Refusal("act.err.st_dtype", name=short(key), dtype=kind)
            begin = 8 + length + int(info["data_offsets"][0])
            tensor = RawTensor(raw, begin, stored, shape, kind == "BF16")
            blocks = row_blocks(tensor.__getitem__, shape, np.dtype(stored).itemsize)
            entries.append([key, None, blob.add(key, shape, out, blocks)])
    return entries


# ------------------------------------------------------------------ entry point


def main(kind: str, source: str, out_dir: str, limits: str) -> int:
    memory, cpu, budget = map(int, limits.split(","))
    set_limits(memory, cpu, budget + (1 << 20))
    out = Path(out_dir)
    try:
        with (out / "arrays.bin").open("wb") as handle:
            blob = Blob(handle, budget)
            reader = read_h5 if kind == "h5" else read_safetensors
            result: dict[str, Any] = {"arrays": reader(Path(source), blob)}
    except Refusal as refusal:
        result = {"error": refusal.key, "values": refusal.values}
    except MemoryError:
        result = {"error": "act.err.weights_memory", "values": {"limit": memory}}
    except Exception as exc:  # anything else the parser raises means a damaged file
        result = {"error": "corrupt", "values": {}, "reason": f"{type(exc).__name__}: {exc}"[:500]}
    result["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (out / "manifest.json").write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
