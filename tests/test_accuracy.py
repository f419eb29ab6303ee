"""Published ImageNet accuracy beside the cost: data with its source, only where it applies."""

from __future__ import annotations

import json

from components.engine.accuracy import ACCURACY_FILE, published, sources
from components.engine.compare import parse_item
from tests.apptest import messages, open_page


def test_every_figure_names_its_source_page() -> None:
    raw = json.loads(ACCURACY_FILE.read_text(encoding="utf-8"))
    assert set(sources()) == {"torchvision", "keras"}
    for row in raw["figures"]:
        assert row["source"] in sources()
        assert row["page"].startswith(("https://pytorch.org/", "https://docs.pytorch.org/",
                                       "https://keras.io/",
                                       "https://github.com/pytorch/vision/"))  # fmt: skip
        assert 60 < row["top1"] < row["top5"] < 100


def test_figures_apply_only_to_the_published_configuration() -> None:
    vgg16 = published(parse_item("vgg16"))
    assert [(f.source, f.top1, f.top5) for f in vgg16] == [
        ("torchvision", 71.592, 90.382),  # VGG16_Weights.IMAGENET1K_V1
        ("keras", 71.3, 90.1),  # keras.io/api/applications
    ]
    assert published(parse_item("vgg16@320x320x3")) == ()
    assert published(parse_item("vgg16/notop")) == ()
    assert published(parse_item("preset:tiny-vgg")) == ()
    assert [f.top1 for f in published(parse_item("vgg19_bn"))] == [74.218]


def test_compare_shows_the_gain_beside_the_cost() -> None:
    at = open_page("pages/compare.py", cmp="vgg16,vgg19")
    shown = messages(at)
    assert "top-1 71.6% → 72.4% (+0.8 points)" in shown and "(torchvision)" in shown
    rows = [line for line in shown.splitlines() if "](https://" in line]
    assert [row.split(" | ")[0] for row in rows] == ["| VGG16", "| VGG16", "| VGG19", "| VGG19"]
    assert "| 71.592% | 90.382% | [torchvision](https://pytorch.org/vision/" in rows[0]


def test_no_figure_no_claim() -> None:
    at = open_page("pages/compare.py", cmp="vgg16@320x320x3,vgg19")
    shown = messages(at)
    assert "points)" not in shown and "VGG16 · 320×320" in shown


def test_every_torchvision_vgg_has_its_figure() -> None:
    """torchvision publishes all eight; these three were read from the weights' metadata in
    its source (``VGG11_Weights``, ``VGG11_BN_Weights``, ``VGG16_BN_Weights``), the same
    numbers its documentation pages render (the other five match their pages exactly)."""
    pinned = {
        ("vgg11", False): (69.02, 88.628),
        ("vgg11", True): (70.37, 89.81),
        ("vgg16", True): (73.36, 91.516),
    }
    for (arch, bn), (top1, top5) in pinned.items():
        [figure] = published(parse_item(arch + ("_bn" if bn else "")))
        assert (figure.source, figure.top1, figure.top5) == ("torchvision", top1, top5)
    for arch in ("vgg11", "vgg13", "vgg16", "vgg19"):
        for suffix in ("", "_bn"):
            assert any(f.source == "torchvision" for f in published(parse_item(arch + suffix)))
    at = open_page("pages/compare.py", cmp="vgg11,vgg11_bn")
    assert "top-1 69.0% → 70.4% (+1.4 points)" in messages(at)
