"""Compare page: 2–4 networks side by side, aligned by block; the comparison lives in ``cmp=``."""

from __future__ import annotations

import streamlit as st

from components.ui import compare_views
from components.ui.i18n import t
from components.ui.navigation import route_through_app

route_through_app()

st.title(t("compare.title"))
st.caption(t("compare.intro"))

usable = compare_views.comparison_cards_ui()
if not usable:
    st.info(t("compare.none"))
    st.stop()
compare_views.comparison_ui(usable)
