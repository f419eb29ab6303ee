"""Published ImageNet accuracy of the pretrained VGGs, with where each figure comes from.

The figures live in ``assets/imagenet_accuracy.json``, copied from torchvision's and
Keras' documentation with the page they were read on; a variant without a verified
figure has none here (never a guess). They describe the original 224×224 networks
with their 1000-class head, so other configurations get none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from components.engine.compare import Item

ACCURACY_FILE = Path(__file__).resolve().parents[2] / "assets" / "imagenet_accuracy.json"
PUBLISHED_INPUT = (224, 224, 3)


@dataclass(frozen=True)
class Published:
    """One library's published top-1 / top-5 accuracy (percent) for one VGG variant."""

    arch: str
    bn: bool
    source: str  # "torchvision" or "keras"
    top1: float
    top5: float
    page: str  # the documentation page the figures were read on


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str


@cache
def _table() -> tuple[tuple[Published, ...], dict[str, Source]]:
    raw = json.loads(ACCURACY_FILE.read_text(encoding="utf-8"))
    figures = tuple(Published(**row) for row in raw["figures"])
    sources = {key: Source(key, s["title"], s["url"]) for key, s in raw["sources"].items()}
    return figures, sources


def sources() -> dict[str, Source]:
    return _table()[1]


def published(item: Item) -> tuple[Published, ...]:
    """Every published figure for this configuration (torchvision first), or none."""
    if item.is_preset or not item.include_top or item.input_shape != PUBLISHED_INPUT:
        return ()
    return tuple(f for f in _table()[0] if f.arch == item.arch and f.bn == item.batch_norm)
