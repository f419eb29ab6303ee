"""What a user picks (architecture name or spec, input size, options) → a NetworkSpec."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from components.engine.errors import InputError, Issue
from components.engine.spec import NetworkSpec, check_input_shape
from components.engine.vgg import vgg_spec

# ASCII digits only: '²' or '①' pass str.isdigit() and '٣' matches \d, but a link means 0-9.
_SIZE_RE = re.compile(r"\s*([0-9]{1,6})\s*[x×X*,]\s*([0-9]{1,6})(?:\s*[x×X*,]\s*([0-9]{1,2}))?\s*")


def ascii_int(text: str, low: int, high: int) -> int | None:
    """A whole number written in ASCII digits within [low, high]; None for anything else."""
    text = str(text).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_input_size(text: str, default_channels: int = 3) -> tuple[int, int, int]:
    """'224x224x3' (or '224x224', '224') → (224, 224, 3), with a clear error otherwise."""
    text = str(text).strip()
    if text.isascii() and text.isdigit() and len(text) <= 6:
        shape = [int(text), int(text), default_channels]
    else:
        match = _SIZE_RE.fullmatch(text)
        if not match:
            raise InputError(Issue("input.unreadable_size", {"got": text[:40]}, field="input"))
        h, w, c = match.groups()
        shape = [int(h), int(w), int(c) if c else default_channels]
    result = check_input_shape(shape)
    assert result is not None
    return result


@dataclass(frozen=True)
class VGGChoice:
    """The options of a VGG view; the same names as the share link's."""

    arch: str = "vgg16"
    input_shape: tuple[int, int, int] = (224, 224, 3)
    include_top: bool = True
    batch_norm: bool = False
    classes: int = 1000
    fc_as_conv: bool = False

    def spec(self) -> NetworkSpec:
        return vgg_spec(
            self.arch,
            self.input_shape,
            include_top=self.include_top,
            classes=self.classes,
            batch_norm=self.batch_norm,
            fc_as_conv=self.fc_as_conv,
        )


def with_input(spec: NetworkSpec, input_shape: tuple[int, int, int]) -> NetworkSpec:
    """A custom spec on another input size."""
    return replace(spec, input_shape=input_shape)
