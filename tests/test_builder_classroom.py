"""The builder for a class: a fresh network of one's own, and shapes kept above a broken row."""

from __future__ import annotations

from components.engine import editor
from components.engine.presets import load_preset
from components.ui.custom_views import _check_cell
from tests.apptest import as_read, open_page


def test_your_own_network_starts_empty_with_a_new_name() -> None:
    at = open_page("pages/custom.py", preset="tiny-vgg")
    at.selectbox(key="custom_preset").set_value("").run()
    assert not at.exception
    assert len(at.session_state["custom_rows"]) == 1
    assert at.text_input(key="custom_name").value == "my-cnn"
    assert any("my-cnn" in as_read(h.value) for h in at.subheader)  # the name is shown escaped
    assert all("tiny-vgg" not in c.value for c in at.code)
    assert any("my-cnn" in c.value for c in at.code)
    assert at.number_input(key="custom_h").value == load_preset("tiny-vgg").input_shape[0]


def test_a_broken_row_keeps_the_shapes_above_it() -> None:
    rows = editor.spec_to_rows(load_preset("seed-example"))  # conv, pool (74×74×16), flatten, dense
    rows.insert(2, editor.empty_row("conv2d") | {"kernel": 64, "filters": 8})  # 74×74 → 11×11 valid
    rows.insert(3, editor.empty_row("conv2d") | {"kernel": 32, "filters": 8})  # 11×11: too small
    checked = editor.check(rows, "t", (150, 150, 3))
    assert checked.analysis is None
    assert [i.layer for i in checked.errors] == [3]
    cells = [_check_cell(checked, i) for i in range(len(rows))]
    assert cells[0] == "✓ 148×148×16" and cells[1] == "✓ 74×74×16" and cells[2] == "✓ 11×11×8"
    assert cells[3].startswith("✗") and all(c == "" for c in cells[4:])


def test_generated_code_comments_follow_the_page_language() -> None:
    from components.engine.codegen import COMMENTS
    from components.ui.i18n import catalogue

    assert {k: catalogue("en")[f"codegen.{k}"] for k in COMMENTS} == COMMENTS  # one English
    at = open_page("pages/custom.py", preset="seed-example", lang="zh")
    code = [c.value for c in at.code if c.language == "python"]
    assert len(code) == 2
    assert all("由 VGG Explorer 根据网络描述生成" in c for c in code)
    assert "PyTorch 是通道优先的" in code[1] and "written by" not in "".join(code)
    english = open_page("pages/custom.py", preset="seed-example")
    assert any("written by VGG Explorer" in c.value for c in english.code)
