"""Compare page: both networks' top-5 side by side when both have trained weights here."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from safetensors.numpy import save_file

from components.engine.vgg import vgg_spec
from components.keras_side import hub
from components.ui.i18n import translate
from tests.apptest import messages, open_page

pytestmark = pytest.mark.keras
SIDE = 64  # the networks' 1,000-class heads at 64×64 instead of 224: 150 MB, not 530 MB


def top5_frames(at) -> list:
    return [f for f in at.dataframe if "probability" in f.value.columns]


def test_without_trained_weights_the_page_says_when_the_top5_appear(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    at = open_page("pages/compare.py", timeout=300, cmp="vgg11@64x64x3,vgg13_bn@64x64x3")
    at.toggle(key="cmp_maps").set_value(True).run(timeout=300)
    assert not at.exception
    assert translate("hub.cmp.need", "en") in messages(at)
    assert top5_frames(at) == []


def test_both_trained_networks_top5_side_by_side(tmp_path, monkeypatch):
    """Stand-in trained files (random, torchvision layout); the top-1 shown for VGG11 is the
    NumPy reference's on the same preprocessed picture."""
    from components.keras_side import images
    from components.keras_side.activations import imagenet_labels
    from components.ui import activation_views, weights_views
    from tests.test_weights import torch_forward, torch_state_dict

    paths, dicts = {}, {}
    for variant in ("vgg11", "vgg13_bn"):
        spec = vgg_spec(variant, (SIDE, SIDE, 3))
        dicts[variant] = torch_state_dict(spec, np.random.default_rng(len(variant)))
        paths[variant] = tmp_path / f"{variant}.safetensors"
        save_file(dicts[variant], str(paths[variant]))

    def variant_of(spec) -> str:
        return "vgg13_bn" if "VGG13" in spec.name else "vgg11"

    def file_for(spec) -> hub.HubFile:
        return hub.HubFile(variant_of(spec), f"timm/{variant_of(spec)}.tv_in1k", "c" * 40)

    monkeypatch.setattr(weights_views, "_with_head", lambda item: vgg_spec(
        item.arch, (SIDE, SIDE, 3), batch_norm=item.batch_norm))  # fmt: skip
    monkeypatch.setattr(hub, "hub_file_for", file_for)
    monkeypatch.setattr(hub, "ready_file", lambda file: paths[file.variant])
    monkeypatch.setattr(hub, "best_trained", lambda spec, kind="imagenet": hub.Trained(
        "torchvision", 1, True, hub=file_for(spec)))  # fmt: skip
    at = open_page("pages/compare.py", timeout=300, cmp="vgg11@64x64x3,vgg13_bn@64x64x3")
    at.toggle(key="cmp_maps").set_value(True).run(timeout=300)
    assert not at.exception and not at.error
    text = messages(at)
    assert "timm/vgg11.tv_in1k" in text and "timm/vgg13_bn.tv_in1k" in text
    frames = top5_frames(at)
    assert len(frames) == 2 and all(len(f.value) == 5 for f in frames)
    picture = images.fit(
        images.decode(activation_views.sample_bytes(activation_views.SAMPLES[0])).image,
        SIDE,
        SIDE,
        "crop",
    )
    x = images.to_batch(picture, "torch")[0].transpose(2, 0, 1)
    expected = torch_forward(vgg_spec("vgg11", (SIDE, SIDE, 3)), dicts["vgg11"], x)
    assert frames[0].value["class"].iloc[0] == imagenet_labels()[int(expected.argmax())]
    assert frames[0].value["probability"].iloc[0] == pytest.approx(expected.max(), rel=1e-3)


def test_one_vgg_twice_with_both_sources_is_the_cross_check(monkeypatch):
    from components.ui import weights_views

    keras = hub.Trained("imagenet", 1, True)
    torchvision = hub.Trained("torchvision", 1, True, hub=hub.HUB_FILES["vgg16"])
    spec = vgg_spec("vgg16")
    monkeypatch.setattr(hub, "trained_options", lambda s: [keras, torchvision])
    monkeypatch.setattr(hub, "best_trained", lambda s, kind="imagenet": keras)
    assert weights_views.pair_sources([spec, spec]) == [keras, torchvision]
    assert weights_views.pair_sources([spec, vgg_spec("vgg19")]) == [keras, keras]
    assert weights_views.pair_sources([None, spec]) == [None, keras]
    monkeypatch.setattr(
        hub, "trained_options", lambda s: [keras, replace(torchvision, cached=False)]
    )
    assert weights_views.pair_sources([spec, spec]) == [keras, keras]


@pytest.mark.parametrize("arch", ["vgg16", "vgg19"])
def test_real_keras_and_torchvision_weights_agree_on_the_samples(arch) -> None:
    """Runs where both real files are cached (after `weights fetch` and Keras' download);
    skipped on machines without them, such as the offline one this was written on."""
    from components.keras_side import images
    from components.keras_side.activations import WeightsSource, build_network
    from components.ui import activation_views

    spec = vgg_spec(arch)
    options = {o.kind: o for o in hub.trained_options(spec) if o.cached}
    if len(options) < 2:
        pytest.skip(f"{arch}: Keras' and the Hub's ImageNet files are not both cached here")
    tops = {}
    for kind, trained in options.items():
        net = build_network(spec, WeightsSource(kind, digest=trained.digest))
        fitted = [
            images.fit(images.decode(activation_views.sample_bytes(s)).image, 224, 224)
            for s in activation_views.SAMPLES
        ]
        tops[kind] = [
            int(net.forward(images.to_batch(f, net.preprocessing())).argmax()) for f in fitted
        ]
        del net
    assert tops["imagenet"] == tops["torchvision"]
