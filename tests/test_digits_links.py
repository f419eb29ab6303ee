"""The digits view's ``pos`` link value: any text is either a place inside the map or refused."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from components.ui.digits_links import parse_position

SHAPE = (16, 16, 8)


@given(st.text(max_size=30))
def test_any_text_is_a_place_inside_the_map_or_none(value: str) -> None:
    place = parse_position(value, SHAPE)
    if place is not None:
        assert all(0 <= v < limit for v, limit in zip(place, SHAPE, strict=True))
        assert tuple(int(part) for part in value.split(",")) == place


@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 20))
def test_written_places_read_back(row: int, col: int, channel: int) -> None:
    place = parse_position(f"{row},{col},{channel}", SHAPE)
    inside = row < SHAPE[0] and col < SHAPE[1] and channel < SHAPE[2]
    assert place == ((row, col, channel) if inside else None)


def test_refuses_what_int_would_accept() -> None:
    for value in ("1,2", "1,2,3,4", " 1,2,3", "-1,2,3", "1,2,３", "1_0,2,3", "+1,2,3", ""):
        assert parse_position(value, SHAPE) is None, value
    assert parse_position(None, SHAPE) is None
