"""Shared fixtures: a page factory, an analysed VGG16, a small Keras network; quiet TensorFlow."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from components.engine.analysis import Analysis, analyze
from components.engine.spec import parse_spec
from components.engine.vgg import vgg_spec

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Link parameters of a VGG quick to build and run: VGG11 without its head at 64×64 (9M params).
SMALL_VGG = {"arch": "vgg11", "input": "64x64x3", "top": "0"}

# A five-layer CNN (conv, pool, conv, flatten, dense): every kind of step, built in a moment.
TINY = parse_spec(
    {
        "name": "tiny",
        "input": [20, 20, 3],
        "layers": [
            {"type": "conv2d", "name": "c1", "filters": 6, "kernel": 3, "activation": "relu"},
            {"type": "maxpool2d", "name": "p1", "pool": 2},
            {"type": "conv2d", "name": "c2", "filters": 5, "kernel": 3, "activation": "relu"},
            {"type": "flatten", "name": "flat"},
            {"type": "dense", "name": "out", "units": 3, "activation": "softmax"},
        ],
    }
)


@pytest.fixture
def page(request: pytest.FixtureRequest) -> Callable[..., AppTest]:
    """Opens the test module's ``PAGE`` script with link parameters, as a share link does.

    A module whose page builds a Keras model sets ``PAGE_TIMEOUT`` (seconds) as well.
    """
    from tests.apptest import open_page

    timeout = getattr(request.module, "PAGE_TIMEOUT", 60)
    return functools.partial(open_page, request.module.PAGE, timeout=timeout)


@pytest.fixture(scope="session")
def vgg16() -> Analysis:
    """The engine's analysis of VGG16 at 224×224×3 with its head."""
    return analyze(vgg_spec("vgg16"))


@pytest.fixture(scope="module")
def tiny_network() -> Any:
    """:data:`TINY` built by Keras with seeded random weights (an ``activations.Network``)."""
    from components.keras_side.activations import WeightsSource, build_network

    return build_network(TINY, WeightsSource("random", seed=5))
