"""The Undo button's bookkeeping: whatever JSON a browser sends as the drawing is read safely,
and a stroke is known by its geometry alone."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from components.ui.digits_undo import objects_of, signature

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=20,
)  # fmt: skip


@given(JSON | st.fixed_dictionaries({"objects": JSON}))
def test_any_drawing_json_gives_a_list_of_objects(drawing: object) -> None:
    objects = objects_of(drawing)
    assert isinstance(objects, list) and all(isinstance(o, dict) for o in objects)
    assert len(signature(objects)) == 20


STROKE = {"type": "path", "path": [["M", 10.5, 20], ["Q", 11, 21, 12, 22], ["L", 40, 40]]}


def test_a_stroke_is_known_by_its_path_not_by_how_it_was_serialised() -> None:
    reserialised = {**STROKE, "version": "5.3.0", "left": 3.0, "strokeLineCap": "round"}
    assert signature([STROKE]) == signature([reserialised])
    other = {**STROKE, "path": [["M", 10.5, 20], ["L", 41, 40]]}
    assert signature([STROKE]) != signature([other])
    assert signature([STROKE, other]) != signature([other, STROKE])
    assert signature([]) != signature([STROKE])
