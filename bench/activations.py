"""Activation viewer speed and size for VGG16 at 224×224, measured in one run.

Prints, warm (median of several runs):
- image → first grid (decode, fit, preprocess, all-layer pass, 16 tiles of block1_conv1)
  versus a bare ``model(x)`` forward pass: goal ≤ 1.5×;
- the all-layer extraction versus one forward pass: goal ≤ 1.2×;
- bytes sent per layer view (tiles plus the large channel picture), per layer;
- peak memory of the process (resident set), goal < 2 GB.

Weights are random (seeded) unless ImageNet weights are in the Keras cache;
timings do not depend on the values.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

from bench.timing import median_seconds
from components.engine.analysis import analyze
from components.engine.vgg import vgg_spec
from components.keras_side import featuremaps, images, weights
from components.keras_side.activations import WeightsSource, build_network

ROOT = Path(__file__).resolve().parent.parent

RUNS = 7
SAMPLE = ROOT / "assets" / "samples" / "astronaut.jpg"


def main() -> None:
    spec = vgg_spec("vgg16")
    kind = "imagenet" if weights.imagenet_file(spec).cached else "random"
    start = time.perf_counter()
    net = build_network(spec, WeightsSource(kind))  # type: ignore[arg-type]
    print(
        f"VGG16 224×224×3, {kind} weights: built and warmed in {time.perf_counter() - start:.1f} s"
    )

    data = SAMPLE.read_bytes()
    x = images.to_batch(images.fit(images.decode(data).image, 224, 224), net.preprocessing())

    def first_grid() -> list[bytes]:
        picture = images.fit(images.decode(data).image, 224, 224)
        outputs = net.activations(images.to_batch(picture, net.preprocessing()))
        fmap = outputs["block1_conv1"]
        return featuremaps.tiles(fmap, featuremaps.channel_order(fmap, "first", 16), "shared")

    for _ in range(2):  # warm every path once more
        net.forward(x), net.activations(x), first_grid()
    forward = median_seconds(lambda: net.forward(x), RUNS)
    extract = median_seconds(lambda: net.activations(x), RUNS)
    grid = median_seconds(first_grid, RUNS)
    for label, seconds, goal in (
        ("bare model(x) forward", forward, ""),
        ("all layers in one pass", extract, "goal ≤ 1.2×"),
        ("image → first grid (16 maps)", grid, "goal ≤ 1.5×"),
    ):
        print(f"{label:<29} {seconds * 1e3:8.1f} ms  {seconds / forward:5.2f}×  {goal}")

    outputs = net.activations(x)
    picture = images.fit(images.decode(data).image, 224, 224)
    print(f"\n{'layer':<14} {'shape':>13} {'16 tiles':>10} {'64 tiles':>10} {'channel':>9}")
    worst = 0
    for info in analyze(spec).layers:
        fmap = outputs[info.name]
        if not featuremaps.is_map(fmap):
            continue
        sixteen = sum(map(len, featuremaps.tiles(fmap, list(range(16)), "shared")))
        sixty_four = sum(map(len, featuremaps.tiles(fmap, list(range(64)), "shared")))
        big = featuremaps.overlay(picture, fmap[..., 0]).resize((448, 448))
        channel = len(featuremaps.png(featuremaps.draw_box(big, (0, 0, 10, 10), 2.0)))
        worst = max(worst, sixty_four + channel)
        shape = "×".join(map(str, info.output_shape))
        print(
            f"{info.name:<14} {shape:>13} {sixteen / 1e3:>8.0f}kB {sixty_four / 1e3:>8.0f}kB"
            f" {channel / 1e3:>7.0f}kB"
        )
    print(f"largest layer view (64 tiles + channel picture): {worst / 1e6:.2f} MB  goal < 1 MB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"peak resident memory: {peak / 1e9:.2f} GB  goal < 2 GB")


if __name__ == "__main__":
    main()
