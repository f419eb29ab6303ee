"""``python -m components summary ARCH_OR_SPEC``: model.summary() without building the model."""

from __future__ import annotations

import argparse
import json
import stat
import sys
from pathlib import Path
from typing import NoReturn

from components.engine.analysis import analyze
from components.engine.choice import VGGChoice, ascii_int, parse_input_size, with_input
from components.engine.errors import InputError, Issue
from components.engine.report import to_csv, to_json_dict, to_keras_text, to_markdown
from components.engine.spec import MAX_SPEC_BYTES, MAX_WIDTH, NetworkSpec, parse_spec_json
from components.ui.i18n import translate
from components.ui.messages import render_issue
from components.weights_cli import add_parser as add_weights_parser
from components.weights_cli import run as run_weights

WHOLE_INPUT = "compare.rf.whole"  # the receptive-field cell of a flattened layer
FORMATS = {
    "table": to_keras_text,
    "json": lambda a: (
        json.dumps(to_json_dict(a, render_issue), indent=2, ensure_ascii=False) + "\n"
    ),
    "csv": lambda a: to_csv(a, translate(WHOLE_INPUT, "en")),
    "markdown": lambda a: to_markdown(a, translate(WHOLE_INPUT, "en")),
}


def one_line(text: str, limit: int = 300) -> str:
    """A message on one line, however the user's argument was written."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Parser(argparse.ArgumentParser):
    """argparse whose refusals are one line on stderr and exit status 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see --help)\n")


def class_count(text: str) -> int:
    """--classes: ASCII digits from 1 to MAX_WIDTH ('②' passes isdigit(), not this)."""
    value = ascii_int(text, 1, MAX_WIDTH)
    if value is None:
        raise argparse.ArgumentTypeError(
            f"--classes takes a whole number from 1 to {MAX_WIDTH:,}, got {text[:20]!r}"
        )
    return value


def _is_spec_file(target: str) -> bool:
    try:
        return target.endswith(".json") or Path(target).is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


def _load_spec(path: Path) -> NetworkSpec:
    shown = repr(str(path)[:80])
    try:
        info = path.stat()
        # only a regular file: a FIFO would hang the read, a device never end
        data = None
        if stat.S_ISREG(info.st_mode):
            with path.open("rb") as handle:
                data = handle.read(MAX_SPEC_BYTES + 1)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        values = {"path": shown, "reason": reason}
        raise InputError(Issue("cli.cannot_read", values, field="file")) from None
    if data is None:
        raise InputError(Issue("cli.not_a_file", {"path": shown}, field="file"))
    return parse_spec_json(data)


def _network(args: argparse.Namespace) -> NetworkSpec:
    target: str = args.network
    if _is_spec_file(target):
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
    parser = Parser(
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
    summary.add_argument("--classes", type=class_count, default=1000, help="classes of the head")
    summary.add_argument("--bn", action="store_true", help="batch norm after every conv")
    summary.add_argument("--fc-as-conv", action="store_true", help="FC layers as convolutions")
    summary.add_argument("--format", choices=FORMATS, default="table")
    add_weights_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "weights":
        return run_weights(args)
    try:
        analysis = analyze(_network(args))
    except InputError as exc:
        for issue in exc.shown():
            print(f"error: {one_line(render_issue(issue))}", file=sys.stderr)
        return 2
    sys.stdout.write(FORMATS[args.format](analysis))
    return 0
