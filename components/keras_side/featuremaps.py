"""Feature maps as small PNG pictures, and per-layer statistics (NumPy, Pillow, pandas).

A layer's view travels to the browser as PNG tiles (a plotly heatmap of every
value would be megabytes), so each tile is resized to ``TILE_PX`` and coloured
through a 256-entry lookup table of plotly's Viridis scale.
"""

from __future__ import annotations

import io
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

Order = Literal["first", "active"]
ORDERS: tuple[Order, ...] = ("first", "active")
Scale = Literal["shared", "channel"]
TILE_PX = 96
BOX_COLOUR = (255, 64, 64)


@cache
def _lut() -> np.ndarray:
    from plotly.colors import sample_colorscale, unlabel_rgb

    colours = sample_colorscale("Viridis", [i / 255 for i in range(256)])
    return np.array([unlabel_rgb(c) for c in colours], dtype=np.uint8)


def is_map(values: np.ndarray) -> bool:
    """Whether a layer output is an image-shaped (H, W, C) feature map."""
    return values.ndim == 3


def channel_order(fmap: np.ndarray, order: Order, n: int) -> list[int]:
    """The first ``n`` channels, or the ``n`` with the largest mean activation."""
    count = fmap.shape[-1]
    if order == "first":
        return list(range(min(n, count)))
    means = fmap.reshape(-1, count).mean(axis=0)
    return [int(c) for c in np.argsort(-means, kind="stable")[:n]]


def _index(values: np.ndarray, low: float, high: float) -> Image.Image:
    """A 2-D array → 8-bit levels, ``low``..``high`` mapped onto 0..255."""
    span = high - low if high > low else 1.0
    return Image.fromarray(np.clip((values - low) / span * 255.0, 0, 255).astype(np.uint8), "L")


def _paletted(levels: Image.Image) -> Image.Image:
    """Levels → Viridis as a palette image: one byte per pixel, so small PNGs."""
    out = levels.copy()
    out.putpalette(_lut().tobytes())
    return out


def colourise(values: np.ndarray, low: float, high: float) -> Image.Image:
    """A 2-D array → RGB picture, ``low``..``high`` mapped onto Viridis."""
    return _paletted(_index(values, low, high)).convert("RGB")


def png(image: Image.Image) -> bytes:
    """PNG bytes of a picture (cacheable, and sent as PNG rather than JPEG)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def _resized(image: Image.Image, px: int) -> Image.Image:
    """Small maps grow with sharp pixels (nearest); large maps shrink smoothly."""
    h, w = image.height, image.width
    scale = px / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    smooth = Image.Resampling.BILINEAR if scale < 1 else Image.Resampling.NEAREST
    return image.resize(size, smooth)


def shared_range(fmap: np.ndarray, channels: list[int]) -> tuple[float, float]:
    """The one colour range of the shown channels (0 always inside: ReLU maps start there)."""
    chosen = fmap[..., channels]
    return float(chosen.min(initial=0)), float(chosen.max(initial=0))


def tiles(fmap: np.ndarray, channels: list[int], scale: Scale, px: int = TILE_PX) -> list[bytes]:
    """One PNG per channel; ``shared`` uses the layer's range for all, else each its own."""
    chosen = fmap[..., channels]
    low, high = shared_range(fmap, channels)
    out = []
    for i in range(len(channels)):
        values = chosen[..., i]
        lo, hi = (low, high) if scale == "shared" else (float(values.min()), float(values.max()))
        out.append(png(_paletted(_resized(_index(values, lo, hi), px))))
    return out


def overlay(picture: Image.Image, values: np.ndarray, alpha: float = 0.55) -> Image.Image:
    """One channel stretched over the picture the network saw, blended in."""
    heat = colourise(values, float(values.min()), float(values.max()))
    heat = heat.resize(picture.size, Image.Resampling.BILINEAR)
    return Image.blend(picture.convert("RGB"), heat, alpha)


def draw_box(picture: Image.Image, box: tuple[int, int, int, int], scale: float = 1.0):
    """The receptive field (top, left, bottom, right) drawn on a copy of the picture."""
    top, left, bottom, right = (round(v * scale) for v in box)
    out = picture.convert("RGB").copy()
    width = max(2, round(out.width / 150))
    ImageDraw.Draw(out).rectangle(
        (left, top, max(left, right - 1), max(top, bottom - 1)), outline=BOX_COLOUR, width=width
    )
    return out


def channel_stats(values: np.ndarray) -> dict[str, float]:
    """Statistics of one channel, as shown beside it."""
    flat = values.reshape(-1)
    return {
        "min": float(flat.min()),
        "max": float(flat.max()),
        "mean": float(flat.mean()),
        "std": float(flat.std()),
        "zeros": float(np.mean(flat == 0) * 100),
    }


def dead_channels(fmap: np.ndarray) -> list[int]:
    """Channels that are zero (or below) everywhere for this image."""
    return [int(c) for c in np.flatnonzero(fmap.reshape(-1, fmap.shape[-1]).max(axis=0) <= 0)]


def layer_stats(outputs: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per layer, in order: mean activation, % exact zeros, dead channels (maps only)."""
    records = []
    for name, values in outputs.items():
        records.append(
            {
                "layer": name,
                "mean": float(values.mean()),
                "zeros": float(np.mean(values == 0) * 100),
                "dead": len(dead_channels(values)) if is_map(values) else None,
                "channels": int(values.shape[-1]),
            }
        )
    return pd.DataFrame.from_records(records)
