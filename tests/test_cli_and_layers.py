"""The CLI contract, and the rule that the engine never loads TensorFlow or Streamlit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from components.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "components", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_json_contract(capsys) -> None:
    assert main(["summary", "vgg19", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] == 143_667_240
    assert data["trainable_params"] == 143_667_240
    assert data["non_trainable_params"] == 0
    assert data["total_macs"] == 19_632_062_464
    assert data["input_shape"] == [224, 224, 3]
    first = data["layers"][0]
    assert {"name", "type", "output_shape", "params", "trainable_params", "macs"} <= first.keys()
    assert first["name"] == "block1_conv1" and first["type"] == "Conv2D"
    assert first["output_shape"] == [224, 224, 64]
    assert data["layers"][-1]["name"] == "predictions"
    assert data["layers"][-1]["receptive_field"] is None


def test_options(capsys) -> None:
    args = ["summary", "D", "--no-top", "--bn", "--input", "96x128x1", "--format", "json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["input_shape"] == [96, 128, 1]
    assert data["layers"][-1]["output_shape"] == [3, 4, 512]
    assert data["non_trainable_params"] == 2 * 4224


def test_spec_file_and_formats(tmp_path: Path, capsys) -> None:
    path = tmp_path / "net.json"
    path.write_text(
        json.dumps(
            {
                "input": [150, 150, 3],
                "layers": [{"type": "conv2d", "filters": 16, "kernel": 3, "activation": "relu"}],
            }
        )
    )
    assert main(["summary", str(path), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("conv2d,Conv2D,,148×148×16,3,1,valid,448,")
    assert main(["summary", str(path), "--format", "markdown"]) == 0
    assert "| `conv2d` | Conv2D | 148×148×16 |" in capsys.readouterr().out
    assert main(["summary", str(path)]) == 0
    table = capsys.readouterr().out
    assert "│ conv2d (Conv2D)" in table and "(None, 148, 148, 16)" in table
    assert "Total params: 448 (1.75 KB)" in table


def test_errors_are_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    for args, text in [
        (["summary", "vgg17"], "unknown architecture 'vgg17'"),
        (["summary", "vgg16", "--input", "16x16x3"], "at least 32×32"),
        (["summary", "vgg16", "--input", "big"], "cannot read the input size"),
        (["summary", str(bad)], "not valid JSON"),
        (["summary", str(tmp_path / "missing.json")], "No such file"),
    ]:
        result = run_cli(*args)
        assert result.returncode == 2, args
        assert text in result.stderr
        assert "Traceback" not in result.stderr


def test_engine_and_cli_never_import_tensorflow_or_streamlit() -> None:
    code = (
        "import sys\n"
        "from components.cli import main\n"
        "import components.engine.analysis, components.engine.report, components.engine.choice\n"
        "main(['summary', 'vgg19_bn', '--format', 'json'])\n"
        "bad = [m for m in ('tensorflow', 'keras', 'streamlit') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
