"""VGG Explorer: the entry point. Routes to the pages; every page reads its state from the URL."""

from __future__ import annotations

import streamlit as st

from components.ui.i18n import language_switch_ui, t
from components.ui.navigation import PAGES, ROOT
from components.ui.safety import run_guarded
from components.ui.server_tuning import keep_keras_session

keep_keras_session()

st.set_page_config(page_title=t("app.title"), page_icon=":material/layers:", layout="wide")

pages = [
    st.Page(
        ROOT / entry.script,
        title=t(entry.title_key),
        icon=entry.icon,
        url_path=entry.url_path or None,
        default=not entry.url_path,
    )
    for entry in PAGES
]
page = st.navigation(pages, position="top")
language_switch_ui()
run_guarded(page.run)  # a bug shows a short message with an id, never a traceback
