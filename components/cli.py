"""``python -m components summary ARCH_OR_SPEC``: model.summary() without building the model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from components.engine.analysis import analyze
from components.engine.choice import VGGChoice, parse_input_size, with_input
from components.engine.errors import Issue, SpecError
from components.engine.report import to_csv, to_json_dict, to_keras_text, to_markdown
from components.engine.spec import MAX_SPEC_BYTES, NetworkSpec, parse_spec_json
from components.weights_cli import add_parser as add_weights_parser
from components.weights_cli import run as run_weights

FORMATS = {
    "table": to_keras_text,
    "json": lambda a: json.dumps(to_json_dict(a), indent=2, ensure_ascii=False) + "\n",
    "csv": to_csv,
    "markdown": to_markdown,
}


def _load_spec(path: Path) -> NetworkSpec:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise SpecError(Issue(f"cannot read {path}: {exc.strerror}.", field="file")) from None
    return parse_spec_json(data)


def _network(args: argparse.Namespace) -> NetworkSpec:
    target: str = args.network
    if target.endswith(".json") or Path(target).is_file():
        spec = _load_spec(Path(target))
        if args.input:
            spec = with_input(spec, parse_input_size(args.input, spec.input_shape[2]))
        return spec
    shape = parse_input_size(args.input) if args.input else (224, 224, 3)
    return VGGChoice(
        arch=target,
        input_shape=shape,
        include_top=not args.no_top,
        batch_norm=args.bn,
        classes=args.classes,
        fc_as_conv=args.fc_as_conv,
    ).spec()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m components",
        description="Instant per-layer summary of a VGG variant or a custom CNN spec.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    summary = sub.add_parser("summary", help="print the per-layer table")
    summary.add_argument(
        "network",
        help="vgg11, vgg11-lrn, vgg13, vgg16-c, vgg16, vgg19 "
        "(or A–E, _bn suffix), or a spec .json file",
    )
    summary.add_argument("--input", help="input size HxWxC, e.g. 224x224x3")
    summary.add_argument("--no-top", action="store_true", help="leave out the classifier head")
    summary.add_argument("--classes", type=int, default=1000, help="classes of the head")
    summary.add_argument("--bn", action="store_true", help="batch norm after every conv")
    summary.add_argument("--fc-as-conv", action="store_true", help="FC layers as convolutions")
    summary.add_argument("--format", choices=FORMATS, default="table")
    add_weights_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "weights":
        return run_weights(args)
    try:
        analysis = analyze(_network(args))
    except SpecError as exc:
        for issue in exc.issues:
            print(f"error: {issue}", file=sys.stderr)
        return 2
    sys.stdout.write(FORMATS[args.format](analysis))
    return 0
