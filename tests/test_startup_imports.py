"""A fresh server's first page sends its headline figures before pandas has loaded.

pandas takes 1–4 s to import on a busy 2-core machine; the architecture page's
figures come from the engine, so the modules it imports at the top must not pull
pandas in (it loads on the first table or chart). Checked in a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

PAGE_IMPORTS = """
import sys
import streamlit
import components.ui.i18n, components.ui.navigation, components.ui.server_tuning
import components.ui.layer_explain, components.ui.network_picker
import components.ui.network_view, components.ui.presentation
print(sorted(m for m in ("pandas", "tensorflow", "keras") if m in sys.modules))
"""


def test_the_architecture_page_imports_neither_pandas_nor_tensorflow():
    result = subprocess.run(
        [sys.executable, "-c", PAGE_IMPORTS], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
