"""Server details for whoever runs the app, not for students: the log, and the page only
when it is opened on the server itself (``st.context.ip_address`` is None for localhost)."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from components.ui.i18n import t

_LOG = logging.getLogger("vgg_explorer")


def show_operator_note(path: Path, url: str) -> None:
    """Where a weights file goes and comes from: logged; on the page only on the server."""
    # The server log, in English for the operator (not page text: .log, not st.warning's name).
    _LOG.log(logging.WARNING, "Trained weights: %s is not there yet (from %s)", path, url)
    if st.context.ip_address is None:
        st.caption(t("classroom.operator.path", path=path, url=url))
