"""Architecture page: the per-layer table of the chosen VGG (charts come with issue 3)."""

from __future__ import annotations

import streamlit as st

from components.engine.analysis import analyze
from components.engine.report import rows
from components.engine.vgg import vgg_spec

analysis = analyze(vgg_spec("vgg16"))
st.title("VGG16")
st.dataframe(rows(analysis), hide_index=True)
