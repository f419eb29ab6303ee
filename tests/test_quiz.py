"""Quiz generation and lenient answer reading."""

from __future__ import annotations

import pytest

from components.engine.analysis import analyze
from components.engine.presets import load_preset
from components.engine.quiz import Question, candidates, is_correct, make_quiz, parse_answer

SEED = analyze(load_preset("seed-example"))


@pytest.mark.parametrize(
    "text",
    [
        "148x148x16",
        "148, 148, 16",
        "(None, 148, 148, 16)",
        "148×148×16",
        " 148 X 148 x 16 ",
        "148，148，16",
        "[148, 148, 16]",
        "１４８x１４８x１６",
    ],
)
def test_shapes_written_many_ways(text: str) -> None:
    assert is_correct(Question(SEED.layers[0], "shape"), text)


@pytest.mark.parametrize("text", ["9,470,464", "9470464", "9 470 464", "9_470_464", "9，470，464"])
def test_counts_written_many_ways(text: str) -> None:
    assert is_correct(Question(SEED.layers[7], "params"), text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("", "shape"), ("148x148", "params"), ("abc", "shape"), ("9.4M", "params"), ("-3", "params")],
)
def test_unreadable_answers(text: str, kind: str) -> None:
    assert parse_answer(text, kind) is None


def test_wrong_answers_are_wrong() -> None:
    assert not is_correct(Question(SEED.layers[0], "shape"), "150x150x16")
    assert not is_correct(Question(SEED.layers[0], "shape"), "148x148")
    assert not is_correct(Question(SEED.layers[0], "params"), "432")  # forgot the biases


def test_quiz_picks_distinct_layers_and_alternates_kinds(vgg16) -> None:
    quiz = make_quiz(vgg16, 4, seed=3)
    assert len(quiz) == 4
    assert len({q.layer.index for q in quiz}) == 4
    assert sorted(q.kind for q in quiz) == ["params", "params", "shape", "shape"]
    for q in quiz:
        assert q.layer in candidates(vgg16, q.kind)
        expected = q.layer.params if q.kind == "params" else q.layer.output_shape
        assert q.answer == (expected if q.kind == "shape" else (expected,))
    assert make_quiz(vgg16, 4, seed=3) == quiz  # same round, same questions on rerun
    assert {q.layer.index for s in range(10) for q in make_quiz(vgg16, 4, seed=s)} != {
        q.layer.index for q in quiz
    }


def test_params_questions_only_ask_weight_layers() -> None:
    assert {i.layer.type for i in candidates(SEED, "params")} == {"conv2d", "dense"}
    assert len(make_quiz(SEED, 20)) <= len(SEED.layers)
