"""The trained digits-vgg: shipped files, held-out accuracy, training script, drawings → digits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image, ImageDraw

from components.engine.analysis import analyze
from components.keras_side import digits
from tests.keras_compare import assert_matches_keras

PINNED_ACCURACY = 0.97


@pytest.fixture(scope="module")
def net():
    return digits.build_trained()


def held_out_inputs() -> tuple[np.ndarray, np.ndarray]:
    data = digits.held_out()
    return np.array([digits.network_input(c) for c in data.cells])[..., None], data.labels


def test_shipped_files_are_small_and_arrays_only() -> None:
    assert digits.WEIGHTS.stat().st_size < 1_000_000
    assert digits.HELDOUT.stat().st_size < 100_000
    weights = digits.read_weights()
    analysis = analyze(digits.digits_spec())
    assert sum(a.size for arrays_ in weights.values() for a in arrays_) == analysis.total_params
    assert analysis.total_params == 22_634


def test_held_out_set_is_balanced_and_real() -> None:
    data = digits.held_out()
    assert data.cells.shape == (360, 8, 8) and data.cells.max() <= 16
    assert sorted(set(data.labels.tolist())) == list(range(10))
    assert len(set(data.indices.tolist())) == 360


def test_held_out_digits_were_not_trained_on() -> None:
    """The script's split, re-made: the held-out file is exactly its complement of training."""
    pytest.importorskip("sklearn")
    from training.train_digits import split

    pictures, target, train, held = split(seed=0)
    assert not set(train) & set(held)
    assert np.array_equal(held, digits.held_out().indices)
    assert np.array_equal(pictures[held].astype(np.uint8), digits.held_out().cells)
    assert np.array_equal(target[held], digits.held_out().labels)


@pytest.mark.keras
def test_preset_matches_keras() -> None:
    assert_matches_keras(digits.digits_spec())


@pytest.mark.keras
def test_shipped_weights_reach_the_pinned_accuracy(net) -> None:
    x, labels = held_out_inputs()
    accuracy = float((net.forward(x).argmax(axis=1) == labels).mean())
    assert accuracy >= PINNED_ACCURACY, accuracy


@pytest.mark.keras
def test_numpy_forward_equals_keras(net) -> None:
    x, _ = held_out_inputs()
    for image in x[:5]:
        keras_out = net.activations(image[None])
        numpy_out = digits.numpy_forward(image)
        for name, value in keras_out.items():
            np.testing.assert_allclose(numpy_out[name], value, rtol=1e-4, atol=1e-4)


@pytest.mark.keras
def test_training_script_first_epoch_on_a_tiny_subset(tmp_path) -> None:
    pytest.importorskip("sklearn")
    from training.train_digits import train

    figures = train(tmp_path, seed=1, epochs=1, subset=64, copies=1)
    assert figures["training_examples"] == 128 and figures["heldout_examples"] == 360
    assert 0.0 <= figures["heldout_accuracy"] <= 1.0
    weights = digits.read_weights(tmp_path / digits.WEIGHTS.name)
    assert {name: [a.shape for a in v] for name, v in weights.items()} == {
        name: [a.shape for a in v] for name, v in digits.read_weights().items()
    }
    assert (tmp_path / digits.HELDOUT.name).is_file()


# ------------------------------------------------------------------ drawings → the data's cells


def canvas(draw_digit) -> np.ndarray:
    """A 280×280 RGBA canvas as streamlit-drawable-canvas returns it: white strokes on black."""
    picture = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    draw_digit(ImageDraw.Draw(picture))
    return np.asarray(picture)


W = {"fill": "white", "width": 20}
STROKES = {
    0: lambda d: d.ellipse((90, 40, 190, 240), outline="white", width=20),
    1: lambda d: d.line((140, 40, 140, 240), **W),
    2: lambda d: (
        d.arc((80, 40, 200, 140), 180, 40, **W),
        d.line([(190, 110), (80, 240), (210, 240)], **W),
    ),
    3: lambda d: (
        d.arc((80, 40, 190, 140), 200, 110, **W),
        d.arc((80, 130, 190, 240), 250, 160, **W),
    ),
    4: lambda d: d.line([(170, 240), (170, 40), (70, 170), (210, 170)], **W),
    5: lambda d: (
        d.line([(190, 45), (95, 45), (90, 130)], **W),
        d.arc((85, 110, 195, 240), 230, 150, **W),
    ),
    6: lambda d: (
        d.ellipse((80, 130, 190, 240), outline="white", width=20),
        d.line([(170, 40), (90, 180)], **W),
    ),
    7: lambda d: d.line([(80, 50), (200, 50), (120, 240)], **W),
    8: lambda d: (
        d.ellipse((95, 40, 185, 135), outline="white", width=20),
        d.ellipse((85, 135, 195, 240), outline="white", width=20),
    ),
    9: lambda d: (
        d.ellipse((90, 40, 190, 140), outline="white", width=20),
        d.line([(185, 90), (170, 240)], **W),
    ),
}


@pytest.mark.parametrize("digit", sorted(STROKES))
def test_drawn_strokes_are_read_as_their_digit(digit: int) -> None:
    cells = digits.cells_from_ink(digits.ink_of(canvas(STROKES[digit])))
    assert cells is not None
    assert cells.shape == (8, 8) and cells.max() <= 16
    assert (cells.sum(axis=1) > 0).all()  # the digit's height fills the box, as in the data
    probabilities = digits.numpy_forward(digits.network_input(cells))["predictions"]
    assert int(probabilities.argmax()) == digit


@pytest.mark.keras
def test_canvas_path_through_keras(net) -> None:
    for digit, stroke in STROKES.items():
        x = digits.network_input(digits.cells_from_ink(digits.ink_of(canvas(stroke))))
        assert int(net.forward(digits.batch(x)).argmax()) == digit


def test_where_the_digit_is_drawn_does_not_matter() -> None:
    small = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    ImageDraw.Draw(small).line([(10, 10), (60, 10), (30, 80)], **W | {"width": 8})
    big = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    ImageDraw.Draw(big).line([(80, 50), (200, 50), (120, 240)], **W)
    a = digits.cells_from_ink(digits.ink_of(np.asarray(small)))
    b = digits.cells_from_ink(digits.ink_of(np.asarray(big)))
    assert (a.sum(axis=1) > 0).all() and (b.sum(axis=1) > 0).all()


def test_empty_canvas_is_no_digit() -> None:
    assert digits.cells_from_ink(digits.ink_of(np.zeros((280, 280, 4), np.uint8))) is None


def test_light_paper_is_inverted() -> None:
    paper = Image.new("L", (100, 100), 240)
    ImageDraw.Draw(paper).line((50, 10, 50, 90), fill=20, width=8)
    ink = digits.ink_of_picture(paper)
    assert ink[50, 50] > 0.9 and ink[5, 5] < 0.1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    arrays(
        np.uint8,
        st.tuples(st.integers(1, 300), st.integers(1, 300), st.sampled_from([3, 4])),
        elements=st.integers(0, 255),
    )
)
def test_any_canvas_gives_cells_or_none(pixels: np.ndarray) -> None:
    cells = digits.cells_from_ink(digits.ink_of(pixels))
    ink_somewhere = (digits.ink_of(pixels) >= digits.INK).any()
    assert (cells is None) == (not ink_somewhere)
    if cells is not None:
        assert cells.shape == (8, 8) and cells.min() >= 0 and cells.max() <= 16
        x = digits.network_input(cells)
        assert x.shape == (32, 32) and x.min() >= 0.0 and x.max() <= 1.0


# ------------------------------------------------------------------ uploads


def png_bytes(picture: Image.Image) -> bytes:
    import io

    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_photographed_digit_dark_on_light_is_read() -> None:
    from components.keras_side import images

    paper = Image.new("RGB", (300, 400), (235, 230, 220))
    ImageDraw.Draw(paper).line([(90, 80), (220, 80), (140, 330)], fill=(30, 30, 40), width=22)
    decoded = images.decode(png_bytes(paper), channels=1)
    cells = digits.cells_from_ink(digits.ink_of_picture(decoded.image))
    assert int(digits.numpy_forward(digits.network_input(cells))["predictions"].argmax()) == 7


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2000),
        arrays(
            np.uint8,
            st.tuples(st.integers(1, 120), st.integers(1, 120)),
            elements=st.integers(0, 255),
        ).map(lambda a: png_bytes(Image.fromarray(a, "L"))),
    )
)
def test_any_upload_gives_cells_none_or_a_clear_problem(data: bytes) -> None:
    from components.engine.errors import InputError
    from components.keras_side import images

    try:
        decoded = images.decode(data, channels=1)
    except InputError as problem:
        assert problem.code.startswith("act.err.")
        return
    cells = digits.cells_from_ink(digits.ink_of_picture(decoded.image))
    if cells is not None:
        assert cells.shape == (8, 8) and cells.min() >= 0 and cells.max() <= 16
