"""Recognising the classic wrong answers to "what shape / how many parameters?".

A student who typed 4,608 for a 3×3 conv from 16 to 32 channels (4,640) forgot the
biases; one who typed 320 forgot the input channels; one who typed 150×150×16 for a
'valid' conv used 'same'. ``diagnose`` names the slip so the hint can say which.
"""

from __future__ import annotations

import math

from components.engine.analysis import LayerInfo
from components.engine.quiz import Question, parse_answer

MISTAKES = (
    "forgot_bias",
    "forgot_cin",
    "forgot_cin_and_bias",
    "same_for_valid",
    "valid_for_same",
    "no_floor",
    "forgot_stride",
    "channels_wrong",
    "kept_input_channels",
    "shape_not_flat",
)


def _param_slips(info: LayerInfo) -> dict[int, str]:
    """Wrong parameter counts a slip produces, for conv and dense layers."""
    layer = info.layer
    if layer.type == "conv2d" and layer.window and layer.filters:
        (kh, kw), cin, cout = layer.window, info.input_shape[-1], layer.filters
        slips = {
            kh * kw * cin * cout: "forgot_bias",
            (kh * kw + int(layer.use_bias)) * cout: "forgot_cin",
            kh * kw * cout: "forgot_cin_and_bias",
        }
    elif layer.type == "dense" and layer.units:
        slips = {info.input_shape[-1] * layer.units: "forgot_bias"}
    else:
        return {}
    slips.pop(info.params, None)  # a slip that gives the right number is no slip
    return slips


def _side_slips(info: LayerInfo) -> dict[tuple[int, int], str]:
    """Wrong output sides a slip produces, for windowed layers (conv and pool)."""
    layer = info.layer
    if layer.window is None or layer.strides is None or len(info.input_shape) != 3:
        return {}
    (h, w), (kh, kw), (sh, sw) = info.input_shape[:2], layer.window, layer.strides
    sides: dict[tuple[int, int], str] = {}
    if layer.padding == "valid":
        sides[(math.ceil(h / sh), math.ceil(w / sw))] = "same_for_valid"
        if h >= kh and w >= kw:
            rounded_up = (math.ceil((h - kh) / sh) + 1, math.ceil((w - kw) / sw) + 1)
            sides.setdefault(rounded_up, "no_floor")
            sides.setdefault((h - kh + 1, w - kw + 1), "forgot_stride")
    else:
        sides[(max((h - kh) // sh + 1, 0), max((w - kw) // sw + 1, 0))] = "valid_for_same"
    sides.pop((info.output_shape[0], info.output_shape[1]), None)
    return sides


def diagnose(question: Question, text: str) -> str | None:
    """The classic mistake a wrong answer looks like, or None (right, unreadable or unknown)."""
    guess = parse_answer(text, question.kind)
    info = question.layer
    if guess is None or guess == question.answer:
        return None
    if question.kind == "params":
        return _param_slips(info).get(guess[0])
    out = info.output_shape
    if len(out) == 1:
        if len(guess) > 1 and math.prod(guess) == out[0]:
            return "shape_not_flat"
        return None
    if len(guess) != 3:
        return None
    side = _side_slips(info).get(guess[:2])
    if side is not None:
        return side
    if guess[:2] == out[:2] and guess[2] != out[2]:
        same_channels = guess[2] == info.input_shape[-1] and info.layer.type == "conv2d"
        return "kept_input_channels" if same_channels else "channels_wrong"
    return None
