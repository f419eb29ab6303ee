"""Grad-CAM and friends for VGG16 at 224×224, measured in one run.

Prints, warm (median of several runs):
- Grad-CAM (a forward pass and a backward pass that stops at block5_conv3) versus a bare
  ``model(x)`` forward pass: goal ≤ 3×; and the same pass continued to the input (what
  the saliency map needs);
- the saliency map, guided backpropagation (one full pass each) and SmoothGrad with 25
  samples (25 passes, in the page's chunks), each as a multiple of the forward pass;
- bytes sent per view: the two classes' maps as PNG, the input and the colour bar.

Weights are random (seeded) unless ImageNet weights are in the Keras cache; timings do
not depend on the values.
"""

from __future__ import annotations

from pathlib import Path

from bench.timing import median_seconds
from components.engine.analysis import analyze
from components.engine.vgg import vgg_spec
from components.keras_side import featuremaps, images, saliency, weights
from components.keras_side.activations import WeightsSource, build_network
from components.ui import saliency_views

ROOT = Path(__file__).resolve().parent.parent

RUNS = 5
SMOOTH_SAMPLES = 25
SAMPLE = ROOT / "assets" / "samples" / "chelsea.jpg"
LAYER, CLASSES = "block5_conv3", (281, 285)  # tabby cat, Egyptian cat


def main() -> None:
    spec = vgg_spec("vgg16")
    kind = "imagenet" if weights.imagenet_file(spec).cached else "random"
    net = build_network(spec, WeightsSource(kind))  # type: ignore[arg-type]
    picture = images.fit(images.decode(SAMPLE.read_bytes()).image, 224, 224)
    x = images.to_batch(picture, net.preprocessing())
    chunk = saliency_views._chunk(analyze(spec))
    print(f"VGG16 224×224×3, {kind} weights, layer {LAYER}, SmoothGrad chunk {chunk}")

    def gradcam() -> object:
        with net.lock:
            return saliency.class_gradients(net.model, x, CLASSES[0], LAYER, with_input=False)

    def both() -> object:
        with net.lock:
            return saliency.class_gradients(net.model, x, CLASSES[0], LAYER)

    def plain_saliency() -> object:
        with net.lock:
            return saliency.input_gradient(net.model, x, CLASSES[0])

    def guided() -> object:
        with net.lock:
            return saliency.guided_gradient(net.model, x, CLASSES[0])

    def smooth() -> object:
        return saliency.smooth_gradient(
            net.model, x, CLASSES[0], SMOOTH_SAMPLES, 0.15, chunk=chunk, lock=net.lock
        )

    for _ in range(2):
        net.forward(x), gradcam(), both(), plain_saliency(), guided()
    forward = median_seconds(lambda: net.forward(x), RUNS)
    rows = [
        ("bare model(x) forward", forward, ""),
        ("Grad-CAM (1 pass)", median_seconds(gradcam, RUNS), "goal ≤ 3×"),
        ("Grad-CAM + input gradient", median_seconds(both, RUNS), ""),
        ("saliency (1 pass)", median_seconds(plain_saliency, RUNS), ""),
        ("guided backprop (1 pass)", median_seconds(guided, RUNS), ""),
        (f"SmoothGrad, {SMOOTH_SAMPLES} samples", median_seconds(smooth, 1), ""),
    ]
    for label, seconds, goal in rows:
        print(f"{label:<31} {seconds * 1e3:9.1f} ms  {seconds / forward:6.2f}×  {goal}")

    maps = [both(), saliency.class_gradients(net.model, x, CLASSES[1], LAYER)]
    cams = [saliency.grad_cam(g.fmap, g.fmap_grad) for g in maps]
    high = max(float(c.max()) for c in cams)
    input_png = len(featuremaps.png(saliency_views._enlarged(picture)))
    bar = len(saliency_views.colour_bar_png())
    print(f"\n{'view (two classes)':<31} {'maps':>9} {'+ input, bar':>13}")
    views = {
        "Grad-CAM": [
            saliency_views.heat_png(picture, f"g{i}", c, 0.0, high, 0.5) for i, c in enumerate(cams)
        ],
        "saliency": [
            saliency_views.heat_png(
                picture, f"s{i}", saliency.saliency(g.input_grad), 0.0, 1.0, 0.5
            )
            for i, g in enumerate(maps)
        ],
    }
    guided_grads = [saliency.guided_gradient(net.model, x, c) for c in CLASSES]
    products = [saliency.guided_grad_cam(g, c) for g, c in zip(guided_grads, cams, strict=True)]
    top = max(float(abs(p).max()) for p in products)
    views["Guided Grad-CAM"] = [
        saliency_views.signed_png(f"gg{i}", p, top) for i, p in enumerate(products)
    ]
    for label, pngs in views.items():
        sent = sum(map(len, pngs))
        extra = input_png + (bar if label != "Guided Grad-CAM" else 0)
        print(f"{label:<31} {sent / 1e3:>7.0f}kB {(sent + extra) / 1e3:>11.0f}kB")


if __name__ == "__main__":
    main()
