"""Untrusted image bytes → a safe RGB (or grayscale) picture sized and scaled for the network.

Pillow only (NumPy for 16-bit data); Keras is imported lazily for its own
``preprocess_input``. Every refusal is an :class:`ImageError` and every change
made on the way (rotation, colour conversion, first GIF frame) an info ``Issue``, so
the page can say what happened in the user's language.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from components.engine.errors import InputError, Issue

FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF")
EXTENSIONS = ("jpg", "jpeg", "png", "webp", "bmp", "gif")
MAX_FILE_BYTES = 20 * 1024 * 1024  # same as server.maxUploadSize
DRAFT_SIDE = 1024  # big JPEGs are decoded straight to about this size (2× the input cap)
MAX_PIXELS = 40_000_000  # e.g. 8000×5000; larger images are refused before decoding
# Pillow warns above MAX_IMAGE_PIXELS; decode() turns that warning into a refusal.
Image.MAX_IMAGE_PIXELS = min(Image.MAX_IMAGE_PIXELS or MAX_PIXELS, MAX_PIXELS)

EXIF_ORIENTATION = 0x0112

Fit = Literal["crop", "squash"]
FITS: tuple[Fit, ...] = ("crop", "squash")
Preprocessing = Literal["caffe", "torch", "scale"]


class ImageError(InputError):
    """An image that cannot be used."""


@dataclass(frozen=True)
class DecodedImage:
    image: Image.Image  # mode "RGB" or "L", upright
    format: str
    size: tuple[int, int]  # (width, height) as stored in the file
    digest: str  # of the file bytes: the cache key of everything derived
    notes: tuple[Issue, ...]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def _open(data: bytes) -> Image.Image:
    """Read the header only; refuse non-images and pixel bombs before any decoding."""
    image = Image.open(io.BytesIO(data), formats=FORMATS)
    width, height = image.size
    if width * height > MAX_PIXELS or width < 1 or height < 1:
        raise ImageError.of("act.err.bomb", limit=MAX_PIXELS)
    return image


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit and 32-bit grayscale → 8-bit by scaling (Pillow's convert would clip at 255)."""
    array = np.asarray(image, dtype=np.float64)
    top = 65535.0 if image.mode.startswith("I") and array.max(initial=0) > 255 else 255.0
    if image.mode == "F":
        low, top = float(array.min(initial=0)), float(array.max(initial=1))
        array = array - low
        top = max(top - low, 1e-12)
    return Image.fromarray(np.clip(array / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")


def _normalise(image: Image.Image, channels: int) -> tuple[Image.Image, list[Issue]]:
    """Any Pillow mode → "RGB" (or "L" for a 1-channel network), saying what changed."""
    notes: list[Issue] = []
    mode = image.mode
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        image = _to_8bit(image)
        notes.append(Issue("act.note.high_depth", {"mode": mode}, severity="info"))
    if mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        flat = Image.new("RGBA", image.size, (255, 255, 255, 255))
        flat.alpha_composite(image.convert("RGBA"))
        image = flat.convert("RGB")
        notes.append(Issue("act.note.alpha", severity="info"))
    if mode == "CMYK":
        notes.append(Issue("act.note.cmyk", severity="info"))
    if channels == 1:
        if image.mode != "L":
            image = image.convert("L")
            notes.append(Issue("act.note.to_gray", severity="info"))
        return image, notes
    if image.mode in ("L", "1"):
        notes.append(Issue("act.note.gray", severity="info"))
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image, notes


def decode(data: bytes, channels: int = 3) -> DecodedImage:
    """Check and decode an uploaded file for a network with ``channels`` input channels.

    Damaged bytes fail anywhere in Pillow, ``Image.open`` included, and each plugin
    raises its own kinds (OSError, SyntaxError, EOFError, struct.error, ValueError,
    IndexError, ...): every failure of the decoding becomes an :class:`ImageError`.
    """
    if channels not in (1, 3):
        raise ImageError.of("act.err.channels", channels=channels)
    if not data:
        raise ImageError.of("act.err.empty")
    if len(data) > MAX_FILE_BYTES:
        raise ImageError.of("act.err.file_size", limit=MAX_FILE_BYTES // (1024 * 1024))
    stage = "open"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = _open(data)
            stage = image.format or "?"
            return _decode(image, data, channels)
    except ImageError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageError.of("act.err.bomb", limit=MAX_PIXELS) from exc
    except UnidentifiedImageError as exc:
        raise ImageError.of("act.err.not_image", formats=", ".join(FORMATS)) from exc
    except Exception as exc:  # any other failure of a decoder: the file is damaged
        if stage == "open":
            raise ImageError.of("hostile.image.damaged", formats=", ".join(FORMATS)) from exc
        raise ImageError.of("act.err.truncated", format=stage) from exc


def _decode(image: Image.Image, data: bytes, channels: int) -> DecodedImage:
    notes: list[Issue] = []
    fmt, size = image.format or "?", image.size
    frames = getattr(image, "n_frames", 1)
    if frames > 1:
        image.seek(0)
        notes.append(Issue("act.note.first_frame", {"frames": frames}, severity="info"))
    image.draft(None, (DRAFT_SIDE, DRAFT_SIDE))  # JPEG: decode at 1/2…1/8 scale if large
    image.load()
    if image.getexif().get(EXIF_ORIENTATION, 1) not in (0, 1):
        notes.append(Issue("act.note.rotated", severity="info"))
    upright = ImageOps.exif_transpose(image)
    image, more = _normalise(upright, channels)
    return DecodedImage(image, fmt, size, digest(data), (*notes, *more))


def fit(image: Image.Image, height: int, width: int, how: Fit = "crop") -> Image.Image:
    """The picture the network receives: centre crop to the aspect ratio, or squash."""
    if how == "crop":
        return ImageOps.fit(image, (width, height), Image.Resampling.BICUBIC)
    return image.resize((width, height), Image.Resampling.BICUBIC)


def to_batch(image: Image.Image, preprocessing: Preprocessing) -> np.ndarray:
    """A (1, H, W, C) float32 batch, preprocessed the way the weights were trained.

    ``caffe``: Keras' ImageNet VGG (RGB→BGR, mean subtraction, Keras' own
    ``preprocess_input``); ``torch``: torchvision (÷255, RGB mean/std);
    ``scale``: ÷255, for 1-channel inputs and untrained custom networks.
    """
    x = np.asarray(image, dtype=np.float32)
    if x.ndim == 2:
        x = x[..., None]
    x = x[None]
    if preprocessing == "scale" or x.shape[-1] != 3:
        return x / 255.0
    from components.keras_side.builder import import_keras

    utils = import_keras().applications.imagenet_utils
    return np.asarray(utils.preprocess_input(x, mode=preprocessing), dtype=np.float32)
