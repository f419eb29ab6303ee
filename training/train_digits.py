"""Train the ``digits-vgg`` preset on scikit-learn's bundled handwritten digits (no download).

    python -m training.train_digits            # writes assets/digits/*.npz, ~1–2 min on 2 cores
    python -m training.train_digits --out /tmp/d --epochs 1 --subset 200

Seeded: the split, the augmentation and Keras' initialisation all follow ``--seed``.
A stratified 20 % of the 1,797 digits is held out (``heldout.npz``) and never seen
in training, not even for early stopping. The rest is augmented (small rotations,
scalings, shears and shifts of the 32×32 input) and joined by digits rendered from
the fonts installed here, passed through the same steps as a drawing on the canvas,
so hand-drawn strokes look like the training data.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from components.keras_side import digits

FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype"))
HELDOUT_SHARE = 0.2


def split(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(cells, labels, train indices, held-out indices) of load_digits(), stratified."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    index = np.arange(len(data.target))
    train, held = train_test_split(
        index, test_size=HELDOUT_SHARE, stratify=data.target, random_state=seed
    )
    return data.images.astype(np.float32), data.target, np.sort(train), np.sort(held)


def augment(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random affine change of a 32×32 input: rotation ±12°, scale 0.9–1.1, shear, shift."""
    angle = np.deg2rad(rng.uniform(-12, 12))
    scale = rng.uniform(0.9, 1.1)
    shear = rng.uniform(-0.15, 0.15)
    shift = rng.uniform(-1.5, 1.5, size=2)
    cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
    a, b, d, e = cos, -sin + shear, sin, cos  # output → input, around the centre
    centre = (digits.SIDE - 1) / 2
    c = centre - a * (centre + shift[0]) - b * (centre + shift[1])
    f = centre - d * (centre + shift[0]) - e * (centre + shift[1])
    image = Image.fromarray(x.astype(np.float32), mode="F")
    out = image.transform(
        image.size, Image.Transform.AFFINE, (a, b, c, d, e, f), Image.Resampling.BILINEAR
    )
    return np.asarray(out, dtype=np.float32)


def font_files() -> list[Path]:
    """Installed Latin fonts (CJK collections left out), in a fixed order."""
    found = [p for d in FONT_DIRS if d.is_dir() for p in d.rglob("*.ttf")]
    return sorted(found)


def rendered_digits(rng: np.random.Generator, copies: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Each digit in each installed font, slightly rotated and thickened, as network inputs."""
    inputs, labels = [], []
    for path in font_files():
        font = ImageFont.truetype(str(path), 96)
        for digit in range(10):
            for _ in range(copies):
                picture = Image.new("L", (160, 160), 0)
                ImageDraw.Draw(picture).text((80, 80), str(digit), fill=255, font=font, anchor="mm")
                picture = picture.rotate(rng.uniform(-10, 10), resample=Image.Resampling.BILINEAR)
                ink = np.asarray(picture, dtype=np.float32) / 255.0
                cells = digits.cells_from_ink(ink)
                if cells is not None:
                    inputs.append(digits.network_input(cells))
                    labels.append(digit)
    return np.array(inputs, dtype=np.float32), np.array(labels)


def training_set(
    cells: np.ndarray, labels: np.ndarray, rng: np.random.Generator, copies: int, fonts: bool
) -> tuple[np.ndarray, np.ndarray]:
    base = np.array([digits.network_input(c) for c in cells])
    xs, ys = [base], [labels]
    for _ in range(copies):
        xs.append(np.array([augment(x, rng) for x in base]))
        ys.append(labels)
    if fonts:
        fx, fy = rendered_digits(rng)
        if len(fx):
            xs.append(fx)
            ys.append(fy)
    return np.concatenate(xs)[..., None], np.concatenate(ys)


def train(
    out: Path, *, seed: int = 0, epochs: int = 14, subset: int | None = None, copies: int = 4
) -> dict[str, float]:
    """Train, write the weights and the held-out set into ``out``; return the figures."""
    from components.keras_side.builder import build_model, import_keras

    keras = import_keras()
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    images, target, train_idx, held_idx = split(seed)
    if subset is not None:
        train_idx = train_idx[:subset]
    x, y = training_set(images[train_idx], target[train_idx], rng, copies, subset is None)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]

    model = build_model(digits.digits_spec())
    steps = epochs * int(np.ceil(len(x) / 64))
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(3e-3, steps)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(x, y, batch_size=64, epochs=epochs, verbose=2, shuffle=True)
    seconds = time.perf_counter() - started

    held_x = np.array([digits.network_input(c) for c in images[held_idx]])[..., None]
    probabilities = model.predict(held_x, batch_size=256, verbose=0)
    accuracy = float((probabilities.argmax(axis=1) == target[held_idx]).mean())

    out.mkdir(parents=True, exist_ok=True)
    digits.save_weights(model, out / digits.WEIGHTS.name)
    np.savez_compressed(
        out / digits.HELDOUT.name,
        cells=images[held_idx].astype(np.uint8),
        labels=target[held_idx].astype(np.uint8),
        indices=held_idx.astype(np.int16),
    )
    figures = {
        "seed": seed,
        "epochs": epochs,
        "training_examples": len(x),
        "train_accuracy": float(history.history["accuracy"][-1]),
        "heldout_examples": len(held_idx),
        "heldout_accuracy": accuracy,
        "seconds": round(seconds, 1),
        "params": int(model.count_params()),
    }
    (out / "training.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=digits.ASSETS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--subset", type=int, default=None, help="train on the first N only")
    args = parser.parse_args()
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
    figures = train(args.out, seed=args.seed, epochs=args.epochs, subset=args.subset)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
