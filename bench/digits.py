"""The trained digits network: stroke end → updated view, versus one forward pass; training.

    python bench/digits.py            # ~1 min: server-side path and a real browser
    python bench/digits.py --train    # also retrain (training/train_digits.py) into a temp dir

Prints, warm (median of several runs), each against one bare ``model(x)`` of digits-vgg:
- server work after a stroke: canvas RGBA → ink → 8×8 cells → 32×32 input → every
  layer in one pass → one PNG per layer of all its channels (112 maps) → the step view's arithmetic
  (what the page computes for a new drawing; nothing cached);
- in Chromium: mouse up on the canvas → the new feature maps on screen
  (canvas upload, server rerun of the fragment, websocket, drawing; one stroke per run);
- the training figures: from ``assets/digits/training.json`` (the shipped run), or
  measured now with ``--train``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from bench.timing import median_seconds
from components.keras_side import conv_steps, digits, featuremaps
from components.ui.digits_views import mosaic

ROOT = Path(__file__).resolve().parent.parent

RUNS = 15
# every picture's address: they change when the new maps have arrived
TILE_SRC = """() => [...document.querySelectorAll("[data-testid='stImage'] img")]
  .map(img => img.src).join(" ")"""
MAP_LAYERS = [f"block{b}_{kind}" for b in (1, 2, 3) for kind in ("conv1", "pool")]


def canvas(shift: int) -> np.ndarray:
    picture = Image.new("RGBA", (224, 224), (0, 0, 0, 255))
    line = [(40 + shift, 40), (180, 40), (100 + shift, 200)]
    ImageDraw.Draw(picture).line(line, fill="white", width=18)
    return np.asarray(picture)


def server_side(net) -> tuple[float, float]:
    """(bare forward, stroke → view) in seconds, warm, each stroke a new drawing."""
    shifts = iter(range(10**6))
    x = digits.batch(digits.network_input(digits.sample_cells(3)))
    kernel, bias = digits.trained_weights()["block1_conv1"]

    def after_stroke() -> None:
        cells = digits.cells_from_ink(digits.ink_of(canvas(next(shifts) % 40)))
        x_new = digits.network_input(cells)
        out = net.activations(digits.batch(x_new))
        for layer in MAP_LAYERS:
            featuremaps.png(mosaic(out[layer]))
        conv_steps.conv_step(x_new[..., None], kernel, bias, 16, 16, 0)

    for _ in range(3):
        net.forward(x), after_stroke()
    return median_seconds(lambda: net.forward(x), RUNS), median_seconds(after_stroke, RUNS)


def browser(strokes: int = 8) -> float | None:
    """Median seconds from mouse up to the app idle with the new prediction, in Chromium."""
    from tests.browser.harness import (
        APP_IDLE,
        CHROMIUM_ARGS,
        VIEWPORT,
        chromium_executable,
        start_server,
        wait_for_run,
    )

    executable = chromium_executable()
    if executable is None:
        return None
    from playwright.sync_api import sync_playwright

    server = start_server(ROOT / "bench" / "results" / "digits-server.log")
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = chromium.new_page(viewport=VIEWPORT)
            page.goto(server.url + "/activations?preset=digits-vgg", wait_until="load")
            wait_for_run(page)
            page.locator("[data-testid='stButtonGroup'] button", has_text="Blank").click()
            wait_for_run(page)
            drawing = page.locator("canvas").last
            drawing.wait_for(state="visible")
            # the canvas settles after remounting: same box for two animation frames
            drawing.element_handle().wait_for_element_state("stable")
            times = []
            for i in range(strokes + 1):
                drawing.evaluate("c => c.scrollIntoView({block: 'center'})")  # reruns may scroll
                box = drawing.bounding_box()
                x0, y0 = box["x"] + 30 + 20 * i, box["y"] + 30
                page.mouse.move(x0, y0)
                page.mouse.down()
                page.mouse.move(x0 + 10, y0 + 150, steps=6)
                before = page.evaluate(TILE_SRC)
                start = time.perf_counter()
                page.mouse.up()
                page.wait_for_function(f"({TILE_SRC})() !== {json.dumps(before)}", timeout=60_000)
                if i:  # the first stroke also loads the maps' code
                    times.append(time.perf_counter() - start)
                page.wait_for_selector(APP_IDLE, state="attached", timeout=60_000)
            chromium.close()
    finally:
        server.stop()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", action="store_true", help="retrain now (about a minute)")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    net = digits.build_trained()
    forward, stroke = server_side(net)
    print(f"{'bare model(x) forward, digits-vgg':<44} {forward * 1e3:8.2f} ms  1.00×")
    print(f"{'stroke → prediction + all maps (server)':<44} {stroke * 1e3:8.2f} ms  "
          f"{stroke / forward:5.2f}×")  # fmt: skip
    if not args.no_browser:
        seconds = browser()
        if seconds is not None:
            print(f"{'mouse up → new view in Chromium':<44} {seconds * 1e3:8.1f} ms  "
                  f"{seconds / forward:5.0f}×")  # fmt: skip

    if args.train:
        from training.train_digits import train

        with tempfile.TemporaryDirectory() as out:
            figures = train(Path(out))
        source = "measured now"
    else:
        figures = json.loads((digits.ASSETS / "training.json").read_text(encoding="utf-8"))
        source = "assets/digits/training.json (the shipped run)"
    print(
        f"\ntraining ({source}): {figures['seconds']:.1f} s for {figures['epochs']} epochs on "
        f"{figures['training_examples']:,} examples; held-out accuracy "
        f"{figures['heldout_accuracy']:.2%} of {figures['heldout_examples']}"
    )
    x, labels = digits.held_out(), digits.held_out().labels
    inputs = np.array([digits.network_input(c) for c in x.cells])[..., None]
    accuracy = float((net.forward(inputs).argmax(axis=1) == labels).mean())
    print(f"shipped weights on the held-out set, now: {accuracy:.2%}")


if __name__ == "__main__":
    main()
