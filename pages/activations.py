"""Activations page: what each layer of the chosen network does to an image.

The network comes from the shared sidebar picker (kept in the share link, with
``weights``, ``sample`` and ``layer``); beside the feature maps, the architecture
page's layer diagram shows where the viewed layer sits, and a click on it views that layer.
"""

from __future__ import annotations

import streamlit as st

from components.keras_side.digits import is_digits
from components.ui import activation_views
from components.ui.activation_fragment import feature_maps_ui
from components.ui.activation_image import (
    image_sidebar_ui,
    network_sections_ui,
    require_decoded_image,
)
from components.ui.digits_views import digits_page_ui
from components.ui.i18n import t
from components.ui.navigation import route_through_app
from components.ui.network_picker import analysis_of, pick_network
from components.ui.weights_choice import require_weights, weights_label, weights_sidebar_ui

route_through_app()

st.title(t("act.title"))
st.caption(t("act.intro"))

spec = pick_network("act")  # a network that cannot be built: the picker said why
if spec is None:
    st.stop()
analysis = analysis_of(spec)
if not activation_views.fits_budget_ui(analysis):
    st.stop()
if is_digits(spec):  # the network trained here: drawing canvas and step view
    digits_page_ui()
    st.stop()

picked = weights_sidebar_ui(spec)
image = image_sidebar_ui()
weights = require_weights(spec, picked)  # None: a file to choose or weights to fetch, said why
if weights is None:
    st.stop()
decoded = require_decoded_image(spec, image)
if decoded is None:
    st.stop()
run = network_sections_ui(analysis, weights, image, decoded)  # None: it said what failed
if run is None:
    st.stop()
feature_maps_ui(analysis, run, weights_label(weights))
