"""A VGG spec says what it is (architecture, batch norm) and refuses bad options in codes."""

from __future__ import annotations

import pytest

from components.engine.errors import InputError
from components.engine.presets import load_preset, preset_names
from components.engine.vgg import CONFIGS, vgg_name, vgg_spec
from components.ui.i18n import translate


@pytest.mark.parametrize("key", list(CONFIGS))
@pytest.mark.parametrize("batch_norm", [False, True])
def test_spec_records_its_configuration(key: str, batch_norm: bool) -> None:
    spec = vgg_spec(key, batch_norm=batch_norm)
    assert (spec.arch, spec.batch_norm) == (key, batch_norm)
    assert spec.name == vgg_name(key, batch_norm)
    assert spec.name.endswith("-BN") == batch_norm


def test_a_name_with_bn_or_a_letter_records_the_same() -> None:
    assert (vgg_spec("VGG16_BN").arch, vgg_spec("VGG16_BN").batch_norm) == ("vgg16", True)
    assert vgg_spec("E").arch == "vgg19"
    assert vgg_spec("vgg11-lrn").arch == "vgg11-lrn"


def test_a_custom_network_has_no_architecture() -> None:
    spec = load_preset(preset_names()[0])
    assert (spec.arch, spec.batch_norm) == (None, False)


@pytest.mark.parametrize(
    ("call", "code", "field", "shown"),
    [
        (lambda: vgg_spec("vgg17"), "vgg.unknown_arch", "arch", "unknown architecture 'vgg17'"),
        (
            lambda: vgg_spec("vgg16", (16, 20, 3)),
            "vgg.input_too_small",
            "input",
            "VGG16 needs an input of at least 32×32, got 16×20",
        ),
        (lambda: vgg_spec("vgg16", classes=0), "vgg.classes_range", "classes", "got 0"),
    ],
)
def test_refusals_are_codes_with_text_in_both_languages(call, code, field, shown) -> None:
    with pytest.raises(InputError) as caught:
        call()
    (issue,) = caught.value.issues
    assert (issue.code, issue.field) == (code, field)
    values = dict(issue.values)
    assert shown in translate(f"issue.{code}", "en", **values)
    zh = translate(f"issue.{code}", "zh", **values)
    hint = translate(f"issue.{code}.hint", "zh", **values)
    assert zh != f"issue.{code}" and hint != f"issue.{code}.hint"
    assert all(str(v) in zh + hint for v in values.values())
