"""The activation viewer's budget counts compute as well as memory, and builds do not queue."""

from __future__ import annotations

import threading

from components.engine.spec import parse_spec
from components.engine.vgg import vgg_spec
from components.keras_side import activations
from tests.english import raises_saying


def heavy_spec():
    """Within the documented spec limits: 10 convs of 64 filters, kernel 64, 'same', 512×512×3."""
    conv = {"type": "conv2d", "filters": 64, "kernel": 64, "padding": "same"}
    return parse_spec({"name": "heavy", "input": [512, 512, 3], "layers": [conv] * 10})


def test_a_spec_with_tens_of_teramacs_is_refused_with_its_numbers() -> None:
    spec = heavy_spec()
    analysis = activations.analyze(spec)
    memory = analysis.weight_bytes + analysis.activation_bytes
    assert memory < activations.MAX_RUN_BYTES  # memory passes
    assert analysis.total_macs > 3e13
    assert activations.over_budget(analysis) == "macs"
    with raises_saying(r"needs 3\.98\d*e\+13 multiply-accumulates.*1\.2e\+11"):
        activations.check_budget(spec)


def test_the_budget_still_runs_vgg19_bn_at_512() -> None:
    spec = vgg_spec("vgg19_bn", (512, 512, 3), include_top=False)
    analysis = activations.check_budget(spec)
    assert analysis.total_macs == 101_921_587_200 <= activations.MAX_RUN_MACS
    with_top = activations.analyze(vgg_spec("vgg19_bn", (512, 512, 3)))
    assert activations.over_budget(with_top) == "bytes"  # fc1


def test_a_long_build_of_one_network_does_not_block_another(monkeypatch) -> None:
    """The first build waits inside; the second network's build must finish meanwhile."""
    inside, release = threading.Event(), threading.Event()
    built: list[str] = []

    def slow_build(spec, source):
        if spec.name == "slow":
            inside.set()
            release.wait(30)
        built.append(spec.name)
        return spec.name

    monkeypatch.setattr(activations, "_build", slow_build)
    small = {"input": [8, 8, 1], "layers": [{"type": "flatten"}, {"type": "dense", "units": 2}]}
    slow, quick = parse_spec({"name": "slow", **small}), parse_spec({"name": "quick", **small})
    source = activations.WeightsSource("random")
    first = threading.Thread(target=activations.build_network, args=(slow, source))
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=activations.build_network, args=(quick, source))
    second.start()
    second.join(10)
    finished = not second.is_alive()
    release.set()
    first.join(10)
    assert finished and built == ["quick", "slow"]


def test_the_same_network_is_built_under_its_own_lock(monkeypatch) -> None:
    small = {"input": [8, 8, 1], "layers": [{"type": "flatten"}, {"type": "dense", "units": 2}]}
    spec = parse_spec({"name": "n", **small})
    source = activations.WeightsSource("random", seed=3)
    assert activations._build_lock(spec, source) is activations._build_lock(spec, source)
    assert activations._build_lock(spec, source) is not activations._build_lock(
        spec, activations.WeightsSource("random", 4)
    )
