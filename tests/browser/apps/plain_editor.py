"""A plain st.data_editor and a second's work per run: Streamlit's own grid, for comparing
the builder's grid with (what one does, the other does too)."""

import json
import time

import pandas as pd
import streamlit as st

frame = pd.DataFrame(
    {c: pd.Series([16, 32], dtype="Int64") for c in ("filters", "kernel", "stride", "pool")}
)
shown = st.data_editor(frame, key="plain", hide_index=True)
edits = st.session_state.get("plain", {}).get("edited_rows", {})
time.sleep(1.0)  # as long as a builder run takes on a loaded machine
st.code(json.dumps(edits, sort_keys=True))
st.text(" ".join(str(v) for v in shown.to_numpy().ravel()))  # the frame the server has, row by row
