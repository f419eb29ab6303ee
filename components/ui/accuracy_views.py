"""Compare: what the extra cost buys, as the libraries published it (never computed here).

Beside the cost deltas, each pair's published ImageNet top-1 / top-5 change from the
same source, and a small table of every figure with the page it was read on.
"""

from __future__ import annotations

import streamlit as st

from components.engine import compare
from components.engine.accuracy import Published, published
from components.ui.i18n import t
from components.ui.safe_text import plain


def _points(before: float, after: float) -> str:
    change = after - before
    return "±0" if round(change, 1) == 0 else f"{change:+.1f}".replace("-", "−")


def gain_line(before: Published, after: Published, names: tuple[str, str]) -> str:
    """'VGG16 → VGG19: top-1 71.6% → 72.4% (+0.8 points), top-5 … (torchvision)'."""
    return t(
        "classroom.acc.gain",
        before=names[0],
        after=names[1],
        top1_before=f"{before.top1:.1f}",
        top1_after=f"{after.top1:.1f}",
        top1_change=_points(before.top1, after.top1),
        top5_before=f"{before.top5:.1f}",
        top5_after=f"{after.top5:.1f}",
        top5_change=_points(before.top5, after.top5),
        source=before.source,
    )


def accuracy_ui(comparison: compare.Comparison, names: list[str]) -> None:
    """The published accuracy gain of each step and the figures' sources; nothing if none."""
    figures = [published(config.item) for config in comparison.configs]
    if not any(figures):
        return
    names = [plain(name) for name in names]  # a custom network's name is user text
    st.markdown(f"**{t('classroom.acc.title')}**")
    lines = []
    for delta in comparison.deltas:
        pairs = [
            (a, b)
            for a in figures[delta.before]
            for b in figures[delta.after]
            if a.source == b.source
        ]
        if pairs:
            a, b = pairs[0]
            lines.append(gain_line(a, b, (names[delta.before], names[delta.after])))
    if lines:
        st.markdown("\n".join(f"- {line}" for line in lines))
    header = (t("classroom.acc.network"), t("classroom.acc.top1"), t("classroom.acc.top5"),
              t("classroom.acc.source"))  # fmt: skip
    table = [f"| {' | '.join(header)} |", "|---|---:|---:|---|"]
    table += [
        f"| {name} | {figure.top1:.3f}% | {figure.top5:.3f}% | [{figure.source}]({figure.page}) |"
        for name, found in zip(names, figures, strict=True)
        for figure in found
    ]
    st.markdown("\n".join(table))
    missing = t("compare.sep").join(n for n, found in zip(names, figures, strict=True) if not found)
    note = t("classroom.acc.missing", names=missing) if missing else ""
    st.caption(f"{t('classroom.acc.caption')} {note}".strip())
