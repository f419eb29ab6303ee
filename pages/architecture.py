"""Architecture page (the app's root): one network, layer by layer, every number explained.

The network comes from the sidebar picker (kept in the share link); the view is the
shared one, so a custom CNN is explained exactly like a VGG. Presentation mode
(``present=1``) shows one big diagram and steps through the layers for a projector.
"""

from __future__ import annotations

import streamlit as st

from components.engine.report import shape_text
from components.ui.i18n import t
from components.ui.navigation import route_through_app
from components.ui.network_picker import analysis_of, pick_network
from components.ui.network_view import network_view_ui
from components.ui.presentation import (
    apply_presentation_style,
    present_layer_ui,
    presentation_active,
    presentation_toggle_ui,
)
from components.ui.safe_text import plain

route_through_app()

spec = pick_network("arch")
if spec is None:
    st.title(t("arch.title_empty"))
    st.stop()
analysis = analysis_of(spec)
st.title(t("arch.title", name=plain(spec.name), shape=shape_text(spec.input_shape)))
presentation_toggle_ui("arch_present")
if presentation_active():
    apply_presentation_style()
    present_layer_ui(analysis, "arch")
else:
    st.caption(t("arch.intro"))
    network_view_ui(analysis, "arch")
