"""The three layers stay apart: the engine imports neither TensorFlow nor Streamlit nor the
layers above it, and the pages that need no model never load TensorFlow."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# What each layer may not import (a lower layer never imports a higher one).
FORBIDDEN = {
    "components/engine": (
        "tensorflow",
        "keras",
        "streamlit",
        "components.keras_side",
        "components.ui",
    ),
    "components/keras_side": ("streamlit", "components.ui"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_scanner_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    import tensorflow as tf\n    from streamlit import x\n")
    assert imported_modules(sample) == {"tensorflow", "streamlit"}


@pytest.mark.parametrize("folder", list(FORBIDDEN))
def test_no_import_from_a_higher_layer(folder: str) -> None:
    found = []
    for path in sorted((ROOT / folder).glob("*.py")):
        for module in imported_modules(path):
            if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN[folder]):
                found.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("page", ["architecture", "custom", "compare", "learn"])
def test_pages_without_a_model_never_load_tensorflow(page: str) -> None:
    script = ROOT / "pages" / f"{page}.py"
    if not script.is_file():
        pytest.fail(f"pages/{page}.py is missing")
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(script)!r}, default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
