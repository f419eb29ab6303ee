"""``python -m components weights status|fetch``: trained weights ready before class.

``status`` lists every variant (source, size, revision, cached or not, where) without
touching the network; ``fetch`` downloads with a terminal progress bar, checks each file's
SHA-256, and exits non-zero when any variant failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from components.engine.formatting import byte_text

ALL = "all"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``weights`` on the main parser's subcommands."""
    weights = sub.add_parser("weights", help="trained ImageNet weights: status, fetch")
    actions = weights.add_subparsers(dest="action", required=True)
    status = actions.add_parser("status", help="list every variant and whether it is cached")
    status.add_argument("--format", choices=("table", "json"), default="table")
    fetch = actions.add_parser("fetch", help="download and verify (vgg11 … vgg19_bn, or all)")
    fetch.add_argument("variants", nargs="+", metavar="VARIANT", help="e.g. vgg11 vgg16_bn, or all")


def run(args: argparse.Namespace) -> int:
    return status_command(args.format) if args.action == "status" else fetch_command(args.variants)


def status_command(fmt: str) -> int:
    from components.keras_side import hub

    rows = [hub.status(file) for file in hub.HUB_FILES.values()]
    if fmt == "json":
        out = {"cache": str(hub.cache_dir()), "variants": [asdict(r) for r in rows]}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    print(f"Hugging Face cache: {hub.cache_dir()}" + ("  (offline)" if hub.offline() else ""))
    print(f"{'variant':<10} {'size':>9}  {'cached':<6}  {'revision':<12} repository")
    for r in rows:
        revision = r.revision[:12] + ("" if r.pinned else " (not pinned)")
        size, cached = byte_text(r.approx_bytes), "yes" if r.cached else "no"
        print(f"{r.variant:<10} {size:>9}  {cached:<6}  {revision:<12} {r.repo}")
    return 0


def fetch_command(names: list[str]) -> int:
    from components.engine.errors import InputError
    from components.keras_side import hub
    from components.ui.messages import english

    wanted = list(hub.HUB_FILES) if ALL in names else list(dict.fromkeys(names))
    unknown = [n for n in wanted if n not in hub.HUB_FILES]
    if unknown:
        known = ", ".join(hub.HUB_FILES)
        shown = ", ".join(repr(n[:40]) for n in unknown)
        print(f"error: unknown variant {shown}; choose from {known}, or all.", file=sys.stderr)
        return 2
    failed = 0
    for name in wanted:
        file = hub.HUB_FILES[name]
        print(f"{name}: {file.repo_id} @ {file.revision[:12]} → {hub.cache_dir()}")
        try:
            path = hub.fetch(file, draw=True)
        except InputError as problem:
            failed += 1
            message = english(problem.issues)
            print(f"error: {name}: {message}", file=sys.stderr)
            continue
        print(f"{name}: ok, SHA-256 verified, {byte_text(path.stat().st_size)} at {path}")
    return 1 if failed else 0
