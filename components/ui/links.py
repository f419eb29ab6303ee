"""Links to another page of the app that open in the same tab (new tabs pile up in class).

``st.link_button`` always opens a new tab; ``st.page_link`` switches page in the same
tab and carries the query string, but only for pages registered with
``st.navigation`` (app.py). A page script run on its own (AppTest of one page) has no
navigation, and gets the plain link button instead.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from components.ui.navigation import PAGES, ROOT
from components.ui.network_picker import page_url

_SCRIPTS = {page.url_path: page.script for page in PAGES}


def page_button_ui(label: str, url_path: str, params: dict[str, str], *, icon: str) -> None:
    """A link to page ``url_path`` ("" is the architecture page) with ``params`` in its URL."""
    query = {name: str(value) for name, value in params.items()}
    try:
        st.page_link(ROOT / _SCRIPTS[url_path], label=label, icon=icon, query_params=query)
    except StreamlitPageNotFoundError:  # run outside app.py's navigation
        st.link_button(label, page_url(url_path or "./", query), icon=icon)
