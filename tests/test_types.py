"""components/ type-checks: mypy with the settings in pyproject.toml ([tool.mypy])."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_components_pass_mypy() -> None:
    """Run as a process, the way a developer runs ``mypy``: its report is the failure message."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"mypy found type errors:\n{result.stdout}{result.stderr}"
