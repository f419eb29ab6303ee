"""Untrusted image files: every bad input is refused or converted, and says so."""

from __future__ import annotations

import io
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from components.keras_side import images

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def keys(decoded: images.DecodedImage) -> set[str]:
    return {note.code for note in decoded.notes}


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` (no pixel data needed to refuse it)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def refused(data: bytes, **kwargs) -> str:
    with pytest.raises(images.ImageError) as info:
        images.decode(data, **kwargs)
    return info.value.code


def test_zero_byte_file() -> None:
    assert refused(b"") == "act.err.empty"


def test_text_renamed_jpg() -> None:
    assert refused(b"just some notes, not a photo\n" * 20) == "act.err.not_image"


def test_truncated_jpeg() -> None:
    rng = np.random.default_rng(0)
    photo = Image.fromarray(rng.integers(0, 255, (200, 200, 3), dtype=np.uint8))
    data = encode(photo, "JPEG", quality=95)
    assert refused(data[: len(data) // 2]) == "act.err.truncated"


def test_decompression_bomb_refused_before_decoding() -> None:
    data = png_header(30_000, 30_000)
    assert len(data) < 100
    start = time.perf_counter()
    assert refused(data) == "act.err.bomb"
    assert time.perf_counter() - start < 1.0


def test_just_over_the_pixel_limit_is_refused() -> None:
    side = int(images.MAX_PIXELS**0.5) + 1
    assert refused(png_header(side, side)) == "act.err.bomb"


def test_file_size_limit() -> None:
    assert refused(b"\0" * (images.MAX_FILE_BYTES + 1)) == "act.err.file_size"


def test_cmyk_jpeg_becomes_rgb_with_a_note() -> None:
    data = encode(Image.new("CMYK", (32, 24), (0, 255, 255, 0)), "JPEG", quality=95)
    decoded = images.decode(data)
    assert decoded.image.mode == "RGB" and decoded.image.size == (32, 24)
    r, g, b = decoded.image.getpixel((10, 10))
    assert r > 200 and g < 60 and b < 60  # cyan 0, magenta+yellow full: red
    assert "act.note.cmyk" in keys(decoded)


def test_16bit_png_is_scaled_not_clipped() -> None:
    ramp = np.array([[0, 32768, 65535]], dtype=np.uint16).repeat(4, axis=0)
    data = encode(Image.fromarray(ramp), "PNG")
    decoded = images.decode(data)
    assert decoded.image.mode == "RGB"
    values = [decoded.image.getpixel((x, 0))[0] for x in range(3)]
    assert values == [0, 128, 255]
    assert {"act.note.high_depth", "act.note.gray"} <= keys(decoded)


def test_grayscale_into_three_channels_is_converted_and_said() -> None:
    data = encode(Image.new("L", (20, 10), 77), "PNG")
    decoded = images.decode(data)
    assert decoded.image.mode == "RGB" and decoded.image.getpixel((0, 0)) == (77, 77, 77)
    assert "act.note.gray" in keys(decoded)


def test_grayscale_into_one_channel_needs_no_note() -> None:
    decoded = images.decode(encode(Image.new("L", (20, 10), 77), "PNG"), channels=1)
    assert decoded.image.mode == "L" and decoded.notes == ()


def test_colour_into_one_channel_is_converted_and_said() -> None:
    decoded = images.decode(encode(Image.new("RGB", (8, 8), RED), "PNG"), channels=1)
    assert decoded.image.mode == "L" and "act.note.to_gray" in keys(decoded)


def test_rgba_is_flattened_on_white() -> None:
    image = Image.new("RGBA", (10, 10), (0, 0, 255, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))
    decoded = images.decode(encode(image, "PNG"))
    assert decoded.image.mode == "RGB"
    assert decoded.image.getpixel((0, 0)) == (255, 255, 255)
    assert decoded.image.getpixel((5, 5)) == BLUE
    assert "act.note.alpha" in keys(decoded)


def test_exif_rotated_photo_is_shown_upright() -> None:
    image = Image.new("RGB", (40, 20), BLUE)
    image.paste(RED, (0, 0, 20, 20))  # red on the left as stored
    exif = Image.Exif()
    exif[images.EXIF_ORIENTATION] = 6  # stored rotated: display turns it 90° clockwise
    decoded = images.decode(encode(image, "JPEG", exif=exif.tobytes(), quality=95))
    assert decoded.image.size == (20, 40)
    r, _, b = decoded.image.getpixel((10, 5))
    assert r > 200 and b < 60  # red is now on top
    assert "act.note.rotated" in keys(decoded)


def test_animated_gif_uses_the_first_frame() -> None:
    frames = [Image.new("RGB", (16, 16), colour) for colour in (RED, GREEN, BLUE)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    decoded = images.decode(data)
    assert decoded.format == "GIF"
    assert decoded.image.getpixel((8, 8)) == RED
    assert note_values(decoded, "act.note.first_frame") == {"frames": 3}


def note_values(decoded: images.DecodedImage, key: str) -> dict:
    return next(note.values for note in decoded.notes if note.code == key)


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "PNG", "JPEG"])
def test_allowed_formats_decode(fmt: str) -> None:
    decoded = images.decode(encode(Image.new("RGB", (12, 9), GREEN), fmt))
    assert decoded.format == fmt and decoded.image.size == (12, 9)


def test_tiff_is_not_on_the_allow_list() -> None:
    assert refused(encode(Image.new("RGB", (4, 4)), "TIFF")) == "act.err.not_image"


def test_a_good_file_after_a_bad_one_works() -> None:
    refused(b"")
    assert images.decode(encode(Image.new("RGB", (5, 5)), "PNG")).image.size == (5, 5)


def test_digest_identifies_the_bytes() -> None:
    a = encode(Image.new("RGB", (5, 5), RED), "PNG")
    b = encode(Image.new("RGB", (5, 5), BLUE), "PNG")
    assert images.decode(a).digest == images.digest(a) != images.decode(b).digest


def test_fit_crop_keeps_the_centre_and_squash_keeps_everything() -> None:
    image = Image.new("RGB", (300, 100), RED)
    image.paste(BLUE, (100, 0, 200, 100))
    cropped = images.fit(image, 50, 50, "crop")
    assert cropped.size == (50, 50) and cropped.getpixel((25, 25)) == BLUE
    assert cropped.getpixel((0, 25))[2] > 200  # only the blue centre survives
    squashed = images.fit(image, 50, 50, "squash")
    assert squashed.size == (50, 50) and squashed.getpixel((2, 25))[0] > 200


def test_torch_preprocessing_is_rgb_mean_std() -> None:
    x = images.to_batch(Image.new("RGB", (2, 2), RED), "torch")
    assert x.shape == (1, 2, 2, 3) and x.dtype == np.float32
    expected = [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (0 - 0.406) / 0.225]
    np.testing.assert_allclose(x[0, 0, 0], expected, rtol=1e-5)


def test_caffe_preprocessing_is_bgr_minus_mean() -> None:
    x = images.to_batch(Image.new("RGB", (2, 2), (10, 20, 30)), "caffe")
    np.testing.assert_allclose(x[0, 1, 1], [30 - 103.939, 20 - 116.779, 10 - 123.68], rtol=1e-5)


def test_one_channel_is_scaled() -> None:
    x = images.to_batch(Image.new("L", (3, 2), 51), "caffe")
    assert x.shape == (1, 2, 3, 1)
    np.testing.assert_allclose(x, 0.2, rtol=1e-6)


def test_other_channel_counts_are_refused() -> None:
    assert refused(encode(Image.new("RGB", (4, 4)), "PNG"), channels=4) == "act.err.channels"


def test_large_jpeg_is_decoded_at_a_reduced_scale() -> None:
    data = encode(Image.new("RGB", (6000, 4000), GREEN), "JPEG", quality=80)
    start = time.perf_counter()
    decoded = images.decode(data)
    assert decoded.size == (6000, 4000)  # what the file holds, as the caption says
    assert min(decoded.image.size) >= images.DRAFT_SIDE and max(decoded.image.size) <= 3000
    assert time.perf_counter() - start < 2.0
