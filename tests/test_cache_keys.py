"""Model and map caches are keyed by the frozen spec itself, hashed through its text."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st
from streamlit.runtime.caching.cache_type import CacheType
from streamlit.runtime.caching.hashing import update_hash

from components.engine.vgg import CONFIGS, vgg_spec
from components.ui.network_picker import SPEC_HASH_FUNCS
from components.ui.weights_choice import WeightsChoice


def key_of(value: object) -> str:
    hasher = hashlib.new("md5")
    update_hash(value, hasher, CacheType.DATA, hash_source=key_of, hash_funcs=SPEC_HASH_FUNCS)
    return hasher.hexdigest()


def test_the_identity_is_built_once_and_is_every_field() -> None:
    spec = vgg_spec("vgg16")
    assert spec.identity is spec.identity
    assert spec.identity == repr(spec)


@given(
    st.sampled_from(list(CONFIGS)),
    st.booleans(),
    st.booleans(),
    st.sampled_from([32, 64, 224]),
    st.text(max_size=8),
)
def test_equal_specs_share_a_key_and_any_difference_changes_it(
    arch: str, bn: bool, top: bool, side: int, name: str
) -> None:
    spec = vgg_spec(arch, (side, side, 3), include_top=top, batch_norm=bn)
    weights = WeightsChoice("random")
    key = key_of(((spec, weights), "image", "crop"))
    twin = vgg_spec(arch, (side, side, 3), include_top=top, batch_norm=bn)
    assert key_of(((twin, weights), "image", "crop")) == key
    renamed = replace(spec, name=spec.name + "!" + name)
    assert key_of(((renamed, weights), "image", "crop")) != key
    other_weights = WeightsChoice("random", seed=1)
    assert key_of(((spec, other_weights), "image", "crop")) != key
