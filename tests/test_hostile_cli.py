"""The command line with any arguments: output and status 0, or one line on stderr and status 2."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.cli import main

WORDS = ["summary", "vgg16", "vgg19_bn", "E", "A-LRN", "--input", "--classes", "--format",
         "--no-top", "--bn", "--fc-as-conv", "--help", "json", "csv", "table", "markdown",
         "224x224x3", "32x32x1", "②", "①", "²", "٣", "0", "-1", "16385", "9" * 5000, "",
         "x.json", "/dev/null", "/", "a\nb", "\udcff", "a" * 5000, "--", "-", "--input=",
         "[Log in](https://evil.example)", "assets/presets/lenet5.json", "\x00"]  # fmt: skip
HOSTILE_SPECS = [
    json.dumps({"type": []}).encode(),
    b'{"name": "\\ud800", "input": [8, 8, 3], "layers": [{"type": "flatten"}]}',
    b'{"name": "a", "input": [8, 8, ' + b"9" * 5000 + b'], "layers": []}',
    b"[" * 50_000,
    json.dumps({"name": "x", "input": [8, 8, 3],
                "layers": [{"type": "flatten"} | {str(i): 1 for i in range(3000)}]}).encode(),
    json.dumps({"name": "x", "input": [8, 8, 3], "layers": [{"type": "conv2d",
                "filters": [], "kernel": "x"}] * 100}).encode(),
    (Path(__file__).parents[1] / "assets/presets/lenet5.json").read_bytes(),
]  # fmt: skip
argument = st.one_of(st.sampled_from(WORDS), st.text(max_size=12))


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as done:  # argparse's own exit (--help: 0, bad argument: 2)
            code = done.code if isinstance(done.code, int) else 2
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(argument, max_size=6))
def test_any_arguments(argv: list[str]) -> None:
    code, out, err = run(argv)
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        assert err.startswith(("error: ", "python -m components")), err
        assert "Traceback" not in err and not out
        assert all(len(line) <= 600 for line in err.splitlines())


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["vgg16", "vgg11"]), st.lists(argument, max_size=4))
def test_summary_with_any_options(network: str, options: list[str]) -> None:
    code, _out, err = run(["summary", network, *options])
    assert code in (0, 2), (options, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err  # one argument, one line


def test_each_bad_argument_is_one_line_with_status_2() -> None:
    for argv in (
        ["summary", "vgg16", "--input", "②"],
        ["summary", "vgg16", "--classes", "①"],
        ["summary", "vgg16", "--classes", "9" * 5000],
        ["summary", "a" * 5000],
        ["summary", "vgg16", "--format", "pdf"],
        ["summary", "vgg16", "--bogus", "a\nb"],
        ["summary", "/dev/null"],
        ["summary", "nope.json"],
        ["summary", "\x00.json"],
        ["bogus"],
        [],
    ):
        code, out, err = run(argv)
        assert code == 2 and not out, argv
        assert len(err.strip().splitlines()) == 1, (argv, err)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), st.sampled_from(HOSTILE_SPECS)))
def test_any_spec_file(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.json"
        path.write_bytes(content)
        code, out, err = run(["summary", str(path), "--format", "json"])
    assert code in (0, 2), err
    if code == 0:
        assert json.loads(out)["layers"]
    else:
        assert err.startswith("error: ") and "Traceback" not in err
        assert len(err.splitlines()) <= 21  # the first 20 problems, then how many more
