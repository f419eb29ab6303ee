"""Link values parsed by the engine: input sizes, counts and the ``cmp=`` language.

Every value is either read (ASCII digits only: '²', '①', '٣' pass ``isdigit()`` or
``\\d`` but are not what a link means) or refused with the engine's own error.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.engine import compare
from components.engine.choice import ascii_int, parse_input_size
from components.engine.errors import InputError
from components.engine.presets import load_preset
from tests.english import raises_saying

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UNICODE_DIGITS = ["²", "①", "٣", "𝟠", "໓", "Ⅻ", "¹²", "２２４"]
size_text = st.one_of(
    st.text(max_size=20),
    st.text(alphabet="0123456789x×X*, ²①٣２", max_size=16),
    st.sampled_from(["224x224x3", "224", "32x32x1", *UNICODE_DIGITS]),
)


@pytest.mark.parametrize("text", UNICODE_DIGITS + [f"{d}x{d}" for d in UNICODE_DIGITS])
def test_unicode_digits_are_refused_not_crashed(text: str) -> None:
    with raises_saying("cannot read the input size"):
        parse_input_size(text)
    assert ascii_int(text, 0, 10**9) is None


@SETTINGS
@given(size_text)
def test_any_input_size_text(text: str) -> None:
    try:
        h, w, c = parse_input_size(text)
    except InputError:
        return
    assert text.strip().isascii() or "×" in text  # what was read was written in ASCII digits
    assert 1 <= h <= 4096 and 1 <= w <= 4096 and 1 <= c <= 4


@SETTINGS
@given(st.text(max_size=12), st.integers(0, 10), st.integers(10, 10**6))
def test_any_count_text(text: str, low: int, high: int) -> None:
    value = ascii_int(text, low, high)
    if value is not None:
        assert low <= value <= high and text.strip() == str(value).zfill(len(text.strip()))


cmp_piece = st.one_of(
    st.sampled_from(["vgg16", "vgg19_bn", "E", "preset:lenet5", "preset:nope", "spec",
                     "vgg16/notop", "spec/notop", "spec_bn", "vgg16@²", "vgg16@٣x٣",
                     "vgg16@320x320x3", "vgg11@16x16x3", "@", "/", "preset:", ""]),
    st.text(max_size=15),
)  # fmt: skip


@SETTINGS
@given(st.lists(cmp_piece, max_size=16), st.booleans())
def test_any_cmp_value(pieces: list[str], with_spec: bool) -> None:
    """The cmp= language: 2-4 usable items, every other piece rejected alone, never raised."""
    link_spec = load_preset("tiny-vgg") if with_spec else None
    result = compare.parse_link(",".join(pieces), link_spec)
    assert compare.MIN_ITEMS <= len(result.items) <= compare.MAX_ITEMS
    for item in result.items:
        compare.configure(item)
        again = compare.parse_link(compare.link_value([item]), link_spec)
        assert again.items[0] == item  # round-trips
    for bad in result.rejected:
        assert bad.reason in compare.Reason.__args__


def test_the_spec_item_is_the_links_network() -> None:
    spec = load_preset("lenet5")
    result = compare.parse_link("spec,vgg16", spec)
    assert not result.rejected
    assert result.items[0].spec() == spec and compare.link_value(result.items) == "spec,vgg16"
    assert [r.reason for r in compare.parse_link("spec,vgg16").rejected] == ["no_spec"]
    assert [r.reason for r in compare.parse_link("spec/notop", spec).rejected] == ["option"]
    bigger = compare.parse_link("spec@64x64x1", spec).items[0]
    assert bigger.spec().input_shape == (64, 64, 1) and bigger.token == "spec@64x64x1"
