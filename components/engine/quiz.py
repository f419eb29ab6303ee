"""A short quiz from any analysed network: predict a layer's output shape or parameter count.

Questions pick random layers (seeded, so a rerun keeps the same quiz); answers
are read leniently, the way students write them: ``148x148x16``, ``148, 148, 16``,
``(None, 148, 148, 16)``, ``9,470,464``, ``9 470 464``, full-width digits.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from components.engine.analysis import Analysis, LayerInfo
from components.engine.spec import LayerType

KINDS = ("shape", "params")
_SHAPE_SPLIT = re.compile(r"[x×X*,，、;；\s()\[\]（）]+")
_THOUSANDS = re.compile(r"[,，_'’\s]")


@dataclass(frozen=True)
class Question:
    layer: LayerInfo
    kind: str  # "shape" or "params"

    @property
    def answer(self) -> tuple[int, ...]:
        return self.layer.output_shape if self.kind == "shape" else (self.layer.params,)


def parse_answer(text: str, kind: str) -> tuple[int, ...] | None:
    """The numbers in a typed answer, or None when it cannot be read."""
    text = text.strip()
    if not text:
        return None
    if kind == "params":
        digits = _THOUSANDS.sub("", text)
        return (int(digits),) if digits.isdecimal() else None
    parts = [p for p in _SHAPE_SPLIT.split(text) if p and p.lower() != "none"]
    if not parts or not all(p.isdecimal() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def is_correct(question: Question, text: str) -> bool:
    return parse_answer(text, question.kind) == question.answer


def candidates(analysis: Analysis, kind: str) -> list[LayerInfo]:
    """Layers worth asking about: shapes of layers that change them, params of weight layers."""
    if kind == "params":
        return [i for i in analysis.layers if i.layer.type.has_weights]
    return [
        i
        for i in analysis.layers
        if i.layer.type.is_window
        or i.layer.type in (LayerType.FLATTEN, LayerType.DENSE)
        or i.output_shape != i.input_shape
    ]


def make_quiz(analysis: Analysis, count: int = 4, seed: int = 0) -> list[Question]:
    """``count`` questions on distinct random layers, alternating shape and parameters."""
    rng = random.Random(seed)
    questions: list[Question] = []
    used: set[int] = set()
    for n in range(count):
        kind = KINDS[n % 2]
        pool = [i for i in candidates(analysis, kind) if i.index not in used]
        if not pool:
            continue
        layer = rng.choice(pool)
        used.add(layer.index)
        questions.append(Question(layer, kind))
    questions.sort(key=lambda q: q.layer.index)
    return questions
