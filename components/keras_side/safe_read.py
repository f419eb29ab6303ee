"""Untrusted weights files are read in a child process with time, memory and output limits.

libhdf5 is C: a damaged ``.h5`` can segfault or loop forever inside it (holding the
GIL, so every session of the server would stop). Here the parsing happens in
``python -m components.keras_side.sandboxed_reader``; the server process only sees
an exit status, a small JSON manifest and one file of float32 arrays, which it maps
read-only (the page cache holds them, not the server's heap). A crash, a hang or a
memory blow-up comes back as a :class:`WeightsError` that says to download the file again.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from components.engine.errors import Bytes, InputError

ROOT = Path(__file__).resolve().parents[2]
READER = "components.keras_side.sandboxed_reader"
FileKind = Literal["h5", "safetensors"]
MAX_PATH_CHARS = 1024
MAX_ARRAY_BYTES = 2_000_000_000  # every array as float32; VGG19 with its head: 575 MB
MEMORY_LIMIT = 3 << 30  # the child's address space: Python, NumPy, h5py and one block of rows
BASE_SECONDS = 20.0  # wall clock for the child: this, plus one second per 25 MB of file
BYTES_PER_SECOND = 25_000_000
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
MAX_MANIFEST_BYTES = 4 << 20
MAX_CONCURRENT = 4  # reads at once (each may write up to MAX_ARRAY_BYTES to the temp folder)
SUFFIXES = (".weights.h5", ".h5", ".hdf5", ".safetensors")

REFUSALS = {  # the child's reasons; anything else it writes is "damaged file"
    "act.err.h5_layout", "act.err.h5_link", "act.err.h5_external", "act.err.h5_virtual",
    "act.err.h5_dtype", "act.err.h5_not_array", "act.err.st_dtype", "act.err.not_finite",
    "act.err.weights_too_big", "act.err.too_many_arrays", "act.err.weights_memory",
}  # fmt: skip

log = logging.getLogger(__name__)
_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)


class WeightsError(InputError):
    """Weights that cannot be used for this network."""


@dataclass(frozen=True)
class Limits:
    """What one read may use; the defaults fit VGG19 with its head."""

    memory: int = MEMORY_LIMIT
    array_bytes: int = MAX_ARRAY_BYTES
    seconds: float | None = None  # None: from the file's size

    def timeout(self, file_bytes: int) -> float:
        return self.seconds or BASE_SECONDS + file_bytes / BYTES_PER_SECOND


@dataclass
class Loaded:
    """The arrays of one file, in file order, and what the child used to read them."""

    arrays: list[tuple[str, int | None, np.ndarray]]
    child_peak_bytes: int = 0
    notes: dict[str, Any] = field(default_factory=dict)


def check_path(path: Path) -> Path:
    """A regular file that exists, by a short path without ``~`` (no FIFO, device or folder)."""
    text = str(path)
    if len(text) > MAX_PATH_CHARS:
        raise WeightsError.of("act.err.path_long", length=len(text), max=MAX_PATH_CHARS)
    if text.startswith("~"):
        raise WeightsError.of("act.err.path_tilde")
    try:
        info = path.stat()
    except (OSError, ValueError) as exc:
        raise WeightsError.of("act.err.no_file", path=path.name[:120]) from exc
    if not stat.S_ISREG(info.st_mode):
        raise WeightsError.of("act.err.not_regular", name=path.name[:120])
    return path


def _precheck(kind: FileKind, head: bytes, size: int) -> None:
    """Refuse obvious non-files without starting a process (most garbage fails here)."""
    if kind == "h5":
        offsets = [0, *(512 << n for n in range(20) if (512 << n) < size)]
        if not any(head[o : o + 8] == HDF5_SIGNATURE for o in offsets if o < len(head)):
            raise WeightsError.of("act.err.h5_corrupt")
        return
    length = int.from_bytes(head[:8], "little") if len(head) >= 8 else -1
    if length < 2 or 8 + length > size or head[8:9] != b"{":
        raise WeightsError.of("act.err.safetensors_corrupt")


def _head(path: Path) -> bytes:
    """The first MB, opened without blocking: a FIFO put in a file's place cannot hang us."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise WeightsError.of("act.err.no_file", path=path.name[:120]) from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise WeightsError.of("act.err.not_regular", name=path.name[:120])
        return handle.read(1 << 20)  # signatures up to the 512 KB offset; safetensors' length


def read_untrusted(
    kind: FileKind, source: bytes | Path, limits: Limits = Limits(), reader: str = READER
) -> Loaded:
    """Every array of an untrusted file, read in a child; a :class:`WeightsError` otherwise.

    ``reader`` is the child's module (the tests pass one that crashes or hangs).
    """
    corrupt = "act.err.h5_corrupt" if kind == "h5" else "act.err.safetensors_corrupt"
    if isinstance(source, Path):
        check_path(source)
        size = source.stat().st_size
        head = _head(source)
    else:
        size, head = len(source), source[: 1 << 20]
    _precheck(kind, head, size)
    with _SLOTS:
        try:
            work = Path(tempfile.mkdtemp(prefix="vgg-weights-"))
        except OSError as exc:
            raise WeightsError.of("act.err.reader_unavailable", reason=exc.strerror) from exc
        try:
            if isinstance(source, bytes):
                path = work / "input"
                path.write_bytes(source)
            else:
                path = source
            timeout = limits.timeout(size)
            _run_child(kind, path, work, limits, timeout, reader)
            return _load(work, corrupt)
        except OSError as exc:  # no room in the temporary folder, no process to be had
            raise WeightsError.of("act.err.reader_unavailable", reason=exc.strerror) from exc
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _child_env(work: Path) -> dict[str, str]:
    """One thread each for the numeric libraries; no HDF5 filter plugins from anywhere."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME")}
    return keep | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
        "HDF5_PLUGIN_PATH": str(work / "no-plugins"),
        "HDF5_USE_FILE_LOCKING": "FALSE",
    }


def _run_child(
    kind: FileKind, path: Path, work: Path, limits: Limits, timeout: float, reader: str
) -> None:
    cpu = int(timeout) + 1
    args = [str(limits.memory), str(cpu), str(limits.array_bytes)]
    command = [sys.executable, "-m", reader, kind, str(path), str(work), ",".join(args)]
    errors = work / "stderr"  # a file, not a pipe: the child's output limit bounds it
    try:
        with errors.open("wb") as stderr:
            done = subprocess.run(
                command,
                cwd=ROOT,
                env=_child_env(work),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                timeout=timeout,
            )
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        log.warning("weights reader stopped after %.0f s: %s", timeout, path.name)
        raise WeightsError.of("act.err.weights_timeout", seconds=round(timeout)) from exc
    if done.returncode != 0:
        with errors.open("rb") as stderr:
            stderr.seek(max(0, errors.stat().st_size - 800))
            tail = stderr.read().decode(errors="replace")
        log.warning("weights reader ended with status %s: %s", done.returncode, tail)
        raise WeightsError.of("act.err.weights_crashed")


def _load(work: Path, corrupt: str) -> Loaded:
    try:
        with (work / "manifest.json").open("rb") as handle:
            manifest = json.loads(handle.read(MAX_MANIFEST_BYTES + 1)[:MAX_MANIFEST_BYTES])
    except (OSError, ValueError) as exc:
        raise WeightsError.of("act.err.weights_crashed") from exc
    if "error" in manifest:
        key, values = manifest["error"], manifest.get("values", {})
        if key not in REFUSALS or not isinstance(values, dict):
            log.info("weights file refused: %s", manifest.get("reason"))
            raise WeightsError.of(corrupt)
        if isinstance(values.get("limit"), int):
            values["limit"] = Bytes(values["limit"])
        raise WeightsError.of(key, **values)
    try:
        return Loaded(_arrays(work, manifest["arrays"]), manifest.get("peak_kb", 0) * 1024)
    except (OSError, ValueError, TypeError, KeyError) as exc:  # an output the child did not finish
        raise WeightsError.of("act.err.weights_crashed") from exc


def _arrays(work: Path, entries: list[Any]) -> list[tuple[str, int | None, np.ndarray]]:
    """Read-only views of the child's output file (mapped; the file itself is deleted next)."""
    blob = work / "arrays.bin"
    arrays: list[tuple[str, int | None, np.ndarray]] = []
    mapped: Any = None
    if blob.stat().st_size:
        with blob.open("rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    for name, index, entry in entries:
        shape, dtype = tuple(int(n) for n in entry["shape"]), np.dtype(entry["dtype"])
        count = int(np.prod(shape, dtype=np.int64))
        if count == 0:
            array = np.zeros(shape, dtype)
        else:
            array = np.frombuffer(mapped, dtype, count, int(entry["offset"])).reshape(shape)
        arrays.append((str(name), index, array))
    return arrays


# ------------------------------------------------------------------ a server folder of weights


def folder_files(folder: Path) -> list[str]:
    """Names of the regular weights files directly inside ``folder`` (none that lead outside)."""
    try:
        base = folder.resolve(strict=True)
        entries = sorted(base.iterdir())
    except (OSError, RuntimeError, ValueError):
        return []
    names = []
    for entry in entries:
        try:
            inside = in_folder(base, entry.name)
        except WeightsError:
            continue
        if inside.name.lower().endswith(SUFFIXES):
            names.append(entry.name)
    return names


def in_folder(folder: Path, name: str) -> Path:
    """The regular file ``name`` inside ``folder`` after resolving links, or a refusal."""
    if not name or "/" in name or "\0" in name or name in (".", ".."):
        raise WeightsError.of("act.err.not_in_folder", name=name[:120])
    try:
        base = folder.resolve(strict=True)
        target = (base / name).resolve(strict=True)
    except (OSError, RuntimeError, ValueError) as exc:
        raise WeightsError.of("act.err.no_file", path=name[:120]) from exc
    if target.parent != base:
        raise WeightsError.of("act.err.not_in_folder", name=name[:120])
    return check_path(target)
