"""Comparing 2–4 networks side by side: share-link items, block alignment, deltas, input sweeps.

Pure Python like the rest of the engine. A comparison is written in the share
link as ``cmp=vgg16,vgg19_bn@320x320x3,vgg11/notop``: each item an architecture
name as the CLI takes it (``_bn`` for batch norm, ``preset:NAME`` for a custom
CNN), optionally ``@HxWxC`` and ``/notop``. A bad item is rejected on its own,
with a reason code the UI translates, so the rest of the comparison still shows.

Networks are aligned by block: VGG's ``block1``…``block5`` and ``head``; a custom
CNN without blocks is cut after each pooling layer (its "pooling stages"), so the
k-th stage sits beside VGG's k-th block: both end at the k-th downsampling.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise
from typing import Any, Literal, cast

from components.engine.analysis import Analysis, LayerInfo, analyze
from components.engine.choice import parse_input_size, with_input
from components.engine.errors import InputError, Issue
from components.engine.formatting import size_text
from components.engine.percent import signed_percent
from components.engine.presets import load_preset, preset_names
from components.engine.report import shape_text
from components.engine.spec import LayerType, NetworkSpec
from components.engine.vgg import CONFIGS, resolve_arch, vgg_spec

MIN_ITEMS, MAX_ITEMS = 2, 4
MAX_ITEM_CHARS = 60  # longer items are refused before anything reads them
MAX_LINK_PIECES = 12  # pieces of a cmp= value read one by one; the rest count as one
PRESET_PREFIX = "preset:"
LINK_SPEC = "spec"  # the item naming the custom CNN carried by the same link's ``spec=``
NO_TOP = "/notop"
VGG_INPUT = (224, 224, 3)
DEFAULT_LINK = "vgg16,vgg19"
# One click each: the comparisons a lesson about VGG starts from.
QUICK_PICKS = {
    "depth": "vgg11,vgg13,vgg16,vgg19",
    "bn": "vgg16,vgg16_bn",
    "head": "vgg16,vgg16/notop",
    "size": "vgg16,vgg16@448x448x3",
    "custom": "vgg16,preset:seed-example",
}
INPUT_SIDES = tuple(range(32, 513, 32))  # the sweep of the params/MACs-against-input chart
HEAD = "head"

_KNOWN_ARCHS = ", ".join(CONFIGS)  # the names an item may start with (then _bn, @, /notop)
Reason = Literal[
    "empty", "too_long", "arch", "preset", "size", "option", "build", "too_many", "no_spec"
]


def item_error(reason: Reason, cause: InputError | None = None, **values: object) -> InputError:
    """An item that cannot be used: ``compare.<reason>``, then the engine's own issues
    (without their field prefix: the reason says which part of the item is wrong)."""
    detail = [replace(issue, field=None) for issue in cause.issues] if cause else []
    return InputError([Issue(f"compare.{reason}", values), *detail])


def reason_of(error: InputError) -> Reason:
    """The reason code of an :func:`item_error`."""
    return cast(Reason, error.code.removeprefix("compare."))


# ------------------------------------------------------------------ items


@lru_cache(maxsize=32)
def default_input(arch: str) -> tuple[int, int, int]:
    """The input a network is shown at unless the item says otherwise."""
    if arch.startswith(PRESET_PREFIX):
        return load_preset(arch.removeprefix(PRESET_PREFIX)).input_shape
    return VGG_INPUT


@dataclass(frozen=True)
class Item:
    """One configuration of a comparison; ``arch`` is a VGG key or ``preset:NAME``."""

    arch: str
    input_shape: tuple[int, int, int]
    batch_norm: bool = False
    include_top: bool = True
    custom: NetworkSpec | None = field(default=None, repr=False)  # arch LINK_SPEC: the link's CNN

    @property
    def preset(self) -> str | None:
        return self.arch.removeprefix(PRESET_PREFIX) if self.is_preset else None

    @property
    def is_preset(self) -> bool:
        return self.arch.startswith(PRESET_PREFIX)

    @property
    def own_input(self) -> tuple[int, int, int]:
        """The input the network is shown at unless the item says otherwise."""
        return self.custom.input_shape if self.custom is not None else default_input(self.arch)

    @property
    def token(self) -> str:
        """The item as the share link writes it (the input only when not the default)."""
        text = self.arch + ("_bn" if self.batch_norm else "")
        if self.input_shape != self.own_input:
            text += "@" + size_text(self.input_shape)
        return text + ("" if self.include_top else NO_TOP)

    def spec(self) -> NetworkSpec:
        if self.custom is not None:
            return with_input(self.custom, self.input_shape)
        if self.preset is not None:
            return with_input(load_preset(self.preset), self.input_shape)
        return vgg_spec(
            self.arch,
            self.input_shape,
            include_top=self.include_top,
            batch_norm=self.batch_norm,
        )


def make_item(arch: str, *, batch_norm: bool = False, include_top: bool = True,
              size: str | None = None, link_spec: NetworkSpec | None = None) -> Item:  # fmt: skip
    """An item from the picker's values; ``size`` is 'HxWxC' text (None: the default).

    ``link_spec`` is the custom CNN of the link's ``spec=``, which the item ``spec`` names.
    """
    custom = None
    if arch == LINK_SPEC:
        if link_spec is None:
            raise item_error("no_spec")
        if batch_norm or not include_top:
            raise item_error("option", got=arch)
        custom = link_spec
    elif arch.startswith(PRESET_PREFIX):
        name = arch.removeprefix(PRESET_PREFIX)
        if name not in preset_names():
            raise item_error("preset", got=name[:40], known=", ".join(preset_names()))
        if batch_norm or not include_top:
            raise item_error("option", got=arch[:40])
    elif arch not in CONFIGS:
        raise item_error("arch", got=arch[:40], known=_KNOWN_ARCHS)
    shape = custom.input_shape if custom is not None else default_input(arch)
    if size is not None:
        try:
            shape = parse_input_size(size)
        except InputError as error:
            raise item_error("size", error) from None
    return Item(arch, shape, batch_norm, include_top, custom)


def parse_item(text: str, link_spec: NetworkSpec | None = None) -> Item:
    """``NAME[@HxWxC][/notop]`` → an Item; raises InputError saying which part is wrong."""
    raw = text.strip()
    if not raw:
        raise item_error("empty")
    if len(raw) > MAX_ITEM_CHARS:
        raise item_error("too_long", length=len(raw), max=MAX_ITEM_CHARS)
    body, top = raw, True
    if body.lower().endswith(NO_TOP):
        body, top = body[: -len(NO_TOP)], False
    if "/" in body:
        raise item_error("option", got=body.split("/", 1)[1][:40])
    name, has_size, size = body.partition("@")
    name = name.strip()
    if name.lower() == LINK_SPEC:
        arch, bn = LINK_SPEC, False
    elif name.lower().startswith(PRESET_PREFIX):
        arch, bn = PRESET_PREFIX + name[len(PRESET_PREFIX) :].strip(), False
    else:
        try:
            arch, bn = resolve_arch(name)
        except InputError:
            raise item_error("arch", got=name[:40], known=_KNOWN_ARCHS) from None
    return make_item(
        arch,
        batch_norm=bn,
        include_top=top,
        size=size if has_size else None,
        link_spec=link_spec,
    )


@dataclass(frozen=True)
class Rejected:
    """An item of the link that was left out: where it stood, what it said, and why."""

    position: int  # 1-based, among the link's comma-separated pieces
    text: str  # shortened to 40 characters
    reason: Reason
    issues: tuple[Issue, ...] = ()  # why, as the UI shows it: compare.<reason>, then details


@dataclass(frozen=True)
class LinkComparison:
    """What a ``cmp=`` value yields: usable items, rejected ones, defaults added to reach two."""

    items: tuple[Item, ...]
    rejected: tuple[Rejected, ...] = ()
    added: tuple[Item, ...] = ()


def parse_link(value: str, link_spec: NetworkSpec | None = None) -> LinkComparison:
    """Read a ``cmp=`` value item by item; anything bad is rejected alone, never raised.

    More than four usable items: the rest are rejected as ``too_many``. Fewer than
    two: the default comparison's items fill up (listed in ``added``). The item
    ``spec`` is ``link_spec``, the custom CNN of the same link's ``spec=``.
    """
    pieces = value.split(",", MAX_LINK_PIECES)
    items: list[Item] = []
    rejected: list[Rejected] = []
    for position, piece in enumerate(pieces, start=1):
        if not piece.strip():
            continue  # a stray comma says nothing
        short = piece.strip()[:40]
        if len(items) == MAX_ITEMS:
            too_many = Issue("compare.too_many", {"limit": MAX_ITEMS})
            rejected.append(Rejected(position, short, "too_many", (too_many,)))
            continue
        try:
            item = parse_item(piece, link_spec)
            configure(item)
        except InputError as error:
            shown = tuple(error.shown(limit=3))
            rejected.append(Rejected(position, short, reason_of(error), shown))
            continue
        items.append(item)
    added: list[Item] = []
    for text in DEFAULT_LINK.split(","):
        default = parse_item(text)
        if len(items) + len(added) < MIN_ITEMS and default not in items:
            added.append(default)
    return LinkComparison(tuple(items + added), tuple(rejected), tuple(added))


def link_value(items: list[Item] | tuple[Item, ...]) -> str:
    return ",".join(item.token for item in items)


# ------------------------------------------------------------------ stages (aligned blocks)


@dataclass(frozen=True)
class Stage:
    """One block of a network: VGG's ``blockN`` or ``head``, or a custom CNN's pooling stage."""

    key: str
    layers: tuple[LayerInfo, ...]

    @property
    def convs(self) -> int:
        return sum(info.layer.type.is_conv for info in self.layers)

    @property
    def params(self) -> int:
        return sum(info.params for info in self.layers)

    @property
    def macs(self) -> int:
        return sum(info.macs for info in self.layers)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.layers[-1].output_shape

    @property
    def receptive_field(self) -> tuple[int, int] | None:
        """At the block's end (None: the head sees the whole input)."""
        rf = self.layers[-1].receptive_field
        return rf.size if rf is not None else None

    @property
    def feature_layer(self) -> LayerInfo | None:
        """The block's feature map: its last image-shaped output before the closing pool."""
        maps = [info for info in self.layers if len(info.output_shape) == 3]
        inner = [info for info in maps if not info.layer.type.is_pool]
        return (inner or maps)[-1] if maps else None


def stages(analysis: Analysis) -> tuple[tuple[Stage, ...], bool]:
    """The network's blocks, and whether they are pooling stages (a custom CNN) or VGG's own."""
    if all(info.layer.block for info in analysis.layers):
        groups: dict[str, list[LayerInfo]] = {}
        for info in analysis.layers:
            groups.setdefault(info.layer.block or "", []).append(info)
        return tuple(Stage(key, tuple(members)) for key, members in groups.items()), False
    found: list[Stage] = []
    current: list[LayerInfo] = []
    head: list[LayerInfo] = []
    for info in analysis.layers:
        if (
            head
            or info.layer.type.flattens
            or info.layer.type is LayerType.DENSE
            or len(info.output_shape) != 3
        ):
            head.append(info)
            continue
        current.append(info)
        if info.layer.type.is_pool:
            found.append(Stage(f"block{len(found) + 1}", tuple(current)))
            current = []
    if current:
        found.append(Stage(f"block{len(found) + 1}", tuple(current)))
    if head:
        found.append(Stage(HEAD, tuple(head)))
    return tuple(found), True


def end_receptive_field(analysis: Analysis) -> tuple[int, int] | None:
    """Receptive field of the last conv or pooling layer (what the head gets to see)."""
    end = analysis.feature_end
    return end.receptive_field.size if end and end.receptive_field else None


@dataclass(frozen=True)
class Config:
    """An item with its analysis and its blocks."""

    item: Item
    analysis: Analysis
    stages: tuple[Stage, ...]
    by_pooling: bool  # blocks are pooling stages of a custom CNN

    def stage(self, key: str) -> Stage | None:
        return next((s for s in self.stages if s.key == key), None)

    @property
    def convs(self) -> int:
        return sum(s.convs for s in self.stages)

    @property
    def head_params(self) -> int | None:
        head = self.stage(HEAD)
        return head.params if head is not None and head.params else None


@lru_cache(maxsize=128)
def configure(item: Item) -> Config:
    """Analyse an item; a network the engine refuses raises InputError (compare.build)."""
    try:
        analysis = analyze(item.spec())
    except InputError as error:
        raise item_error("build", error) from None
    found, by_pooling = stages(analysis)
    return Config(item, analysis, found, by_pooling)


# ------------------------------------------------------------------ deltas


def _ratio(change: int, base: int) -> float | None:
    return change / base if base else None


@dataclass(frozen=True)
class Delta:
    """What changes from one configuration to the next, as numbers (the UI puts words around)."""

    before: int  # positions in the comparison
    after: int
    convs: int
    conv_changes: tuple[tuple[str, int], ...]  # (block, change) where the count changes
    params: int
    params_ratio: float | None
    macs: int
    macs_ratio: float | None
    rf_before: tuple[int, int] | None
    rf_after: tuple[int, int] | None
    changes: tuple[str, ...]  # which choices differ: network, bn, head, input


def delta(a: Config, b: Config, before: int = 0, after: int = 1) -> Delta:
    keys = [s.key for s in a.stages] + [s.key for s in b.stages if a.stage(s.key) is None]
    conv_changes = []
    for key in keys:
        sa, sb = a.stage(key), b.stage(key)
        change = (sb.convs if sb else 0) - (sa.convs if sa else 0)
        if change:
            conv_changes.append((key, change))
    ia, ib = a.item, b.item
    differs = {
        "network": ia.arch != ib.arch,
        "bn": ia.batch_norm != ib.batch_norm,
        "head": ia.include_top != ib.include_top,
        "input": ia.input_shape != ib.input_shape,
    }
    params = b.analysis.total_params - a.analysis.total_params
    macs = b.analysis.total_macs - a.analysis.total_macs
    return Delta(
        before,
        after,
        b.convs - a.convs,
        tuple(conv_changes),
        params,
        _ratio(params, a.analysis.total_params),
        macs,
        _ratio(macs, a.analysis.total_macs),
        end_receptive_field(a.analysis),
        end_receptive_field(b.analysis),
        tuple(name for name, yes in differs.items() if yes),
    )


@dataclass(frozen=True)
class Comparison:
    """Configurations in order, their aligned block keys and the delta of each neighbour pair."""

    configs: tuple[Config, ...]
    stage_keys: tuple[str, ...] = field(init=False)
    deltas: tuple[Delta, ...] = field(init=False)

    def __post_init__(self) -> None:
        blocks = {s.key for c in self.configs for s in c.stages if s.key != HEAD}
        keys = sorted(blocks, key=lambda k: int(k.removeprefix("block")))
        if any(c.stage(HEAD) for c in self.configs):
            keys.append(HEAD)
        object.__setattr__(self, "stage_keys", tuple(keys))
        pairs = enumerate(pairwise(self.configs))
        deltas = tuple(delta(a, b, i, i + 1) for i, (a, b) in pairs)
        object.__setattr__(self, "deltas", deltas)

    @property
    def shared_head_params(self) -> int | None:
        """The head's parameters when every configuration has a head holding the same number."""
        heads = {c.head_params for c in self.configs}
        if len(self.configs) < 2 or len(heads) != 1:
            return None
        return heads.pop()


def compare(items: list[Item] | tuple[Item, ...]) -> Comparison:
    """The comparison of already-checked items (see :func:`configure`)."""
    return Comparison(tuple(configure(item) for item in items))


# ------------------------------------------------------------------ input size


@dataclass(frozen=True)
class SweepPoint:
    side: int
    params: int
    macs: int


@lru_cache(maxsize=64)
def input_sweep(item: Item, sides: tuple[int, ...] = INPUT_SIDES) -> tuple[SweepPoint, ...]:
    """Totals of the item at square inputs (its own channels); sizes it cannot take are left out."""
    points = []
    for side in sides:
        try:
            square = replace(item, input_shape=(side, side, item.input_shape[2]))
            analysis = configure(square).analysis
        except InputError:
            continue
        points.append(SweepPoint(side, analysis.total_params, analysis.total_macs))
    return tuple(points)


@dataclass(frozen=True)
class FirstDense:
    """The first dense layer after Flatten: why its parameters follow the input size."""

    layer: str
    input_hw: tuple[int, int]  # the network's input height and width
    grid: tuple[int, int, int]  # the feature map Flatten receives (h, w, c)
    inputs: int  # h·w·c
    units: int
    params: int


def first_dense(config: Config) -> FirstDense | None:
    """The dense layer right after Flatten, when there is one (VGG's fc1)."""
    layers = config.analysis.layers
    for flat, nxt in pairwise(layers):
        if (flat.layer.type, nxt.layer.type) == (LayerType.FLATTEN, LayerType.DENSE) and len(
            flat.input_shape
        ) == 3:
            h, w, c = flat.input_shape
            units = nxt.layer.units or 0
            hw = config.item.input_shape[:2]
            return FirstDense(nxt.name, (hw[0], hw[1]), (h, w, c), h * w * c, units, nxt.params)
    return None


# ------------------------------------------------------------------ numbers as text


def signed_pct(ratio: float | None) -> str:
    """0.0384 → '+3.8%'; '' when there is no base to compare with; never a rounded ±0%."""
    return "" if ratio is None else signed_percent(ratio)


def side_text(size: tuple[int, int] | None) -> str:
    """(212, 212) → '212'; (212, 180) → '212×180'; None → ''."""
    if size is None:
        return ""
    return str(size[0]) if size[0] == size[1] else f"{size[0]}×{size[1]}"


# ------------------------------------------------------------------ the aligned table as data

METRICS = ("conv_layers", "output_shape", "params", "macs", "receptive_field")
TOTAL = "total"


# An aligned row: "block" holds the block's key, (i, metric) configuration i's cell.
Record = dict[str | tuple[int, str], Any]


def aligned_records(comparison: Comparison) -> list[Record]:
    """One record per block (then ``total``); per configuration i, ``(i, metric)`` cells.

    A block a configuration does not have is None; a receptive field of None means
    the whole input.
    """
    records: list[Record] = []
    for key in comparison.stage_keys:
        record: Record = {"block": key}
        for i, config in enumerate(comparison.configs):
            stage = config.stage(key)
            cells: tuple[Any, ...] = (None,) * len(METRICS)
            if stage is not None:
                cells = (
                    stage.convs,
                    shape_text(stage.output_shape),
                    stage.params,
                    stage.macs,
                    side_text(stage.receptive_field) or None,
                )
            record |= {(i, m): v for m, v in zip(METRICS, cells, strict=True)}
        records.append(record)
    total: Record = {"block": TOTAL}
    for i, config in enumerate(comparison.configs):
        a = config.analysis
        cells = (config.convs, shape_text(a.output_shape), a.total_params, a.total_macs,
                 side_text(end_receptive_field(a)) or None)  # fmt: skip
        total |= {(i, m): v for m, v in zip(METRICS, cells, strict=True)}
    records.append(total)
    return records


def column_names(comparison: Comparison) -> list[str]:
    """Unique, language-neutral names of the configurations (tokens; repeats get #n)."""
    names: list[str] = []
    for config in comparison.configs:
        name = config.item.token
        names.append(name if name not in names else f"{name}#{len(names) + 1}")
    return names


def to_csv(comparison: Comparison) -> str:
    """The aligned table for spreadsheets: ``block`` then ``<item> <metric>`` per configuration."""
    names = column_names(comparison)
    header = ["block"] + [f"{n} {m}" for n in names for m in METRICS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for record in aligned_records(comparison):
        cells = [record[(i, m)] for i in range(len(names)) for m in METRICS]
        writer.writerow([record["block"], *("" if c is None else c for c in cells)])
    return buffer.getvalue()
