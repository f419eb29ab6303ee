"""Architecture page (the app's root): one network, layer by layer, every number explained.

The network comes from the sidebar picker (kept in the share link); the view is the
shared one, so a custom CNN is explained exactly like a VGG.
"""

from __future__ import annotations

import streamlit as st

from components.engine.report import shape_text
from components.ui.i18n import t
from components.ui.network_picker import analysis_of, pick_network
from components.ui.network_view import network_view

spec = pick_network("arch")
if spec is None:
    st.title(t("arch.title_empty"))
    st.stop()
analysis = analysis_of(spec)
st.title(t("arch.title", name=spec.name, shape=shape_text(spec.input_shape)))
st.caption(t("arch.intro"))
network_view(analysis, "arch")
