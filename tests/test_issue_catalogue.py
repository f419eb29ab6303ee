"""Every code the engine and the Keras side can emit has an English and a Chinese text whose
placeholders its values fill: found by scanning the code and by generating specs."""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.engine.analysis import analyze
from components.engine.compare import parse_link
from components.engine.editor import check
from components.engine.errors import InputError, Issue, Term, shown_issues
from components.engine.spec import LAYER_TYPES, parse_spec, parse_spec_json
from components.ui.i18n import LANGUAGES, catalogue
from components.ui.messages import render_issue
from tests.conftest import ROOT

# How a module names its codes: the prefix its helpers put before the literal.
PREFIXES = {
    "components/engine/spec.py": {"fail": "spec."},
    "components/engine/analysis.py": {
        "fail": "analysis.",
        "warn": "analysis.",
        "image_shape": "analysis.",
    },
    "components/engine/compare.py": {"item_error": "compare."},
}
CALLS = {"Issue", "of", "fail", "warn", "item_error", "issue", "image_shape"}
SCANNED = ("components/engine", "components/keras_side", "components/cli.py")


def _files() -> list[Path]:
    found: list[Path] = []
    for name in SCANNED:
        path = ROOT / name
        found += sorted(path.glob("*.py")) if path.is_dir() else [path]
    return found


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def scanned_codes() -> set[str]:
    """Codes written as literals in the code: ``Issue("x.y")``, ``InputError.of("x.y")``,
    the spec checker's ``fail("y")`` (→ ``spec.y``) and the like."""
    codes: set[str] = set()
    for path in _files():
        relative = path.relative_to(ROOT).as_posix()
        prefixes = PREFIXES.get(relative, {})
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "code" for target in node.targets
            ):  # code = "a" if ... else "b", then fail(code, ...)
                prefix = prefixes.get("fail", "")
                value = node.value
                options = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
                codes |= {prefix + c.value for c in options if isinstance(c, ast.Constant)}
            if not isinstance(node, ast.Call) or _call_name(node.func) not in CALLS:
                continue
            name = _call_name(node.func)
            args = list(node.args)
            if name == "image_shape":
                args = args[2:]  # (index, layer, code)
            elif name in ("fail", "warn") and relative.endswith("analysis.py"):
                args = args[2:]  # (index, layer, code, ...)
            if not args or not isinstance(args[0], ast.Constant):
                continue
            value = args[0].value
            if isinstance(value, str) and value and " " not in value:
                prefix = prefixes.get(name, "") if name != "Issue" else ""
                codes.add(prefix + value if "." not in value or prefix else value)
    return codes


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def scanned_terms() -> set[str]:
    """Words written as ``Term("x")`` literals (translated as ``term.x``)."""
    return {
        node.args[0].value
        for path in _files()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and _call_name(node.func) == "Term"
        and node.args
        and _is_text(node.args[0])
    }


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_the_scan_finds_the_codes_it_should() -> None:
    codes = scanned_codes()
    assert {"spec.not_whole", "analysis.floored", "compare.size", "act.err.too_wide"} <= codes
    assert {"hub.err.offline", "act.note.alpha", "act.detail.shape", "formula.no_bias"} <= codes
    assert len(codes) > 100


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_scanned_code_has_a_text(lang: str) -> None:
    texts = catalogue(lang)
    missing = sorted(code for code in scanned_codes() if f"issue.{code}" not in texts)
    assert not missing
    assert {"spec.stride_zero", "spec.reserved_name"} <= scanned_codes()
    assert not sorted(term for term in scanned_terms() if f"term.{term}" not in texts)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_hints_and_messages_share_their_placeholders(lang: str) -> None:
    """A hint is filled with its message's values: it may not ask for more."""
    english = catalogue("en")
    for key, text in catalogue(lang).items():
        if key.startswith("issue.") and key.endswith(".hint"):
            message = key.removesuffix(".hint")
            assert message in english, key
            allowed = placeholders(english[message]) | {"more"}
            assert placeholders(text) <= allowed | placeholders(english[key]), key


def _check_renders(issue: Issue) -> None:
    """The issue renders in every language: its text exists and its values fill it."""
    for lang in LANGUAGES:
        texts = catalogue(lang)
        assert f"issue.{issue.code}" in texts, (lang, issue.code)
        need = placeholders(texts[f"issue.{issue.code}"])
        need |= placeholders(texts.get(issue.hint_code, ""))
        supplied = set(issue.values) | ({"fields"} if "more" in issue.values else set())
        assert need <= supplied, (lang, issue.code, need - supplied)
        for value in issue.values.values():
            if isinstance(value, Term):
                assert f"term.{value}" in texts, (lang, value)
        text = render_issue(issue, lang)
        assert text and not re.search(r"\{[a-z_]+\}", text), (lang, text)
        assert text != str(issue), (lang, text)  # not the fallback of a code without a text


def _all_issues(raw: object) -> list[Issue]:
    try:
        analysis = analyze(parse_spec(raw))
    except InputError as error:
        return shown_issues(error.issues, 40)
    notes = [note for info in analysis.layers for f in info.formulas for note in f.notes]
    return analysis.warnings + notes


values = st.one_of(
    st.integers(-5, 5),
    st.integers(0, 70_000),
    st.integers(10**17, 10**30),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.text(max_size=8),
    st.lists(st.integers(-2, 70), max_size=3),
    st.sampled_from(["same", "valid", "relu", "softmax", "input_layer", "a/b"]),
)
FIELDS = ("type", "name", "filters", "kernel", "stride", "padding", "activation", "use_bias")
fields = st.sampled_from([*FIELDS, "pool", "units", "rate", "fn", "dilation"])
layers = st.one_of(
    st.fixed_dictionaries({"type": st.sampled_from(list(LAYER_TYPES))}).flatmap(
        lambda base: st.dictionaries(fields, values, max_size=4).map(lambda d: {**d, **base})
    ),
    st.dictionaries(fields, values, max_size=3),
    values,
)
specs = st.fixed_dictionaries(
    {
        "input": st.one_of(
            st.tuples(st.integers(1, 40), st.integers(1, 40), st.integers(1, 5)).map(list),
            values,
        ),
        "layers": st.lists(layers, max_size=6),
    },
    optional={"name": values, "extra": values},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs)
def test_generated_specs_only_emit_codes_with_texts(raw: dict) -> None:
    for issue in _all_issues(raw):
        _check_renders(issue)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40), st.lists(st.sampled_from(["vgg16", "bogus", "@3x3", "/x"])))
def test_generated_compare_links_only_emit_codes_with_texts(text: str, parts: list[str]) -> None:
    for bad in parse_link(",".join([text, *parts, "vgg16@16x16", "spec"])).rejected:
        for issue in bad.issues:
            _check_renders(issue)


HOSTILE_TEXTS = [
    b"",
    b"\xff\xfe",
    b"[" * 100_000,
    b'{"input": [8, 8, ' + b"9" * 5000 + b'], "layers": []}',
    b"x" * 300_000,
    json.dumps({"input": [8, 8, 3], "layers": [{"type": "flatten"}, {"type": "lrn"}]}).encode(),
    json.dumps(
        {
            "input": [8, 8, 3],
            "layers": [{"type": "flatten"}, {"type": "conv2d", "filters": 1, "kernel": 3}],
        }
    ).encode(),
    json.dumps(
        {
            "input": [4096, 4096, 4],
            "layers": [{"type": "conv2d", "filters": 16384, "kernel": 64, "padding": "same"}] * 2,
        }
    ).encode(),
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS, ids=range(len(HOSTILE_TEXTS)))
def test_hostile_texts_only_emit_codes_with_texts(text: bytes) -> None:
    try:
        analysis = analyze(parse_spec_json(text))
    except InputError as error:
        issues = shown_issues(error.issues)
    else:
        issues = analysis.warnings
    assert issues
    for issue in issues:
        _check_renders(issue)


def test_editor_rows_only_emit_codes_with_texts() -> None:
    rows = [{"type": None}, {"type": "conv2d", "name": "a"}, {"type": "dense", "name": "a"}]
    for issue in check(rows, "n", (8, 8, 3)).issues:
        _check_renders(issue)
