"""Damaged image bytes of every format: a clear ImageError or a usable picture, nothing else.

The files are generated here (no binary corpus): valid JPEG, PNG, WebP, BMP and GIF
files, then truncated, spliced and mutated the ways a broken download or a hostile
upload would be.
"""

from __future__ import annotations

import io
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from components.keras_side import images

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def samples() -> tuple[bytes, ...]:
    """One small valid file per format and layout the uploader accepts."""
    rng = np.random.default_rng(7)
    rgb = Image.fromarray(rng.integers(0, 255, (23, 31, 3), dtype=np.uint8))
    out = []
    for fmt, image, options in (
        ("JPEG", rgb, {"quality": 90}),
        ("JPEG", rgb, {"progressive": True}),
        ("PNG", rgb, {}),
        ("PNG", rgb.convert("RGBA"), {}),
        ("PNG", rgb.convert("P"), {}),
        ("WEBP", rgb, {"quality": 80}),
        ("WEBP", rgb, {"lossless": True}),
        ("BMP", rgb, {}),
        ("BMP", rgb.convert("L"), {}),
        ("BMP", rgb.convert("1"), {}),
        ("GIF", rgb.convert("P"), {}),
        ("GIF", rgb.convert("P"), {"save_all": True, "append_images": [rgb.convert("P")] * 2}),
    ):
        buffer = io.BytesIO()
        image.save(buffer, format=fmt, **options)
        out.append(buffer.getvalue())
    return tuple(out)


def decoded_or_refused(data: bytes, channels: int) -> None:
    try:
        result = images.decode(data, channels=channels)
    except images.ImageError as error:
        assert error.code.startswith(("act.err.", "hostile.")), error.code
        return
    assert result.image.mode == ("L" if channels == 1 else "RGB")
    assert result.image.size[0] >= 1 and result.image.size[1] >= 1


sample = st.integers(0, 11).map(lambda i: samples()[i])
channels = st.sampled_from((1, 3))


@SETTINGS
@given(sample, st.floats(0, 1), channels)
def test_truncated_files(data: bytes, where: float, channels: int) -> None:
    decoded_or_refused(data[: int(len(data) * where)], channels)


@SETTINGS
@given(sample, sample, st.floats(0, 1), st.floats(0, 1), channels)
def test_spliced_files(a: bytes, b: bytes, cut_a: float, cut_b: float, channels: int) -> None:
    decoded_or_refused(a[: int(len(a) * cut_a)] + b[int(len(b) * cut_b) :], channels)


@SETTINGS
@given(
    sample,
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=12),
    channels,
)
def test_mutated_bytes(data: bytes, changes: list[tuple[float, int]], channels: int) -> None:
    mutated = bytearray(data)
    for where, value in changes:
        mutated[min(int(where * len(mutated)), len(mutated) - 1)] = value
    decoded_or_refused(bytes(mutated), channels)


@SETTINGS
@given(sample, st.integers(0, 80), st.binary(min_size=1, max_size=64), channels)
def test_header_damage(data: bytes, at: int, junk: bytes, channels: int) -> None:
    """The header is where Image.open itself fails (bit depths, sizes, chunk lengths)."""
    decoded_or_refused(data[:at] + junk + data[at + len(junk) :], channels)


@pytest.mark.parametrize(
    "data",
    [
        b"BM" + b"\x00" * 12 + b"\x28\x00\x00\x00" + b"\x01\x00\x00\x00" * 2 + b"\x01\x00\x07\x00",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        b"RIFF\x10\x00\x00\x00WEBPVP8 \x00\x00\x00\x00",
        b"GIF89a\x01\x00\x01\x00",
    ],
    ids=["bmp-bad-depth", "jpeg-header-only", "webp-empty-frame", "gif-cut"],
)
def test_known_open_failures_are_image_errors(data: bytes) -> None:
    """Files that fail inside Image.open, not only in load()."""
    with pytest.raises(images.ImageError):
        images.decode(data)
