"""The activation page's weights choice: its sidebar controls, its link value and its state.

The choice starts from the link's ``weights=`` (allow-listed), else the network's default
(trained weights on disk, else random). Until the student picks, it follows the network:
another network brings its own default. :class:`WeightsChoice` is the frozen record the
shared model cache is keyed by; the bytes of an uploaded file travel beside it, unhashed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from components.engine.spec import NetworkSpec
from components.keras_side.weights import WEIGHT_KINDS
from components.ui import weights_views
from components.ui.i18n import t
from components.ui.url_state import in_link, keep_key_in_link, link_choice

KIND, AUTO, SEED = "act_weights", "act_weights_auto", "act_seed"
PARAM = "weights"
FILE_KINDS = ("keras", "torch")


@dataclass(frozen=True)
class WeightsChoice:
    """Which weights: the kind, the random seed, and what identifies a file's contents."""

    kind: str
    seed: int = 0
    digest: str = ""
    path: str = ""  # a file in the operator's weights folder ("" for an upload)


@dataclass(frozen=True)
class PickedWeights:
    """The sidebar's answer: the choice, an uploaded file's bytes, and the network's default."""

    choice: WeightsChoice
    data: bytes | None
    default: str


def _chosen() -> None:
    """The student picked: keep it in the link and stop following the network's default."""
    st.session_state[AUTO] = False
    keep_key_in_link(PARAM, KIND)


def use_random() -> None:
    """``on_click`` of "use random weights" (no trained weights to be had)."""
    st.session_state[KIND] = "random"
    _chosen()


def _start(default: str) -> None:
    state = st.session_state
    if KIND not in state:
        state[AUTO] = not in_link(PARAM)
        state[KIND] = link_choice(PARAM, WEIGHT_KINDS, default, t(f"act.weights.{default}"))
    elif state.get(AUTO):  # another network: its own default
        state[KIND] = default


def weights_file_input_ui(kind: str) -> tuple[bytes | None, str, str]:
    """Sidebar: a weights file by upload or from the operator's folder → (bytes, path, digest)."""
    from components.ui.weights_folder import server_file_choice_ui

    suffixes = ["h5", "hdf5"] if kind == "keras" else ["safetensors"]
    upload = st.sidebar.file_uploader(
        t(f"act.weights.upload_{kind}"), type=suffixes, key=f"act_wfile_{kind}"
    )
    server_file = server_file_choice_ui(kind)
    st.sidebar.caption(t("act.weights.never_pth"))
    if upload is not None:
        data = upload.getvalue()
        return data, "", hashlib.sha256(data).hexdigest()[:20]
    if server_file is not None:
        return None, str(server_file), f"{server_file}:{server_file.stat().st_mtime_ns}"
    return None, "", ""


def weights_sidebar_ui(spec: NetworkSpec) -> PickedWeights:
    """The weights radio, then the seed or the file it needs."""
    default = weights_views.default_kind(spec)
    _start(default)
    kind = st.sidebar.radio(
        t("act.weights.label"),
        WEIGHT_KINDS,
        format_func=lambda k: t(f"act.weights.{k}"),
        key=KIND,
        on_change=_chosen,
    )
    if kind == "random":
        seed = int(st.sidebar.number_input(t("act.weights.seed"), 0, 9999, 0, key=SEED))
        return PickedWeights(WeightsChoice(kind, seed=seed, digest=f"seed{seed}"), None, default)
    if kind in FILE_KINDS:
        data, path, digest = weights_file_input_ui(kind)
        return PickedWeights(WeightsChoice(kind, digest=digest, path=path), data, default)
    return PickedWeights(WeightsChoice(kind), None, default)


def require_weights(spec: NetworkSpec, picked: PickedWeights) -> PickedWeights | None:
    """The weights when they can be loaded now; otherwise what is missing is drawn (a file to
    choose, trained weights to download) and None returned: the page stops there."""
    choice = picked.choice
    if choice.kind in FILE_KINDS and not choice.digest:
        st.info(t(f"act.weights.need_file_{choice.kind}"), icon=":material/upload_file:")
        return None
    if choice.kind in weights_views.TRAINED_KINDS:  # the trained weights on disk, else the offer
        trained = weights_views.require_trained(spec, choice.kind, use_random)
        if trained is None:
            return None
        return replace(picked, choice=WeightsChoice(trained.kind, digest=trained.digest))
    return picked


def weights_notes_ui(spec: NetworkSpec, picked: PickedWeights, net: Any) -> None:
    """Under the title: untrained weights said plainly, the loader's notes, the source."""
    from components.ui.activation_views import show_notes
    from components.ui.digits_views import offer_digits_ui

    if not net.source.trained:
        st.warning(t("act.untrained", seed=picked.choice.seed), icon=":material/casino:")
        if picked.default == "random":  # no trained VGG on disk: offer the one trained here
            offer_digits_ui("act")
    show_notes(net.notes)
    weights_views.show_source_caption(spec, picked.choice.kind, net.preprocessing())


def weights_label(picked: PickedWeights) -> str:
    """The weights in the page's language, for captions ("Random (untrained)")."""
    return t(f"act.weights.{picked.choice.kind}")
