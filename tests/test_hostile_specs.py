"""Hostile specs (links, pastes, uploads, files): the engine's InputError or a valid network.

Property tests feed random JSON values, random text and spec-shaped objects with
hostile values (unhashable types, lone surrogates, control characters, numbers of
thousands of digits, deep nesting, names Keras refuses); regression tests pin each
class the fuzzing pass found. A valid result must also survive what the app does
with it next: share-link encoding, JSON export, analysis and the Arrow table.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.engine.analysis import analyze
from components.engine.errors import MAX_SHOWN_ISSUES, InputError
from components.engine.spec import (
    LAYER_TYPES,
    MAX_COUNT,
    NetworkSpec,
    decode_spec,
    encode_spec,
    parse_spec,
    parse_spec_json,
)
from components.ui.tables import layer_frame
from tests.english import english, raises_saying

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

hostile_text = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        ["\ud800", "a\n", "a\x00", "input_layer", "a/b", "[Log in](https://evil.example)",
         "<b>x</b>", "conv2d", "", " ", "x" * 70, "层", "a\u202eb"]
    ),
)  # fmt: skip
hostile_number = st.one_of(
    st.integers(-(10**30), 10**30),
    st.sampled_from([0, 1, 3, 64, 65, 16384, 16385, 2**63, 2**64, 10**4000, -(10**4000)]),
    st.floats(allow_nan=True, allow_infinity=True),
)
leaf = st.one_of(st.none(), st.booleans(), hostile_number, hostile_text)
json_value = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)
    ),
    max_leaves=12,
)
small = st.one_of(st.integers(1, 8), hostile_number, json_value)
layer = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(list(LAYER_TYPES)), json_value)},
    optional={
        "name": hostile_text,
        "filters": small,
        "units": small,
        "kernel": st.one_of(small, st.lists(small, max_size=3)),
        "pool": st.one_of(small, st.lists(small, max_size=3)),
        "stride": small,
        "padding": st.one_of(st.sampled_from(["same", "valid"]), json_value),
        "activation": st.one_of(st.sampled_from(["relu", "softmax"]), json_value),
        "fn": st.one_of(st.just("relu"), json_value),
        "use_bias": st.one_of(st.booleans(), json_value),
        "rate": st.one_of(st.floats(0, 1), json_value),
        "fn2": json_value,
    },
)
spec_like = st.fixed_dictionaries(
    {
        "input": st.one_of(
            st.tuples(st.integers(1, 64), st.integers(1, 64), st.integers(1, 4)).map(list),
            json_value,
        ),
        "layers": st.one_of(st.lists(layer, min_size=1, max_size=6), json_value),
    },
    optional={"name": hostile_text, "extra": json_value},
)


def valid_or_spec_error(make) -> NetworkSpec | None:
    """Call ``make``; an InputError passes (with a short, printable message), a spec is used."""
    try:
        spec = make()
    except InputError as error:
        assert error.issues
        assert len(error.shown()) <= MAX_SHOWN_ISSUES + 1
        assert all(english(issue).isprintable() for issue in error.shown())
        return None
    assert isinstance(spec, NetworkSpec)
    assert decode_spec(encode_spec(spec)) == spec  # the share link round-trips
    assert parse_spec_json(spec.to_json()) == spec  # so does the exported file
    try:
        analysis = analyze(spec)
    except InputError as error:
        assert all(english(issue).isprintable() for issue in error.shown())
        return spec
    assert max(analysis.total_params, analysis.total_macs, analysis.activation_bytes) <= MAX_COUNT
    pa.Table.from_pandas(layer_frame(analysis))  # what st.dataframe sends
    return spec


@SETTINGS
@given(json_value)
def test_any_json_value(raw) -> None:
    valid_or_spec_error(lambda: parse_spec(raw))


@SETTINGS
@given(spec_like)
def test_spec_shaped_objects_with_hostile_values(raw) -> None:
    valid_or_spec_error(lambda: parse_spec(raw))


@SETTINGS
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200), spec_like.map(json.dumps)))
def test_any_text(text) -> None:
    valid_or_spec_error(lambda: parse_spec_json(text))


@SETTINGS
@given(st.text(max_size=300))
def test_any_link_token(token: str) -> None:
    valid_or_spec_error(lambda: decode_spec(token))


def spec_text(layers: list, name: str = "net", shape: tuple = (8, 8, 3)) -> str:
    return json.dumps({"name": name, "input": list(shape), "layers": layers})


FLAT = {"type": "flatten"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (json.dumps({"type": []}), "unknown field"),
        (spec_text([{"type": []}]), "unknown layer type []"),
        (spec_text([{"type": {}}]), "unknown layer type {}"),
        ('{"name": "\\ud800", "input": [8, 8, 3], "layers": [{"type": "flatten"}]}', "name"),
        (spec_text([FLAT], name="a\nb"), "printable"),
        (spec_text([{"type": "flatten", "name": "a\n"}]), "not allowed"),
        (spec_text([{"type": "flatten", "name": "\ud800"}]), "not allowed"),
        (spec_text([{"type": "flatten", "name": "input_layer"}]), "Keras gives that name"),
        (spec_text([{"type": "flatten", "name": "a/b"}]), "not allowed"),
        (spec_text([{"type": "dense", "units": int("9" * 4000)}]), "digit number"),
        ('{"input": [8, 8, ' + "9" * 5000 + '], "layers": []}', "thousands of digits"),
        ("[" * 500 + "]" * 500, "must be a JSON object"),
        ('{"name": "a", "input": [8, 8, 3], "layers": ' + "[" * 900 + "]" * 900 + "}", "nested"),
        ("[" * 100_000, "nested too deeply"),
    ],
    ids=lambda value: value[:30] if isinstance(value, str) else None,
)
def test_each_class_found_by_fuzzing(text: str, words: str) -> None:
    with pytest.raises(InputError) as info:
        parse_spec_json(text)
    assert words in english(info.value.shown())
    assert english(info.value.shown()).isprintable() and len(english(info.value.shown())) < 2000


def test_a_huge_issue_list_is_capped_and_counted() -> None:
    """24,000 problems in one 200 KB spec: a short message that says how many more."""
    junk = {f"k{i}": 1 for i in range(12_000)}
    bad = {"type": "conv2d", "filters": [], "kernel": "x", "padding": 3, "use_bias": 3}
    text = spec_text([{"type": "flatten", **junk}] + [bad] * 150)
    assert len(text) < 256 * 1024
    with pytest.raises(InputError) as info:
        parse_spec_json(text)
    shown = info.value.shown()
    assert len(info.value.issues) > 500 and len(shown) == MAX_SHOWN_ISSUES + 1
    assert f"{len(info.value.issues) - MAX_SHOWN_ISSUES:,} more" in english(shown[-1])
    assert len(english(info.value.shown())) < 5000
    assert "12,000 more" not in english(info.value.shown()) and "11,995 more" in english(
        info.value.issues
    )


def test_totals_past_64_bits_are_refused_before_any_table() -> None:
    wide = {"type": "conv2d", "filters": 16384, "kernel": 64, "padding": "same"}
    spec = parse_spec_json(spec_text([wide, wide], shape=(4096, 4096, 4)))
    with raises_saying("multiply-accumulates"):
        analyze(spec)


def test_the_largest_accepted_totals_fit_arrow() -> None:
    wide = {"type": "conv2d", "filters": 4096, "kernel": 8, "padding": "same"}
    analysis = analyze(parse_spec_json(spec_text([wide, wide], shape=(2048, 2048, 4))))
    assert 2**40 < analysis.total_macs <= MAX_COUNT
    table = pa.Table.from_pandas(layer_frame(analysis))
    assert table.num_rows == 2


names = st.from_regex(r"[A-Za-z][A-Za-z0-9_.\-]{0,20}", fullmatch=True)


@settings(max_examples=4, deadline=None)
@given(st.lists(names, min_size=1, max_size=8, unique=True))
def test_names_the_engine_accepts_keras_accepts(chosen: list[str]) -> None:
    """Engine and Keras agree on names: every accepted one builds (one model per example)."""
    from components.keras_side.builder import build_model

    layers = [{"type": "activation", "fn": "relu", "name": name} for name in chosen]
    try:
        spec = parse_spec_json(spec_text(layers))
    except InputError as error:
        assert "input_layer" in chosen, error
        return
    model = build_model(spec)
    assert [layer.name for layer in model.layers[1:]] == chosen


@pytest.mark.parametrize("name", ["input_layer", "a/b"])
def test_names_the_engine_refuses_keras_refuses(name: str) -> None:
    from components.engine.spec import Layer
    from components.keras_side.builder import build_model

    with pytest.raises(InputError):
        parse_spec_json(spec_text([{"type": "flatten", "name": name}]))
    forced = NetworkSpec("net", (8, 8, 3), (Layer("flatten", name=name),))
    with pytest.raises(ValueError):
        build_model(forced)
