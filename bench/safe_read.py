"""What reading an untrusted weights file in a child process costs, for VGG16's 528 MB file.

Writes a file with the layout and shapes of Keras' VGG16 ImageNet ``.h5`` (random
values, into bench/results/, git-ignored) and a torchvision-named ``.safetensors`` of the
same size, then reads every array of each, in a fresh process per read:

- in process (``trusted_keras_weights`` / ``trusted_torch_tensors``: what a checksum-verified
  file may use; libhdf5 parses it inside the server);
- sandboxed (``read_keras_weights`` / ``read_safetensors``: the child process with limits;
  the server maps the child's float32 output read-only).

Reports the median wall time of ``RUNS`` reads (the file in the page cache, as after an
upload), the ratio, the reading process' peak resident set (VmHWM), its private memory
(RssAnon) while holding every array, and the child's own peak.

    python bench/safe_read.py            # writes bench/results/safe_read.md
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from components.engine.analysis import analyze
from components.engine.vgg import vgg_spec

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "bench" / "results"
RUNS = 3


def shapes() -> list[tuple[str, str, list[tuple[int, ...]]]]:
    """(Keras layer name, torchvision prefix, weight shapes) of VGG16 with its head."""
    from components.keras_side.weights import HEAD_KEYS

    out = []
    for info in analyze(vgg_spec("vgg16")).layers:
        layer = info.layer
        if layer.type == "conv2d":
            kernel = (3, 3, info.input_shape[2], layer.filters)
            out.append((layer.name, layer.torch_name, [kernel, (layer.filters,)]))
        elif layer.type == "dense":
            kernel = (info.input_shape[0], layer.units)
            out.append((layer.name, HEAD_KEYS[layer.name][0], [kernel, (layer.units,)]))
    return out


def write_files(folder: Path) -> tuple[Path, Path]:
    import h5py
    import numpy as np
    from safetensors.numpy import save_file

    h5_path, st_path = folder / "vgg16_random.h5", folder / "vgg16_random.safetensors"
    rng = np.random.default_rng(0)
    tensors = {}
    with h5py.File(h5_path, "w") as f:
        layers = shapes()
        f.attrs["layer_names"] = [name.encode() for name, _, _ in layers]
        for name, prefix, weight_shapes in layers:
            group = f.create_group(name)
            names = [f"{name}_W_1:0", f"{name}_b_1:0"]
            group.attrs["weight_names"] = [n.encode() for n in names]
            for n, shape, part in zip(names, weight_shapes, ("weight", "bias"), strict=True):
                values = rng.standard_normal(shape, dtype=np.float32) * 0.01
                group[n] = values
                tensors[f"{prefix}.{part}"] = values
    save_file(tensors, str(st_path))
    return h5_path, st_path


def measure(how: str, kind: str, path: str) -> None:
    """One read in this (fresh) process; prints seconds, memory and a checksum as JSON."""
    import numpy as np

    from components.keras_side import safe_read, weights

    peaks: list[int] = []
    real = safe_read._load

    def load(work, corrupt):
        loaded = real(work, corrupt)
        peaks.append(loaded.child_peak_bytes)
        return loaded

    safe_read._load = load
    start = time.perf_counter()
    if kind == "h5":
        if how == "trusted":
            with weights.trusted_keras_weights(Path(path)) as lazy:
                arrays = [np.asarray(a) for values in lazy.values() for a in values]
        else:
            arrays = [
                a for values in weights.read_keras_weights(Path(path)).values() for a in values
            ]
    elif how == "trusted":
        with weights.trusted_torch_tensors(Path(path)) as lazy:
            arrays = [lazy[key] for key in lazy]
    else:
        arrays = list(weights.read_safetensors(Path(path)).values())
    total = float(sum(float(a.sum(dtype=np.float64)) for a in arrays))  # every byte touched
    seconds = time.perf_counter() - start
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    kb = {key: int(status[key].split()[0]) for key in ("VmHWM", "RssAnon", "RssFile")}
    print(json.dumps({"seconds": seconds, "checksum": total, "child_peak": sum(peaks), **kb}))


def run(how: str, kind: str, path: Path) -> dict:
    command = [sys.executable, __file__, "--measure", how, kind, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def mb(kb: float) -> str:
    return f"{kb / 1024:,.0f} MB"


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    h5_path, st_path = write_files(RESULTS)
    print(f"wrote {h5_path.stat().st_size / 1e6:.0f} MB + {st_path.stat().st_size / 1e6:.0f} MB "
          f"in {time.perf_counter() - start:.0f} s")  # fmt: skip
    lines = [
        "# Untrusted weights: child process vs in process (VGG16, 138M float32)",
        "",
        "| file | read | median s | × in process | peak RSS | private RSS | child peak |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for kind, path in (("h5", h5_path), ("safetensors", st_path)):
        results = {}
        for how in ("trusted", "sandboxed"):
            run(how, kind, path)  # warm the page cache
            samples = [run(how, kind, path) for _ in range(RUNS)]
            best = sorted(samples, key=lambda s: s["seconds"])[len(samples) // 2]
            results[how] = best | {"median": statistics.median(s["seconds"] for s in samples)}
        assert results["trusted"]["checksum"] == results["sandboxed"]["checksum"]
        base = results["trusted"]["median"]
        for how, r in results.items():
            child = mb(r["child_peak"] / 1024) if r["child_peak"] else "—"
            lines.append(
                f"| {path.name} ({path.stat().st_size / 1e6:.0f} MB) | {how} | {r['median']:.2f} "
                f"| {r['median'] / base:.2f} | {mb(r['VmHWM'])} | {mb(r['RssAnon'])} | {child} |"
            )
    lines += [
        "",
        "Peak RSS counts the mapped pages of the child's output too (page cache, shared, "
        "reclaimable); private RSS is the reading process' own heap while it holds every array.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    (RESULTS / "safe_read.md").write_text(text)
    h5_path.unlink(), st_path.unlink()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        measure(*sys.argv[2:5])
    else:
        main()
