"""Trained weights, cached: click → first feature maps, torchvision's VGG16-BN vs Keras' VGG16.

One run, two fresh child processes (so each peak memory is its own):
- ``torchvision``: VGG16-BN at 224×224 with its head from a timm-layout ``model.safetensors``
  in a Hugging Face cache (SHA-256 check, read, convert, build, warm, first forward pass);
- ``keras``: VGG16 from a Keras-layout ImageNet ``.h5`` in Keras' cache, the same steps.

The files are generated here with random values in the real layouts and sizes (~550 MB
each, in bench/results/, git-ignored); timings do not depend on the values. Prints the
times, their ratio, and each load's peak memory above the process before loading (build,
read, convert, copy in, first pass: all of it), as a multiple of the file's size (goal: under
1.5×). The random line builds the same network with random kernels, for comparison.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORK = ROOT / "bench" / "results" / "hub_load"
COMMIT = "b" * 40
SAMPLE = ROOT / "assets" / "samples" / "astronaut.jpg"


def memory_mb() -> dict[str, float]:
    """Resident memory now: anonymous (the process's own) and file-backed (mapped files)."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("RssAnon:", "RssFile:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1e3
    return out


class PeakSampler(threading.Thread):
    """The highest anonymous and total resident memory, sampled every 10 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.anon = self.total = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            now = memory_mb()
            self.anon = max(self.anon, now["RssAnon"])
            self.total = max(self.total, now["RssAnon"] + now["RssFile"])
            time.sleep(0.01)


def make_files() -> None:
    """The timm-layout VGG16-BN file in a Hub cache and a Keras-layout VGG16 file."""
    import hashlib

    import numpy as np
    from safetensors.numpy import save_file

    from components.engine.analysis import analyze
    from components.engine.vgg import vgg_spec

    snapshot = WORK / "hf" / "models--timm--vgg16_bn.tv_in1k" / "snapshots" / COMMIT
    if not (snapshot / "model.safetensors").exists():
        rng = np.random.default_rng(0)
        sd: dict[str, np.ndarray] = {}
        for info in analyze(vgg_spec("vgg16_bn")).layers:
            layer, name = info.layer, info.layer.torch_name
            if layer.type == "conv2d":
                cin = info.input_shape[2]
                sd[f"{name}.weight"] = rng.standard_normal((layer.filters, cin, 3, 3), "float32")
                sd[f"{name}.bias"] = np.zeros(layer.filters, "float32")
            elif layer.type == "batchnorm":
                c = info.output_shape[2]
                for key, value in (("weight", 1), ("bias", 0), ("running_mean", 0)):
                    sd[f"{name}.{key}"] = np.full(c, value, "float32")
                sd[f"{name}.running_var"] = np.ones(c, "float32")
                sd[f"{name}.num_batches_tracked"] = np.array(1, "int64")
        head = {"pre_logits.fc1": (4096, 512, 7, 7), "pre_logits.fc2": (4096, 4096, 1, 1),
                "head.fc": (1000, 4096)}  # fmt: skip
        for name, shape in head.items():
            sd[f"{name}.weight"] = rng.standard_normal(shape, "float32") * np.float32(0.01)
            sd[f"{name}.bias"] = np.zeros(shape[0], "float32")
        blob_file = WORK / "model.safetensors"
        WORK.mkdir(parents=True, exist_ok=True)
        save_file(sd, str(blob_file))
        del sd
        with open(blob_file, "rb") as f:
            sha = hashlib.file_digest(f, "sha256").hexdigest()
        blobs = snapshot.parent.parent / "blobs"
        blobs.mkdir(parents=True, exist_ok=True)
        blob_file.replace(blobs / sha)
        snapshot.mkdir(parents=True, exist_ok=True)
        (snapshot / "model.safetensors").symlink_to(f"../../blobs/{sha}")
    keras_file = WORK / "keras" / "models" / "vgg16_weights_tf_dim_ordering_tf_kernels.h5"
    if not keras_file.exists():
        subprocess.run([sys.executable, __file__, "--make-keras", str(keras_file)], check=True)


def make_keras(path: Path) -> None:
    from components.engine.vgg import vgg_spec
    from components.keras_side.builder import build_model
    from tests.weights_files import write_legacy_h5

    path.parent.mkdir(parents=True, exist_ok=True)
    write_legacy_h5(build_model(vgg_spec("vgg16")), path)


def child(kind: str) -> dict[str, float]:
    """Click → first feature maps with the weights cached, in this fresh process."""
    os.environ["HF_HUB_CACHE"] = str(WORK / "hf")
    os.environ["KERAS_HOME"] = str(WORK / "keras")
    from components.engine.analysis import analyze
    from components.engine.vgg import vgg_spec
    from components.keras_side import hub, images
    from components.keras_side.activations import WeightsSource, build_network
    from components.keras_side.builder import import_keras

    import_keras()  # TensorFlow's start-up is not the weights' cost
    arch = "vgg16" if kind == "keras" else "vgg16_bn"
    spec = vgg_spec(arch)
    hub.HUB_FILES["vgg16_bn"] = hub.HubFile("vgg16_bn", "timm/vgg16_bn.tv_in1k", COMMIT)
    data = SAMPLE.read_bytes()
    now = memory_mb()
    base_anon, base_total = now["RssAnon"], now["RssAnon"] + now["RssFile"]
    sampler = PeakSampler()
    sampler.start()
    start = time.perf_counter()
    hash_seconds = 0.0
    if kind == "torchvision":  # what the page does: the verified file, then build
        trained = hub.best_trained(spec, "torchvision")
        assert trained is not None and trained.cached
        hash_start = time.perf_counter()
        path = hub.ready_file(trained.hub)  # type: ignore[arg-type]
        hash_seconds = time.perf_counter() - hash_start
        size = path.stat().st_size
        source = WeightsSource("torchvision", digest=trained.digest)
    elif kind == "keras":
        size = (WORK / "keras" / "models" / "vgg16_weights_tf_dim_ordering_tf_kernels.h5").stat()
        size = size.st_size
        source = WeightsSource("imagenet", digest="keras")
    else:  # the same network without loading anything: what building alone costs
        size, source = 0, WeightsSource("random")
    net = build_network(spec, source)
    picture = images.fit(images.decode(data).image, 224, 224)
    net.activations(images.to_batch(picture, net.preprocessing()))
    seconds = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    return {
        "seconds": seconds,
        "hash_seconds": hash_seconds,
        "file_mb": size / 1e6,
        "weights_mb": analyze(spec).weight_bytes / 1e6,
        "peak_anon_mb": sampler.anon - base_anon,
        "peak_total_mb": sampler.total - base_total,
    }


def main() -> None:
    make_files()
    results = {}
    for kind in ("random", "torchvision", "keras"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind], check=True, capture_output=True, text=True
        ).stdout
        results[kind] = json.loads(out.strip().splitlines()[-1])
    rnd, tv, ke = results["random"], results["torchvision"], results["keras"]
    print("Click → first feature maps, weights cached (load + build + warm + first pass):")
    print(f"  {'VGG16-BN, random (build only)':<34} {rnd['seconds']:6.1f} s  "
          f"peak +{rnd['peak_anon_mb']:.0f} MB own memory")  # fmt: skip
    for name, r in (("VGG16-BN, torchvision (Hub cache)", tv), ("VGG16, Keras (.h5)", ke)):
        print(
            f"  {name:<34} {r['seconds']:6.1f} s  (SHA-256 {r['hash_seconds']:.1f} s)  "
            f"file {r['file_mb']:.0f} MB\n"
            f"  {'':<34} peak +{r['peak_anon_mb']:.0f} MB own memory "
            f"(+{r['peak_total_mb']:.0f} MB with the mapped file) = "
            f"{r['peak_anon_mb'] / r['file_mb']:.2f}× the file (goal < 1.5×)"
        )
    print(f"  ratio torchvision / Keras: {tv['seconds'] / ke['seconds']:.2f}×")
    (ROOT / "bench" / "results" / "hub_load.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
    elif len(sys.argv) == 3 and sys.argv[1] == "--make-keras":
        make_keras(Path(sys.argv[2]))
    else:
        main()
