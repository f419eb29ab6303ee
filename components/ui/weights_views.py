"""Trained ImageNet weights in the pages: which source, the one-click download, the cross-check.

The page asks :func:`trained_ready` for the weights the user chose; when they are on
disk it gets the source back, otherwise this module draws one line with the download's
cost, one button and a progress bar (bytes, time left), or says within seconds that the
server is offline and offers random weights.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from components.engine.errors import InputError
from components.engine.formatting import byte_text
from components.engine.spec import NetworkSpec
from components.engine.vgg import vgg_spec
from components.keras_side import hub
from components.keras_side.weights import WeightsError
from components.ui.i18n import t
from components.ui.network_picker import SPEC_HASH_FUNCS
from components.ui.operator import show_operator_note
from components.ui.safe_text import plain

TRAINED_KINDS = ("imagenet", "torchvision")


def default_kind(spec: NetworkSpec) -> str:
    """Trained weights when they are already on disk for this network, else random."""
    best = hub.best_trained(spec)
    return "imagenet" if best is not None and best.cached else "random"


def source_text(trained: hub.Trained) -> str:
    if trained.hub is not None:
        return t("hub.source.torchvision", repo=trained.hub.repo_id, rev=trained.hub.revision[:7])
    return t("hub.source.keras")


def origin_text(trained: hub.Trained) -> str:
    if trained.hub is not None:
        return t("hub.origin.torchvision", repo=trained.hub.repo_id, rev=trained.hub.revision[:7])
    return t("hub.origin.keras")


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "…"
    minutes, secs = divmod(round(seconds), 60)
    return t("hub.time.min", m=minutes, s=secs) if minutes else t("hub.time.s", s=secs)


def progress_text(progress: hub.Progress) -> str:
    if not progress.total:
        return t("hub.progress.unknown", done=byte_text(progress.done))
    return t(
        "hub.progress",
        done=byte_text(progress.done),
        total=byte_text(progress.total),
        left=duration_text(progress.seconds_left),
    )


def show_problem(problem: InputError) -> None:
    from components.ui.activation_views import show_problem as show

    show(problem)


def require_trained(
    spec: NetworkSpec, kind: str, use_random: Callable[[], None]
) -> hub.Trained | None:
    """The trained weights ``kind`` asks for when they are on disk; otherwise the offer to
    download them (or why there are none) is drawn and None returned: the page stops."""
    trained = hub.best_trained(spec, kind)
    if trained is None:
        show_problem(WeightsError.of("hub.err.no_variant"))
        st.button(t("act.weights.use_random"), key="act_use_random", on_click=use_random)
        return None
    if trained.cached:
        return trained
    _offer(spec, trained, use_random)
    return None


def _offer(spec: NetworkSpec, trained: hub.Trained, use_random: Callable[[], None]) -> None:
    """One line with the cost, one button, a real progress bar; offline: say so at once."""
    size = byte_text(trained.approx_bytes)
    st.info(
        t("hub.need.line", name=spec.name, size=size, origin=origin_text(trained)),
        icon=":material/cloud_download:",
    )
    if trained.keras is not None:  # the server's paths: in the log, on the page only locally
        show_operator_note(trained.keras.path, trained.keras.url)
    elif trained.hub is not None:
        show_operator_note(hub.cache_dir(), f"{hub.endpoint()}/{trained.hub.repo_id}")
    if hub.offline():
        show_problem(WeightsError.of("hub.err.offline_mode", variant=_variant(trained)))
        st.button(t("act.weights.use_random"), key="act_use_random", on_click=use_random)
        return
    job = hub.download_job(trained)
    if job is None or job.finished.is_set():
        row = st.container(horizontal=True)
        clicked = row.button(t("hub.need.button", size=size), key="act_fetch", type="primary")
        row.button(t("act.weights.use_random"), key="act_use_random", on_click=use_random)
        if not clicked:
            return
        job = hub.start_download(trained)
        job.started.wait(hub.CONNECT_TIMEOUT + hub.ETAG_TIMEOUT + 1)  # offline: said at once
    if job.finished.is_set() and job.error is not None:
        show_problem(job.error)
        hub.forget(job)
        return
    _watch_ui(job)


@st.fragment(run_every=0.5)
def _watch_ui(job: hub.Job) -> None:
    """The download's progress, redrawn twice a second; the whole page reruns when it ends."""
    if job.finished.is_set():
        if job.error is not None:
            show_problem(job.error)
            hub.forget(job)
            return
        hub.forget(job)
        st.rerun()
    p = job.progress
    if p is None:
        st.progress(0.0, text=t("hub.connecting"))
        return
    share = min(p.done / p.total, 1.0) if p.total else 0.0
    st.progress(share, text=progress_text(p))


def _variant(trained: hub.Trained) -> str:
    return trained.hub.variant if trained.hub else trained.keras.arch  # type: ignore[union-attr]


def show_source_caption(spec: NetworkSpec, kind: str, preprocessing: str) -> None:
    """Which trained weights these are and the preprocessing that goes with them."""
    if kind not in TRAINED_KINDS:
        return
    trained = hub.best_trained(spec, kind)
    if trained is None:
        return
    st.caption(
        t("hub.caption", source=source_text(trained), preprocessing=t(f"act.pre.{preprocessing}"))
    )


# ------------------------------------------------------------------ compare: both networks' top-5


def trained_top5_ui(configs: list[Any], names: list[str], sample: str) -> None:
    """The two networks' top-5 on the same sample, side by side, when both are trained here.

    ``configs`` are the compare page's two configurations; each is classified as the
    network with its ImageNet head at 224×224 (a custom CNN has no ImageNet weights). The
    same VGG16 or VGG19 twice, with both sources on disk, is the cross-check: Keras'
    weights on the left, torchvision's on the right.
    """
    from components.keras_side.activations import imagenet_labels
    from components.ui import activation_views

    specs = [_with_head(config.item) for config in configs]
    trained = pair_sources(specs)
    if not all(tr is not None and tr.cached for tr in trained):
        st.caption(t("hub.cmp.need"))
        return
    st.subheader(t("hub.cmp.title"))
    labels = imagenet_labels()
    tops = []
    for spec, tr in zip(specs, trained, strict=True):
        assert spec is not None and tr is not None
        try:
            with st.spinner(t("act.building", name=spec.name)):
                tops.append(_top5(spec, tr.kind, tr.digest, sample))
        except InputError as problem:
            show_problem(problem)
            return
    for column, name, tr, top in zip(st.columns(2, gap="large"), names, trained, tops, strict=True):
        column.markdown(f"**{plain(name)}**")
        column.dataframe(
            activation_views.predictions_frame(top, labels),
            hide_index=True,
            column_config={
                "class": st.column_config.TextColumn(t("act.pred.class")),
                "probability": st.column_config.ProgressColumn(
                    t("act.pred.probability"), format="percent", min_value=0.0, max_value=1.0
                ),
            },
        )
        column.caption(source_text(tr))  # type: ignore[arg-type]
    if tops[0][0][0] == tops[1][0][0]:
        st.caption(t("hub.cmp.agree", label=labels[tops[0][0][0]]))
    else:
        st.caption(t("hub.cmp.differ"))


def pair_sources(specs: list[NetworkSpec | None]) -> list[hub.Trained | None]:
    """Each network's best trained weights; one VGG twice with both sources on disk gets
    Keras' on the left and torchvision's on the right (the two should agree on top-1)."""
    trained = [hub.best_trained(s) if s is not None else None for s in specs]
    if specs[0] is not None and specs[0] == specs[1]:
        both = [o for o in hub.trained_options(specs[0]) if o.cached]
        if len(both) == 2:
            return list(both)
    return trained


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=SPEC_HASH_FUNCS)
def _top5(spec: NetworkSpec, kind: str, digest: str, sample: str) -> list[tuple[int, float]]:
    """One trained network's top-5 on a sample, kept as data: the network itself is built
    for this and dropped, so the page's shared model cache keeps the maps' networks."""
    from components.keras_side import images
    from components.keras_side.activations import WeightsSource, build_network, top_k
    from components.ui import activation_views

    net = build_network(spec, WeightsSource(kind, digest=digest))  # type: ignore[arg-type]
    h, w, _ = spec.input_shape
    picture = images.fit(
        images.decode(activation_views.sample_bytes(sample), channels=3).image, h, w, "crop"
    )
    return top_k(net.forward(images.to_batch(picture, net.preprocessing())), 5)


def _with_head(item: Any) -> NetworkSpec | None:
    if item.is_preset:
        return None
    try:
        return vgg_spec(item.arch, batch_norm=item.batch_norm)
    except InputError:
        return None
