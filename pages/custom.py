"""Custom CNN builder: edit a small CNN as a table and see it explained like the VGGs.

The table is checked row by row as you type; while a row is broken the last network
that worked stays shown, labelled as such. The network travels in the share link.
"""

from __future__ import annotations

import streamlit as st

from components.ui import custom_views
from components.ui.i18n import t
from components.ui.navigation import route_through_app
from components.ui.network_picker import analysis_of
from components.ui.network_view import network_view_ui
from components.ui.safe_text import plain

route_through_app()

st.title(t("custom.title"))
st.caption(t("custom.intro"))
custom_views.start()
custom_views.import_section_ui()
checked = custom_views.builder_ui()
spec, stale = custom_views.shown_network(checked)
st.divider()
if stale:
    st.info(t("custom.view.last_valid", name=plain(spec.name)), icon=":material/history:")
st.subheader(t("custom.view.title", name=plain(spec.name)))
custom_views.open_elsewhere(spec)
network_view_ui(analysis_of(spec), "custom")
custom_views.export_section_ui(spec)
