"""Compare page: 2–4 networks side by side, aligned by block; the comparison lives in ``cmp=``."""

from __future__ import annotations

import streamlit as st

from components.engine.compare import compare
from components.ui import compare_views as V
from components.ui.i18n import t
from components.ui.navigation import route_through_app

route_through_app()

st.title(t("compare.title"))
st.caption(t("compare.intro"))

V.start_from_link()
notes = st.container()  # the link's notes go above the cards, once the cards have been read
V.toolbar()
slots = V.cards()
usable = [slot for slot in slots if slot.config is not None]
items = [slot.config.item for slot in usable if slot.config is not None]
with notes:
    V.link_notes(items)
V.keep_in_link(items)
if not usable:
    st.info(t("compare.none"))
    st.stop()

comparison = compare(items)
configs = list(comparison.configs)
names = V.names_of(configs)
colours = [slot.colour for slot in usable]

V.deltas(comparison, names)
V.table(comparison, names)
V.charts(comparison, names, colours)
if len(configs) >= 2:
    V.same_image(configs, names, colours)
