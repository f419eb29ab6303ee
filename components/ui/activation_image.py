"""The activation page's picture: the sidebar's sample, upload and fit; what the network
receives; its top-5 predictions beside it; and the one forward pass that joins them.

The sample is kept in the link's ``sample=`` (allow-listed); an upload is not (it is the
student's file).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from components.engine.analysis import Analysis
from components.engine.errors import InputError
from components.engine.formatting import byte_text
from components.engine.spec import NetworkSpec
from components.keras_side import featuremaps, images
from components.keras_side.activations import imagenet_labels, top_k
from components.ui import activation_views
from components.ui.i18n import t
from components.ui.safe_text import plain
from components.ui.saliency_views import evidence_ui
from components.ui.url_state import keep_key_in_link, start_from_link
from components.ui.weights_choice import PickedWeights, weights_label, weights_notes_ui

SAMPLE_KEY, SAMPLE_PARAM = "act_sample", "sample"


@dataclass(frozen=True)
class PickedImage:
    """The sidebar's answer: a sample, or the student's upload, and how it fits the input."""

    sample: str
    upload: Any  # Streamlit's UploadedFile, or None
    fit: str

    def data(self) -> bytes:
        return (
            self.upload.getvalue()
            if self.upload is not None
            else activation_views.sample_bytes(self.sample)
        )

    def name(self) -> str:
        """Escaped for the page: a file name is the student's text."""
        return (
            plain(self.upload.name) if self.upload is not None else t(f"act.sample.{self.sample}")
        )


def image_sidebar_ui() -> PickedImage:
    """Sample, upload and fit in the sidebar."""
    first = activation_views.SAMPLES[0]
    start_from_link(
        SAMPLE_KEY, SAMPLE_PARAM, activation_views.SAMPLES, first, t(f"act.sample.{first}")
    )
    sample = st.sidebar.selectbox(
        t("act.image.sample"),
        activation_views.SAMPLES,
        format_func=lambda s: t(f"act.sample.{s}"),
        key=SAMPLE_KEY,
        on_change=keep_key_in_link,
        args=(SAMPLE_PARAM, SAMPLE_KEY),
    )
    uploaded = st.sidebar.file_uploader(
        t("act.image.upload"), type=list(images.EXTENSIONS), key="act_image_upload"
    )
    fit = st.sidebar.segmented_control(
        t("act.image.fit"), images.FITS, format_func=lambda f: t(f"act.fit.{f}"), key="act_fit",
        default="crop", required=True,
    )  # fmt: skip
    return PickedImage(sample, uploaded, fit)


def require_decoded_image(spec: NetworkSpec, picked: PickedImage) -> images.DecodedImage | None:
    """The picture with the network's channel count; None after saying why it cannot be read."""
    try:
        return images.decode(picked.data(), channels=spec.input_shape[2])
    except InputError as problem:
        activation_views.show_problem(problem)
        st.caption(t("act.image.try_again"))
        return None


def input_ui(
    analysis: Analysis,
    picked: PickedImage,
    decoded: images.DecodedImage,
    run: activation_views.Run,
    preprocessing: str,
) -> None:
    """What the network receives: the fitted picture, how it got there, the memory it takes."""
    st.subheader(t("act.input.title"))
    h, w, c = analysis.spec.input_shape
    st.image(featuremaps.png(run.picture), width=min(w * 2, 448), output_format="PNG")
    st.caption(
        t(
            "act.input.caption",
            name=picked.name(),
            width=decoded.size[0],
            height=decoded.size[1],
            h=h,
            w=w,
            c=c,
            fit=t(f"act.fit.{picked.fit}"),
            preprocessing=t(f"act.pre.{preprocessing}"),
        )
    )
    st.caption(
        t(
            "act.input.memory",
            activations=byte_text(analysis.activation_bytes),
            weights=byte_text(analysis.weight_bytes),
            layers=len(analysis.layers),
        )
    )
    activation_views.show_notes(decoded.notes)


def predictions_ui(
    analysis: Analysis, trained: bool, run: activation_views.Run, weights_text: str
) -> None:
    """The top-5 ImageNet classes, when the network has that head and trained weights."""
    st.subheader(t("act.pred.title"))
    last = analysis.layers[-1]
    if last.name != "predictions" or last.output_shape != (1000,):
        st.info(t("act.pred.no_head"))
    elif not trained:
        st.info(t("act.pred.untrained"))
    else:
        frame = activation_views.predictions_frame(
            top_k(run.outputs["predictions"], 5), imagenet_labels()
        )
        st.dataframe(
            frame,
            hide_index=True,
            column_config={
                "class": st.column_config.TextColumn(t("act.pred.class")),
                "probability": st.column_config.ProgressColumn(
                    t("act.pred.probability"), format="percent", min_value=0.0, max_value=1.0
                ),
            },
        )
        st.caption(t("act.pred.caption", weights=weights_text))


def network_sections_ui(
    analysis: Analysis, weights: PickedWeights, picked: PickedImage, decoded: images.DecodedImage
) -> activation_views.Run | None:
    """The network's one pass over the picture, then what it received, what it predicts and
    where its evidence lies; the run for the feature maps (None after saying what failed).
    The network stays local here: a session keeps the run, never the shared model, so a model
    the cache evicts is freed."""
    spec = analysis.spec
    built = activation_views.forward_pass_ui(
        spec, weights.choice, weights.data, decoded, picked.fit
    )
    if built is None:
        return None
    net, run = built
    weights_notes_ui(spec, weights, net)
    left, right = st.columns([1, 1], gap="large")
    with left:
        input_ui(analysis, picked, decoded, run, net.preprocessing())
    with right:
        predictions_ui(analysis, net.source.trained, run, weights_label(weights))
    evidence_ui(net, run, analysis)
    return run
